package input

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestEditing(t *testing.T) {
	m := New("/", Styles{})
	typeText := func(s string) {
		for _, r := range s {
			m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
	}
	typeText("sig:valid")
	m.Update(tea.KeyPressMsg{Code: tea.KeyLeft})
	m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	if m.Value() != "sig:vald" {
		t.Fatalf("value %q", m.Value())
	}
	m.Update(tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl})
	if m.Value() != "d" {
		t.Fatalf("after ctrl+w: %q", m.Value())
	}
	m.Update(tea.PasteMsg{Content: "a\x1b[31m\nb"})
	if m.Value() != "a[31m bd" {
		t.Fatalf("paste: %q", m.Value())
	}
	if v := m.View(20); v == "" {
		t.Fatal("empty view")
	}
}
