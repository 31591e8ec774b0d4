package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/store"
)

// noticesMsg is a coalesced batch of store notices.
type noticesMsg struct {
	notices []store.Notice
	closed  bool // the channel was closed: stop listening
}

// Coalescing of notices: a batch closes this long after its first notice
// or when it holds maxBatch notices.
const (
	coalesceWindow = 20 * time.Millisecond
	maxBatch       = 4096
)

// waitNotices returns the command that reads the next batch of notices.
func waitNotices(ch <-chan store.Notice) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		n, ok := <-ch
		if !ok {
			return noticesMsg{closed: true}
		}
		batch := []store.Notice{n}
		timer := time.NewTimer(coalesceWindow)
		defer timer.Stop()
		for len(batch) < maxBatch {
			select {
			case n, ok := <-ch:
				if !ok {
					return noticesMsg{notices: batch, closed: true}
				}
				batch = append(batch, n)
			case <-timer.C:
				return noticesMsg{notices: batch}
			}
		}
		return noticesMsg{notices: batch}
	}
}

// repaintMsg ends the cool-down after a live re-read of the window.
type repaintMsg struct{}

// recountMsg ends the cool-down after a count.
type recountMsg struct{}

// secondMsg is the once-a-second tick: rate, sparkline, status expiry.
type secondMsg struct{}

// publicURLMsg carries the result of a tunnel lookup.
type publicURLMsg struct {
	url string
	err error
	// once is a lookup outside the poll (the listening URL changed): it
	// schedules no next one.
	once bool
}

// pollPublicURLMsg asks for the next tunnel lookup.
type pollPublicURLMsg struct{}

// tick returns msg after d. Tests replace it (Model.after) to run
// without waiting.
func tick(d time.Duration, msg tea.Msg) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

func lookupPublicURL(ctx context.Context, f func(context.Context) (string, error)) tea.Cmd {
	return publicURLLookup(ctx, f, false)
}

// lookupPublicURLOnce looks the tunnel up outside the poll.
func lookupPublicURLOnce(ctx context.Context, f func(context.Context) (string, error)) tea.Cmd {
	return publicURLLookup(ctx, f, true)
}

func publicURLLookup(ctx context.Context, f func(context.Context) (string, error), once bool) tea.Cmd {
	if f == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		u, err := f(ctx)
		return publicURLMsg{url: u, err: err, once: once}
	}
}

// rate counts deliveries per second over the last minute.
type rate struct {
	buckets [60]int
	last    int64 // the unix second of the newest bucket
}

func (r *rate) advance(sec int64) {
	if r.last == 0 || sec-r.last >= 60 {
		r.buckets = [60]int{}
		r.last = sec
		return
	}
	for s := r.last + 1; s <= sec; s++ {
		r.buckets[s%60] = 0
	}
	if sec > r.last {
		r.last = sec
	}
}

func (r *rate) add(t time.Time, n int) {
	r.advance(t.Unix())
	if sec := t.Unix(); sec > r.last-60 {
		r.buckets[sec%60] += n
	}
}

// series returns the counts of the last 60 seconds, oldest first, the
// current (incomplete) second last.
func (r rate) series(now time.Time) []int {
	r.advance(now.Unix())
	out := make([]int, 60)
	for i := range out {
		sec := now.Unix() - 59 + int64(i)
		out[i] = r.buckets[sec%60]
	}
	return out
}

// handleNotices folds a batch into the model: the rate, the "new above"
// count, and a due re-read of the window and the counts.
func (m Model) handleNotices(msg noticesMsg) (Model, tea.Cmd) {
	captured, changed, ask := 0, false, false
	for _, n := range msg.notices {
		switch n.Kind {
		case store.Captured:
			captured++
		case store.Lost:
			// The listener went away: nothing to re-read now, but a
			// restarted one may listen elsewhere, or not at all. The
			// view is not live meanwhile, and says so until it is.
			ask = true
			m.setListenerGone()
			continue
		case store.Resync:
			// It came back: what arrived meanwhile is re-read below,
			// and may lie above the window.
			ask = true
			m.win.arrived++
			m.clearListenerGone()
		}
		changed = true
	}
	m.win.arrived += captured
	if captured > 0 {
		m.rate.add(m.now(), captured)
		if !m.list.Following() {
			m.newAbove += captured
		}
	}
	m.win.dirty = changed || m.win.dirty
	m.counts.dirty = changed || m.counts.dirty
	var cmds []tea.Cmd
	if !msg.closed {
		cmds = append(cmds, waitNotices(m.opts.Notices))
	}
	if msg.closed || ask {
		if msg.closed && m.opts.Listener != nil {
			// Attached, the notices end when the listener stops: say so
			// now, not at the next read that fails.
			m.setListenerGone()
		}
		var c tea.Cmd
		m, c = m.listenerGone()
		cmds = append(cmds, c)
	}
	m, c := m.maybeRefresh()
	cmds = append(cmds, c)
	m, c = m.maybeCount()
	cmds = append(cmds, c)
	m.syncHeader()
	return m, tea.Batch(cmds...)
}
