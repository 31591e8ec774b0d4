// Package input is the one-line text field of the filter prompt: typing,
// pasting, cursor movement and the usual readline deletions. It exists so
// the TUI needs no clipboard dependency (bubbles/textinput pulls one in); it
// does no I/O and draws its own cursor.
package input

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/ui/termsafe"
)

// Styles are the field's styles.
type Styles struct {
	Prompt, Text, Placeholder, Cursor lipgloss.Style
}

// Model is a one-line text field.
type Model struct {
	Prompt      string
	Placeholder string
	styles      Styles
	value       []rune
	pos         int
}

// New returns an empty field.
func New(prompt string, s Styles) Model { return Model{Prompt: prompt, styles: s} }

// SetStyles replaces the styles.
func (m *Model) SetStyles(s Styles) { m.styles = s }

// Value returns the text.
func (m Model) Value() string { return string(m.value) }

// SetValue replaces the text and puts the cursor at its end.
func (m *Model) SetValue(s string) {
	m.value = []rune(s)
	m.pos = len(m.value)
}

// Update edits the field with a key press or a paste and reports whether
// the message was used.
func (m *Model) Update(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		m.insert(strings.ReplaceAll(msg.Content, "\n", " "))
		return true
	case tea.KeyPressMsg:
		switch msg.String() {
		case "backspace", "ctrl+h":
			if m.pos > 0 {
				m.value = append(m.value[:m.pos-1], m.value[m.pos:]...)
				m.pos--
			}
		case "delete", "ctrl+d":
			if m.pos < len(m.value) {
				m.value = append(m.value[:m.pos], m.value[m.pos+1:]...)
			}
		case "left", "ctrl+b":
			m.pos = max(0, m.pos-1)
		case "right", "ctrl+f":
			m.pos = min(len(m.value), m.pos+1)
		case "home", "ctrl+a":
			m.pos = 0
		case "end", "ctrl+e":
			m.pos = len(m.value)
		case "ctrl+u":
			m.value = m.value[m.pos:]
			m.pos = 0
		case "ctrl+k":
			m.value = m.value[:m.pos]
		case "ctrl+w", "alt+backspace":
			i := m.pos
			for i > 0 && unicode.IsSpace(m.value[i-1]) {
				i--
			}
			for i > 0 && !unicode.IsSpace(m.value[i-1]) {
				i--
			}
			m.value = append(m.value[:i], m.value[m.pos:]...)
			m.pos = i
		default:
			if msg.Text == "" {
				return false
			}
			m.insert(msg.Text)
		}
		return true
	}
	return false
}

func (m *Model) insert(s string) {
	var rs []rune
	for _, r := range s {
		if unicode.IsPrint(r) {
			rs = append(rs, r)
		}
	}
	m.value = append(m.value[:m.pos], append(rs, m.value[m.pos:]...)...)
	m.pos += len(rs)
}

// View renders the prompt, the text and the cursor in width cells,
// scrolling the text so the cursor stays visible.
func (m Model) View(width int) string {
	prompt := m.styles.Prompt.Render(m.Prompt)
	room := max(1, width-ansi.StringWidth(m.Prompt)-1)
	if len(m.value) == 0 {
		ph := ansi.Truncate(termsafe.Line(m.Placeholder), room, "…")
		return prompt + m.styles.Cursor.Render(" ") + m.styles.Placeholder.Render(ph)
	}
	before := termsafe.Line(string(m.value[:m.pos]))
	at := " "
	after := ""
	if m.pos < len(m.value) {
		at = termsafe.Line(string(m.value[m.pos]))
		after = termsafe.Line(string(m.value[m.pos+1:]))
	}
	if w := ansi.StringWidth(before); w > room-1 {
		before = ansi.TruncateLeft(before, w-(room-1), "…")
	}
	rest := max(0, room-ansi.StringWidth(before)-1)
	after = ansi.Truncate(after, rest, "…")
	return prompt + m.styles.Text.Render(before) + m.styles.Cursor.Render(at) + m.styles.Text.Render(after)
}
