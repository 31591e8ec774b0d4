package main

import (
	"github.com/spf13/cobra"

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
			s, err := e.openStore(db)
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := s.Stats(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return textout.WriteJSON(e.stdout, st)
			}
			return textout.Stats(e.stdout, st)
		},
	}
	cmd.Flags().StringVar(&db, "db", e.defaultDB(), "database file ($HOOKSCOPE_DB)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object")
	return cmd
}
