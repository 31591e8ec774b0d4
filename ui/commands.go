package ui

import (
	"context"
	"fmt"
	"maps"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/body"
	"github.com/hookscope/hookscope/ui/curlcmd"
	"github.com/hookscope/hookscope/ui/detail"
	"github.com/hookscope/hookscope/ui/redact"
)

// bodyMsg carries a delivery's body bytes.
type bodyMsg struct {
	id  string
	b   []byte
	err error
}

// copyMsg carries text to put on the clipboard.
type copyMsg struct {
	text, what string
	masked     bool
	err        error
}

// reverifyMsg is the answer to a re-verify request.
type reverifyMsg struct {
	id  string
	err error
}

// pinMsg is the answer to a pin or unpin request.
type pinMsg struct {
	id     string
	pinned bool
	err    error
}

// setPinned pins (or unpins) delivery id in a command.
func (m Model) setPinned(id string, pinned bool) tea.Cmd {
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		return pinMsg{id: id, pinned: pinned, err: src.SetPinned(ctx, id, pinned)}
	}
}

// togglePin pins r, or unpins it when pinned, unless a pin or unpin of r
// is in flight: then it says so and waits. Other deliveries can be pinned
// meanwhile.
func (m Model) togglePin(r store.Record) (Model, tea.Cmd) {
	if want, busy := m.pinning[r.ID]; busy {
		m.setStatus(levelInfo, "Still "+pinVerb(want)+"ning "+r.ID+"…")
		return m, nil
	}
	m.pinning = withPin(m.pinning, r.ID, !r.Pinned)
	return m, m.setPinned(r.ID, !r.Pinned)
}

// handlePinned applies the answer to a pin or unpin: the row shows its new
// state at once, and the window is re-read (the Source may send no notice).
func (m Model) handlePinned(msg pinMsg) (Model, tea.Cmd) {
	m.pinning = withoutPin(m.pinning, msg.id)
	switch {
	case msg.err != nil:
		m.setSourceError(pinVerb(msg.pinned), msg.err)
		return m, nil
	case msg.pinned:
		m.setStatus(levelInfo, "Pinned "+msg.id+": pruning never removes it (p unpins)")
	default:
		m.setStatus(levelInfo, "Unpinned "+msg.id+": retention may prune it again")
	}
	m.list.SetPinned(msg.id, msg.pinned)
	cmd := m.syncDetail()
	m, c := m.attemptsChanged()
	return m, tea.Batch(cmd, c)
}

// withPin returns a copy of pinning with id's request (want) added.
func withPin(pinning map[string]bool, id string, want bool) map[string]bool {
	out := maps.Clone(pinning)
	if out == nil {
		out = make(map[string]bool, 1)
	}
	out[id] = want
	return out
}

// withoutPin returns a copy of pinning without id.
func withoutPin(pinning map[string]bool, id string) map[string]bool {
	out := maps.Clone(pinning)
	delete(out, id)
	return out
}

// pinVerb is "pin" or "unpin".
func pinVerb(pin bool) string {
	if pin {
		return "pin"
	}
	return "unpin"
}

func (m Model) readBody(id string) tea.Cmd {
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		b, err := src.Body(ctx, id)
		return bodyMsg{id: id, b: b, err: err}
	}
}

func (m Model) reverify(id string) tea.Cmd {
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		return reverifyMsg{id: id, err: src.Reverify(ctx, id)}
	}
}

// copyCurl builds the curl command of r in a command: it reads the body,
// masks secrets unless reveal, and returns a copyMsg.
func (m Model) copyCurl(r store.Record, reveal bool) tea.Cmd {
	ctx, src, red := m.ctx, m.src, m.redactor
	base := m.listenURL
	if base == "" {
		base = "http://" + r.Host
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		b, err := src.Body(ctx, r.ID)
		if err != nil {
			return copyMsg{err: err, what: "curl command"}
		}
		text, n := curlCommand(r, b, base, red, reveal)
		return copyMsg{text: text, what: "curl command", masked: n > 0}
	}
}

// CurlCommand returns the curl command replaying r (with body b) against
// base. Unless reveal, secrets are masked: credential headers, secret body
// fields and configured secrets; a gzip body is then sent decoded, since
// only decoded bytes can be masked.
func CurlCommand(r store.Record, b []byte, base string, red *redact.Redactor, reveal bool) string {
	s, _ := curlCommand(r, b, base, red, reveal)
	return s
}

// curlCommand is CurlCommand that also says how many values it masked.
func curlCommand(r store.Record, b []byte, base string, red *redact.Redactor, reveal bool) (string, int) {
	h, path, rawPath, query := r.Header, r.Path, r.RawPath, r.Query
	masked := 0
	if !reveal {
		var nh, nt, nb int
		h, nh = red.Header(h)
		path, rawPath, query, nt = red.Target(r.Event)
		dec, decoded, ok := body.ForMasking(b, r.Codings())
		if decoded || !ok {
			// Sent decoded, or (a body the masker cannot read, whose
			// compressed bytes could hide any secret) not at all.
			b, h = dec, h.Without("Content-Encoding")
		}
		if !ok {
			nb = 1
		} else {
			b, nb = red.Body(b, r.ContentType)
		}
		masked = nh + nt + nb
	}
	return curlcmd.Build(curlcmd.Request{Method: r.Method, URL: curlcmd.URL(base, path, rawPath, query), Header: h, Body: b}), masked
}

func (m Model) copyBody(r store.Record, reveal bool) tea.Cmd {
	ctx, src, red := m.ctx, m.src, m.redactor
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		b, err := src.Body(ctx, r.ID)
		if err != nil {
			return copyMsg{err: err, what: "body"}
		}
		text, n := detail.CopyBody(b, r.ContentType, r.Codings(), red, reveal)
		return copyMsg{text: string(text), what: "body", masked: n > 0}
	}
}

func (m Model) handleCopy(msg copyMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.setSourceError("copy "+msg.what, msg.err)
		return m, nil
	}
	text := fmt.Sprintf("Copied the %s (%s) to the clipboard", msg.what, body.HumanBytes(int64(len(msg.text))))
	if msg.masked {
		text += " · secrets masked, s reveals"
	}
	m.setStatus(levelInfo, text)
	return m, tea.SetClipboard(msg.text)
}
