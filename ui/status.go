package ui

import (
	"strings"
	"time"

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
	text    string
	level   level
	expires time.Time
	// filter marks the error about a filter that did not parse: applying
	// a filter again, whichever, makes it obsolete.
	filter bool
}

func (s status) active(now time.Time) bool { return s.text != "" && now.Before(s.expires) }

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
