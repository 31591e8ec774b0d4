package textout

import (
	"fmt"
	"io"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// ReplaySummary is `hookscope replay`'s last line: how many of total
// deliveries were sent, and how those attempts went.
func ReplaySummary(t store.AttemptTally, total int) string {
	return fmt.Sprintf("replayed %d of %d: %d 2xx, %d non-2xx, %d errors", t.Sent, total, t.OK, t.Non2xx, t.Errors)
}

// Replayed writes replay's line for one attempt a of delivery id: where
// it went and what came back, or why it failed. err is set when the
// attempt could not be made or stored. The target and errors can quote
// network text, so they pass through termsafe.
func Replayed(w io.Writer, id string, a store.Attempt, err error) error {
	switch {
	case err != nil:
		_, err = fmt.Fprintf(w, "%s  error: %s\n", id, termsafe.Line(err.Error()))
	case a.Status == 0:
		_, err = fmt.Fprintf(w, "%s  → %s  failed after %.1fms: %s\n", id, termsafe.Line(a.Target), a.DurationMS, termsafe.Line(a.Error))
	default:
		_, err = fmt.Fprintf(w, "%s  → %s  %d in %.1fms (attempt #%d)\n", id, termsafe.Line(a.Target), a.Status, a.DurationMS, a.Seq)
	}
	return err
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
// facts as Replayed: err, when set, is the error.
func ReplayedJSON(w io.Writer, id string, a store.Attempt, err error) error {
	errText := a.Error
	if err != nil {
		errText = err.Error()
	}
	return WriteJSON(w, attemptJSON{ID: id, Seq: a.Seq, At: a.At.UTC().Format(store.TimeFormat), Target: a.Target,
		Status: a.Status, DurationMS: a.DurationMS, Error: errText})
}
