package capture

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// TestRefusedRequestsAreStored: requests net/http answers itself, before the
// handler, are stored from the bytes read off the connection, with the
// answer net/http gave and why; the sender still gets that answer.
func TestRefusedRequestsAreStored(t *testing.T) {
	for _, tt := range []struct {
		name, raw   string
		method      string // "" is POST
		status      int
		path, query string
		header      store.Header
		body        string
		truncated   bool
		reasonHas   []string
		// headPart: net/http stopped reading the head early, so only the
		// start of header is known to be there.
		headPart bool
	}{
		{
			name:   "control character in a header value",
			raw:    "POST /hooks/x?a=1 HTTP/1.1\r\nHost: h\r\nX-Bad: a\x07b\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
			status: 400, path: "/hooks/x", query: "a=1",
			header:    store.Header{{Name: "Host", Value: "h"}, {Name: "X-Bad", Value: "a\x07b"}, {Name: "Content-Type", Value: "application/json"}, {Name: "Content-Length", Value: "7"}},
			body:      `{"a":1}`,
			reasonHas: []string{"400 Bad Request", "header line 3 (X-Bad): control character 0x07"},
		},
		{
			name:   "header name with a space",
			raw:    "POST /hooks/w HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n",
			status: 400, path: "/hooks/w",
			header:    store.Header{{Name: "Host", Value: "h"}, {Name: "Bad Name", Value: "x"}},
			reasonHas: []string{"invalid header name", `the name "Bad Name" is not an HTTP token`},
		},
		{
			name:   "header line without a colon",
			raw:    "POST /p HTTP/1.1\r\nHost: h\r\nnocolon\r\nContent-Length: 2\r\n\r\nhi",
			status: 400, path: "/p",
			header:    store.Header{{Name: "Host", Value: "h"}, {Name: "nocolon"}, {Name: "Content-Length", Value: "2"}},
			body:      "hi",
			reasonHas: []string{"header line 3 has no colon"},
		},
		{
			name:   "no Host",
			raw:    "POST /z HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
			status: 400, path: "/z",
			header:    store.Header{{Name: "Content-Length", Value: "5"}},
			body:      "hello",
			reasonHas: []string{"missing required Host header"},
		},
		{
			name:   "unknown transfer coding",
			raw:    "POST /y HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\nabc",
			status: 501, path: "/y",
			header: store.Header{{Name: "Host", Value: "h"}, {Name: "Transfer-Encoding", Value: "gzip"}},
			body:   "abc", truncated: true,
			reasonHas: []string{"501 Not Implemented: Unsupported transfer encoding"},
		},
		{
			// net/http refuses at the bad line, having read only the
			// start of a long head: the line is still named.
			name:   "control character early in a long head",
			raw:    "POST /m HTTP/1.1\r\nHost: h\r\nX-0: \x1b[31m\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("p", 90)+"\r\n", 2000) + "\r\n",
			status: 400, path: "/m",
			header:    store.Header{{Name: "Host", Value: "h"}, {Name: "X-0", Value: "\x1b[31m"}},
			headPart:  true,
			reasonHas: []string{"header line 3 (X-0): control character 0x1b"},
		},
		{
			name:   "unsupported Expect",
			raw:    "POST /e HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\nhi",
			status: 417, path: "/e",
			header:    store.Header{{Name: "Host", Value: "h"}, {Name: "Expect", Value: "200-ok"}, {Name: "Content-Length", Value: "2"}},
			body:      "hi",
			reasonHas: []string{"417 Expectation Failed", `Expect "200-ok" is not supported`},
		},
		{
			name:   "tab in the request line",
			raw:    "POST\t/tab HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi",
			status: 400, path: "/tab",
			header:    store.Header{{Name: "Host", Value: "h"}, {Name: "Content-Length", Value: "2"}},
			body:      "hi",
			reasonHas: []string{"the request line separates its parts with a tab"},
		},
		{
			name:   "control character in the target",
			raw:    "POST /a\x00b HTTP/1.1\r\nHost: h\r\n\r\n",
			status: 400, path: "/a\x00b",
			header:    store.Header{{Name: "Host", Value: "h"}},
			reasonHas: []string{"the request target holds control character 0x00"},
		},
		{
			name:   "method that is not a token",
			raw:    "PO(ST /m HTTP/1.1\r\nHost: h\r\n\r\n",
			method: "PO(ST", status: 400, path: "/m",
			header:    store.Header{{Name: "Host", Value: "h"}},
			reasonHas: []string{`the method "PO(ST" is not an HTTP token`},
		},
		{
			name:   "Content-Length values that disagree",
			raw:    "POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhii",
			status: 400, path: "/c",
			header:    store.Header{{Name: "Host", Value: "h"}, {Name: "Content-Length", Value: "2"}, {Name: "Content-Length", Value: "3"}},
			body:      "hii",
			reasonHas: []string{"Content-Length is sent 2 times with different values (2, 3)"},
		},
		{
			name:   "body announced longer than what came",
			raw:    "POST /q HTTP/1.1\r\nHost: h\r\nX: \x01\r\nContent-Length: 100\r\n\r\nshort",
			status: 400, path: "/q",
			header: store.Header{{Name: "Host", Value: "h"}, {Name: "X", Value: "\x01"}, {Name: "Content-Length", Value: "100"}},
			body:   "short", truncated: true,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url, db := startListener(t, Options{Policy: DefaultPolicy()})
			line := rawExchange(t, url, tt.raw)
			if !strings.HasPrefix(line, "HTTP/1.1 "+strconv.Itoa(tt.status)) {
				t.Fatalf("answered %q, want net/http's %d", line, tt.status)
			}
			r, body := only(t, db)
			method := cmp.Or(tt.method, "POST")
			if r.Response.Status != tt.status || r.Method != method || r.Path != tt.path || r.Query != tt.query {
				t.Errorf("stored %s %s?%s answered %d", r.Method, r.Path, r.Query, r.Response.Status)
			}
			got := r.Header
			if tt.headPart && len(got) > len(tt.header) {
				got = got[:len(tt.header)]
			}
			if !equalHeader(got, tt.header) {
				t.Errorf("headers %q, want %q", r.Header, tt.header)
			}
			if string(body) != tt.body || r.Size != int64(len(tt.body)) || r.Truncated != tt.truncated {
				t.Errorf("body %q size %d truncated %v, want %q truncated %v", body, r.Size, r.Truncated, tt.body, tt.truncated)
			}
			if r.Refused == "" {
				t.Fatal("not marked refused")
			}
			for _, want := range tt.reasonHas {
				if !strings.Contains(r.Refused, want) {
					t.Errorf("reason %q lacks %q", r.Refused, want)
				}
			}
		})
	}
}

