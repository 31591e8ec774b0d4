// Package ui is hookscope's live terminal interface, built on Bubble Tea v2:
// a header, the delivery list and the per-delivery detail, a filter, help,
// a status bar, and replay of deliveries (one, the marked ones, or an
// edited copy) to a target the user types.
//
// The root Model is the only tea.Model. It owns focus (which child gets a
// key), the window of deliveries held, and every read from the Source, all
// of which run as tea.Cmds; children (ui/header, ui/list, ui/detail) keep
// their own state and render themselves. Live notices are coalesced and
// the window re-read at a bounded rate, so a flood of deliveries neither
// lags the UI nor grows its memory. Network text is made terminal-safe
// (ui/termsafe) before anything styles it. The package writes nothing to
// stdout or stderr besides the screen the program owns.
package ui

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/body"
	"github.com/hookscope/hookscope/ui/detail"
	"github.com/hookscope/hookscope/ui/header"
	"github.com/hookscope/hookscope/ui/input"
	"github.com/hookscope/hookscope/ui/list"
	"github.com/hookscope/hookscope/ui/redact"
)

// focus says which part of the screen gets keys.
type focus int

const (
	focusList focus = iota
	focusDetail
	focusFilter
	focusPrompt  // the replay target prompt
	focusConfirm // the warning before an edited copy is sent
)

// Model is the root tea.Model of the TUI.
type Model struct {
	opts     Options
	ctx      context.Context
	src      Source
	keys     KeyMap
	styles   Styles
	noColor  bool
	redactor *redact.Redactor
	now      func() time.Time
	// listenerDown is set while the listener an attached view reads
	// through is stopped (setListenerGone): the status line says so
	// whenever no newer message is showing.
	listenerDown bool
	after        func(time.Duration, tea.Msg) tea.Cmd // tick
	// exec hands the terminal to a program ($EDITOR); tests run it
	// without a terminal.
	exec func(*exec.Cmd, tea.ExecCallback) tea.Cmd

	width, height int
	focus         focus
	detailOpen    bool
	showHelp      bool

	header header.Model
	list   list.Model
	detail detail.Model
	help   help.Model
	input  input.Model // the filter
	target input.Model // the replay target
	bar    progress.Model

	filter            string // the active filter
	prevFilter        string // restored when a new filter fails
	filterUnconfirmed bool
	filterBack        focus // where keys go when the filter input closes

	win       window
	counts    counts
	rate      rate
	newAbove  int // deliveries captured since the list stopped following
	publicURL string
	revealID  string // the delivery whose secrets are shown
	status    status

	// listenURL and forwardTo are where the listener captures and
	// forwards: Options' values, updated by Options.Listener's answers.
	listenURL, forwardTo string
	forwardShown         string // forwardTo masked (maskedTarget), worked out when it changes
	asking               asking // questions to an attached listener

	marks map[string]bool // deliveries marked for R; replaced, never changed in place
	// pinning holds the deliveries whose pin (true) or unpin (false) is
	// in flight: p on one of them again waits, since its row still shows
	// the old state and two requests could reach the store in either
	// order. Replaced, never changed in place.
	pinning map[string]bool
	recent  []string // replay targets, newest first
	prompt  replayPrompt
	bulk    bulkRun
}

// New returns the TUI model for opts. Run it with Run, or with a
// tea.Program of your own (it sets the alternate screen and mouse mode in
// its View).
func New(opts Options) Model {
	m := Model{
		opts:     opts,
		ctx:      context.Background(),
		src:      opts.Source,
		keys:     DefaultKeyMap(),
		noColor:  opts.NoColor || os.Getenv("NO_COLOR") != "",
		redactor: redact.New(opts.Secrets),
		now:      opts.Now,
		after:    tick,
		exec:     tea.ExecProcess,

		listenURL: opts.ListenURL,
	}
	if m.now == nil {
		m.now = time.Now
	}
	m.styles = m.themeFor(true)
	m.header = header.New(m.styles.Header)
	m.list = list.New(m.styles.List, m.styles.Verdict, opts.Location)
	m.list.SetMasking(m.redactor, "")
	m.setForwardTo(opts.ForwardTo)
	m.detail = detail.New(m.styles.Detail, m.styles.Verdict, m.redactor, body.NewHighlighter(m.styles.Chroma), opts.Location)
	m.help = help.New()
	m.help.FullSeparator = "   "
	m.help.Styles = m.styles.Help
	m.input = input.New("/", m.styles.Input)
	m.input.Placeholder = "text, provider:, type:, sig:, schema:, status:5xx, method:, dup:yes — enter applies, esc clears"
	m.target = input.New("replay to ", m.styles.Input)
	m.target.Placeholder = "http://localhost:3000/webhooks"
	m.bar = newBar(m.styles.Status)
	// The first window and count are requested by Init with these numbers.
	m.win.seq, m.win.loading = 1, true
	m.counts.seq, m.counts.loading = 1, true
	m.syncList()
	m.syncHeader()
	return m
}

func (m Model) themeFor(isDark bool) Styles {
	if m.noColor {
		return PlainStyles()
	}
	return NewStyles(isDark)
}

// setStyles rebuilds every component's styles (a background colour
// answer arrived).
func (m *Model) setStyles(s Styles) {
	m.styles = s
	m.header.SetStyles(s.Header)
	m.list.SetStyles(s.List, s.Verdict)
	m.detail.SetStyles(s.Detail, s.Verdict, body.NewHighlighter(s.Chroma))
	m.help.Styles = s.Help
	m.input.SetStyles(s.Input)
	m.target.SetStyles(s.Input)
	m.bar = newBar(s.Status)
}

