package capture

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// seen is what a test target received.
type seen struct {
	method, path, query, host string
	header                    http.Header
	body                      []byte
	at                        time.Time
}

func target(t *testing.T, h func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *[]seen, *sync.Mutex) {
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Host, r.Header.Clone(), b, time.Now()})
		mu.Unlock()
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &got, &mu
}

func storeWith(t *testing.T, ev *store.Event, body []byte) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if ev != nil {
		if err := db.Append(context.Background(), ev, body); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestReplayIsByteExact(t *testing.T) {
	body := []byte("{\"a\":1}\x00\xff raw")
	ev := &store.Event{Method: "PUT", Path: "/orig/path", Query: "q=1", Header: store.Header{
		{Name: "Host", Value: "provider.example"}, {Name: "Content-Type", Value: "application/json"},
		{Name: "X-Multi", Value: "1"}, {Name: "x-multi", Value: "2"}, {Name: "Connection", Value: "keep-alive, X-Conn-Only"},
		{Name: "X-Conn-Only", Value: "drop"}, {Name: "Transfer-Encoding", Value: "chunked"},
		{Name: "Content-Length", Value: "999"}, {Name: "X-Override", Value: "old"}, {Name: "User-Agent", Value: "Talkdesk"},
	}}
	db := storeWith(t, ev, body)
	srv, got, _ := target(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201); io.WriteString(w, "created") })
	s := NewSender(SenderOptions{})
	var res []ReplayResult
	s.Replay(context.Background(), db, []string{ev.ID}, ReplayOptions{Target: Target{URL: srv.URL + "/new?x=y",
		Header: store.Header{{Name: "X-Override", Value: "new"}, {Name: "X-Added", Value: "yes"}}}}, func(r ReplayResult) { res = append(res, r) })
	if len(res) != 1 || res[0].Err != nil || res[0].Attempt.Status != 201 {
		t.Fatalf("results %+v", res)
	}
	g := (*got)[0]
	if g.method != "PUT" || g.path != "/new" || g.query != "x=y" || !bytes.Equal(g.body, body) {
		t.Fatalf("target saw %s %s?%s %q", g.method, g.path, g.query, g.body)
	}
	h := g.header
	checks := map[string]string{"X-Multi": "1,2", "Connection": "", "X-Conn-Only": "", "Transfer-Encoding": "", "X-Override": "new",
		"X-Added": "yes", "Content-Type": "application/json", "User-Agent": "Talkdesk"}
	for k, want := range checks {
		if got := strings.Join(h.Values(k), ","); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if g.host == "provider.example" {
		t.Error("Host header copied from the original")
	}
	rec, _ := db.Get(context.Background(), ev.ID)
	if len(rec.Replays) != 1 || rec.Replays[0].Status != 201 || rec.Replays[0].Target != srv.URL+"/new?x=y" {
		t.Fatalf("stored attempts %+v", rec.Replays)
	}
	full, _ := db.Attempt(context.Background(), ev.ID, 1)
	if string(full.RespBody) != "created" {
		t.Fatalf("response body %q", full.RespBody)
	}
}

func TestReplayKeepPath(t *testing.T) {
	ev := &store.Event{Method: "POST", Path: "/hooks/td", Query: "a=b"}
	storeWith(t, ev, []byte("x"))
	srv, got, _ := target(t, nil)
	a := NewSender(SenderOptions{}).Send(context.Background(), *ev, []byte("x"), Target{URL: srv.URL + "/base/", KeepPath: true})
	if a.Error != "" || (*got)[0].path != "/base/hooks/td" || (*got)[0].query != "a=b" {
		t.Fatalf("attempt %+v, target saw %+v", a, (*got)[0])
	}
	// A query in the target URL (an app's token) is kept: the delivery's
	// is appended to it, and a delivery without one leaves it as it is.
	for _, tc := range []struct{ query, want string }{{"a=b", "token=dev&a=b"}, {"", "token=dev"}} {
		ev := store.Event{Method: "POST", Path: "/hooks/td", Query: tc.query}
		a := NewSender(SenderOptions{}).Send(context.Background(), ev, nil, Target{URL: srv.URL + "/base?token=dev", KeepPath: true})
		g := (*got)[len(*got)-1]
		if a.Error != "" || g.path != "/base/hooks/td" || g.query != tc.want {
			t.Fatalf("delivery query %q: target saw %s?%s, want ?%s", tc.query, g.path, g.query, tc.want)
		}
	}
}

