package ui

import (
	"context"
	"errors"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/store"
)

// window is which slice of the matching deliveries the list holds: up to
// windowScreens screens starting at the delivery from (inclusive; "" is the
// newest). history holds earlier values of from so that paging back up can
// re-read them: the Source only pages towards older deliveries.
type window struct {
	from    string
	history []string
	// newerUnread says deliveries newer than the window lie beyond
	// history (the window was reached by seekOldest, which reads only the
	// oldest ones): paging up past the end of history reads them.
	newerUnread bool
	// arrived counts deliveries captured since the last read of the newest
	// window was asked for: while it is not zero, rows[0] of the list may
	// not be the newest delivery, even when from is "" (the re-read is
	// cooling down) or the window is pinned at what was the newest.
	arrived int
	// up is how many rows the user moved up past the top of the window
	// while newer deliveries were being read: the cursor moves by that
	// much once they are in.
	up      int
	seq     int // of the latest request; older answers are dropped
	loading bool
	dirty   bool // live changes arrived: a re-read is due
	cooling bool // a re-read happened less than RepaintInterval ago
}

// windowScreens is the size of the window in screens of rows.
const windowScreens = 3

// windowMsg is the answer to a window read.
type windowMsg struct {
	seq      int
	from     string
	filter   string
	rows     []store.Record
	atOldest bool
	seek     bool
	err      error
	// anchorLost says the delivery from pointed at is gone
	// (store.ErrNotFound).
	anchorLost bool
}

// countMsg is the answer to a count.
type countMsg struct {
	seq            int
	filter         string // what matched was counted for
	total, matched int
	err            error
}

// counts tracks the header counts and their throttling.
type counts struct {
	total, matched int
	filter         string // the filter matched was counted for
	known          bool
	seq            int
	loading        bool
	dirty          bool
	cooling        bool
}

func (m Model) windowLimit() int { return max(10, windowScreens*m.list.Visible()) }

// fetchWindow starts a read of the window and returns the command.
func (m Model) fetchWindow() (Model, tea.Cmd) {
	m.win.seq++
	m.win.loading, m.win.dirty = true, false
	if m.win.from == "" {
		m.win.arrived = 0
	}
	return m, readWindow(m.ctx, m.src, m.win.seq, m.win.from, m.filter, m.windowLimit())
}

func readWindow(ctx context.Context, src Source, seq int, from, filter string, limit int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		msg := windowMsg{seq: seq, from: from, filter: filter}
		if from == "" {
			rows, err := src.List(ctx, store.Query{Filter: filter, Limit: limit})
			msg.rows, msg.atOldest, msg.err = rows, len(rows) < limit, err
			return msg
		}
		first, err := src.Get(ctx, from)
		if err != nil {
			// Only a delivery that is gone (pruned) moves the window; a
			// slow or failing Source leaves it where the user put it.
			msg.err, msg.anchorLost = err, errors.Is(err, store.ErrNotFound)
			return msg
		}
		rest, err := src.List(ctx, store.Query{Filter: filter, Before: from, Limit: limit - 1})
		msg.rows, msg.atOldest, msg.err = append([]store.Record{first}, rest...), len(rest) < limit-1, err
		return msg
	}
}

// seekOldest reads the oldest matching deliveries: one oldest-first read of
// a window, whatever the number of deliveries. Deliveries above it are read
// when the user pages up to them (readNewer).
func seekOldest(ctx context.Context, src Source, seq int, filter string, limit int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		rows, err := src.List(ctx, store.Query{Filter: filter, Oldest: true, Limit: limit})
		if err != nil {
			return windowMsg{seq: seq, filter: filter, err: err, seek: true}
		}
		slices.Reverse(rows) // the list is newest first
		msg := windowMsg{seq: seq, filter: filter, rows: rows, atOldest: true, seek: true}
		if len(rows) == limit {
			// There may be newer ones: the window starts at its newest.
			msg.from = rows[0].ID
		}
		return msg
	}
}

