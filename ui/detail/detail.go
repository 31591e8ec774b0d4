// Package detail is the per-delivery view of the TUI: tabs Overview,
// Headers, Body, Signature, Schema and Replays over one store.Record.
//
// It owns what is shown and where each tab is scrolled; it does no I/O.
// Preparing a body (decoding, pretty-printing) is returned as a tea.Cmd for
// the root model to run. Secrets are masked (ui/redact) unless the root
// says the user revealed them for this delivery. All network text passes
// through ui/termsafe before it is styled.
package detail

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/body"
	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/ui/verdict"
)

// Tab is one of the detail tabs.
type Tab int

// The tabs, in order.
const (
	Overview Tab = iota
	Headers
	Body
	Signature
	Schema
	Replays
	numTabs
)

var tabNames = [numTabs]string{"Overview", "Headers", "Body", "Signature", "Schema", "Replays"}

// String is the tab's title.
func (t Tab) String() string { return tabNames[t] }

// Styles are the detail view's styles.
type Styles struct {
	Tab       lipgloss.Style
	ActiveTab lipgloss.Style
	Title     lipgloss.Style // method and path above the tabs
	Label     lipgloss.Style
	Value     lipgloss.Style
	Dim       lipgloss.Style
	Heading   lipgloss.Style
	Gutter    lipgloss.Style
	Mark      lipgloss.Style // the body line a schema error points at
	Note      lipgloss.Style
	Masked    lipgloss.Style
	HeaderKey lipgloss.Style
	Selected  lipgloss.Style // the selected schema error
	Error     lipgloss.Style
	Border    lipgloss.Style // the separator beside the list in split view
}

type docKey struct{ raw, reveal bool }

// Model is the detail view state.
type Model struct {
	styles   Styles
	verdict  verdict.Styles
	redactor *redact.Redactor
	hl       *body.Highlighter
	loc      *time.Location

	rec    store.Record
	has    bool
	tab    Tab
	width  int
	height int
	pos    [numTabs]pager

	reveal bool
	raw    bool

	bodyBytes  []byte
	bodyLoaded bool
	bodyErr    error
	docs       map[docKey]*body.Doc

	schemaSel int
	mark      int // body line marked by the selected schema error; -1 none

	attemptSel int       // the selected entry of the Replays tab; -1 the newest
	resp       *response // the response shown on the Replays tab, or nil
}

// New returns an empty detail view. redactor masks secrets; hl highlights
// bodies (nil: no colour).
func New(s Styles, v verdict.Styles, r *redact.Redactor, hl *body.Highlighter, loc *time.Location) Model {
	if loc == nil {
		loc = time.Local
	}
	if r == nil {
		r = redact.New(nil)
	}
	return Model{styles: s, verdict: v, redactor: r, hl: hl, loc: loc, mark: -1, attemptSel: -1}
}

// SetStyles replaces the styles and the body highlighter.
func (m *Model) SetStyles(s Styles, v verdict.Styles, hl *body.Highlighter) {
	m.styles, m.verdict, m.hl = s, v, hl
}

// SetSize sets the view's size in cells.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Record returns the delivery shown.
func (m Model) Record() (store.Record, bool) { return m.rec, m.has }

// Tab returns the active tab.
func (m Model) Tab() Tab { return m.tab }

// SetRecord shows r. Another delivery resets tabs, scroll and body; the same
// one is refreshed in place (a verdict arrived).
func (m *Model) SetRecord(r store.Record) {
	if !m.has || r.ID != m.rec.ID {
		tab := m.tab
		*m = Model{styles: m.styles, verdict: m.verdict, redactor: m.redactor, hl: m.hl, loc: m.loc,
			width: m.width, height: m.height, tab: tab, mark: -1, attemptSel: -1}
	}
	m.rec, m.has = r, true
	if errs := m.schemaErrors(); m.schemaSel >= len(errs) {
		m.schemaSel = max(0, len(errs)-1)
	}
}

// NeedsBody reports whether the body of the shown delivery has to be read.
func (m Model) NeedsBody() bool { return m.has && !m.bodyLoaded }

// SetBody gives the body bytes of delivery id (err when reading failed) and
// returns the command that prepares it for display.
func (m *Model) SetBody(id string, b []byte, err error) tea.Cmd {
	if !m.has || id != m.rec.ID {
		return nil
	}
	m.bodyBytes, m.bodyErr, m.bodyLoaded = b, err, true
	m.docs = nil
	return m.prepare()
}

// DocMsg carries a prepared body document back to the model.
type DocMsg struct {
	ID          string
	Raw, Reveal bool
	Doc         *body.Doc
}

