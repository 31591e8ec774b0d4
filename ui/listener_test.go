package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/uitest"
)

// fakeListener answers Options.Listener from a script, one answer per
// question; the last one repeats.
type fakeListener struct {
	mu      sync.Mutex
	answers []fakeAnswer
	asked   int
}

type fakeAnswer struct {
	info ListenerInfo
	err  error
}

func (f *fakeListener) ask(context.Context) (ListenerInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.answers[min(f.asked, len(f.answers)-1)]
	f.asked++
	return a.info, a.err
}

func (f *fakeListener) set(answers ...fakeAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers = answers
}

func (f *fakeListener) questions() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asked
}

// attachedModel is newTestModel for a view attached to a listener that
// said listenURL when dialled, asking f. The retries it schedules run at
// once; their delays are recorded.
func attachedModel(t *testing.T, f *fakeListener, listenURL string, delays *[]time.Duration) Model {
	t.Helper()
	src := uitest.NewSource(16)
	m := New(Options{Source: src, ListenURL: listenURL, Listener: f.ask, DBPath: "/tmp/h.db",
		NoColor: true, Now: func() time.Time { return testNow }, Location: time.UTC})
	m.after = func(d time.Duration, msg tea.Msg) tea.Cmd {
		switch msg.(type) {
		case askListenerMsg:
			*delays = append(*delays, d)
			return func() tea.Msg { return msg }
		case repaintMsg, recountMsg:
			return func() tea.Msg { return msg }
		}
		return nil
	}
	return drive(t, m, m.Init(), tea.WindowSizeMsg{Width: 120, Height: 20})
}

func headerLine(m Model) string {
	l, _, _ := strings.Cut(ansi.Strip(m.View().Content), "\n")
	return l
}

// TestAttachedBeforeBind: a view attached in the moment before the
// listener binds its port asks again, with a growing delay, until the
// listener has a URL, then shows it (and where it forwards) in the header
// and the empty list's hint.
func TestAttachedBeforeBind(t *testing.T) {
	f := &fakeListener{answers: []fakeAnswer{{}, {}, {info: ListenerInfo{URL: "http://127.0.0.1:18120", ForwardTo: "http://127.0.0.1:18129/app"}}}}
	var delays []time.Duration
	m := attachedModel(t, f, "", &delays)
	if f.questions() != 3 {
		t.Fatalf("asked %d times, want 3", f.questions())
	}
	if want := []time.Duration{ListenerRetryFirst, 2 * ListenerRetryFirst}; !slices.Equal(delays, want) {
		t.Errorf("delays %v, want %v", delays, want)
	}
	if h := headerLine(m); !strings.Contains(h, "● http://127.0.0.1:18120 → app http://127.0.0.1:18129/app") {
		t.Errorf("header %q", h)
	}
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "curl -d '{\"hello\":\"world\"}' http://127.0.0.1:18120/test") {
		t.Errorf("empty list does not point at the URL:\n%s", v)
	}
}

// TestAttachedGivesUp: a listener that never has a URL is asked
// ListenerRetries times, the delays doubling up to ListenerRetryMax.
func TestAttachedGivesUp(t *testing.T) {
	f := &fakeListener{answers: []fakeAnswer{{}}}
	var delays []time.Duration
	m := attachedModel(t, f, "", &delays)
	if f.questions() != ListenerRetries {
		t.Fatalf("asked %d times, want %d", f.questions(), ListenerRetries)
	}
	if delays[len(delays)-1] != ListenerRetryMax || delays[1] != 2*delays[0] {
		t.Errorf("delays %v", delays)
	}
	if h := headerLine(m); !strings.Contains(h, "not listening") {
		t.Errorf("header %q", h)
	}
}

// TestAttachedListenerRestarts: when the listener's notices end (it
// stopped), the view asks again: nobody answers, so it says "not
// listening", then shows the URL of the restarted listener.
func TestAttachedListenerRestarts(t *testing.T) {
	f := &fakeListener{}
	var delays []time.Duration
	m := attachedModel(t, f, "http://127.0.0.1:18120", &delays)
	if f.questions() != 0 {
		t.Fatalf("asked %d times with a URL known", f.questions())
	}
	if h := headerLine(m); !strings.Contains(h, "● http://127.0.0.1:18120") {
		t.Fatalf("header %q", h)
	}

	gone := errors.New("remote: dial unix: connection refused")
	f.set(fakeAnswer{err: gone})
	_, m = noticesThenAnswer(t, m, noticesMsg{closed: true})
	if h := headerLine(m); !strings.Contains(h, "not listening") {
		t.Fatalf("header after the listener stopped: %q", h)
	}

	f.set(fakeAnswer{info: ListenerInfo{URL: "http://127.0.0.1:18121"}})
	m = drive(t, m, m.askListener())
	if h := headerLine(m); !strings.Contains(h, "● http://127.0.0.1:18121") {
		t.Fatalf("header after the restart: %q", h)
	}
}

