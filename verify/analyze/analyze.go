// Package analyze runs verification after capture: each committed delivery
// is checked (provider, signature, schema, duplicate id) by a small pool of
// workers and the result stored, off the response path. Capture never waits
// for it: when the queue is full a delivery is left for the catch-up scan,
// which also picks up deliveries stored while no listener was verifying.
//
// NewChecker is the check itself, combining verify's verdict with the
// AsyncAPI match and validation; the caller builds its Options.
package analyze

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/hookscope/hookscope/store"
)

// Checker computes the analysis of one delivery. It may take time (a key
// fetch) and must honour ctx.
type Checker func(ctx context.Context, ev store.Event, body []byte) store.Analysis

// Pipeline analyses deliveries in the background.
type Pipeline struct {
	db      store.Store
	check   Checker
	workers int
	queue   chan string
	missed  chan struct{} // a delivery was dropped: run the catch-up scan
	mu      sync.Mutex
	pending map[string]bool // queued or being analysed
	idle    chan struct{}   // closed while pending is empty (see Drain)

	// Logger hears of background analyses that failed (the delivery stays
	// pending); nil discards.
	Logger *slog.Logger
}

// New returns a pipeline storing into db. workers bounds concurrent checks
// (a slow key fetch holds one worker, not the listener).
func New(db store.Store, check Checker, workers int) *Pipeline {
	if workers < 1 {
		workers = 4
	}
	idle := make(chan struct{})
	close(idle)
	return &Pipeline{db: db, check: check, workers: workers, queue: make(chan string, 4096),
		missed: make(chan struct{}, 1), pending: map[string]bool{}, idle: idle}
}

// claim marks id pending unless it is already; it says whether it was
// marked.
func (p *Pipeline) claim(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending[id] {
		return false
	}
	if len(p.pending) == 0 {
		p.idle = make(chan struct{})
	}
	p.pending[id] = true
	return true
}

// release ends id's pending state.
func (p *Pipeline) release(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.pending[id] {
		return
	}
	delete(p.pending, id)
	if len(p.pending) == 0 {
		close(p.idle)
	}
}

// Drain waits until nothing queued is left to analyse, or ctx ends. A
// stopping listener drains before it stops Run, so that the deliveries it
// answered last are not left pending until its next start.
func (p *Pipeline) Drain(ctx context.Context) error {
	p.mu.Lock()
	idle := p.idle
	p.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Enqueue schedules a committed delivery. It never blocks.
func (p *Pipeline) Enqueue(id string) {
	if !p.claim(id) {
		return
	}
	select {
	case p.queue <- id:
	default:
		p.release(id)
		select {
		case p.missed <- struct{}{}:
		default:
		}
	}
}

// Run analyses until ctx ends. It starts with a scan for deliveries that
// have no analysis yet.
func (p *Pipeline) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for i := 0; i < p.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case id := <-p.queue:
					// A failure leaves the delivery pending: `hookscope
					// verify` or the next catch-up scan retries it. One
					// pruned or deleted meanwhile is simply gone.
					err := p.analyze(ctx, id, false)
					switch {
					case err == nil || ctx.Err() != nil:
					case errors.Is(err, store.ErrNotFound):
						p.log().Debug("delivery removed before it was analysed", "id", id)
					default:
						p.log().Warn("analysis failed; the delivery stays pending", "id", id, "err", err)
					}
					p.release(id)
				}
			}
		}()
	}
	p.catchUp(ctx)
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-p.missed:
			p.catchUp(ctx)
		}
	}
}

// catchUp queues every delivery without an analysis, oldest first, without
// ever blocking on a full queue for long: what does not fit waits for the
// next scan.
func (p *Pipeline) catchUp(ctx context.Context) {
	after := ""
	for ctx.Err() == nil {
		recs, err := p.db.List(ctx, store.Query{Filter: "sig:pending", Oldest: true, After: after, Limit: 256})
		if err != nil && ctx.Err() == nil {
			p.log().Warn("catch-up scan for unanalysed deliveries failed", "err", err)
		}
		if err != nil || len(recs) == 0 {
			return
		}
		for _, r := range recs {
			if !p.claim(r.ID) {
				continue
			}
			select {
			case p.queue <- r.ID:
			case <-ctx.Done():
				p.release(r.ID)
				return
			}
		}
		after = recs[len(recs)-1].ID
	}
}

func (p *Pipeline) log() *slog.Logger {
	if p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
}

// Analyze checks one delivery now and stores the result.
func (p *Pipeline) Analyze(ctx context.Context, id string) error {
	return p.analyze(ctx, id, true)
}

// analyze is Analyze; with again false it leaves alone a delivery that
// already has an analysis. Workers pass false: a catch-up scan reads the
// pending deliveries before queueing them, and a worker may finish one in
// between.
func (p *Pipeline) analyze(ctx context.Context, id string, again bool) error {
	rec, err := p.db.Get(ctx, id)
	if err != nil {
		return err
	}
	if rec.Analysis != nil && !again {
		return nil
	}
	body, err := p.db.Body(ctx, rec.ID)
	if err != nil {
		return err
	}
	a := p.check(ctx, rec.Event, body)
	if _, err := p.db.PutAnalysis(ctx, rec.ID, a); err != nil {
		return fmt.Errorf("analyze %s: %w", rec.ID, err)
	}
	return nil
}
