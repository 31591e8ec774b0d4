package detail

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/body"
	"github.com/hookscope/hookscope/ui/internal/cellfit"
)

// MaxResponseBytes caps the response body shown for an attempt. Attempts
// are stored capped at the same size; the cap here holds whatever a Source
// returns.
const MaxResponseBytes = 64 << 10

// response is the open response view of one attempt on the Replays tab.
type response struct {
	seq     int
	loading bool
	err     error
	a       store.Attempt
	docs    map[bool]*body.Doc // by reveal
}

// attempts returns the Replays tab's entries: the live forward first (seq
// 0), then the replays in order.
func (m Model) attempts() []store.Attempt {
	var out []store.Attempt
	if f := m.rec.Forward; f != nil {
		a := *f
		a.Seq = 0
		out = append(out, a)
	}
	return append(out, m.rec.Replays...)
}

// SelectedAttempt returns the seq of the attempt selected on the Replays
// tab, when that tab is showing its list.
func (m Model) SelectedAttempt() (int, bool) {
	as := m.attempts()
	if m.tab != Replays || m.resp != nil || len(as) == 0 {
		return 0, false
	}
	return as[m.selectedAttempt()].Seq, true
}

// selectedAttempt is the index of the selected entry: the newest until the
// user moves the selection, so enter right after a replay shows its
// answer.
func (m Model) selectedAttempt() int {
	n := len(m.attempts())
	if m.attemptSel < 0 || m.attemptSel >= n {
		return n - 1
	}
	return m.attemptSel
}

// OpenResponse shows the response of attempt seq as loading; SetAttempt
// fills it in.
func (m *Model) OpenResponse(seq int) {
	m.resp = &response{seq: seq, loading: true}
	m.pos[Replays] = pager{}
}

// ResponseOpen reports whether the Replays tab shows a response.
func (m Model) ResponseOpen() bool { return m.resp != nil }

// CloseResponse goes back from a response to the list of attempts.
func (m *Model) CloseResponse() {
	m.resp = nil
	m.pos[Replays] = pager{}
}

// AttemptMsg carries a prepared response document back to the model.
type AttemptMsg struct {
	ID     string
	Seq    int
	Reveal bool
	Doc    *body.Doc
}

// SetAttempt gives the full attempt seq of delivery id (err when reading
// it failed) and returns the command preparing its body.
func (m *Model) SetAttempt(id string, seq int, a store.Attempt, err error) tea.Cmd {
	if !m.has || id != m.rec.ID || m.resp == nil || m.resp.seq != seq {
		return nil
	}
	m.resp.loading, m.resp.err, m.resp.a = false, err, a
	m.resp.docs = nil
	return m.prepareResponse()
}

// SetAttemptDoc stores a prepared response document.
func (m *Model) SetAttemptDoc(msg AttemptMsg) {
	if !m.has || msg.ID != m.rec.ID || m.resp == nil || m.resp.seq != msg.Seq {
		return
	}
	if m.resp.docs == nil {
		m.resp.docs = map[bool]*body.Doc{}
	}
	m.resp.docs[msg.Reveal] = msg.Doc
}

// prepareResponse returns the command building the response document for
// the current reveal mode, or nil when it exists or is not loaded.
func (m Model) prepareResponse() tea.Cmd {
	r := m.resp
	if r == nil || r.loading || r.err != nil || r.docs[m.reveal] != nil {
		return nil
	}
	id, seq, reveal, red := m.rec.ID, r.seq, m.reveal, m.redactor
	b := r.a.RespBody
	capped := len(b) > MaxResponseBytes
	if capped {
		b = b[:MaxResponseBytes]
	}
	opts := body.Options{ContentType: r.a.RespHeader.Get("Content-Type"), ContentEncoding: r.a.RespHeader.Codings()}
	return func() tea.Msg {
		d := Prepare(b, opts, red, reveal)
		if capped {
			d.Notes = append(d.Notes, "first "+body.HumanBytes(MaxResponseBytes)+" shown")
		}
		return AttemptMsg{ID: id, Seq: seq, Reveal: reveal, Doc: d}
	}
}

