package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/capture"
	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/store/remote"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/ui/textout"
	"github.com/hookscope/hookscope/verify/asyncapi"
	"github.com/hookscope/hookscope/verify/simulate"
)

// sendTimeout bounds one delivery: a provider gives up on a slow receiver
// too (TalkifAI after 10 seconds).
const sendTimeout = 30 * time.Second

// sendFlags are the flags of `hookscope send`.
type sendFlags struct {
	specs     specFlags
	to        string
	sets      []string
	bodyFile  string
	tamper    bool
	duplicate bool
	count     int
	asJSON    bool
	list      bool
}

func newSendCmd(e *env) *cobra.Command {
	f := &sendFlags{}
	cmd := &cobra.Command{
		Use:   "send MESSAGE",
		Short: "Send a simulated, correctly signed provider delivery",
		Long: "send plays the provider: it builds a delivery for an AsyncAPI message (name, title or\n" +
			"event type: AppInstalledEvent, app.installed, contact-created, CONVERSATION_ENDED,\n" +
			"CallEvent), signs it as the provider does and posts it to the local listener or --to.\n" +
			"The body comes from the message's examples, else is synthesised from its schema.\n\n" +
			"Talkdesk Events API deliveries are signed with a dev key (hookscope keys; one is created\n" +
			"on first use) whose public half a running listener serves at /events/signature-keys/{id}.\n" +
			"TalkifAI deliveries use HOOKSCOPE_TALKIFAI_SECRET (or secrets.talkifai in the config file);\n" +
			"Dialpad deliveries become HS256 JWTs with HOOKSCOPE_DIALPAD_SECRET (or secrets.dialpad).\n\n" +
			"hookscope send --list lists the messages.",
		Example: "  hookscope send app.installed\n" +
			"  hookscope send app.installed --set data.account_id=acc-1 --to http://localhost:3000/talkdesk/events\n" +
			"  hookscope send app.installed --tamper        # the signature no longer matches\n" +
			"  hookscope send app.installed --duplicate     # same event_id as the last one\n" +
			"  hookscope send notifier --template body.json --trigger 'A call is missed'",
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runSend(cmd.Context(), e, f, args) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.to, "to", "", "target URL (default: the local listener, at a path for the message's provider)")
	fl.StringArrayVar(&f.sets, "set", nil, "override a body value: PATH=VALUE, PATH a JSON pointer (/data/account_id) or dotted path (data.account_id); VALUE is JSON when it parses, else a string (repeatable)")
	fl.StringVar(&f.bodyFile, "body", "", "send this file's bytes as the body instead of a synthesised one (still signed)")
	fl.BoolVar(&f.tamper, "tamper", false, "change one character of the body after signing, so the signature no longer matches")
	fl.BoolVar(&f.duplicate, "duplicate", false, "reuse the event id of the last delivery of this message (an at-least-once redelivery)")
	fl.IntVar(&f.count, "count", 1, "send this many deliveries, each with a new event id unless --duplicate")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON object per delivery")
	fl.BoolVar(&f.list, "list", false, "list the messages send knows and exit")
	f.specs.register(cmd)
	cmd.AddCommand(newSendNotifierCmd(e))
	return cmd
}

