package ui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/hookscope/hookscope/ui/uitest"
)

var sizes = []struct{ w, h int }{{80, 24}, {160, 50}}

// TestGolden renders the main screens at 80x24 and 160x50 without colour
// and compares View().Content with testdata/TestGolden/*.golden
// (regenerate with go test ./ui -run TestGolden -update).
func TestGolden(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	type scene struct {
		name string
		src  func() *uitest.Source
		keys []string
		msgs []tea.Msg
		opts func(*Options)
	}
	mixed := func() *uitest.Source { s, _ := mixedSource(2 * uitest.Kinds); return s }
	scenes := []scene{
		{name: "empty", src: func() *uitest.Source { return uitest.NewSource(1) }},
		{name: "list_mixed", src: mixed},
		{name: "list_scrolled", src: mixed, keys: []string{"j", "j", "j"}},
		{name: "list_forwarding", src: mixed, opts: func(o *Options) { o.ForwardTo = "http://dev:pw@127.0.0.1:3000/hooks?token=abc123" }},
		{name: "help", src: mixed, keys: []string{"?"}},
		{name: "filter_editing", src: mixed, keys: []string{"/", "s", "i", "g", ":", "i"}},
		{name: "filter_active", src: mixed, keys: []string{"/", "s", "i", "g", ":", "i", "n", "v", "a", "l", "i", "d", "enter"}},
		{name: "filter_no_match", src: mixed, keys: []string{"/", "z", "z", "z", "enter"}},
		{name: "filter_error", src: mixed, keys: []string{"/", "b", "o", "g", "u", "s", ":", "1", "enter"}},
		// The newest delivery is kind 8 (a form); kind 1 (TalkifAI, schema
		// errors) is 7 rows down, kind 0 (app.installed) 8, kind 5 (DCE,
		// forwarded, duplicate) 3, kind 2 (Dialpad JWT) 6.
		{name: "detail_overview", src: mixed, keys: []string{"j", "j", "j", "enter"}},
		{name: "detail_headers_masked", src: mixed, keys: []string{"j", "j", "j", "enter", "tab"}},
		{name: "detail_headers_revealed", src: mixed, keys: []string{"j", "j", "j", "enter", "tab", "s"}},
		{name: "detail_body_json_masked", src: mixed, keys: []string{"j", "j", "j", "j", "j", "j", "j", "j", "enter", "tab", "tab"}},
		{name: "detail_body_raw", src: mixed, keys: []string{"j", "j", "j", "j", "j", "j", "j", "j", "enter", "tab", "tab", "x"}},
		{name: "detail_body_jwt", src: mixed, keys: []string{"j", "j", "j", "j", "j", "j", "enter", "tab", "tab"}},
		{name: "detail_body_gzip", src: mixed, keys: []string{"j", "j", "enter", "tab", "tab"}},
		{name: "detail_body_xml", src: mixed, keys: []string{"j", "enter", "tab", "tab"}},
		{name: "detail_body_form", src: mixed, keys: []string{"enter", "tab", "tab"}},
		{name: "detail_signature", src: mixed, keys: []string{"j", "j", "j", "j", "j", "j", "j", "enter", "shift+tab", "shift+tab", "shift+tab"}},
		{name: "detail_schema", src: mixed, keys: []string{"j", "j", "j", "j", "j", "j", "j", "enter", "shift+tab", "shift+tab", "j"}},
		{name: "detail_schema_jump", src: mixed, keys: []string{"j", "j", "j", "j", "j", "j", "j", "enter", "shift+tab", "shift+tab", "j", "enter"}},
		{name: "detail_replays", src: mixed, keys: []string{"j", "j", "j", "enter", "shift+tab"}},
		{name: "detail_pending", src: mixed, keys: []string{"j", "j", "j", "j", "enter", "shift+tab", "shift+tab", "shift+tab"}},
	}
	for _, sc := range scenes {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz.w, sz.h), func(t *testing.T) {
				var mutate []func(*Options)
				if sc.opts != nil {
					mutate = append(mutate, sc.opts)
				}
				m := newTestModel(t, sc.src(), sz.w, sz.h, mutate...)
				m = press(t, m, sc.keys...)
				m = drive(t, m, nil, sc.msgs...)
				out := m.View().Content
				checkSize(t, out, sz.w, sz.h)
				golden.RequireEqual(t, out)
			})
		}
	}
}

// TestGoldenColour pins the coloured rendering of the list and a body.
func TestGoldenColour(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	src, _ := mixedSource(uitest.Kinds)
	m := newTestModel(t, src, 120, 30, func(o *Options) { o.NoColor = false })
	m = drive(t, m, nil, tea.BackgroundColorMsg{Color: darkBg})
	t.Run("list", func(t *testing.T) { golden.RequireEqual(t, m.View().Content) })
	m = press(t, m, "j", "j", "j", "j", "j", "j", "j", "enter", "tab", "tab")
	t.Run("body", func(t *testing.T) { golden.RequireEqual(t, m.View().Content) })
}
