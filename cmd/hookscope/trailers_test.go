package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/verify"
)

// sendRaw writes raw on a new connection to the listener at url and waits
// for its answer's status line.
func sendRaw(t *testing.T, url, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(line)
}

// TestTrailersThroughShow sends requests through the real listener and
// reads them back: show --json has the trailers of a chunked request,
// show --raw writes it chunked again with them (and net/http reads that
// back to the same body and trailers), the readable view lists them; a
// request that was not chunked comes out of --raw as it came.
func TestTrailersThroughShow(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	const chunkedHead = "POST /chunk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
	tests := []struct {
		name     string
		sent     string
		raw      string              // show --raw
		trailers map[string][]string // show --json's "trailers"; nil: left out
		body     string
		chunked  bool
	}{
		{"chunked with a trailer",
			chunkedHead + "Trailer: X-Sig\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\nX-Sig: abc\r\n\r\n",
			chunkedHead + "Trailer: X-Sig\r\n\r\n7\r\n{\"a\":1}\r\n0\r\nX-Sig: abc\r\n\r\n",
			map[string][]string{"X-Sig": {"abc"}}, `{"a":1}`, true},
		{"chunked with trailers repeated and undeclared",
			chunkedHead + "Trailer: X-Sig\r\n\r\n3\r\nabc\r\n0\r\nX-Sig: 1\r\nX-Extra: e\r\nX-Sig: 2\r\n\r\n",
			chunkedHead + "Trailer: X-Sig\r\n\r\n3\r\nabc\r\n0\r\nX-Sig: 1\r\nX-Sig: 2\r\nX-Extra: e\r\n\r\n",
			map[string][]string{"X-Sig": {"1", "2"}, "X-Extra": {"e"}}, "abc", true},
		{"chunked without trailers",
			chunkedHead + "\r\n5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n",
			chunkedHead + "\r\nc\r\nhello, world\r\n0\r\n\r\n",
			nil, "hello, world", true},
		{"chunked, empty",
			chunkedHead + "Trailer: X-Sig\r\n\r\n0\r\nX-Sig: abc\r\n\r\n",
			chunkedHead + "Trailer: X-Sig\r\n\r\n0\r\nX-Sig: abc\r\n\r\n",
			map[string][]string{"X-Sig": {"abc"}}, "", true},
		{"content length",
			"POST /plain HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
			"POST /plain HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
			nil, `{"a":1}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := startListen(t)
			if got := sendRaw(t, l.url, tt.sent); got != "HTTP/1.1 200 OK" {
				t.Fatalf("status line %q", got)
			}
			recs := lsJSON(t, l.db)
			if len(recs) != 1 {
				t.Fatalf("%d stored", len(recs))
			}
			id := recs[0]["id"].(string)

			code, out, errs := run(t, "show", id, "--json", "--db", l.db)
			if code != 0 {
				t.Fatalf("show --json: %d %s", code, errs)
			}
			var obj map[string]json.RawMessage
			if err := json.Unmarshal([]byte(out), &obj); err != nil {
				t.Fatal(err)
			}
			raw, ok := obj["trailers"]
			if ok != (tt.trailers != nil) {
				t.Fatalf("trailers present %v in %s", ok, out)
			}
			if ok {
				var got map[string][]string
				if err := json.Unmarshal(raw, &got); err != nil || !sameValues(got, tt.trailers) {
					t.Fatalf("trailers %s, want %v", raw, tt.trailers)
				}
			}

			code, out, errs = run(t, "show", id, "--raw", "--db", l.db)
			if code != 0 || out != tt.raw {
				t.Fatalf("show --raw: %d %s\n got %q\nwant %q", code, errs, out, tt.raw)
			}
			req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(out)))
			if err != nil {
				t.Fatalf("show --raw does not parse: %v", err)
			}
			body, err := io.ReadAll(req.Body)
			if err != nil || string(body) != tt.body {
				t.Fatalf("--raw read back: body %q (%v), want %q", body, err, tt.body)
			}
			if tt.chunked != (len(req.TransferEncoding) == 1) {
				t.Fatalf("--raw read back: transfer encoding %q", req.TransferEncoding)
			}
			got := map[string][]string{}
			for k, v := range req.Trailer {
				if v != nil {
					got[k] = v
				}
			}
			if !sameValues(got, tt.trailers) {
				t.Fatalf("--raw read back: trailers %v, want %v", got, tt.trailers)
			}

			_, out, _ = run(t, "show", id, "--db", l.db)
			if has := strings.Contains(out, "\nTrailers\n"); has != (tt.trailers != nil) {
				t.Fatalf("readable view (Trailers heading %v):\n%s", has, out)
			}
			for k, vs := range tt.trailers {
				for _, v := range vs {
					if !strings.Contains(out, "\n  "+k+": "+v+"\n") {
						t.Errorf("readable view lacks trailer %s: %s:\n%s", k, v, out)
					}
				}
			}
		})
	}
}

func sameValues(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\x00") != strings.Join(b[k], "\x00") || len(v) != len(b[k]) {
			return false
		}
	}
	return true
}

// TestTrailersShownSafelyAndMasked: a stored trailer holding an escape
// sequence and a configured secret is shown escaped by show, with the
// secret masked there and in show --json and export (unless revealed);
// --raw, exact, writes it as stored.
func TestTrailersShownSafelyAndMasked(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv(verify.EnvTalkifAISecret, pathSecret)
	db := filepath.Join(t.TempDir(), "h.db")
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev := &store.Event{Method: "POST", Path: "/c", Proto: "HTTP/1.1",
		Header:  store.Header{{Name: "Host", Value: "x"}, {Name: "Transfer-Encoding", Value: "chunked"}},
		Trailer: store.Header{{Name: "X-Evil", Value: "a\x1b[2Jb\x1b]0;pwned\x07"}, {Name: "X-Sig", Value: "k=" + pathSecret}}, Size: 2}
	if err := s.Append(context.Background(), ev, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	s.Close()

	tests := []struct {
		name string
		args []string
		want []string
		not  []string
	}{
		{"show", []string{"show", ev.ID}, []string{"Trailers\n  X-Evil: a␛[2Jb␛]0;pwned", "X-Sig: k=" + redact.Mask}, []string{"\x1b", "\x07", pathSecret}},
		{"show revealed", []string{"show", ev.ID, "--reveal-secrets"}, []string{"X-Evil: a␛[2Jb", "X-Sig: k=" + pathSecret}, []string{"\x1b", "\x07"}},
		{"show --json", []string{"show", ev.ID, "--json"}, []string{`"trailers":{"X-Evil":["a\u001b[2Jb\u001b]0;pwned\u0007"],"X-Sig":["k=` + redact.Mask + `"]}`}, []string{"\x1b", pathSecret}},
		{"show --json revealed", []string{"show", ev.ID, "--json", "--reveal-secrets"}, []string{`"X-Sig":["k=` + pathSecret + `"]`}, nil},
		{"ls --json", []string{"ls", "--json"}, []string{`"X-Sig":["k=` + redact.Mask + `"]`}, []string{pathSecret}},
		{"export", []string{"export", "--format", "jsonl"}, []string{`"X-Sig":["k=` + redact.Mask + `"]`, `"secrets_masked":true`}, []string{pathSecret}},
		{"export har", []string{"export", "--format", "har"}, []string{`"_trailers": [`, `"name": "X-Sig",`, `"value": "k=` + redact.Mask + `"`, `"secrets_masked": true`}, []string{pathSecret}},
		{"export har revealed", []string{"export", "--format", "har", "--reveal-secrets"}, []string{`"value": "k=` + pathSecret + `"`}, nil},
		{"show --raw", []string{"show", ev.ID, "--raw"}, []string{"2\r\n{}\r\n0\r\nX-Evil: a\x1b[2Jb\x1b]0;pwned\x07\r\nX-Sig: k=" + pathSecret + "\r\n\r\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, append(tt.args, "--db", db)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%q", w, out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("holds %q:\n%q", n, out)
				}
			}
		})
	}
}

// TestTrailersSurviveHARRoundTrip: a delivery's trailers go through a HAR
// export and an import into a fresh database, so show --raw of the copy
// ends with them, a configured secret masked unless --reveal-secrets.
func TestTrailersSurviveHARRoundTrip(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv(verify.EnvTalkifAISecret, pathSecret)
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev := &store.Event{Method: "POST", Path: "/c", Proto: "HTTP/1.1",
		Header:  store.Header{{Name: "Host", Value: "x"}, {Name: "Transfer-Encoding", Value: "chunked"}, {Name: "Trailer", Value: "X-Sig"}},
		Trailer: store.Header{{Name: "X-Sig", Value: "k=" + pathSecret}}, Size: 2}
	if err := s.Append(context.Background(), ev, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, tt := range []struct {
		name string
		args []string
		tail string
	}{
		{"masked", nil, "2\r\n{}\r\n0\r\nX-Sig: k=" + redact.Mask + "\r\n\r\n"},
		{"revealed", []string{"--reveal-secrets"}, "2\r\n{}\r\n0\r\nX-Sig: k=" + pathSecret + "\r\n\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, tt.name+".har")
			if code, _, errs := run(t, append([]string{"export", "--format", "har", "--out", file, "--db", db}, tt.args...)...); code != 0 {
				t.Fatalf("export: %s", errs)
			}
			other := filepath.Join(dir, tt.name+".db")
			if code, _, errs := run(t, "import", file, "--db", other); code != 0 {
				t.Fatalf("import: %s", errs)
			}
			id := lsJSON(t, other)[0]["id"].(string)
			code, out, errs := run(t, "show", id, "--raw", "--db", other)
			if code != 0 || !strings.HasSuffix(out, tt.tail) {
				t.Fatalf("show --raw of the copy: %d %s\n%q\nwant it to end %q", code, errs, out, tt.tail)
			}
		})
	}
}

// TestShowSaysWhyABodyIsCut: a body that broke off (a malformed chunk) is
// answered 400 and shown as not arrived whole, not as over the size
// limit; one over --max-body is answered 413 and shown as such.
func TestShowSaysWhyABodyIsCut(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	l := startListen(t, "--max-body", "4")
	for i, tt := range []struct {
		raw, status, shown, note string
	}{
		{"POST /cut HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n", "400", "did not arrive whole", "did not arrive whole"},
		{"POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789", "413", "more than the size limit", "truncated at the size limit"},
	} {
		if line := sendRaw(t, l.url, tt.raw); !strings.Contains(line, tt.status) {
			t.Fatalf("answered %q, want %s", line, tt.status)
		}
		rec := waitAnalysed(t, l.db, i+1)[0]
		if rec["truncated"] != true {
			t.Fatalf("not stored truncated: %v", rec)
		}
		_, out, _ := run(t, "show", rec["id"].(string), "--db", l.db)
		if !strings.Contains(out, tt.shown) {
			t.Errorf("show of a body answered %s does not say %q:\n%s", tt.status, tt.shown, out)
		}
		if notes := fmt.Sprint(rec["notes"]); !strings.Contains(notes, tt.note) {
			t.Errorf("notes of a body answered %s: %s", tt.status, notes)
		}
	}
}
