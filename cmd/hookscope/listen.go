package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/capture"
	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/store/remote"
	"github.com/hookscope/hookscope/ui"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/ui/textout"
	"github.com/hookscope/hookscope/verify/analyze"
)

// listenFlags are the flags of `hookscope listen`.
type listenFlags struct {
	addr, db       string
	addrFrom       string // where addr came from when not --addr: " (from $HOOKSCOPE_ADDR)", say
	noTUI, json    bool
	reveal         bool
	maxBody        int64
	status         int
	responseBody   string
	responseHeader []string
	delay          time.Duration

	verify    verifyFlags
	retention retentionFlags

	forwardTo          string
	forwardTimeout     time.Duration
	forwardErrorStatus int
	forwardHeaders     []string
	insecure           bool
}

func newListenCmd(e *env) *cobra.Command {
	f := &listenFlags{}
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "Capture deliveries on a local listener (the default command)",
		Long: "listen records every HTTP request it receives, byte-exact, into the database,\n" +
			"and answers only after the delivery is stored. With a terminal it shows the live\n" +
			"view; with --no-tui, or when stdout is not a terminal, it prints one line per delivery.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := e.loadConfig()
			if err != nil {
				return err
			}
			// Flags win over the config file, whose values checkConfigValues
			// has checked before any command runs.
			if !cmd.Flags().Changed("max-events") && cfg.MaxEvents != 0 {
				f.retention.maxEvents = cfg.MaxEvents
			}
			if !cmd.Flags().Changed("max-age") && cfg.MaxAge != "" {
				d, err := parseAge(cfg.MaxAge)
				if err != nil {
					return e.configUsage("max_age", "%v", err) // not reached: checked
				}
				f.retention.maxAge = ageValue(d)
			}
			if !cmd.Flags().Changed("addr") {
				switch {
				case e.getenv("HOOKSCOPE_ADDR") != "":
					f.addrFrom = " (from $HOOKSCOPE_ADDR)"
				case cfg.Addr != "":
					f.addrFrom = " (from the config file's addr)"
				}
			}
			return runListen(cmd.Context(), e, f, cfg)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", e.defaultAddr(), "HOST:PORT to listen on ($HOOKSCOPE_ADDR)")
	fl.StringVar(&f.db, "db", e.defaultDB(), "database file ($HOOKSCOPE_DB)")
	fl.BoolVar(&f.noTUI, "no-tui", false, "print one line per delivery instead of the live view")
	fl.BoolVar(&f.json, "json", false, "with --no-tui: print one JSON object per delivery")
	fl.BoolVar(&f.reveal, "reveal-secrets", false, "with --no-tui: print configured secrets in paths, queries (and, with --json, header values) unmasked; the live view reveals with s")
	fl.Int64Var(&f.maxBody, "max-body", capture.DefaultMaxBody, "largest body stored whole, in bytes; larger ones get 413 and are stored truncated")
	fl.IntVar(&f.status, "status", 200, "HTTP status to answer deliveries with (200-599)")
	fl.StringVar(&f.responseBody, "response-body", `{"ok":true}`, "body to answer deliveries with")
	fl.StringArrayVar(&f.responseHeader, "response-header", nil, "extra response header K:V (repeatable)")
	fl.DurationVar(&f.delay, "delay", 0, "wait this long before answering (e.g. 2s), to test provider timeouts")
	f.verify.register(cmd)
	f.retention.register(fl)
	fl.StringVar(&f.forwardTo, "forward-to", "", "after storing, forward each delivery to this URL (the app under development; its path and query are appended) and answer with the app's response")
	fl.DurationVar(&f.forwardTimeout, "forward-timeout", 10*time.Second, "how long to wait for the app when forwarding")
	fl.IntVar(&f.forwardErrorStatus, "forward-error-status", 502, "status answered when the app is down or times out (200-599)")
	fl.StringArrayVar(&f.forwardHeaders, "forward-header", nil, "add or override a header K:V on forwarded requests (repeatable)")
	fl.BoolVar(&f.insecure, "insecure", false, "accept any TLS certificate from the --forward-to app")
	return cmd
}

