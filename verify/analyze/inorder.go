package analyze

import (
	"context"
	"fmt"
	"sync"

	"github.com/hookscope/hookscope/store"
)

// inOrderWorkers is how many deliveries InOrder checks at once. Each check
// of `hookscope verify` ends in a committed write; several in flight share
// the store's group commits (and, through a listener's socket, its round
// trips), which is most of the time of a one-at-a-time verify --all.
const inOrderWorkers = 8

// inOrderAhead bounds how far checks run ahead of what has been shown.
const inOrderAhead = 4 * inOrderWorkers

// InOrder runs check on every id, several at a time, and hands the results
// to show in the order of ids. The first error (from check or show) stops
// it and is returned. Checks run a bounded number of ids past the one show
// waits for: a slow reader of the output (verify --all | less) holds back
// the checks and their records, rather than every record of the database
// piling up in memory. When ctx ends it starts no more checks, shows
// nothing more, and returns ctx's error, wrapped with how many were
// shown. Checks still running when it stops finish before it returns, so
// the caller may close what they use.
func InOrder(ctx context.Context, ids []string, check func(context.Context, string) (store.Record, error), show func(store.Record) error) error {
	type result struct {
		rec store.Record
		err error
	}
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel (deferred below) has stopped the feeding
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// results[i%inOrderAhead] carries id i's result: ids i and
	// i+inOrderAhead are never in flight together.
	results := make([]chan result, min(inOrderAhead, len(ids)))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	ahead := make(chan struct{}, inOrderAhead) // a token per id fed, not yet shown
	next := make(chan int)
	for range min(inOrderWorkers, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				rec, err := check(ctx, ids[i])
				results[i%len(results)] <- result{rec, err}
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range ids {
			// A select picks at random among ready cases: without this
			// check a check could still start after ctx ended.
			if ctx.Err() != nil {
				return
			}
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for i := range ids {
		// The feeding stops when ctx ends, so id i may never be checked:
		// waiting for its result alone would wait for ever.
		var r result
		if ctx.Err() == nil {
			select {
			case r = <-results[i%len(results)]:
			case <-ctx.Done():
			}
		}
		if err := ctx.Err(); err != nil {
			// A result that was ready is not shown either: what ctx's
			// end stopped is said once, here.
			return fmt.Errorf("interrupted after %d of %d: %w", i, len(ids), err)
		}
		<-ahead
		if r.err != nil {
			return r.err
		}
		if err := show(r.rec); err != nil {
			return err
		}
	}
	return nil
}