// SetDoc stores a prepared document.
func (m *Model) SetDoc(msg DocMsg) {
	if !m.has || msg.ID != m.rec.ID {
		return
	}
	if m.docs == nil {
		m.docs = map[docKey]*body.Doc{}
	}
	m.docs[docKey{msg.Raw, msg.Reveal}] = msg.Doc
	m.applyMark()
}

// doc returns the document for the current mode, if prepared.
// analysis is the record's analysis as the tabs show it: with configured
// secrets masked in its text (event type, notes, schema errors), which
// quotes the body and headers, unless the user revealed this delivery.
func (m Model) analysis() *store.Analysis {
	if m.reveal || m.redactor == nil {
		return m.rec.Analysis
	}
	a, _ := m.redactor.Analysis(m.rec.Analysis)
	return a
}

func (m Model) doc() *body.Doc { return m.docs[docKey{m.raw, m.reveal}] }

// prepare returns the command that builds the current mode's document, or
// nil when it exists or the body is not loaded.
func (m Model) prepare() tea.Cmd {
	if !m.bodyLoaded || m.bodyErr != nil || m.doc() != nil {
		return nil
	}
	id, raw, reveal := m.rec.ID, m.raw, m.reveal
	b, red := m.bodyBytes, m.redactor
	opts := body.Options{ContentType: m.rec.ContentType, ContentEncoding: m.rec.Codings(), Raw: raw}
	return func() tea.Msg {
		return DocMsg{ID: id, Raw: raw, Reveal: reveal, Doc: Prepare(b, opts, red, reveal)}
	}
}

// Prepare builds the document of a body for display: secrets masked unless
// reveal, decoded and pretty-printed unless opts.Raw. It is what the
// command returned by SetBody runs.
func Prepare(b []byte, opts body.Options, r *redact.Redactor, reveal bool) *body.Doc {
	masked, decoded := 0, false
	if !reveal {
		// Secrets inside a gzip body can only be masked once decoded; a
		// body compressed otherwise (or a gzip body that does not decode)
		// could hide any secret, even in a hex dump, and is not shown, by
		// the rule show, the copies and the exports follow.
		dec, wasDecoded, ok := body.ForMasking(b, opts.ContentEncoding)
		if !ok {
			d := body.Prepare(nil, body.Options{})
			d.Kind, d.Lines, d.Size = body.Hex, []string{hiddenBody}, len(b) // compressed bytes
			d.Notes = []string{"not shown: compressed in a way hookscope cannot decode, so its secrets could not be masked (s reveals)"}
			return d
		}
		if wasDecoded {
			b, opts.ContentEncoding, decoded = dec, "", true
		}
		b, masked = r.Body(b, opts.ContentType)
	}
	d := body.Prepare(b, opts)
	if !reveal && r != nil {
		// Laying a body out decodes what masking the bytes could not see
		// (an XML character reference such as &#83;, a secret split over
		// two CDATA sections): the lines shown are masked once more.
		for i, l := range d.Lines {
			var n int
			d.Lines[i], n = r.String(l)
			masked += n
		}
	}
	if decoded {
		note := "gzip decoded"
		if opts.Raw {
			note = "gzip decoded: exact compressed bytes only with secrets revealed"
		}
		d.Notes = append([]string{note}, d.Notes...)
	}
	if masked > 0 {
		d.Notes = append(d.Notes, pluralize(masked, "secret")+" masked (s reveals)")
	}
	return d
}

// hiddenBody stands in the Body tab for a body that is not shown until
// secrets are revealed (Prepare).
const hiddenBody = "(not shown until secrets are revealed: s)"

// SetReveal says whether secrets of this delivery are shown; it returns the
// command preparing the body in the new mode if needed.
func (m *Model) SetReveal(on bool) tea.Cmd {
	m.reveal = on
	return tea.Batch(m.prepare(), m.prepareResponse())
}

// ToggleRaw switches the body between decoded and exact bytes.
func (m *Model) ToggleRaw() tea.Cmd {
	m.raw = !m.raw
	m.pos[Body] = pager{}
	if !m.raw {
		m.applyMark()
	}
	return m.prepare()
}

// Raw reports whether the body shows exact bytes.
func (m Model) Raw() bool { return m.raw }

// SetTab switches to tab t.
func (m *Model) SetTab(t Tab) { m.tab = (t + numTabs) % numTabs }

// NextTab and PrevTab cycle through the tabs.
func (m *Model) NextTab() { m.SetTab(m.tab + 1) }

// PrevTab cycles backwards.
func (m *Model) PrevTab() { m.SetTab(m.tab - 1) }