// forwarder validates the forwarding flags; nil when not forwarding. The
// caller sets Recorder once the database is open.
func (f *listenFlags) forwarder() (*capture.Forwarder, error) {
	if f.forwardTo == "" {
		return nil, nil
	}
	if _, err := store.ParseTarget(f.forwardTo); err != nil {
		return nil, usagef("--forward-to: %v", err)
	}
	if f.forwardTimeout <= 0 || f.forwardTimeout > capture.MaxWait {
		return nil, usagef("--forward-timeout: accepted: more than 0 and at most %s, got %s", capture.MaxWait, f.forwardTimeout)
	}
	// A 1xx is interim: net/http would follow it with a 200, telling the
	// provider the app took a delivery it never saw.
	if f.forwardErrorStatus < 200 || f.forwardErrorStatus > 599 {
		return nil, usagef("--forward-error-status: %d is not a final HTTP status; accepted: 200 to 599", f.forwardErrorStatus)
	}
	hdr, err := parseHeaders("--forward-header", f.forwardHeaders)
	if err != nil {
		return nil, err
	}
	return &capture.Forwarder{
		Sender:      capture.NewSender(capture.SenderOptions{Timeout: f.forwardTimeout, Insecure: f.insecure}),
		Target:      capture.Target{URL: f.forwardTo, KeepPath: true, Header: hdr},
		ErrorStatus: f.forwardErrorStatus,
	}, nil
}

// policy validates the response flags.
func (f *listenFlags) policy() (capture.Policy, error) {
	// A 1xx is interim: net/http follows it with a 200 when the body is
	// written, so the provider would hear 200 while the delivery is
	// recorded as answered 1xx.
	if f.status < 200 || f.status > 599 {
		return capture.Policy{}, usagef("--status: %d is not a final HTTP status; accepted: 200 to 599", f.status)
	}
	if f.delay < 0 || f.delay > capture.MaxWait {
		return capture.Policy{}, usagef("--delay: accepted: 0 to %s, got %s", capture.MaxWait, f.delay)
	}
	// parseHeaders refuses Content-Length and Transfer-Encoding: a value
	// that does not describe the body breaks every answer (Content-Length:
	// 3 over no body cuts the sender off), while the record says it went
	// well.
	hdr, err := parseHeaders("--response-header", f.responseHeader)
	if err != nil {
		return capture.Policy{}, err
	}
	return capture.Policy{Status: f.status, Body: []byte(f.responseBody), Delay: f.delay, Header: hdr}, nil
}

