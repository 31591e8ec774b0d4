package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Append stores a new delivery and its body bytes and returns once they are
// durable: in the write-ahead log, fsynced (see wal.go). Reads see the
// delivery from then on. It assigns ev.ID (from the clock) when empty, and
// publishes a Captured notice once the delivery is in bbolt. body must not
// be modified afterwards.
func (db *DB) Append(ctx context.Context, ev *Event, body []byte) error {
	if ev.ReceivedAt.IsZero() {
		ev.ReceivedAt = db.now()
	}
	ev.ReceivedAt = ev.ReceivedAt.UTC()
	if ev.ID == "" {
		ev.ID = db.ids.next(db.now())
	} else if db.exists(ev.ID) {
		return fmt.Errorf("store: delivery %s already exists", ev.ID)
	}
	meta, err := encodeEvent(ev)
	if err != nil {
		return fmt.Errorf("store: encode event: %w", err)
	}
	return db.logAppend(ctx, logged{
		id:      []byte(ev.ID),
		meta:    meta,
		summary: summaryOf(Record{Event: *ev}).encode(),
		body:    body,
	})
}

// appendOnly returns a bucket whose keys arrive in increasing order. Pages
// are filled almost full instead of half: splits at the right edge then
// leave no half-empty pages behind, which cuts the pages each commit writes
// (and its CPU) by about half.
func appendOnly(tx *bolt.Tx, name []byte) *bolt.Bucket {
	b := tx.Bucket(name)
	b.FillPercent = 0.95
	return b
}

// SetAnswered records how long hookscope took to answer delivery id, measured
// once the answer was written (so it includes making the delivery durable).
// It does not wait: answers gather in memory and are written at the end of
// the next bbolt commit. Under overload (or if that commit fails) they are
// dropped, and the stored duration stays the one measured before the
// delivery was stored.
func (db *DB) SetAnswered(id string, d time.Duration) {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], math.Float64bits(float64(d.Microseconds())/1000))
	a := &db.answers
	a.mu.Lock()
	if len(a.pending) >= maxPendingAnswers {
		a.mu.Unlock()
		return
	}
	first := len(a.pending) == 0
	a.pending = append(a.pending, answer{id: id, ms: v})
	a.mu.Unlock()
	if first {
		// Make sure a commit comes to write it.
		db.updateLater(func(*bolt.Tx) error { return nil })
	}
}

// maxPendingAnswers bounds the answers waiting for a commit.
const maxPendingAnswers = 1 << 16

// answers are SetAnswered's durations waiting for the writer.
type answers struct {
	mu      sync.Mutex
	pending []answer
}

type answer struct {
	id string
	ms [8]byte
}

// writeAnswers puts the waiting answers, at the end of the writer's
// transaction. An answer can overtake its delivery (logged, acknowledged,
// not yet in bbolt): one newer than the newest stored delivery waits for a
// later commit; one for a delivery pruned meanwhile is dropped.
func (db *DB) writeAnswers(tx *bolt.Tx) error {
	a := &db.answers
	a.mu.Lock()
	batch := a.pending
	a.pending = nil
	a.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	events, answered := tx.Bucket(bucketEvents), appendOnly(tx, bucketAnswered)
	newest, _ := events.Cursor().Last()
	var later []answer
	for _, x := range batch {
		id := []byte(x.id)
		if events.Get(id) == nil {
			if string(id) > string(newest) {
				later = append(later, x)
			}
			continue
		}
		if err := answered.Put(id, x.ms[:]); err != nil {
			return err
		}
	}
	if len(later) > 0 {
		a.mu.Lock()
		a.pending = append(later, a.pending...)
		a.mu.Unlock()
	}
	return nil
}

// ImportState is what an import restores of a delivery beside its event
// and body: its pin and its replay attempts. The live forward travels in
// the event (Event.Forward), with its answer's headers and body.
type ImportState struct {
	// Pinned keeps the delivery from being pruned.
	Pinned bool
	// Replays are the delivery's replay attempts with the target's answers
	// (RespHeader, RespBody), numbered (Seq) as they were: from 1, in
	// increasing order.
	Replays []Attempt
}

