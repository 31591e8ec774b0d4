package textout

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/redact"
)

// FollowOptions say how Follow prints a delivery and when it is ready to.
type FollowOptions struct {
	JSON bool
	// Redactor masks configured secrets (see Delivery); nil with
	// --reveal-secrets.
	Redactor *redact.Redactor
	// Await bounds the wait for what is expected; after it the line is
	// printed with what is known (pending verdict, no app status).
	Await        time.Duration
	WaitAnalysis bool // wait for the verdict
	WaitForward  bool // wait for the app's answer (forward mode)
	// WaitAnswer waits for the duration of hookscope's own answer as
	// measured once it was written (store.Record.Answered), so that the
	// line is the object ls --json prints later; a forwarded delivery's
	// answer is the app's (WaitForward).
	WaitAnswer bool
	// After is the newest delivery stored before the listener started
	// (store.NewestID): only later ones are printed, history is for `ls`.
	// The listener reads it before it accepts connections: read later, by
	// Follow itself (in its own goroutine), it could already be a delivery
	// of this run, which would then never be printed.
	After string
}

// ready reports whether r has what o waits for. Some deliveries will never
// have it, and must not hold up the line (and every line after it) until
// Await: one refused by net/http was answered before it was stored, so no
// measurement follows; in forward mode, one that is not forwarded (over
// --max-body, a broken body) is stored with hookscope's own status, not
// the 0 of a delivery waiting for the app, and gets no forward record.
func (o FollowOptions) ready(r store.Record) bool {
	answered := r.Answered || r.Forward != nil || r.Refused != ""
	notForwarded := r.Forward == nil && r.Response.Status != 0
	return (!o.WaitAnalysis || r.Analysis != nil) &&
		(!o.WaitForward || r.Forward != nil || notForwarded && answered) &&
		(!o.WaitAnswer || answered)
}

// Feed is what Follow reads deliveries through; store.Store implements it,
// for a database open here or one a listener holds.
type Feed interface {
	List(ctx context.Context, q store.Query) ([]store.Record, error)
	Get(ctx context.Context, id string) (store.Record, error)
	Subscribe(buffer int) (<-chan store.Notice, func())
}

// Follow is the headless listener's view: one line (or JSON object) per
// captured delivery, in arrival order, printed once what opts waits for is
// stored or after opts.Await, until ctx ends; then what has arrived is
// printed at once. Notices only wake it up: it reads what to print from
// db, so a dropped notice never loses a line.
func Follow(ctx context.Context, w io.Writer, db Feed, opts FollowOptions) error {
	notices, cancel := db.Subscribe(4096)
	defer cancel()
	wait := opts.Await
	asJSON := opts.JSON
	last := opts.After
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
			if err := Delivery(w, rec, asJSON, opts.Redactor); err != nil {
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