// replaysContent returns the Replays tab's lines: the attempts, or the
// open response.
func (m Model) replaysContent() lines {
	if m.resp != nil {
		return m.responseLines()
	}
	out, _ := m.replays()
	return staticLines(out)
}

// selectAttempt selects entry i of the Replays tab and keeps it on screen.
func (m *Model) selectAttempt(i int) {
	m.attemptSel = max(0, min(i, len(m.attempts())-1))
	out, starts := m.replays()
	src, w, h := staticLines(out), m.textWidth(), m.contentHeight()
	first, p := starts[m.attemptSel], &m.pos[Replays]
	end := len(out)
	if m.attemptSel+1 < len(starts) {
		end = starts[m.attemptSel+1]
	}
	if first < p.top {
		p.goTo(src, w, h, first)
	} else if end > p.top+h {
		p.goTo(src, w, h, end-h)
	}
}

// replays returns the list of attempts and where each starts.
func (m Model) replays() (out []string, starts []int) {
	as := m.attempts()
	if len(as) == 0 {
		return []string{m.dim("No replay attempts for this delivery. r replays it; e edits and replays it.")}, nil
	}
	sel := m.selectedAttempt()
	for i, a := range as {
		a = m.maskedAttempt(a)
		label := "#" + strconv.Itoa(a.Seq)
		if a.Seq == 0 {
			label = "app"
		}
		mark := "  "
		if i == sel {
			mark = m.styles.Selected.Render("▸") + " "
		}
		s := mark + m.styles.Label.Render(cellfit.PadRight(label, 5)) +
			a.At.In(m.loc).Format("15:04:05") + "  " +
			m.statusText(a.Status, a.DurationMS, a.Error) + "  " + m.dim("→ "+safe(a.Target))
		if a.Edited {
			s += "  " + m.styles.Note.Render("edited")
		}
		starts = append(starts, len(out))
		out = m.wrapIndent(out, s, 8)
	}
	return out, starts
}

// responseLines are the open response: a summary, the headers (secrets
// masked unless revealed) and the body document, highlighted on demand.
type responseLines struct {
	head []string
	d    *body.Doc
	hl   *body.Highlighter
}

func (r responseLines) Len() int {
	n := len(r.head)
	if r.d != nil {
		n += len(r.d.Lines)
	}
	return n
}

func (r responseLines) Line(i int) string {
	if i < len(r.head) {
		return r.head[i]
	}
	return r.hl.Line(r.d, i-len(r.head))
}

func (r responseLines) Width(i int) int {
	if i < len(r.head) {
		return ansi.StringWidth(r.head[i])
	}
	return ansi.StringWidth(r.d.Lines[i-len(r.head)])
}

func (m Model) responseLines() lines {
	r := m.resp
	label := "Response to attempt #" + strconv.Itoa(r.seq)
	if r.seq == 0 {
		label = "Response of the app to the live forward"
	}
	head := []string{m.styles.Heading.Render(label)}
	switch {
	case r.loading:
		return staticLines(append(head, m.dim("loading…")))
	case r.err != nil:
		return staticLines(append(head, m.styles.Error.Render(safe(r.err.Error()))))
	}
	a := m.maskedAttempt(r.a)
	head = m.kv(head, "Status", m.statusText(a.Status, a.DurationMS, a.Error))
	head = m.kv(head, "Target", safe(a.Target))
	head = m.kv(head, "Sent", a.At.In(m.loc).Format("2006-01-02 15:04:05.000 MST"))
	head = append(head, "", m.styles.Heading.Render("Headers"))
	if len(a.RespHeader) == 0 {
		head = append(head, m.dim("none"))
	}
	head, _ = m.headerLines(head, a.RespHeader)
	d := r.docs[m.reveal]
	title := "Body"
	if d != nil {
		parts := []string{d.Kind.String(), body.HumanBytes(int64(len(a.RespBody)))}
		title += " " + m.dim("· "+strings.Join(append(parts, d.Notes...), " · "))
	}
	head = append(head, "", m.styles.Heading.Render(title))
	if d == nil {
		return staticLines(append(head, m.dim("preparing…")))
	}
	if len(d.Lines) == 0 {
		return staticLines(append(head, m.dim("Empty body.")))
	}
	return responseLines{head: head, d: d, hl: m.hl}
}
