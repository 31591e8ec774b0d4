package body

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"
)

// looksJWT reports whether b is a compact JWS (three base64url parts),
// possibly JSON-quoted as some senders do.
func looksJWT(b []byte) bool {
	b = unquoteJWT(b)
	if len(b) < 5 || b[0] != 'e' { // a JSON header starts with '{' = "ey…"
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

func unquoteJWT(b []byte) []byte {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		if s, err := strconv.Unquote(string(b)); err == nil {
			return bytes.TrimSpace([]byte(s))
		}
	}
	return b
}

// jwt lays out a compact JWT as its decoded header and claims; pointers
// refer to the claims. It reports false when the parts do not decode to
// JSON, leaving d untouched.
func (d *Doc) jwt(b []byte) bool {
	parts := bytes.Split(unquoteJWT(b), []byte("."))
	header, err1 := decodeSegment(parts[0])
	claims, err2 := decodeSegment(parts[1])
	if err1 != nil || err2 != nil || !json.Valid(header) || !json.Valid(claims) {
		return false
	}
	d.Kind = JWT
	d.Headings = map[int]bool{}
	var out []byte
	line := 0
	add := func(heading string) {
		d.Headings[line] = true
		out = append(out, heading...)
		out = append(out, '\n')
		line++
	}
	add("JWT header")
	h, _, _ := prettyJSON(header, MaxDisplayBytes, line, false)
	out = append(out, h...)
	out = append(out, '\n')
	line += bytes.Count(h, []byte("\n")) + 1
	add("JWT claims")
	d.ptrSrc, d.ptrLine = claims, line
	c, _, _ := prettyJSON(claims, MaxDisplayBytes, line, false)
	out = append(out, c...)
	out = append(out, '\n')
	line += bytes.Count(c, []byte("\n")) + 1
	add("JWT signature (checked on the Signature tab)")
	out = append(out, parts[2]...)
	d.Notes = append(d.Notes, "JWT decoded")
	d.setText(out)
	return true
}

func decodeSegment(s []byte) ([]byte, error) {
	s = bytes.TrimRight(s, "=")
	out := make([]byte, base64.RawURLEncoding.DecodedLen(len(s)))
	n, err := base64.RawURLEncoding.Decode(out, s)
	return out[:n], err
}
