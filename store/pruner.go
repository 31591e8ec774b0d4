package store

import (
	"context"
	"time"
)

// defaultPruneEvery is how often PruneEvery prunes when the caller does not
// say: bounds are kept within a minute's worth of deliveries.
const defaultPruneEvery = time.Minute

// PruneEvery keeps s within opts' bounds while ctx lasts, the way a
// listener does beside capture: a pass at once, then one every `every`
// (a minute when not positive). Each pass is a Prune, which deletes in
// bounded batches (PruneBatch) through the group-commit writer, so captures
// keep flowing. A failed pass is retried at the next tick rather than
// ending the listener; report, when not nil, hears of every pass (for the
// log). opts.Now should be zero, so that each pass measures MaxAge from
// its own time.
//
// It returns only when ctx ends (nil), or at once with an error for
// negative bounds; with no bounds it just waits for ctx, so it can run
// beside a listener's other parts whatever the flags.
func PruneEvery(ctx context.Context, s Store, opts PruneOptions, every time.Duration, report func(PruneResult, error)) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	if opts.MaxEvents == 0 && opts.MaxAge == 0 {
		<-ctx.Done()
		return nil
	}
	if every <= 0 {
		every = defaultPruneEvery
	}
	pass := func() {
		res, err := s.Prune(ctx, opts)
		if ctx.Err() != nil {
			return
		}
		if report != nil {
			report(res, err)
		}
	}
	pass()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			pass()
		}
	}
}
