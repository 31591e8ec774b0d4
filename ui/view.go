package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/ui/internal/cellfit"
)

// View renders the whole screen: header, list and/or detail, status line
// and help. The program runs in the alternate screen with cell-motion
// mouse reporting.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "hookscope"
	return v
}

func (m Model) render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	s := m.layout()
	parts := make([]string, 0, 4)
	parts = append(parts, m.header.View())
	parts = append(parts, m.mainView(s))
	parts = append(parts, s.barLines...)
	parts = append(parts, m.statusLine())
	if m.showHelp {
		for i, l := range s.fullHelpLines {
			s.fullHelpLines[i] = cellfit.Fit(" "+l, m.width, "…")
		}
		parts = append(parts, strings.Join(s.fullHelpLines, "\n"))
	} else {
		m.help.ShowAll = false
		parts = append(parts, cellfit.Fit(" "+m.help.View(m.helpKeys()), m.width, "…"))
	}
	out := strings.Join(parts, "\n")
	// Never draw more lines than the terminal has.
	if lines := strings.Split(out, "\n"); len(lines) > m.height {
		out = strings.Join(lines[:m.height], "\n")
	}
	return out
}

func (m Model) mainView(s screen) string {
	switch {
	case s.split:
		// Both are exactly the size resize gave them, styles ended on
		// each line: they are joined as they are, not measured again.
		left := strings.Split(m.list.View(), "\n")
		right := strings.Split(m.detail.View(), "\n")
		sep := " " + m.styles.Detail.Border.Render("│")
		for i := range min(len(left), len(right)) {
			left[i] += sep + right[i]
		}
		return strings.Join(left, "\n")
	case m.detailOpen:
		return m.detail.View()
	default:
		return m.list.View()
	}
}

// statusLine is the line above the help: the filter prompt while editing,
// else a message, else where the cursor is and whether the list follows.
func (m Model) statusLine() string {
	st := m.styles.Status
	if m.focus == focusFilter {
		return cellfit.Fit(" "+m.input.View(m.width-2), m.width, "…")
	}
	var right string
	switch {
	case m.list.Following():
		right = st.Following.Render("● live")
	case m.newAbove > 0:
		right = st.Paused.Render(fmt.Sprintf("‖ paused · ▲ %d new · g jumps to newest", m.newAbove))
	default:
		right = st.Paused.Render("‖ paused · g follows")
	}
	room := m.width - ansi.StringWidth(right) - 2
	var left string
	if m.bulk.active {
		left = m.bulkStatus()
	} else if now := m.now(); m.status.active(now) {
		ls := st.Info
		switch m.status.level {
		case levelWarn:
			ls = st.Warn
		case levelError:
			ls = st.Error
		}
		left = ls.Render(m.status.fit(room - 1))
	} else if m.listenerDown {
		// The listener is gone (setListenerGone): said whenever no newer
		// message shows, in the longest form that fits.
		gone := status{text: listenerGone[0], shorter: listenerGone[1:]}
		left = st.Error.Render(gone.fit(room - 1))
	} else if rows := m.list.Rows(); len(rows) > 0 {
		pos := fmt.Sprintf("%d/%d loaded", m.list.Cursor()+1, len(rows))
		if n := len(m.marks); n > 0 {
			pos += fmt.Sprintf(" · %d marked (R replays, esc unmarks)", n)
		}
		left = st.Position.Render(pos)
	}
	left = cellfit.Fit(" "+left, max(0, room), "…")
	return cellfit.Fit(left+" "+right, m.width, "…")
}
