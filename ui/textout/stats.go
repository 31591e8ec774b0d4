package textout

import (
	"fmt"
	"io"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// Stats writes the readable `hookscope stats` view: the database, counts of
// deliveries and verdicts, then deliveries per provider and event type.
// Provider names and event types come from payloads, so they pass through
// termsafe.
func Stats(w io.Writer, st store.Stats) error {
	var b strings.Builder
	field := func(k, format string, args ...any) {
		fmt.Fprintf(&b, "%-12s "+format+"\n", append([]any{k}, args...)...)
	}
	field("database", "%s (%s)", termsafe.Line(st.Path), Size(st.FileSize, false))
	field("deliveries", "%d (%d pinned, %d imported, %d truncated), bodies %s",
		st.Total, st.Pinned, st.Imported, st.Truncated, Size(st.BodyBytes, false))
	if st.Total > 0 {
		field("received", "%s to %s", TimeString(st.Oldest), TimeString(st.Newest))
	}
	counts := func(m map[string]int, keys ...string) string {
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %d", k, m[k])
		}
		return strings.Join(parts, "  ")
	}
	field("signatures", "%s", counts(st.Signatures, store.SigValid, store.SigInvalid, store.SigUnverifiable, store.SigUnsigned, store.SigPending))
	field("schemas", "%s", counts(st.Schemas, store.SchemaValid, store.SchemaInvalid, store.SchemaUnmatched, store.SchemaSkipped, "none"))
	field("duplicates", "%d", st.Duplicates)
	if len(st.Providers) > 0 {
		fmt.Fprintf(&b, "\n%-40s %8s\n", "provider / event type", "count")
		for _, p := range st.Providers {
			fmt.Fprintf(&b, "%-40s %8d\n", clip(termsafe.Line(orNone(p.Provider)), 40), p.Count)
			for _, t := range p.Types {
				fmt.Fprintf(&b, "  %-38s %8d\n", clip(termsafe.Line(orNone(t.EventType)), 38), t.Count)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// orNone names the group of deliveries with no provider or event type,
// which a blank cell would hide.
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
