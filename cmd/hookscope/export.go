package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/export"
	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/ui/textout"
)

func newExportCmd(e *env) *cobra.Command {
	var db, format, out string
	var reveal bool
	cmd := &cobra.Command{
		Use:   "export [FILTER]",
		Short: "Write stored deliveries to a HAR, JSONL or curl file, oldest first",
		Long: "export writes the deliveries matching FILTER (all by default), oldest first.\n\n" +
			"Formats:\n" +
			"  jsonl  (default) the `show --json` object per line plus the body (body, or\n" +
			"         body_base64 when not UTF-8) and raw_headers (names in their original\n" +
			"         case and order): `hookscope import` restores it exactly. Use it for backups.\n" +
			"  har    HAR 1.2, for a browser's network panel, Insomnia or Charles; verdicts\n" +
			"         are under _hookscope, request trailers under _trailers. It can be\n" +
			"         imported too.\n" +
			"  curl   a sh script, one curl command per delivery sending the exact body\n" +
			"         (not request trailers: a comment says when there were some);\n" +
			"         set HOOKSCOPE_TARGET=http://localhost:3000 to send them to your app.\n\n" +
			"Secrets (Authorization headers, client_secret, private_key, configured secrets)\n" +
			"are masked unless --reveal-secrets: a masked file does not round-trip exactly.",
		Args: oneFilterArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := export.ParseFormat(format)
			if err != nil {
				return usagef("--format: accepted values are har, jsonl, curl (got %q)", format)
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
			ctx := cmd.Context()

			onTerminal := isTerminal(e.stderr)
			var total int64
			if onTerminal {
				// The total costs a pass over the matches: only worth it
				// when someone watches the bar.
				if _, matched, err := s.Count(ctx, filter); err == nil {
					total = int64(matched)
				}
			}
			bar := textout.NewCountBar(e.stderr, onTerminal, "exporting", total)
			opts := export.Options{Format: f, Filter: filter, Masker: e.exportMasker(ctx, s, reveal), Version: buildVersion(),
				Progress: func(n int) { bar.Set(int64(n)) }}

			dest, commit, abort, err := e.exportDest(out, f)
			if err != nil {
				return err
			}
			res, err := export.Export(ctx, dest, s, opts)
			bar.Done()
			if err != nil {
				abort()
				return err
			}
			if err := commit(); err != nil {
				return err
			}
			where := "stdout"
			if out != "" && out != "-" {
				where = out
			}
			noun := "deliveries"
			if res.Written == 1 {
				noun = "delivery"
			}
			fmt.Fprintf(e.stderr, "hookscope: exported %d %s to %s (%s%s%s)\n", res.Written, noun, termsafe.Line(where), f, maskNote(opts.Masker, res.Masked), withheldNote(res.Withheld))
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", e.defaultDB(), "database file ($HOOKSCOPE_DB)")
	cmd.Flags().StringVar(&format, "format", string(export.JSONL), "har, jsonl or curl")
	cmd.Flags().StringVar(&out, "out", "", "write to FILE instead of stdout (created 0600, 0700 for curl; replaced only when the export succeeds)")
	cmd.Flags().BoolVar(&reveal, "reveal-secrets", false, "export secret headers and fields unmasked")
	return cmd
}

// maskNote says what masking did to an export. A masked delivery is no
// longer the bytes received: its signature fails after import, and a user
// who exported to debug a signature must not learn that by surprise.
func maskNote(m export.Masker, masked int) string {
	switch {
	case m == nil:
		return ""
	case masked == 0:
		return ", no secrets found to mask"
	}
	what := "they are"
	if masked == 1 {
		what = "it is"
	}
	// Not "a signed one fails": masking an Authorization header or a
	// forwarded answer leaves the signed body as received, and a curl
	// export is never imported.
	return fmt.Sprintf(", secrets masked in %d: %s no longer the bytes received, so a signature over a "+
		"masked part fails verification; --reveal-secrets exports them exactly", masked, what)
}

// withheldNote says how many bodies masking left out, "" when none.
func withheldNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; the body (or an app's answer) of %d left out: compressed in a way hookscope cannot decode, it could hide a secret", n)
}

// exportMasker is the Masker an export applies: nil (everything as stored)
// with --reveal-secrets.
func (e *env) exportMasker(ctx context.Context, s store.Store, reveal bool) export.Masker {
	red := e.storeRedactor(ctx, s, reveal)
	if red == nil {
		return nil
	}
	return redactMasker{red}
}

// redactMasker applies the live view's and show's masking rules
// (ui/redact: client_secret, private_key, Authorization, configured
// secrets) to exports.
type redactMasker struct{ r *redact.Redactor }

func (m redactMasker) Header(name, value string) string {
	h, _ := m.r.Header(store.Header{{Name: name, Value: value}})
	return h[0].Value
}

func (m redactMasker) Body(contentType string, b []byte) []byte {
	out, _ := m.r.Body(b, contentType)
	return out
}

// exportDest returns where an export writes. A file is written under a
// temporary name and renamed on commit, so a failed export never leaves a
// half file where a good one was; it is 0600 because deliveries hold
// secrets (0700 for a curl script, which is meant to be run). On stdout,
// JSON formats have termsafe's unsafe runes written as \u escapes (the same
// JSON values, so the output still imports exactly) and a curl script on a
// terminal has its control characters made visible: payload text is shown,
// never obeyed.
func (e *env) exportDest(out string, f export.Format) (w io.Writer, commit func() error, abort func(), err error) {
	// The names of standard output are standard output: opened again by
	// name, a file the shell appends to (>>) would be written from its
	// start, or, resolved to that file, replaced.
	if out == "/dev/stdout" || out == "/dev/fd/1" || out == "/proc/self/fd/1" {
		out = "-"
	}
	if out == "" || out == "-" {
		var lw *termsafe.LineWriter
		switch {
		case f != export.Curl:
			lw = termsafe.NewJSONWriter(e.stdout)
		case isTerminal(e.stdout):
			lw = termsafe.NewTextWriter(e.stdout)
		default:
			return e.stdout, func() error { return nil }, func() {}, nil
		}
		return lw, lw.Flush, func() { lw.Flush() }, nil
	}
	// Checked first, and named as the user wrote it: the temporary file's
	// name means nothing to them, and a folder would only fail at the
	// final rename, after the whole export.
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return nil, nil, nil, usagef("--out: %s is a folder; name the file to write", termsafe.Line(out))
	}
	shown := out
	// A device, pipe or socket (--out /dev/stdout, a FIFO a reader waits
	// on) is written in place, as a shell redirection would: renaming a
	// file over it would replace the node itself, /dev/null included. It
	// is opened by the name given: the kernel follows the links, magic
	// ones such as /dev/stdout -> /proc/self/fd/1 -> pipe:[N] included.
	if fi, err := os.Stat(out); err == nil && !fi.Mode().IsRegular() {
		dst, err := os.OpenFile(out, os.O_WRONLY, 0)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("export: cannot write %s: %w", termsafe.Line(shown), bareErr(err))
		}
		commit = func() error {
			if err := dst.Close(); err != nil {
				return fmt.Errorf("export: write %s: %w", termsafe.Line(shown), bareErr(err))
			}
			return nil
		}
		return dst, commit, func() { dst.Close() }, nil
	}
	// A symbolic link stays a link: the file it leads to is written, as
	// for --db (store.RealPath resolves folders and links as the kernel
	// does). Renaming over the link would replace it with a file.
	out = store.RealPath(out)
	if fi, err := os.Stat(filepath.Dir(out)); err != nil || !fi.IsDir() {
		return nil, nil, nil, fmt.Errorf("export: cannot write %s: its folder %s does not exist", termsafe.Line(shown), termsafe.Line(filepath.Dir(out)))
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("export: cannot write %s: %w", termsafe.Line(shown), bareErr(err))
	}
	mode := os.FileMode(0o600)
	if f == export.Curl {
		mode = 0o700
	}
	commit = func() error {
		if err := tmp.Chmod(mode); err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return fmt.Errorf("export: %w", err)
		}
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return fmt.Errorf("export: write %s: %w", termsafe.Line(shown), err)
		}
		if err := tmp.Close(); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("export: write %s: %w", termsafe.Line(shown), err)
		}
		if err := os.Rename(tmp.Name(), out); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("export: cannot write %s: %w", termsafe.Line(shown), bareErr(err))
		}
		return nil
	}
	abort = func() { tmp.Close(); os.Remove(tmp.Name()) }
	return tmp, commit, abort, nil
}

// bareErr is err without the file names os puts in it (a temporary
// file's), for a message that names the user's own path instead.
func bareErr(err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		var pe *os.PathError
		var le *os.LinkError
		if errors.As(err, &pe) || errors.As(err, &le) {
			return inner
		}
	}
	return err
}

// buildVersion is the module version the binary was built from, for HAR's
// creator field.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
