package ui

import (
	"errors"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// level is the severity of a status-bar message.
type level int

const (
	levelInfo level = iota
	levelWarn
	levelError
)

// status is the message in the status bar: it replaces the position line
// until it expires. Errors reach the user this way, never on stdout.
type status struct {
	text string
	// shorter are shorter forms of text, longest first: the status line
	// shows the longest that fits rather than cutting text, for messages
	// whose end (what to do) matters.
	shorter []string
	level   level
	expires time.Time
	// filter marks the error about a filter that did not parse: applying
	// a filter again, whichever, makes it obsolete.
	filter bool
}

func (s status) active(now time.Time) bool { return s.text != "" && now.Before(s.expires) }

// fit returns the longest form of the message at most width cells wide,
// else the shortest.
func (s status) fit(width int) string {
	if ansi.StringWidth(s.text) <= width || len(s.shorter) == 0 {
		return s.text
	}
	for _, t := range s.shorter {
		if ansi.StringWidth(t) <= width {
			return t
		}
	}
	return s.shorter[len(s.shorter)-1]
}

// listenerGone is the message, longest first, when the listener an
// attached view reads through stopped (store.ErrGone). The view dials it
// again every few seconds; the advice must be seen whole, so it comes in
// shorter forms rather than cut. The view must not open the file itself:
// it would hold the database's lock and keep a restarted listener out.
var listenerGone = []string{
	"listener stopped — reconnecting; start hookscope listen again, or quit and run hookscope ui to read the file",
	"listener stopped — reconnecting; start hookscope listen, or quit and run hookscope ui",
	"listener stopped — reconnecting; start hookscope listen again",
	"listener stopped — reconnecting",
}

// setSourceError reports a failed Source call: what failed and why, or,
// when the listener the view is attached to stopped, that it did and what
// to do, whatever the call was.
func (m *Model) setSourceError(what string, err error) {
	if errors.Is(err, store.ErrGone) {
		m.setListenerGone()
		return
	}
	m.setStatus(levelError, what+": "+err.Error())
}

// setListenerGone says the listener stopped, for as long as it stays
// stopped: the view is no longer live, whatever its marker says. The
// status line shows it whenever no newer message does (statusLine), until
// a listener answers again (clearListenerGone); a message showing now is
// dropped, the stop mattering more.
func (m *Model) setListenerGone() {
	m.listenerDown = true
	m.status = status{}
}

// clearListenerGone ends setListenerGone once a listener answers again.
func (m *Model) clearListenerGone() { m.listenerDown = false }

// setStatus shows a message for StatusTTL (errors twice as long).
func (m *Model) setStatus(l level, text string) {
	ttl := StatusTTL
	if l == levelError {
		ttl *= 2
	}
	m.setStatusFor(l, text, ttl)
}

// setStatusFor shows a message for ttl. The text often carries network
// text (a target, an error quoting a header or a body), so it is made
// terminal-safe here, for every caller, and kept to one line. Configured
// secrets are masked here too, always: a replay's error quotes the target
// and the delivery's path, and revealing is for the detail view, where the
// user asks for it.
func (m *Model) setStatusFor(l level, text string, ttl time.Duration) {
	if m.redactor != nil {
		text, _ = m.redactor.String(text)
	}
	m.status = status{text: termsafe.Line(strings.TrimSpace(text)), level: l, expires: m.now().Add(ttl)}
}

// clearTransientStatus drops the message about what was done before a
// prompt opened ("Pinned …", "Copied …"), which would read as being about
// the prompt. An error stays until it expires: it may still matter.
func (m *Model) clearTransientStatus() {
	if m.status.level != levelError {
		m.status = status{}
	}
}