func TestReplayKeepsTalkdeskSignatureValid(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":"app.installed","id":"e1","data":{"x":"ü"}}`)
	sum := sha512.Sum512(body)
	sig, err := ecdsa.SignASN1(rand.Reader, key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	// Capture through the real listener, as Talkdesk would deliver.
	url, db := startListener(t, Options{})
	req, _ := http.NewRequest("POST", url+"/td", bytes.NewReader(body))
	req.Header.Set("X-Hub-Ecdsa-Signature", hex.EncodeToString(sig))
	req.Header.Set("X-Hub-Ecdsa-Signature-Id", "k1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rec, _ := only(t, db)

	var verified atomic.Bool
	srv, _, _ := target(t, nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s, err := hex.DecodeString(r.Header.Get("X-Hub-Ecdsa-Signature"))
		h := sha512.Sum512(b)
		if err == nil && r.Header.Get("X-Hub-Ecdsa-Signature-Id") == "k1" && ecdsa.VerifyASN1(&key.PublicKey, h[:], s) {
			verified.Store(true)
			w.WriteHeader(200)
			return
		}
		w.WriteHeader(401)
	})
	var res ReplayResult
	NewSender(SenderOptions{}).Replay(context.Background(), db, []string{rec.ID}, ReplayOptions{Target: Target{URL: srv.URL}}, func(r ReplayResult) { res = r })
	if !verified.Load() || res.Attempt.Status != 200 {
		t.Fatalf("target did not verify the replayed signature: %+v", res)
	}
}

func TestReplayConcurrencyAndRate(t *testing.T) {
	db := storeWith(t, nil, nil)
	var ids []string
	for i := 0; i < 12; i++ {
		ev := &store.Event{Method: "POST", Path: "/x"}
		db.Append(context.Background(), ev, []byte("b"))
		ids = append(ids, ev.ID)
	}
	var inFlight, maxInFlight atomic.Int32
	srv, got, mu := target(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(60 * time.Millisecond)
		inFlight.Add(-1)
	})
	s := NewSender(SenderOptions{})
	count := 0
	s.Replay(context.Background(), db, ids, ReplayOptions{Target: Target{URL: srv.URL}, Concurrency: 3}, func(ReplayResult) { count++ })
	if count != 12 || maxInFlight.Load() != 3 {
		t.Fatalf("count %d, max in flight %d (want 3)", count, maxInFlight.Load())
	}
	// Rate: 20/s over 6 attempts spans at least 5 intervals of 50ms.
	mu.Lock()
	*got = nil
	mu.Unlock()
	s.Replay(context.Background(), db, ids[:6], ReplayOptions{Target: Target{URL: srv.URL}, Concurrency: 6, Rate: 20}, func(ReplayResult) {})
	mu.Lock()
	defer mu.Unlock()
	if len(*got) != 6 {
		t.Fatalf("%d sent", len(*got))
	}
	first, last := (*got)[0].at, (*got)[0].at
	for _, g := range *got {
		if g.at.Before(first) {
			first = g.at
		}
		if g.at.After(last) {
			last = g.at
		}
	}
	if span := last.Sub(first); span < 200*time.Millisecond {
		t.Fatalf("6 attempts at 20/s arrived within %v", span)
	}
}

