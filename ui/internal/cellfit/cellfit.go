// Package cellfit fits text, plain or styled, to a number of terminal cells:
// the one rule the list, header, detail and status line share, so that
// columns line up and a truncated style never bleeds into the next cell.
package cellfit

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Fit truncates s to w cells, ending it with tail when it was cut ("…", or
// "" for a hard cut), or pads it with spaces to exactly w cells. Styled text
// left with a style open (cut before its reset, or one line of a block
// whose style spans lines) gets a reset, so the style cannot bleed into the
// padding or the next cell. w <= 0 gives "".
func Fit(s string, w int, tail string) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
	if n > w {
		s = ansi.Truncate(s, w, tail)
		// Measured again: a wide character at the cut can leave w-1.
		n = ansi.StringWidth(s)
	}
	if styleOpen(s) {
		s += ansi.ResetStyle
	}
	return s + strings.Repeat(" ", w-n)
}

// styleOpen reports whether s may end with a style still set: its last
// escape sequence is not a plain reset. (Checking the last one is enough for
// what lipgloss writes; anything unusual gets a reset, which is harmless.)
func styleOpen(s string) bool {
	i := strings.LastIndexByte(s, 0x1b)
	if i < 0 {
		return false
	}
	rest := s[i:]
	return !strings.HasPrefix(rest, "\x1b[m") && !strings.HasPrefix(rest, "\x1b[0m")
}

// PadRight pads s with spaces to at least w cells; it never truncates.
func PadRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// PadLeft right-aligns s in w cells; it never truncates.
func PadLeft(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}
