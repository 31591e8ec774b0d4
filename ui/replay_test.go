package ui

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/detail"
	"github.com/hookscope/hookscope/ui/list"
)

// TestReplayPrompt: r opens the prompt pre-filled with the most recent
// target; up and down cycle the recent targets; an invalid URL is an error
// in the status bar with the prompt still open; enter replays the selected
// delivery, the attempt appears on the Replays tab and the target is
// remembered first.
func TestReplayPrompt(t *testing.T) {
	src := replaySource(9)
	m := newTestModel(t, src, 120, 30)
	sel, _ := m.list.Selected()

	m = press(t, m, "r")
	if m.focus != focusPrompt || m.target.Value() != recentTargets[0] {
		t.Fatalf("after r: focus %d, target %q", m.focus, m.target.Value())
	}
	for _, step := range []struct{ key, want string }{
		{"up", recentTargets[1]}, {"up", recentTargets[0]}, {"down", recentTargets[1]}, {"down", recentTargets[0]},
	} {
		m = press(t, m, step.key)
		if m.target.Value() != step.want {
			t.Fatalf("after %s: %q, want %q", step.key, m.target.Value(), step.want)
		}
	}

	m = press(t, m, "ctrl+u")
	m = typeText(t, m, "localhost:3000")
	m = press(t, m, "enter")
	if m.focus != focusPrompt || !strings.Contains(m.statusLine(), "is not an http:// or https:// URL") {
		t.Fatalf("invalid URL: focus %d, status %q", m.focus, m.statusLine())
	}
	if len(src.SentReplays()) != 0 {
		t.Fatal("an invalid URL must send nothing")
	}

	m = press(t, m, "ctrl+u")
	m = typeText(t, m, "http://127.0.0.1:9000/in")
	m = press(t, m, "enter")
	sent := src.SentReplays()
	if len(sent) != 1 || sent[0].ID != sel.ID || sent[0].Target != "http://127.0.0.1:9000/in" || sent[0].Edited {
		t.Fatalf("sent %+v, want one replay of %s", sent, sel.ID)
	}
	if m.focus != focusList || !strings.Contains(m.statusLine(), "Replay #1 → 200") {
		t.Fatalf("after enter: focus %d, status %q", m.focus, m.statusLine())
	}
	if m.recent[0] != "http://127.0.0.1:9000/in" || len(m.recent) != 3 {
		t.Fatalf("session recent targets %q", m.recent)
	}
	if got, _ := src.RecentTargets(m.ctx); got[0] != "http://127.0.0.1:9000/in" {
		t.Fatalf("the Source was not told the target: %q", got)
	}
	m = press(t, m, "enter", "shift+tab")
	if m.detail.Tab() != detail.Replays || !strings.Contains(m.View().Content, "#1   15:20:00  200") {
		t.Fatalf("the attempt is not on the Replays tab:\n%s", m.View().Content)
	}

	// The next prompt starts from the target just used; esc cancels.
	m = press(t, m, "r")
	if m.target.Value() != "http://127.0.0.1:9000/in" {
		t.Fatalf("prompt pre-filled with %q", m.target.Value())
	}
	m = press(t, m, "esc")
	if m.focus != focusDetail || len(src.SentReplays()) != 1 {
		t.Fatalf("esc: focus %d, %d sent", m.focus, len(src.SentReplays()))
	}
}

// TestRecentTargetsBounded: the session keeps at most ten targets, newest
// first, without duplicates.
func TestRecentTargetsBounded(t *testing.T) {
	src := replaySource(3)
	m := newTestModel(t, src, 80, 24)
	for i := 0; i < 12; i++ {
		m.rememberTarget("http://h/" + string(rune('a'+i)))
	}
	m.rememberTarget("http://h/c")
	if len(m.recent) != MaxRecentTargets || m.recent[0] != "http://h/c" || m.recent[1] != "http://h/l" || slices.Index(m.recent[1:], "http://h/c") >= 0 {
		t.Fatalf("recent %q", m.recent)
	}
}