// TestHandledRequestsAreNotRefused: a keep-alive connection's answers
// (written after recording resumed) are never taken for refusals, even a
// 413 or a policy answering 400.
func TestHandledRequestsAreNotRefused(t *testing.T) {
	for _, policy := range []Policy{
		{Status: 400},
		// Starts like net/http's own 417 answer.
		{Status: 417, Header: store.Header{{Name: "Connection", Value: "close"}}},
	} {
		url, db := startListener(t, Options{Policy: policy, MaxBody: 4})
		client := &http.Client{} // one keep-alive connection where it stays open
		for _, body := range []string{"ok", "too long"} {
			resp, err := client.Post(url+"/a", "text/plain", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != policy.Status && resp.StatusCode != 413 {
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
		recs, err := db.List(t.Context(), store.Query{})
		if err != nil || len(recs) != 2 {
			t.Fatalf("%d stored (%v)", len(recs), err)
		}
		for _, r := range recs {
			if r.Refused != "" {
				t.Errorf("status %d: %s marked refused: %q", policy.Status, r.ID, r.Refused)
			}
		}
	}
}

func equalHeader(a, b store.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzParseRefused: whatever was read off the connection, rebuilding it
// neither panics nor stores more body than arrived or than maxBody.
func FuzzParseRefused(f *testing.F) {
	f.Add([]byte("POST /x HTTP/1.1\r\nHost: h\r\nX: \x07\r\nContent-Length: 3\r\n\r\nabcdef"), []byte("HTTP/1.1 400 Bad Request"+refusalHeaders+"400 Bad Request"))
	f.Add([]byte("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), []byte("HTTP/1.1 400 Bad Request: missing required Host header"+refusalHeaders))
	f.Add([]byte("GET"), []byte("HTTP/1.1 431"))
	f.Fuzz(func(t *testing.T, raw, answer []byte) {
		r := parseRefused(raw, answer, 16)
		if r.ev.Size != int64(len(r.body)) || len(r.body) > 16 || len(r.body) > len(raw) && !bytes.Contains(raw, []byte("chunked")) {
			t.Fatalf("size %d body %d of %d raw bytes", r.ev.Size, len(r.body), len(raw))
		}
		if r.ev.Refused == "" && len(answer) > len("HTTP/1.1 ") || len(r.ev.Refused) > maxRefusedReason+len("…") {
			t.Fatalf("reason %q", r.ev.Refused)
		}
	})
}

// TestTLSHandshakeIsNamed: HTTPS spoken to the plain listener is stored as
// the bytes that came, with what they are.
func TestTLSHandshakeIsNamed(t *testing.T) {
	url, db := startListener(t, Options{Policy: DefaultPolicy()})
	c, err := tls.Dial("tcp", strings.TrimPrefix(url, "http://"), &tls.Config{InsecureSkipVerify: true})
	if err == nil {
		c.Close()
		t.Fatal("TLS handshake succeeded with a plain-HTTP listener")
	}
	r, body := only(t, db)
	if r.Response.Status != 400 || !strings.Contains(r.Refused, "TLS handshake") || len(body) == 0 || body[0] != 0x16 {
		t.Fatalf("stored %d %q, body % x", r.Response.Status, r.Refused, body[:min(8, len(body))])
	}
}

// TestRefusedTargetKeepsItsEncoding: a target url.ParseRequestURI refuses
// (a raw control byte in its query) is still split into a decoded path and
// the form it was sent in, as a handled request's is, so show, replay and
// exports put the path back on the wire as sent, not encoded twice
// (%1b as %251b).
func TestRefusedTargetKeepsItsEncoding(t *testing.T) {
	for _, tt := range []struct {
		target, path, rawPath, query, wire string
	}{
		{"/hooks/%1b]52;c/x?q=\x1b[2J", "/hooks/\x1b]52;c/x", "/hooks/%1b]52;c/x", "q=\x1b[2J", "/hooks/%1b]52;c/x"},
		{"/a%2Fb?x=\x01", "/a/b", "/a%2Fb", "x=\x01", "/a%2Fb"},
		{"/plain?x=\x01", "/plain", "", "x=\x01", "/plain"},
		{"/bad%zz?x=\x01", "/bad%zz", "", "x=\x01", "/bad%25zz"},
	} {
		method, path, rawPath, query, proto := parseRequestLine("POST " + tt.target + " HTTP/1.1")
		if method != "POST" || proto != "HTTP/1.1" || path != tt.path || rawPath != tt.rawPath || query != tt.query {
			t.Errorf("%q: %q %q raw %q query %q %q, want path %q raw %q query %q", tt.target, method, path, rawPath, query, proto, tt.path, tt.rawPath, tt.query)
		}
		if got := store.EscapePath(path, rawPath); got != tt.wire {
			t.Errorf("%q goes back out as %q, want %q", tt.target, got, tt.wire)
		}
	}
}

// TestRefusedAfterAHandledRequest: on a keep-alive connection, a request
// refused after a handled one is stored as it was sent, whether the handled
// one left part of its body unread (net/http reads and drops it after the
// handler: those bytes are not the next head) or the refused one came
// pipelined with it.
func TestRefusedAfterAHandledRequest(t *testing.T) {
	const bad = "POST /bad HTTP/1.1\r\nHost: h\r\nX: a\x07b\r\nContent-Length: 2\r\n\r\nhi"
	for _, tt := range []struct {
		name  string
		parts []string // the second written once the first is stored
	}{
		{"after a body cut at the size limit", []string{"POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: 40\r\n\r\n012345", strings.Repeat("6789", 8) + "01" + bad}},
		{"pipelined", []string{"POST /ok HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok" + bad}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stored := make(chan struct{}, 2)
			url, db := startListener(t, Options{Policy: DefaultPolicy(), MaxBody: 4,
				Stored: func(*store.Event, []byte) { stored <- struct{}{} }})
			c := dialListener(t, url)
			for i, p := range tt.parts {
				if i > 0 {
					<-stored // the handler has the first request
				}
				if _, err := io.WriteString(c, p); err != nil {
					t.Fatal(err)
				}
			}
			br := bufio.NewReader(c)
			for _, want := range []int{0, 400} {
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if want != 0 && resp.StatusCode != want {
					t.Fatalf("refused request answered %d", resp.StatusCode)
				}
			}
			recs, err := db.List(t.Context(), store.Query{})
			if err != nil || len(recs) != 2 {
				t.Fatalf("%d stored (%v)", len(recs), err)
			}
			r := recs[0]
			if r.Method != "POST" || r.Path != "/bad" || r.Refused == "" || r.Header.Get("X") != "a\x07b" {
				t.Fatalf("stored %q %q refused %q headers %q", r.Method, r.Path, r.Refused, r.Header)
			}
		})
	}
}

// TestPipelinedAfterA417PolicyIsNotRefused: a policy answering 417 with
// Connection: close starts like net/http's own answer to an unsupported
// Expect, and is written once recording holds the next, pipelined request.
// That request was never served (the connection closes) and must not be
// stored as one net/http refused.
func TestPipelinedAfterA417PolicyIsNotRefused(t *testing.T) {
	url, db := startListener(t, Options{Policy: Policy{Status: 417, Header: store.Header{{Name: "Connection", Value: "close"}}}})
	c := dialListener(t, url)
	req := "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi"
	if _, err := c.Write([]byte(req + strings.Replace(req, "/a", "/b", 1))); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	// The answer ends when the server closes: by then whatever it stores
	// for this connection is stored.
	if out, err := io.ReadAll(c); err != nil || !strings.HasPrefix(string(out), "HTTP/1.1 417 ") {
		t.Fatalf("answer %q, %v", out, err)
	}
	recs, err := db.List(t.Context(), store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Path != "/a" || recs[0].Refused != "" {
		for _, r := range recs {
			t.Errorf("stored %s refused %q", r.Path, r.Refused)
		}
		t.Fatalf("%d stored, want /a alone, not refused", len(recs))
	}
}

// TestLostRefusalsAreReportedPaced: with the store failing, a sender whose
// every request net/http refuses would log a line each; they are paced like
// the 503s.
func TestLostRefusalsAreReportedPaced(t *testing.T) {
	var logs syncBuffer
	h := NewHandler(failingAppender{}, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	raw := []byte("POST /x HTTP/1.1\r\nHost: h\r\nX: \x07\r\n\r\n")
	answer := []byte("HTTP/1.1 400 Bad Request" + refusalHeaders + "400 Bad Request")
	for range 50 {
		h.storeRefused("192.0.2.1:1234", raw, answer)
	}
	if n := strings.Count(logs.String(), "not stored"); n != 1 {
		t.Fatalf("%d log lines for 50 refused requests lost in a moment, want one:\n%s", n, logs.String())
	}
}

// TestAnswerRefuses: which answers are net/http refusing the recorded
// request. A 417 that starts like net/http's is one only when the request
// has an Expect net/http does not support; a handler's answer never is.
func TestAnswerRefuses(t *testing.T) {
	expect := []byte("POST /e HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n")
	plain := []byte("POST /e HTTP/1.1\r\nHost: x\r\n\r\n")
	tests := []struct {
		name   string
		answer string
		raw    []byte
		want   bool
	}{
		{"net/http's 400", "HTTP/1.1 400 Bad Request" + refusalHeaders + "400 Bad Request", plain, true},
		{"net/http's 417, unsupported Expect", expectationFailed + "Content-Length: 0\r\n\r\n", expect, true},
		{"a handler's 417 like net/http's", expectationFailed + "Content-Length: 0\r\n\r\n", plain, false},
		{"a handler's 400", "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n", plain, false},
		{"refusalHeaders cut short", "HTTP/1.1 400 Bad Request" + refusalHeaders[:10], plain, false},
		{"not HTTP/1.1", "HTTP/1.0 400 Bad Request" + refusalHeaders, plain, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := answerOf([]byte(tc.answer)).refuses(tc.raw); got != tc.want {
				t.Errorf("refuses = %v; want %v", got, tc.want)
			}
		})
	}
}
