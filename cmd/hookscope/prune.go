package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/store/remote"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/ui/textout"
)

func newPruneCmd(e *env) *cobra.Command {
	var db string
	var ret retentionFlags
	var dryRun, compact bool
	cmd := &cobra.Command{
		Use:   "prune [--max-events N] [--max-age D] [--dry-run] [--compact]",
		Short: "Remove old unpinned deliveries now; compact the file",
		Long: "prune removes the oldest unpinned deliveries beyond --max-events and those older\n" +
			"than --max-age, with their bodies, verdicts and replays. Pinned deliveries are\n" +
			"never removed. It works in small batches, so a running listener keeps capturing\n" +
			"(prune reaches its database through the listener).\n\n" +
			"The file does not shrink by itself: --compact rewrites it without the free space,\n" +
			"which needs the database to itself (stop the listener first).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := ret.options()
			if err != nil {
				return err
			}
			opts.DryRun = dryRun
			if !ret.enabled() && !compact {
				return usagef("prune: nothing to do: give --max-events N, --max-age D (e.g. 30d) or --compact")
			}
			if compact && dryRun {
				return usagef("--compact: cannot be combined with --dry-run")
			}
			if _, err := os.Stat(db); errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("no database at %s (pass --db)", db)
			}
			if compact && isAnswering(store.SocketPath(db)) {
				return fmt.Errorf("--compact needs %s to itself, but a running listener holds it: stop it first (prune without --compact works while it runs)", db)
			}
			if ret.enabled() {
				if err := e.prune(cmd, db, opts); err != nil {
					return err
				}
			}
			if !compact {
				return nil
			}
			res, err := store.Compact(db, lockTimeout)
			if errors.Is(err, store.ErrLocked) {
				return fmt.Errorf("--compact needs %s to itself, but another process holds it: stop it first", db)
			}
			if err != nil {
				return err
			}
			e.openWarnings(res.Warnings)
			_, err = fmt.Fprintf(e.stdout, "compacted %s: %s -> %s\n", termsafe.Line(db), textout.Size(res.Before, false), textout.Size(res.After, false))
			return err
		},
	}
	cmd.Flags().StringVar(&db, "db", e.defaultDB(), "database file ($HOOKSCOPE_DB)")
	ret.register(cmd.Flags())
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "say what would be removed, remove nothing")
	cmd.Flags().BoolVar(&compact, "compact", false, "then rewrite the file without free space (no listener may hold it)")
	return cmd
}

func (e *env) prune(cmd *cobra.Command, db string, opts store.PruneOptions) error {
	s, err := e.openStore(db)
	if err != nil {
		return err
	}
	// Closed before compacting: compaction needs the file's lock.
	defer s.Close()
	res, err := s.Prune(cmd.Context(), opts)
	if err != nil {
		return err
	}
	_, viaListener := s.(*remote.Client)
	return textout.Pruned(e.stdout, res, viaListener)
}
