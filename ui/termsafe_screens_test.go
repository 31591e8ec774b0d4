package ui

import (
	"context"
	"errors"
	"testing"

	"github.com/hookscope/hookscope/ui/uitest"
)

// hostileText carries every kind of byte termsafe must neutralise: CSI,
// OSC 8, C1 controls, bidi overrides, invisible format characters, DEL,
// NUL, CR and a newline.
const hostileText = "\x1b[2J\x1b]8;;https://evil.example\x07x\x1b]8;;\x07\u009b31m\u202etxt\u202c\u2066\u200b\x7f\x00\r\nend"

// TestEscapeInjectionElsewhere covers the screens TestEscapeInjection
// does not reach: the hostile delivery as an unselected (styled) row, the
// header with a tunnel URL from the network, the replay prompt pre-filled
// with a remembered target, the warning before an edited copy is sent
// (its reason quotes data), and a status-line error quoting data.
func TestEscapeInjectionElsewhere(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	for _, coloured := range []bool{false, true} {
		src := uitest.NewSource(16)
		g := uitest.NewGen()
		h, hb := g.Hostile()
		recs, bodies := g.Mixed(2) // newer than the hostile one
		bodies[h.ID] = hb
		src.Add(append(recs, h), bodies)
		src.SetRecentTargets([]string{"http://t/" + hostileText})
		src.SetResign(false, "key "+hostileText)
		drain(src)
		m := newTestModel(t, src, 160, 50, func(o *Options) {
			o.NoColor = !coloured
			o.PublicURL = func(context.Context) (string, error) { return "https://" + hostileText, nil }
		})
		if !coloured {
			m.setStyles(Styles{})
		}
		check := func(where string) {
			t.Helper()
			checkInert(t, m, coloured, where)
		}
		if r, _ := m.list.Selected(); r.ID == h.ID {
			t.Fatal("the hostile delivery must not be the selected row")
		}
		check("list with the hostile row unselected and the public URL")

		m = press(t, m, "r")
		check("replay prompt")
		m = press(t, m, "esc")

		r, _ := m.list.Selected()
		m = drive(t, m, nil, editedMsg{rec: r, orig: []byte(`{"a":1}`), body: []byte(`{"a":2}`)})
		m = press(t, typeText(t, press(t, m, "ctrl+u"), "http://localhost:3000/x"), "enter")
		if m.focus != focusConfirm {
			t.Fatalf("colour=%v: no edit warning (focus %v)", coloured, m.focus)
		}
		check("edit warning")
		m = press(t, m, "esc")

		m = drive(t, m, nil, savedTargetMsg{err: errors.New(hostileText)})
		check("status error")
	}
}
