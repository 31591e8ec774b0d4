package verify

import (
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
