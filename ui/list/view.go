package list

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/internal/cellfit"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/ui/verdict"
)

// View renders the column titles and the visible rows, exactly width x
// height cells.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	forward := false
	end := min(len(m.rows), m.offset+m.Visible())
	for _, r := range m.rows[m.offset:end] {
		if r.Forward != nil {
			forward = true
		}
	}
	c := layout(m.width, forward)
	lines := make([]string, 0, m.height)
	lines = append(lines, m.styles.Title.Render(cellfit.Fit(m.titles(c), m.width, "")))
	if len(m.rows) == 0 {
		lines = append(lines, m.emptyView()...)
	}
	for i := m.offset; i < end; i++ {
		lines = append(lines, m.row(c, m.rows[i], i == m.cursor))
	}
	for len(lines) < m.height {
		lines = append(lines, strings.Repeat(" ", m.width))
	}
	return strings.Join(lines[:m.height], "\n")
}

func (m Model) emptyView() []string {
	msg := m.empty
	if !m.loaded {
		msg = "Loading…"
	}
	var out []string
	out = append(out, strings.Repeat(" ", m.width))
	for _, l := range strings.Split(msg, "\n") {
		out = append(out, m.styles.Empty.Render(cellfit.Fit("  "+l, m.width, "")))
	}
	return out
}

func (m Model) titles(c columns) string {
	cells := []string{"  "} // the cursor and mark column
	add := func(w int, s string) {
		if w > 0 {
			cells = append(cells, cellfit.Fit(s, w, "…"))
		}
	}
	add(c.time, "TIME")
	add(c.method, "METHOD")
	add(c.path, "PATH")
	add(c.event, "PROVIDER / EVENT")
	add(c.sig, pick(c.shortBadges, "S", "SIGNATURE"))
	add(c.schema, pick(c.shortBadges, "J", "SCHEMA"))
	add(c.status, pick(c.status > 3, "STATUS", "ST"))
	add(c.size, cellfit.PadLeft("SIZE", c.size))
	add(c.dup, "DUP")
	return strings.Join(cells, " ")
}

func (m Model) row(c columns, r store.Record, selected bool) string {
	t := r.ReceivedAt.In(m.loc)
	ts := t.Format("15:04:05")
	if c.millis {
		ts = t.Format("15:04:05.000")
	}
	// The cells go into one builder, a space between two: a string per
	// styled cell and a join would allocate about ten times a row.
	var b strings.Builder
	b.Grow(rowBytes(m.width))
	marker := " "
	if selected {
		marker = "▌"
	}
	b.WriteString(marker)
	switch {
	case m.marked[r.ID]:
		if selected {
			b.WriteString(Mark)
		} else {
			m.cells.mark.write(&b, Mark)
		}
	case r.Pinned:
		b.WriteString(PinMark)
	default:
		b.WriteByte(' ')
	}
	// The selected row is drawn in one style: inner styles would end its
	// background at their first reset.
	add := func(w int, text string, st cellStyle) {
		if w <= 0 {
			return
		}
		b.WriteByte(' ')
		if selected {
			b.WriteString(cellfit.Fit(text, w, "…"))
		} else {
			st.write(&b, cellfit.Fit(text, w, "…"))
		}
	}
	add(c.time, ts, m.cells.dim)
	add(c.method, termsafe.Line(r.Method), m.cells.method)
	add(c.path, termsafe.Line(m.target(r)), m.cells.plain)
	ev, evStyle := verdict.Missing, m.cells.dim
	if a := r.Analysis; a != nil {
		ev = termsafe.Line(a.Provider)
		if et := a.EventType; et != "" {
			if m.redactor != nil && r.ID != m.revealID {
				// The event type is the sender's text; a secret in it is
				// masked as in the path. Only it: this runs per row and
				// frame, and the row shows nothing else of the analysis.
				et, _ = m.redactor.String(et)
			}
			ev += " · " + termsafe.Line(et)
		}
		evStyle = m.cells.plain
		if ev == "" {
			ev, evStyle = verdict.Missing, m.cells.dim
		}
	}
	add(c.event, ev, evStyle)
	sig := verdict.Signature(r)
	add(c.sig, sig.Text(c.shortBadges), m.cells.level(sig.Level))
	sch := verdict.Schema(r)
	add(c.schema, sch.Text(c.shortBadges), m.cells.level(sch.Level))
	if c.status > 0 {
		b.WriteByte(' ')
		b.WriteString(m.statusCell(r, c.status, selected))
	}
	add(c.size, cellfit.PadLeft(sizeCell(r.Size), c.size), m.cells.dim)
	dup := ""
	if r.Analysis != nil && r.Analysis.DuplicateOf != "" {
		dup = "dup"
	}
	add(c.dup, dup, m.cells.dup)
	line := b.String()
	if c.width() != m.width {
		// Each cell is fitted to its column; only a terminal too narrow
		// for the columns' minimum needs the row measured and cut.
		line = cellfit.Fit(line, m.width, "")
	}
	if !selected {
		return line
	}
	if !m.focused {
		return m.styles.Inactive.Render(line)
	}
	return m.styles.Selected.Render(line)
}

// target is the path and query of a row: decoded, as the detail shows
// them, with configured secrets (and the query's secret fields) masked
// unless revealed for this delivery.
func (m Model) target(r store.Record) string {
	red := m.redactor
	if r.ID == m.revealID {
		red = nil
	}
	return red.PathQuery(r.Path, r.Query)
}

func (m Model) statusCell(r store.Record, w int, plain bool) string {
	code := func(n int) string {
		s := verdict.Missing
		if n > 0 {
			s = strconv.Itoa(n)
		}
		if plain {
			return s
		}
		return m.cells.level(verdict.HTTPStatus(n)).render(s)
	}
	s := code(r.Response.Status)
	if r.Forward != nil {
		arrow := "→"
		if !plain {
			arrow = m.cells.dim.render(arrow)
		}
		s += arrow + code(r.Forward.Status)
	}
	return cellfit.Fit(s, w, "")
}

// Mark is the sign of a delivery marked for replay.
const Mark = "◆"

// PinMark is the sign of a pinned delivery (one that pruning keeps), shown
// where a replay mark would be when the delivery is not marked.
const PinMark = "•"

func pick(short bool, a, b string) string {
	if short {
		return a
	}
	return b
}

// sizeCell is a byte count in at most 7 cells, the narrowest size column:
// one decimal below 10 of a unit, none above ("9.9 KiB", "10 KiB",
// "999 KiB", "1.0 MiB"), so the unit always shows. body.HumanBytes keeps
// the decimal and gives "10.0 MiB", which the column cut to "10.0 M…".
func sizeCell(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	const units = "KMGTPE"
	v, u := float64(n)/1024, 0
	for v >= 999.5 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if v < 9.95 {
		return fmt.Sprintf("%.1f %ciB", v, units[u])
	}
	return fmt.Sprintf("%.0f %ciB", v, units[u])
}

// rowBytes is room for most rows of w cells: their text and the style
// sequences around about ten cells (about 240 bytes in the dark theme). A
// row with many multi-byte runes grows the builder once more.
func rowBytes(w int) int { return w + 256 }
