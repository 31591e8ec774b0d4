package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/ui/textout"
)

// printOptions say how a delivery is printed and when it is ready to.
type printOptions struct {
	JSON bool
	// Redactor masks configured secrets (printOne); nil with
	// --reveal-secrets.
	Redactor *redact.Redactor
	// Await bounds the wait for what is expected; after it the line is
	// printed with what is known (pending verdict, no app status).
	Await        time.Duration
	WaitAnalysis bool // wait for the verdict
	WaitForward  bool // wait for the app's answer (forward mode)
	// After is the newest delivery stored before the listener started
	// (store.NewestID): only later ones are printed, history is for `ls`.
	// The listener reads it before it accepts connections: read later, by
	// the printer goroutine, it could already be a delivery of this run,
	// which would then never be printed.
	After string
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
			if err := printOne(w, rec, asJSON, opts.Redactor); err != nil {
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

// printOne prints a delivery as the headless line or as its JSON object,
// with configured secrets masked by red (nil: as stored).
func printOne(w io.Writer, rec store.Record, asJSON bool, red *redact.Redactor) error {
	if asJSON {
		return textout.WriteJSON(w, maskedRecord(rec, red))
	}
	if _, err := fmt.Fprintln(w, textout.Line(rec, red)); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// maskedRecord is rec as the JSON outputs print it: configured secrets
// replaced wherever the sender put them literally in the request (path, raw
// path, query, header values) and where those are quoted (the targets and
// errors of forward and replay attempts), by the rule show and exports
// apply. Only
// those strings change, and only when they hold a secret: field names, ids
// and every other value stay what the fixed JSON interface promises. The
// credential-header and secret-field rules (Authorization, client_secret)
// are not applied here; JSON output has always carried headers as
// received. rec's header is copied before a value is replaced: it may be
// shared with the caller.
func maskedRecord(rec store.Record, red *redact.Redactor) store.Record {
	if red == nil {
		return rec
	}
	rec.Path, rec.RawPath, rec.Query, _ = red.Target(rec.Event)
	var hdr store.Header
	for i, f := range rec.Header {
		v, n := red.String(f.Value)
		if n == 0 {
			continue
		}
		if hdr == nil {
			hdr = slices.Clone(rec.Header)
		}
		hdr[i].Value = v
	}
	if hdr != nil {
		rec.Header = hdr
	}
	// A live forward and replays with --keep-path send the path and query
	// on: their targets (and errors quoting them) hold the same secrets.
	if rec.Forward != nil {
		f, _ := red.Attempt(*rec.Forward)
		rec.Forward = &f
	}
	if len(rec.Replays) > 0 {
		replays := make([]store.Attempt, len(rec.Replays))
		for i, a := range rec.Replays {
			replays[i], _ = red.Attempt(a)
		}
		rec.Replays = replays
	}
	return rec
}
