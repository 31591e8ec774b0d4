package analyze

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// mustOpen opens a store in a temporary directory, closed when the test ends.
func mustOpen(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestPipelineAnalysesEnqueuedAndBacklog(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	// A backlog stored while nobody was verifying.
	for i := 0; i < 5; i++ {
		db.Append(ctx, &store.Event{Method: "POST", Path: "/old"}, []byte("old"))
	}
	var calls atomic.Int32
	p := New(db, func(ctx context.Context, ev store.Event, body []byte) store.Analysis {
		calls.Add(1)
		return store.Analysis{Provider: "test", EventType: string(body), Signature: store.Signature{Status: store.SigUnsigned}}
	}, 2)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(rctx) }()
	for i := 0; i < 5; i++ {
		ev := &store.Event{Method: "POST", Path: "/new"}
		db.Append(ctx, ev, []byte("new"))
		p.Enqueue(ev.ID)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, pending, _ := db.Count(ctx, "sig:pending")
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d still pending", pending)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if calls.Load() != 10 {
		t.Fatalf("checked %d times, want 10", calls.Load())
	}
	recs, _ := db.List(ctx, store.Query{Filter: "type:new"})
	if len(recs) != 5 {
		t.Fatalf("%d analysed as new", len(recs))
	}
}

func TestEnqueueNeverBlocksWhenFull(t *testing.T) {
	db := mustOpen(t)
	p := New(db, nil, 1)
	// Nobody runs the pipeline: an Enqueue that waited for room would wait
	// for ever. The minute only bounds that wait; it is no speed target.
	enqueued := make(chan struct{})
	go func() {
		for i := 0; i < 10000; i++ {
			p.Enqueue(store.EncodeID(uint64(i)))
		}
		close(enqueued)
	}()
	select {
	case <-enqueued:
	case <-time.After(time.Minute):
		t.Fatal("Enqueue blocked on a full queue")
	}
	select {
	case <-p.missed:
	default:
		t.Fatal("overflow not signalled for catch-up")
	}
}

// TestWorkerSkipsAnalysed: a delivery queued twice (by a catch-up scan that
// read it as pending just before a worker finished it) is checked once.
func TestWorkerSkipsAnalysed(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	done, fresh := &store.Event{Method: "POST"}, &store.Event{Method: "POST"}
	for _, ev := range []*store.Event{done, fresh} {
		if err := db.Append(ctx, ev, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.PutAnalysis(ctx, done.ID, store.Analysis{Signature: store.Signature{Status: store.SigUnsigned}}); err != nil {
		t.Fatal(err)
	}
	// Appended by the one worker, read once Run has returned.
	var checked []string
	p := New(db, func(ctx context.Context, ev store.Event, body []byte) store.Analysis {
		checked = append(checked, ev.ID)
		return store.Analysis{Signature: store.Signature{Status: store.SigUnsigned}}
	}, 1)
	p.Enqueue(done.ID)
	p.Enqueue(fresh.ID)
	rctx, cancel := context.WithCancel(ctx)
	stopped := make(chan error, 1)
	go func() { stopped <- p.Run(rctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, pending, _ := db.Count(ctx, "sig:pending"); pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the fresh delivery was never analysed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-stopped
	if len(checked) != 1 || checked[0] != fresh.ID {
		t.Fatalf("checked %v, want only %s", checked, fresh.ID)
	}
	// Analyze, asked for by name, always checks again.
	if err := p.Analyze(ctx, done.ID); err != nil || len(checked) != 2 {
		t.Fatalf("Analyze: %v, checked %v", err, checked)
	}
}

// lockedBuffer is a log destination safe for the workers' goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// failingBodies is a store whose bodies cannot be read.
type failingBodies struct{ store.Store }

func (failingBodies) Body(context.Context, string) ([]byte, error) {
	return nil, errors.New("disk on fire")
}

// TestFailedAnalysisIsLogged: an analysis that fails is logged as a
// warning naming the delivery; one whose delivery was removed meanwhile
// (pruned before its turn) is not a failure and logs no warning.
func TestFailedAnalysisIsLogged(t *testing.T) {
	db := mustOpen(t)
	ev := &store.Event{Method: "POST", Path: "/x"}
	if err := db.Append(context.Background(), ev, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	p := New(failingBodies{db}, func(context.Context, store.Event, []byte) store.Analysis { return store.Analysis{} }, 1)
	var logs lockedBuffer
	p.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() { cancel(); <-done }()
	p.Enqueue("0000000000000") // no such delivery: removed before its turn
	p.Enqueue(ev.ID)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "id="+ev.ID) {
		if time.Now().After(deadline) {
			t.Fatalf("no log line for a failed analysis; log: %q", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "analysis failed") || !strings.Contains(logs.String(), "disk on fire") {
		t.Fatalf("log line does not say what failed: %q", logs.String())
	}
	if strings.Contains(logs.String(), "0000000000000") {
		t.Fatalf("a removed delivery was logged as a failure: %q", logs.String())
	}
}

// TestDrainWaitsForWhatIsQueued: Drain returns once every queued delivery
// is analysed (so a stopping listener leaves none pending), and no later
// than its context allows while a check is still held up.
func TestDrainWaitsForWhatIsQueued(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	release := make(chan struct{})
	p := New(db, func(ctx context.Context, ev store.Event, body []byte) store.Analysis {
		<-release
		return store.Analysis{Provider: "test", Signature: store.Signature{Status: store.SigUnsigned}}
	}, 2)
	if err := p.Drain(ctx); err != nil {
		t.Fatalf("Drain with nothing queued: %v", err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(rctx) }()
	defer func() { cancel(); <-done }()
	for range 3 {
		ev := &store.Event{Method: "POST"}
		if err := db.Append(ctx, ev, nil); err != nil {
			t.Fatal(err)
		}
		p.Enqueue(ev.ID)
	}
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if err := p.Drain(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Drain while checks are held: %v, want the deadline", err)
	}
	close(release)
	bound, cancelBound := context.WithTimeout(ctx, time.Minute)
	defer cancelBound()
	if err := p.Drain(bound); err != nil {
		t.Fatalf("Drain once released: %v", err)
	}
	if _, pending, err := db.Count(ctx, "sig:pending"); err != nil || pending != 0 {
		t.Fatalf("%d still pending after Drain (%v)", pending, err)
	}
}
