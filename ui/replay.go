package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/store"
)

// MaxRecentTargets is how many replay targets the prompt cycles through
// (and the Source need remember).
const MaxRecentTargets = 10

// PushRecent returns list with target first, without duplicates, keeping
// at most MaxRecentTargets: the order the prompt offers them in.
func PushRecent(list []string, target string) []string {
	out := []string{target}
	for _, t := range list {
		if t != target && len(out) < MaxRecentTargets {
			out = append(out, t)
		}
	}
	return out
}

// promptMode says what the target prompt is for.
type promptMode int

const (
	promptOne    promptMode = iota // r: the selected delivery, unmodified
	promptBulk                     // R: the marked deliveries
	promptEdited                   // e: an edited copy of one delivery
)

// replayPrompt is the open target prompt, then, for an edited copy, the
// warning that asks whether to re-sign.
type replayPrompt struct {
	mode   promptMode
	ids    []string
	rec    store.Record // promptEdited: the delivery edited
	edited []byte       // promptEdited: the edited body
	recent int          // the recent target shown; -1 once the user types
	back   focus        // where keys go when the prompt closes

	// The warning step (focusConfirm).
	target    string
	checking  bool // CanResign has not answered yet
	canResign bool
	why       string
}

// recentMsg carries the remembered replay targets.
type recentMsg struct {
	targets []string
	err     error
}

// savedTargetMsg says whether a target could be remembered.
type savedTargetMsg struct{ err error }

// replayedMsg is the answer to one replay (r or e).
type replayedMsg struct {
	id     string
	a      store.Attempt
	edited bool
	err    error
}

// resignMsg is CanResign's answer for the delivery being edited.
type resignMsg struct {
	id  string
	ok  bool
	why string
}

// attemptMsg carries a full attempt for the response view.
type attemptMsg struct {
	id  string
	seq int
	a   store.Attempt
	err error
}

func (m Model) loadRecent() tea.Cmd {
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		ts, err := src.RecentTargets(ctx)
		return recentMsg{targets: ts, err: err}
	}
}

// rememberTarget puts target first in the session's recent targets and
// returns the command that persists it through the Source.
func (m *Model) rememberTarget(target string) tea.Cmd {
	m.recent = PushRecent(m.recent, target)
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		return savedTargetMsg{err: src.AddRecentTarget(ctx, target)}
	}
}

// openPrompt asks for the target of p, pre-filled with the most recent
// one.
func (m Model) openPrompt(p replayPrompt) (Model, tea.Cmd) {
	p.back, p.recent = m.focus, -1
	if m.focus == focusPrompt || m.focus == focusConfirm {
		p.back = m.prompt.back
	}
	m.target.SetValue("")
	if len(m.recent) > 0 {
		p.recent = 0
		m.target.SetValue(m.recent[0])
	}
	switch p.mode {
	case promptBulk:
		m.target.Prompt = fmt.Sprintf("replay %s to ", pluralize(len(p.ids), "delivery", "deliveries"))
	case promptEdited:
		m.target.Prompt = "replay the edited copy to "
	default:
		m.target.Prompt = "replay to "
	}
	m.prompt, m.focus = p, focusPrompt
	m.clearTransientStatus()
	m.resize()
	m.syncList()
	// Read the remembered targets again: another hookscope may have
	// replayed somewhere since this one started.
	return m, m.loadRecent()
}

