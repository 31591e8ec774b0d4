package capture

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/hookscope/hookscope/store"
)

// ReplaySource is what a replay reads and writes (store.Store implements it).
type ReplaySource interface {
	Get(ctx context.Context, id string) (store.Record, error)
	Body(ctx context.Context, id string) ([]byte, error)
	AddAttempt(ctx context.Context, id string, a *store.Attempt) error
}

// ReplayOptions bound a bulk replay.
type ReplayOptions struct {
	Target      Target
	Concurrency int     // attempts in flight at once (default 1)
	Rate        float64 // attempts started per second at most; 0 means unlimited
}

// ReplayResult is one finished attempt. Err is set when the attempt could not
// be made or stored (the delivery vanished, the store failed); an attempt
// whose target failed has Err nil and Attempt.Error set.
type ReplayResult struct {
	ID      string
	Attempt store.Attempt
	Err     error
	// Truncated reports that the delivery was stored cut (over the
	// listener's --max-body, or refused before its body arrived): the
	// attempt sent only its Size stored bytes.
	Truncated bool
	Size      int64
	// NeverSent reports that the attempt never left: net/http refused the
	// request as built (a method, a target or a header name or value that
	// is not valid HTTP, which capture stores from a refused request).
	// Attempt.Error, which starts with the NotSent prefix, says which; this
	// field is for code, which must not parse that text.
	NeverSent bool
	// HeaderFix reports, of an attempt not sent, that the culprit is a
	// header value, which ReplayOptions.Target.Header (replay's --header)
	// can replace; a header name or a method cannot be mended that way.
	HeaderFix bool
}

// Replay sends the deliveries ids to opts.Target, at most opts.Concurrency
// at once and opts.Rate per second, storing every attempt. It calls done
// for each result (from one goroutine at a time) and stops starting new
// attempts when ctx ends; attempts already in flight finish.
func (s *Sender) Replay(ctx context.Context, src ReplaySource, ids []string, opts ReplayOptions, done func(ReplayResult)) {
	if opts.Concurrency < 1 {
		opts.Concurrency = 1
	}
	// A worker per delivery at most: --concurrency 100000000 for one
	// delivery must not start a hundred million goroutines.
	opts.Concurrency = min(opts.Concurrency, max(len(ids), 1))
	var tick <-chan time.Time
	if opts.Rate > 0 {
		t := time.NewTicker(rateInterval(opts.Rate))
		defer t.Stop()
		tick = t.C
	}
	work := make(chan string)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < opts.Concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				r := s.replayOne(ctx, src, id, opts.Target)
				mu.Lock()
				done(r)
				mu.Unlock()
			}
		}()
	}
	first := true
feed:
	for _, id := range ids {
		if tick != nil && !first {
			select {
			case <-tick:
			case <-ctx.Done():
				break feed
			}
		}
		first = false
		select {
		case work <- id:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
}

// rateInterval is the time between attempt starts at rate per second, kept
// within what a time.Ticker accepts: at least 1ns (a rate above a billion
// per second is unlimited in effect) and at most the longest Duration.
func rateInterval(rate float64) time.Duration {
	d := float64(time.Second) / rate
	switch {
	case d < 1:
		return 1
	case d >= math.MaxInt64:
		return math.MaxInt64
	}
	return time.Duration(d)
}

func (s *Sender) replayOne(ctx context.Context, src ReplaySource, id string, t Target) ReplayResult {
	rec, err := src.Get(ctx, id)
	if err != nil {
		return ReplayResult{ID: id, Err: err}
	}
	body, err := src.Body(ctx, rec.ID)
	if err != nil {
		return ReplayResult{ID: rec.ID, Err: err}
	}
	// The attempt runs to its own timeout even if ctrl-c arrives, so that
	// what was sent is also recorded.
	res := ReplayResult{ID: rec.ID, Truncated: rec.Truncated, Size: int64(len(body))}
	var f sendFailure
	res.Attempt, _, f, _ = s.do(context.WithoutCancel(ctx), rec.Event, body, t, MaxResponseBody)
	res.NeverSent, res.HeaderFix = f.notSent, f.headerFix
	if err := src.AddAttempt(context.WithoutCancel(ctx), rec.ID, &res.Attempt); err != nil {
		res.Err = fmt.Errorf("store attempt: %w", err)
	}
	return res
}

// ReplayEdited sends an edited copy of a stored delivery's body and stores
// the attempt marked as edited.
func (s *Sender) ReplayEdited(ctx context.Context, src ReplaySource, rec store.Record, body []byte, t Target) (store.Attempt, error) {
	a := s.Send(ctx, rec.Event, body, t)
	a.Edited = true
	if err := src.AddAttempt(context.WithoutCancel(ctx), rec.ID, &a); err != nil {
		return a, fmt.Errorf("store attempt: %w", err)
	}
	return a, nil
}
