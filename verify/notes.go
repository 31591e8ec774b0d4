package verify

import (
	"fmt"
	"regexp"
	"strings"
)

// placeholderRE finds HTTP Notifier {{placeholder}}s Talkdesk left
// unreplaced. Names are bounded so a hostile body cannot make a huge note.
var placeholderRE = regexp.MustCompile(`\{\{\s*[A-Za-z0-9_.\-]{1,64}\s*\}\}`)

// maxPlaceholders bounds the list in the note.
const maxPlaceholders = 20

// dceNotes reports whether the DCE bridge delivery carried a bearer token
// (the bridge authenticates with OAuth 2.0). The token itself is never
// repeated.
func dceNotes(r Request) []string {
	auth := r.Header.Values("Authorization")
	if len(auth) == 0 {
		return []string{"no Authorization header"}
	}
	scheme, tok, _ := strings.Cut(strings.TrimSpace(auth[0]), " ")
	if strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(tok) != "" {
		return []string{"Authorization: Bearer token sent"}
	}
	return []string{"Authorization header is not a Bearer token"}
}

// notifierNotes reports whether an HTTP Notifier body is well-formed JSON or
// XML (the two documented formats) and lists {{placeholder}}s left in it.
func notifierNotes(p payload, body []byte) []string {
	var notes []string
	switch {
	case p.kind == KindJSON:
		notes = append(notes, "body is well-formed JSON")
	case p.kind == KindXML:
		notes = append(notes, "body is well-formed XML")
	case p.err != "":
		notes = append(notes, p.err)
	default:
		notes = append(notes, "body is neither JSON nor XML (HTTP Notifier sends one of the two)")
	}
	if len(body) > MaxPayloadBytes {
		return notes
	}
	var found []string
	seen := map[string]bool{}
	more := false
	for _, m := range placeholderRE.FindAll(body, -1) {
		s := string(m)
		if seen[s] {
			continue
		}
		if len(found) == maxPlaceholders {
			more = true
			break
		}
		seen[s] = true
		found = append(found, s)
	}
	if len(found) > 0 {
		n := "unreplaced placeholders: " + strings.Join(found, ", ")
		if more {
			n += ", …"
		}
		notes = append(notes, n)
	}
	return notes
}

// FillPlaceholders replaces each HTTP Notifier {{placeholder}} in body —
// the syntax the notifier notes look for — with fill(name) when fill knows
// the name (given without braces and surrounding spaces), for `hookscope
// send notifier`. It returns the new body and the placeholders left as they
// were written, each once, in order of appearance. fill's result is
// inserted as is: escaping it for JSON or XML is the caller's business.
func FillPlaceholders(body []byte, fill func(name string) (string, bool)) ([]byte, []string) {
	var left []string
	seen := map[string]bool{}
	out := placeholderRE.ReplaceAllFunc(body, func(m []byte) []byte {
		name := strings.TrimSpace(string(m[2 : len(m)-2]))
		if v, ok := fill(name); ok {
			return []byte(v)
		}
		if s := string(m); !seen[s] {
			seen[s] = true
			left = append(left, s)
		}
		return m
	})
	return out, left
}

// byteCount is n with its noun: "1 byte", "31 bytes".
func byteCount(n int) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}