// mergeRecent is first followed by the targets of then it does not have,
// at most MaxRecentTargets.
func mergeRecent(first, then []string) []string {
	out := append([]string(nil), first[:min(len(first), MaxRecentTargets)]...)
	for _, t := range then {
		if len(out) >= MaxRecentTargets {
			break
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// closePrompt gives the keys back to where they were.
func (m *Model) closePrompt() {
	m.focus = m.prompt.back
	m.prompt = replayPrompt{}
	m.resize()
	m.syncList()
}

func (m Model) promptKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k, p := m.keys, &m.prompt
	switch {
	case key.Matches(msg, k.CancelPrompt):
		m.closePrompt()
		m.setStatus(levelInfo, "Replay cancelled")
		return m, nil
	case key.Matches(msg, k.RecentPrev, k.RecentNext):
		n := len(m.recent)
		if n == 0 {
			return m, nil
		}
		switch {
		case p.recent < 0 && key.Matches(msg, k.RecentPrev):
			p.recent = 0
		case p.recent < 0:
			p.recent = n - 1
		case key.Matches(msg, k.RecentPrev):
			p.recent = (p.recent + 1) % n
		default:
			p.recent = (p.recent - 1 + n) % n
		}
		m.target.SetValue(m.recent[p.recent])
		return m, nil
	case key.Matches(msg, k.Send):
		return m.sendFromPrompt()
	}
	before := m.target.Value()
	m.target.Update(msg)
	if m.target.Value() != before {
		p.recent = -1
	}
	return m, nil
}

// sendFromPrompt checks the typed target and starts what the prompt was
// for.
func (m Model) sendFromPrompt() (Model, tea.Cmd) {
	target := strings.TrimSpace(m.target.Value())
	if _, err := store.ParseTarget(target); err != nil {
		// The prompt stays open so the URL can be corrected.
		m.setStatus(levelError, "replay: "+err.Error())
		return m, nil
	}
	save := m.rememberTarget(target)
	p := m.prompt
	switch p.mode {
	case promptBulk:
		m.closePrompt()
		m, c := m.startBulk(p.ids, target)
		return m, tea.Batch(save, c)
	case promptEdited:
		if p.rec.SignatureOrPending().Status == store.SigUnsigned {
			// Nothing to break: no warning.
			m.closePrompt()
			return m, tea.Batch(save, m.sendEdited(p.rec.ID, target, p.edited, false))
		}
		m.prompt.target, m.prompt.checking = target, true
		m.focus = focusConfirm
		m.clearTransientStatus()
		m.resize()
		src, rec := m.src, p.rec
		return m, tea.Batch(save, func() tea.Msg {
			ok, why := src.CanResign(rec)
			return resignMsg{id: rec.ID, ok: ok, why: why}
		})
	}
	m.closePrompt()
	m.setStatus(levelInfo, "Replaying to "+store.RedactURLPassword(target)+"…")
	return m, tea.Batch(save, m.replayOne(p.ids[0], target))
}

func (m Model) handleResign(msg resignMsg) (Model, tea.Cmd) {
	if m.focus != focusConfirm || m.prompt.rec.ID != msg.id {
		return m, nil
	}
	m.prompt.checking, m.prompt.canResign, m.prompt.why = false, msg.ok, msg.why
	m.resize()
	return m, nil
}

func (m Model) confirmKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k, p := m.keys, m.prompt
	switch {
	case key.Matches(msg, k.CancelPrompt):
		m.closePrompt()
		m.setStatus(levelInfo, "Replay cancelled: the edited copy was not sent")
		return m, nil
	case p.checking:
		return m, nil
	case p.canResign && key.Matches(msg, k.Resign):
		m.closePrompt()
		return m, m.sendEdited(p.rec.ID, p.target, p.edited, true)
	case p.canResign && key.Matches(msg, k.NoResign), !p.canResign && key.Matches(msg, k.SendAnyway):
		m.closePrompt()
		return m, m.sendEdited(p.rec.ID, p.target, p.edited, false)
	}
	return m, nil
}

func (m *Model) sendEdited(id, target string, b []byte, resign bool) tea.Cmd {
	how := "the edited copy"
	if resign {
		how = "the edited copy, re-signed,"
	}
	m.setStatus(levelInfo, "Replaying "+how+" to "+store.RedactURLPassword(target)+"…")
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		a, err := src.ReplayEdited(ctx, id, target, b, resign)
		return replayedMsg{id: id, a: a, edited: true, err: err}
	}
}

func (m Model) replayOne(id, target string) tea.Cmd {
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		a, err := src.ReplayOne(ctx, id, target)
		return replayedMsg{id: id, a: a, err: err}
	}
}

func (m Model) handleReplayed(msg replayedMsg) (Model, tea.Cmd) {
	what := "Replay"
	if msg.edited {
		what = "Edited replay"
	}
	a := msg.a
	switch {
	case msg.err != nil:
		m.setSourceError(strings.ToLower(what), msg.err)
	case a.Status == 0:
		m.setStatus(levelError, fmt.Sprintf("%s #%d failed: %s", what, a.Seq, a.Error))
	default:
		l := levelWarn
		if a.Status/100 == 2 {
			l = levelInfo
		}
		m.setStatus(l, fmt.Sprintf("%s #%d → %d in %.1f ms · Replays tab shows the response", what, a.Seq, a.Status, a.DurationMS))
	}
	return m.attemptsChanged()
}

// attemptsChanged re-reads the window (within the repaint budget) so the
// new attempt shows in the list and the Replays tab even when the Source
// sends no notices.
func (m Model) attemptsChanged() (Model, tea.Cmd) {
	m.win.dirty = true
	return m.maybeRefresh()
}

// markedIDs returns the marked deliveries oldest first (ids sort by time),
// the order the command line replays a filter in.
func (m Model) markedIDs() []string {
	ids := make([]string, 0, len(m.marks))
	for id := range m.marks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// toggleMark marks or unmarks the selected delivery and moves down. The
// set is copied, never changed in place, so earlier copies of the model
// keep theirs.
func (m Model) toggleMark() (Model, tea.Cmd) {
	r, ok := m.list.Selected()
	if !ok {
		return m, nil
	}
	marks := make(map[string]bool, len(m.marks)+1)
	for id := range m.marks {
		marks[id] = true
	}
	if marks[r.ID] {
		delete(marks, r.ID)
	} else {
		marks[r.ID] = true
	}
	m.marks = marks
	m.list.SetMarked(marks)
	return m.moveBy(1)
}

// clearMarks unmarks everything.
func (m *Model) clearMarks() {
	m.marks = nil
	m.list.SetMarked(nil)
}

func (m Model) readAttempt(id string, seq int) tea.Cmd {
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		a, err := src.Attempt(ctx, id, seq)
		return attemptMsg{id: id, seq: seq, a: a, err: err}
	}
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
