// Package list is the delivery list of the TUI: a window of records (never
// the whole store), a cursor, and the rendering of one row per delivery with
// columns that shrink from wide terminals down to 80 columns.
//
// It does no I/O. The root model fetches windows from the Source and hands
// them over with SetRows; the list keeps the cursor on the same delivery
// when a window changes under it, so arrivals never move what the user is
// looking at.
package list

import (
	"slices"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/ui/verdict"
)

// Styles are the list's styles.
type Styles struct {
	Title     lipgloss.Style // the column titles line
	Selected  lipgloss.Style // the selected row (focused list)
	Inactive  lipgloss.Style // the selected row while another pane has focus
	Dim       lipgloss.Style // time, size, missing values
	Method    lipgloss.Style
	Duplicate lipgloss.Style
	Empty     lipgloss.Style // the empty-state message
	Mark      lipgloss.Style // the mark of a delivery marked for replay
}

// Model is the list state.
type Model struct {
	styles Styles
	cells  cellStyles // styles and the verdict styles, for a row's cells
	loc    *time.Location

	rows     []store.Record
	atOldest bool
	loaded   bool
	cursor   int
	offset   int
	follow   bool
	focused  bool

	width, height int
	empty         string // message when there are no rows
	marked        map[string]bool

	redactor *redact.Redactor // masks configured secrets in paths; nil: none
	revealID string           // the delivery whose secrets are shown
}

// SetMasking says how paths and queries are shown: with the configured
// secrets of r masked (nil masks nothing), except in the row of revealID,
// the delivery whose secrets the user revealed ("" for none).
func (m *Model) SetMasking(r *redact.Redactor, revealID string) {
	m.redactor, m.revealID = r, revealID
}

// SetMarked says which deliveries are marked for a bulk replay; the list
// shows them in its mark column. It keeps the map and never changes it.
func (m *Model) SetMarked(ids map[string]bool) { m.marked = ids }

// New returns an empty list that follows new arrivals.
func New(s Styles, v verdict.Styles, loc *time.Location) Model {
	if loc == nil {
		loc = time.Local
	}
	return Model{styles: s, cells: newCellStyles(s, v), loc: loc, follow: true, focused: true}
}

// SetStyles replaces the styles (after a background colour change).
func (m *Model) SetStyles(s Styles, v verdict.Styles) {
	m.styles, m.cells = s, newCellStyles(s, v)
}

// SetSize sets the list's size in cells, column titles included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clamp()
}

// SetFocused says whether the list has the keyboard.
func (m *Model) SetFocused(f bool) { m.focused = f }

// SetEmptyMessage sets the text shown when the window is empty.
func (m *Model) SetEmptyMessage(s string) { m.empty = s }

// Visible returns how many rows fit.
func (m Model) Visible() int { return max(1, m.height-1) }

// Rows returns the window held.
func (m Model) Rows() []store.Record { return m.rows }

// Loaded reports whether a window was ever set.
func (m Model) Loaded() bool { return m.loaded }

// AtOldest reports whether the window reaches the oldest matching delivery.
func (m Model) AtOldest() bool { return m.atOldest }

// Following reports whether the cursor follows new arrivals (it does until
// the user moves it away from the newest delivery).
func (m Model) Following() bool { return m.follow }

// Cursor returns the index of the selected row in the window.
func (m Model) Cursor() int { return m.cursor }

// Offset returns the index of the first visible row.
func (m Model) Offset() int { return m.offset }

// Selected returns the selected record.
func (m Model) Selected() (store.Record, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return store.Record{}, false
	}
	return m.rows[m.cursor], true
}

// SetRows replaces the window. The cursor stays on the selected delivery
// when the new window holds it, at the same screen row; while following, it
// goes to the newest. atOldest says the window ends at the oldest match.
func (m *Model) SetRows(rows []store.Record, atOldest bool) {
	prevID := ""
	if r, ok := m.Selected(); ok {
		prevID = r.ID
	}
	screenRow := m.cursor - m.offset
	m.rows, m.atOldest, m.loaded = rows, atOldest, true
	switch {
	case m.follow:
		m.cursor, m.offset = 0, 0
	case prevID != "":
		idx := -1
		for i, r := range rows {
			if r.ID == prevID {
				idx = i
				break
			}
		}
		if idx < 0 {
			// Gone (pruned, or no longer matching): stay at the same place.
			idx = min(m.cursor, len(rows)-1)
		}
		m.cursor = idx
		m.offset = idx - screenRow
	}
	m.clamp()
}

// SetPinned shows delivery id pinned or not until the next window (a pin
// answered). The rows are copied, never changed in place: earlier copies
// of the model share them.
func (m *Model) SetPinned(id string, pinned bool) {
	for i, r := range m.rows {
		if r.ID == id {
			m.rows = slices.Clone(m.rows)
			m.rows[i].Pinned = pinned
			return
		}
	}
}

// Follow makes the cursor follow new arrivals again and selects the newest
// row of the window.
func (m *Model) Follow() {
	m.follow = true
	m.cursor, m.offset = 0, 0
	m.clamp()
}

// Unfollow stops following without moving the cursor.
func (m *Model) Unfollow() { m.follow = false }

// MoveBy moves the cursor n rows (negative: up) within the window and stops
// following unless it lands on the newest row of a window that starts at
// the newest delivery (atNewest).
func (m *Model) MoveBy(n int, atNewest bool) {
	if len(m.rows) == 0 {
		return
	}
	m.cursor += n
	m.clamp()
	m.follow = atNewest && m.cursor == 0
}

// Select moves the cursor to window index i.
func (m *Model) Select(i int, atNewest bool) {
	m.MoveBy(i-m.cursor, atNewest)
}

// Bottom selects the last row of the window.
func (m *Model) Bottom() { m.MoveBy(len(m.rows), false) }

// RowAt returns the window index of the row drawn at line y of the list
// (0 is the column titles), or -1.
func (m Model) RowAt(y int) int {
	i := m.offset + y - 1
	if y < 1 || i >= len(m.rows) || i >= m.offset+m.Visible() {
		return -1
	}
	return i
}

// Scroll moves the viewport n rows without leaving the cursor off screen.
func (m *Model) Scroll(n int, atNewest bool) {
	if len(m.rows) == 0 {
		return
	}
	m.offset = max(0, min(m.offset+n, len(m.rows)-m.Visible()))
	c := max(m.offset, min(m.cursor, m.offset+m.Visible()-1))
	m.MoveBy(c-m.cursor, atNewest)
}

func (m *Model) clamp() {
	if len(m.rows) == 0 {
		m.cursor, m.offset = 0, 0
		return
	}
	m.cursor = max(0, min(m.cursor, len(m.rows)-1))
	vis := m.Visible()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+vis {
		m.offset = m.cursor - vis + 1
	}
	m.offset = max(0, min(m.offset, len(m.rows)-vis))
	m.offset = max(0, m.offset)
}