// A rate so high or so low that its interval is not a valid Duration must
// not crash the replay (time.NewTicker panics on a non-positive interval).
func TestReplayExtremeRates(t *testing.T) {
	ev := &store.Event{Method: "POST", Path: "/x"}
	db := storeWith(t, ev, []byte("x"))
	srv, got, mu := target(t, nil)
	for _, rate := range []float64{2e9, 1e300, 1e-10, 1e-300} {
		var res ReplayResult
		NewSender(SenderOptions{}).Replay(context.Background(), db, []string{ev.ID}, ReplayOptions{Target: Target{URL: srv.URL}, Rate: rate}, func(r ReplayResult) { res = r })
		if res.Err != nil || res.Attempt.Status != 200 {
			t.Fatalf("rate %g: %+v", rate, res)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(*got) != 4 {
		t.Fatalf("%d sent, want 4", len(*got))
	}
}

func TestReplayTargetFailures(t *testing.T) {
	ev := &store.Event{Method: "POST", Path: "/x"}
	db := storeWith(t, ev, []byte("x"))
	down := httptest.NewServer(nil)
	downURL := down.URL
	down.Close()
	slow, _, _ := target(t, func(w http.ResponseWriter, r *http.Request) { time.Sleep(500 * time.Millisecond) })
	redirect, _, _ := target(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) })
	// A target answering megabytes of headers: the body is capped, so
	// must the head be, or one answer stores all of it with the attempt.
	bigHead, _, _ := target(t, func(w http.ResponseWriter, r *http.Request) {
		for i := range 200 {
			w.Header().Set(fmt.Sprintf("X-H%d", i), strings.Repeat("v", 1000))
		}
	})
	tests := []struct {
		name, url, wantErr string
		status             int
	}{
		{"down", downURL, "connection refused", 0},
		{"slow", slow.URL, "timed out", 0},
		{"redirect not followed", redirect.URL, "", 302},
		{"head too large", bigHead.URL, "response headers exceeded", 0},
	}
	s := NewSender(SenderOptions{Timeout: 150 * time.Millisecond})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res ReplayResult
			s.Replay(context.Background(), db, []string{ev.ID}, ReplayOptions{Target: Target{URL: tt.url}}, func(r ReplayResult) { res = r })
			if res.Err != nil || res.Attempt.Status != tt.status || !strings.Contains(res.Attempt.Error, tt.wantErr) {
				t.Fatalf("result %+v", res)
			}
		})
	}
	rec, _ := db.Get(context.Background(), ev.ID)
	if len(rec.Replays) != 4 {
		t.Fatalf("%d attempts stored", len(rec.Replays))
	}
}

func TestForwardReturnsAppResponse(t *testing.T) {
	app, got, _ := target(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-App", "yes")
		// For the hop to hookscope only: not relayed to the provider.
		w.Header().Set("Connection", "X-Hop")
		w.Header().Set("X-Hop", "app to hookscope")
		w.WriteHeader(202)
		io.WriteString(w, `{"app":"accepted"}`)
	})
	dbPath := filepath.Join(t.TempDir(), "h.db")
	db, err := store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fw := &Forwarder{Sender: NewSender(SenderOptions{Timeout: 200 * time.Millisecond}), Target: Target{URL: app.URL, KeepPath: true}, Recorder: db}
	srv, err := Listen("127.0.0.1:0", NewHandler(db, Options{Forward: fw}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx); close(done) }()

	resp, err := http.Post(srv.URL()+"/hooks/a", "application/json", strings.NewReader(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 || string(b) != `{"app":"accepted"}` || resp.Header.Get("X-App") != "yes" || resp.Header.Get("X-Hop") != "" {
		t.Fatalf("provider got %d %q %v", resp.StatusCode, b, resp.Header)
	}
	if (*got)[0].path != "/hooks/a" || string((*got)[0].body) != `{"n":1}` {
		t.Fatalf("app saw %+v", (*got)[0])
	}
	// The app goes down: 502, and the delivery is still stored.
	app.Close()
	resp, err = http.Post(srv.URL()+"/hooks/b", "application/json", strings.NewReader(`{"n":2}`))
	if err != nil {
		t.Fatal(err)
	}
	var answer struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	err = json.NewDecoder(resp.Body).Decode(&answer)
	resp.Body.Close()
	if resp.StatusCode != 502 {
		t.Fatalf("app down: provider got %d", resp.StatusCode)
	}
	if err != nil || answer.OK || !strings.Contains(answer.Error, "could not reach the app") {
		t.Fatalf("app down: answer %+v is not the JSON error (%v)", answer, err)
	}
	cancel()
	<-done
	db.Close()

	// Forward results survive a restart.
	db, err = store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, _ := db.List(context.Background(), store.Query{})
	if len(recs) != 2 {
		t.Fatalf("%d stored", len(recs))
	}
	down, ok := recs[0], recs[1]
	if ok.Forward == nil || ok.Forward.Status != 202 || ok.Response.Status != 202 {
		t.Fatalf("ok forward %+v response %+v", ok.Forward, ok.Response)
	}
	if down.Forward == nil || down.Forward.Status != 0 || down.Forward.Error == "" || down.Response.Status != 502 {
		t.Fatalf("down forward %+v response %+v", down.Forward, down.Response)
	}
	full, err := db.Attempt(context.Background(), ok.ID, 0)
	if err != nil || string(full.RespBody) != `{"app":"accepted"}` {
		t.Fatalf("forward response body %q %v", full.RespBody, err)
	}
}

// TestForwardWhateverThePolicyStatus: in forward mode the app answers, so
// --status (meant for when hookscope answers itself) must not stop the
// forward.
func TestForwardWhateverThePolicyStatus(t *testing.T) {
	app, got, mu := target(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(202) })
	fw := &Forwarder{Sender: NewSender(SenderOptions{}), Target: Target{URL: app.URL, KeepPath: true}}
	url, db := startListener(t, Options{Forward: fw, Policy: Policy{Status: 500}})
	fw.Recorder = db
	resp, err := http.Post(url+"/hooks/a", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if resp.StatusCode != 202 || len(*got) != 1 {
		t.Fatalf("provider got %d; the app saw %d deliveries", resp.StatusCode, len(*got))
	}
}

func TestEncodedPathKeptToTheWire(t *testing.T) {
	url, db := startListener(t, Options{Policy: DefaultPolicy()})
	const sent = "/hooks/a%2Fb%41"
	status := rawExchange(t, url, "POST "+sent+"?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx")
	if !strings.Contains(status, "200") {
		t.Fatalf("answer %q", status)
	}
	r, _ := only(t, db)
	if r.Path != "/hooks/a/bA" || r.RawPath != sent || r.EscapedPath() != sent {
		t.Fatalf("stored path %q raw %q escaped %q", r.Path, r.RawPath, r.EscapedPath())
	}
	var uri string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { uri = req.RequestURI }))
	t.Cleanup(srv.Close)
	a := NewSender(SenderOptions{}).Send(context.Background(), r.Event, []byte("x"), Target{URL: srv.URL + "/base/", KeepPath: true})
	if a.Error != "" || uri != "/base"+sent+"?x=1" {
		t.Fatalf("attempt %+v; target saw %q, want %q", a, uri, "/base"+sent+"?x=1")
	}
}

