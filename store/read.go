package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Query selects deliveries for List.
type Query struct {
	// Filter is text in the filter language (see ParseFilter); "" matches
	// everything.
	Filter string
	// Before, when set, starts the listing just below this id (exclusive):
	// pass the last id of one page to get the next.
	Before string
	// After, when set, lists only ids strictly greater than it.
	After string
	// Limit bounds the number of records returned; 0 means no limit.
	Limit int
	// Oldest lists oldest first instead of newest first.
	Oldest bool
}

// List returns the deliveries matching q, newest first (oldest first with
// q.Oldest). It walks the events bucket with a cursor and holds only the
// page it returns; bodies are read only when the filter has free text.
func (db *DB) List(ctx context.Context, q Query) ([]Record, error) {
	f, err := ParseFilter(q.Filter)
	if err != nil {
		return nil, err
	}
	var out []Record
	err = db.scan(ctx, q, f, true, func(r Record) bool {
		out = append(out, r)
		return q.Limit <= 0 || len(out) < q.Limit
	})
	return out, err
}

// scan calls fn for each delivery matching q and f in listing order until
// fn returns false. Records are decoded one at a time, and with decode
// false the records passed to fn carry only their ID (counting needs no
// more).
func (db *DB) scan(ctx context.Context, q Query, f *Filter, decode bool, fn func(Record) bool) error {
	db.settle()
	return db.bolt.View(func(tx *bolt.Tx) error {
		// Walk the summaries (same keys as the events): the filter reads
		// them, and only matches are decoded in full.
		sb := tx.Bucket(bucketSummary)
		if sb == nil {
			return fmt.Errorf("store: %s has no summary bucket (open it once with a listener to build it)", db.path)
		}
		c := sb.Cursor()
		events, bodies, pins := tx.Bucket(bucketEvents), tx.Bucket(bucketBodies), tx.Bucket(bucketPins)
		var k, v []byte
		step := c.Prev
		switch {
		case q.Oldest:
			step = c.Next
			if q.After != "" {
				k, v = c.Seek([]byte(q.After))
				if k != nil && string(k) == q.After {
					k, v = c.Next()
				}
			} else {
				k, v = c.First()
			}
		case q.Before != "":
			k, v = c.Seek([]byte(q.Before))
			if k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		default:
			k, v = c.Last()
		}
		for n := 0; k != nil; k, v = step() {
			if !q.Oldest && q.After != "" && string(k) <= q.After {
				break
			}
			if n++; n%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if !f.Empty() {
				sum, err := decodeSummary(v)
				if err != nil {
					return fmt.Errorf("store: summary of %s: %w", k, err)
				}
				if !f.matchSummary(sum, string(k), func() bool { return pins.Get(k) != nil }, func() []byte { return bodies.Get(k) }) {
					continue
				}
			}
			if !decode {
				if !fn(Record{Event: Event{ID: string(k)}}) {
					return nil
				}
				continue
			}
			ev := events.Get(k)
			if ev == nil {
				continue
			}
			r, err := readRecord(tx, k, ev)
			if err != nil {
				return err
			}
			if !fn(r) {
				return nil
			}
		}
		return nil
	})
}

// Count returns how many deliveries are stored and how many match filter.
func (db *DB) Count(ctx context.Context, filter string) (total, matched int, err error) {
	f, err := ParseFilter(filter)
	if err != nil {
		return 0, 0, err
	}
	db.settle()
	err = db.bolt.View(func(tx *bolt.Tx) error {
		total = tx.Bucket(bucketEvents).Stats().KeyN
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: count: %w", err)
	}
	if f.Empty() {
		return total, total, nil
	}
	err = db.scan(ctx, Query{}, f, false, func(Record) bool { matched++; return true })
	return total, matched, err
}

// Get returns the delivery whose id is id or starts with it. A prefix that
// matches several deliveries is ErrAmbiguous.
func (db *DB) Get(ctx context.Context, id string) (Record, error) {
	var rec Record
	if !ValidIDPrefix(id) {
		return rec, fmt.Errorf("store: %q is not a delivery id: %w", id, ErrNotFound)
	}
	id = strings.ToLower(id)
	db.settle()
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		k, v := c.Seek([]byte(id))
		if k == nil || !bytes.HasPrefix(k, []byte(id)) {
			return fmt.Errorf("store: %s: %w", id, ErrNotFound)
		}
		if len(id) < IDLen {
			if k2, _ := c.Next(); k2 != nil && bytes.HasPrefix(k2, []byte(id)) {
				return fmt.Errorf("store: %s: %w", id, ErrAmbiguous)
			}
		}
		var err error
		rec, err = readRecord(tx, k, v)
		return err
	})
	return rec, err
}

// Body returns a copy of the stored body bytes of delivery id (a full id).
func (db *DB) Body(ctx context.Context, id string) ([]byte, error) {
	var body []byte
	db.settle()
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketBodies).Get([]byte(id))
		if v == nil {
			if tx.Bucket(bucketEvents).Get([]byte(id)) == nil {
				return fmt.Errorf("store: body of %s: %w", id, ErrNotFound)
			}
			body = []byte{}
			return nil
		}
		body = bytes.Clone(v)
		return nil
	})
	return body, err
}

// Attempt returns one stored attempt of delivery id with its response
// headers and body; seq 0 is the live forward.
func (db *DB) Attempt(ctx context.Context, id string, seq int) (Attempt, error) {
	var a Attempt
	db.settle()
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketReplays).Get(attemptKey(id, uint32(seq)))
		if v == nil {
			return fmt.Errorf("store: attempt %d of %s: %w", seq, id, ErrNotFound)
		}
		var err error
		a, err = decodeAttempt(v)
		return err
	})
	return a, err
}

// readRecordMeta decodes an event and its analysis. Values are copied out
// by decoding: nothing refers to bbolt memory after the transaction.
func readRecordMeta(tx *bolt.Tx, k, v []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(v, &r.Event); err != nil {
		return r, fmt.Errorf("store: decode delivery %s: %w", k, err)
	}
	if b := tx.Bucket(bucketAnswered); b != nil && r.Forward == nil {
		if v := b.Get(k); len(v) == 8 {
			r.Response.DurationMS = math.Float64frombits(binary.BigEndian.Uint64(v))
			r.Answered = true
		}
	}
	if av := tx.Bucket(bucketAnalysis).Get(k); av != nil {
		r.Analysis = new(Analysis)
		if err := json.Unmarshal(av, r.Analysis); err != nil {
			return r, fmt.Errorf("store: decode analysis of %s: %w", k, err)
		}
	}
	return r, nil
}

// readRecord joins an event with its analysis, attempts and pin.
func readRecord(tx *bolt.Tx, k, v []byte) (Record, error) {
	r, err := readRecordMeta(tx, k, v)
	if err != nil {
		return r, err
	}
	c := tx.Bucket(bucketReplays).Cursor()
	for rk, rv := c.Seek(attemptKey(string(k), 1)); rk != nil && len(rk) == len(k)+4 && bytes.HasPrefix(rk, k); rk, rv = c.Next() {
		a, err := decodeAttempt(rv)
		if err != nil {
			return r, fmt.Errorf("store: decode attempt of %s: %w", k, err)
		}
		// The list carries the summary; the full answer is one Attempt
		// call away.
		a.RespHeader, a.RespBody = nil, nil
		r.Replays = append(r.Replays, a)
	}
	r.Pinned = tx.Bucket(bucketPins).Get(k) != nil
	return r, nil
}