// ImportAll stores deliveries that were received elsewhere (an import), in
// one transaction: either all of them land or none does. Each id is derived
// from the delivery's original ReceivedAt, moved forward to the next free
// nanosecond if taken, so history stays in time order. states is nil (no
// pins, no replays) or holds one ImportState per delivery; a live forward
// (ev.Forward) is stored with its answer, as SetForward stores it.
func (db *DB) ImportAll(ctx context.Context, evs []*Event, bodies [][]byte, states []ImportState) error {
	if len(evs) != len(bodies) {
		return fmt.Errorf("store: import: %d events but %d bodies", len(evs), len(bodies))
	}
	if states != nil && len(states) != len(evs) {
		return fmt.Errorf("store: import: %d events but %d states", len(evs), len(states))
	}
	for i := range states {
		if err := checkSeqs(states[i].Replays); err != nil {
			return fmt.Errorf("store: import: delivery %d: %w", i+1, err)
		}
	}
	var ids []string
	err := db.update(ctx, func(tx *bolt.Tx) error {
		ids = ids[:0]
		events := tx.Bucket(bucketEvents)
		for i, ev := range evs {
			ev.ReceivedAt = ev.ReceivedAt.UTC()
			n := uint64(ev.ReceivedAt.UnixNano())
			for events.Get([]byte(EncodeID(n))) != nil {
				n++
			}
			ev.ID = EncodeID(n)
			ev.Imported = true
			meta, err := json.Marshal(ev)
			if err != nil {
				return fmt.Errorf("store: encode event: %w", err)
			}
			if err := events.Put([]byte(ev.ID), meta); err != nil {
				return err
			}
			if err := tx.Bucket(bucketBodies).Put([]byte(ev.ID), bodies[i]); err != nil {
				return err
			}
			if err := tx.Bucket(bucketSummary).Put([]byte(ev.ID), summaryOf(Record{Event: *ev}).encode()); err != nil {
				return err
			}
			if ev.Forward != nil {
				if err := putAttempt(tx, forwardKey(ev.ID), ev.Forward); err != nil {
					return err
				}
			}
			if states != nil {
				if err := restoreState(tx, ev.ID, &states[i]); err != nil {
					return err
				}
			}
			ids = append(ids, ev.ID)
		}
		return nil
	}, func() []Notice { return noticesOf(Captured, ids) })
	if err == nil {
		for _, id := range ids {
			db.ids.observe(id)
		}
	}
	return err
}

// checkSeqs refuses replay numbers that would not come back as given: below
// 1 (0 is the live forward's key), beyond a key's 32 bits, repeated or out
// of order.
func checkSeqs(replays []Attempt) error {
	prev := 0
	for _, a := range replays {
		if err := CheckReplaySeq(a.Seq, prev); err != nil {
			return err
		}
		prev = a.Seq
	}
	return nil
}

// MaxImportedSeq bounds the replay numbers an import may bring: far more
// than anyone replays one delivery, and far from the 32-bit key's end, so
// that the attempts numbered after them (AddAttempt) never wrap around to
// 0, the live forward's number.
const MaxImportedSeq = 1 << 24

// CheckReplaySeq says whether seq may follow prev among a delivery's
// imported replays: numbers increase from 1, up to MaxImportedSeq. The
// store and the file decoders (ui/export) check with it.
func CheckReplaySeq(seq, prev int) error {
	if seq <= prev || seq > MaxImportedSeq {
		return fmt.Errorf("replay number %d after %d: want increasing numbers from 1 to %d", seq, prev, MaxImportedSeq)
	}
	return nil
}

// restoreState stores an imported delivery's pin and replay attempts.
func restoreState(tx *bolt.Tx, id string, st *ImportState) error {
	if st.Pinned {
		if err := tx.Bucket(bucketPins).Put([]byte(id), nil); err != nil {
			return fmt.Errorf("store: pin %s: %w", id, err)
		}
	}
	for i := range st.Replays {
		a := &st.Replays[i]
		if err := putAttempt(tx, attemptKey(id, uint32(a.Seq)), a); err != nil {
			return err
		}
	}
	return nil
}

func putAttempt(tx *bolt.Tx, key []byte, a *Attempt) error {
	v, err := encodeAttempt(a)
	if err != nil {
		return fmt.Errorf("store: encode attempt: %w", err)
	}
	return tx.Bucket(bucketReplays).Put(key, v)
}

