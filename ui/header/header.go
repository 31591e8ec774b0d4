// Package header is the two lines at the top of the TUI: where hookscope
// listens (and where it forwards each delivery, and the public ngrok URL,
// when there are such), the database, the
// counts, the delivery rate with a sparkline of the last minute, and the
// active filter. It only renders what the root model gives it.
package header

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/ui/internal/cellfit"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// Styles are the header's styles.
type Styles struct {
	Brand  lipgloss.Style
	Label  lipgloss.Style
	Value  lipgloss.Style
	URL    lipgloss.Style
	Live   lipgloss.Style // the "listening" dot
	Spark  lipgloss.Style
	Filter lipgloss.Style
	Dim    lipgloss.Style
}

// Info is what the header shows.
type Info struct {
	ListenURL string // "" when browsing a database without listening
	PublicURL string // "" when no tunnel is known
	// ForwardTo is the app each delivery is forwarded to, already masked
	// (listen --forward-to); "" when the listener does not forward.
	ForwardTo string
	DBPath    string
	// Total and Matched are the counts; CountsKnown is false until the
	// first count arrives.
	Total, Matched int
	CountsKnown    bool
	// MatchedStale says Matched was counted for another filter (the one
	// before, while the new one's count runs): the header shows — rather
	// than a number that is not this filter's.
	MatchedStale bool
	Filter       string
	// Rate is deliveries per second; Spark holds the per-second counts of
	// the last minute, oldest first.
	Rate  float64
	Spark []int
}

// Model renders the header.
type Model struct {
	styles Styles
	width  int
	info   Info
}

// New returns a header.
func New(s Styles) Model { return Model{styles: s} }

// SetStyles replaces the styles.
func (m *Model) SetStyles(s Styles) { m.styles = s }

// SetSize sets the width; the header is always Height lines.
func (m *Model) SetSize(w int) { m.width = w }

// SetInfo replaces what is shown.
func (m *Model) SetInfo(i Info) { m.info = i }

// Height is the number of lines the header takes.
const Height = 2

// The fewest cells the forward target and the database path are given on
// the first line: a target is cut to minForward at most, and a path that
// would get fewer than minDB cells is left out.
const (
	minForward = 20
	minDB      = 8
)

// View renders the header.
func (m Model) View() string {
	s, in := m.styles, m.info
	var l1 []string
	l1 = append(l1, s.Brand.Render("hookscope"))
	if in.ListenURL != "" {
		l1 = append(l1, s.Live.Render("●")+" "+s.URL.Render(termsafe.Line(in.ListenURL)))
	} else {
		l1 = append(l1, s.Dim.Render("not listening"))
	}
	public := ""
	if in.PublicURL != "" {
		public = s.Label.Render("public ") + s.URL.Render(termsafe.Line(in.PublicURL))
	}
	if in.ForwardTo != "" {
		// Beside the listening URL, with the arrow the list's status
		// column uses for the app's answer. A long target is cut at its
		// end (the scheme and host say the most), leaving room for the
		// public URL; the database path gives way first.
		const label = " → app "
		used := ansi.StringWidth(" "+strings.Join(l1, "   ")) + ansi.StringWidth(label)
		if public != "" {
			used += 3 + ansi.StringWidth(public)
		}
		fwd := termsafe.Line(in.ForwardTo)
		if room := max(minForward, m.width-used); ansi.StringWidth(fwd) > room {
			fwd = ansi.Truncate(fwd, room, "…")
		}
		l1[len(l1)-1] += s.Label.Render(label) + s.URL.Render(fwd)
	}
	if public != "" {
		l1 = append(l1, public)
	}
	if in.DBPath != "" {
		used := ansi.StringWidth(strings.Join(l1, "   ")) + 6
		// With fewer than minDB cells left the path says nothing: it is
		// left out rather than cut to "db …" at the edge.
		if room := m.width - used - 3; room >= minDB {
			db := termsafe.Line(in.DBPath)
			if ansi.StringWidth(db) > room {
				db = ansi.TruncateLeft(db, ansi.StringWidth(db)-room+1, "…")
			}
			l1 = append(l1, s.Label.Render("db ")+s.Value.Render(db))
		}
	}

	var l2 []string
	if in.CountsKnown {
		counts := s.Value.Render(commas(in.Total)) + s.Label.Render(plural(in.Total, " delivery", " deliveries"))
		switch {
		case in.Filter != "" && in.MatchedStale:
			counts += s.Label.Render(" · ") + s.Dim.Render("— match")
		case in.Filter != "":
			counts += s.Label.Render(" · ") + s.Value.Render(commas(in.Matched)) + s.Label.Render(plural(in.Matched, " match", " matches"))
		}
		l2 = append(l2, counts)
	} else {
		l2 = append(l2, s.Dim.Render("counting…"))
	}
	rate := s.Value.Render(fmt.Sprintf("%.0f/s", in.Rate))
	if len(in.Spark) > 0 {
		sparkWidth := min(len(in.Spark), max(10, m.width/4))
		rate += " " + s.Spark.Render(Sparkline(in.Spark, sparkWidth))
	}
	l2 = append(l2, rate)
	if in.Filter != "" {
		l2 = append(l2, s.Label.Render("filter ")+s.Filter.Render(termsafe.Line(in.Filter)))
	}
	return cellfit.Fit(" "+strings.Join(l1, "   "), m.width, "…") + "\n" +
		cellfit.Fit(" "+strings.Join(l2, s.Dim.Render("  │  ")), m.width, "…")
}

var bars = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws counts in width cells (merging neighbours, keeping the
// largest, when there are more counts than cells). Zero is the lowest bar;
// any delivery at all shows at least the second.
func Sparkline(counts []int, width int) string {
	if width <= 0 || len(counts) == 0 {
		return ""
	}
	if len(counts) > width {
		merged := make([]int, width)
		for i, c := range counts {
			j := i * width / len(counts)
			merged[j] = max(merged[j], c)
		}
		counts = merged
	}
	top := 0
	for _, c := range counts {
		top = max(top, c)
	}
	var b strings.Builder
	for _, c := range counts {
		if c <= 0 || top == 0 {
			b.WriteRune(bars[0])
			continue
		}
		b.WriteRune(bars[min(len(bars)-1, 1+(c*(len(bars)-1)-1)/top)])
	}
	return b.String()
}

func commas(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// plural picks the word for n things: one for exactly 1, many otherwise.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
