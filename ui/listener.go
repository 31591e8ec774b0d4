package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
)

// asking is the state of the questions to an attached listener
// (Options.Listener). A round starts when the view knows no listening URL
// at start and when the listener's notices end; each answer without a URL
// schedules the next question after a doubling delay, up to
// ListenerRetries questions. A new round supersedes one under way.
type asking struct {
	round int // answers and retries of earlier rounds are dropped
	tries int // questions answered in this round
}

// listenerMsg carries a listener's answer.
type listenerMsg struct {
	round int
	info  ListenerInfo
	err   error
}

// askListenerMsg asks the listener again, after a backoff delay.
type askListenerMsg struct{ round int }

// askListener returns the command asking the listener where it listens
// and forwards; nil when the view is not attached to one.
func (m Model) askListener() tea.Cmd {
	f, ctx, round := m.opts.Listener, m.ctx, m.asking.round
	if f == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		info, err := f(ctx)
		return listenerMsg{round: round, info: info, err: err}
	}
}

// firstAsk is Init's question: only when the view knows no URL yet (the
// listener had not bound its port when it was dialled).
func (m Model) firstAsk() tea.Cmd {
	if m.listenURL != "" {
		return nil
	}
	return m.askListener()
}

// listenerGone starts a new round of questions: the listener's notices
// ended or were Lost, so it stopped, or they Resync after a restart, and a
// restarted one may listen elsewhere.
func (m Model) listenerGone() (Model, tea.Cmd) {
	if m.opts.Listener == nil {
		return m, nil
	}
	m.asking = asking{round: m.asking.round + 1}
	return m, m.askListener()
}

// listenerRetryDelay is the wait before question n+1 of a round.
func listenerRetryDelay(n int) time.Duration {
	d := ListenerRetryFirst
	for i := 1; i < n && d < ListenerRetryMax; i++ {
		d *= 2
	}
	return min(d, ListenerRetryMax)
}

// handleListener shows what the listener said and asks again later while
// it has no URL to give. An error means nobody answers: not listening.
func (m Model) handleListener(msg listenerMsg) (Model, tea.Cmd) {
	if msg.round != m.asking.round {
		return m, nil
	}
	m.asking.tries++
	info := msg.info
	if msg.err != nil {
		info = ListenerInfo{}
	}
	var cmds []tea.Cmd
	if msg.err == nil && info.URL != "" {
		m.clearListenerGone()
	}
	if info.URL != m.listenURL || info.ForwardTo != m.forwardTo {
		m.listenURL = info.URL
		m.setForwardTo(info.ForwardTo)
		m.syncHeader()
		m.syncList()
		// The tunnel is looked up for the new address now rather than at
		// the next poll.
		cmds = append(cmds, lookupPublicURLOnce(m.ctx, m.opts.PublicURL))
	}
	if m.listenURL == "" && m.asking.tries < ListenerRetries {
		cmds = append(cmds, m.after(listenerRetryDelay(m.asking.tries), askListenerMsg{round: m.asking.round}))
	}
	return m, tea.Batch(cmds...)
}
