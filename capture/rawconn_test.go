package capture

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
)

// TestHeadCheckAgreesWithNetHTTP compares, on random heads, the one-pass
// check of long heads (sameHeader) with the per-name scan short heads use
// (sameValues), and what parseHead makes of a head with what net/http
// parsed of it: names repeated in different case, empty values, values
// with blanks net/http trims, folded lines, Host, and line counts around
// maxScannedHeader. A head net/http accepts must keep its received order.
func TestHeadCheckAgreesWithNetHTTP(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"x-a", "X-A", "x-A", "X-b", "Content-Type", "content-type", "1f", "X_Y", "Accept", "A", "host", "User-agent"}
	values := []string{"", "v", " v", "v ", "\tv\t", "a b", "a  b", " ", "\t", "ü"}
	for i := range 3000 {
		var b strings.Builder
		b.WriteString("POST /x HTTP/1.1\r\n")
		n := rng.IntN(3)
		switch rng.IntN(3) {
		case 0:
			n = maxScannedHeader - 3 + rng.IntN(6) // around the switch between the checks
		case 1:
			n = rng.IntN(2 * maxScannedHeader)
		}
		hosts := 0
		for range n {
			name := names[rng.IntN(len(names))]
			if strings.EqualFold(name, "host") {
				if hosts > 0 {
					continue // net/http refuses a second Host
				}
				hosts++
			}
			fmt.Fprintf(&b, "%s:%s\r\n", name, values[rng.IntN(len(values))])
			for rng.IntN(8) == 0 {
				fmt.Fprintf(&b, "%s%s\r\n", []string{" ", "\t", "  "}[rng.IntN(3)], values[rng.IntN(len(values))])
			}
		}
		if hosts == 0 {
			b.WriteString("Host: h\r\n")
		}
		b.WriteString("\r\n")
		raw := []byte(b.String())
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Fatalf("head %d: %v\n%q", i, err, raw)
		}
		h, ok := parseHead(recordedHead(raw, req), req)
		if !ok {
			t.Fatalf("head %d: net/http accepted it, parseHead fell back to its map\n%q", i, raw)
		}
		for name, vals := range req.Header {
			if !sameValues(h, name, vals) {
				t.Fatalf("head %d: %s is %q in net/http\n%q", i, name, vals, raw)
			}
		}
		// Now a head that disagrees with net/http: both checks must say so.
		for name, vals := range req.Header {
			vals = append([]string(nil), vals...)
			switch rng.IntN(3) {
			case 0:
				vals[rng.IntN(len(vals))] += "!"
			case 1:
				vals = append(vals, "extra")
			case 2:
				vals = vals[:len(vals)-1]
			}
			req.Header[name] = vals
			break
		}
		if rng.IntN(4) == 0 {
			req.Header[textproto.CanonicalMIMEHeaderKey(names[rng.IntN(len(names))])] = []string{"only in the map"}
		}
		scan := true
		for name, vals := range req.Header {
			scan = scan && sameValues(h, name, vals)
		}
		if one := sameHeader(h, req.Header); one != scan {
			t.Fatalf("head %d: sameHeader %v, sameValues %v\n%q\n%q", i, one, scan, raw, req.Header)
		}
	}
}

// TestBareLFHeadKeepsBodyOutOfHeaders: a head whose lines end in bare LFs
// (net/http accepts them) ends at its first empty line, not at a CRLF
// CRLF inside the body: no body bytes become a header value.
func TestBareLFHeadKeepsBodyOutOfHeaders(t *testing.T) {
	url, db := startListener(t, Options{Policy: DefaultPolicy()})
	body := "ab\r\n\r\ncdefgh"
	raw := "POST /x HTTP/1.1\r\nContent-Length: 12\r\nHost: h\n\n" + body
	if got := rawExchange(t, url, raw); got != "HTTP/1.1 200 OK" {
		t.Fatalf("answered %q", got)
	}
	r, stored := only(t, db)
	if string(stored) != body {
		t.Fatalf("body %q, want %q", stored, body)
	}
	for _, f := range r.Header {
		if strings.ContainsAny(f.Value, "\r\n") {
			t.Fatalf("header %s holds a line break: %q", f.Name, f.Value)
		}
	}
	if got := r.Header.Get("Host"); got != "h" {
		t.Fatalf("Host %q, want h", got)
	}
}