// newerMsg is the answer to readNewer: where the window starts once it has
// moved up.
type newerMsg struct {
	seq  int
	from string
	err  error
}

// readNewer finds where a window step rows above the one starting at from
// starts: the step-th matching delivery newer than from, or "" (the newest
// window) when there are fewer.
func readNewer(ctx context.Context, src Source, seq int, filter, from string, step int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		rows, err := src.List(ctx, store.Query{Filter: filter, Oldest: true, After: from, Limit: step})
		msg := newerMsg{seq: seq, err: err}
		if err == nil && len(rows) == step {
			msg.from = rows[step-1].ID
		}
		return msg
	}
}

// handleNewer moves the window up to where readNewer found it starts.
func (m Model) handleNewer(msg newerMsg) (Model, tea.Cmd) {
	if msg.seq != m.win.seq {
		return m, nil // superseded
	}
	m.win.loading = false
	if msg.err != nil {
		m.win.up = 0
		if !errors.Is(msg.err, context.Canceled) {
			m.setSourceError("reading deliveries", msg.err)
		}
		return m, nil
	}
	m.win.from = msg.from
	m.win.newerUnread = msg.from != ""
	return m.fetchWindow()
}

// handleWindow applies a window read.
func (m Model) handleWindow(msg windowMsg) (Model, tea.Cmd) {
	if msg.seq != m.win.seq {
		return m, nil // superseded
	}
	m.win.loading = false
	if msg.err != nil {
		m.win.up = 0
	}
	var cmds []tea.Cmd
	if !m.win.cooling {
		m.win.cooling = true
		cmds = append(cmds, m.after(RepaintInterval, repaintMsg{}))
	}
	if msg.err != nil {
		switch {
		case msg.anchorLost:
			// The first delivery of the window is gone: start again at
			// the newest.
			m.win.from, m.win.history, m.win.newerUnread = "", nil, false
			m.list.Follow()
			m, c := m.fetchWindow()
			return m, tea.Batch(append(cmds, c)...)
		case m.filterUnconfirmed && msg.filter == m.filter && !errors.Is(msg.err, store.ErrGone):
			// The new filter does not parse (or cannot run): keep the
			// previous one. The message is the Source's, meant for the
			// user and already naming the filter ("filter: unknown key…").
			// A listener that stopped said nothing of the filter: it
			// stays, unconfirmed, and is read when the listener is back
			// (a Resync notice makes the window due).
			m.setStatus(levelError, msg.err.Error())
			m.status.filter = true
			m.filter, m.filterUnconfirmed = m.prevFilter, false
			m.input.SetValue(m.filter)
			m.syncHeader()
			m, c := m.fetchWindow()
			return m, tea.Batch(append(cmds, c)...)
		case errors.Is(msg.err, context.Canceled):
		default:
			m.setSourceError("reading deliveries", msg.err)
		}
		return m, tea.Batch(cmds...)
	}
	if msg.filter == m.filter && m.filterUnconfirmed {
		m.filterUnconfirmed = false
	}
	if msg.seek {
		m.win.from, m.win.history, m.win.newerUnread = msg.from, nil, msg.from != ""
	}
	m.list.SetRows(msg.rows, msg.atOldest)
	if msg.seek {
		m.list.Bottom()
	}
	if up := m.win.up; up > 0 {
		// The rows above the top the user moved past are in.
		m.win.up = 0
		m.list.MoveBy(-up, m.atNewest())
		if m.list.Following() {
			m.newAbove = 0
		}
	}
	m.syncList()
	cmds = append(cmds, m.syncDetail())
	m, c := m.maybePage()
	cmds = append(cmds, c)
	return m, tea.Batch(cmds...)
}

// maybeRefresh re-reads the window when live changes are due and the
// repaint budget allows.
func (m Model) maybeRefresh() (Model, tea.Cmd) {
	if !m.win.dirty || m.win.loading || m.win.cooling {
		return m, nil
	}
	if m.win.from == "" && !m.list.Following() && len(m.list.Rows()) > 0 {
		// Pin the window so arrivals do not push the selection away.
		m.win.from = m.list.Rows()[0].ID
	}
	return m.fetchWindow()
}