// TestMarkAndReplayMarked: space marks (and unmarks) deliveries, shown in
// the mark column; R replays exactly the marked ones, oldest first, and
// summarises; without marks R replays the selected delivery.
func TestMarkAndReplayMarked(t *testing.T) {
	src := replaySource(9)
	m := newTestModel(t, src, 80, 24)
	rows := m.list.Rows()
	// Each space moves down: this marks rows 0, 1 and 2, then unmarks 2.
	m = press(t, m, "space", "space", "space", "k", "space")
	want := []string{rows[1].ID, rows[0].ID} // oldest first
	if got := m.markedIDs(); !slices.Equal(got, want) {
		t.Fatalf("marked %q, want %q", got, want)
	}
	if n := strings.Count(m.View().Content, list.Mark); n != 2 {
		t.Fatalf("%d marks on screen, want 2", n)
	}
	if !strings.Contains(m.statusLine(), "2 marked") {
		t.Fatalf("status %q", m.statusLine())
	}
	m = press(t, m, "R")
	if m.focus != focusPrompt || !strings.Contains(m.View().Content, "replay 2 deliveries to") {
		t.Fatalf("R did not ask for the target:\n%s", m.View().Content)
	}
	m = press(t, m, "enter")
	var got []string
	for _, s := range src.SentReplays() {
		got = append(got, s.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("replayed %q, want exactly the marked %q", got, want)
	}
	if m.bulk.active || !strings.Contains(m.statusLine(), "Replayed 2 of 2: 2 2xx, 0 non-2xx, 0 errors → http") {
		t.Fatalf("summary %q", m.statusLine())
	}

	// esc unmarks everything; R then replays the selected delivery.
	m = press(t, m, "esc")
	if len(m.marks) != 0 || strings.Contains(m.View().Content, list.Mark) {
		t.Fatal("esc did not clear the marks")
	}
	sel, _ := m.list.Selected()
	m = press(t, m, "R", "enter")
	if s := src.SentReplays(); len(s) != 3 || s[2].ID != sel.ID {
		t.Fatalf("R without marks sent %+v", s)
	}
}

// TestStopBulkReplay: esc during a bulk replay stops starting attempts;
// those in flight finish and count; ctrl-c stops rather than quits.
func TestStopBulkReplay(t *testing.T) {
	for _, stopKey := range []string{"esc", "ctrl+c"} {
		t.Run(stopKey, func(t *testing.T) {
			src := replaySource(12)
			m, cmds := replayMarked(t, newTestModel(t, src, 140, 24), 10)
			first := bulkResults(collect(t, cmds...))
			if len(first) != BulkConcurrency || !m.bulk.active {
				t.Fatalf("%d attempts started, want %d", len(first), BulkConcurrency)
			}
			m, cmds = apply(m, kp(stopKey))
			for _, msg := range collect(t, cmds...) {
				if _, quit := msg.(tea.QuitMsg); quit {
					t.Fatal("stopping a bulk replay must not quit")
				}
			}
			if !m.bulk.stopping || !strings.Contains(m.statusLine(), "Stopping") {
				t.Fatalf("not stopping: %q", m.statusLine())
			}
			for _, r := range first {
				m = drive(t, m, nil, r)
			}
			if m.bulk.active {
				t.Fatal("the run did not end once the attempts in flight answered")
			}
			if n := len(src.SentReplays()); n != BulkConcurrency {
				t.Fatalf("%d replays made, want the %d in flight only", n, BulkConcurrency)
			}
			if s := m.statusLine(); !strings.Contains(s, "Replayed 4 of 10") || !strings.Contains(s, "stopped") {
				t.Fatalf("summary %q", s)
			}
		})
	}
}

// TestBulkReplayConcurrency: never more than BulkConcurrency in flight;
// every delivery is sent once.
func TestBulkReplayConcurrency(t *testing.T) {
	src := replaySource(20)
	m, cmds := replayMarked(t, newTestModel(t, src, 80, 24), 15)
	pending := bulkResults(collect(t, cmds...))
	for len(pending) > 0 {
		if m.bulk.inflight > BulkConcurrency {
			t.Fatalf("%d in flight", m.bulk.inflight)
		}
		var next []tea.Cmd
		m, next = apply(m, pending[0])
		pending = append(pending[1:], bulkResults(collect(t, next...))...)
	}
	if n := len(src.SentReplays()); n != 15 || m.bulk.active {
		t.Fatalf("%d sent, active %v", n, m.bulk.active)
	}
}

// TestEditAndReplay drives e with a fake editor: the body is edited in a
// temporary file (removed afterwards), the target is asked, the warning
// offers to re-sign when the Source can, and the edited copy is sent.
func TestEditAndReplay(t *testing.T) {
	tmp := fakeEditor(t, "s/acc_42/acc_99/")
	src := replaySource(9)
	m := runEditorHere(newTestModel(t, src, 120, 30))
	m = selectEvent(t, m, "app.installed") // signed, carries acc_42
	sel, _ := m.list.Selected()

	m = press(t, m, "e")
	if m.focus != focusPrompt || !strings.Contains(m.View().Content, "replay the edited copy to") {
		t.Fatalf("after the editor: focus %d\n%s", m.focus, m.View().Content)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("the temporary file was not removed: %v", left)
	}
	m = press(t, m, "enter")
	out := m.View().Content
	if m.focus != focusConfirm || !strings.Contains(out, "will not match the edited body") || !strings.Contains(out, "It can be signed again") {
		t.Fatalf("no warning with a re-sign offer:\n%s", out)
	}
	m = press(t, m, "y")
	sent := src.SentReplays()
	if len(sent) != 1 || !sent[0].Edited || !sent[0].Resign || sent[0].ID != sel.ID {
		t.Fatalf("sent %+v", sent)
	}
	if b := string(sent[0].Body); !strings.Contains(b, "acc_99") || strings.Contains(b, "acc_42") {
		t.Fatalf("sent body %q is not the edited one", b)
	}
	if !strings.Contains(m.statusLine(), "Edited replay #1 → 200") {
		t.Fatalf("status %q", m.statusLine())
	}

	// n sends the edited copy with the original signature.
	m = press(t, m, "e", "enter", "n")
	if s := src.SentReplays(); len(s) != 2 || s[1].Resign {
		t.Fatalf("n: %+v", s)
	}

	// Without a key or secret: no offer, enter sends anyway, y does not.
	src.SetResign(false, "no TalkifAI secret is configured")
	m = press(t, m, "e", "enter")
	out = m.View().Content
	if !strings.Contains(out, "It cannot be signed again: no TalkifAI secret is configured") {
		t.Fatalf("no refusal in the warning:\n%s", out)
	}
	m = press(t, m, "y")
	if len(src.SentReplays()) != 2 || m.focus != focusConfirm {
		t.Fatal("y must not send when re-signing is not possible")
	}
	m = press(t, m, "enter")
	if s := src.SentReplays(); len(s) != 3 || s[2].Resign {
		t.Fatalf("enter: %+v", s)
	}

	// esc at the warning sends nothing.
	m = press(t, m, "e", "enter", "esc")
	if len(src.SentReplays()) != 3 || m.focus != focusList {
		t.Fatal("esc at the warning must cancel")
	}
}

// TestEditUnchanged: an editor that changes nothing sends nothing.
func TestEditUnchanged(t *testing.T) {
	fakeEditor(t, "s/will-not-match//")
	src := replaySource(3)
	m := runEditorHere(newTestModel(t, src, 80, 24))
	m = press(t, m, "e")
	if m.focus != focusList || !strings.Contains(m.statusLine(), "unchanged") || len(src.SentReplays()) != 0 {
		t.Fatalf("focus %d, status %q", m.focus, m.statusLine())
	}
}

// TestResponseView: enter on an attempt shows its response headers and
// body, masked and terminal-safe; esc goes back to the attempts.
func TestResponseView(t *testing.T) {
	src := replaySource(3)
	m := newTestModel(t, src, 120, 40)
	sel, _ := m.list.Selected()
	src.PutAttempt(sel.ID, hostileAttempt(1))
	m = drive(t, m, nil, captured(sel.ID))
	m = press(t, m, "enter", "shift+tab", "enter")
	out := m.View().Content
	for _, want := range []string{"Response to attempt #1", "422", "Set-Cookie:", "client_secret", "␛"} {
		if !strings.Contains(out, want) {
			t.Fatalf("response view lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"leaked-by-the-app", "sid=abc123", "\x1b]8", "\x1b[2J", "\x1b[31m"} {
		if strings.Contains(out, bad) {
			t.Fatalf("response view shows %q", bad)
		}
	}
	m = press(t, m, "s")
	if out := m.View().Content; !strings.Contains(out, "leaked-by-the-app") {
		t.Fatalf("s does not reveal the response's secrets:\n%s", out)
	}
	m = press(t, m, "esc")
	if !m.detailOpen || m.detail.ResponseOpen() || !strings.Contains(m.View().Content, "enter shows the response") {
		t.Fatal("esc must go back to the attempts, not close the detail")
	}
}

// TestReplayedStatus: the answer to r or e is summed up in the status bar,
// as a warning when the target did not answer 2xx and as an error when
// there was no answer.
func TestReplayedStatus(t *testing.T) {
	m := newTestModel(t, replaySource(3), 120, 24)
	for _, c := range []struct {
		msg  replayedMsg
		l    level
		want string
	}{
		{replayedMsg{a: store.Attempt{Seq: 2, Status: 204, DurationMS: 1.25}}, levelInfo, "Replay #2 → 204 in 1.2 ms"},
		{replayedMsg{a: store.Attempt{Seq: 3, Status: 503, DurationMS: 9}, edited: true}, levelWarn, "Edited replay #3 → 503 in 9.0 ms"},
		{replayedMsg{a: store.Attempt{Seq: 4, Error: "connection refused"}}, levelError, "Replay #4 failed: connection refused"},
		{replayedMsg{err: errors.New("store is closed")}, levelError, "replay: store is closed"},
	} {
		m = drive(t, m, nil, c.msg)
		if m.status.level != c.l || !strings.Contains(m.status.text, c.want) {
			t.Errorf("%+v: status %d %q, want %d %q", c.msg, m.status.level, m.status.text, c.l, c.want)
		}
	}
}

// TestFilterDuringBulkReplay: while a bulk replay runs, esc in the filter
// input closes the input, as its help line says, and leaves the run alone.
func TestFilterDuringBulkReplay(t *testing.T) {
	m, _ := replayMarked(t, newTestModel(t, replaySource(9), 120, 24), 6)
	m, _ = apply(m, kp("/"), kp("esc"))
	if m.focus != focusList || !m.bulk.active || m.bulk.stopping {
		t.Fatalf("focus %d, bulk active %v stopping %v", m.focus, m.bulk.active, m.bulk.stopping)
	}
	if m, _ = apply(m, kp("esc")); !m.bulk.stopping {
		t.Fatal("esc in the list does not stop the run")
	}
}

// TestPromptOffersTargetsSavedSinceStart: a target another hookscope
// remembered after this view started is offered first when the prompt
// opens (the remembered list is most recent first), the others after it.
func TestPromptOffersTargetsSavedSinceStart(t *testing.T) {
	src := replaySource(3)
	m := newTestModel(t, src, 120, 30)
	start := append([]string(nil), m.recent...)
	if len(start) == 0 {
		t.Fatal("the test source remembers no targets")
	}
	// Another instance replays somewhere meanwhile.
	if err := src.AddRecentTarget(context.Background(), "http://localhost:3000/other"); err != nil {
		t.Fatal(err)
	}
	m = press(t, m, "r")
	if got := m.target.Value(); got != "http://localhost:3000/other" {
		t.Fatalf("prompt pre-filled with %q, want the target saved since start", got)
	}
	if want := append([]string{"http://localhost:3000/other"}, start...); strings.Join(m.recent, " ") != strings.Join(want, " ") {
		t.Fatalf("recent %v, want %v", m.recent, want)
	}
	// What the user typed before the list arrived is never replaced.
	m = press(t, m, "esc")
	nm, load := m.Update(kp("r"))
	m = press(t, nm.(Model), "ctrl+u", "x")
	m = drive(t, m, load)
	if got := m.target.Value(); got != "x" {
		t.Fatalf("typed x, prompt holds %q", got)
	}
}

// TestReplayStatusMasksTargetPassword: the status line names the replay
// target (while sending, and in the bulk summary) without the password of
// its userinfo, as the header shows the forward target.
func TestReplayStatusMasksTargetPassword(t *testing.T) {
	src, _ := mixedSource(9)
	src.SetRecentTargets([]string{"http://dev:hunter22@127.0.0.1:9000/in"})
	m := newTestModel(t, src, 120, 24)
	m = press(t, m, "space", "space", "R", "enter")
	if s := m.statusLine(); !strings.Contains(s, "Replayed 2 of 2") || strings.Contains(s, "hunter22") || !strings.Contains(s, "dev:xxxxx@") {
		t.Fatalf("bulk summary %q: want the target with its password masked", s)
	}
	m = press(t, m, "esc")
	// Not settled: the status is the one shown while the replay runs.
	m = press(t, m, "r")
	next, _ := m.Update(kp("enter"))
	m = next.(Model)
	if s := m.statusLine(); !strings.Contains(s, "Replaying to") || strings.Contains(s, "hunter22") || !strings.Contains(s, "dev:xxxxx@") {
		t.Fatalf("status while sending %q: want the target with its password masked", s)
	}
}

// TestHelpListsStopOnlyWhileReplaying: ? lists "esc stop replaying" while a
// bulk replay runs, in the list and in the detail, and not before it starts
// or once it is stopping or done (esc then goes back or clears the filter).
func TestHelpListsStopOnlyWhileReplaying(t *testing.T) {
	src := replaySource(12)
	m := press(t, newTestModel(t, src, 140, 40), "?")
	lists := func(m Model) bool { return strings.Contains(m.View().Content, "stop replaying") }
	if lists(m) || lists(press(t, m, "enter")) {
		t.Fatal("help lists esc stop replaying with no replay running")
	}
	m, cmds := replayMarked(t, m, 6)
	if !m.bulk.active || !lists(m) {
		t.Fatalf("help lacks esc stop replaying while a replay runs (active %v):\n%s", m.bulk.active, m.View().Content)
	}
	first := bulkResults(collect(t, cmds...))
	m, _ = apply(m, kp("esc"))
	if !m.bulk.stopping || lists(m) {
		t.Fatalf("help lists esc stop replaying while stopping (stopping %v)", m.bulk.stopping)
	}
	for _, r := range first {
		m = drive(t, m, nil, r)
	}
	if m.bulk.active || lists(m) {
		t.Fatalf("help lists esc stop replaying after the replay (active %v)", m.bulk.active)
	}
}

// TestPromptClearsTransientStatus: opening the replay prompt (r, R) drops
// the message about what was done before ("Pinned …"), which stayed under
// the prompt as if about it; an error stays until it expires.
func TestPromptClearsTransientStatus(t *testing.T) {
	for _, open := range []string{"r", "R"} {
		m := press(t, newTestModel(t, replaySource(3), 120, 30), "p")
		if !strings.Contains(m.statusLine(), "Pinned") {
			t.Fatalf("after p: status %q", m.statusLine())
		}
		if m = press(t, m, open); m.focus != focusPrompt || strings.Contains(m.statusLine(), "Pinned") {
			t.Fatalf("%s: focus %d, status %q", open, m.focus, m.statusLine())
		}
		m = press(t, m, "esc")
		m.setStatus(levelError, "reading deliveries: it broke")
		if m = press(t, m, open); !strings.Contains(m.statusLine(), "it broke") {
			t.Fatalf("%s: the error went: %q", open, m.statusLine())
		}
	}
}
