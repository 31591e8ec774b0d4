package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/store"
)

// BulkConcurrency is how many attempts of a bulk replay are in flight at
// once: enough to finish a batch quickly, few enough not to flood the app
// under development.
const BulkConcurrency = 4

// bulkRun is a replay of several deliveries (R). The model issues one
// command per delivery, at most BulkConcurrency at a time, and starts the
// next as each answers; stopping only stops starting new ones, so every
// attempt that was sent is also recorded.
type bulkRun struct {
	run      int // numbers runs so a late answer of an old run is ignored
	active   bool
	stopping bool
	target   string
	ids      []string
	next     int // index of the next id to send
	inflight int
	sum      replaySummary
}

// replaySummary counts the outcomes of a bulk replay by the rule
// `hookscope replay` uses, and says them in the status bar's words.
type replaySummary struct{ store.AttemptTally }

func (s replaySummary) String() string {
	return fmt.Sprintf("%d 2xx, %d non-2xx, %s", s.OK, s.Non2xx, pluralize(s.Errors, "error", "errors"))
}

// bulkResultMsg is the answer to one attempt of a bulk replay.
type bulkResultMsg struct {
	run int
	id  string
	a   store.Attempt
	err error
}

// startBulk starts replaying ids to target.
func (m Model) startBulk(ids []string, target string) (Model, tea.Cmd) {
	m.bulk = bulkRun{run: m.bulk.run + 1, active: true, target: target, ids: ids}
	m.resize() // help lists esc now
	return m.fillBulk()
}

// fillBulk starts attempts until BulkConcurrency are in flight.
func (m Model) fillBulk() (Model, tea.Cmd) {
	var cmds []tea.Cmd
	b := &m.bulk
	for !b.stopping && b.inflight < BulkConcurrency && b.next < len(b.ids) {
		id, run, target := b.ids[b.next], b.run, b.target
		ctx, src := m.ctx, m.src
		cmds = append(cmds, func() tea.Msg {
			a, err := src.ReplayOne(ctx, id, target)
			return bulkResultMsg{run: run, id: id, a: a, err: err}
		})
		b.next++
		b.inflight++
	}
	return m, tea.Batch(cmds...)
}

// stopBulk stops starting new attempts; those in flight finish.
func (m Model) stopBulk() (Model, tea.Cmd) {
	m.bulk.stopping = true
	m.resize() // help no longer lists esc
	if m.bulk.inflight == 0 {
		return m.finishBulk()
	}
	m.setStatus(levelWarn, fmt.Sprintf("Stopping: waiting for %s in flight", pluralize(m.bulk.inflight, "attempt", "attempts")))
	return m, nil
}

func (m Model) handleBulkResult(msg bulkResultMsg) (Model, tea.Cmd) {
	if !m.bulk.active || msg.run != m.bulk.run {
		return m, nil
	}
	m.bulk.inflight--
	m.bulk.sum.Add(msg.a, msg.err)
	m, refresh := m.attemptsChanged()
	if m.bulk.inflight == 0 && (m.bulk.stopping || m.bulk.next >= len(m.bulk.ids)) {
		m, c := m.finishBulk()
		return m, tea.Batch(refresh, c)
	}
	m, c := m.fillBulk()
	return m, tea.Batch(refresh, c)
}

// finishBulk ends the run with its summary in the status bar.
func (m Model) finishBulk() (Model, tea.Cmd) {
	b := m.bulk
	m.bulk.active = false
	m.resize() // help no longer lists esc
	// The counts come first: a narrow status line cuts the URL, not them.
	text := fmt.Sprintf("Replayed %d of %d: %s", b.sum.Sent, len(b.ids), b.sum)
	if b.stopping {
		text += " · stopped"
	}
	text += " → " + store.RedactURLPassword(b.target)
	l := levelInfo
	if b.sum.Errors > 0 || b.sum.Non2xx > 0 || b.stopping {
		l = levelWarn
	}
	m.setStatusFor(l, text, SummaryTTL)
	return m, nil
}
