package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/ui/textout"
	"github.com/hookscope/hookscope/verify"
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
			s, err := e.openStore(db)
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
				return textout.Delivery(e.stdout, rec, true, e.storeRedactor(ctx, s, reveal))
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
			// Asked only now: --body and --raw never mask.
			return textout.Show(e.stdout, rec, body, textout.ShowOptions{Redactor: e.storeRedactor(ctx, s, reveal)})
		},
	}
	cmd.Flags().StringVar(&db, "db", e.defaultDB(), "database file ($HOOKSCOPE_DB)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "the delivery as one JSON object")
	cmd.Flags().BoolVar(&raw, "raw", false, "the request as HTTP/1.1 text, exact bytes (never masked: --reveal-secrets is not needed)")
	cmd.Flags().BoolVar(&bodyOnly, "body", false, "the stored body bytes and nothing else (never masked)")
	cmd.Flags().BoolVar(&reveal, "reveal-secrets", false, "show secret fields, headers and configured secrets unmasked (with --json: configured secrets in the path, query and header values)")
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

// redactor is the masking of what is shown or exported unless the user
// asks to reveal secrets: ui/redact's rules with the configured secrets and
// extra ones (a listener's --talkifai-secret and the like). nil with
// reveal, which is how --reveal-secrets shows everything as stored.
func (e *env) redactor(reveal bool, extra ...string) *redact.Redactor {
	if reveal {
		return nil
	}
	return redact.New(e.configuredSecrets(extra...))
}

// storeRedactor is redactor for output read from s: when s is a running
// listener's database, what that listener masks is masked too (a secret
// it was given in its own environment, say), so that a second terminal
// does not print it.
func (e *env) storeRedactor(ctx context.Context, s store.Store, reveal bool) *redact.Redactor {
	if reveal {
		return nil
	}
	return e.redactor(false, e.listenerMask(ctx, s)...)
}

// configuredSecrets lists extra (a listener's flag secrets) and the secrets
// from the environment and the config file, the non-empty ones, in a new
// slice, so that they are masked wherever they appear in a delivery: the
// TalkifAI and Dialpad secrets, and the HMAC secrets of the config file's
// routes, from the file or from HOOKSCOPE_<NAME>_SECRET. Every
// HOOKSCOPE_<NAME>_SECRET in the environment counts, not only those of the
// file's routes: a route given as listen --hmac is unknown to ls, show,
// export and ui, which must mask its secret all the same.
func (e *env) configuredSecrets(extra ...string) []string {
	cfg, err := e.loadConfig()
	if err != nil {
		cfg = &config{}
	}
	out := slices.Concat(extra, []string{cfg.Secrets.TalkifAI, cfg.Secrets.Dialpad}, slices.Collect(maps.Values(cfg.Secrets.HMAC)), e.secretEnvs(cfg))
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

// secretEnvs are the values of every HOOKSCOPE_<NAME>_SECRET in the
// environment (HOOKSCOPE_TALKIFAI_SECRET and HOOKSCOPE_DIALPAD_SECRET
// included). An env whose environment is faked through getenv alone (tests)
// has those of the two providers and of the config file's routes read.
func (e *env) secretEnvs(cfg *config) []string {
	var out []string
	if e.environ != nil {
		for _, kv := range e.environ() {
			if k, v, ok := strings.Cut(kv, "="); ok && verify.IsSecretEnv(k) {
				out = append(out, v)
			}
		}
		return out
	}
	out = append(out, e.getenv(verify.EnvTalkifAISecret), e.getenv(verify.EnvDialpadSecret))
	for _, h := range cfg.HMAC {
		if hr, err := verify.ParseHMAC(h); err == nil {
			out = append(out, e.getenv(hr.SecretEnv()))
		}
	}
	return out
}
