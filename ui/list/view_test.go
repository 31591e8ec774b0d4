package list

import (
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/internal/cellfit"
	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/ui/uitest"
	"github.com/hookscope/hookscope/ui/verdict"
)

// themeStyles are styles like the TUI's dark theme: foreground colours,
// weight and italics on the cells, a background on the selected row.
func themeStyles() (Styles, verdict.Styles) {
	c := func(hex string) lipgloss.Style { return lipgloss.NewStyle().Foreground(lipgloss.Color(hex)) }
	dim, text, accent, good, bad, warn, neutral := c("#6C6C6C"), c("#E4E4E4"), c("#B197FC"), c("#69DB7C"), c("#FF8787"), c("#FFD43B"), c("#A5B4CB")
	return Styles{
			Title: c("#9A9A9A").Bold(true), Selected: text.Background(lipgloss.Color("#3B2F63")).Bold(true),
			Inactive: text.Background(lipgloss.Color("#303030")), Dim: dim, Method: accent, Duplicate: warn,
			Empty: c("#9A9A9A"), Mark: warn.Bold(true),
		},
		verdict.Styles{Unknown: dim, Good: good, Bad: bad.Bold(true), Warn: warn, Neutral: neutral, Pending: dim.Italic(true)}
}

// benchList is a list of n mixed deliveries, every other one marked, at
// w x h, with a configured secret to mask.
func benchList(n, w, h int) Model {
	s, v := themeStyles()
	m := New(s, v, time.UTC)
	recs, _ := uitest.NewGen().Mixed(n)
	marked := map[string]bool{}
	for i, r := range recs {
		if i%2 == 0 {
			marked[r.ID] = true
		}
	}
	m.SetMarked(marked)
	m.SetMasking(redact.New([]string{"abc123"}), "")
	m.SetSize(w, h)
	m.SetRows(recs, true)
	return m
}

// BenchmarkView renders a full list at 160x50 in colour: what every
// delivery costs while the list is on screen.
func BenchmarkView(b *testing.B) {
	m := benchList(200, 160, 50)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// TestCellStylesRenderAsLipgloss checks that the cells drawn from the
// prepared sequences are exactly what lipgloss renders: the same list is
// drawn both ways, unselected rows included, at every layout width.
func TestCellStylesRenderAsLipgloss(t *testing.T) {
	for _, w := range []int{80, 120, 160} {
		m := benchList(60, w, 40)
		m.Select(3, false)
		fast := m.View()
		if !m.cells.dim.ok || !m.cells.level(verdict.Bad).ok || m.cells.dim.pre == "" {
			t.Fatal("the theme's cell styles are not prepared")
		}
		slow := m
		for _, c := range []*cellStyle{&slow.cells.plain, &slow.cells.dim, &slow.cells.method, &slow.cells.dup, &slow.cells.mark} {
			c.ok = false
		}
		for l := range slow.cells.verdict {
			slow.cells.verdict[l].ok = false
		}
		if got := slow.View(); got != fast {
			t.Fatalf("width %d: prepared cells differ from lipgloss:\n%q\n---\n%q", w, fast, got)
		}
	}
}

// TestCellStyleFallsBack checks that styles whose output is not the text
// between two fixed sequences are left to lipgloss.
func TestCellStyleFallsBack(t *testing.T) {
	for name, st := range map[string]lipgloss.Style{
		"width":     lipgloss.NewStyle().Width(12),
		"underline": lipgloss.NewStyle().Underline(true),
		"transform": lipgloss.NewStyle().Transform(strings.ToUpper),
	} {
		c := newCellStyle(st)
		if c.ok {
			t.Errorf("%s: prepared, but lipgloss does more than wrap the text", name)
		}
		if got, want := c.render("a b"), st.Render("a b"); got != want {
			t.Errorf("%s: render %q, lipgloss %q", name, got, want)
		}
	}
	if c := newCellStyle(lipgloss.NewStyle().Foreground(lipgloss.Color("#FF0000")).Bold(true)); !c.ok || c.render("x y") != c.st.Render("x y") {
		t.Error("a colour and weight style is not prepared, or renders differently")
	}
}

// TestRowsFillWidth checks that every line of the list is exactly as wide
// as the list, selected row included, and that fitting it to the width
// again changes nothing: row measures the joined cells only when the
// columns do not fill the width.
func TestRowsFillWidth(t *testing.T) {
	for _, w := range []int{30, 60, 80, 109, 110, 139, 140, 160, 250} {
		m := benchList(60, w, 40)
		m.Select(3, false)
		for i, l := range strings.Split(m.View(), "\n") {
			if got := ansi.StringWidth(l); got != w {
				t.Errorf("width %d, line %d: %d cells wide: %q", w, i, got, l)
			}
			if fit := cellfit.Fit(l, w, ""); fit != l {
				t.Errorf("width %d, line %d: fitted again it differs:\n%q\n%q", w, i, l, fit)
			}
		}
	}
}

// TestRowMasksQuerySecretFields: a secret field of the query is masked in
// the row, unless the delivery's secrets are revealed.
func TestRowMasksQuerySecretFields(t *testing.T) {
	s, v := themeStyles()
	m := New(s, v, time.UTC)
	m.SetSize(160, 5)
	m.SetRows([]store.Record{{Event: store.Event{ID: "01A", Method: "POST", Path: "/h", Query: "a=1&client_secret=QSECRET"}}}, true)
	m.SetMasking(redact.New(nil), "")
	if out := m.View(); strings.Contains(out, "QSECRET") || !strings.Contains(out, "client_secret=") {
		t.Fatalf("the query's client_secret is not masked:\n%s", out)
	}
	m.SetMasking(redact.New(nil), "01A")
	if out := m.View(); !strings.Contains(out, "QSECRET") {
		t.Fatalf("revealed, the query's client_secret is still masked:\n%s", out)
	}
}

// TestRowMasksEventType: a configured secret in the event type (the
// sender's text) is masked in the row, unless the delivery's secrets are
// revealed.
func TestRowMasksEventType(t *testing.T) {
	s, v := themeStyles()
	m := New(s, v, time.UTC)
	m.SetSize(200, 5)
	m.SetRows([]store.Record{{Event: store.Event{ID: "01A", Method: "POST", Path: "/h"},
		Analysis: &store.Analysis{Provider: "talkdesk-events", EventType: "call.tok-12345"}}}, true)
	m.SetMasking(redact.New([]string{"tok-12345"}), "")
	if out := m.View(); strings.Contains(out, "tok-12345") || !strings.Contains(out, "call.") {
		t.Fatalf("the event type is not masked:\n%s", out)
	}
	m.SetMasking(redact.New([]string{"tok-12345"}), "01A")
	if out := m.View(); !strings.Contains(out, "tok-12345") {
		t.Fatalf("revealed, the event type is still masked:\n%s", out)
	}
}
