package termsafe

import (
	"unicode/utf16"
	"unicode/utf8"
)

// JSON makes JSON text safe to print on a terminal without changing what it
// means: every rune Unsafe reports is written as a \u escape. encoding/json
// escapes C0 controls itself but writes C1 controls, bidi controls and
// invisible format characters as they are, and those act on a terminal or
// change how the line reads.
//
// src must be JSON as encoding/json writes it. There such runes can only
// stand inside strings, where an escape decodes to the same rune, so the
// result decodes to the same value as src. JSON whitespace (tab, newline,
// carriage return) is kept, since outside strings it is layout (an
// Encoder's trailing newline, MarshalIndent's indentation) and encoding/json
// never leaves it raw inside one. Invalid UTF-8 becomes \ufffd, which is
// what a decoder reads each such byte as.
//
// JSON returns src itself, without allocating, when nothing needs escaping.
func JSON(src []byte) []byte {
	i := nextJSONEscape(src, 0)
	if i == len(src) {
		return src
	}
	dst := make([]byte, 0, len(src)+16)
	return appendJSON(dst, src, i)
}

// appendJSON appends src to dst, escaping from i, the first place that
// needs it (len(src) when none does).
func appendJSON(dst, src []byte, i int) []byte {
	start := 0
	for i < len(src) {
		dst = append(dst, src[start:i]...)
		// An invalid byte decodes as U+FFFD, size 1: escaped as such.
		r, size := utf8.DecodeRune(src[i:])
		if r > 0xffff {
			// The tag characters (U+E0000–U+E007F): JSON spells a rune
			// beyond U+FFFF as a UTF-16 surrogate pair.
			a, b := utf16.EncodeRune(r)
			dst = appendU(appendU(dst, a), b)
		} else {
			dst = appendU(dst, r)
		}
		start = i + size
		i = nextJSONEscape(src, start)
	}
	return append(dst, src[start:]...)
}

// nextJSONEscape returns the index of the first byte at or after i that
// starts something to escape, or len(src).
func nextJSONEscape(src []byte, i int) int {
	for i < len(src) {
		c := src[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 || Unsafe(r) {
			return i
		}
		i += size
	}
	return len(src)
}

const hexDigits = "0123456789abcdef"

// appendU appends the escape \uXXXX of a rune (or UTF-16 half) below
// U+10000.
func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