// ScrollBy scrolls the active tab n rows; on the Schema tab with errors
// and on the list of attempts it moves the selection instead.
func (m *Model) ScrollBy(n int) {
	if m.tab == Schema && len(m.schemaErrors()) > 0 {
		m.selectError(m.schemaSel + n)
		return
	}
	if m.tab == Replays && m.resp == nil && len(m.attempts()) > 0 {
		m.selectAttempt(m.selectedAttempt() + n)
		return
	}
	src, w, h := m.content()
	m.pos[m.tab].scroll(src, w, h, n)
}

// Top scrolls the active tab to its start.
func (m *Model) Top() {
	if m.tab == Schema && len(m.schemaErrors()) > 0 {
		m.selectError(0)
		return
	}
	if m.tab == Replays && m.resp == nil && len(m.attempts()) > 0 {
		m.selectAttempt(0)
		return
	}
	m.pos[m.tab] = pager{}
}

// Bottom scrolls the active tab to its end.
func (m *Model) Bottom() {
	if m.tab == Schema && len(m.schemaErrors()) > 0 {
		m.selectError(len(m.schemaErrors()) - 1)
		return
	}
	if m.tab == Replays && m.resp == nil && len(m.attempts()) > 0 {
		m.selectAttempt(len(m.attempts()) - 1)
		return
	}
	src, w, h := m.content()
	m.pos[m.tab].bottom(src, w, h)
}

// PageSize is how many rows pgup/pgdn move.
func (m Model) PageSize() int { return max(1, m.contentHeight()-1) }

// Activate acts on the selection: on the Schema tab it opens the body (or
// the headers) at the line the selected error points at.
func (m *Model) Activate() {
	if m.tab != Schema || len(m.schemaErrors()) == 0 {
		return
	}
	m.applyMark()
	p := m.schemaErrors()[m.schemaSel].Path
	if name, ok := headerPointer(p); ok {
		m.tab = Headers
		_, starts := m.headers()
		for i, f := range m.rec.Header {
			if strings.EqualFold(f.Name, name) && i < len(starts) {
				src, w, h := m.content()
				m.pos[Headers].goTo(src, w, h, starts[i])
				break
			}
		}
		return
	}
	m.tab = Body
	m.raw = false
}

func (m *Model) selectError(i int) {
	errs := m.schemaErrors()
	m.schemaSel = max(0, min(i, len(errs)-1))
	m.applyMark()
	src, w, h := m.content()
	// Keep the selected error (two rows each) on screen.
	first := m.schemaHeaderLines() + 2*m.schemaSel
	p := &m.pos[Schema]
	if first < p.top {
		p.goTo(src, w, h, first)
	} else if first+2 > p.top+h {
		p.goTo(src, w, h, first+2-h)
	}
}

// applyMark scrolls the decoded body to the line the selected schema error
// points at and marks it.
func (m *Model) applyMark() {
	errs := m.schemaErrors()
	d := m.docs[docKey{false, m.reveal}]
	if len(errs) == 0 || d == nil {
		return
	}
	e := errs[m.schemaSel]
	var line int
	var ok bool
	if e.Line > 0 {
		// A body that did not parse has no pointer to follow, only the line
		// where it breaks; it is shown as text, line for line.
		line, ok = e.Line-1, e.Line <= len(d.Lines)
	} else {
		line, ok = d.LineOf(e.Path)
	}
	if !ok {
		m.mark = -1
		return
	}
	m.mark = line
	if !m.raw {
		src, w, h := m.bodyContent(d)
		m.pos[Body].goTo(src, w, h, max(0, line-2))
	}
}

func (m Model) schemaErrors() []store.SchemaError {
	if a := m.analysis(); a != nil && a.Schema != nil {
		return a.Schema.Errors
	}
	return nil
}

// Mark returns the marked body line, or -1.
func (m Model) Mark() int { return m.mark }

// TabAt returns the tab whose title is at column x of the tab line.
func (m Model) TabAt(x int) (Tab, bool) {
	pos := 0
	for t := Tab(0); t < numTabs; t++ {
		w := lipgloss.Width(m.tabTitle(t, false))
		if x >= pos && x < pos+w {
			return t, true
		}
		pos += w
	}
	return 0, false
}

// TabLine is the row of the view holding the tab titles.
const TabLine = 1

// headerPointer reports whether a schema error points into the HTTP headers
// ("/headers/Name") and which header.
func headerPointer(p string) (string, bool) {
	name, ok := strings.CutPrefix(p, "/headers/")
	return name, ok && name != ""
}