func runSend(ctx context.Context, e *env, f *sendFlags, args []string) error {
	if f.list {
		if len(args) > 0 {
			return usagef("--list takes no MESSAGE")
		}
	} else if len(args) != 1 {
		return usagef("MESSAGE: name exactly one message (a name, title or event type such as app.installed); hookscope send --list lists them")
	}
	if f.count < 1 {
		return usagef("--count: must be 1 or more, got %d", f.count)
	}
	if f.bodyFile != "" && len(f.sets) > 0 {
		return usagef("--set: cannot change a --body file, which is sent as is; edit the file instead")
	}
	if f.bodyFile != "" && f.duplicate {
		return usagef("--duplicate: a --body file is sent as is, with the event id it contains")
	}
	var sets []simulate.Set
	for _, s := range f.sets {
		sf, err := simulate.ParseSet(s)
		if err != nil {
			return usagef("--set: %v", err)
		}
		sets = append(sets, sf)
	}
	if f.to != "" {
		if _, err := store.ParseTarget(f.to); err != nil {
			return usagef("--to: %v", err)
		}
	}
	var fileBody []byte
	if f.bodyFile != "" {
		b, err := os.ReadFile(f.bodyFile)
		if err != nil {
			// The file named is the flag's value: a usage error, as for
			// --talkdesk-key.
			return usagef("--body: %s", termsafe.Line(err.Error()))
		}
		fileBody = b
	}

	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	reg, warns, err := f.specs.registry(e, cfg)
	if err != nil {
		return err
	}
	printWarnings(e, userWarnings(warns))
	if f.list {
		return textout.Messages(e.stdout, reg.Messages())
	}
	m, ok := reg.Message(args[0])
	if !ok {
		return unknownMessage(reg, args[0])
	}

	// Sent to the local listener, a delivery may be signed with the
	// secret that listener verifies with; to another target (--to), only
	// with one this command is given.
	var listener func() listenerSettings
	if f.to == "" {
		listener = func() listenerSettings { return e.defaultListenerSettings(ctx) }
	}
	sg, notes, err := newSigner(e, cfg, m.Provider(), time.Now(), fileBody, listener)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintf(e.stderr, "hookscope: %s\n", termsafe.Line(n))
	}
	state, err := loadSendState(e.sendStatePath())
	if err != nil {
		return err
	}
	origin := e.listenerOrigin()
	target := f.to
	if target == "" {
		target = origin + simulate.DefaultPath(m)
	}
	b := &simulate.Builder{Message: m, Origin: origin, Sets: sets, Now: time.Now, IDFields: cfg.EventIDFields}
	sender := capture.NewSender(capture.SenderOptions{Timeout: sendTimeout})
	out := newSendPrinter(e, f.asJSON)

	lastID := ""
	if f.duplicate {
		lastID = state.LastEventID[m.Name()]
	}
	for i := 0; i < f.count; i++ {
		var d *simulate.Delivery
		if fileBody != nil {
			d = b.FromBody(fileBody)
		} else if d, err = b.Build(lastID); err != nil {
			var se *simulate.SetError
			if errors.As(err, &se) {
				return usagef("--set %s: %v", se.Path, se.Err)
			}
			return err
		}
		if f.duplicate && i == 0 && fileBody == nil {
			switch {
			case d.EventID == "":
				fmt.Fprintf(e.stderr, "hookscope: --duplicate: %s bodies carry no event id, so there is none to reuse\n", termsafe.Line(m.Name()))
			case lastID == "":
				fmt.Fprintf(e.stderr, "hookscope: --duplicate: no %s sent yet; the first delivery gets a new event id\n", termsafe.Line(m.Name()))
			}
		}
		if len(d.SchemaErrors) > 0 {
			// Message names and schema errors come from spec files, which
			// may be someone else's: no escape sequence reaches the terminal.
			fmt.Fprintf(e.stderr, "hookscope: warning: after --set the body does not match %s (sent anyway): %s\n",
				termsafe.Line(m.Name()), termsafe.Line(strings.Join(d.SchemaErrors, "; ")))
		}
		if err := sg.Sign(d); err != nil {
			return err
		}
		if f.tamper {
			d.Tamper()
		}
		// d.URL is only printed (the request line, --json target): no
		// password from --to, as in the stored attempt and errors.
		d.URL = store.RedactURLPassword(target)
		ev := store.Event{Method: d.Method, Header: d.Header}
		a := sender.Send(ctx, ev, d.Body, capture.Target{URL: target})
		if err := out.print(d, a); err != nil {
			return err
		}
		if a.Status == 0 {
			return sendError(f.to == "", target, a.Error)
		}
		if d.EventID != "" {
			lastID = d.EventID
			state.LastEventID[m.Name()] = d.EventID
			if err := state.save(e.sendStatePath()); err != nil {
				return err
			}
		}
		if !f.duplicate {
			lastID = ""
		}
	}
	return nil
}

// sendError explains a delivery that got no answer.
func sendError(toListener bool, target, reason string) error {
	msg := fmt.Sprintf("send to %s failed: %s", store.RedactURLPassword(target), reason)
	if toListener && strings.Contains(reason, "connection refused") {
		msg += "\n  start a listener first (hookscope listen), or name another target with --to"
	}
	return errors.New(msg)
}

// listenerOrigin is the local listener's base URL: where the listener on the
// default database says it listens, when one runs (it may have been started
// with another --addr); else http:// and the default --addr, with a
// wildcard host (":8080", "0.0.0.0:8080") reached on loopback.
func (e *env) listenerOrigin() string {
	if sock := store.SocketPath(e.defaultDB()); isSocket(sock) {
		if c, err := remote.Dial(sock, dialTimeout); err == nil {
			u := c.ListenURL()
			c.Close()
			if u != "" {
				return wildcardToLoopback(u)
			}
		}
	}
	return wildcardToLoopback("http://" + e.defaultAddr())
}

// isSocket reports whether a unix socket is at path (one is only while a
// listener runs, or after it crashed).
func isSocket(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&os.ModeSocket != 0
}

// wildcardToLoopback turns a URL whose host is a wildcard address into one
// reached on loopback.
func wildcardToLoopback(u string) string {
	addr := strings.TrimPrefix(u, "http://")
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// unknownMessage is the usage error for a MESSAGE no spec has, naming the
// closest names.
func unknownMessage(reg *asyncapi.Registry, name string) error {
	var names []string
	for _, s := range reg.Similar(name, 5) {
		names = append(names, termsafe.Line(s))
	}
	msg := fmt.Sprintf("MESSAGE: no message called %q in the loaded specs", termsafe.Line(name))
	if len(names) > 0 {
		msg += "; did you mean " + strings.Join(names, ", ") + "?"
	}
	return usagef("%s (hookscope send --list lists them all)", msg)
}
