package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/ui/termsafe"
)

// maxBarLines bounds the edit warning so the list keeps most of a small
// screen.
const maxBarLines = 4

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
		return []string{fit(" "+m.target.View(max(10, room))+" "+right, m.width)}
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
	var text []string
	text = append(text, st.Warning.Render("⚠ The edited body will not match the original signature: the target will reject it as invalid unless it is signed again."))
	switch {
	case p.checking:
		text = append(text, st.Position.Render("Checking whether hookscope can re-sign it…"))
	case p.canResign:
		text = append(text, "hookscope can re-sign it: "+termsafe.Line(p.why)+". "+st.Prompt.Render("Sign it again? y signs and sends · n sends it as edited · esc cancels"))
	default:
		text = append(text, "hookscope cannot re-sign it: "+termsafe.Line(p.why)+". "+st.Prompt.Render("enter sends it anyway · esc cancels"))
	}
	var out []string
	for _, t := range text {
		for _, l := range strings.Split(ansi.Wrap(t, w, " "), "\n") {
			out = append(out, fit(" "+l, m.width))
		}
	}
	if len(out) > maxBarLines {
		out = out[len(out)-maxBarLines:] // the choices matter most
	}
	return out
}

// bulkStatus is the status line's left part during a bulk replay: a
// progress bar, the counts, and how to stop.
func (m Model) bulkStatus() string {
	b := m.bulk
	done := b.sum.sent
	total := len(b.ids)
	bar := m.bar
	bar.SetWidth(max(10, min(30, m.width/5)))
	pct := 0.0
	if total > 0 {
		pct = float64(done) / float64(total)
	}
	verb := "Replaying"
	tail := "esc stops"
	if b.stopping {
		verb, tail = "Stopping", fmt.Sprintf("%d in flight", b.inflight)
	}
	return fmt.Sprintf("%s %s %d/%d · %s · %s", verb, bar.ViewAs(pct), done, total, b.sum, tail)
}
