package detail

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/ui/body"
	"github.com/hookscope/hookscope/ui/internal/cellfit"
	"github.com/hookscope/hookscope/ui/redact"
)

// chromeLines is the number of lines above the content: title, tabs, info.
const chromeLines = 3

func (m Model) contentHeight() int { return max(1, m.height-chromeLines) }

// textWidth is the width of the text tabs, inside a one-cell margin.
func (m Model) textWidth() int { return max(1, m.width-1) }

// content returns the active tab's lines and the size they are laid out in.
func (m Model) content() (lines, int, int) {
	h, w := m.contentHeight(), m.textWidth()
	switch m.tab {
	case Headers:
		l, _ := m.headers()
		return staticLines(l), w, h
	case Body:
		if d := m.doc(); d != nil {
			return m.bodyContent(d)
		}
		return staticLines(nil), w, h
	case Signature:
		return staticLines(m.signature()), w, h
	case Schema:
		l, _ := m.schema()
		return staticLines(l), w, h
	case Replays:
		return m.replaysContent(), w, h
	}
	return staticLines(m.overview()), w, h
}

// bodyLines are a document's lines, highlighted on demand.
type bodyLines struct {
	d *body.Doc
	m *Model
}

func (b bodyLines) Len() int { return len(b.d.Lines) }

func (b bodyLines) Line(i int) string {
	var s string
	if b.d.Headings[i] {
		s = b.m.styles.Heading.Render(b.d.Lines[i])
	} else {
		s = b.m.hl.Line(b.d, i)
	}
	return s + b.omitted(i)
}

func (b bodyLines) Width(i int) int {
	return ansi.StringWidth(b.d.Lines[i]) + ansi.StringWidth(b.omitted(i))
}

func (b bodyLines) omitted(i int) string {
	if n := b.d.Omitted[i]; n > 0 {
		return b.m.styles.Note.Render(" … " + body.HumanBytes(int64(n)) + " more on this line")
	}
	return ""
}

func (m *Model) bodyContent(d *body.Doc) (lines, int, int) {
	return bodyLines{d: d, m: m}, max(1, m.width-gutterWidth(d)), m.contentHeight()
}

func gutterWidth(d *body.Doc) int {
	return len(fmt.Sprint(len(d.Lines))) + 4 // mark, digits, space, bar, space
}

// View renders the detail view, exactly width x height cells.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if !m.has {
		out := []string{cellfit.Fit(m.styles.Dim.Render(" No delivery selected."), m.width, "")}
		for len(out) < m.height {
			out = append(out, strings.Repeat(" ", m.width))
		}
		return strings.Join(out, "\n")
	}
	out := make([]string, 0, m.height)
	out = append(out, cellfit.Fit(m.title(), m.width, ""))
	out = append(out, cellfit.Fit(m.tabBar(), m.width, ""))
	out = append(out, cellfit.Fit(m.info(), m.width, ""))
	out = append(out, m.contentRows()...)
	return strings.Join(out[:min(len(out), m.height)], "\n")
}

func (m Model) title() string {
	r := m.rec
	return m.styles.Title.Render(" " + safe(r.Method) + " " + safe(m.maskedTarget(r.Event)))
}

func (m Model) tabTitle(t Tab, active bool) string {
	name := t.String()
	switch t {
	case Schema:
		if n := len(m.schemaErrors()); n > 0 {
			name += fmt.Sprintf(" (%d)", n)
		}
	case Replays:
		n := len(m.rec.Replays)
		if m.rec.Forward != nil {
			n++
		}
		if n > 0 {
			name += fmt.Sprintf(" (%d)", n)
		}
	}
	if active {
		return m.styles.ActiveTab.Render(name)
	}
	return m.styles.Tab.Render(name)
}

func (m Model) tabBar() string {
	var b strings.Builder
	for t := Tab(0); t < numTabs; t++ {
		b.WriteString(m.tabTitle(t, t == m.tab))
	}
	return b.String()
}

