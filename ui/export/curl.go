package export

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/curlcmd"
)

// The curl format is a POSIX sh script with one command per delivery. Every
// word taken from a delivery is single-quoted (inside single quotes the
// shell interprets nothing), and curl reads the body from stdin with
// --data-binary @-, which sends the bytes unchanged:
//
//   - a body that is printable UTF-8 text is piped in with printf '%s', so
//     the script stays readable and no trailing newline is added (a plain
//     here-document would add one);
//   - any other body (binary, invalid UTF-8, control characters that could
//     act on a terminal showing the script) travels as a base64
//     here-document decoded with `base64 -d`.
//
// A header line that is not such text travels as base64 too, and the query
// is percent-encoded where it is not printable ASCII, so no byte from a
// delivery can act on a terminal showing the script.
//
// The trailers of a chunked request are not sent (curl cannot send request
// trailers): a comment above the command says how many it leaves out.
//
// The target is "${HOOKSCOPE_TARGET:-http://<original host>}" followed by
// the original path and query: set HOOKSCOPE_TARGET to send the deliveries
// to your app instead.

type curlEncoder struct {
	w *bufio.Writer
}

func (e *curlEncoder) begin() error {
	_, err := e.w.WriteString("#!/bin/sh\n" +
		"# Deliveries exported by hookscope as curl commands: each sends one delivery again\n" +
		"# with its method, headers and exact body bytes.\n" +
		"# Set HOOKSCOPE_TARGET (e.g. http://localhost:3000) to send them to your app\n" +
		"# instead of the host each was addressed to.\n")
	return err
}

func (e *curlEncoder) end() error { return nil }

func (e *curlEncoder) entry(d delivery) error {
	r := d.rec
	fmt.Fprintf(e.w, "\n# %s received %s", r.ID, r.ReceivedAt.UTC().Format(store.TimeFormat))
	if d.masked {
		e.w.WriteString(" (secrets masked)")
	}
	e.w.WriteByte('\n')
	if n := len(r.Trailer); n > 0 {
		// The command sends the body with a Content-Length: say so rather
		// than let the script pass for the whole delivery. (A count: the
		// names came from the sender.)
		fmt.Fprintf(e.w, "# not sent: its %d trailer field(s); curl cannot send request trailers\n", n)
	}
	// Header lines no request can carry (a delivery net/http refused for
	// them) are left out of the command (curlcmd.Build): say so, by count
	// as above.
	if d.withheld {
		e.w.WriteString("# not sent: its body, compressed in a way hookscope cannot decode to mask it (--reveal-secrets exports it)\n")
	}
	if n := unsendableHeaders(r.Header); n > 0 {
		fmt.Fprintf(e.w, "# not sent: %d header field(s) that are not valid HTTP (show --raw has them as they came)\n", n)
	}
	_, err := e.w.WriteString(curlCommand(r.Event, d.body) + "\n")
	return err
}

// unsendableHeaders counts the header fields no HTTP request can carry.
func unsendableHeaders(h store.Header) int {
	n := 0
	for _, f := range h {
		if !store.ValidHeaderName(f.Name) || !store.ValidHeaderValue(f.Value) {
			n++
		}
	}
	return n
}

// curlCommand returns a POSIX sh command that sends ev with body using curl
// (curlcmd.Build), to $HOOKSCOPE_TARGET when set, else to the host ev was
// addressed to. The result may span several lines (a here-document) and
// ends without a newline.
func curlCommand(ev store.Event, body []byte) string {
	return curlcmd.Build(curlcmd.Request{Method: ev.Method, Target: targetWord(ev), Header: ev.Header, Body: body})
}

// targetWord is the URL argument: the variable with the original host as
// its default, in double quotes, then the path and query single-quoted
// (escaped by curlcmd.URL where they are not printable ASCII). The host is
// attacker-controlled, so it is used only when it cannot mean anything to
// the shell inside double quotes.
func targetWord(ev store.Event) string {
	host := ev.Host
	if host == "" {
		host = ev.Header.Get("Host")
	}
	if !plainHost(host) {
		host = "localhost"
	}
	path := ev.Path
	if path == "" {
		path = "/"
	}
	return `"${HOOKSCOPE_TARGET:-http://` + host + `}"` + curlcmd.Quote(curlcmd.URL("", path, ev.RawPath, ev.Query))
}

func plainHost(h string) bool {
	if h == "" {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-:[]", c) >= 0) {
			return false
		}
	}
	return true
}
