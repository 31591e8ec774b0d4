package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// clock is a settable clock for stores whose ids must have known times.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func openWithClock(t *testing.T, c *clock) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "h.db"), Options{Now: c.now, LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// leftovers counts what is still stored under id in each per-delivery
// bucket, so a test can check that nothing of a pruned delivery remains.
func leftovers(t *testing.T, db *DB, id string) (n int) {
	t.Helper()
	db.bolt.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketEvents, bucketBodies, bucketAnalysis, bucketSummary, bucketAnswered} {
			if tx.Bucket(b).Get([]byte(id)) != nil {
				n++
			}
		}
		c := tx.Bucket(bucketReplays).Cursor()
		for k, _ := c.Seek([]byte(id)); k != nil && len(k) > len(id) && string(k[:len(id)]) == id; k, _ = c.Next() {
			n++
		}
		return nil
	})
	return n
}

func TestPruneMaxEventsKeepsPinnedAndRemovesEverything(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	var evs []*Event
	for i := 0; i < 10; i++ {
		evs = append(evs, mustAppend(t, db, fmt.Sprintf("/%d", i), []byte("body")))
	}
	db.SetAnswered(evs[1].ID, time.Millisecond) // written with the next commit
	for _, i := range []int{0, 5} {
		if err := db.SetPinned(ctx, evs[i].ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.PutAnalysis(ctx, evs[1].ID, Analysis{Provider: "p", ProviderEventID: "e1"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddAttempt(ctx, evs[1].ID, &Attempt{Target: "t", RespBody: []byte("r")}); err != nil {
		t.Fatal(err)
	}

	dry, err := db.Prune(ctx, PruneOptions{MaxEvents: 4, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if total, _, _ := db.Count(ctx, ""); total != 10 || dry.Removed != 6 || dry.BodyBytes != 24 || !dry.DryRun {
		t.Fatalf("dry run: %+v, %d left", dry, total)
	}

	res, err := db.Prune(ctx, PruneOptions{MaxEvents: 4})
	if err != nil {
		t.Fatal(err)
	}
	want := PruneResult{Removed: 6, BodyBytes: 24, First: evs[1].ID, Last: evs[7].ID, PinnedKept: 2, Remaining: 4}
	if res != want {
		t.Fatalf("prune = %+v, want %+v", res, want)
	}
	recs, _ := db.List(ctx, Query{Oldest: true})
	var got []string
	for _, r := range recs {
		got = append(got, r.Path)
	}
	if fmt.Sprint(got) != "[/0 /5 /8 /9]" {
		t.Fatalf("kept %v", got)
	}
	if n := leftovers(t, db, evs[1].ID); n != 0 {
		t.Fatalf("%d records of a pruned delivery remain", n)
	}
	if _, err := db.Attempt(ctx, evs[1].ID, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("attempt of pruned delivery: %v", err)
	}
	// Its duplicate-index entry went with it: a later delivery with the
	// same provider event id is an original, and the index does not grow.
	db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketDedup).Get(dedupKey("p", "e1")); v != nil {
			t.Errorf("dedup entry left pointing at %s", v)
		}
		return nil
	})

	// Pinned beyond the bound: every unpinned one goes, pinned ones stay.
	res, err = db.Prune(ctx, PruneOptions{MaxEvents: 1})
	if err != nil || res.Removed != 2 || res.Remaining != 2 {
		t.Fatalf("prune to 1: %+v %v", res, err)
	}
	if res, _ := db.Prune(ctx, PruneOptions{MaxEvents: 1}); res.Removed != 0 {
		t.Fatalf("second prune removed %d", res.Removed)
	}
}

func TestPruneMaxAge(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	db := openWithClock(t, c)
	ctx := context.Background()
	start := c.now()
	var evs []*Event
	for i := 0; i < 5; i++ {
		c.set(start.Add(time.Duration(i) * time.Hour))
		evs = append(evs, mustAppend(t, db, fmt.Sprintf("/%d", i), nil))
	}
	db.SetPinned(ctx, evs[0].ID, true)
	now := start.Add(4*time.Hour + 30*time.Minute)
	// Older than 2h at 16:30: those from 12:00 (pinned), 13:00 and 14:00.
	res, err := db.Prune(ctx, PruneOptions{MaxAge: 2 * time.Hour, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Removed != 2 || res.First != evs[1].ID || res.Last != evs[2].ID || res.PinnedKept != 1 {
		t.Fatalf("prune = %+v", res)
	}
	// Both bounds: the age bound first, then the count.
	res, err = db.Prune(ctx, PruneOptions{MaxAge: 10 * time.Hour, MaxEvents: 2, Now: now})
	if err != nil || res.Removed != 1 || res.First != evs[3].ID {
		t.Fatalf("prune both = %+v %v", res, err)
	}
	if _, err := db.Prune(ctx, PruneOptions{MaxAge: -time.Second}); err == nil {
		t.Fatal("negative age accepted")
	}
}

// TestPruneNeverBlocksCapture prunes 20,000 deliveries while another
// goroutine keeps capturing: every capture succeeds and survives, and
// captures complete while the prune is still running.
func TestPruneNeverBlocksCapture(t *testing.T) {
	if testing.Short() {
		t.Skip("large prune")
	}
	db := mustOpen(t)
	ctx := context.Background()
	base := time.Now().Add(-time.Hour)
	const old = 20000
	for chunk := 0; chunk < old; chunk += 2000 {
		evs := make([]*Event, 2000)
		bodies := make([][]byte, 2000)
		for i := range evs {
			evs[i] = &Event{Method: "POST", Path: "/old", ReceivedAt: base.Add(time.Duration(chunk+i) * time.Millisecond)}
			bodies[i] = []byte(`{"n":1}`)
		}
		if err := db.ImportAll(ctx, evs, bodies, nil); err != nil {
			t.Fatal(err)
		}
	}

	var duringPrune atomic.Int64
	var pruning atomic.Bool
	stop := make(chan struct{})
	started := make(chan struct{})
	var captured []string
	var capErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			ev := &Event{Method: "POST", Path: "/live"}
			if err := db.Append(ctx, ev, []byte("live")); err != nil {
				capErr = err
				return
			}
			if pruning.Load() {
				duringPrune.Add(1)
			}
			captured = append(captured, ev.ID)
			if i == 0 {
				close(started)
			}
		}
	}()
	<-started
	pruning.Store(true)
	res, err := db.Prune(ctx, PruneOptions{MaxEvents: 10})
	pruning.Store(false)
	close(stop)
	wg.Wait()
	if err != nil || capErr != nil {
		t.Fatalf("prune: %v; capture: %v", err, capErr)
	}
	if res.Removed < old-10 {
		t.Fatalf("removed %d", res.Removed)
	}
	if duringPrune.Load() == 0 {
		t.Fatalf("no capture completed while pruning")
	}
	for _, id := range captured {
		if _, err := db.Get(ctx, id); err != nil {
			t.Fatalf("capture %s lost: %v", id, err)
		}
	}
	total, _, _ := db.Count(ctx, "")
	if total > len(captured)+10 {
		t.Fatalf("%d left, want at most %d", total, len(captured)+10)
	}
}

func TestCompact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	evs := make([]*Event, 3000)
	bodies := make([][]byte, len(evs))
	for i := range evs {
		evs[i] = &Event{Method: "POST", Path: "/x", ReceivedAt: time.Unix(1700000000, int64(i))}
		bodies[i] = make([]byte, 2048)
	}
	if err := db.ImportAll(ctx, evs, bodies, nil); err != nil {
		t.Fatal(err)
	}
	db.SetPinned(ctx, evs[0].ID, true)
	if _, err := db.Prune(ctx, PruneOptions{MaxEvents: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := Compact(path, 100*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("compact of an open database: %v", err)
	}
	db.Close()
	res, err := Compact(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.After >= res.Before/4 {
		t.Fatalf("compacted %d -> %d", res.Before, res.After)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
	if m, _ := filepath.Glob(path + ".compact-*"); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := db.Get(ctx, evs[0].ID)
	if err != nil || !r.Pinned || !r.Imported {
		t.Fatalf("after compact: %+v %v", r, err)
	}
	if b, _ := db.Body(ctx, evs[0].ID); len(b) != 2048 {
		t.Fatalf("body %d bytes", len(b))
	}
	// New ids continue after the stored ones.
	if ev := mustAppend(t, db, "/new", nil); ev.ID <= evs[0].ID {
		t.Fatalf("new id %s", ev.ID)
	}
}
