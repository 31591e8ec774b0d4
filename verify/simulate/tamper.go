package simulate

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"github.com/hookscope/hookscope/verify"
)

// stringValueRE finds "key":"value" pairs in a JSON text; Tamper only
// needs a plausible place to change, not a parser.
var stringValueRE = regexp.MustCompile(`"([^"\\]*)"\s*:\s*"([^"\\]*[A-Za-z0-9][^"\\]*)"`)

// Tamper changes one character of the body after signing, keeping it
// well-formed, so that only the signature check can notice: in a JWT the
// claims segment is changed and the signature kept.
func (d *Delivery) Tamper() {
	if parts := strings.Split(string(d.Body), "."); d.SignedWith == verify.SchemeDialpadJWT && len(parts) == 3 {
		claims, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err == nil {
			changed, what := tamperText(claims)
			parts[1] = base64.RawURLEncoding.EncodeToString(changed)
			d.Body, d.Tampered = []byte(strings.Join(parts, ".")), what+" in the JWT claims"
			return
		}
	}
	d.Body, d.Tampered = tamperText(d.Body)
}

// tamperText flips the last letter or digit of a JSON string value —
// preferably an *_id other than the event id, so the event still reads the
// same — else of the body; an empty body gets a space.
func tamperText(b []byte) ([]byte, string) {
	out := append([]byte(nil), b...)
	matches := stringValueRE.FindAllSubmatchIndex(out, -1)
	pick := -1
	for i, m := range matches {
		key := string(out[m[2]:m[3]])
		if strings.HasSuffix(key, "_id") && key != "event_id" {
			pick = i
			break
		}
	}
	if pick < 0 && len(matches) > 0 {
		pick = 0
	}
	if pick >= 0 {
		m := matches[pick]
		for i := m[5] - 1; i >= m[4]; i-- {
			if isAlnum(out[i]) {
				out[i] = flip(out[i])
				return out, fmt.Sprintf("one character of %q", string(out[m[2]:m[3]]))
			}
		}
	}
	for i := len(out) - 1; i >= 0; i-- {
		if isAlnum(out[i]) {
			out[i] = flip(out[i])
			return out, fmt.Sprintf("byte %d", i)
		}
	}
	return append(out, ' '), "a space appended"
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// flip changes a letter or digit to another of the same kind.
func flip(c byte) byte {
	switch {
	case c == 'a':
		return 'b'
	case 'a' <= c && c <= 'z':
		return 'a'
	case c == 'A':
		return 'B'
	case 'A' <= c && c <= 'Z':
		return 'A'
	case c == '0':
		return '1'
	}
	return '0'
}
