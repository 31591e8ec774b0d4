package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/capture"
	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/textout"
)

type replayFlags struct {
	db, to, rate     string
	keepPath, asJSON bool
	insecure, reveal bool
	headers          []string
	concurrency      int
	timeout          time.Duration
}

func newReplayCmd(e *env) *cobra.Command {
	f := &replayFlags{}
	cmd := &cobra.Command{
		Use:   "replay ID|FILTER... --to URL",
		Short: "Send stored deliveries again, to any endpoint",
		Long: "replay sends stored deliveries with their original method, body bytes and headers\n" +
			"(less hop-by-hop ones, Host and Content-Length) to --to. Signed deliveries keep a\n" +
			"valid signature. An argument that is not a delivery id is a filter, as in the live\n" +
			"view: hookscope replay 'type:app.installed sig:valid' --to http://localhost:3000/hooks\n\n" +
			"Configured secrets (the TalkifAI, Dialpad and HMAC secrets) are masked in the targets\n" +
			"and errors it prints (with --keep-path they carry each delivery's path and query),\n" +
			"unless --reveal-secrets. The requests themselves are sent as stored.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runReplay(cmd.Context(), e, f, args) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.db, "db", e.defaultDB(), "database file ($HOOKSCOPE_DB)")
	fl.StringVar(&f.to, "to", "", "target URL (required)")
	fl.BoolVar(&f.keepPath, "keep-path", false, "append each delivery's original path and query to --to")
	fl.StringArrayVar(&f.headers, "header", nil, "add or override a header K:V (repeatable)")
	fl.IntVar(&f.concurrency, "concurrency", 1, "attempts in flight at once (1 to 1000)")
	fl.StringVar(&f.rate, "rate", "", "at most N attempts per second, e.g. 5/s (default: unlimited)")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Second, "time limit of each attempt")
	fl.BoolVar(&f.insecure, "insecure", false, "accept any TLS certificate from the target")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON object per attempt")
	fl.BoolVar(&f.reveal, "reveal-secrets", false, "print configured secrets in the targets and errors of attempts unmasked")
	return cmd
}

// maxConcurrency bounds --concurrency: each attempt in flight holds a
// connection and a goroutine, and a slip of the keyboard should not ask for
// millions.
const maxConcurrency = 1000

// parseRate reads --rate: "5", "5/s", "300/m".
func parseRate(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	num, unit, _ := strings.Cut(s, "/")
	n, err := strconv.ParseFloat(num, 64)
	per := map[string]float64{"": 1, "s": 1, "m": 60, "min": 60, "h": 3600}[unit]
	if err != nil || !(n > 0 && !math.IsInf(n, 1)) || per == 0 { // NaN and Inf are not rates
		return 0, usagef("--rate: %q is not a rate; accepted: N/s, N/m or N/h with N > 0 (e.g. 5/s)", s)
	}
	return n / per, nil
}

// parseHeaders reads repeatable K:V flags.
func parseHeaders(flag string, vals []string) (store.Header, error) {
	var h store.Header
	for _, v := range vals {
		k, val, ok := strings.Cut(v, ":")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, usagef("%s: %q is not K:V (a header name, a colon, a value)", flag, v)
		}
		val = strings.TrimSpace(val)
		// net/http refuses such a header on every request it sends, so
		// each attempt (each forwarded delivery) would fail. (Spaces and
		// line breaks are among what the two checks refuse.)
		if !store.ValidHeaderName(k) {
			return nil, usagef("%s: %q is not a header name: letters, digits and !#$%%&'*+-.^_`|~ only", flag, k)
		}
		if !store.ValidHeaderValue(val) {
			return nil, usagef("%s: the value of %q holds a control character", flag, k)
		}
		// They frame the body, which hookscope sends: net/http sets them
		// from it and drops a value given here, so accepting one would
		// say it was sent. (An answer's would break every answer.)
		if strings.EqualFold(k, "Content-Length") || strings.EqualFold(k, "Transfer-Encoding") {
			return nil, usagef("%s: %s is set by hookscope, from the body it sends", flag, k)
		}
		h = append(h, store.Field{Name: k, Value: val})
	}
	return h, nil
}