// TestReplayTargetPasswordNotRecorded: a password in the target URL is sent
// as basic auth but never recorded in the attempt, which is shown and
// exported; nor is it repeated in an error about a bad target.
func TestReplayTargetPasswordNotRecorded(t *testing.T) {
	ev := &store.Event{Method: "POST", Path: "/x"}
	db := storeWith(t, ev, []byte("x"))
	app, _, _ := target(t, func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "dev" || p != "s3cret-pw" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	withPassword := strings.Replace(app.URL, "http://", "http://dev:s3cret-pw@", 1)
	s := NewSender(SenderOptions{})
	for _, tt := range []struct {
		url    string
		status int
	}{
		{withPassword + "/hook", http.StatusOK},
		{"ftp://dev:s3cret-pw@example.com/", 0}, // refused before sending
	} {
		var res ReplayResult
		s.Replay(context.Background(), db, []string{ev.ID}, ReplayOptions{Target: Target{URL: tt.url}}, func(r ReplayResult) { res = r })
		a := res.Attempt
		if a.Status != tt.status {
			t.Fatalf("%s: status %d (%s), want %d", tt.url, a.Status, a.Error, tt.status)
		}
		if strings.Contains(a.Target+a.Error, "s3cret-pw") || !strings.Contains(a.Target, "dev:xxxxx@") {
			t.Fatalf("attempt records target %q, error %q", a.Target, a.Error)
		}
	}
}

// TestForwardWithoutSenderOrRecorder: a Forwarder that names neither still
// forwards (with the default sender) and answers with the app's response;
// only recording the outcome is skipped. The delivery is stored first.
func TestForwardWithoutSenderOrRecorder(t *testing.T) {
	app, _, _ := target(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "from app")
	})
	url, db := startListener(t, Options{Forward: &Forwarder{Target: Target{URL: app.URL}}})
	resp, err := http.Post(url+"/p", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || string(b) != "from app" {
		t.Fatalf("answer %d %q", resp.StatusCode, b)
	}
	if _, body := only(t, db); string(body) != "x" {
		t.Fatalf("stored body %q", body)
	}
}

// TestReplayStartsNoMoreWorkersThanDeliveries: a huge Concurrency for a few
// deliveries costs a worker per delivery, not one per unit of Concurrency
// (--concurrency 100000000 once ate the machine's memory).
func TestReplayStartsNoMoreWorkersThanDeliveries(t *testing.T) {
	db := storeWith(t, nil, nil)
	ev := &store.Event{Method: "POST", Path: "/x"}
	db.Append(context.Background(), ev, []byte("b"))
	srv, _, _ := target(t, func(http.ResponseWriter, *http.Request) {})
	before := runtime.NumGoroutine()
	peak := 0
	NewSender(SenderOptions{}).Replay(context.Background(), db, []string{ev.ID},
		ReplayOptions{Target: Target{URL: srv.URL}, Concurrency: 20000}, func(ReplayResult) {
			peak = runtime.NumGoroutine()
		})
	if peak-before > 1000 {
		t.Fatalf("%d goroutines during a replay of one delivery (%d before)", peak, before)
	}
}