// PutAnalysis stores what verification concluded about a delivery. When the
// analysis carries a provider event id, the duplicate index (dedup.go)
// decides DuplicateOf: the oldest stored delivery with that id owns it, newer
// ones point at it. The stored analysis (with DuplicateOf set) is returned.
func (db *DB) PutAnalysis(ctx context.Context, id string, a Analysis) (Analysis, error) {
	if a.AnalyzedAt.IsZero() {
		a.AnalyzedAt = db.now().UTC()
	}
	var changed []string // other deliveries whose DuplicateOf this changed
	err := db.update(ctx, func(tx *bolt.Tx) error {
		changed = changed[:0]
		if tx.Bucket(bucketEvents).Get([]byte(id)) == nil {
			return fmt.Errorf("store: analysis for %s: %w", id, ErrNotFound)
		}
		a.DuplicateOf = ""
		key := refOf(&a).key()
		// A re-analysis may find another provider or event id (a fixed
		// provider guess, a payload read differently) or none: the delivery
		// leaves the event it was listed under, passing it on if it owned it.
		if old := eventKey(tx.Bucket(bucketAnalysis).Get([]byte(id))); old != nil && !bytes.Equal(old, key) {
			owned, err := dropDupe(tx, old, id)
			if err != nil {
				return err
			}
			if owned {
				ch, err := handOver(tx, old)
				if err != nil {
					return err
				}
				changed = append(changed, ch...)
			}
		}
		if key != nil {
			dupOf, ch, err := addDupe(tx, key, id)
			if err != nil {
				return err
			}
			a.DuplicateOf = dupOf
			changed = append(changed, ch...)
		}
		v, err := json.Marshal(a)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketAnalysis).Put([]byte(id), v); err != nil {
			return err
		}
		return putSummary(tx, []byte(id))
	}, func() []Notice {
		return append([]Notice{{ID: id, Kind: Analyzed}}, noticesOf(Analyzed, changed)...)
	})
	return a, err
}

func dedupKey(provider, eventID string) []byte {
	return []byte(provider + "\x00" + eventID)
}

// AddAttempt stores one replay attempt of delivery id, numbering it after the
// attempts already stored (the number is written back into a.Seq).
func (db *DB) AddAttempt(ctx context.Context, id string, a *Attempt) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(bucketEvents).Get([]byte(id)) == nil {
			return fmt.Errorf("store: replay of %s: %w", id, ErrNotFound)
		}
		b := tx.Bucket(bucketReplays)
		prefix := []byte(id)
		seq := uint32(1)
		c := b.Cursor()
		// Seek past the last possible attempt key of this id, then step
		// back: the previous key, if it has our prefix, is the last attempt.
		end := attemptKey(id, ^uint32(0))
		k, _ := c.Seek(end)
		if k == nil {
			k, _ = c.Last()
		} else if string(k) != string(end) {
			k, _ = c.Prev()
		}
		if k != nil && len(k) == len(prefix)+4 && string(k[:len(prefix)]) == id {
			last := binary.BigEndian.Uint32(k[len(prefix):])
			if last == ^uint32(0) {
				// One more would wrap to 0, the live forward's number.
				return fmt.Errorf("store: replay of %s: no attempt number is left", id)
			}
			seq = last + 1
		}
		a.Seq = int(seq)
		v, err := encodeAttempt(a)
		if err != nil {
			return err
		}
		return b.Put(attemptKey(id, seq), v)
	}, func() []Notice { return []Notice{{ID: id, Kind: Replayed}} })
}

// SetForward records the app's answer to the live forward of delivery id,
// and resp, what the listener then answered the provider.
func (db *DB) SetForward(ctx context.Context, id string, a *Attempt, resp Response) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		raw := events.Get([]byte(id))
		if raw == nil {
			return fmt.Errorf("store: forward of %s: %w", id, ErrNotFound)
		}
		var ev Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return fmt.Errorf("store: decode %s: %w", id, err)
		}
		ev.Forward = a
		ev.Response = resp
		v, err := json.Marshal(&ev)
		if err != nil {
			return err
		}
		if err := events.Put([]byte(id), v); err != nil {
			return err
		}
		if err := putSummary(tx, []byte(id)); err != nil {
			return err
		}
		// The forward's full response (headers, body) is kept like a
		// replay attempt's so both are shown the same way.
		rv, err := encodeAttempt(a)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketReplays).Put(forwardKey(id), rv)
	}, func() []Notice { return []Notice{{ID: id, Kind: Replayed}} })
}

// SetPinned pins or unpins a delivery. Pinned deliveries are never pruned.
func (db *DB) SetPinned(ctx context.Context, id string, pinned bool) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(bucketEvents).Get([]byte(id)) == nil {
			return fmt.Errorf("store: pin %s: %w", id, ErrNotFound)
		}
		if pinned {
			return tx.Bucket(bucketPins).Put([]byte(id), nil)
		}
		return tx.Bucket(bucketPins).Delete([]byte(id))
	}, func() []Notice { return []Notice{{ID: id, Kind: Changed}} })
}

