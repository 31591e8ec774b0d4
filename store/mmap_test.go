package store

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// A listing holds a bbolt read transaction for as long as it runs (the live
// view pages through thousands of deliveries). Deliveries arriving meanwhile
// grow the file far past what it held when the listing began; their commit
// must not wait for the listing to end, which it would if bbolt had to remap
// the file (a remap waits for every read transaction).
func TestCommitsProceedDuringALongRead(t *testing.T) {
	db := mustOpen(t)
	mustAppend(t, db, "/first", []byte(`{}`))

	entered, release := make(chan struct{}), make(chan struct{})
	readDone := make(chan error, 1)
	go func() {
		readDone <- db.scan(context.Background(), Query{}, nil, false, func(Record) bool {
			close(entered)
			<-release
			return false
		})
	}()
	<-entered
	defer func() {
		close(release)
		if err := <-readDone; err != nil {
			t.Errorf("listing: %v", err)
		}
	}()

	// 16 MiB: a file of a few pages grows to many times its first mapping.
	// (Past 8 MiB the log must wait for bbolt before it starts over, so a
	// stalled commit would stall these Appends too.)
	body := bytes.Repeat([]byte("x"), 256<<10)
	applied := make(chan error, 1)
	go func() {
		for range 64 {
			ev := &Event{Method: "POST", Path: "/big", Size: int64(len(body))}
			if err := db.Append(context.Background(), ev, body); err != nil {
				applied <- err
				return
			}
		}
		applied <- db.waitApplied(db.acked.Load())
	}()
	select {
	case err := <-applied:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("deliveries were not committed to bbolt while a read transaction was open")
	}
}
