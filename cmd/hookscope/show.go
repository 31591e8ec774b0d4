package main

import (
	"bytes"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/ui/textout"
)

func newShowCmd(e *env) *cobra.Command {
	var db string
	var asJSON, raw, bodyOnly, reveal bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one delivery (any unique prefix of its id)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 0
			for _, b := range []bool{asJSON, raw, bodyOnly} {
				if b {
					n++
				}
			}
			if n > 1 {
				return usagef("--json, --raw and --body are alternatives: pass one")
			}
			if err := checkIDs(args); err != nil {
				return err
			}
			s, err := openStore(db)
			if err != nil {
				return err
			}
			defer s.Close()
			ctx := cmd.Context()
			rec, err := getDelivery(ctx, s, args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return printOne(e.stdout, rec, true)
			}
			body, err := s.Body(ctx, rec.ID)
			if err != nil {
				return err
			}
			switch {
			case bodyOnly:
				return e.writeExact(body)
			case raw:
				var req bytes.Buffer
				if err := textout.Raw(&req, rec, body); err != nil {
					return err
				}
				return e.writeExact(req.Bytes())
			}
			opts := textout.ShowOptions{}
			if !reveal {
				opts.Redactor = redact.New(e.configuredSecrets())
			}
			return textout.Show(e.stdout, rec, body, opts)
		},
	}
	cmd.Flags().StringVar(&db, "db", e.defaultDB(), "database file ($HOOKSCOPE_DB)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "the delivery as one JSON object")
	cmd.Flags().BoolVar(&raw, "raw", false, "the request as HTTP/1.1 text, exact bytes")
	cmd.Flags().BoolVar(&bodyOnly, "body", false, "the stored body bytes and nothing else")
	cmd.Flags().BoolVar(&reveal, "reveal-secrets", false, "show secret fields and headers unmasked")
	return cmd
}

// writeExact writes network bytes as they are to a pipe or file. On a
// terminal, escape sequences in them would be obeyed, so there they are
// made visible and the user is told how to get the exact bytes.
func (e *env) writeExact(b []byte) error {
	if isTerminal(e.stdout) && !termsafe.IsSafe(string(b)) {
		fmt.Fprintln(e.stderr, "hookscope: control characters are shown visibly on a terminal; redirect to a file for the exact bytes")
		_, err := fmt.Fprint(e.stdout, termsafe.Text(string(b)))
		return err
	}
	_, err := e.stdout.Write(b)
	return err
}

// configuredSecrets lists the secrets from the environment and the config
// file, so that they are masked wherever they appear in a delivery.
func (e *env) configuredSecrets() []string {
	cfg, err := e.loadConfig()
	if err != nil {
		cfg = &config{}
	}
	out := []string{e.getenv("HOOKSCOPE_TALKIFAI_SECRET"), e.getenv("HOOKSCOPE_DIALPAD_SECRET"), cfg.Secrets.TalkifAI, cfg.Secrets.Dialpad}
	for _, s := range cfg.Secrets.HMAC {
		out = append(out, s)
	}
	var nonEmpty []string
	for _, s := range out {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	return nonEmpty
}
