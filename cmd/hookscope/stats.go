package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/ui/textout"
)

func newStatsCmd(e *env) *cobra.Command {
	var db string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Count deliveries per provider and event type, verdicts, and the database size",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openStore(db)
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := s.Stats(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(e.stdout).Encode(st)
			}
			_, err = fmt.Fprint(e.stdout, statsText(st))
			return err
		},
	}
	cmd.Flags().StringVar(&db, "db", e.defaultDB(), "database file ($HOOKSCOPE_DB)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object")
	return cmd
}

// statsText is the readable stats view. Provider names and event types come
// from payloads, so they pass through termsafe.
func statsText(st store.Stats) string {
	var b strings.Builder
	field := func(k, format string, args ...any) {
		fmt.Fprintf(&b, "%-12s "+format+"\n", append([]any{k}, args...)...)
	}
	field("database", "%s (%s)", st.Path, textout.Size(st.FileSize, false))
	field("deliveries", "%d (%d pinned, %d imported, %d truncated), bodies %s",
		st.Total, st.Pinned, st.Imported, st.Truncated, textout.Size(st.BodyBytes, false))
	if st.Total > 0 {
		field("received", "%s to %s", textout.TimeString(st.Oldest), textout.TimeString(st.Newest))
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
	if len(st.Providers) == 0 {
		return b.String()
	}
	fmt.Fprintf(&b, "\n%-40s %8s\n", "provider / event type", "count")
	for _, p := range st.Providers {
		fmt.Fprintf(&b, "%-40s %8d\n", clipName(orNone(p.Provider), 40), p.Count)
		for _, t := range p.Types {
			fmt.Fprintf(&b, "  %-38s %8d\n", clipName(orNone(t.EventType), 38), t.Count)
		}
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// clipName makes a name safe for the terminal and fits it in n runes.
func clipName(s string, n int) string {
	s = termsafe.Line(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
