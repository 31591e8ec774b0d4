package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/uitest"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 3, 14, 15, 30, 0, 0, time.UTC)

// newTestModel returns a model over src, sized w x h, with every pending
// command run.
func newTestModel(t testing.TB, src *uitest.Source, w, h int, mutate ...func(*Options)) Model {
	t.Helper()
	opts := Options{
		Source: src, ListenURL: "http://127.0.0.1:8080", DBPath: "/home/ada/.local/share/hookscope/hookscope.db",
		Secrets: []string{"abc123"}, NoColor: true, Now: func() time.Time { return testNow }, Location: time.UTC,
	}
	for _, f := range mutate {
		f(&opts)
	}
	m := New(opts)
	m.after = func(_ time.Duration, msg tea.Msg) tea.Cmd {
		switch msg.(type) {
		case repaintMsg, recountMsg:
			return func() tea.Msg { return msg }
		}
		return nil // the second and tunnel ticks never fire in tests
	}
	m = drive(t, m, m.Init(), tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// drive feeds msgs to m, then runs the returned commands (and the commands
// their messages return) until none is left.
func drive(t testing.TB, m Model, first tea.Cmd, msgs ...tea.Msg) Model {
	t.Helper()
	queue := []tea.Cmd{first}
	for _, msg := range msgs {
		nm, cmd := m.Update(msg)
		m = nm.(Model)
		queue = append(queue, cmd)
	}
	settle(t, queue, func(msg tea.Msg) tea.Cmd {
		nm, next := m.Update(msg)
		m = nm.(Model)
		return next
	})
	return m
}

// settle runs cmds, and the commands in the batches they return, handing
// every other message to f and running the command f returns, until none
// is left.
func settle(t testing.TB, queue []tea.Cmd, f func(tea.Msg) tea.Cmd) {
	t.Helper()
	for steps := 0; len(queue) > 0; {
		cmd := queue[0]
		queue = queue[1:]
		if cmd == nil {
			continue
		}
		if steps++; steps > 500 {
			t.Fatal("commands do not settle")
		}
		msg, ok := run(cmd)
		if !ok {
			continue
		}
		if batch, isBatch := msg.(tea.BatchMsg); isBatch {
			queue = append(queue, batch...)
			continue
		}
		queue = append(queue, f(msg))
	}
}

// cmdWait bounds the wait for one command. No command of a test model
// blocks (its ticks are replaced, see newTestModel), so this only stops a
// broken test from hanging; it is long because a read from the fake Source
// can take a while on a loaded machine under -race, and a command dropped
// for being slow made paging tests fail at random.
const cmdWait = 10 * time.Second

// run runs cmd and returns its message; ok is false when it returned nil
// or did not answer within cmdWait.
func run(cmd tea.Cmd) (tea.Msg, bool) {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		return msg, msg != nil
	case <-time.After(cmdWait):
		return nil, false
	}
}

// kp returns the key press of s ("j", "enter", "tab", "shift+tab", …).
func kp(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+c", "ctrl+u":
		return tea.KeyPressMsg{Code: rune(s[5]), Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// press sends keys one after the other, settling commands after each.
func press(t testing.TB, m Model, keys ...string) Model {
	t.Helper()
	for _, k := range keys {
		m = drive(t, m, nil, kp(k))
	}
	return m
}

// mixedSource returns a source holding n mixed deliveries.
func mixedSource(n int) (*uitest.Source, *uitest.Gen) {
	src := uitest.NewSource(4096)
	g := uitest.NewGen()
	recs, bodies := g.Mixed(n)
	src.Add(recs, bodies)
	drain(src)
	return src, g
}

// drain empties the notice channel (tests send notices explicitly).
func drain(src *uitest.Source) {
	for {
		select {
		case <-src.Notices():
		default:
			return
		}
	}
}

// arrive adds n new deliveries to src and feeds m their notices.
func arrive(t testing.TB, m Model, src *uitest.Source, g *uitest.Gen, n int) (Model, []store.Record) {
	t.Helper()
	recs, bodies := g.Mixed(n)
	src.Add(recs, bodies)
	drain(src)
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return drive(t, m, nil, captured(ids...)), recs
}

// captured is the notice batch of deliveries ids arriving.
func captured(ids ...string) noticesMsg {
	var ns []store.Notice
	for _, id := range ids {
		ns = append(ns, store.Notice{ID: id, Kind: store.Captured})
	}
	return noticesMsg{notices: ns, closed: true}
}
