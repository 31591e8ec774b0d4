package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestFilterCountNeverShowsAnotherFiltersNumber: between applying a filter
// and its count's arrival (hundreds of milliseconds on a large database)
// the header says "— match", not the previous count beside the new
// filter; once counted, it shows the filter's own number.
func TestFilterCountNeverShowsAnotherFiltersNumber(t *testing.T) {
	src, _ := mixedSource(9)
	m := newTestModel(t, src, 120, 24)
	m = press(t, m, "/", "z", "z", "z")
	// Applied, but its count not run yet.
	next, cmd := m.Update(kp("enter"))
	m = next.(Model)
	head := ansi.Strip(strings.SplitN(m.View().Content, "\n", 3)[1])
	if !strings.Contains(head, "— match") || strings.Contains(head, "9 match") {
		t.Fatalf("header while the filter is counted: %q", head)
	}
	m = drive(t, m, cmd)
	head = ansi.Strip(strings.SplitN(m.View().Content, "\n", 3)[1])
	if !strings.Contains(head, "9 deliveries · 0 matches") {
		t.Fatalf("header once counted: %q", head)
	}
}
