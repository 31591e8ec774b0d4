package capture

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// startListener runs a real capture server on loopback over a temporary
// store and returns its URL and the store.
func startListener(t *testing.T, opts Options) (string, *store.DB) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Listen("127.0.0.1:0", NewHandler(db, opts))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		db.Close()
	})
	return srv.URL(), db
}

func only(t *testing.T, db *store.DB) (store.Record, []byte) {
	t.Helper()
	recs, err := db.List(context.Background(), store.Query{})
	if err != nil || len(recs) != 1 {
		t.Fatalf("want one stored delivery, got %d (%v)", len(recs), err)
	}
	body, err := db.Body(context.Background(), recs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return recs[0], body
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestBodiesStoredByteExact(t *testing.T) {
	binary := make([]byte, 4096)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	tests := []struct {
		name    string
		body    []byte
		header  map[string]string
		encoded string
	}{
		{"json text", []byte(`{"a": 1,  "b":"ü"}` + "\n"), map[string]string{"Content-Type": "application/json"}, ""},
		{"binary", binary, map[string]string{"Content-Type": "application/octet-stream"}, ""},
		{"invalid utf8", []byte("ok \xff\xfe \x1b[31m"), nil, ""},
		{"empty", []byte{}, nil, ""},
		{"gzip kept as received", gz(`{"x":1}`), map[string]string{"Content-Encoding": "gzip"}, "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, db := startListener(t, Options{})
			req, _ := http.NewRequest("POST", url+"/hooks/x?a=1&b=2", bytes.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			rec, body := only(t, db)
			if !bytes.Equal(body, tt.body) {
				t.Fatalf("stored body differs: %q", body)
			}
			if rec.Size != int64(len(tt.body)) || rec.Truncated || rec.Path != "/hooks/x" || rec.Query != "a=1&b=2" {
				t.Fatalf("record %+v", rec.Event)
			}
			if rec.ContentEncoding != tt.encoded {
				t.Fatalf("content encoding %q", rec.ContentEncoding)
			}
			if rec.Response.Status != 200 {
				t.Fatalf("recorded response %+v", rec.Response)
			}
		})
	}
}

// rawExchange writes raw bytes on a TCP connection and returns the status line.
// dialListener opens a raw connection to the listener at url, closed
// when the test ends.
func dialListener(t *testing.T, url string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func rawExchange(t *testing.T, url, raw string) string {
	t.Helper()
	c := dialListener(t, url)
	defer c.Close() // now: the test may go on with the listener
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(line)
}

func TestChunkedBodyStoredDechunked(t *testing.T) {
	url, db := startListener(t, Options{})
	raw := "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"
	if got := rawExchange(t, url, raw); got != "HTTP/1.1 200 OK" {
		t.Fatalf("status line %q", got)
	}
	rec, body := only(t, db)
	if string(body) != "hello, world" {
		t.Fatalf("body %q", body)
	}
	if rec.Header.Get("Transfer-Encoding") != "chunked" {
		t.Fatalf("Transfer-Encoding not kept: %+v", rec.Header)
	}
}

func TestHeaderOrderCaseAndRepeats(t *testing.T) {
	url, db := startListener(t, Options{})
	raw := "POST /h HTTP/1.1\r\nHost: example.test\r\nx-zeta: 1\r\nX-Alpha: a\r\nX-Zeta: 2\r\n" +
		"content-length: 2\r\nX-Mid:   padded  \r\n\r\n{}"
	if got := rawExchange(t, url, raw); got != "HTTP/1.1 200 OK" {
		t.Fatalf("status line %q", got)
	}
	rec, _ := only(t, db)
	want := store.Header{{Name: "Host", Value: "example.test"}, {Name: "x-zeta", Value: "1"}, {Name: "X-Alpha", Value: "a"}, {Name: "X-Zeta", Value: "2"},
		{Name: "content-length", Value: "2"}, {Name: "X-Mid", Value: "padded"}}
	if fmt.Sprint(rec.Header) != fmt.Sprint(want) {
		t.Fatalf("header\n got %v\nwant %v", rec.Header, want)
	}
	js, _ := rec.MarshalJSON()
	if !strings.Contains(string(js), `"headers":{"Host":["example.test"],"X-Zeta":["1","2"],"X-Alpha":["a"],"Content-Length":["2"],"X-Mid":["padded"]}`) {
		t.Fatalf("json headers: %s", js)
	}
}

func TestKeepAliveSecondRequestHeaders(t *testing.T) {
	url, db := startListener(t, Options{})
	c := dialListener(t, url)
	br := bufio.NewReader(c)
	for i, order := range []string{"X-B: 1\r\nX-A: 2", "X-A: 3\r\nX-B: 4"} {
		fmt.Fprintf(c, "POST /k%d HTTP/1.1\r\nHost: h\r\n%s\r\nContent-Length: 1\r\n\r\nx", i, order)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	recs, _ := db.List(context.Background(), store.Query{})
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	if recs[0].Header[1].Name != "X-A" || recs[1].Header[1].Name != "X-B" {
		t.Fatalf("orders: %v / %v", recs[1].Header, recs[0].Header)
	}
}

func TestOversizeBodyStoredTruncatedWith413(t *testing.T) {
	// The policy's Content-Type is for the policy's body, not for the
	// JSON error answered instead.
	url, db := startListener(t, Options{MaxBody: 1000, Policy: Policy{Header: store.Header{{Name: "content-type", Value: "text/html"}}}})
	body := bytes.Repeat([]byte("z"), 5000)
	resp, err := http.Post(url+"/big", "text/plain", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rec, stored := only(t, db)
	if !rec.Truncated || rec.Size != 1000 || !bytes.Equal(stored, body[:1000]) || rec.Response.Status != 413 {
		t.Fatalf("record %+v, %d bytes", rec.Event, len(stored))
	}
}

func TestStoreFailureAnswers503(t *testing.T) {
	url, db := startListener(t, Options{})
	db.FailCommitsForTest(errors.New("disk full"))
	resp, err := http.Post(url+"/x", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
	db.FailCommitsForTest(nil)
	if recs, _ := db.List(context.Background(), store.Query{}); len(recs) != 0 {
		t.Fatalf("%d stored", len(recs))
	}
}

// TestRefusalsAreReportedPaced: a failing store refuses every delivery;
// the refusals are reported (log and the Unavailable hook) once, then at
// most once per interval with how many more there were, not once each.
func TestRefusalsAreReportedPaced(t *testing.T) {
	var logs syncBuffer
	var mu sync.Mutex
	var reports []int
	h := NewHandler(failingAppender{}, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Unavailable: func(err error, more int) {
			mu.Lock()
			reports = append(reports, more)
			mu.Unlock()
		}})
	for range 50 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/x", strings.NewReader("{}")))
		if rec.Code != 503 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	if n := strings.Count(logs.String(), "answered 503"); n != 1 || len(reports) != 1 || reports[0] != 0 {
		t.Fatalf("%d log lines and reports %v for 50 refusals in a moment, want one", n, reports)
	}
	// The next report, an interval later, counts those held back.
	var p pacer
	t0 := time.Now()
	p.note(t0)
	for i := range 3 {
		if _, ok := p.note(t0.Add(time.Duration(i) * time.Second)); ok {
			t.Fatal("reported within the interval")
		}
	}
	if n, ok := p.note(t0.Add(refusalReportInterval)); !ok || n != 3 {
		t.Fatalf("after the interval: report %v with %d held back, want 3", ok, n)
	}
}

type failingAppender struct{}

func (failingAppender) Append(context.Context, *store.Event, []byte) error {
	return errors.New("injected")
}

func TestAppenderErrorNever2xx(t *testing.T) {
	srv, err := Listen("127.0.0.1:0", NewHandler(failingAppender{}, Options{Policy: Policy{Status: 202}}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Serve(ctx)
	resp, err := http.Post(srv.URL()+"/x", "", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// TestStoreFailureLogHoldsNoPath: the path of a delivery that could not be
// stored may carry a secret (a token in a webhook URL); the log line about
// it must not quote it.
func TestStoreFailureLogHoldsNoPath(t *testing.T) {
	var logged bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	srv, err := Listen("127.0.0.1:0", NewHandler(failingAppender{}, Options{Logger: logger}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Serve(ctx)
	resp, err := http.Post(srv.URL()+"/hooks/tok-s3cr3t?key=q-s3cr3t", "", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !strings.Contains(logged.String(), "answered 503") || strings.Contains(logged.String(), "s3cr3t") {
		t.Fatalf("log:\n%s", logged.String())
	}
}

func TestResponsePolicy(t *testing.T) {
	url, db := startListener(t, Options{Policy: Policy{Status: 201, Body: []byte("<ok/>"),
		Header: store.Header{{Name: "X-Test", Value: "yes"}}, Delay: 50 * time.Millisecond}})
	start := time.Now()
	resp, err := http.Post(url+"/p", "", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || string(got) != "<ok/>" || resp.Header.Get("X-Test") != "yes" ||
		resp.Header.Get("Content-Type") != "application/xml" {
		t.Fatalf("response %d %q %v", resp.StatusCode, got, resp.Header)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Fatal("delay not applied")
	}
	// The duration is measured once the answer is written, delay included;
	// it joins a later commit, so wait for it.
	deadline := time.Now().Add(2 * time.Second)
	for {
		rec, _ := only(t, db)
		if rec.Response.Status != 201 {
			t.Fatalf("recorded %+v", rec.Response)
		}
		if rec.Response.DurationMS >= 50 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("duration %v ms does not include the 50ms delay", rec.Response.DurationMS)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestConcurrentDeliveriesAllStoredExactlyOnce(t *testing.T) {
	url, db := startListener(t, Options{})
	const n = 300
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, err := client.Post(url+"/c", "application/json", strings.NewReader(fmt.Sprintf(`{"n":%d}`, i)))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
		}(i)
	}
	wg.Wait()
	recs, err := db.List(context.Background(), store.Query{})
	if err != nil || len(recs) != n {
		t.Fatalf("stored %d, want %d (%v)", len(recs), n, err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		b, _ := db.Body(context.Background(), r.ID)
		if seen[string(b)] {
			t.Fatalf("body %s stored twice", b)
		}
		seen[string(b)] = true
	}
}

// inFlight starts a listener answering after delay, sends it one delivery
// and returns once that delivery is stored, so it is waiting out the delay
// (a fixed sleep instead may stop the listener before the request is even
// accepted on a loaded machine). stop ends Serve; status is what the sender
// got (-1: no answer), served what Serve returned.
func inFlight(t *testing.T, delay time.Duration) (db *store.DB, stop context.CancelFunc, status <-chan int, served <-chan error) {
	t.Helper()
	return inFlightWith(t, Options{Policy: Policy{Delay: delay}}, nil)
}

// inFlightWith is inFlight for a handler built from opts (its Stored is
// inFlight's own), adjusted by tune, when not nil, before it listens.
func inFlightWith(t *testing.T, opts Options, tune func(*Handler, *store.DB)) (db *store.DB, stop context.CancelFunc, status <-chan int, served <-chan error) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	stored := make(chan struct{}, 1)
	opts.Stored = func(*store.Event, []byte) { stored <- struct{}{} }
	h := NewHandler(db, opts)
	if tune != nil {
		tune(h, db)
	}
	srv, err := Listen("127.0.0.1:0", h)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	got := make(chan int, 1)
	go func() {
		resp, err := http.Post(srv.URL()+"/slow", "", strings.NewReader("x"))
		if err != nil {
			got <- -1
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	select {
	case <-stored:
	case s := <-got:
		cancel()
		t.Fatalf("answered %d before it was stored", s)
	}
	return db, cancel, got, done
}

func TestShutdownFinishesInFlight(t *testing.T) {
	db, stop, status, served := inFlight(t, 200*time.Millisecond)
	stop()
	if s := <-status; s != 200 {
		t.Fatalf("in-flight request got %d", s)
	}
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if recs, _ := db.List(context.Background(), store.Query{}); len(recs) != 1 {
		t.Fatalf("%d stored", len(recs))
	}
}

// FuzzParseHead feeds arbitrary recorded bytes to the head parser: it must
// never panic, and a head it accepts must agree with what net/http parsed.
func FuzzParseHead(f *testing.F) {
	f.Add([]byte("POST /x HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\n\r\nbody"))
	f.Add([]byte("POST /x HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		req, _ := http.NewRequest("POST", "/x", nil)
		req.RequestURI = "/x"
		req.Header.Add("X-A", "1")
		req.Header.Add("X-A", "2")
		h, ok := parseHead(recordedHead(b, req), req)
		if ok && strings.Join(h.Values("x-a"), ",") != "1,2" {
			t.Fatalf("accepted head disagrees with net/http: %v", h)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
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

// TestPanicLoggedNotPrinted: a panic while serving costs that connection
// only; net/http's report of it goes to the handler's logger (a file), not
// to stderr under the live view.
func TestPanicLoggedNotPrinted(t *testing.T) {
	var logged syncBuffer
	url, db := startListener(t, Options{
		Logger: slog.New(slog.NewTextHandler(&logged, nil)),
		Intercept: func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path == "/panic" {
				panic("boom")
			}
			return false
		},
	})
	if resp, err := http.Post(url+"/panic", "", strings.NewReader("x")); err == nil {
		resp.Body.Close()
		t.Fatalf("a panicking request was answered %d", resp.StatusCode)
	}
	if !strings.Contains(logged.String(), "panic serving") || !strings.Contains(logged.String(), "boom") {
		t.Fatalf("panic not in the handler's log: %q", logged.String())
	}
	resp, err := http.Post(url+"/after", "", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("after a panic: status %d", resp.StatusCode)
	}
	if rec, _ := only(t, db); rec.Path != "/after" {
		t.Fatalf("stored %s", rec.Path)
	}
}

// errAfter yields its bytes, then err.
type errAfter struct {
	r   io.Reader
	err error
}

func (e errAfter) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		err = e.err
	}
	return n, err
}

func TestReadBody(t *testing.T) {
	broken := errors.New("connection reset")
	tests := []struct {
		name          string
		r             io.Reader
		contentLength int64
		limit         int64
		want          string
		truncated     bool
		err           error
		maxCap        int
	}{
		{"announced size", strings.NewReader("abc"), 3, 100, "abc", false, nil, 4},
		{"chunked", strings.NewReader("abc"), -1, 100, "abc", false, nil, 4096},
		{"over the limit", strings.NewReader("abcdefgh"), -1, 4, "abcd", true, nil, 4096},
		{"announced over the limit", strings.NewReader("abcdefgh"), 8, 4, "abcd", true, nil, 4096},
		// A client's Content-Length alone must not make the listener
		// allocate the whole limit.
		{"announced large, sent little", strings.NewReader("x"), 10 << 20, 10 << 20, "x", false, nil, maxPrealloc + 1},
		{"read error keeps what arrived", errAfter{strings.NewReader("ab"), broken}, 10, 100, "ab", false, broken, 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, truncated, err := readBody(tt.r, tt.contentLength, tt.limit)
			if string(body) != tt.want || truncated != tt.truncated || !errors.Is(err, tt.err) {
				t.Fatalf("got %q truncated=%v err=%v", body, truncated, err)
			}
			if cap(body) > tt.maxCap {
				t.Fatalf("allocated %d bytes, want at most %d", cap(body), tt.maxCap)
			}
		})
	}
}

// TestPolicyContentTypeReplacesSniffed: a --response-header Content-Type
// is the only one sent, not added to the type sniffed from the body.
func TestPolicyContentTypeReplacesSniffed(t *testing.T) {
	url, _ := startListener(t, Options{Policy: Policy{Body: []byte(`{"a":1}`),
		Header: store.Header{{Name: "Content-Type", Value: "text/csv"}, {Name: "X-Twice", Value: "1"}, {Name: "x-twice", Value: "2"}}}})
	resp, err := http.Post(url+"/p", "", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ct := resp.Header.Values("Content-Type"); len(ct) != 1 || ct[0] != "text/csv" {
		t.Fatalf("Content-Type %q", ct)
	}
	if got := strings.Join(resp.Header.Values("X-Twice"), ","); got != "1,2" {
		t.Fatalf("X-Twice %q", got)
	}
}

// TestPolicyDefaults: the zero Policy answers 200 {"ok":true}, as its
// fields document; an empty (not nil) body is answered empty.
func TestPolicyDefaults(t *testing.T) {
	for _, tt := range []struct {
		body, want, ctype string
		nilBody           bool
	}{
		{nilBody: true, want: `{"ok":true}`, ctype: "application/json"},
		{body: "", want: "", ctype: "text/plain; charset=utf-8"},
	} {
		var p Policy
		if !tt.nilBody {
			p.Body = []byte(tt.body)
		}
		url, _ := startListener(t, Options{Policy: p})
		resp, err := http.Post(url+"/p", "", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(got) != tt.want || resp.Header.Get("Content-Type") != tt.ctype {
			t.Fatalf("nil body %v: %d %q %q", tt.nilBody, resp.StatusCode, got, resp.Header.Get("Content-Type"))
		}
	}
}

// TestWriteTimeoutCoversConfiguredWait: an answer held on purpose (--delay,
// or the app's time when forwarding) must not be cut off by the listener's
// write timeout, which otherwise drops it without a word.
func TestWriteTimeoutCoversConfiguredWait(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want time.Duration
	}{
		{"default", Options{}, WriteTimeout},
		{"delay", Options{Policy: Policy{Delay: 5 * time.Minute}}, WriteTimeout + 5*time.Minute},
		{"forward", Options{Forward: &Forwarder{Sender: NewSender(SenderOptions{Timeout: 3 * time.Minute})}},
			WriteTimeout + 3*time.Minute},
		// A delivery that is not forwarded (too large, or its body could
		// not be read) is answered by the policy, delay included
		// (TestForwardModeDelaysWhatItDoesNotForward): the longer wait
		// counts.
		{"forward, longer delay", Options{Policy: Policy{Delay: 7 * time.Minute},
			Forward: &Forwarder{Sender: NewSender(SenderOptions{Timeout: time.Minute})}}, WriteTimeout + 7*time.Minute},
		{"forward, shorter delay", Options{Policy: Policy{Delay: time.Minute},
			Forward: &Forwarder{Sender: NewSender(SenderOptions{Timeout: 3 * time.Minute})}}, WriteTimeout + 3*time.Minute},
		// Beyond what the flags accept (the package does not check): a
		// negative delay is none, and a huge one must not wrap around to
		// a non-positive timeout, which net/http reads as no timeout.
		{"negative delay", Options{Policy: Policy{Delay: -5 * time.Minute}}, WriteTimeout},
		{"huge delay", Options{Policy: Policy{Delay: math.MaxInt64}}, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := Listen("127.0.0.1:0", NewHandler(nil, tt.opts))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.ln.Close()
			if got := srv.http.WriteTimeout; got != tt.want {
				t.Fatalf("write timeout %s, want %s", got, tt.want)
			}
		})
	}
}

// TestForwardModeDelaysWhatItDoesNotForward: with forwarding on, a delivery
// too large to forward is answered by the policy after its delay, which is
// why the write timeout must cover the delay then too.
func TestForwardModeDelaysWhatItDoesNotForward(t *testing.T) {
	const delay = 300 * time.Millisecond
	url, _ := startListener(t, Options{MaxBody: 10, Policy: Policy{Delay: delay},
		Forward: &Forwarder{Sender: NewSender(SenderOptions{Timeout: time.Second}), Target: Target{URL: "http://127.0.0.1:1"}}})
	start := time.Now()
	resp, err := http.Post(url+"/big", "text/plain", strings.NewReader(strings.Repeat("z", 100)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || time.Since(start) < delay {
		t.Fatalf("status %d after %s, want 413 after the %s delay", resp.StatusCode, time.Since(start), delay)
	}
}

// TestShutdownAnswersDelayedAtOnce: a delivery waiting out a --delay longer
// than the shutdown grace is answered when the listener stops, not cut off
// with an empty reply after the grace.
func TestShutdownAnswersDelayedAtOnce(t *testing.T) {
	_, stop, status, served := inFlight(t, time.Minute)
	start := time.Now()
	stop()
	if s := <-status; s != 200 {
		t.Fatalf("in-flight request got %d after %v", s, time.Since(start))
	}
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	// Waiting out the delay would take a minute; failing that, waiting
	// out the grace before giving up on it would take shutdownGrace.
	if took := time.Since(start); took >= shutdownGrace {
		t.Fatalf("stopping took %v: the delayed delivery waited out the %v grace", took, shutdownGrace)
	}
}

// ctxAppender fails as the store does when the caller's context ends while
// it waits for room in the queue.
type ctxAppender struct{}

func (ctxAppender) Append(ctx context.Context, _ *store.Event, _ []byte) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestSenderLeavingIsNoStoreFailure: a sender that hangs up while its
// delivery waits for the store is not reported as the store failing.
func TestSenderLeavingIsNoStoreFailure(t *testing.T) {
	reported := false
	h := NewHandler(ctxAppender{}, Options{Unavailable: func(error, int) { reported = true }})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/x", strings.NewReader("{}")).WithContext(ctx))
	if reported {
		t.Fatal("a sender hanging up was reported as the store failing")
	}
}

// lateFailingAppender fails for a reason of the store's own, found while the
// sender had already hung up (a log fsync that took longer than the
// sender would wait, then failed).
type lateFailingAppender struct{ err error }

func (f lateFailingAppender) Append(ctx context.Context, _ *store.Event, _ []byte) error {
	<-ctx.Done()
	return f.err
}

// TestStoreFailingAfterSenderLeftIsReported: the store failing is reported
// even when the sender has gone by the time the failure is known; only the
// wait the sender's leaving cut short is not a failure.
func TestStoreFailingAfterSenderLeftIsReported(t *testing.T) {
	var got error
	h := NewHandler(lateFailingAppender{errors.New("no space left on device")}, Options{Unavailable: func(err error, _ int) { got = err }})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/x", strings.NewReader("{}")).WithContext(ctx))
	if got == nil {
		t.Fatal("the store failing was not reported because the sender had left")
	}
}

// TestDeletedDatabaseReportedOnce: once the database is deleted under the
// listener, every delivery is answered 503 and the Unavailable hook hears
// why (the store's own error, naming the file) once, not per delivery.
func TestDeletedDatabaseReportedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mu sync.Mutex
	var reports []error
	h := NewHandler(db, Options{Unavailable: func(err error, _ int) {
		mu.Lock()
		reports = append(reports, err)
		mu.Unlock()
	}})
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/x", strings.NewReader("{}")))
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("status %d after the database was deleted", rec.Code)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 1 || !strings.Contains(reports[0].Error(), path) || !strings.Contains(reports[0].Error(), "deleted or replaced") {
		t.Fatalf("reports %v, want one naming %s", reports, path)
	}
}

// TestManyHeadersCheckedInLinearTime: a head near the 1 MiB limit can hold
// over 100,000 distinct short header lines. Checking them against
// net/http's map must not cost their square (it took minutes of CPU per
// such request, past the write timeout), and their order is still kept.
func TestManyHeadersCheckedInLinearTime(t *testing.T) {
	const n = 100_000
	var b strings.Builder
	b.WriteString("POST /x HTTP/1.1\r\nHost: h\r\n")
	for i := range n {
		fmt.Fprintf(&b, "%x:%d\r\n", n-i, i)
	}
	b.WriteString("\r\n")
	raw := []byte(b.String())
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	h, ok := parseHead(recordedHead(raw, req), req)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("checking %d header lines took %v", n, d)
	}
	if !ok || len(h) != n+1 || h[1].Name != fmt.Sprintf("%x", n) || h[n].Value != fmt.Sprint(n-1) {
		t.Fatalf("ok %v, %d lines", ok, len(h))
	}
	// A value that differs from net/http's is still caught.
	req.Header.Set(textproto.CanonicalMIMEHeaderKey("10"), "other")
	if _, ok := parseHead(recordedHead(raw, req), req); ok {
		t.Fatal("a head disagreeing with net/http accepted")
	}
}

// TestOptionsAsteriskIsCaptured: net/http answers "OPTIONS *" itself
// unless told not to; it was answered 200 and never stored, and the next
// request on the connection lost its header order.
func TestOptionsAsteriskIsCaptured(t *testing.T) {
	url, db := startListener(t, Options{})
	c := dialListener(t, url)
	br := bufio.NewReader(c)
	for _, raw := range []string{"OPTIONS * HTTP/1.1\r\nHost: h\r\nX-B: 1\r\nX-A: 2\r\n\r\n",
		"POST /next HTTP/1.1\r\nHost: h\r\nX-B: 1\r\nX-A: 2\r\nContent-Length: 0\r\n\r\n"} {
		io.WriteString(c, raw)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	recs, err := db.List(t.Context(), store.Query{})
	if err != nil || len(recs) != 2 {
		t.Fatalf("%d stored (%v)", len(recs), err)
	}
	if o := recs[1]; o.Method != "OPTIONS" || o.EscapedPath() != "*" {
		t.Fatalf("first stored %s %q", o.Method, o.EscapedPath())
	}
	if got := fmt.Sprint(recs[0].Header); got != "[{Host h} {X-B 1} {X-A 2} {Content-Length 0}]" {
		t.Fatalf("next request's header %s", got)
	}
}

// TestBrokenBodyNotAnsweredOK: a body that cannot be read whole (malformed
// chunks here; a sender cut off is the same path) is stored as far as it
// arrived and answered 400 — with an error, not the policy's {"ok":true}.
func TestBrokenBodyNotAnsweredOK(t *testing.T) {
	url, db := startListener(t, Options{})
	c := dialListener(t, url)
	io.WriteString(c, "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\nzz\r\nabc\r\n0\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(answer), `"ok":false`) {
		t.Fatalf("answered %d %s", resp.StatusCode, answer)
	}
	rec, body := only(t, db)
	if !rec.Truncated || string(body) != "hi" || rec.Response.Status != 400 {
		t.Fatalf("stored %+v %q", rec.Event, body)
	}
}

// TestFoldedHeaderKeepsOrder: an obsolete folded header line (a line
// starting with a space continues the previous value) is joined as
// net/http joins it, and the head's order is kept, not given up for
// net/http's map in name order.
func TestFoldedHeaderKeepsOrder(t *testing.T) {
	url, db := startListener(t, Options{})
	raw := "POST /f HTTP/1.1\r\nHost: h\r\nX-Zed: a\r\n  b\r\n\tc\r\nX-Alpha: 1\r\nContent-Length: 0\r\n\r\n"
	if got := rawExchange(t, url, raw); got != "HTTP/1.1 200 OK" {
		t.Fatalf("status line %q", got)
	}
	rec, _ := only(t, db)
	if got := fmt.Sprint(rec.Header); got != "[{Host h} {X-Zed a b c} {X-Alpha 1} {Content-Length 0}]" {
		t.Fatalf("header %s", got)
	}
}

// TestConnectKeepsItsTarget: CONNECT's authority-form target is not a path;
// net/http parses it into URL.Host, and it was stored with no target
// (show --raw printed "CONNECT  HTTP/1.1").
func TestConnectKeepsItsTarget(t *testing.T) {
	url, db := startListener(t, Options{})
	if got := rawExchange(t, url, "CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n"); got != "HTTP/1.1 200 OK" {
		t.Fatalf("status line %q", got)
	}
	rec, _ := only(t, db)
	if rec.Method != "CONNECT" || rec.EscapedPath() != "example.test:443" {
		t.Fatalf("stored %s %q", rec.Method, rec.EscapedPath())
	}
}

// TestFoldedHeaderJoinedAsNetHTTP: a folded value whose first line is
// empty is joined as net/http joins it, without a leading space, so the
// head is not judged to disagree with net/http and keeps its order.
func TestFoldedHeaderJoinedAsNetHTTP(t *testing.T) {
	for _, tt := range []struct{ lines, want string }{
		{"X-Zed:\r\n b\r\n", "b"},
		{"X-Zed:\r\n \r\n\tb\r\n", "b"},
		{"X-Zed:\r\n \r\n", ""},
		{"X-Zed: a\r\n \r\n", "a "},
		{"X-Zed: a \r\n  b \r\n", "a b"},
	} {
		raw := []byte("POST /f HTTP/1.1\r\nHost: h\r\n" + tt.lines + "X-Alpha: 1\r\n\r\n")
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Fatal(err)
		}
		if got := req.Header.Get("X-Zed"); got != tt.want {
			t.Fatalf("%q: net/http reads %q, test expects %q", tt.lines, got, tt.want)
		}
		h, ok := parseHead(recordedHead(raw, req), req)
		if !ok || len(h) != 3 || h[1].Name != "X-Zed" || h[1].Value != tt.want {
			t.Errorf("%q: ok %v, header %q", tt.lines, ok, h)
		}
	}
}

// TestManyFoldedLinesLinearTime: a head near the 1 MiB limit can hold a
// quarter of a million folded lines continuing one value; joining them
// must not copy the value once per line (their square: minutes of CPU).
func TestManyFoldedLinesLinearTime(t *testing.T) {
	const n = 250_000
	raw := []byte("POST /f HTTP/1.1\r\nHost: h\r\nX-Zed: a\r\n" + strings.Repeat(" b\r\n", n) + "\r\n")
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	h, ok := parseHead(recordedHead(raw, req), req)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("joining %d folded lines took %v", n, d)
	}
	if !ok || len(h) != 2 || len(h[1].Value) != 1+2*n {
		t.Fatalf("ok %v, %d lines", ok, len(h))
	}
}

// TestStatus413PolicyKeepsItsBody: a user who chose --status 413 (to see
// how a sender reacts to it) gets the body and Content-Type they chose for
// a delivery that fits, not hookscope's "body larger than" error.
func TestStatus413PolicyKeepsItsBody(t *testing.T) {
	url, db := startListener(t, Options{MaxBody: 100, Policy: Policy{Status: 413, Body: []byte("too big, says the test")}})
	resp, err := http.Post(url+"/s", "text/plain", strings.NewReader("small"))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || string(answer) != "too big, says the test" || resp.Header.Get("Content-Type") == "application/json" {
		t.Fatalf("answered %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), answer)
	}
	if rec, body := only(t, db); rec.Truncated || string(body) != "small" || rec.Response.Status != 413 {
		t.Fatalf("stored %+v %q", rec.Event, body)
	}
}
