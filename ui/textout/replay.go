package textout

import (
	"fmt"
	"io"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// ReplaySummary is `hookscope replay`'s last line: how many of total
// deliveries were sent, and how those attempts went.
func ReplaySummary(t store.AttemptTally, total int) string {
	errs := "errors"
	if t.Errors == 1 {
		errs = "error"
	}
	return fmt.Sprintf("replayed %d of %d: %d 2xx, %d non-2xx, %d %s", t.Sent, total, t.OK, t.Non2xx, t.Errors, errs)
}

// Replayed writes replay's line for one attempt a of delivery id: where
// it went and what came back, or why it failed. err is set when the
// attempt could not be made or stored. red masks configured secrets in
// the target and errors, as show does for stored attempts (a --keep-path
// replay appends the delivery's path and query, which can hold one); nil
// shows them as sent. The target and errors can quote network text, so
// they pass through termsafe.
func Replayed(w io.Writer, id string, a store.Attempt, err error, red *redact.Redactor) error {
	a, errText := maskAttempt(a, err, red)
	var werr error
	switch {
	case err != nil:
		_, werr = fmt.Fprintf(w, "%s  error: %s\n", id, termsafe.Line(errText))
	case a.Status == 0:
		_, werr = fmt.Fprintf(w, "%s  → %s  failed after %.1fms: %s\n", id, termsafe.Line(a.Target), a.DurationMS, termsafe.Line(a.Error))
	case a.Error != "":
		// An answer that broke off mid-body: show records both.
		_, werr = fmt.Fprintf(w, "%s  → %s  %d in %.1fms (attempt #%d): %s\n", id, termsafe.Line(a.Target), a.Status, a.DurationMS, a.Seq, termsafe.Line(a.Error))
	default:
		_, werr = fmt.Fprintf(w, "%s  → %s  %d in %.1fms (attempt #%d)\n", id, termsafe.Line(a.Target), a.Status, a.DurationMS, a.Seq)
	}
	return werr
}

// attemptJSON is replay --json's object: the fixed fields of an attempt
// plus which delivery and which attempt.
type attemptJSON struct {
	ID         string  `json:"id"`
	Seq        int     `json:"seq"`
	At         string  `json:"at"`
	Target     string  `json:"target"`
	Status     int     `json:"status"`
	DurationMS float64 `json:"duration_ms"`
	Error      string  `json:"error"`
}

// ReplayedJSON writes replay --json's object for one attempt, the same
// facts as Replayed, masked by red the same way: err, when set, is the
// error.
func ReplayedJSON(w io.Writer, id string, a store.Attempt, err error, red *redact.Redactor) error {
	a, errText := maskAttempt(a, err, red)
	if err == nil {
		errText = a.Error
	}
	return WriteJSON(w, attemptJSON{ID: id, Seq: a.Seq, At: a.At.UTC().Format(store.TimeFormat), Target: a.Target,
		Status: a.Status, DurationMS: a.DurationMS, Error: errText})
}

// maskAttempt returns a with configured secrets masked in its target and
// error, and err's text ("" for nil) masked likewise; red nil leaves both
// as they are.
func maskAttempt(a store.Attempt, err error, red *redact.Redactor) (store.Attempt, string) {
	errText := ""
	if err != nil {
		errText = err.Error()
	}
	if red == nil {
		return a, errText
	}
	a, _ = red.Attempt(a)
	errText, _ = red.String(errText)
	return a, errText
}
