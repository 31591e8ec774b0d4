package list

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/hookscope/hookscope/ui/verdict"
)

// cellStyle renders one-line cells in a style. lipgloss's Render works out
// the whole style (borders, margins, padding, widths) on every call, which
// made it most of the cost of a list frame: about ten cells a row, every
// row, every delivery. For a style that only sets colours and weight its
// output is an opening sequence, the text and a reset, so these are taken
// once from Render and put around the text.
type cellStyle struct {
	st       lipgloss.Style
	pre, suf string
	ok       bool // pre+s+suf is what st.Render(s) returns for one-line s
}

// cellProbe stands for the text when the opening and closing sequences are
// taken from Render: a private-use rune, never in an SGR sequence.
const cellProbe = "\ue000"

// cellChecks are texts the wrapped form must render exactly as Render
// does before it is used: inner and outer spaces (styles that treat spaces
// apart, widths and alignment would differ), wide and non-ASCII runes.
var cellChecks = []string{"a  b", " x ", "POST   ", "é界…✓"}

func newCellStyle(st lipgloss.Style) cellStyle {
	c := cellStyle{st: st}
	pre, suf, found := strings.Cut(st.Render(cellProbe), cellProbe)
	if !found {
		return c
	}
	for _, s := range cellChecks {
		if st.Render(s) != pre+s+suf {
			return c
		}
	}
	c.pre, c.suf, c.ok = pre, suf, true
	return c
}

// render is st.Render(s).
func (c cellStyle) render(s string) string {
	if !c.wraps(s) {
		return c.st.Render(s)
	}
	return c.pre + s + c.suf
}

// write writes st.Render(s) to b.
func (c cellStyle) write(b *strings.Builder, s string) {
	if !c.wraps(s) {
		b.WriteString(c.st.Render(s))
		return
	}
	b.WriteString(c.pre)
	b.WriteString(s)
	b.WriteString(c.suf)
}

// wraps reports whether st.Render(s) is pre+s+suf.
func (c cellStyle) wraps(s string) bool {
	return c.ok && s != "" && !strings.ContainsAny(s, "\t\n\r")
}

// cellStyles are the list's cell styles, prepared once per SetStyles.
type cellStyles struct {
	plain, dim, method, dup, mark cellStyle
	verdict                       [verdict.Pending + 1]cellStyle
}

func newCellStyles(s Styles, v verdict.Styles) cellStyles {
	c := cellStyles{
		plain: newCellStyle(lipgloss.NewStyle()), dim: newCellStyle(s.Dim), method: newCellStyle(s.Method),
		dup: newCellStyle(s.Duplicate), mark: newCellStyle(s.Mark),
	}
	for l := range c.verdict {
		c.verdict[l] = newCellStyle(v.Style(verdict.Level(l)))
	}
	return c
}

// level returns the cell style of verdict level l.
func (c *cellStyles) level(l verdict.Level) cellStyle {
	if l < 0 || int(l) >= len(c.verdict) {
		return c.verdict[verdict.Unknown]
	}
	return c.verdict[l]
}
