package textout

import (
	"fmt"
	"io"
	"slices"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/redact"
)

// Delivery writes a delivery as the headless line or as its JSON object
// (the object of ls --json, show --json and listen --json), with
// configured secrets masked by red (nil: as stored).
func Delivery(w io.Writer, rec store.Record, asJSON bool, red *redact.Redactor) error {
	if asJSON {
		return WriteJSON(w, maskedRecord(rec, red))
	}
	if _, err := fmt.Fprintln(w, Line(rec, red)); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// maskedRecord is rec as the JSON outputs print it: configured secrets
// replaced wherever the sender put them literally in the request (path, raw
// path, query, header and trailer values) and where those are quoted (the
// targets and errors of forward and replay attempts), by the rule show and
// exports apply. Only those strings change, and only when they hold a secret: field
// names, ids and every other value stay what the fixed JSON interface
// promises. The credential-header and secret-field rules (Authorization,
// client_secret) are not applied here; JSON output has always carried
// headers as received. rec's header and trailer are copied before a value
// is replaced: they may be shared with the caller.
func maskedRecord(rec store.Record, red *redact.Redactor) store.Record {
	if red == nil {
		return rec
	}
	rec.Path, rec.RawPath, rec.Query, _ = red.Target(rec.Event)
	// Verification's text quotes the body and headers (event type,
	// notes, schema errors), and the encoding is a header's value.
	rec.Analysis, _ = red.Analysis(rec.Analysis)
	rec.ContentEncoding, _ = red.String(rec.ContentEncoding)
	rec.Header = maskedValues(rec.Header, red)
	rec.Trailer = maskedValues(rec.Trailer, red)
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

// maskedValues is h with configured secrets replaced in its values: h
// itself when none holds one, else a copy.
func maskedValues(h store.Header, red *redact.Redactor) store.Header {
	var out store.Header
	for i, f := range h {
		v, n := red.String(f.Value)
		if n == 0 {
			continue
		}
		if out == nil {
			out = slices.Clone(h)
		}
		out[i].Value = v
	}
	if out == nil {
		return h
	}
	return out
}