// Delete removes deliveries with their bodies, analyses and attempts. Pinned
// deliveries are skipped. It returns how many were removed.
func (db *DB) Delete(ctx context.Context, ids []string) (int, error) {
	removed, err := db.remove(ctx, ids)
	return len(removed), err
}

// remove is Delete, returning the ids it removed. A provider event whose
// owner it removes passes to the oldest delivery of the event that is left,
// in the same transaction (see dedup.go).
func (db *DB) remove(ctx context.Context, ids []string) ([]string, error) {
	var removed, changed []string
	err := db.update(ctx, func(tx *bolt.Tx) error {
		removed, changed = removed[:0], changed[:0]
		pins := tx.Bucket(bucketPins)
		var released [][]byte // events whose owner is removed
		for _, id := range ids {
			k := []byte(id)
			if pins.Get(k) != nil || tx.Bucket(bucketEvents).Get(k) == nil {
				continue
			}
			if key := eventKey(tx.Bucket(bucketAnalysis).Get(k)); key != nil {
				owned, err := dropDupe(tx, key, id)
				if err != nil {
					return err
				}
				if owned {
					released = append(released, key)
				}
			}
			for _, b := range [][]byte{bucketEvents, bucketBodies, bucketAnalysis, bucketSummary, bucketAnswered} {
				if err := tx.Bucket(b).Delete(k); err != nil {
					return err
				}
			}
			rb := tx.Bucket(bucketReplays)
			c := rb.Cursor()
			for rk, _ := c.Seek(k); rk != nil && len(rk) >= len(k) && string(rk[:len(k)]) == id; rk, _ = c.Seek(k) {
				if err := rb.Delete(rk); err != nil {
					return err
				}
			}
			removed = append(removed, id)
		}
		// Handed over once the whole batch is gone, so that an event whose
		// deliveries are all in it is not passed along each of them.
		for _, key := range released {
			ch, err := handOver(tx, key)
			if err != nil {
				return err
			}
			changed = append(changed, ch...)
		}
		return nil
	}, func() []Notice { return append(noticesOf(Removed, removed), noticesOf(Analyzed, changed)...) })
	return removed, err
}

// SaveKey caches a Talkdesk public key.
func (db *DB) SaveKey(k CachedKey) error {
	v, err := json.Marshal(k)
	if err != nil {
		return err
	}
	return db.update(context.Background(), func(tx *bolt.Tx) error {
		return tx.Bucket(bucketKeys).Put([]byte(k.KeyID), v)
	}, nil)
}

// LoadKey returns a cached Talkdesk public key.
func (db *DB) LoadKey(id string) (CachedKey, bool, error) {
	var k CachedKey
	var ok bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketKeys).Get([]byte(id))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &k)
	})
	if err != nil {
		return CachedKey{}, false, fmt.Errorf("store: load key %s: %w", id, err)
	}
	return k, ok, nil
}

// attemptKey is the replays bucket key: the delivery id, then the attempt
// number big-endian, so a delivery's attempts are adjacent and in order.
func attemptKey(id string, seq uint32) []byte {
	k := make([]byte, len(id)+4)
	copy(k, id)
	binary.BigEndian.PutUint32(k[len(id):], seq)
	return k
}

// forwardKey holds the live forward's full answer: attempt number 0.
func forwardKey(id string) []byte { return attemptKey(id, 0) }

// storedAttempt is how an Attempt is kept: its public fields plus the
// response headers and capped body that the public JSON leaves out.
type storedAttempt struct {
	Attempt
	RespHeader Header `json:"resp_header"`
	RespBody   []byte `json:"resp_body"`
}

func encodeAttempt(a *Attempt) ([]byte, error) {
	return json.Marshal(storedAttempt{Attempt: *a, RespHeader: a.RespHeader, RespBody: a.RespBody})
}

func decodeAttempt(v []byte) (Attempt, error) {
	var s storedAttempt
	if err := json.Unmarshal(v, &s); err != nil {
		return Attempt{}, err
	}
	a := s.Attempt
	a.RespHeader, a.RespBody = s.RespHeader, s.RespBody
	return a, nil
}

// exists reports whether delivery id is stored (or logged).
func (db *DB) exists(id string) bool {
	db.settle()
	found := false
	db.bolt.View(func(tx *bolt.Tx) error {
		found = tx.Bucket(bucketEvents).Get([]byte(id)) != nil
		return nil
	})
	return found
}
