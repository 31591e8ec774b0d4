package analyze

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// makeIDs returns n ids whose number is their index.
func makeIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%04d", i)
	}
	return ids
}

// idIndex is the index makeIDs gave id.
func idIndex(id string) int {
	var i int
	fmt.Sscanf(id, "%d", &i)
	return i
}

// noLeak fails t unless the goroutines InOrder started have ended: the
// count falls back to what it was before the run.
func noLeak(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after the run, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestInOrder: checks run several at a time and finish in any order (random
// delays), yet show sees the results in the order of ids; the first error,
// from a check or from show, stops the run, and by then no check is still
// running and no goroutine is left behind.
func TestInOrder(t *testing.T) {
	boom := errors.New("boom")
	for _, tt := range []struct {
		name      string
		n         int
		failCheck int // index whose check fails; -1 none
		failShow  int // index whose show fails; -1 none
		wantShown int
		wantErr   error
	}{
		{"no ids", 0, -1, -1, 0, nil},
		{"one id", 1, -1, -1, 1, nil},
		{"fewer ids than workers", inOrderWorkers - 3, -1, -1, inOrderWorkers - 3, nil},
		{"more ids than the run-ahead", 5 * inOrderAhead, -1, -1, 5 * inOrderAhead, nil},
		{"first check fails", 40, 0, -1, 0, boom},
		{"a later check fails", 40, 30, -1, 30, boom},
		{"last check fails", 40, 39, -1, 39, boom},
		{"show fails", 100, -1, 50, 51, boom},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			ids := makeIDs(tt.n)
			rng := rand.New(rand.NewPCG(uint64(tt.n), 1))
			delays := make([]time.Duration, tt.n)
			for i := range delays {
				delays[i] = time.Duration(rng.IntN(1000)) * time.Microsecond
			}
			var mu sync.Mutex
			inFlight, most := 0, 0
			check := func(ctx context.Context, id string) (store.Record, error) {
				mu.Lock()
				inFlight++
				most = max(most, inFlight)
				mu.Unlock()
				defer func() {
					mu.Lock()
					inFlight--
					mu.Unlock()
				}()
				i := idIndex(id)
				time.Sleep(delays[i])
				if i == tt.failCheck {
					return store.Record{}, boom
				}
				return store.Record{Event: store.Event{ID: id}}, nil
			}
			var shown []string
			show := func(r store.Record) error {
				shown = append(shown, r.ID)
				if idIndex(r.ID) == tt.failShow {
					return boom
				}
				return nil
			}
			err := InOrder(context.Background(), ids, check, show)
			mu.Lock()
			running := inFlight
			mu.Unlock()
			if err != tt.wantErr {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if strings.Join(shown, ",") != strings.Join(ids[:tt.wantShown], ",") {
				t.Errorf("shown %v, want the first %d in order", shown, tt.wantShown)
			}
			if running != 0 {
				t.Errorf("%d checks still running after InOrder returned", running)
			}
			if most > inOrderWorkers || (tt.n >= inOrderWorkers && tt.failCheck != 0 && most < 2) {
				t.Errorf("at most %d checks at once, want 2..%d", most, inOrderWorkers)
			}
			noLeak(t, before)
		})
	}
}

// TestInOrderRunAhead: while show is held up (verify --all piped to a
// pager nobody scrolls), checks stop inOrderAhead ids past the one shown
// instead of checking, and holding, every delivery; when show is merely
// slow, no check ever starts further ahead than that.
func TestInOrderRunAhead(t *testing.T) {
	for _, tt := range []struct {
		name   string
		holdAt int           // show blocks on this index until released; -1 never
		slow   time.Duration // each show takes this long
	}{
		{"held at the first", 0, 0},
		{"held at a later one", 10, 0},
		{"slow throughout", -1, 200 * time.Microsecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			ids := makeIDs(300)
			var checked, shown, worst atomic.Int64
			release := make(chan struct{})
			check := func(ctx context.Context, id string) (store.Record, error) {
				checked.Add(1)
				// id's check may start only once it is at most
				// inOrderAhead past the ids whose show has returned.
				d := int64(idIndex(id)) - shown.Load()
				for w := worst.Load(); d > w && !worst.CompareAndSwap(w, d); w = worst.Load() {
				}
				return store.Record{Event: store.Event{ID: id}}, nil
			}
			show := func(r store.Record) error {
				if idIndex(r.ID) == tt.holdAt {
					<-release
				}
				time.Sleep(tt.slow)
				shown.Add(1)
				return nil
			}
			done := make(chan error, 1)
			go func() { done <- InOrder(context.Background(), ids, check, show) }()
			if tt.holdAt >= 0 {
				// The ids up to holdAt are shown, holdAt's result taken,
				// and inOrderAhead more may be checked: no more.
				bound := int64(tt.holdAt + 1 + inOrderAhead)
				deadline := time.Now().Add(5 * time.Second)
				for checked.Load() < bound && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				time.Sleep(50 * time.Millisecond)
				if n := checked.Load(); n != bound {
					t.Errorf("%d checked while %d was not yet shown, want %d", n, tt.holdAt, bound)
				}
				close(release)
			}
			if err := <-done; err != nil || checked.Load() != int64(len(ids)) || shown.Load() != int64(len(ids)) {
				t.Fatalf("err %v, %d checked, %d shown", err, checked.Load(), shown.Load())
			}
			if w := worst.Load(); w > inOrderAhead {
				t.Errorf("a check started %d ids past the shown ones, want at most %d", w, inOrderAhead)
			}
			noLeak(t, before)
		})
	}
}

