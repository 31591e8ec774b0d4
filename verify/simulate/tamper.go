package simulate

import (
	"encoding/base64"
	"encoding/json"
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
	if d.SignedWith == verify.SchemeDialpadJWT {
		if parts, ok := verify.JWTSegments(d.Body); ok {
			claims, err := base64.RawURLEncoding.DecodeString(parts[1])
			if err == nil {
				changed, what := tamperText(claims, d.EventID)
				parts[1] = base64.RawURLEncoding.EncodeToString(changed)
				d.Body, d.Tampered = []byte(strings.Join(parts[:], ".")), what+" in the JWT claims"
				return
			}
		}
	}
	d.Body, d.Tampered = tamperText(d.Body, d.EventID)
}

// tamperText changes one character of a JSON string value, else of the
// body, else appends a space. The value picked is an id other than the
// event id (*_id, or camelCase *Id as TalkifAI writes them), else one
// holding a digit; within it its last digit is changed, or, in an id made
// of letters only ("call_xyz"), its last letter. A digit for a digit keeps
// ids, dates, numbers and phone numbers what they were, and a letter is
// changed only in an id (never in a type or an enum value), so the body
// still matches its schema and only the signature check can notice. The event id
// (the "event_id" value, or any value equal to eventID: a body of the
// user's own may carry it under any key) is never changed, since send
// reports it and remembers it for --duplicate; JSON with nothing else to
// change gets a space appended, which changes no value at all. Text that is
// not JSON gets its last digit, else its last letter, changed.
func tamperText(b []byte, eventID string) ([]byte, string) {
	out := append([]byte(nil), b...)
	matches := stringValueRE.FindAllSubmatchIndex(out, -1)
	isEventID := func(m []int) bool {
		return string(out[m[2]:m[3]]) == "event_id" || eventID != "" && string(out[m[4]:m[5]]) == eventID
	}
	pick := -1
	for i, m := range matches {
		key := string(out[m[2]:m[3]])
		if !isEventID(m) && (strings.HasSuffix(key, "_id") || strings.HasSuffix(key, "Id")) && lastIndexFunc(out[m[4]:m[5]], isAlnum) >= 0 {
			pick = i
			break
		}
	}
	for i, m := range matches {
		if pick >= 0 {
			break
		}
		if !isEventID(m) && lastIndexFunc(out[m[4]:m[5]], isDigit) >= 0 {
			pick = i
		}
	}
	if pick >= 0 {
		m := matches[pick]
		i := lastIndexFunc(out[m[4]:m[5]], isDigit)
		if i < 0 {
			i = lastIndexFunc(out[m[4]:m[5]], isAlnum)
		}
		out[m[4]+i] = flip(out[m[4]+i])
		return out, fmt.Sprintf("one character of %q", string(out[m[2]:m[3]]))
	}
	if len(out) == 0 || json.Valid(out) {
		return append(out, ' '), "a space appended"
	}
	i := lastIndexFunc(out, isDigit)
	if i < 0 {
		i = lastIndexFunc(out, isAlnum)
	}
	if i >= 0 {
		out[i] = flip(out[i])
		return out, fmt.Sprintf("byte %d", i)
	}
	return append(out, ' '), "a space appended"
}

// lastIndexFunc is the index of the last byte of b that f accepts, or -1.
func lastIndexFunc(b []byte, f func(byte) bool) int {
	for i := len(b) - 1; i >= 0; i-- {
		if f(b[i]) {
			return i
		}
	}
	return -1
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

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
