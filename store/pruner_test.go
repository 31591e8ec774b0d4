package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestPruneEvery(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "h.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := 0; i < 10; i++ {
		if err := db.Append(context.Background(), &Event{Method: "POST"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	passes := make(chan PruneResult, 16)
	done := make(chan error, 1)
	go func() {
		done <- PruneEvery(ctx, db, PruneOptions{MaxEvents: 4}, 10*time.Millisecond, func(r PruneResult, err error) {
			if err == nil {
				select { // never hold up the pruner
				case passes <- r:
				default:
				}
			}
		})
	}()
	select {
	case r := <-passes:
		if r.Removed != 6 {
			t.Fatalf("first pass removed %d", r.Removed)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no first pass")
	}
	// New captures are pruned on a later tick.
	for i := 0; i < 3; i++ {
		db.Append(context.Background(), &Event{Method: "POST"}, nil)
	}
	deadline := time.After(5 * time.Second)
	for total := 7; total != 4; total, _, _ = db.Count(context.Background(), "") {
		select {
		case <-passes:
		case <-deadline:
			t.Fatalf("%d kept, want 4", total)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// Without bounds it idles until the end, so it can sit beside the
	// listener's other parts.
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := PruneEvery(ctx, db, PruneOptions{}, 0, nil); err != nil || ctx.Err() == nil {
		t.Fatalf("unbounded pruner returned early: %v", err)
	}
	if err := PruneEvery(context.Background(), db, PruneOptions{MaxEvents: -1}, 0, nil); err == nil {
		t.Fatal("negative bound accepted")
	}
}