// maybePage moves the window when the cursor nears one of its ends.
func (m Model) maybePage() (Model, tea.Cmd) {
	if m.win.loading {
		return m, nil
	}
	rows, h := m.list.Rows(), m.list.Visible()
	cur, off := m.list.Cursor(), m.list.Offset()
	switch {
	case !m.list.AtOldest() && len(rows) > 0 && cur > len(rows)-h:
		k := max(1, off-h)
		if k >= len(rows) {
			return m, nil
		}
		m.win.history = append(m.win.history, m.win.from)
		m.win.from = rows[k].ID
		return m.fetchWindow()
	case off < h && len(m.win.history) > 0:
		m.win.from = m.win.history[len(m.win.history)-1]
		m.win.history = m.win.history[:len(m.win.history)-1]
		return m.fetchWindow()
	case off < h && m.win.newerUnread:
		m.win.seq++
		m.win.loading = true
		return m, readNewer(m.ctx, m.src, m.win.seq, m.filter, m.win.from, h)
	}
	return m, nil
}

// atNewest reports whether the first row of the window is the newest
// matching delivery: the window was read from the newest and nothing
// arrived since. Landing on that row follows arrivals again.
func (m Model) atNewest() bool { return m.win.from == "" && m.win.arrived == 0 }

// newerAbove reports whether deliveries newer than the first row of the
// window may exist that the window does not hold and history cannot
// re-read.
func (m Model) newerAbove() bool {
	return len(m.win.history) == 0 && (m.win.newerUnread || m.win.arrived > 0)
}

// readAbove moves the cursor up past the top of the window by n rows: it
// selects the first row, reads the deliveries above it and moves the rest
// of the way once they are in (handleWindow).
func (m Model) readAbove(n int) (Model, tea.Cmd) {
	top := m.list.Rows()[0].ID
	m.win.up = n - m.list.Cursor()
	m.list.MoveBy(-m.list.Cursor(), false)
	m.win.seq++
	m.win.loading = true
	return m, readNewer(m.ctx, m.src, m.win.seq, m.filter, top, max(m.list.Visible(), m.win.up))
}

// goNewest selects the newest delivery and follows arrivals again.
func (m Model) goNewest() (Model, tea.Cmd) {
	m.newAbove, m.win.up = 0, 0
	m.list.Follow()
	if m.win.from == "" && len(m.win.history) == 0 {
		m.syncList()
		return m, m.syncDetail()
	}
	m.win.from, m.win.history, m.win.newerUnread = "", nil, false
	return m.fetchWindow()
}

// fetchCounts starts a count and returns the command.
func (m Model) fetchCounts() (Model, tea.Cmd) {
	m.counts.seq++
	m.counts.loading, m.counts.dirty = true, false
	return m, readCounts(m.ctx, m.src, m.counts.seq, m.filter)
}

func readCounts(ctx context.Context, src Source, seq int, filter string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		t, n, err := src.Count(ctx, filter)
		return countMsg{seq: seq, filter: filter, total: t, matched: n, err: err}
	}
}

func (m Model) maybeCount() (Model, tea.Cmd) {
	if !m.counts.dirty || m.counts.loading || m.counts.cooling {
		return m, nil
	}
	return m.fetchCounts()
}

func (m Model) handleCount(msg countMsg) (Model, tea.Cmd) {
	if msg.seq != m.counts.seq {
		return m, nil
	}
	m.counts.loading = false
	var cmd tea.Cmd
	if !m.counts.cooling {
		m.counts.cooling = true
		cmd = m.after(CountInterval, recountMsg{})
	}
	if msg.err == nil {
		m.counts.total, m.counts.matched, m.counts.filter, m.counts.known = msg.total, msg.matched, msg.filter, true
		m.syncHeader()
	}
	return m, cmd
}
