package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/detail"
)

// Update handles one message. It never does I/O: reads and writes are
// returned as commands.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		// A taller list holds more rows: re-read the window.
		if m.list.Loaded() && len(m.list.Rows()) < m.windowLimit() && !m.list.AtOldest() {
			m.win.dirty = true
			return m.maybeRefresh()
		}
		return m, nil
	case tea.BackgroundColorMsg:
		if !m.noColor {
			m.setStyles(NewStyles(msg.IsDark()))
		}
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		switch m.focus {
		case focusFilter:
			m.input.Update(msg)
		case focusPrompt:
			m.target.Update(msg)
			m.prompt.recent = -1
		}
		return m, nil
	case tea.MouseClickMsg:
		if m.focus == focusPrompt || m.focus == focusConfirm {
			return m, nil // a click must not move keys away from an open prompt
		}
		return m.handleClick(msg.Mouse())
	case tea.MouseWheelMsg:
		return m.handleWheel(msg.Mouse())
	case newerMsg:
		return m.handleNewer(msg)
	case windowMsg:
		return m.handleWindow(msg)
	case countMsg:
		return m.handleCount(msg)
	case noticesMsg:
		return m.handleNotices(msg)
	case repaintMsg:
		m.win.cooling = false
		return m.maybeRefresh()
	case recountMsg:
		m.counts.cooling = false
		return m.maybeCount()
	case secondMsg:
		m.syncHeader()
		return m, m.after(time.Second, secondMsg{})
	case publicURLMsg:
		m.publicURL = ""
		if msg.err == nil {
			m.publicURL = msg.url
		}
		m.syncHeader()
		if msg.once {
			return m, nil
		}
		return m, m.after(PublicURLInterval, pollPublicURLMsg{})
	case listenerMsg:
		return m.handleListener(msg)
	case askListenerMsg:
		if msg.round != m.asking.round {
			return m, nil
		}
		return m, m.askListener()
	case pollPublicURLMsg:
		return m, lookupPublicURL(m.ctx, m.opts.PublicURL)
	case bodyMsg:
		return m, m.detail.SetBody(msg.id, msg.b, msg.err)
	case detail.DocMsg:
		m.detail.SetDoc(msg)
		return m, nil
	case copyMsg:
		return m.handleCopy(msg)
	case recentMsg:
		if msg.err != nil {
			m.setSourceError("recent replay targets", msg.err)
		} else {
			// The file's order is the most recent first, whichever
			// hookscope replayed; this session's targets not in it yet
			// (a save in flight) follow.
			prev := m.recent
			m.recent = mergeRecent(msg.targets, m.recent)
			// A prompt still showing what it was opened with (nothing,
			// or the then most recent target) offers the newest now.
			shown := m.target.Value()
			untouched := shown == "" && m.prompt.recent < 0 ||
				m.prompt.recent >= 0 && m.prompt.recent < len(prev) && shown == prev[m.prompt.recent]
			if m.focus == focusPrompt && untouched && len(m.recent) > 0 {
				m.prompt.recent = 0
				m.target.SetValue(m.recent[0])
			}
		}
		return m, nil
	case savedTargetMsg:
		if msg.err != nil {
			m.setSourceError("remember target", msg.err)
		}
		return m, nil
	case replayedMsg:
		return m.handleReplayed(msg)
	case bulkResultMsg:
		return m.handleBulkResult(msg)
	case resignMsg:
		return m.handleResign(msg)
	case editReadyMsg:
		return m.handleEditReady(msg)
	case editorDoneMsg:
		return m, readEdited(msg)
	case editedMsg:
		return m.handleEdited(msg)
	case attemptMsg:
		return m, m.detail.SetAttempt(msg.id, msg.seq, msg.a, msg.err)
	case detail.AttemptMsg:
		m.detail.SetAttemptDoc(msg)
		return m, nil
	case pinMsg:
		return m.handlePinned(msg)
	case reverifyMsg:
		if msg.err != nil {
			m.setSourceError("re-verify", msg.err)
		} else {
			m.setStatus(levelInfo, "Re-verification requested; the verdict updates when it is done")
		}
		return m, nil
	}
	return m, nil
}

