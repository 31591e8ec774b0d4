package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
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
