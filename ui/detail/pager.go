package detail

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/ui/internal/cellfit"
)

// lines is what a pager pages through: a number of logical lines, each
// styled on demand, that wrap at the pager's width.
type lines interface {
	Len() int
	// Line returns line i, styled.
	Line(i int) string
	// Width returns the width of line i in cells.
	Width(i int) int
}

// pager is a position in wrapped lines: the first visible line and how
// many of its wrapped rows are above the screen. Only visible lines are
// ever measured or styled, so a document of 300,000 lines pages as fast as
// one of thirty.
type pager struct {
	top, sub int
}

func rowsOf(src lines, i, width int) int {
	if width <= 0 {
		return 1
	}
	return max(1, (src.Width(i)+width-1)/width)
}

// scroll moves n rows down (negative: up), stopping at either end.
func (p *pager) scroll(src lines, width, height, n int) {
	for ; n > 0; n-- {
		if p.sub+1 < rowsOf(src, p.top, width) {
			p.sub++
		} else if p.top+1 < src.Len() {
			p.top, p.sub = p.top+1, 0
		} else {
			break
		}
	}
	for ; n < 0; n++ {
		if p.sub > 0 {
			p.sub--
		} else if p.top > 0 {
			p.top--
			p.sub = rowsOf(src, p.top, width) - 1
		} else {
			break
		}
	}
	p.clampEnd(src, width, height)
}

// clampEnd keeps the last screen full: the pager never scrolls past the
// point where the last row is at the bottom.
func (p *pager) clampEnd(src lines, width, height int) {
	if src.Len() == 0 {
		p.top, p.sub = 0, 0
		return
	}
	p.top = min(p.top, src.Len()-1)
	p.sub = min(p.sub, rowsOf(src, p.top, width)-1)
	// Count rows from the position to the end, up to a screen.
	rows := rowsOf(src, p.top, width) - p.sub
	for i := p.top + 1; i < src.Len() && rows < height; i++ {
		rows += rowsOf(src, i, width)
	}
	if rows < height {
		p.bottom(src, width, height)
	}
}

// bottom shows the last screen.
func (p *pager) bottom(src lines, width, height int) {
	p.top, p.sub = 0, 0
	rows := 0
	for i := src.Len() - 1; i >= 0; i-- {
		r := rowsOf(src, i, width)
		if rows+r >= height {
			p.top, p.sub = i, rows+r-height
			return
		}
		rows += r
	}
}

// goTo puts line i at the top (or as near as the end allows).
func (p *pager) goTo(src lines, width, height, i int) {
	p.top, p.sub = max(0, i), 0
	p.clampEnd(src, width, height)
}

// render returns the visible rows, each exactly width cells wide, with the
// row's line index (-1 past the end) and whether it is a continuation row.
func (p pager) render(src lines, width, height int) (out []string, index []int, cont []bool) {
	i, sub := p.top, p.sub
	for len(out) < height {
		if i >= src.Len() {
			out = append(out, strings.Repeat(" ", width))
			index = append(index, -1)
			cont = append(cont, false)
			continue
		}
		line := src.Line(i)
		n := rowsOf(src, i, width)
		for r := sub; r < n && len(out) < height; r++ {
			seg := line
			if n > 1 {
				seg = ansi.Cut(line, r*width, (r+1)*width)
			}
			out = append(out, cellfit.Fit(seg, width, ""))
			index = append(index, i)
			cont = append(cont, r > 0)
		}
		i, sub = i+1, 0
	}
	return out, index, cont
}

// staticLines are already-styled lines (the small tabs).
type staticLines []string

func (s staticLines) Len() int          { return len(s) }
func (s staticLines) Line(i int) string { return s[i] }
func (s staticLines) Width(i int) int   { return ansi.StringWidth(s[i]) }
