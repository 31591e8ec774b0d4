package store

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkAppendConcurrent appends 1 KiB deliveries from 64 goroutines:
// the store's group-commit throughput without HTTP in the way.
func BenchmarkAppendConcurrent(b *testing.B) {
	db := mustOpen(b)
	body := make([]byte, 1024)
	hdr := Header{{Name: "Host", Value: "localhost:8080"}, {Name: "User-Agent", Value: "Go-http-client/1.1"},
		{Name: "Content-Length", Value: "1024"}, {Name: "Content-Type", Value: "application/json"},
		{Name: "Accept-Encoding", Value: "gzip"}}
	var next int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for c := 0; c < 64; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for atomic.AddInt64(&next, 1) <= int64(b.N) {
				ev := &Event{Method: "POST", Path: "/hooks/talkdesk", Header: hdr, Size: 1024}
				if err := db.Append(context.Background(), ev, body); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// fill100k writes n deliveries with analyses in one transaction, the way a
// long-running listener's database looks, quickly.
func fill(b *testing.B, db *DB, n int) {
	b.Helper()
	body := []byte(`{"type":"app.installed","id":"e","data":{"account_name":"starship","pad":"` + string(make([]byte, 700)) + `"}}`)
	types := []string{"app.installed", "app.updated", "app.uninstalled", "contact-created"}
	sigs := []string{SigValid, SigInvalid, SigUnsigned}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for i := 0; i < n; i++ {
			id := EncodeID(uint64(1_700_000_000_000_000_000 + i))
			ev := Event{ID: id, Method: "POST", Path: "/hooks/talkdesk", Header: Header{{Name: "Content-Type", Value: "application/json"}},
				Size: int64(len(body)), Response: Response{Status: 200}}
			if i%1000 == 0 {
				ev.Path = "/hooks/rare"
			}
			v, _ := json.Marshal(ev)
			a, _ := json.Marshal(Analysis{Provider: "talkdesk-events", EventType: types[i%len(types)], Signature: Signature{Status: sigs[i%len(sigs)]}})
			if err := tx.Bucket(bucketEvents).Put([]byte(id), v); err != nil {
				return err
			}
			tx.Bucket(bucketBodies).Put([]byte(id), body)
			tx.Bucket(bucketAnalysis).Put([]byte(id), a)
			if err := putSummary(tx, []byte(id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFilter100k counts the matches of typical filters over 100,000
// stored deliveries: the TUI's filter must answer within half a second.
func BenchmarkFilter100k(b *testing.B) {
	db := mustOpen(b)
	fill(b, db, 100_000)
	for _, f := range []string{"type:app.installed sig:invalid", "status:5xx", "path:/hooks/rare", "starship", "nomatch-anywhere"} {
		b.Run(f, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, _, err := db.Count(context.Background(), f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The first screen of a filtered list stops as soon as it is full.
	b.Run("list first 50 of type:app.updated", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			db.List(context.Background(), Query{Filter: "type:app.updated", Limit: 50})
		}
	})
}