// TestAttachedLostThenResync: a remote subscription survives a listener
// restart (store/remote): Lost makes the view ask (and say "not
// listening") without re-reading a database nobody serves; Resync asks
// again and re-reads what arrived meanwhile.
func TestAttachedLostThenResync(t *testing.T) {
	f := &fakeListener{}
	var delays []time.Duration
	m := attachedModel(t, f, "http://127.0.0.1:18120", &delays)

	f.set(fakeAnswer{err: errors.New("remote: dial unix: connection refused")})
	before, m := noticesThenAnswer(t, m, noticesMsg{notices: []store.Notice{{Kind: store.Lost}}})
	if before.win.loading {
		t.Error("Lost re-read the window")
	}
	if h := headerLine(m); !strings.Contains(h, "not listening") {
		t.Fatalf("header after Lost: %q", h)
	}

	f.set(fakeAnswer{info: ListenerInfo{URL: "http://127.0.0.1:18121"}})
	before, m = noticesThenAnswer(t, m, noticesMsg{notices: []store.Notice{{Kind: store.Resync}}})
	if !before.win.loading {
		t.Error("Resync did not re-read the window")
	}
	if h := headerLine(m); !strings.Contains(h, "● http://127.0.0.1:18121") {
		t.Fatalf("header after Resync: %q", h)
	}
}

// noticesThenAnswer folds msg into m, then gives it the listener's answer
// to the question the notices made it ask; before is m between the two.
// The batch's other commands are run and their messages dropped.
func noticesThenAnswer(t *testing.T, m Model, msg noticesMsg) (before, after Model) {
	t.Helper()
	before, cmd := m.handleNotices(msg)
	var answer tea.Msg
	settle(t, []tea.Cmd{cmd}, func(msg tea.Msg) tea.Cmd {
		if _, isAnswer := msg.(listenerMsg); isAnswer && answer == nil {
			answer = msg
		}
		return nil
	})
	if answer == nil {
		t.Fatal("the listener was not asked")
	}
	nm, _ := before.Update(answer)
	return before, nm.(Model)
}

