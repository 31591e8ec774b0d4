package ui

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/uitest"
)

// apply feeds msgs to m without running the commands they return, which
// are handed back: tests of a bulk replay decide when each answer arrives.
func apply(m Model, msgs ...tea.Msg) (Model, []tea.Cmd) {
	var cmds []tea.Cmd
	for _, msg := range msgs {
		nm, c := m.Update(msg)
		m = nm.(Model)
		if c != nil {
			cmds = append(cmds, c)
		}
	}
	return m, cmds
}

// replayMarked marks the n deliveries from the cursor down and starts
// replaying them (R, enter), returning the run's commands unrun.
func replayMarked(t testing.TB, m Model, n int) (Model, []tea.Cmd) {
	t.Helper()
	for range n {
		m = press(t, m, "space")
	}
	m = press(t, m, "R")
	return apply(m, kp("enter"))
}

// collect runs cmds (and the batches they return) and returns the
// messages, without feeding them to a model.
func collect(t testing.TB, cmds ...tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	settle(t, cmds, func(msg tea.Msg) tea.Cmd {
		out = append(out, msg)
		return nil
	})
	return out
}

// bulkResults picks the bulk replay answers out of msgs.
func bulkResults(msgs []tea.Msg) []bulkResultMsg {
	var out []bulkResultMsg
	for _, m := range msgs {
		if r, ok := m.(bulkResultMsg); ok {
			out = append(out, r)
		}
	}
	return out
}

// typeText presses the keys of s one by one.
func typeText(t testing.TB, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		m = press(t, m, string(r))
	}
	return m
}

// runEditorHere makes m run $EDITOR directly, without handing over a
// terminal, and waits for it.
func runEditorHere(m Model) Model {
	m.exec = func(c *exec.Cmd, fn tea.ExecCallback) tea.Cmd {
		return func() tea.Msg { return fn(c.Run()) }
	}
	return m
}

// fakeEditor writes a shell script that edits the file it is given with
// the sed expression expr, sets it as $EDITOR and points the temporary
// folder at a fresh directory, which it returns (to check the temporary
// file is removed).
func fakeEditor(t *testing.T, expr string) string {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "editor.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nsed -i '"+expr+"' \"$1\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EDITOR", script)
	t.Setenv("TMPDIR", tmp)
	return tmp
}

// recentTargets are the targets the fake Source remembers in replay tests.
var recentTargets = []string{"http://localhost:3000/webhooks", "http://127.0.0.1:4000/hooks/td"}

// replaySource returns a source of mixed deliveries that remembers
// recentTargets.
func replaySource(n int) *uitest.Source {
	src, _ := mixedSource(n)
	src.SetRecentTargets(recentTargets)
	return src
}

// selectEvent moves the cursor to the newest delivery of event type typ.
func selectEvent(t *testing.T, m Model, typ string) Model {
	t.Helper()
	for i := 0; i < 40; i++ {
		if r, ok := m.list.Selected(); ok && r.Analysis != nil && r.Analysis.EventType == typ {
			return m
		}
		m = press(t, m, "j")
	}
	t.Fatalf("no %s delivery", typ)
	return m
}

// hostileAttempt is a stored attempt whose response carries a secret and
// escape sequences.
func hostileAttempt(seq int) store.Attempt {
	a := store.Attempt{Seq: seq, Target: "http://localhost:3000/webhooks", Status: 422, DurationMS: 8.5,
		RespHeader: store.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "Set-Cookie", Value: "sid=abc123"},
			{Name: "X-Evil", Value: "\x1b]8;;http://evil\x07click\x1b]8;;\x07"}},
		RespBody: []byte(`{"error":"account_id \u001b[31munknown","client_secret":"leaked-by-the-app","hint":"\u001b[2J"}`)}
	a.At = testNow.Add(-5 * time.Minute)
	return a
}
