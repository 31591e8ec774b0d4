package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Stats summarises a database: what `hookscope stats` prints.
type Stats struct {
	Path string `json:"path"`
	// FileSize is the size of the database file; it shrinks after a prune
	// only once the file is compacted.
	FileSize  int64 `json:"file_size"`
	Total     int   `json:"total"`
	Pinned    int   `json:"pinned"`
	Imported  int   `json:"imported"`
	Truncated int   `json:"truncated"`
	// BodyBytes is the sum of the stored body sizes.
	BodyBytes int64 `json:"body_bytes"`
	// Oldest and Newest are the receive times of the first and last
	// delivery (zero when the database is empty).
	Oldest time.Time `json:"oldest"`
	Newest time.Time `json:"newest"`
	// Providers counts analysed deliveries per provider and event type,
	// most frequent first. Deliveries not analysed yet appear only under
	// Signatures["pending"].
	Providers []ProviderStats `json:"providers"`
	// Signatures counts deliveries per signature status (SigValid, …,
	// SigPending); every status is present.
	Signatures map[string]int `json:"signatures"`
	// Schemas counts deliveries per schema status, "none" for deliveries
	// without a schema result; every status is present.
	Schemas map[string]int `json:"schemas"`
	// Duplicates counts deliveries whose provider event id was seen before.
	Duplicates int `json:"duplicates"`
}

// ProviderStats counts one provider's deliveries.
type ProviderStats struct {
	Provider string      `json:"provider"`
	Count    int         `json:"count"`
	Types    []TypeCount `json:"types"`
}

// TypeCount counts one event type's deliveries.
type TypeCount struct {
	EventType string `json:"event_type"`
	Count     int    `json:"count"`
}

// statsChunk is how many deliveries one read transaction of Stats visits:
// short transactions never hold back the writer when it must grow the file.
const statsChunk = 4096

// Stats counts the stored deliveries. It reads metadata and analyses, and of
// bodies only their lengths.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Path: db.path, Signatures: map[string]int{}, Schemas: map[string]int{}}
	for _, s := range []string{SigValid, SigInvalid, SigUnverifiable, SigUnsigned, SigPending} {
		st.Signatures[s] = 0
	}
	for _, s := range []string{SchemaValid, SchemaInvalid, SchemaUnmatched, SchemaSkipped, "none"} {
		st.Schemas[s] = 0
	}
	types := map[string]map[string]int{} // provider -> event type -> count
	var after []byte
	db.settle()
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		n := 0
		err := db.bolt.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketEvents).Cursor()
			analyses, pins, bodies := tx.Bucket(bucketAnalysis), tx.Bucket(bucketPins), tx.Bucket(bucketBodies)
			k, v := c.First()
			if after != nil {
				k, v = c.Seek(after)
				if k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			var last []byte
			defer func() { after = bytes.Clone(last) }()
			for ; k != nil && n < statsChunk; k, v = c.Next() {
				n++
				last = k
				var ev struct {
					ReceivedAt time.Time
					Truncated  bool
					Imported   bool
				}
				if err := json.Unmarshal(v, &ev); err != nil {
					return fmt.Errorf("decode delivery %s: %w", k, err)
				}
				// The stored length, not Event.Size: an import may not
				// have set Size, and this is what the file holds.
				st.countEvent(ev.ReceivedAt, int64(len(bodies.Get(k))), ev.Truncated, ev.Imported, pins.Get(k) != nil)
				var a *Analysis
				if av := analyses.Get(k); av != nil {
					a = new(Analysis)
					if err := json.Unmarshal(av, a); err != nil {
						return fmt.Errorf("decode analysis of %s: %w", k, err)
					}
				}
				st.countAnalysis(a, types)
			}
			return nil
		})
		if err != nil {
			return st, fmt.Errorf("store: stats of %s: %w", db.path, err)
		}
		if n < statsChunk {
			break
		}
	}
	st.Providers = sortedProviders(types)
	fi, err := os.Stat(db.path)
	if err != nil {
		return st, fmt.Errorf("store: stats: %w", err)
	}
	st.FileSize = fi.Size()
	return st, nil
}

func (st *Stats) countEvent(at time.Time, size int64, truncated, imported, pinned bool) {
	st.Total++
	st.BodyBytes += size
	if truncated {
		st.Truncated++
	}
	if imported {
		st.Imported++
	}
	if pinned {
		st.Pinned++
	}
	// Ids are in time order, but an import keeps its original time, so
	// compare rather than take the first and last.
	if st.Oldest.IsZero() || at.Before(st.Oldest) {
		st.Oldest = at
	}
	if at.After(st.Newest) {
		st.Newest = at
	}
}

func (st *Stats) countAnalysis(a *Analysis, types map[string]map[string]int) {
	if a == nil {
		st.Signatures[SigPending]++
		st.Schemas["none"]++
		return
	}
	st.Signatures[a.Signature.Status]++
	if a.Schema == nil {
		st.Schemas["none"]++
	} else {
		st.Schemas[a.Schema.Status]++
	}
	if a.DuplicateOf != "" {
		st.Duplicates++
	}
	if types[a.Provider] == nil {
		types[a.Provider] = map[string]int{}
	}
	types[a.Provider][a.EventType]++
}

// sortedProviders orders providers and their types most frequent first,
// then by name, so the output is stable.
func sortedProviders(types map[string]map[string]int) []ProviderStats {
	out := []ProviderStats{}
	for p, ts := range types {
		ps := ProviderStats{Provider: p, Types: []TypeCount{}}
		for t, n := range ts {
			ps.Count += n
			ps.Types = append(ps.Types, TypeCount{EventType: t, Count: n})
		}
		slices.SortFunc(ps.Types, func(a, b TypeCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.EventType, b.EventType))
		})
		out = append(out, ps)
	}
	slices.SortFunc(out, func(a, b ProviderStats) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Provider, b.Provider))
	})
	return out
}
