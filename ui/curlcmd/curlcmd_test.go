package curlcmd

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

func TestQuote(t *testing.T) {
	tests := map[string]string{
		"":         "''",
		"abc":      "'abc'",
		"it's":     `'it'\''s'`,
		"$(x) `y`": "'$(x) `y`'",
	}
	for in, want := range tests {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestSafeText(t *testing.T) {
	tests := []struct {
		in              string
		line, multiline bool
	}{
		{"héllo 世界 $(x)", true, true},
		{"a\nb", false, true},
		{"a\tb", false, false},
		{"a\r\nb", false, false},
		{"a\x1b[201~b", false, false},
		{"a\x7fb", false, false},
		{"a\u009bb", false, false},
		{"a\u202eb", false, false},
		{"a\u2066b", false, false},
		{"a\u200fb", false, false},
		{"a\u2028b", false, false},
		{"a\u200bb\u061c", false, false},
		{"a\xffb", false, false},
	}
	for _, tt := range tests {
		if got := SafeText(tt.in, false); got != tt.line {
			t.Errorf("SafeText(%q, false) = %v", tt.in, got)
		}
		if got := SafeText(tt.in, true); got != tt.multiline {
			t.Errorf("SafeText(%q, true) = %v", tt.in, got)
		}
	}
}

func TestURL(t *testing.T) {
	tests := []struct{ base, path, raw, query, want string }{
		{"http://127.0.0.1:8080/", "/hooks/a b", "", "x=1&y=%20", "http://127.0.0.1:8080/hooks/a%20b?x=1&y=%20"},
		{"http://h", "", "", "", "http://h"},
		{"http://h", "/p", "", "a=\x1b[31m#frag", "http://h/p?a=%1B[31m%23frag"},
		{"http://h", "/é", "", "", "http://h/%C3%A9"},
		{"http://h", "/a/b", "/a%2Fb", "", "http://h/a%2Fb"},                                          // sent encoded: kept
		{"http://h", "/a/••••", "/a%2Fsecret", "", "http://h/a/%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2"}, // masked since
	}
	for _, tt := range tests {
		if got := URL(tt.base, tt.path, tt.raw, tt.query); got != tt.want {
			t.Errorf("URL(%q,%q,%q,%q) = %q, want %q", tt.base, tt.path, tt.raw, tt.query, got, tt.want)
		}
	}
}

func TestBuildShape(t *testing.T) {
	got := Build(Request{Method: "POST", URL: "http://h/p", Header: store.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "Host", Value: "x"}}, Body: []byte(`{"a":1}`)})
	want := "printf '%s' '{\"a\":1}' |\n  curl -sS --globoff --path-as-is -X 'POST' -H 'Content-Type: application/json' -H 'User-Agent:' -H 'Accept:' -H 'Expect:' --data-binary @- -- 'http://h/p'"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Headers of one connection stay with it, as in a replay: hop-by-hop
	// ones and those the Connection header names.
	got = Build(Request{Method: "GET", URL: "http://h/", Header: store.Header{{Name: "connection", Value: "x-hop, Keep-Alive"},
		{Name: "Keep-Alive", Value: "timeout=5"}, {Name: "X-Hop", Value: "1"}, {Name: "X-End", Value: "2"}}})
	if strings.Contains(got, "onnection") || strings.Contains(got, "Keep-Alive") || strings.Contains(got, "X-Hop") || !strings.Contains(got, "-H 'X-End: 2'") {
		t.Errorf("connection-scoped headers: got %q", got)
	}
	got = Build(Request{Method: "POST", URL: "http://h/p", Body: []byte{0, 1, 0x1b}})
	if !strings.HasPrefix(got, "base64 -d <<'HOOKSCOPE_BODY' | curl ") || !strings.HasSuffix(got, "\nAAEb\nHOOKSCOPE_BODY") {
		t.Errorf("binary body: got\n%s", got)
	}
	if strings.ContainsAny(got, "\x00\x1b") {
		t.Error("binary bytes leaked into the command")
	}
	// A value that could act on a terminal showing the command (a bidi
	// override) travels as base64; one no request could carry (ESC, a line
	// break) is left out.
	got = Build(Request{Method: "GET", URL: "http://h/", Header: store.Header{{Name: "X-Bidi", Value: "a\u202eb"}}})
	if strings.Contains(got, "\u202e") || !strings.Contains(got, "base64 -d)") {
		t.Errorf("bidi in header: got %q", got)
	}
	// A method with an escape sequence (a refused delivery's) is not
	// written as it came: the script is printed on terminals.
	got = Build(Request{Method: "G\x1b[31mET", URL: "http://h/"})
	if strings.Contains(got, "\x1b") || !strings.Contains(got, "-X \"$(printf '%s' 'RxtbMzFtRVQ=' | base64 -d)\"") {
		t.Errorf("method with an escape: got %q", got)
	}
	got = Build(Request{Method: "GET", URL: "http://h/", Header: store.Header{{Name: "X-Ctl", Value: "a\x1b[201~b"}, {Name: "X-Split", Value: "a\r\nX-Evil: 1"}}})
	if strings.Contains(got, "\x1b") || strings.Contains(got, "X-Ctl") || strings.Contains(got, "X-Split") {
		t.Errorf("impossible headers kept: got %q", got)
	}
}