func runListen(ctx context.Context, e *env, f *listenFlags, cfg *config) error {
	policy, err := f.policy()
	if err != nil {
		return err
	}
	if f.maxBody <= 0 || f.maxBody > capture.MaxMaxBody {
		return usagef("--max-body: must be a number of bytes from 1 to %d (1 GiB), got %d", capture.MaxMaxBody, f.maxBody)
	}
	// A port that is not a number from 0 to 65535 (99999, http) is a
	// bad value too.
	if _, port, err := net.SplitHostPort(f.addr); err != nil || !capture.ValidPort(port) {
		return usagef("--addr: %q%s is not HOST:PORT with a port from 0 to 65535 (e.g. 127.0.0.1:8080 or :8080)", f.addr, f.addrFrom)
	}
	fw, err := f.forwarder()
	if err != nil {
		return err
	}
	prune, err := f.retention.options()
	if err != nil {
		return err
	}
	db, err := store.Open(f.db, store.Options{LockTimeout: lockTimeout})
	if err != nil {
		if sock := store.SocketPath(f.db); isAnswering(sock) {
			return fmt.Errorf("another hookscope is already listening with %s (its API is on %s): ls, show, ui and the other commands work beside it; a second listener needs another --db", f.db, sock)
		}
		if errors.Is(err, store.ErrLocked) {
			return fmt.Errorf("%w: %s", err, lockHolderHint)
		}
		return err
	}
	defer db.Close()
	// Said once, before the live view opens: like the lines naming the
	// URL and the database, they are on the screen again when the
	// alternate screen closes.
	e.openWarnings(db.Warnings())

	logger, closeLog, err := openLog(f.db)
	if err != nil {
		return err
	}
	defer closeLog()
	for _, w := range db.Warnings() {
		logger.Warn("opening the database", "warning", w)
	}

	// The socket opens right after the database, so that other commands
	// never find the file locked with nobody answering.
	var pipe *analyze.Pipeline
	var shared listenerSettings // what the socket serves as Settings
	pipeReady := make(chan struct{})
	var listenURL atomic.Pointer[string] // set once the port is bound
	// The forward target as views show it, this one's and attached ones.
	forwardTo := ""
	if fw != nil {
		forwardTo = store.RedactURLPassword(f.forwardTo)
	}
	api, err := remote.Listen(store.SocketPath(f.db), db, remote.Hooks{ForwardTo: forwardTo, Reverify: func(ctx context.Context, id string) error {
		select {
		case <-pipeReady:
			return pipe.Analyze(ctx, id)
		case <-ctx.Done():
			return ctx.Err()
		}
	}, ListenURL: func() string {
		if u := listenURL.Load(); u != nil {
			return *u
		}
		return ""
	}, Settings: func(ctx context.Context) (any, error) {
		select {
		case <-pipeReady:
			return shared, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}})
	if err != nil {
		return err
	}
	apiCtx, apiCancel := context.WithCancel(context.Background())
	apiDone := make(chan error, 1)
	go func() { apiDone <- api.Serve(apiCtx) }()
	// Stopped last, after capture has finished, and on every early return
	// (which also removes the socket file).
	defer func() { apiCancel(); <-apiDone }()
	chk, err := f.verify.build(e, cfg, db)
	if err != nil {
		return err
	}
	pipe = chk.pipeline(db)
	pipe.Logger = logger
	shared = chk.shared
	shared.Mask = e.configuredSecrets(chk.signing.all...)
	close(pipeReady)
	if fw != nil {
		fw.Recorder = db
	}
	useTUI := !f.noTUI && isTerminal(e.stdout)
	var unavailable func(error, int)
	if !useTUI {
		// The log may be out of reach (its folder deleted): a store that
		// refuses deliveries says so where the user is looking.
		unavailable = func(err error, more int) {
			msg := "hookscope: deliveries are not being stored (answered 503): " + termsafe.Line(err.Error())
			if more > 0 {
				msg += fmt.Sprintf(" (%d more since the last report)", more)
			}
			fmt.Fprintln(e.stderr, msg)
		}
	}
	handler := capture.NewHandler(db, capture.Options{MaxBody: f.maxBody, Policy: policy, Logger: logger, Forward: fw,
		Stored: func(ev *store.Event, _ []byte) { pipe.Enqueue(ev.ID) },
		// The stand-in of Talkdesk's key endpoint: not a delivery.
		Intercept:   e.devKeys().Intercept,
		Unavailable: unavailable})
	// Before the port is bound: every delivery after this one is this run's.
	after, err := store.NewestID(ctx, db)
	if err != nil {
		return err
	}
	srv, err := capture.Listen(f.addr, handler)
	if err != nil {
		return err
	}
	if fw != nil && srv.Reaches(f.forwardTo) {
		srv.Close()
		return usagef("--forward-to: %s is this listener's own address: every delivery would be forwarded back to hookscope, for ever; give the address of the app under development",
			termsafe.Line(store.RedactURLPassword(f.forwardTo)))
	}
	listenURL.Store(new(srv.URL()))
	// In the live view these lines are on the screen before the alternate
	// screen opens and again after it closes.
	// db.Path() is the file symbolic links lead to: a name the user may
	// not have typed.
	where := ""
	if srv.AllInterfaces() {
		where = " (and on every other interface)"
	}
	fmt.Fprintf(e.stderr, "hookscope: listening on %s%s\nhookscope: database %s\n", srv.URL(), where, termsafe.Line(db.Path()))
	if fw != nil {
		// Masked like the forward records and the live view's header: the
		// URL may carry a configured secret in its path or query.
		shown := store.RedactURLPassword(f.forwardTo)
		if red := e.redactor(f.reveal, chk.signing.all...); red != nil {
			shown, _ = red.RequestTarget(shown)
		}
		fmt.Fprintf(e.stderr, "hookscope: forwarding to %s\n", termsafe.Line(shown))
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const parts = 4
	errc := make(chan error, parts)
	// The view outlives the server by the requests it finishes after
	// ctrl-c: those deliveries are stored and answered, so they are shown.
	viewCtx, stopView := context.WithCancel(context.WithoutCancel(ctx))
	defer stopView()
	// The pipeline outlives the server too: the deliveries answered last
	// are analysed before the stop (within drainBound), not left pending
	// until the next start.
	pipeCtx, stopPipe := context.WithCancel(context.WithoutCancel(ctx))
	defer stopPipe()
	go func() {
		err := srv.Serve(ctx)
		dctx, cancelDrain := context.WithTimeout(context.Background(), drainBound)
		if pipe.Drain(dctx) != nil {
			logger.Info("stopped with analyses still queued; the next start checks them", "waited", drainBound)
		}
		cancelDrain()
		stopPipe()
		stopView()
		errc <- err
	}()
	// Retention runs beside capture in bounded batches through the same
	// writer, so capture never waits for a long delete.
	go func() {
		errc <- store.PruneEvery(ctx, db, prune, 0, logPrunes(logger))
	}()
	go func() { errc <- pipe.Run(pipeCtx) }()
	// What the listener verifies with is masked too, flags included, as
	// in the live view.
	popts := textout.FollowOptions{JSON: f.json, Await: 2*time.Second + f.delay, WaitAnalysis: true, WaitForward: fw != nil, WaitAnswer: fw == nil,
		Redactor: e.redactor(f.reveal, chk.signing.all...), After: after}
	if fw != nil {
		popts.Await += f.forwardTimeout
	}
	if useTUI {
		notices, stop := db.Subscribe(1024)
		defer stop()
		opts := ui.Options{Source: newUISource(e, db, pipe.Analyze, chk.signing), Notices: notices,
			ListenURL: srv.URL(), ForwardTo: forwardTo, DBPath: db.Path(), PublicURL: capture.PublicURL(capture.NgrokAPI, srv.Addr().String()),
			Secrets: e.configuredSecrets(chk.signing.all...)}
		go func() { errc <- ui.Run(viewCtx, opts) }()
	} else {
		go func() { errc <- textout.Follow(viewCtx, e.stdout, db, popts) }()
	}

	var first error
	for i := 0; i < parts; i++ {
		if err := <-errc; err != nil && first == nil {
			first = err
			cancel()
		}
		if i == 0 {
			cancel() // one part stopping (ctrl-c or failure) stops all
		}
	}
	return first
}

// drainBound bounds a stopping listener's wait for the analyses still
// queued: a flood's backlog is left for the next start's catch-up scan
// rather than holding the stop.
const drainBound = 3 * time.Second

// isAnswering reports whether a hookscope API answers on sock.
func isAnswering(sock string) bool {
	c, err := remote.Dial(sock, dialTimeout)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// openLog opens the listener's log file beside the database: logs never go
// to the terminal, which the live view owns.
func openLog(dbPath string) (*slog.Logger, func(), error) {
	path := filepath.Join(filepath.Dir(dbPath), "hookscope.log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open log %s: %w", path, err)
	}
	return slog.New(slog.NewTextHandler(f, nil)), func() { f.Close() }, nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
