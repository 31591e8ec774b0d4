package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/ui/internal/cellfit"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// maxBarLines bounds the edit warning so the list keeps most of a small
// screen.
const maxBarLines = 5

// promptBar returns the lines shown above the status line: the replay
// target prompt, or the warning before an edited copy is sent; none
// otherwise.
func (m Model) promptBar() []string {
	switch m.focus {
	case focusPrompt:
		right := ""
		if n := len(m.recent); n > 0 && m.prompt.recent >= 0 {
			right = m.styles.Status.Position.Render(fmt.Sprintf("recent %d/%d", m.prompt.recent+1, n))
		}
		room := m.width - 2 - ansi.StringWidth(right)
		if right != "" {
			room--
		}
		return []string{cellfit.Fit(" "+m.target.View(max(10, room))+" "+right, m.width, "…")}
	case focusConfirm:
		return m.warningLines()
	}
	return nil
}

// warningLines say that the edited copy will not match the original
// signature and whether hookscope can sign it again.
func (m Model) warningLines() []string {
	st := m.styles.Status
	p := m.prompt
	w := max(20, m.width-2)
	// The choices are on the help line below.
	var text []string
	text = append(text, st.Warning.Render("⚠ The original signature will not match the edited body: the target will find it invalid."))
	switch {
	case p.checking:
		text = append(text, st.Position.Render("Checking whether hookscope can sign it again…"))
	case p.canResign:
		text = append(text, "It can be signed again: "+termsafe.Line(p.why)+". "+st.Prompt.Render("Sign it again?"))
	default:
		text = append(text, "It cannot be signed again: "+termsafe.Line(p.why)+". "+st.Prompt.Render("Send it anyway?"))
	}
	var out []string
	for _, t := range text {
		for _, l := range strings.Split(ansi.Wrap(t, w, " "), "\n") {
			out = append(out, cellfit.Fit(" "+l, m.width, "…"))
		}
	}
	if len(out) > maxBarLines {
		out = out[:maxBarLines]
	}
	return out
}

// bulkStatus is the status line's left part during a bulk replay: a
// progress bar, the counts, and how to stop.
func (m Model) bulkStatus() string {
	b := m.bulk
	done := b.sum.Sent
	total := len(b.ids)
	bar := m.bar
	bar.SetWidth(max(8, min(30, m.width/8)))
	pct := 0.0
	if total > 0 {
		pct = float64(done) / float64(total)
	}
	// How to stop is on the help line.
	s := fmt.Sprintf("Replaying %s %d/%d · %s", bar.ViewAs(pct), done, total, b.sum)
	if b.stopping {
		s = fmt.Sprintf("Stopping %s %d/%d · %d in flight · %s", bar.ViewAs(pct), done, total, b.inflight, b.sum)
	}
	return s
}