func (m Model) handleKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.keys
	if msg.String() == "ctrl+c" {
		// The first ctrl-c of a bulk replay stops it; the next quits.
		if m.bulk.active && !m.bulk.stopping {
			return m.stopBulk()
		}
		return m, tea.Quit
	}
	switch m.focus {
	case focusPrompt:
		return m.promptKey(msg)
	case focusConfirm:
		return m.confirmKey(msg)
	}
	if m.focus == focusFilter {
		switch {
		case key.Matches(msg, k.Apply):
			m.focus = m.filterBack
			m.syncList()
			return m.applyFilter(m.input.Value())
		case key.Matches(msg, k.Cancel):
			m.focus = m.filterBack
			m.input.SetValue("")
			m.syncList()
			return m.applyFilter("")
		}
		m.input.Update(msg)
		return m, nil
	}
	if m.bulk.active && !m.bulk.stopping && key.Matches(msg, k.StopBulk) {
		return m.stopBulk()
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
		m.resize()
		return m, nil
	case key.Matches(msg, k.Filter):
		m.focus, m.filterBack = focusFilter, m.focus
		m.input.SetValue(m.filter)
		return m, nil
	case key.Matches(msg, k.Reverify):
		if r, ok := m.selected(); ok {
			m.setStatus(levelInfo, "Re-verifying…")
			return m, m.reverify(r.ID)
		}
		return m, nil
	case key.Matches(msg, k.Pin):
		if r, ok := m.selected(); ok {
			return m.togglePin(r)
		}
		return m, nil
	case key.Matches(msg, k.CopyCurl):
		if r, ok := m.selected(); ok {
			return m, m.copyCurl(r, m.revealID == r.ID)
		}
		return m, nil
	case key.Matches(msg, k.CopyBody):
		if r, ok := m.selected(); ok {
			return m, m.copyBody(r, m.revealID == r.ID)
		}
		return m, nil
	case key.Matches(msg, k.Replay):
		if r, ok := m.selected(); ok {
			return m.openPrompt(replayPrompt{mode: promptOne, ids: []string{r.ID}})
		}
		return m, nil
	case key.Matches(msg, k.ReplayMarked):
		if m.bulk.active {
			m.setStatus(levelWarn, "A bulk replay is running (esc stops it)")
			return m, nil
		}
		ids := m.markedIDs()
		if len(ids) == 0 {
			r, ok := m.selected()
			if !ok {
				return m, nil
			}
			ids = []string{r.ID}
		}
		return m.openPrompt(replayPrompt{mode: promptBulk, ids: ids})
	case key.Matches(msg, k.Edit):
		if r, ok := m.selected(); ok {
			m.setStatus(levelInfo, "Opening the body in the editor…")
			return m, m.prepareEdit(r)
		}
		return m, nil
	case key.Matches(msg, k.Reveal):
		r, ok := m.selected()
		if !ok {
			return m, nil
		}
		if m.revealID == r.ID {
			m.revealID = ""
			m.setStatus(levelInfo, "Secrets masked again")
		} else {
			m.revealID = r.ID
			m.setStatus(levelWarn, "Secrets of this delivery revealed (s hides them)")
		}
		m.list.SetMasking(m.redactor, m.revealID)
		return m, m.detail.SetReveal(m.revealID != "" && m.detailShows(r.ID))
	}
	if m.focus == focusDetail {
		return m.detailKey(msg)
	}
	return m.listKey(msg)
}

// selected is the delivery keys act on: the one in the detail when it has
// focus, else the list's.
func (m Model) selected() (store.Record, bool) {
	if m.focus == focusDetail {
		if r, ok := m.detail.Record(); ok {
			return r, true
		}
	}
	return m.list.Selected()
}

func (m Model) detailShows(id string) bool {
	r, ok := m.detail.Record()
	return ok && r.ID == id
}

func (m Model) listKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		return m.moveBy(-1)
	case key.Matches(msg, k.Down):
		return m.moveBy(1)
	case key.Matches(msg, k.PageUp):
		return m.moveBy(-m.list.Visible())
	case key.Matches(msg, k.PageDown):
		return m.moveBy(m.list.Visible())
	case key.Matches(msg, k.Top):
		return m.goNewest()
	case key.Matches(msg, k.Bottom):
		return m.goOldest()
	case key.Matches(msg, k.Mark):
		return m.toggleMark()
	case key.Matches(msg, k.Open):
		if _, ok := m.list.Selected(); !ok {
			return m, nil
		}
		m.detailOpen, m.focus = true, focusDetail
		m.resize()
		m.syncList()
		return m, m.syncDetail()
	case key.Matches(msg, k.ClearFilter):
		if m.filter != "" {
			m.input.SetValue("")
			return m.applyFilter("")
		}
		if len(m.marks) > 0 {
			m.clearMarks()
			m.setStatus(levelInfo, "Marks cleared")
			return m, nil
		}
		if m.detailOpen {
			m.detailOpen = false
			m.resize()
		}
	}
	return m, nil
}