// TestReplayKeepPathNotOriginForm: with --keep-path, a delivery whose
// target was not a path (CONNECT's host:port, OPTIONS's "*") is sent with
// that target as it came, not glued onto the --to URL's path
// ("/baseexample.com:443").
func TestReplayKeepPathNotOriginForm(t *testing.T) {
	for _, tt := range []struct{ method, path, want string }{
		{"CONNECT", "example.com:443", "CONNECT example.com:443 HTTP/1.1\r\n"},
		{"OPTIONS", "*", "OPTIONS * HTTP/1.1\r\n"},
		{"POST", "/hook", "POST /base/hook?a=1 HTTP/1.1\r\n"},
	} {
		ev := store.Event{Method: tt.method, Path: tt.path, Query: "a=1"}
		if tt.method != "POST" {
			ev.Query = ""
		}
		req, err := Request(context.Background(), ev, nil, Target{URL: "http://127.0.0.1:1/base/", KeepPath: true})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := req.Write(&b); err != nil {
			t.Fatal(err)
		}
		if line, _, _ := strings.Cut(b.String(), "Host:"); line != tt.want {
			t.Errorf("%s %s sent as %q, want %q", tt.method, tt.path, line, tt.want)
		}
	}
}

// rawTarget is a target that answers every request with answer, written
// raw after reading the head and the Content-Length body, and never sends
// 100 Continue (many small servers do not). It records the raw requests.
func rawTarget(t *testing.T, answer string) (url string, got func() []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	var reqs []string
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				b, _ := io.ReadAll(req.Body)
				mu.Lock()
				reqs = append(reqs, req.Method+" "+req.URL.RequestURI()+" "+string(b))
				mu.Unlock()
				io.WriteString(c, answer)
			}()
		}
	}()
	return "http://" + ln.Addr().String(), func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(reqs) }
}

