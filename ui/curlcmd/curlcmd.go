// Package curlcmd builds a POSIX shell command that sends a captured
// delivery again with curl: same method, headers (except those curl or the
// connection decide) and exactly the same body bytes.
//
// Every piece of the delivery is attacker-controlled, so the command is
// built to be safe to paste into a shell: all words are single-quoted, and a
// body or header holding control characters (which could end a bracketed
// paste or move the cursor) travels as base64 instead of literally.
// The package is pure: it builds strings and runs nothing.
package curlcmd

import (
	"encoding/base64"
	"net/textproto"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// Request is what the command sends.
type Request struct {
	Method string // "" means POST
	URL    string // the full target URL (see URL); quoted as one word
	// Target, when set, is the URL argument as a ready shell word instead
	// of URL (an export's "${HOOKSCOPE_TARGET:-http://host}"'/path').
	Target string
	Header store.Header
	Body   []byte
}

// HereDocDelimiter ends the base64 here-document of a binary body. It cannot
// occur in base64 text.
const HereDocDelimiter = "HOOKSCOPE_BODY"

// LeftToCurl reports whether the command leaves header name (any case) to
// curl and the connection rather than sending it as received: Host,
// Content-Length, Expect, and the headers that belong to one connection
// (store.ConnectionScoped: hop-by-hop ones and those the request's
// Connection header, whose values are conn, names), which replay and
// forwarding do not carry either.
func LeftToCurl(name string, conn []string) bool {
	k := textproto.CanonicalMIMEHeaderKey(name)
	switch k {
	case "Host", "Content-Length", "Expect":
		return true
	}
	return store.ConnectionScoped(k, conn)
}

// Build returns a POSIX sh command that sends req with curl, exactly: the
// path as given (--globoff, --path-as-is), only the headers the delivery
// had (curl's own User-Agent, Accept, Content-Type and Expect are emptied
// unless the delivery sent them), and the body bytes unchanged. A text body
// is passed on stdin with printf; a body that is not safe, printable UTF-8
// (binary, or holding control characters) is passed as a base64
// here-document decoded with base64 -d. Either way curl reads it with
// --data-binary @-. A header line that is not safe text travels as base64;
// one that no HTTP request could carry (a bad name, a line break in the
// value) is left out. The result may span several lines and ends without a
// newline.
func Build(req Request) string {
	method := req.Method
	if method == "" {
		method = "POST"
	}
	args := []string{"curl", "-sS", "--globoff", "--path-as-is"}
	if method == "HEAD" {
		args = append(args, "--head") // -X HEAD makes curl wait for a body
	} else {
		args = append(args, "-X", safeWord(method))
	}
	has := map[string]bool{}
	conn := req.Header.Values("Connection")
	for _, f := range req.Header {
		name := strings.ToLower(f.Name)
		has[name] = true
		if LeftToCurl(f.Name, conn) || !store.ValidHeaderName(f.Name) || !store.ValidHeaderValue(f.Value) {
			continue
		}
		line := f.Name + ": " + f.Value
		if f.Value == "" {
			line = f.Name + ";" // curl's spelling of an empty header
		}
		args = append(args, "-H", safeWord(line))
	}
	for _, h := range []string{"User-Agent", "Accept"} {
		if !has[strings.ToLower(h)] {
			args = append(args, "-H", Quote(h+":"))
		}
	}
	if len(req.Body) > 0 {
		if !has["content-type"] {
			args = append(args, "-H", Quote("Content-Type:"))
		}
		args = append(args, "-H", Quote("Expect:"), "--data-binary", "@-")
	}
	target := req.Target
	if target == "" {
		target = Quote(req.URL)
	}
	args = append(args, "--", target)
	cmd := strings.Join(args, " ")

	switch {
	case len(req.Body) == 0:
		return cmd
	case SafeText(string(req.Body), true):
		return "printf '%s' " + Quote(string(req.Body)) + " |\n  " + cmd
	default:
		// The here-document starts on the line after the one holding <<,
		// so curl must be on that same line.
		return "base64 -d <<'" + HereDocDelimiter + "' | " + cmd + "\n" +
			Wrap(base64.StdEncoding.EncodeToString(req.Body), 76) + HereDocDelimiter
	}
}

// safeWord returns s as one POSIX shell word that is safe text itself: s
// quoted when it is safe text, else base64 decoded by the shell when the
// command runs. A method or header line from the network may hold an
// escape sequence, which must not reach the terminal the script is
// printed on.
func safeWord(s string) string {
	if SafeText(s, false) {
		return Quote(s)
	}
	return `"$(printf '%s' ` + Quote(base64.StdEncoding.EncodeToString([]byte(s))) + ` | base64 -d)"`
}

// Quote returns s as one POSIX shell word: single-quoted, with each single
// quote written as '\”. It keeps every byte (a shell word cannot hold NUL).
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// URL joins a base such as "http://127.0.0.1:8080" with a delivery's path
// and raw query. Bytes that cannot appear literally in a URL (controls,
// spaces, non-ASCII, '#') are percent-encoded. rawPath is the path as it was
// sent (store.Event.RawPath): used when it still encodes path, so /a%2Fb
// stays that; a path masked since no longer matches it and is encoded anew.
func URL(base, path, rawPath, query string) string {
	base = strings.TrimRight(base, "/")
	p := store.EscapePath(path, rawPath)
	if p != "" && !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	u := base + p
	if query != "" {
		u += "?" + escapeQuery(query)
	}
	return u
}

func escapeQuery(q string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c <= ' ' || c >= 0x7f || c == '#' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// SafeText reports whether s can stand literally in a command that is
// pasted or saved as a script: what termsafe.IsSafe accepts, that is valid
// UTF-8 without C0 controls (newline
// allowed when multiline; a tab would trigger completion in a shell without
// bracketed paste, a carriage return would not survive editors), DEL, C1
// controls (ESC and C1 act on a terminal showing the command), or bidi
// controls, direction marks, line separators and invisible format
// characters (which make a command read differently than it runs).
func SafeText(s string, multiline bool) bool {
	return termsafe.IsSafe(s) && (multiline || !strings.Contains(s, "\n"))
}

// Wrap breaks s (base64 for a here-doc) into lines of at most n
// characters, each ending in a newline.
func Wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n])
		b.WriteByte('\n')
		s = s[n:]
	}
	if s != "" {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}