// TestInOrderCancel: when the caller's ctx ends (ctrl-c during verify
// --all), InOrder returns ctx's error without showing the rest, whether
// the checks in flight honour ctx or run to the end regardless, and leaves
// no check running and no goroutine behind.
func TestInOrderCancel(t *testing.T) {
	for _, tt := range []struct {
		name         string
		cancelFirst  bool // ctx ends before InOrder starts
		cancelInShow int  // show of this index ends ctx; -1 never
		checkHonours bool // checks return ctx.Err() once ctx ends
	}{
		{"before the start", true, -1, true},
		{"before the start, checks ignore ctx", true, -1, false},
		{"during the run", false, 20, true},
		{"during the run, checks ignore ctx", false, 20, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			// Repeated: the feeding and the cancel race, and every
			// interleaving must end.
			for range 50 {
				ctx, cancel := context.WithCancel(context.Background())
				if tt.cancelFirst {
					cancel()
				}
				ids := makeIDs(500)
				var running atomic.Int64
				check := func(cctx context.Context, id string) (store.Record, error) {
					running.Add(1)
					defer running.Add(-1)
					if tt.checkHonours && cctx.Err() != nil {
						return store.Record{}, cctx.Err()
					}
					return store.Record{Event: store.Event{ID: id}}, nil
				}
				shown := 0
				show := func(r store.Record) error {
					shown++
					if idIndex(r.ID) == tt.cancelInShow {
						cancel()
					}
					return nil
				}
				done := make(chan error, 1)
				go func() { done <- InOrder(ctx, ids, check, show) }()
				select {
				case err := <-done:
					if !errors.Is(err, context.Canceled) {
						t.Fatalf("err = %v, want context.Canceled", err)
					}
					if want := fmt.Sprintf("interrupted after %d of %d", tt.cancelInShow+1, len(ids)); !strings.Contains(err.Error(), want) {
						t.Fatalf("err = %v, want it to say %q", err, want)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("InOrder did not return after ctx ended")
				}
				cancel()
				// Nothing is shown once ctx has ended: the show that
				// ended it is the last.
				if want := tt.cancelInShow + 1; shown != want {
					t.Fatalf("%d shown, want %d", shown, want)
				}
				if n := running.Load(); n != 0 {
					t.Fatalf("%d checks still running after InOrder returned", n)
				}
			}
			noLeak(t, before)
		})
	}
}
