// Package jsonpointer escapes and unescapes the reference tokens of JSON
// pointers (RFC 6901), the form of every path hookscope reports into a
// payload (store.SchemaError.Path): schema errors, the Body tab's
// positions and the repeated-key notes must write the same key the same
// way, or a pointer from one would not find its line in another.
package jsonpointer

import "strings"

// Escape escapes one JSON pointer reference token (RFC 6901): ~ as ~0,
// / as ~1.
func Escape(tok string) string {
	if !strings.ContainsAny(tok, "~/") {
		return tok
	}
	tok = strings.ReplaceAll(tok, "~", "~0")
	return strings.ReplaceAll(tok, "/", "~1")
}

// Unescape undoes Escape; ok is false for a malformed token (a ~ not
// followed by 0 or 1).
func Unescape(tok string) (string, bool) {
	if !strings.Contains(tok, "~") {
		return tok, true
	}
	var b strings.Builder
	for i := 0; i < len(tok); i++ {
		if tok[i] != '~' {
			b.WriteByte(tok[i])
			continue
		}
		if i+1 >= len(tok) {
			return "", false
		}
		switch tok[i+1] {
		case '0':
			b.WriteByte('~')
		case '1':
			b.WriteByte('/')
		default:
			return "", false
		}
		i++
	}
	return b.String(), true
}