// A delivery sent with Expect: 100-continue (curl does for large bodies,
// .NET by default) is replayed with the header, but hookscope has the
// whole body: it sends it at once instead of waiting a second for a
// 100 Continue the target may never send.
func TestExpectContinueDoesNotStall(t *testing.T) {
	url, got := rawTarget(t, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
	ev := store.Event{Method: "POST", Path: "/x", Header: store.Header{{Name: "Expect", Value: "100-continue"}}}
	a := NewSender(SenderOptions{Timeout: 5 * time.Second}).Send(context.Background(), ev, []byte("body"), Target{URL: url})
	if a.Status != 200 || a.Error != "" {
		t.Fatalf("attempt %+v", a)
	}
	if a.DurationMS > 500 {
		t.Errorf("took %.0fms: waited for 100 Continue", a.DurationMS)
	}
	if g := got(); len(g) != 1 || g[0] != "POST / body" {
		t.Errorf("target got %q", g)
	}
}

// A provider that gives up before the app answers (its own timeout is
// shorter than the app's latency, the very thing a user tests) must not
// cut the app off: the forward runs to --forward-timeout and the app's
// answer and latency are recorded.
func TestForwardOutlivesTheProvider(t *testing.T) {
	app, got, mu := target(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(400 * time.Millisecond)
		w.WriteHeader(http.StatusAccepted)
	})
	fw := &Forwarder{Sender: NewSender(SenderOptions{Timeout: 5 * time.Second}), Target: Target{URL: app.URL, KeepPath: true}}
	url, db := startListener(t, Options{Forward: fw})
	fw.Recorder = db
	client := &http.Client{Timeout: 100 * time.Millisecond}
	if resp, err := client.Post(url+"/hooks/a", "text/plain", strings.NewReader("x")); err == nil {
		resp.Body.Close()
		t.Fatalf("provider got %d before the app answered", resp.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		recs, _ := db.List(context.Background(), store.Query{})
		if len(recs) == 1 && recs[0].Forward != nil {
			if f := recs[0].Forward; f.Status != http.StatusAccepted || f.Error != "" {
				t.Fatalf("forward recorded %+v", f)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no forward recorded")
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(*got) != 1 {
		t.Fatalf("app saw %d deliveries", len(*got))
	}
}

// The provider hears the app's answer as the app sent it: an answer cut
// off mid-body is not relayed as a complete one (the provider gets the
// error status, the recorded forward keeps the app's status and says what
// broke), and a header the app did not send is not added.
func TestForwardRelaysOnlyWhatTheAppSaid(t *testing.T) {
	tests := []struct {
		name, answer string
		status       int    // what the provider gets
		body         string // what the provider gets
		recErr       string // in the recorded forward's error
	}{
		{"complete, no content type", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, "ok", ""},
		{"cut off", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial", 502, "cut off", "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, _ := rawTarget(t, tt.answer)
			resp, b, db := postForwarded(t, app)
			if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.body) {
				t.Fatalf("provider got %d %q", resp.StatusCode, b)
			}
			if tt.recErr == "" && resp.Header["Content-Type"] != nil {
				t.Errorf("provider got Content-Type %q the app did not send", resp.Header["Content-Type"])
			}
			recs, _ := db.List(context.Background(), store.Query{})
			if len(recs) != 1 || recs[0].Forward == nil {
				t.Fatalf("records %+v", recs)
			}
			if f := recs[0].Forward; f.Status != 200 || !strings.Contains(f.Error, tt.recErr) || (tt.recErr == "") != (f.Error == "") {
				t.Fatalf("forward recorded %+v", f)
			}
		})
	}
}

// A target whose certificate does not verify (a self-signed dev server)
// gets an error that names the way out.
func TestSelfSignedTargetNamesInsecure(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	ev := store.Event{Method: "POST", Path: "/x"}
	a := NewSender(SenderOptions{Timeout: 5 * time.Second}).Send(context.Background(), ev, []byte("x"), Target{URL: srv.URL})
	if a.Status != 0 || !strings.Contains(a.Error, "certificate") || !strings.Contains(a.Error, "--insecure") {
		t.Fatalf("attempt %+v", a)
	}
	a = NewSender(SenderOptions{Timeout: 5 * time.Second, Insecure: true}).Send(context.Background(), ev, []byte("x"), Target{URL: srv.URL})
	if a.Status != 200 || a.Error != "" {
		t.Fatalf("--insecure: attempt %+v", a)
	}
}

// TestForwardErrorHidesTheAppURL: the provider's error answer goes back
// through a public tunnel, so it names "the app", not the --forward-to URL
// whose query may carry the app's token; the stored attempt keeps it.
func TestForwardErrorHidesTheAppURL(t *testing.T) {
	// The user part as typed: net/http's error names the URL with it
	// unescaped (dev@corp:***@), not as the recorded target has it.
	for _, user := range []string{"dev:pw@", "dev%40corp:pw@", "d%C3%A9v%20x:pw@", "dev@"} {
		t.Run(user, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			closed := "http://" + user + ln.Addr().String() + "/app?token=s3cret-token"
			ln.Close() // nobody listens there now
			db, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			fw := &Forwarder{Sender: NewSender(SenderOptions{Timeout: 5 * time.Second}), Target: Target{URL: closed}, Recorder: db}
			url := serve(t, NewHandler(db, Options{Forward: fw}))
			resp, err := http.Post(url, "application/json", strings.NewReader(`{"n":1}`))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 502 || !strings.Contains(string(b), "connection refused") ||
				strings.Contains(string(b), "s3cret-token") || strings.Contains(string(b), "/app") {
				t.Fatalf("provider got %d %s", resp.StatusCode, b)
			}
			recs, err := db.List(context.Background(), store.Query{})
			if err != nil || len(recs) != 1 || recs[0].Forward == nil {
				t.Fatalf("stored %+v %v", recs, err)
			}
			a, err := db.Attempt(context.Background(), recs[0].ID, 0)
			if err != nil || !strings.Contains(a.Error, "s3cret-token") {
				t.Fatalf("the stored attempt lost the target: %+v %v", a, err)
			}
		})
	}
}

// TestShutdownEndsAForwardInFlight: Ctrl-C while the app is still working
// on a forwarded delivery gives the app a part of the shutdown grace, then
// cuts the forward, records why and answers the provider the error status,
// all within the grace: the listener stops cleanly instead of giving up on
// the handler when the grace runs out (the forward never recorded, the
// database closed under it, exit 1).
func TestShutdownEndsAForwardInFlight(t *testing.T) {
	app, _, _ := target(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	fw := &Forwarder{Sender: NewSender(SenderOptions{Timeout: time.Minute}), Target: Target{URL: app.URL}}
	db, stop, got, served := inFlightWith(t, Options{Forward: fw}, func(h *Handler, db *store.DB) {
		fw.Recorder = db
		h.forwardGrace = 100 * time.Millisecond
	})
	start := time.Now()
	stop()
	if s := <-got; s != http.StatusBadGateway {
		t.Fatalf("provider got %d after %v", s, time.Since(start))
	}
	if err := <-served; err != nil {
		t.Fatalf("serve: %v after %v", err, time.Since(start))
	}
	if took := time.Since(start); took >= shutdownGrace {
		t.Fatalf("stopping took %v", took)
	}
	recs, _ := db.List(context.Background(), store.Query{})
	if len(recs) != 1 || recs[0].Forward == nil || !strings.Contains(recs[0].Forward.Error, "listener stopped") {
		t.Fatalf("recorded %+v", recs)
	}
}

// TestForwardOfAnAnswerOverTheCap: an app answer longer than
// MaxForwardBody is not relayed cut as if it were whole: the provider gets
// the error status, and the recorded forward keeps the app's status and
// says why. One of exactly MaxForwardBody bytes is relayed whole.
func TestForwardOfAnAnswerOverTheCap(t *testing.T) {
	tests := []struct {
		name   string
		size   int
		status int    // what the provider gets
		recErr string // in the recorded forward's error
	}{
		{"at the cap", MaxForwardBody, 200, ""},
		{"over the cap", MaxForwardBody + 1, 502, "over 10 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, _, _ := target(t, func(w http.ResponseWriter, r *http.Request) {
				w.Write(bytes.Repeat([]byte("a"), tt.size))
			})
			resp, b, db := postForwarded(t, app.URL)
			if resp.StatusCode != tt.status || (tt.recErr == "" && len(b) != tt.size) || (tt.recErr != "" && !strings.Contains(string(b), tt.recErr)) {
				t.Fatalf("provider got %d, %d bytes %.100q", resp.StatusCode, len(b), b)
			}
			recs, _ := db.List(context.Background(), store.Query{})
			if len(recs) != 1 || recs[0].Forward == nil {
				t.Fatalf("records %+v", recs)
			}
			if f := recs[0].Forward; f.Status != 200 || (tt.recErr == "") != (f.Error == "") || !strings.Contains(f.Error, tt.recErr) {
				t.Fatalf("forward recorded %+v", f)
			}
		})
	}
}

