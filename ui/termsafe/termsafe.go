// Package termsafe makes untrusted text (paths, headers, bodies, JWT claims
// from the network) safe to put on a terminal. Nothing it returns can start
// an escape sequence: control characters are shown as visible pictures
// rather than obeyed or silently dropped, so the user sees that they were
// there.
package termsafe

import (
	"strings"
	"unicode/utf8"
)

// TabWidth is the number of spaces a tab expands to.
const TabWidth = 4

// Text neutralises s for display, keeping newlines: invalid UTF-8 becomes
// U+FFFD, tabs become spaces, other C0 controls and ESC become their control
// pictures (ESC shows as ␛), DEL becomes ␡, and the other runes Unsafe
// reports (C1 controls, bidi controls, invisible format characters) become
// U+FFFD. A carriage return is shown as ␍ unless it ends a line (CRLF),
// where it is dropped.
func Text(s string) string { return clean(s, true) }

// Line is like Text but for single-line contexts (list rows, header values):
// a newline is shown as ␤ too.
func Line(s string) string { return clean(s, false) }

// IsSafe reports whether s would come back from Text unchanged.
func IsSafe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r != '\n' && Unsafe(r) {
			return false
		}
	}
	return true
}

// Unsafe reports whether r must not reach a terminal as it is. It is the
// one rule for what Text and Line neutralise and JSON escapes:
//
//   - C0 controls (tab and newline included: Text and Line decide how to
//     show those), DEL and C1 controls, which a terminal may act on (ESC and
//     CSI start escape sequences);
//   - bidirectional controls and marks: U+061C, U+200E, U+200F,
//     U+202A–U+202E, U+2066–U+2069, which reorder how a line reads;
//   - invisible format characters that hide or fake text: U+00AD, U+180E,
//     U+200B, U+2028, U+2029, U+2060–U+206F, U+FEFF, U+FFF9–U+FFFB, and the
//     tag characters U+E0000–U+E007F, which can carry a whole hidden ASCII
//     text;
//   - the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, letters that
//     show as blank space, so a value can look empty or padded.
//
// The zero-width joiners (U+200C, U+200D) and variation selectors are not
// in the set: emoji sequences and several scripts need them to render. The
// tag characters are, although the flags of England, Scotland and Wales use
// them: such a flag shows as a black flag and marks, a fair price in a
// webhook inspector for never hiding text.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == 0xad:
		return true
	case r < 0x61c:
		return false // most text: decided without the comparisons below
	}
	switch {
	case r == 0x061c, r == 0x180e, r == 0x200b, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x2028 && r <= 0x202e, r >= 0x2060 && r <= 0x206f:
		return true
	case r == 0xfeff, r >= 0xfff9 && r <= 0xfffb:
		return true
	case r == 0x115f, r == 0x1160, r == 0x3164, r == 0xffa0:
		return true
	case r >= 0xe0000 && r <= 0xe007f:
		return true
	}
	return false
}

func clean(s string, keepNewline bool) string {
	if IsSafe(s) && (keepNewline || !strings.Contains(s, "\n")) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune(utf8.RuneError)
			i++
			continue
		}
		i += size
		switch {
		case r == '\n':
			if keepNewline {
				b.WriteByte('\n')
			} else {
				b.WriteRune('␤')
			}
		case r == '\t':
			b.WriteString(strings.Repeat(" ", TabWidth))
		case r == '\r':
			if keepNewline && i < len(s) && s[i] == '\n' {
				continue // CRLF: the line break is enough
			}
			b.WriteRune('␍')
		case r < 0x20:
			b.WriteRune(0x2400 + r) // control pictures: ␀ … ␟, ESC is ␛
		case r == 0x7f:
			b.WriteRune('␡')
		case Unsafe(r): // C1 controls, bidi controls, invisible format characters
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
