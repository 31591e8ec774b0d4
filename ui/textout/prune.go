package textout

import (
	"fmt"
	"io"

	"github.com/hookscope/hookscope/store"
)

// Pruned writes prune's one-line summary: what was (or, for a dry run,
// would be) removed, what is left, and the pinned deliveries kept that the
// limits alone would have removed. viaListener says the prune went through
// a running listener's API rather than the file.
func Pruned(w io.Writer, res store.PruneResult, viaListener bool) error {
	verb := "removed"
	if res.DryRun {
		verb = "would remove"
	}
	noun := "deliveries"
	if res.Removed == 1 {
		noun = "delivery"
	}
	msg := fmt.Sprintf("%s %d %s", verb, res.Removed, noun)
	if res.Removed > 0 {
		msg += fmt.Sprintf(" (ids %s … %s, %s of bodies)", res.First, res.Last, Size(res.BodyBytes, false))
	}
	msg += fmt.Sprintf("; %d left", res.Remaining)
	if res.PinnedKept > 0 {
		msg += fmt.Sprintf(", of which %d pinned would otherwise have gone", res.PinnedKept)
	}
	if viaListener {
		msg += " (through the running listener)"
	}
	_, err := fmt.Fprintln(w, msg)
	return err
}
