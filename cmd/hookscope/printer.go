package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/textout"
)

// printOptions say when a delivery is ready to print.
type printOptions struct {
	JSON bool
	// Await bounds the wait for what is expected; after it the line is
	// printed with what is known (pending verdict, no app status).
	Await        time.Duration
	WaitAnalysis bool // wait for the verdict
	WaitForward  bool // wait for the app's answer (forward mode)
}

func (o printOptions) ready(r store.Record) bool {
	return (!o.WaitAnalysis || r.Analysis != nil) && (!o.WaitForward || r.Forward != nil)
}

// printDeliveries is the headless view: one line (or JSON object) per
// captured delivery, in arrival order, printed once what opts waits for is
// stored or after opts.Await. Notices only wake it up: it reads what to
// print from the store, so a dropped notice never loses a line.
func printDeliveries(ctx context.Context, w io.Writer, db store.Store, opts printOptions) error {
	notices, cancel := db.Subscribe(4096)
	defer cancel()
	wait := opts.Await
	asJSON := opts.JSON
	// Start after what is already stored: history is for `ls`.
	last := ""
	if recs, err := db.List(ctx, store.Query{Limit: 1}); err == nil && len(recs) == 1 {
		last = recs[0].ID
	}
	type pending struct {
		id       string
		deadline time.Time
	}
	var queue []pending
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	flush := func(final bool) error {
		// Pick up everything committed since the last look.
		for {
			recs, err := db.List(ctx, store.Query{After: last, Oldest: true, Limit: 512})
			if err != nil {
				return err
			}
			for _, r := range recs {
				queue = append(queue, pending{r.ID, time.Now().Add(wait)})
				last = r.ID
			}
			if len(recs) < 512 {
				break
			}
		}
		for len(queue) > 0 {
			rec, err := db.Get(ctx, queue[0].id)
			if err != nil {
				queue = queue[1:] // pruned meanwhile
				continue
			}
			if !opts.ready(rec) && !final && time.Now().Before(queue[0].deadline) {
				break
			}
			if err := printOne(w, rec, asJSON); err != nil {
				return err
			}
			queue = queue[1:]
		}
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			// The listener has stopped; print what arrived, reading
			// with a context that is not cancelled.
			ctx = context.WithoutCancel(ctx)
			return flush(true)
		case _, ok := <-notices:
			if !ok {
				return nil
			}
		case <-tick.C:
		}
		if err := flush(false); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("print deliveries: %w", err)
		}
	}
}

func printOne(w io.Writer, rec store.Record, asJSON bool) error {
	if asJSON {
		return writeJSON(w, rec)
	}
	_, err := fmt.Fprintln(w, textout.Line(rec))
	return err
}