type captured struct {
	method, uri string
	header      http.Header
	body        []byte
}

// TestBuildRunsWithSh executes generated commands with sh and curl against a
// local server and compares what arrives with what was captured.
func TestBuildRunsWithSh(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	if _, err := exec.LookPath("base64"); err != nil {
		t.Skip("base64 not installed")
	}
	got := make(chan captured, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- captured{r.Method, r.RequestURI, r.Header.Clone(), b}
	}))
	defer srv.Close()

	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	tests := []struct {
		name    string
		method  string
		path    string
		query   string
		header  store.Header
		body    []byte
		wantURI string
	}{
		{name: "json", method: "POST", path: "/hooks/talkdesk", header: store.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "X-Hub-Ecdsa-Signature", Value: "30450221"}},
			body: []byte(`{"type":"app.installed","data":{"n":1}}`)},
		{name: "quotes and dollars", method: "POST", path: "/it's", body: []byte("it's $(rm -rf /) `x` \\ \"q\"\n"), header: store.Header{{Name: "X-Quote", Value: `a'b"c`}}},
		{name: "no trailing newline and starts with @", method: "PUT", path: "/p", body: []byte("@/etc/passwd")},
		{name: "trailing newlines", method: "POST", path: "/p", body: []byte("line\n\n\n")},
		{name: "binary", method: "POST", path: "/bin", body: bin, header: store.Header{{Name: "Content-Type", Value: "application/octet-stream"}}},
		{name: "escape sequences", method: "POST", path: "/e", body: []byte("\x1b[201~; echo pwned\r\n\x9b31m\u202e")},
		{name: "tabs", method: "POST", path: "/t", body: []byte("{\n\t\"a\": 1\n}")},
		{name: "unicode", method: "PATCH", path: "/ü", body: []byte("héllo 世界")},
		{name: "get no body", method: "GET", path: "/g", query: "a=1&b=[x]{y}", header: store.Header{{Name: "X-Empty", Value: ""}}},
		{name: "delete no body", method: "DELETE", path: "/d"},
		{name: "header with control", method: "POST", path: "/h", header: store.Header{{Name: "X-Tab", Value: "a\tb"}}, body: []byte("x")},
		{name: "form", method: "POST", path: "/f", header: store.Header{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}}, body: []byte("a=1&b=%20&c=é")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := URL(srv.URL, tt.path, "", tt.query)
			cmd := Build(Request{Method: tt.method, URL: u, Header: tt.header, Body: tt.body})
			out, err := exec.Command("sh", "-c", cmd).CombinedOutput()
			if err != nil {
				t.Fatalf("sh: %v\n%s\ncommand:\n%s", err, out, cmd)
			}
			var c captured
			select {
			case c = <-got:
			case <-time.After(5 * time.Second):
				t.Fatalf("the server saw no request; sh said:\n%s\ncommand:\n%s", out, cmd)
			}
			if c.method != tt.method {
				t.Errorf("method %s, want %s", c.method, tt.method)
			}
			wantURI := u[len(srv.URL):]
			if c.uri != wantURI {
				t.Errorf("uri %q, want %q", c.uri, wantURI)
			}
			if !bytes.Equal(c.body, tt.body) && !(len(c.body) == 0 && len(tt.body) == 0) {
				t.Errorf("body %q, want %q\ncommand:\n%s", c.body, tt.body, cmd)
			}
			for _, f := range tt.header {
				if v := c.header.Values(f.Name); len(v) != 1 || v[0] != f.Value {
					t.Errorf("header %s = %q, want %q", f.Name, v, f.Value)
				}
			}
			if len(tt.body) > 0 && tt.header.Get("Content-Type") == "" && c.header.Get("Content-Type") != "" {
				t.Errorf("curl added Content-Type %q", c.header.Get("Content-Type"))
			}
		})
	}
}
