package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/capture"
	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/store/remote"
	"github.com/hookscope/hookscope/ui"
)

// uiSource adapts a store to the TUI's Source: reads from the store,
// re-verification from whoever can verify (the listener's pipeline, the
// running listener over its socket, or a local checker), replays from a
// uiReplayer (tui_replay.go).
type uiSource struct {
	store.Store
	reverify func(ctx context.Context, id string) error
	*uiReplayer
}

func (s uiSource) Reverify(ctx context.Context, id string) error { return s.reverify(ctx, id) }

func newUICmd(e *env) *cobra.Command {
	var db string
	vf := &verifyFlags{}
	cmd := &cobra.Command{
		Use:   "ui",
		Short: "Browse the database in the live view without listening",
		Long: "ui opens the live view on a database. When a listener holds it, the view attaches\n" +
			"to the running instance and updates as deliveries arrive.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !isTerminal(e.stdout) {
				return fmt.Errorf("ui needs a terminal: stdout is not one (use hookscope ls or show)")
			}
			cfg, err := e.loadConfig()
			if err != nil {
				return err
			}
			s, err := e.openStore(db)
			if err != nil {
				return err
			}
			defer s.Close()
			// Attached to a listener, an edited replay signs with its
			// secrets when this process is not given them, and the view
			// masks what the listener masks.
			vf.adopt(cmd.Context(), e, s)
			var src uiSource
			var signing signingSecrets
			opts := ui.Options{DBPath: s.Path()}
			if c, ok := s.(*remote.Client); ok {
				// Attached to a listener: its header shows where that
				// listener captures and forwards, asking again while it
				// has not bound its port and after it restarts, and its
				// tunnel when ngrok has one.
				opts.ListenURL, opts.ForwardTo = c.ListenURL(), c.ForwardTo()
				opts.Listener = func(ctx context.Context) (ui.ListenerInfo, error) {
					u, fwd, err := c.Ping(ctx)
					return ui.ListenerInfo{URL: u, ForwardTo: fwd}, err
				}
				opts.PublicURL = func(ctx context.Context) (string, error) {
					u := c.ListenURL()
					if u == "" {
						return "", errors.New("not listening yet")
					}
					return capture.PublicURL(capture.NgrokAPI, strings.TrimPrefix(u, "http://"))(ctx)
				}
				// The running listener verifies; replays of edited
				// deliveries still sign with what this process is told.
				if signing, err = vf.signingSecrets(e, cfg); err != nil {
					return err
				}
				src = newUISource(e, s, c.Reverify, signing)
			} else {
				chk, err := vf.build(e, cfg, s)
				if err != nil {
					return err
				}
				signing = chk.signing
				src = newUISource(e, s, chk.pipeline(s).Analyze, signing)
			}
			notices, cancel := s.Subscribe(1024)
			defer cancel()
			opts.Source, opts.Notices, opts.Secrets = src, notices, e.configuredSecrets(slices.Concat(signing.all, vf.fromListener().Mask)...)
			return ui.Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&db, "db", e.defaultDB(), "database file ($HOOKSCOPE_DB)")
	vf.register(cmd)
	return cmd
}