// newBar returns the bulk replay progress bar in the theme's colours. It
// is drawn with ViewAs, never animated: a repaint per answer is enough.
func newBar(s StatusStyles) progress.Model {
	b := progress.New(progress.WithoutPercentage(), progress.WithFillCharacters('█', '░'),
		progress.WithColors(s.Bar.GetForeground()))
	b.EmptyColor = s.BarEmpty.GetForeground()
	return b
}

// Init requests the background colour, the first window and counts, and
// starts listening for notices and ticking.
func (m Model) Init() tea.Cmd {
	return tea.Batch(
		tea.RequestBackgroundColor,
		readWindow(m.ctx, m.src, m.win.seq, "", m.filter, m.windowLimit()),
		readCounts(m.ctx, m.src, m.counts.seq, m.filter),
		waitNotices(m.opts.Notices),
		m.after(time.Second, secondMsg{}),
		lookupPublicURL(m.ctx, m.opts.PublicURL),
		m.loadRecent(),
		m.firstAsk(),
	)
}

// screen is where each part of the screen is, for drawing and for mouse
// hits.
type screen struct {
	mainY, mainH  int
	barLines      []string // the replay prompt or warning, above the status line
	statusY       int
	helpH         int
	split         bool
	listW         int // 0 when the list is hidden
	detailX       int
	detailW       int // 0 when the detail is hidden
	listX         int
	fullHelpLines []string
}

// fullHelpLines renders the columns of ? side by side as far as width
// allows and the rest below them: bubbles/help alone drops the columns
// that do not fit, which on a narrow terminal hid q and the replay keys.
func fullHelpLines(h help.Model, groups [][]key.Binding, width int) []string {
	h.SetWidth(0) // measured here
	var lines []string
	for len(groups) > 0 {
		n := 1
		for n < len(groups) && lipgloss.Width(h.FullHelpView(groups[:n+1])) <= width {
			n++
		}
		lines = append(lines, strings.Split(h.FullHelpView(groups[:n]), "\n")...)
		groups = groups[n:]
	}
	return lines
}

func (m Model) layout() screen {
	var s screen
	s.helpH = 1
	if m.showHelp {
		s.fullHelpLines = fullHelpLines(m.help, m.helpKeys().FullHelp(), m.width-1)
		s.helpH = len(s.fullHelpLines)
	}
	s.barLines = m.promptBar()
	s.mainY = header.Height
	s.mainH = max(1, m.height-header.Height-1-s.helpH-len(s.barLines))
	s.statusY = s.mainY + s.mainH + len(s.barLines)
	switch {
	case !m.detailOpen:
		s.listW = m.width
	case m.width >= SplitMinWidth:
		s.split = true
		s.listW = max(60, m.width*2/5)
		s.detailX = s.listW + 1 // the separator
		s.detailW = m.width - s.detailX
	default:
		s.detailW = m.width
	}
	return s
}

func (m Model) helpKeys() contextKeys {
	return contextKeys{k: m.keys, focus: m.focus, filter: m.filter != "",
		bulk: m.bulk.active && !m.bulk.stopping, resign: m.prompt.canResign}
}

// resize gives every component its size.
func (m *Model) resize() {
	s := m.layout()
	m.header.SetSize(m.width)
	lw := s.listW
	if s.split {
		lw-- // a space before the separator
	}
	m.list.SetSize(lw, s.mainH)
	m.detail.SetSize(s.detailW, s.mainH)
	m.help.SetWidth(m.width)
}

// syncHeader copies the model's facts into the header.
func (m *Model) syncHeader() {
	spark := m.rate.series(m.now())
	m.header.SetInfo(header.Info{
		ListenURL: m.listenURL, ForwardTo: m.forwardShown, PublicURL: m.publicURL, DBPath: m.opts.DBPath,
		Total: m.counts.total, Matched: m.counts.matched, CountsKnown: m.counts.known, MatchedStale: m.counts.filter != m.filter,
		Filter: m.filter, Rate: float64(spark[len(spark)-2]), // the last complete second
		Spark: spark,
	})
}

// setForwardTo records where the listener forwards, and its masked form:
// the header is synced every second, the target changes only when the
// listener says so.
func (m *Model) setForwardTo(target string) {
	m.forwardTo, m.forwardShown = target, m.maskedTarget(target)
}

// maskedTarget is a forward or replay target URL as the TUI shows it: a
// password as xxxxx (as attempts record it), configured secrets and the
// query's secret fields masked as in the targets of attempts.
func (m Model) maskedTarget(target string) string {
	if target == "" {
		return ""
	}
	masked, _ := m.redactor.RequestTarget(store.RedactURLPassword(target))
	return masked
}

// syncList updates what the list says when empty.
func (m *Model) syncList() {
	var msg string
	switch {
	case m.filter != "":
		msg = "No deliveries match this filter.\nesc clears it; / edits it."
	case m.listenURL != "":
		u := strings.TrimRight(m.listenURL, "/")
		msg = "Waiting for deliveries…\n\nPoint a webhook at " + u + "/any/path, or try:\n  curl -d '{\"hello\":\"world\"}' " + u + "/test"
	default:
		msg = "This database holds no deliveries yet."
	}
	m.list.SetEmptyMessage(msg)
	m.list.SetFocused(m.focus != focusDetail)
}

// syncDetail shows the selected delivery in an open detail and returns the
// command reading its body when needed.
func (m *Model) syncDetail() tea.Cmd {
	if !m.detailOpen {
		return nil
	}
	r, ok := m.list.Selected()
	if !ok {
		return nil // keep showing the last delivery, if any
	}
	m.detail.SetRecord(r)
	cmd := m.detail.SetReveal(m.revealID == r.ID)
	if m.detail.NeedsBody() {
		return tea.Batch(cmd, m.readBody(r.ID))
	}
	return cmd
}
