package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// syncBuffer is a bytes.Buffer safe for a command writing while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// run executes hookscope in-process and returns exit code, stdout, stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb syncBuffer
	code := Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

type listener struct {
	url, db        string
	stdout, stderr *syncBuffer
	stop           func() int
}

var urlRE = regexp.MustCompile(`listening on (http://\S+)`)

// waitBound bounds the tests' waits for something a listener does in the
// background (start, print, store, analyse). It only stops a broken test
// from hanging: under -race, on a loaded machine, these take seconds.
const waitBound = time.Minute

// startListen runs `hookscope listen` in-process on a free port.
func startListen(t *testing.T, args ...string) *listener {
	t.Helper()
	db := filepath.Join(t.TempDir(), "data", "h.db")
	var out, errb syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	all := append([]string{"listen", "--no-tui", "--addr", "127.0.0.1:0", "--db", db}, args...)
	go func() { done <- Run(ctx, all, strings.NewReader(""), &out, &errb) }()
	l := &listener{db: db, stdout: &out, stderr: &errb}
	var once sync.Once
	code := 0
	l.stop = func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	t.Cleanup(func() { l.stop() })
	l.url = waitListening(t, &errb, done)
	return l
}

// waitListening waits until the listener Run in the background (done
// receives its exit code) says on stderr where it listens, and returns the
// URL. It fails at once if the listener exits; the minute only bounds a
// listener that hangs (starting takes a moment, several under -race on a
// loaded machine).
func waitListening(t *testing.T, stderr *syncBuffer, done chan int) string {
	t.Helper()
	deadline := time.After(waitBound)
	for !urlRE.MatchString(stderr.String()) {
		select {
		case code := <-done:
			done <- code // for whoever stops it
			t.Fatalf("listener exited %d before it listened: %s", code, stderr.String())
		case <-deadline:
			t.Fatalf("listener did not start within %v: %s", waitBound, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return urlRE.FindStringSubmatch(stderr.String())[1]
}

func post(t *testing.T, url string, body []byte, hdr ...string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func lsJSON(t *testing.T, db string, extra ...string) []map[string]any {
	t.Helper()
	code, out, errs := run(t, append([]string{"ls", "--json", "--db", db}, extra...)...)
	if code != 0 {
		t.Fatalf("ls: %d %s", code, errs)
	}
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("ls line %q: %v", line, err)
		}
		recs = append(recs, m)
	}
	return recs
}

func TestUsageErrorsExit2AndNameTheFlag(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ls", "--limit", "abc"}, "--limit"},
		{[]string{"ls", "--bogus"}, "--bogus"},
		{[]string{"listen", "--status", "99"}, "--status: 99 is not a final HTTP status; accepted: 200 to 599"},
		// A 1xx is interim: net/http follows it with a 200 when the body
		// is written, while the delivery is recorded as answered 1xx.
		{[]string{"listen", "--status", "100"}, "--status: 100 is not a final HTTP status; accepted: 200 to 599"},
		{[]string{"listen", "--status", "103"}, "--status: 103 is not a final HTTP status; accepted: 200 to 599"},
		{[]string{"listen", "--status", "600"}, "--status: 600 is not a final HTTP status; accepted: 200 to 599"},
		{[]string{"listen", "--response-header", "nocolon"}, "--response-header"},
		{[]string{"listen", "--response-header", "content-length: 3"}, "--response-header: content-length is set by hookscope"},
		{[]string{"listen", "--response-header", "Transfer-Encoding: chunked"}, "--response-header: Transfer-Encoding is set by hookscope"},
		// net/http sets them from the body and dropped these silently.
		{[]string{"replay", "--to", "http://x", "--header", "Content-Length: 3", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "--header: Content-Length is set by hookscope, from the body it sends"},
		{[]string{"replay", "--to", "http://x", "--header", "transfer-encoding: chunked", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "--header: transfer-encoding is set by hookscope"},
		{[]string{"listen", "--forward-to", "http://127.0.0.1:1", "--forward-header", "Content-Length: 3"}, "--forward-header: Content-Length is set by hookscope"},
		{[]string{"listen", "--delay", "soon"}, "--delay"},
		{[]string{"listen", "--delay", "-1s"}, "--delay: accepted: 0 to 10m0s"},
		{[]string{"listen", "--delay", "11m"}, "--delay: accepted: 0 to 10m0s"},
		{[]string{"listen", "--forward-to", "http://127.0.0.1:1", "--forward-timeout", "0s"}, "--forward-timeout: accepted"},
		{[]string{"listen", "--forward-to", "http://127.0.0.1:1", "--forward-timeout", "1h"}, "--forward-timeout: accepted"},
		{[]string{"listen", "--forward-to", "http://127.0.0.1:1", "--forward-error-status", "99"}, "--forward-error-status: 99 is not a final HTTP status; accepted: 200 to 599"},
		// A 1xx is interim: net/http would follow it with a 200, telling
		// the provider the app took a delivery it never saw.
		{[]string{"listen", "--forward-to", "http://127.0.0.1:1", "--forward-error-status", "100"}, "--forward-error-status: 100 is not a final HTTP status; accepted: 200 to 599"},
		{[]string{"listen", "--forward-to", "http://127.0.0.1:1", "--forward-error-status", "600"}, "--forward-error-status: 600 is not a final HTTP status; accepted: 200 to 599"},
		{[]string{"listen", "--forward-to", "http://127.0.0.1:1", "--forward-header", "nocolon"}, "--forward-header: \"nocolon\" is not K:V"},
		{[]string{"listen", "--forward-to", "http://u:pw@"}, "--forward-to: \"http://u:xxxxx@\" is not an http:// or https:// URL"},
		{[]string{"listen", "--insecure=maybe"}, `--insecure: "maybe" is not true or false`},
		// --max-body 0 stops a regression before it opens the default database.
		{[]string{"listen", "--max-body", "0", "--max-age", "NaNd"}, `--max-age: "NaNd" is not an age: use a duration such as 90m, 36h, 7d or 2w`},
		{[]string{"prune", "--max-age", "-1d"}, "\"-1d\" is not an age"},
		{[]string{"replay", "--to", "http://x", "--header", "nocolon", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "--header: \"nocolon\" is not K:V"},
		{[]string{"replay", "--to", "http://x", "--header", "X/Y: 1", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "--header: \"X/Y\" is not a header name"},
		{[]string{"replay", "--to", "http://x", "--header", "X Y: 1", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "--header: \"X Y\" is not a header name"},
		{[]string{"replay", "--to", "http://x", "--header", "X-Y: a\nb", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "--header: the value of \"X-Y\" holds a control character"},
		{[]string{"replay", "--to", "http://x", "--header", "X-Y: a\x01b", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "--header: the value of \"X-Y\" holds a control character"},
		{[]string{"listen", "--forward-to", "http://127.0.0.1:1", "--forward-header", "X(Y: 1"}, "--forward-header: \"X(Y\" is not a header name"},
		{[]string{"replay", "--to", "http://x", "--rate", "NaN/s", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "--rate: \"NaN/s\" is not a rate; accepted: N/s, N/m or N/h with N > 0"},
		{[]string{"replay", "--to", "http://x", "--rate", "Inf", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "--rate: \"Inf\" is not a rate"},
		{[]string{"replay", "--to", "http://x", "--insecure=maybe", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, `--insecure: "maybe" is not true or false`},
		{[]string{"ls", "--limit", "abc"}, `--limit: "abc" is not a whole number`},
		{[]string{"ls", "--db", ""}, "--db: needs the path of a database file"},
		{[]string{"spec", "ls", "--spec", "/no/such/spec.yaml"}, "--spec: stat /no/such/spec.yaml"},
		{[]string{"send", "app.installed", "--body", "/no/such/body.json"}, "--body: open /no/such/body.json"},
		{[]string{"listen", "--db", " "}, "--db: needs the path of a database file"},
		{[]string{"replay", "--to", "http://x", "--timeout", "5q", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, `--timeout: "5q" is not a duration`},
		{[]string{"replay", "--to", "http://x", "--concurrency", "0", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "--concurrency: 0 is out of range; accepted: 1 to 1000"},
		{[]string{"replay", "--to", "http://x", "--concurrency", "100000000", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "--concurrency: 100000000 is out of range; accepted: 1 to 1000"},
		{[]string{"listen", "--addr", "nonsense"}, "--addr"},
		{[]string{"listen", "--addr", "127.0.0.1:99999"}, "--addr: \"127.0.0.1:99999\" is not HOST:PORT with a port from 0 to 65535"},
		{[]string{"listen", "--addr", "127.0.0.1:http"}, "--addr: \"127.0.0.1:http\" is not HOST:PORT"},
		{[]string{"--max-body", "0"}, "--max-body"},
		{[]string{"--max-body", "9223372036854775807"}, "--max-body"},
		{[]string{"show"}, "accepts 1 arg"},
		{[]string{"show", "a", "b"}, "accepts 1 arg(s), received 2 (usage: hookscope show ID"},
		{[]string{"stats", "extra"}, "(usage: hookscope stats"},
		{[]string{"show", "not-an-id!"}, "not a delivery id"},
		{[]string{"show", "abc", "--json", "--raw"}, "alternatives"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"ls", "color:red"}, "unknown key"},
		{[]string{"keys", "bogus"}, "unknown command \"bogus\" for \"hookscope keys\" (see `hookscope keys --help`)"},
		{[]string{"spec", "bogus"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errs := run(t, tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2 (stderr %q)", code, errs)
			}
			if !strings.Contains(errs, tt.want) {
				t.Fatalf("stderr %q does not mention %q", errs, tt.want)
			}
			// Go's parser messages are not for users.
			if strings.Contains(errs, "strconv.") || strings.Contains(errs, "time: invalid") {
				t.Fatalf("stderr %q passes on Go's parser message", errs)
			}
		})
	}
}

// TestForwardToOwnAddressRefused: a listener told to forward to its own
// address is refused at start with a usage error naming --forward-to, and
// stores nothing. Before, one delivery looped through hookscope until it
// was stopped, thousands of stored copies a second.
func TestForwardToOwnAddressRefused(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // a free port, for the listener to take
	_, port, _ := net.SplitHostPort(addr)
	db := filepath.Join(t.TempDir(), "h.db")
	for _, target := range []string{"http://" + addr + "/", "http://localhost:" + port + "/app"} {
		code, _, errs := run(t, "listen", "--no-tui", "--addr", addr, "--db", db, "--forward-to", target)
		if code != 2 || !strings.Contains(errs, "--forward-to: "+target+" is this listener's own address") {
			t.Errorf("--forward-to %s: exit %d, stderr %q; want 2 naming --forward-to", target, code, errs)
		}
	}
}

// TestBadAddrFromEnvironmentSaysSo: an --addr the user did not type (it
// came from $HOOKSCOPE_ADDR) is named with where it came from.
func TestBadAddrFromEnvironmentSaysSo(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOOKSCOPE_ADDR", "bogus")
	code, _, errs := run(t, "listen", "--no-tui", "--db", filepath.Join(t.TempDir(), "h.db"))
	if code != 2 || !strings.Contains(errs, `--addr: "bogus" (from $HOOKSCOPE_ADDR) is not HOST:PORT`) {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

func TestShowMissingDatabaseIsRuntimeError(t *testing.T) {
	db := filepath.Join(t.TempDir(), "none.db")
	code, _, errs := run(t, "ls", "--db", db)
	if code != 1 || !strings.Contains(errs, db) {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

// TestRuntimeErrorWordedLikeUsageExits1: the exit code follows the error's
// type, not its wording.
func TestRuntimeErrorWordedLikeUsageExits1(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "unknown command accepts 1 arg")
	code, _, errs := run(t, "import", missing)
	if code != 1 || !strings.Contains(errs, "no such file") {
		t.Fatalf("exit %d, stderr %q; want 1", code, errs)
	}
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	io.WriteString(w, s)
	w.Close()
	return b.Bytes()
}

// TestCaptureThroughShowBody is the user's path: deliveries in with curl-like
// requests, bytes out through `show --body` while the listener holds the
// database.
func TestCaptureThroughShowBody(t *testing.T) {
	l := startListen(t, "--max-body", "4096")
	bin := make([]byte, 300)
	for i := range bin {
		bin[i] = byte(255 - i)
	}
	cases := []struct {
		name   string
		body   []byte
		stored []byte
		hdr    []string
		status int
	}{
		{"text", []byte(`{"hello":"wörld"}`), nil, []string{"Content-Type", "application/json"}, 200},
		{"binary", bin, nil, nil, 200},
		{"invalid utf8", []byte("a\xff\xfe\x1b[2J"), nil, nil, 200},
		{"gzip", gzipped(`{"z":1}`), nil, []string{"Content-Encoding", "gzip"}, 200},
		{"oversize", bytes.Repeat([]byte("y"), 5000), bytes.Repeat([]byte("y"), 4096), nil, 413},
	}
	for _, c := range cases {
		if got := post(t, l.url+"/hooks/"+strings.ReplaceAll(c.name, " ", "-"), c.body, c.hdr...); got != c.status {
			t.Fatalf("%s: status %d, want %d", c.name, got, c.status)
		}
	}
	recs := lsJSON(t, l.db, "--limit", "0")
	if len(recs) != len(cases) {
		t.Fatalf("ls listed %d", len(recs))
	}
	for i, c := range cases {
		rec := recs[len(cases)-1-i] // newest first
		id := rec["id"].(string)
		code, out, errs := run(t, "show", id[:11], "--body", "--db", l.db)
		if code != 0 {
			t.Fatalf("%s: show: %s", c.name, errs)
		}
		want := c.body
		if c.stored != nil {
			want = c.stored
		}
		if out != string(want) {
			t.Errorf("%s: show --body returned %d bytes, want %d exact", c.name, len(out), len(want))
		}
		if (c.stored != nil) != rec["truncated"].(bool) {
			t.Errorf("%s: truncated = %v", c.name, rec["truncated"])
		}
	}
	if recs[1]["content_encoding"] != "gzip" {
		t.Errorf("gzip not flagged: %v", recs[1]["content_encoding"])
	}
	// The readable view decodes gzip and neutralises escape sequences.
	_, out, _ := run(t, "show", recs[1]["id"].(string), "--db", l.db)
	if !strings.Contains(out, `"z": 1`) || !strings.Contains(out, "gzip decoded") {
		t.Errorf("gzip body not decoded for display:\n%s", out)
	}
	_, out, _ = run(t, "show", recs[2]["id"].(string), "--db", l.db)
	if strings.ContainsRune(out, 0x1b) {
		t.Errorf("ESC reached show output")
	}
	if l.stop() != 0 {
		t.Fatal("listener exited non-zero")
	}
	// After the listener stops, the same commands open the file directly.
	if got := lsJSON(t, l.db); len(got) != len(cases) {
		t.Fatalf("direct ls listed %d", len(got))
	}
}

// TestListenResponsePolicyFlags: --status, --response-body and
// --response-header reach the answer deliveries get.
func TestListenResponsePolicyFlags(t *testing.T) {
	l := startListen(t, "--status", "202", "--response-body", "queued", "--response-header", "X-Queue: 7")
	resp, err := http.Post(l.url+"/q", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 || string(b) != "queued" || resp.Header.Get("X-Queue") != "7" {
		t.Fatalf("answer %d %q %v", resp.StatusCode, b, resp.Header)
	}
}

func TestChunkedAndHeaderOrderViaRaw(t *testing.T) {
	l := startListen(t)
	req, _ := http.NewRequest("POST", l.url+"/chunked?a=b", io.MultiReader(strings.NewReader("part1,"), strings.NewReader("part2")))
	req.Header.Add("X-Second", "1")
	req.Header.Add("X-Second", "2")
	req.ContentLength = -1 // chunked
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	recs := lsJSON(t, l.db)
	id := recs[0]["id"].(string)
	_, body, _ := run(t, "show", id, "--body", "--db", l.db)
	if body != "part1,part2" {
		t.Fatalf("chunked body %q", body)
	}
	_, raw, _ := run(t, "show", id, "--raw", "--db", l.db)
	// Stored de-chunked, the body is written chunked again, as one chunk.
	if !strings.HasPrefix(raw, "POST /chunked?a=b HTTP/1.1\r\n") || !strings.Contains(raw, "X-Second: 1\r\nX-Second: 2\r\n") ||
		!strings.HasSuffix(raw, "\r\n\r\nb\r\npart1,part2\r\n0\r\n\r\n") {
		t.Fatalf("raw:\n%q", raw)
	}
	hdrs := recs[0]["headers"].(map[string]any)
	if fmt.Sprint(hdrs["X-Second"]) != "[1 2]" {
		t.Fatalf("headers %v", hdrs)
	}
}

// TestHeadlessJSONLinesMatchLs: each line the listener prints with --json
// is, byte for byte, the object ls --json prints afterwards. With --delay
// the answer's duration is measured once the answer is written, after the
// delivery was stored: the line waits for that measure.
func TestHeadlessJSONLinesMatchLs(t *testing.T) {
	l := startListen(t, "--json", "--delay", "120ms")
	for i := 0; i < 3; i++ {
		post(t, l.url+fmt.Sprintf("/n/%d", i), []byte(`{}`))
	}
	deadline := time.Now().Add(waitBound)
	for strings.Count(l.stdout.String(), "\n") < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	lines := strings.Split(strings.TrimSpace(l.stdout.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("headless printed %d lines: %q", len(lines), l.stdout.String())
	}
	_, lsOut, _ := run(t, "ls", "--json", "--db", l.db)
	lsLines := strings.Split(strings.TrimSpace(lsOut), "\n")
	for i, line := range lines {
		if want := lsLines[len(lsLines)-1-i]; line != want {
			t.Errorf("headless line %d differs from ls --json:\n%s\n%s", i, line, want)
		}
	}
	recs := lsJSON(t, l.db)
	for i, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if m["path"] != fmt.Sprintf("/n/%d", i) || m["id"] != recs[2-i]["id"] {
			t.Fatalf("line %d: %v", i, m)
		}
	}
	for _, k := range []string{"id", "received_at", "method", "path", "query", "host", "remote_addr", "proto", "headers", "size", "truncated", "content_type", "response"} {
		if _, ok := recs[0][k]; !ok {
			t.Errorf("JSON lacks fixed field %q", k)
		}
	}
	if _, err := time.Parse(time.RFC3339Nano, recs[0]["received_at"].(string)); err != nil || !strings.HasSuffix(recs[0]["received_at"].(string), "Z") {
		t.Errorf("received_at %v", recs[0]["received_at"])
	}
}

// TestHeadlessPrintsDeliveryInFlightAtStop: a delivery whose body is still
// arriving at ctrl-c is finished, stored and answered, and so printed.
func TestHeadlessPrintsDeliveryInFlightAtStop(t *testing.T) {
	l := startListen(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(l.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// net/http answers 100 Continue when the handler first reads the body:
	// from then on the delivery is in flight.
	conn.Write([]byte("POST /inflight HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n"))
	br := bufio.NewReader(conn)
	if cont, err := http.ReadResponse(br, nil); err != nil || cont.StatusCode != http.StatusContinue {
		t.Fatalf("before the body: %v, %v; want 100 Continue", cont, err)
	}
	conn.Write([]byte("12345"))
	stopped := make(chan int, 1)
	go func() { stopped <- l.stop() }()
	// Stopping has begun once the port takes no more connections.
	for {
		c, err := net.Dial("tcp", strings.TrimPrefix(l.url, "http://"))
		if err != nil {
			break
		}
		c.Close()
		select {
		case code := <-stopped:
			t.Fatalf("the listener stopped (exit %d) with a delivery half received", code)
		case <-time.After(10 * time.Millisecond):
		}
	}
	conn.Write([]byte("67890"))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := <-stopped; code != 0 || resp.StatusCode != 200 {
		t.Fatalf("exit %d, status %d", code, resp.StatusCode)
	}
	if !strings.Contains(l.stdout.String(), "/inflight") {
		t.Fatalf("the delivery answered 200 during shutdown was not printed: %q", l.stdout.String())
	}
}

// TestOpenWaitsAtMostTwoSeconds: the waits openStore makes for a busy
// database (a dial, the lock, a second dial) add up to under the two
// seconds after which a command must have given its error. The tests below
// see those waits end in an error; timing them against two seconds would
// measure the machine (under -race, loaded) as much as the code.
func TestOpenWaitsAtMostTwoSeconds(t *testing.T) {
	// Each at its longest (the second dial gets at most dialTimeout/2).
	if worst := dialTimeout + lockTimeout + dialTimeout/2; worst >= 2*time.Second {
		t.Fatalf("openStore may wait %v for a busy database, want under 2s", worst)
	}
}

// runBounded is run, failing the test rather than hanging when the command
// does not return within a minute (a wait of ours, against two seconds).
func runBounded(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	type result struct {
		code      int
		out, errs string
	}
	done := make(chan result, 1)
	go func() {
		var out, errb syncBuffer
		code := Run(context.Background(), args, strings.NewReader(""), &out, &errb)
		done <- result{code, out.String(), errb.String()}
	}()
	select {
	case r := <-done:
		return r.code, r.out, r.errs
	case <-time.After(time.Minute):
		t.Fatalf("%v still waiting after a minute", args)
		return 0, "", ""
	}
}

// heldDB opens a new database in this process for the rest of the test, so
// that a command finds it locked, and returns its path.
func heldDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return path
}

func TestLockedDatabaseFailsClearly(t *testing.T) {
	path := heldDB(t)
	code, _, errs := runBounded(t, "ls", "--db", path)
	if code != 1 || !strings.Contains(errs, path) || !strings.Contains(errs, "locked") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

func TestSecondListenerOnSameDatabaseIsRefused(t *testing.T) {
	l := startListen(t)
	code, _, errs := run(t, "listen", "--no-tui", "--addr", "127.0.0.1:0", "--db", l.db)
	if code != 1 || !strings.Contains(errs, "already listening") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

func TestDefaultDatabasePath(t *testing.T) {
	e := &env{getenv: func(k string) string {
		return map[string]string{"XDG_DATA_HOME": "/x", "HOME": "/h"}[k]
	}}
	if got := e.defaultDB(); got != "/x/hookscope/hookscope.db" {
		t.Fatalf("got %s", got)
	}
	e.getenv = func(k string) string { return map[string]string{"HOME": "/h"}[k] }
	if got := e.defaultDB(); got != "/h/.local/share/hookscope/hookscope.db" {
		t.Fatalf("got %s", got)
	}
	e.getenv = func(k string) string { return map[string]string{"HOOKSCOPE_DB": "/d.db", "HOME": "/h"}[k] }
	if got := e.defaultDB(); got != "/d.db" {
		t.Fatalf("got %s", got)
	}
}

func TestDatabaseFileMode(t *testing.T) {
	l := startListen(t)
	post(t, l.url+"/x", []byte("x"))
	fi, err := os.Stat(l.db)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode().Perm(), err)
	}
	si, err := os.Stat(store.SocketPath(l.db))
	if err != nil || si.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v %v", si.Mode().Perm(), err)
	}
}

func TestKeysAndKeyEndpoint(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	code, out, errs := run(t, "keys", "new", "--curve", "p384")
	if code != 0 {
		t.Fatalf("keys new: %s", errs)
	}
	id := strings.TrimSpace(out)
	if code, _, errs := run(t, "keys", "new", "--curve", "p999"); code != 2 || !strings.Contains(errs, "p256, p384, p521") {
		t.Fatalf("bad curve: %d %s", code, errs)
	}
	_, out, _ = run(t, "keys", "ls")
	if !strings.Contains(out, id) || !strings.Contains(out, "p384") {
		t.Fatalf("ls: %s", out)
	}
	_, out, _ = run(t, "keys", "export", id)
	var pub map[string]string
	if err := json.Unmarshal([]byte(out), &pub); err != nil || pub["key_id"] != id || pub["public_key"] == "" || strings.Contains(out, "PRIVATE") {
		t.Fatalf("export: %s", out)
	}
	fi, _ := os.Stat(filepath.Join(cfg, "hookscope", "keys", id+".json"))
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", fi.Mode().Perm())
	}
	// The listener serves it and does not record the request.
	l := startListen(t)
	resp, err := http.Get(l.url + "/events/signature-keys/" + id)
	if err != nil {
		t.Fatal(err)
	}
	var served map[string]string
	json.NewDecoder(resp.Body).Decode(&served)
	resp.Body.Close()
	if resp.StatusCode != 200 || served["public_key"] != pub["public_key"] {
		t.Fatalf("endpoint %d %v", resp.StatusCode, served)
	}
	resp, _ = http.Get(l.url + "/events/signature-keys/nope")
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("unknown id: %d", resp.StatusCode)
	}
	if recs := lsJSON(t, l.db); len(recs) != 0 {
		t.Fatalf("key requests recorded as deliveries: %d", len(recs))
	}
}

func mkdirWrite(path, s string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(s), 0o600)
}

func TestListenRetentionPrunesOldest(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	// Without retention at first: a listener with --max-events prunes once
	// as it starts, in the background, and that pass could land between
	// the posts below (the oldest then already gone, or fewer than six).
	l := startListen(t)
	for i := 0; i < 6; i++ {
		post(t, l.url+fmt.Sprintf("/r/%d", i), []byte(`{}`))
	}
	recs := lsJSON(t, l.db)
	if len(recs) != 6 {
		t.Fatalf("stored %d deliveries, want 6", len(recs))
	}
	code, _, errs := run(t, "pin", recs[5]["id"].(string), "--db", l.db) // the oldest
	if code != 0 {
		t.Fatalf("pin: %s", errs)
	}
	// The pruner runs on start and then every minute; restart to trigger it.
	l.stop()
	var out, errb syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"listen", "--no-tui", "--addr", "127.0.0.1:0", "--db", l.db, "--max-events", "3"}, strings.NewReader(""), &out, &errb)
	}()
	deadline := time.Now().Add(waitBound)
	for {
		recs = lsJSON(t, l.db)
		if len(recs) == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
	if len(recs) != 3 {
		t.Fatalf("kept %d deliveries, want 3", len(recs))
	}
	paths := []string{recs[0]["path"].(string), recs[1]["path"].(string), recs[2]["path"].(string)}
	if strings.Join(paths, ",") != "/r/5,/r/4,/r/0" {
		t.Fatalf("kept %v (want the two newest and the pinned oldest)", paths)
	}
}

// TestHungListenerFailsClearly: a listener that holds the lock and whose
// socket accepts connections but never answers (stopped, wedged) must still
// give a clear error, naming the path, once openStore's waits run out.
func TestHungListenerFailsClearly(t *testing.T) {
	path := heldDB(t)
	// The kernel completes connections into the backlog; nobody reads them.
	ln, err := net.Listen("unix", store.SocketPath(path))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, errs := runBounded(t, "ls", "--db", path)
	if code != 1 || !strings.Contains(errs, path) || !strings.Contains(errs, "no hookscope answered") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// TestHeadlessSaysWhenNothingIsStored: once the store refuses deliveries
// (here its folder was deleted under it), a headless listener answers 503
// and says so on stderr, once, not silently and not once per delivery.
func TestHeadlessSaysWhenNothingIsStored(t *testing.T) {
	l := startListen(t)
	if code := post(t, l.url+"/a", []byte(`{}`)); code != 200 {
		t.Fatalf("first delivery: %d", code)
	}
	if err := os.RemoveAll(filepath.Dir(l.db)); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if code := post(t, l.url+"/b", []byte(`{}`)); code != 503 {
			t.Fatalf("a delivery after the database was deleted: %d, want 503", code)
		}
	}
	if n := strings.Count(l.stderr.String(), "deliveries are not being stored"); n != 1 {
		t.Fatalf("%d stderr reports for 20 refusals, want 1:\n%s", n, l.stderr.String())
	}
}

// TestRuntimeErrorsSayWhatIsWrongOnce: a file the user named is named once,
// with no prefix repeated and no bbolt jargon alone, and the exit code is 1.
func TestRuntimeErrorsSayWhatIsWrongOnce(t *testing.T) {
	dir := t.TempDir()
	text := writeFile(t, filepath.Join(dir, "notes.txt"), "hello\n")
	empty := writeFile(t, filepath.Join(dir, "empty.jsonl"), "")
	small := writeFile(t, filepath.Join(dir, "small.db"), strings.Repeat("x", 10000))
	missing := filepath.Join(dir, "missing.jsonl")
	db := filepath.Join(dir, "h.db")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"import", "--db", db, dir}, "hookscope: import " + dir + ": is a folder; name a HAR or JSONL file\n"},
		{[]string{"import", "--db", db, missing}, "hookscope: import " + missing + ": no such file or directory\n"},
		{[]string{"import", "--db", db, empty}, "hookscope: import " + empty + ": the file is empty; nothing was imported\n"},
		{[]string{"import", "--db", db, text}, "hookscope: import " + text + ": not a HAR file or hookscope JSONL export; nothing was imported\n"},
		{[]string{"ls", "--db", dir}, "hookscope: store: open " + dir + ": is a folder, not a database file\n"},
		{[]string{"stats", "--db", text}, "hookscope: store: open " + text + ": not a hookscope database, or a damaged one (invalid database)\n"},
		{[]string{"stats", "--db", small}, "hookscope: store: open " + small + ": not a hookscope database, or a damaged one (file size too small 10000)\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:1], " ")+" "+filepath.Base(tt.args[len(tt.args)-1]), func(t *testing.T) {
			code, _, errs := run(t, tt.args...)
			if code != 1 || errs != tt.want {
				t.Fatalf("exit %d, stderr %q; want 1, %q", code, errs, tt.want)
			}
		})
	}
}

// TestForeignLogSetAsideSaysSo: a command that opens a database beside a
// log from another database says on stderr that the log was set aside, and
// where it is.
func TestForeignLogSetAsideSaysSo(t *testing.T) {
	dir := t.TempDir()
	mine, other := filepath.Join(dir, "mine.db"), filepath.Join(dir, "other.db")
	for _, path := range []string{mine, other} {
		db, err := store.Open(path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Append(context.Background(), &store.Event{Method: "POST", Path: "/" + filepath.Base(path)}, []byte("x")); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	b, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mine, b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "ls", "--db", mine)
	if code != 0 || !strings.Contains(out, "/other.db") || strings.Contains(out, "/mine.db") {
		t.Fatalf("ls: %d %q %q", code, out, errOut)
	}
	if !strings.Contains(errOut, "hookscope: warning:") || !strings.Contains(errOut, mine+"-wal.orphan-") {
		t.Fatalf("stderr does not say the log was set aside: %q", errOut)
	}
}

// TestLockedDatabaseSaysWhoHoldsIt: a database held by a command that
// serves no socket (a `hookscope ui` started with no listener, here the
// store opened by the test) makes listen and ls fail saying what holds it
// and what to do, not only "locked by another process".
func TestLockedDatabaseSaysWhoHoldsIt(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "h.db")
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, args := range [][]string{
		{"listen", "--no-tui", "--addr", "127.0.0.1:0", "--db", db},
		{"ls", "--db", db},
	} {
		code, _, errs := run(t, args...)
		if code != 1 || !strings.Contains(errs, "locked by another process") || !strings.Contains(errs, "a `hookscope ui` started with no listener running") {
			t.Errorf("%s: exit %d, stderr %q", args[0], code, errs)
		}
	}
}
