package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/hookscope/hookscope/store"
)

// TestGoldenReplay renders the replay screens at 80x24 and 160x50 without
// colour: the target prompt, marked rows, a bulk replay in progress and
// its summary, the edit warning with and without the offer to re-sign, the
// Replays tab and a response (regenerate with -update).
func TestGoldenReplay(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	type scene struct {
		name string
		play func(t *testing.T, m Model) Model
	}
	// bulk starts a replay of the five newest deliveries and answers
	// the first n attempts (one of them 500, one an error); the commands
	// themselves never run, so what is on screen is exactly this.
	bulk := func(n int) func(t *testing.T, m Model) Model {
		return func(t *testing.T, m Model) Model {
			m, _ = replayMarked(t, m, 5)
			for i, id := range m.bulk.ids[:n] {
				a := store.Attempt{Seq: 1, Target: m.bulk.target, Status: 200, DurationMS: 3}
				switch i {
				case 1:
					a.Status = 500
				case 2:
					a.Status, a.Error = 0, "connection refused: is the target running?"
				}
				m, _ = apply(m, bulkResultMsg{run: m.bulk.run, id: id, a: a})
			}
			return m
		}
	}
	// edited opens the warning for an edited copy of the app.installed
	// delivery, as if the editor had changed it.
	edited := func(resign bool) func(t *testing.T, m Model) Model {
		return func(t *testing.T, m Model) Model {
			if !resign {
				m.src.(interface{ SetResign(bool, string) }).SetResign(false,
					"it was signed with key td-prod-2026, which is not one of hookscope's dev keys: only Talkdesk holds that private key")
			}
			m = selectEvent(t, m, "app.installed")
			r, _ := m.list.Selected()
			m = drive(t, m, nil, editedMsg{rec: r, orig: []byte(`{"a":1}`), body: []byte(`{"a":2}`)})
			return press(t, m, "enter")
		}
	}
	scenes := []scene{
		{"prompt", func(t *testing.T, m Model) Model { return press(t, m, "r", "up") }},
		{"prompt_invalid_url", func(t *testing.T, m Model) Model {
			m = press(t, m, "r", "ctrl+u")
			return press(t, typeText(t, m, "localhost:3000"), "enter")
		}},
		{"marked_rows", func(t *testing.T, m Model) Model { return press(t, m, "space", "j", "space", "space") }},
		{"bulk_in_progress", bulk(3)},
		{"bulk_summary", bulk(5)},
		{"edit_warning_resign", edited(true)},
		{"edit_warning_no_resign", edited(false)},
		{"replays_tab", func(t *testing.T, m Model) Model {
			sel, _ := m.list.Selected()
			m.src.(interface{ PutAttempt(string, store.Attempt) }).PutAttempt(sel.ID, hostileAttempt(2))
			m = drive(t, m, nil, captured(sel.ID))
			return press(t, m, "enter", "shift+tab")
		}},
		{"response_body", func(t *testing.T, m Model) Model {
			sel, _ := m.list.Selected()
			m.src.(interface{ PutAttempt(string, store.Attempt) }).PutAttempt(sel.ID, hostileAttempt(2))
			m = drive(t, m, nil, captured(sel.ID))
			return press(t, m, "enter", "shift+tab", "enter")
		}},
	}
	for _, sc := range scenes {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz.w, sz.h), func(t *testing.T) {
				// The newest delivery is the forwarded DCE one with a
				// replay already: its Replays tab has three entries.
				src := replaySource(2*9 - 3)
				m := newTestModel(t, src, sz.w, sz.h)
				m = sc.play(t, m)
				out := m.View().Content
				checkSize(t, out, sz.w, sz.h)
				golden.RequireEqual(t, out)
			})
		}
	}
}