func (m Model) detailKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.keys
	d := &m.detail
	switch {
	case key.Matches(msg, k.Back) && d.ResponseOpen():
		d.CloseResponse()
	case key.Matches(msg, k.Back):
		m.detailOpen, m.focus = false, focusList
		m.resize()
		m.syncList()
	case key.Matches(msg, k.Up):
		d.ScrollBy(-1)
	case key.Matches(msg, k.Down):
		d.ScrollBy(1)
	case key.Matches(msg, k.PageUp):
		d.ScrollBy(-d.PageSize())
	case key.Matches(msg, k.PageDown):
		d.ScrollBy(d.PageSize())
	case key.Matches(msg, k.Top):
		d.Top()
	case key.Matches(msg, k.Bottom):
		d.Bottom()
	case key.Matches(msg, k.NextTab):
		d.NextTab()
	case key.Matches(msg, k.PrevTab):
		d.PrevTab()
	case key.Matches(msg, k.Open):
		if seq, ok := d.SelectedAttempt(); ok {
			r, _ := d.Record()
			d.OpenResponse(seq)
			return m, m.readAttempt(r.ID, seq)
		}
		d.Activate()
	case key.Matches(msg, k.Raw):
		return m, d.ToggleRaw()
	case key.Matches(msg, k.NextDelivery):
		return m.moveBy(1)
	case key.Matches(msg, k.PrevDelivery):
		return m.moveBy(-1)
	}
	return m, nil
}

// moveBy moves the list cursor and lets the window follow.
func (m Model) moveBy(n int) (Model, tea.Cmd) {
	// A move still waiting for the rows above is part of this one: k
	// pressed again before they are in moves on from where it goes.
	n -= m.win.up
	m.win.up = 0
	if n < 0 && -n > m.list.Cursor() && len(m.list.Rows()) > 0 && m.newerAbove() {
		// Past the top, with newer deliveries the window does not hold
		// (arrived while paused, or above a window reached by G): read
		// them and move on by exactly as many rows.
		m, c := m.readAbove(-n)
		return m, tea.Batch(c, m.syncDetail())
	}
	m.list.MoveBy(n, m.atNewest())
	if n < 0 && m.list.Cursor() == 0 && len(m.win.history) == 0 && !m.newerAbove() {
		// At the top of the first window, and nothing arrived above it:
		// this is the newest delivery (re-read when the window was
		// pinned); follow arrivals again.
		return m.goNewest()
	}
	m, c1 := m.maybePage()
	return m, tea.Batch(c1, m.syncDetail())
}

// goOldest shows the oldest matching deliveries.
func (m Model) goOldest() (Model, tea.Cmd) {
	m.win.up = 0
	if m.list.AtOldest() {
		m.list.Bottom()
		return m, m.syncDetail()
	}
	m.list.Unfollow()
	m.win.seq++
	m.win.loading = true
	return m, seekOldest(m.ctx, m.src, m.win.seq, m.filter, m.windowLimit())
}

// applyFilter makes text the active filter and re-reads from the newest.
func (m Model) applyFilter(text string) (Model, tea.Cmd) {
	if m.status.filter {
		m.status = status{} // about the filter tried before this one
	}
	if text == m.filter && !m.filterUnconfirmed {
		return m, nil
	}
	if !m.filterUnconfirmed {
		// The filter to go back to if this one does not parse: the last
		// one that did, not one still unconfirmed (a listener stopped
		// before it could say).
		m.prevFilter = m.filter
	}
	m.filter, m.filterUnconfirmed = text, text != ""
	m.win.from, m.win.history, m.win.newerUnread, m.win.up = "", nil, false, 0
	m.newAbove = 0
	m.list.Follow()
	m.syncList()
	m.syncHeader()
	m, c1 := m.fetchWindow()
	m, c2 := m.fetchCounts()
	return m, tea.Batch(c1, c2)
}

func (m Model) handleWheel(ms tea.Mouse) (Model, tea.Cmd) {
	s := m.layout()
	n := 3
	if ms.Button == tea.MouseWheelUp {
		n = -3
	} else if ms.Button != tea.MouseWheelDown {
		return m, nil
	}
	if m.detailOpen && (!s.split || ms.X >= s.detailX) {
		m.detail.ScrollBy(n)
		return m, nil
	}
	if n < 0 && m.list.Offset() == 0 {
		return m.moveBy(n)
	}
	m.win.up = 0 // as for a click: the wheel moved the view since
	m.list.Scroll(n, m.atNewest())
	m, c := m.maybePage()
	return m, tea.Batch(c, m.syncDetail())
}

func (m Model) handleClick(ms tea.Mouse) (Model, tea.Cmd) {
	if ms.Button != tea.MouseLeft {
		return m, nil
	}
	s := m.layout()
	y := ms.Y - s.mainY
	if y < 0 || y >= s.mainH {
		return m, nil
	}
	if m.detailOpen && (!s.split || ms.X >= s.detailX) {
		if y == detail.TabLine {
			if t, ok := m.detail.TabAt(ms.X - s.detailX); ok {
				m.detail.SetTab(t)
			}
		}
		m.focus = focusDetail
		m.syncList()
		return m, nil
	}
	i := m.list.RowAt(y)
	if i < 0 {
		return m, nil
	}
	if m.detailOpen {
		m.focus = focusList
	}
	// The row clicked is where the user wants to be: an up-move still
	// waiting for the rows above (moveBy) no longer applies.
	m.win.up = 0
	m.list.Select(i, m.atNewest())
	m.syncList()
	m, c := m.maybePage()
	return m, tea.Batch(c, m.syncDetail())
}