func runReplay(ctx context.Context, e *env, f *replayFlags, args []string) error {
	if f.to == "" {
		return usagef("--to: required: the URL to send the deliveries to")
	}
	target, err := store.ParseTarget(f.to)
	if err != nil {
		return usagef("--to: %v", err)
	}
	if f.concurrency < 1 || f.concurrency > maxConcurrency {
		return usagef("--concurrency: %d is out of range; accepted: 1 to %d", f.concurrency, maxConcurrency)
	}
	if f.timeout <= 0 {
		return usagef("--timeout: must be positive, got %s", f.timeout)
	}
	rate, err := parseRate(f.rate)
	if err != nil {
		return err
	}
	hdr, err := parseHeaders("--header", f.headers)
	if err != nil {
		return err
	}
	s, err := e.openStore(f.db)
	if err != nil {
		return err
	}
	defer s.Close()
	ids, err := selectDeliveries(ctx, s, args)
	if err != nil {
		return err
	}
	sender := capture.NewSender(capture.SenderOptions{Timeout: f.timeout, Insecure: f.insecure})
	prog := textout.NewCountBar(e.stderr, isTerminal(e.stderr) && len(ids) > 1 && !f.asJSON, "replaying", int64(len(ids)))
	red := e.storeRedactor(ctx, s, f.reveal)
	var sum store.AttemptTally
	var storeErr error
	var cut []capture.ReplayResult // deliveries stored truncated
	notSent := 0                   // attempts net/http refused to send
	headerFix := false             // one of them --header can mend
	finished, noted := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(noted)
		select {
		case <-ctx.Done():
			// Attempts in flight run to their timeout so that what was
			// sent is recorded: say so, or the wait looks like a hang.
			lineStart := ""
			if prog.On() {
				lineStart = "\r\x1b[2K" // over the progress bar
			}
			fmt.Fprintf(e.stderr, "%shookscope: interrupted: no new attempts; waiting up to %s for those in flight to be answered and recorded (interrupt again to stop at once)\n",
				lineStart, f.timeout)
		case <-finished:
		}
	}()
	prog.Set(0) // drawn at once: the first answer may take the whole --timeout
	sender.Replay(ctx, s, ids, capture.ReplayOptions{
		Target: capture.Target{URL: f.to, KeepPath: f.keepPath, Header: hdr}, Concurrency: f.concurrency, Rate: rate,
	}, func(r capture.ReplayResult) {
		sum.Add(r.Attempt, r.Err)
		if r.NeverSent {
			notSent++
			headerFix = headerFix || r.HeaderFix
		}
		if r.Truncated {
			cut = append(cut, r)
		}
		if r.Err != nil && storeErr == nil {
			storeErr = r.Err
		}
		prog.Set(int64(sum.Sent))
		// A failed write to stdout has nowhere to be reported: the
		// replay goes on.
		if f.asJSON {
			_ = textout.ReplayedJSON(e.stdout, r.ID, r.Attempt, r.Err, red)
		} else if len(ids) == 1 || !prog.On() {
			_ = textout.Replayed(e.stdout, r.ID, r.Attempt, r.Err, red)
		}
	})
	close(finished)
	<-noted // a notice of the interrupt comes before the summary
	prog.Done()
	if !f.asJSON {
		fmt.Fprintln(e.stdout, textout.ReplaySummary(sum, len(ids)))
	}
	warnTruncated(e, cut, len(ids))
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted after %d of %d", sum.Sent, len(ids))
	}
	if storeErr != nil {
		return storeErr
	}
	// As with send: any HTTP answer, 4xx included, is a completed attempt;
	// no answer at all is a runtime error, so that a script notices a
	// target that is down. Every attempt is still stored and summarised.
	if sum.Errors > 0 {
		// Each attempt's error says what was not valid HTTP; --header
		// is named only when it mends one (a header value).
		// Masked as each attempt's line masks it: a password, and
		// configured secrets and secret fields of its query.
		shownTarget := target.Redacted()
		if red != nil { // nil with --reveal-secrets
			shownTarget, _ = red.RequestTarget(shownTarget)
		}
		hint := ""
		if headerFix {
			hint = "; --header NAME:VALUE replaces a header value"
		}
		if notSent == sum.Errors {
			return fmt.Errorf("%d of %d attempts could not be sent to %s: their method, target or a header is not valid HTTP, as each attempt's error says%s", notSent, sum.Sent, shownTarget, hint)
		}
		if notSent > 0 {
			return fmt.Errorf("%d of %d attempts got no answer from %s, %d of them not sent (their method, target or a header is not valid HTTP%s)", sum.Errors, sum.Sent, shownTarget, notSent, hint)
		}
		return fmt.Errorf("%d of %d attempts got no answer from %s", sum.Errors, sum.Sent, shownTarget)
	}
	return nil
}

// warnTruncated says on stderr that some replayed deliveries were stored
// cut, so sent cut: the app's answer to part of a body is not its answer to
// the delivery. A bulk replay says it once.
func warnTruncated(e *env, cut []capture.ReplayResult, total int) {
	switch {
	case len(cut) == 0:
	case total == 1:
		fmt.Fprintf(e.stderr, "hookscope: warning: %s was stored truncated (its body was over the listener's --max-body, or it was refused before the body arrived): the replay sent only its first %d bytes\n", cut[0].ID, cut[0].Size)
	default:
		verb := "were"
		if len(cut) == 1 {
			verb = "was"
		}
		fmt.Fprintf(e.stderr, "hookscope: warning: %d of the %d deliveries %s stored truncated (over the listener's --max-body, or refused before the body arrived), %s first: their replays sent only the bytes stored (ls shows their size with a +)\n", len(cut), total, verb, cut[0].ID)
	}
}

// selectDeliveries is store.Select, with an argument that is neither an
// id nor a filter a usage error.
func selectDeliveries(ctx context.Context, s store.Store, args []string) ([]string, error) {
	ids, err := store.Select(ctx, s, args)
	var se *store.SelectionError
	if errors.As(err, &se) {
		return nil, usagef("%v", se)
	}
	return ids, err
}