// TestQuitErrors: a stop someone asked for (the context ending, a SIGINT
// to the process) is a normal end of the view, not an error; anything else
// the program reports still is.
func TestQuitErrors(t *testing.T) {
	live := context.Background()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	other := errors.New("terminal gone")
	for _, tt := range []struct {
		name string
		ctx  context.Context
		err  error
		want error
	}{
		{"quit", live, nil, nil},
		{"interrupted", live, tea.ErrInterrupted, nil},
		{"killed by the context", done, tea.ErrProgramKilled, nil},
		{"killed otherwise", live, tea.ErrProgramKilled, tea.ErrProgramKilled},
		{"other", live, other, other},
	} {
		if got := quitErr(tt.ctx, tt.err); !errors.Is(got, tt.want) || (tt.want == nil) != (got == nil) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// goneSource is a Source whose reads fail as store/remote's do once the
// listener it reaches the database through stopped, while gone is set.
type goneSource struct {
	*uitest.Source
	mu   sync.Mutex
	gone bool
}

func (s *goneSource) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.gone {
		return nil
	}
	return fmt.Errorf("the listener holding /tmp/audit-7f3e/a.db stopped (nothing answers on /tmp/audit-7f3e/a.db.sock): start it again, or run the command again to read the file directly: %w", store.ErrGone)
}

func (s *goneSource) setGone(g bool) { s.mu.Lock(); s.gone = g; s.mu.Unlock() }

func (s *goneSource) List(ctx context.Context, q store.Query) ([]store.Record, error) {
	if err := s.err(); err != nil {
		return nil, err
	}
	return s.Source.List(ctx, q)
}

func (s *goneSource) Count(ctx context.Context, filter string) (int, int, error) {
	if err := s.err(); err != nil {
		return 0, 0, err
	}
	return s.Source.Count(ctx, filter)
}

func (s *goneSource) Get(ctx context.Context, id string) (store.Record, error) {
	if err := s.err(); err != nil {
		return store.Record{}, err
	}
	return s.Source.Get(ctx, id)
}

// TestAttachedListenerStoppedKeepsFilter: once the listener an attached
// view reads through stops, a filter typed is kept (in the header) and
// applied when the listener is back (Resync), rather than dropped as if it
// did not parse; and the status line says what happened and what to do,
// whole, at any width, where the client's long error was cut mid-path.
func TestAttachedListenerStoppedKeepsFilter(t *testing.T) {
	for _, w := range []int{160, 100, 80, 60} {
		src, _ := mixedSource(20 * uitest.Kinds) // more than a window: G reads
		_, want, _ := src.Count(context.Background(), "sig:invalid")
		gs := &goneSource{Source: src}
		m := newTestModel(t, src, w, 30, func(o *Options) { o.Source = gs })
		gs.setGone(true)

		says := func(m Model, when string) {
			t.Helper()
			line := m.statusLine()
			if ansi.StringWidth(line) > w || strings.Contains(line, "…") || strings.Contains(line, "/tmp/audit") {
				t.Fatalf("%d cells, %s: status cut or raw: %q", w, when, line)
			}
			if !slices.ContainsFunc(listenerGone, func(s string) bool { return strings.Contains(line, s) }) {
				t.Fatalf("%d cells, %s: status %q does not say the listener stopped", w, when, line)
			}
		}
		m = press(t, m, "G")
		says(m, "after G")

		m = press(t, m, "/")
		m = drive(t, m, nil, tea.PasteMsg{Content: "sig:invalid"})
		m = press(t, m, "enter")
		// (At 60 cells the header has no room for the filter's text.)
		if m.filter != "sig:invalid" || w >= 80 && !strings.Contains(m.header.View(), "sig:invalid") {
			t.Fatalf("%d cells: the filter was dropped: active %q, header %q", w, m.filter, m.header.View())
		}
		says(m, "after a filter")

		gs.setGone(false)
		m = drive(t, m, nil, noticesMsg{notices: []store.Notice{{Kind: store.Resync}}, closed: true})
		if m.filter != "sig:invalid" || m.filterUnconfirmed || len(m.list.Rows()) != want {
			t.Fatalf("%d cells, listener back: filter %q (unconfirmed %v), %d rows", w, m.filter, m.filterUnconfirmed, len(m.list.Rows()))
		}
	}
}

// TestListenerStoppedSaidUntilBack: an attached view says the listener
// stopped as soon as its notices say so (Lost), without waiting for a read
// to fail, and keeps saying it past any message's lifetime until the
// listener is back (Resync). Before, the bar went on saying "● live" until
// a key happened to read something.
func TestListenerStoppedSaidUntilBack(t *testing.T) {
	src, _ := mixedSource(5)
	now := testNow
	m := newTestModel(t, src, 120, 30, func(o *Options) {
		o.Now = func() time.Time { return now }
		o.Listener = func(context.Context) (ListenerInfo, error) { return ListenerInfo{}, errors.New("nobody answers") }
	})
	stopped := func(m Model) bool { return strings.Contains(m.statusLine(), "listener stopped") }
	if stopped(m) {
		t.Fatalf("says stopped before anything happened: %q", m.statusLine())
	}
	m, _ = apply(m, noticesMsg{notices: []store.Notice{{Kind: store.Lost}}})
	if !stopped(m) {
		t.Fatalf("after Lost: %q", m.statusLine())
	}
	now = now.Add(time.Hour)
	if !stopped(m) {
		t.Fatalf("an hour later: %q", m.statusLine())
	}
	// Another message replaces it for a while; once that one expires,
	// the listener is still gone and the bar says so again.
	m.setStatus(levelInfo, "Copied the body")
	if stopped(m) {
		t.Fatalf("the newer message is not shown: %q", m.statusLine())
	}
	now = now.Add(time.Hour)
	if !stopped(m) {
		t.Fatalf("after the newer message expired: %q", m.statusLine())
	}
	m, _ = apply(m, noticesMsg{notices: []store.Notice{{Kind: store.Resync}}})
	if stopped(m) {
		t.Fatalf("after Resync: %q", m.statusLine())
	}
}