// TestRedirectWithBadLocationIsAnAnswer: a 3xx is recorded as the target's
// answer, Location included, even when Location does not parse as a URL
// (http.Client would otherwise report no answer at all).
func TestRedirectWithBadLocationIsAnAnswer(t *testing.T) {
	for _, loc := range []string{"/next", "/%zz", "http://[::1"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", loc)
			w.WriteHeader(http.StatusFound)
		}))
		a := NewSender(SenderOptions{Timeout: 5 * time.Second}).Send(context.Background(), store.Event{Method: "POST", Path: "/x"}, []byte("x"), Target{URL: srv.URL})
		srv.Close()
		if a.Status != http.StatusFound || a.Error != "" || a.RespHeader.Get("Location") != loc {
			t.Errorf("Location %q: attempt %+v", loc, a)
		}
	}
}

// TestRefusedAttemptSaysNotSent: a stored delivery net/http will not send
// as it is (a header value or name, or a method, that is not valid HTTP,
// all stored from refused requests) is an attempt "not sent", never one
// that got no answer, and the way round is named only where there is one.
func TestRefusedAttemptSaysNotSent(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	for _, tt := range []struct {
		name     string
		ev       store.Event
		wayRound bool
	}{
		{"header value", store.Event{Method: "POST", Path: "/x", Header: store.Header{{Name: "X-Bad", Value: "a\x07b"}}}, true},
		{"header name", store.Event{Method: "POST", Path: "/x", Header: store.Header{{Name: "X Bad", Value: "ab"}}}, false},
		{"method", store.Event{Method: "GE(T", Path: "/x"}, false},
	} {
		a := NewSender(SenderOptions{Timeout: 5 * time.Second}).Send(context.Background(), tt.ev, []byte("hi"), Target{URL: srv.URL})
		if !strings.HasPrefix(a.Error, NotSent) || strings.Contains(a.Error, "--header") != tt.wayRound {
			t.Errorf("%s: attempt error %q", tt.name, a.Error)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the target saw %d requests", n)
	}
}

// TestReplayResultSaysNotSent: a replay tells code which attempts never
// left, and which of those --header (Target.Header) can mend, in typed
// fields that agree with the attempt's stored error; a target that is down,
// slow or answers an error got the request, or may have: those are not
// "not sent".
func TestReplayResultSaysNotSent(t *testing.T) {
	var hits atomic.Int32
	up, _, _ := target(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/slow" {
			time.Sleep(500 * time.Millisecond)
		}
		w.WriteHeader(500)
	})
	down := httptest.NewServer(nil)
	downURL := down.URL
	down.Close()
	good := store.Event{Method: "POST", Path: "/x"}
	for _, tt := range []struct {
		name               string
		ev                 store.Event
		url                string
		hdr                store.Header
		notSent, headerFix bool
		hit                bool // the target saw the request
		keepPath           bool
	}{
		{"header value", store.Event{Method: "POST", Path: "/x", Header: store.Header{{Name: "X-Bad", Value: "a\x07b"}}}, up.URL, nil, true, true, false, false},
		{"header value replaced", store.Event{Method: "POST", Path: "/x", Header: store.Header{{Name: "X-Bad", Value: "a\x07b"}}}, up.URL, store.Header{{Name: "X-Bad", Value: "ab"}}, false, false, true, false},
		{"header name", store.Event{Method: "POST", Path: "/x", Header: store.Header{{Name: "X Bad", Value: "ab"}}}, up.URL, nil, true, false, false, false},
		{"method", store.Event{Method: "GE(T", Path: "/x"}, up.URL, nil, true, false, false, false},
		{"target refused", good, downURL, nil, false, false, false, false},
		{"target times out", store.Event{Method: "POST", Path: "/slow"}, up.URL + "/slow", nil, false, false, true, false},
		{"target answers an error", good, up.URL, nil, false, false, true, false},
		// A refused delivery's query with a control character, sent to
		// a target with a password: the error quotes the URL, masked.
		{"target URL", store.Event{Method: "POST", Path: "/x", Query: "a=\x01b"}, strings.Replace(up.URL, "://", "://dev:hunter22@", 1), nil, true, false, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := tt.ev
			db := storeWith(t, &ev, []byte("hi"))
			before := hits.Load()
			var res ReplayResult
			NewSender(SenderOptions{Timeout: 150 * time.Millisecond}).Replay(context.Background(), db, []string{ev.ID},
				ReplayOptions{Target: Target{URL: tt.url, Header: tt.hdr, KeepPath: tt.keepPath}}, func(r ReplayResult) { res = r })
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if res.NeverSent != tt.notSent || res.HeaderFix != tt.headerFix {
				t.Errorf("NeverSent %v, HeaderFix %v, want %v, %v (attempt error %q)", res.NeverSent, res.HeaderFix, tt.notSent, tt.headerFix, res.Attempt.Error)
			}
			if strings.Contains(res.Attempt.Error+res.Attempt.Target, "hunter22") {
				t.Errorf("the attempt shows the target's password: %q, %q", res.Attempt.Error, res.Attempt.Target)
			}
			// The stored text is unchanged and agrees with the fields.
			if strings.HasPrefix(res.Attempt.Error, NotSent) != tt.notSent || strings.Contains(res.Attempt.Error, "--header") != tt.headerFix {
				t.Errorf("attempt error %q disagrees with NeverSent %v, HeaderFix %v", res.Attempt.Error, tt.notSent, tt.headerFix)
			}
			rec, err := db.Get(context.Background(), ev.ID)
			if err != nil || len(rec.Replays) != 1 || rec.Replays[0].Error != res.Attempt.Error {
				t.Errorf("stored attempts %+v, err %v", rec.Replays, err)
			}
			if got := hits.Load() > before; got != tt.hit {
				t.Errorf("target hit: %v, want %v", got, tt.hit)
			}
		})
	}
}

// postForwarded posts a delivery to a listener that forwards to app, and
// returns the provider's answer, its body and the listener's store.
func postForwarded(t *testing.T, app string) (*http.Response, []byte, *store.DB) {
	t.Helper()
	fw := &Forwarder{Sender: NewSender(SenderOptions{Timeout: 5 * time.Second}), Target: Target{URL: app}}
	url, db := startListener(t, Options{Forward: fw})
	fw.Recorder = db
	resp, err := http.Post(url+"/hooks/a", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, b, db
}
