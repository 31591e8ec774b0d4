package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newPinCmd builds `pin` (pinned true) or `unpin`.
func newPinCmd(e *env, pinned bool) *cobra.Command {
	var db string
	verb, short := "pin", "Pin deliveries: pruning never removes them"
	if !pinned {
		verb, short = "unpin", "Unpin deliveries, so that retention may prune them again"
	}
	cmd := &cobra.Command{
		Use:   verb + " ID...",
		Short: short,
		Long:  short + ".\nEach ID is any unique prefix of an id. Works while a listener runs.",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkIDs(args); err != nil {
				return err
			}
			s, err := e.openStore(db)
			if err != nil {
				return err
			}
			defer s.Close()
			ctx := cmd.Context()
			// Resolve every id before changing any, so a typo changes
			// nothing.
			ids := make([]string, len(args))
			for i, arg := range args {
				rec, err := getDelivery(ctx, s, arg)
				if err != nil {
					return err
				}
				ids[i] = rec.ID
			}
			for _, id := range ids {
				if err := s.SetPinned(ctx, id, pinned); err != nil {
					return fmt.Errorf("%s %s: %w", verb, id, err)
				}
				fmt.Fprintf(e.stdout, "%sned %s\n", verb, id)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", e.defaultDB(), "database file ($HOOKSCOPE_DB)")
	return cmd
}
