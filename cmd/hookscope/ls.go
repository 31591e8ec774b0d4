package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/textout"
)

func newLsCmd(e *env) *cobra.Command {
	var db string
	var asJSON, reveal bool
	var limit int
	cmd := &cobra.Command{
		Use:   "ls [FILTER]",
		Short: "List stored deliveries, newest first",
		Long: "ls lists stored deliveries newest first. FILTER uses the filter language:\n" +
			"free text, provider:, type:, sig:, schema:, status: (200, 5xx), method:, dup:yes, pinned:yes, path:.\n\n" +
			"Configured secrets (the TalkifAI, Dialpad and --hmac secrets) are masked wherever they\n" +
			"appear in a path or query, and with --json in header values too, unless --reveal-secrets.",
		Args: oneFilterArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usagef("--limit: must be 0 (no limit) or more, got %d", limit)
			}
			// A page for a person at a terminal; everything for a pipe or
			// a file, whose reader (a script counting deliveries) would
			// otherwise be cut at 50 without a word.
			byDefault := !cmd.Flags().Changed("limit")
			if byDefault && isTerminal(e.stdout) {
				limit = terminalLimit
			}
			filter, err := filterArg(args)
			if err != nil {
				return err
			}
			s, err := e.openStore(db)
			if err != nil {
				return err
			}
			defer s.Close()
			red := e.storeRedactor(cmd.Context(), s, reveal)
			shown, last := 0, ""
			seen := func(recs []store.Record) {
				if shown += len(recs); len(recs) > 0 {
					last = recs[len(recs)-1].ID
				}
			}
			if !asJSON {
				t := textout.NewTable(e.stdout, red)
				err = store.Each(cmd.Context(), s, filter, limit, lsPage, func(recs []store.Record) error {
					seen(recs)
					t.Rows(recs)
					return nil
				})
				if ferr := t.Flush(); err == nil {
					err = ferr
				}
			} else {
				err = store.Each(cmd.Context(), s, filter, limit, lsPage, func(recs []store.Record) error {
					seen(recs)
					for _, r := range recs {
						if err := textout.Delivery(e.stdout, r, true, red); err != nil {
							return err
						}
					}
					return nil
				})
			}
			if err == nil && byDefault && limit > 0 && shown == limit {
				// Cut by the default, which the user did not choose: say so
				// when there is more.
				if more, merr := s.List(cmd.Context(), store.Query{Filter: filter, Before: last, Limit: 1}); merr == nil && len(more) > 0 {
					fmt.Fprintf(e.stderr, "hookscope: the newest %d shown; --limit 0 lists them all\n", limit)
				}
			}
			return err
		},
	}
	cmd.Flags().StringVar(&db, "db", e.defaultDB(), "database file ($HOOKSCOPE_DB)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per line")
	cmd.Flags().IntVar(&limit, "limit", 0, fmt.Sprintf("show at most N deliveries (0: all); without --limit, %d on a terminal and all when stdout is a pipe or a file", terminalLimit))
	cmd.Flags().BoolVar(&reveal, "reveal-secrets", false, "show configured secrets in paths, queries (and, with --json, header values) unmasked")
	return cmd
}

// terminalLimit is how many deliveries ls shows a person at a terminal
// when not told (--limit): a screenful or two, newest first.
const terminalLimit = 50

// lsPage is how many records ls asks the store for at a time (store.Each),
// so that listing a whole history (--limit 0) holds one page of records. A
// variable so that tests can list several pages.
var lsPage = 500

// oneFilterArg checks that ls and export got at most one FILTER argument.
// A filter of several terms is one shell word; unquoted, its terms arrive as
// several arguments, so the error shows the quoted form.
func oneFilterArg(cmd *cobra.Command, args []string) error {
	if len(args) <= 1 {
		return nil
	}
	joined := strings.Join(args, " ")
	if strings.Contains(joined, "'") {
		return fmt.Errorf("FILTER is one argument, got %d: quote the whole filter", len(args))
	}
	return fmt.Errorf("FILTER is one argument, got %d: quote the whole filter, as in `%s '%s'`", len(args), cmd.CommandPath(), joined)
}

// filterArg is the optional FILTER argument of ls and export ("" for all);
// a malformed filter is a usage error.
func filterArg(args []string) (string, error) {
	if len(args) == 0 {
		return "", nil
	}
	if _, err := store.ParseFilter(args[0]); err != nil {
		return "", usagef("%v", err)
	}
	return args[0], nil
}
