package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/store"
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
			for _, id := range args {
				if !store.ValidIDPrefix(id) {
					return usagef("%q is not a delivery id: ids are %d characters of 0-9 and a-v (a unique prefix is enough)", id, store.IDLen)
				}
			}
			s, err := openStore(db)
			if err != nil {
				return err
			}
			defer s.Close()
			ctx := cmd.Context()
			// Resolve every id before changing any, so a typo changes
			// nothing.
			ids := make([]string, len(args))
			for i, arg := range args {
				rec, err := s.Get(ctx, arg)
				switch {
				case errors.Is(err, store.ErrAmbiguous):
					return fmt.Errorf("%q matches more than one delivery: type more of the id", arg)
				case errors.Is(err, store.ErrNotFound):
					return fmt.Errorf("no delivery with id %q in %s", arg, s.Path())
				case err != nil:
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