// info is the line under the tabs: what the tab shows and its toggles.
func (m Model) info() string {
	var parts []string
	switch m.tab {
	case Body:
		switch {
		case !m.bodyLoaded:
			parts = append(parts, "loading body…")
		case m.bodyErr != nil:
			return " " + m.styles.Error.Render("body: "+safe(m.bodyErr.Error()))
		case m.doc() == nil:
			parts = append(parts, "preparing…")
		default:
			d := m.doc()
			parts = append(parts, d.Kind.String(), body.HumanBytes(int64(m.rec.Size)))
			parts = append(parts, d.Notes...)
			if m.raw {
				parts = append(parts, "exact bytes (x pretty)")
			} else {
				parts = append(parts, "x raw")
			}
		}
	case Headers:
		parts = append(parts, pluralize(len(m.rec.Header), "header"))
		if n := len(m.rec.Trailer); n > 0 {
			parts = append(parts, pluralize(n, "trailer"))
		}
		if n := m.maskedHeaderCount(); n > 0 && !m.reveal {
			parts = append(parts, pluralize(n, "value")+" masked (s reveals)")
		}
	case Schema:
		if len(m.schemaErrors()) > 0 {
			parts = append(parts, "enter jumps to the offending line")
		}
	case Replays:
		switch {
		case m.resp != nil:
			parts = append(parts, "esc back to the attempts")
		case len(m.attempts()) > 0:
			parts = append(parts, "↑/↓ select · enter shows the response")
		}
	}
	if m.reveal {
		parts = append(parts, m.styles.Masked.Render("secrets revealed (s hides)"))
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + m.styles.Note.Render(strings.Join(parts, " · "))
}

func (m Model) contentRows() []string {
	h := m.contentHeight()
	if m.tab == Body {
		d := m.doc()
		if d == nil || len(d.Lines) == 0 {
			msg := ""
			if d != nil {
				msg = m.styles.Dim.Render(" Empty body.")
			}
			rows := []string{cellfit.Fit(msg, m.width, "")}
			for len(rows) < h {
				rows = append(rows, strings.Repeat(" ", m.width))
			}
			return rows
		}
		src, w, _ := m.bodyContent(d)
		rows, index, cont := m.pos[Body].render(src, w, h)
		gw := gutterWidth(d)
		for i := range rows {
			var g string
			switch {
			case index[i] < 0:
				g = strings.Repeat(" ", gw)
			case cont[i]:
				g = m.styles.Gutter.Render(strings.Repeat(" ", gw-2) + "│ ")
			case index[i] == m.mark && !m.raw:
				g = m.styles.Mark.Render(fmt.Sprintf("▶%*d", gw-4, index[i]+1)) + m.styles.Gutter.Render(" │ ")
			default:
				g = m.styles.Gutter.Render(fmt.Sprintf(" %*d │ ", gw-4, index[i]+1))
			}
			rows[i] = g + rows[i]
		}
		return rows
	}
	src, w, _ := m.content()
	rows, _, _ := m.pos[m.tab].render(src, w, h)
	for i := range rows {
		rows[i] = " " + rows[i]
	}
	return rows
}

// CopyBody returns body bytes for the clipboard: gzip decoded, secrets
// masked unless reveal. masked is how many values were masked, so that the
// caller says so only when something was.
func CopyBody(b []byte, contentType, contentEncoding string, r *redact.Redactor, reveal bool) (out []byte, masked int) {
	if reveal {
		if body.IsGzip(b, contentEncoding) {
			if dec, err := body.Gunzip(b); err == nil {
				return dec, 0
			}
		}
		return b, 0
	}
	// A body the masker cannot read is not copied: its compressed bytes
	// could hide any secret. It counts as one masked value.
	b, _, ok := body.ForMasking(b, contentEncoding)
	if !ok {
		return nil, 1
	}
	return r.Body(b, contentType)
}
