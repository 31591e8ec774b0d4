// Package jwttoken finds a compact JWT in a delivery body, and decodes its
// parts, the one way the views that decode it (ui/body), the masking that
// must hide what they show (ui/redact) and the free-text filter that must
// find what they show (store) all use: two rules would let a token be shown
// decoded and left unmasked, or shown and not found.
package jwttoken

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Unquote returns the token body holds: body without surrounding space,
// or, when that is a JSON-style quoted string (some senders post the token
// so), the string's content without surrounding space; quoted reports the
// latter. A quoted token that does not unquote is returned as it is.
//
// tok is a part of body unless the quoted string holds an escape: the
// free-text filter calls this for every stored body, of up to 10 MiB.
func Unquote(body []byte) (tok []byte, quoted bool) {
	b := bytes.TrimSpace(body)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		if in := b[1 : len(b)-1]; bytes.IndexAny(in, "\\\"\n") < 0 && utf8.Valid(in) {
			// What strconv.Unquote returns as it is, without copying.
			return bytes.TrimSpace(in), true
		}
		if s, err := strconv.Unquote(string(b)); err == nil {
			return bytes.TrimSpace([]byte(s)), true
		}
	}
	return b, false
}

// Looks reports whether body holds a compact JWS (see Find).
func Looks(body []byte) bool {
	_, _, ok := Find(body)
	return ok
}

// Find returns the token body holds, as Unquote does, and reports whether
// it is a compact JWS: three base64url parts, the first starting as a JSON
// header does ("ey…"). A caller that needs the token too calls this rather
// than Looks and then Unquote, which would unquote the body twice.
func Find(body []byte) (tok []byte, quoted, ok bool) {
	if !maybeToken(body) {
		return nil, false, false
	}
	tok, quoted = Unquote(body)
	return tok, quoted, compact(tok)
}

// compact reports whether b, already unquoted, has the shape of a compact
// JWS (see Find).
func compact(b []byte) bool {
	if len(b) < 5 || b[0] != 'e' {
		return false
	}
	dots := 0
	for _, c := range b {
		switch {
		case c == '.':
			dots++
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '=':
		default:
			return false
		}
	}
	return dots == 2
}

// maybeToken reports whether body could hold a token by Looks, judged
// without unquoting it: a quoted string with escapes is unquoted into a
// copy, and a body such as a JSON document sent as a JSON string ("{\"a\"…)
// is ruled out first, by a byte no escape or token holds. Other bytes are
// left to Looks: ASCII and Unicode blanks (trimmed from the token's ends),
// escapes' backslashes and letters, the token's own.
func maybeToken(body []byte) bool {
	b := bytes.TrimSpace(body)
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return true // Unquote does not copy it
	}
	for _, c := range b[1 : len(b)-1] {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c >= 0x80:
		case strings.IndexByte("-_.=\\ \t\n\v\f\r", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// Segment decodes one part of a compact JWT: base64url, its padding
// dropped when a sender added it. The views and the masking decode the
// header and claims the same way, so that what one shows the other masks.
func Segment(s []byte) ([]byte, error) {
	s = bytes.TrimRight(s, "=")
	out := make([]byte, base64.RawURLEncoding.DecodedLen(len(s)))
	n, err := base64.RawURLEncoding.Decode(out, s)
	return out[:n], err
}
