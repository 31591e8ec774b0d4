package ui

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/hookscope/hookscope/ui/detail"
	"github.com/hookscope/hookscope/ui/uitest"
)

// TestProgramFlow runs the whole program: start, see deliveries (one
// arriving live), open one, change tab, go back, quit.
func TestProgramFlow(t *testing.T) {
	src := uitest.NewSource(64)
	g := uitest.NewGen()
	recs, bodies := g.Mixed(5)
	src.Add(recs, bodies)
	m := New(Options{
		Source: src, Notices: src.Notices(), ListenURL: "http://127.0.0.1:8080", DBPath: "test.db",
		NoColor:   true,
		PublicURL: func(context.Context) (string, error) { return "https://example.ngrok.app", nil },
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	t.Cleanup(func() { _ = tm.Quit() })

	out := &progOutput{r: tm.Output()}
	waitFor(t, out, "/hooks/talkdesk")
	waitFor(t, out, "example.ngrok.app")

	more, moreBodies := g.Mixed(1) // a live arrival: kind 5, the DCE bridge
	src.Add(more, moreBodies)
	waitFor(t, out, "talkdesk-dce")

	tm.Send(tea.KeyPressMsg{Code: 'j', Text: "j"})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(t, out, "Overview")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	waitFor(t, out, "JSON")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	fm := tm.FinalModel(t).(Model)
	if fm.detailOpen || fm.detail.Tab() != detail.Body {
		t.Fatalf("final state: detail open %v, tab %v", fm.detailOpen, fm.detail.Tab())
	}
	if r, _ := fm.list.Selected(); r.ID != recs[4].ID {
		t.Fatalf("selected %s, want %s", r.ID, recs[4].ID)
	}
}

// progOutput accumulates the program's output: the renderer writes changes
// only, so a later wait must see what earlier ones read.
type progOutput struct {
	r   io.Reader
	all bytes.Buffer
}

// waitFor reads the program's output until everything written so far
// contains s. The minute only stops a broken test from hanging: under
// -race on a loaded machine a repaint can take seconds.
func waitFor(t *testing.T, sc *progOutput, s string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	buf := make([]byte, 4096)
	for !bytes.Contains(sc.all.Bytes(), []byte(s)) {
		if time.Now().After(deadline) {
			t.Fatalf("%q never appeared; output so far:\n%q", s, sc.all.String())
		}
		n, _ := sc.r.Read(buf)
		sc.all.Write(buf[:n])
		if n == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
}
