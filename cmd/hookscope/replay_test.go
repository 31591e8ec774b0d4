package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// appServer is a small local app that records what it receives.
func appServer(t *testing.T, status int) (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.URL.Path+" "+string(b))
		mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, `{"app":true}`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), got...) }
}

func TestReplayByIDAndFilterWhileListening(t *testing.T) {
	l := startListen(t)
	post(t, l.url+"/hooks/a", []byte(`{"type":"one"}`))
	post(t, l.url+"/hooks/b", []byte(`{"type":"two"}`))
	post(t, l.url+"/other", []byte(`{"type":"three"}`))
	app, got := appServer(t, 200)
	recs := lsJSON(t, l.db)
	id := recs[2]["id"].(string)

	code, out, errs := run(t, "replay", id[:12], "--to", app.URL+"/in", "--db", l.db)
	if code != 0 || !strings.Contains(out, "200") || !strings.Contains(out, "1 2xx") {
		t.Fatalf("replay by id: %d %q %q", code, out, errs)
	}
	// A filter selects the two /hooks deliveries, oldest first; --json
	// prints one object per attempt.
	code, out, errs = run(t, "replay", "path:/hooks/*", "--to", app.URL, "--keep-path", "--json", "--db", l.db)
	if code != 0 {
		t.Fatalf("replay by filter: %d %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("json lines %q", out)
	}
	var a map[string]any
	json.Unmarshal([]byte(lines[0]), &a)
	for _, k := range []string{"at", "target", "status", "duration_ms", "error"} {
		if _, ok := a[k]; !ok {
			t.Errorf("attempt JSON lacks %q: %s", k, lines[0])
		}
	}
	want := []string{`/in {"type":"one"}`, `/hooks/a {"type":"one"}`, `/hooks/b {"type":"two"}`}
	if strings.Join(got(), "|") != strings.Join(want, "|") {
		t.Fatalf("app got %q", got())
	}
	// Attempts show up in show --json.
	_, out, _ = run(t, "show", id, "--json", "--db", l.db)
	var rec map[string]any
	json.Unmarshal([]byte(out), &rec)
	replays := rec["replays"].([]any)
	if len(replays) != 2 || replays[0].(map[string]any)["status"].(float64) != 200 {
		t.Fatalf("replays %v", rec["replays"])
	}
}

func TestReplayUsageAndMisses(t *testing.T) {
	l := startListen(t)
	post(t, l.url+"/x", []byte(`{}`))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"replay", "path:/x"}, 2, "--to"},
		{[]string{"replay", "path:/x", "--to", "ftp://x"}, 2, "--to"},
		{[]string{"replay", "path:/x", "--to", "http://127.0.0.1:1", "--rate", "fast"}, 2, "--rate"},
		{[]string{"replay", "path:/x", "--to", "http://127.0.0.1:1", "--concurrency", "0"}, 2, "--concurrency"},
		{[]string{"replay", "path:/nothing", "--to", "http://127.0.0.1:1"}, 1, "no delivery"},
		{[]string{"replay", "bogus:key", "--to", "http://127.0.0.1:1"}, 2, "neither a delivery id nor a filter"},
	} {
		code, _, errs := run(t, append(tc.args, "--db", l.db)...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d %q", tc.args, code, errs)
		}
	}
	// A target that is down is an attempt with an error, stored and
	// summarised, and a runtime error (exit 1) as in send.
	code, out, errs := run(t, "replay", "path:/x", "--to", "http://127.0.0.1:1/", "--timeout", "1s", "--db", l.db)
	if code != 1 || !strings.Contains(out, "1 error\n") || !strings.Contains(errs, "1 of 1 attempts got no answer from http://127.0.0.1:1/") {
		t.Fatalf("down target: %d %q %q", code, out, errs)
	}
	// Its closing line masks the target as the attempt lines do (a
	// secret field of its query), and shows it as given when revealed.
	for _, tc := range []struct {
		reveal bool
		want   string
	}{{false, "/in?access_token=••••••••"}, {true, "/in?access_token=tok-9f8e7d"}} {
		args := []string{"replay", "path:/x", "--to", "http://127.0.0.1:1/in?access_token=tok-9f8e7d", "--timeout", "1s", "--db", l.db}
		if tc.reveal {
			args = append(args, "--reveal-secrets")
		}
		_, _, errs = run(t, args...)
		if !strings.Contains(errs, "got no answer from http://127.0.0.1:1"+tc.want) {
			t.Errorf("reveal %v: closing line %q, want the target as %q", tc.reveal, errs, tc.want)
		}
	}
}

func TestListenForwardTo(t *testing.T) {
	app, got := appServer(t, 201)
	l := startListen(t, "--forward-to", app.URL+"/app")
	req, _ := http.NewRequest("POST", l.url+"/hooks/td?x=1", strings.NewReader(`{"n":1}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || string(b) != `{"app":true}` {
		t.Fatalf("provider got %d %q", resp.StatusCode, b)
	}
	if g := got(); len(g) != 1 || g[0] != `/app/hooks/td {"n":1}` {
		t.Fatalf("app got %q", g)
	}
	deadline := time.Now().Add(waitBound)
	for !strings.Contains(l.stdout.String(), "app:201") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(l.stdout.String(), "201") || !strings.Contains(l.stdout.String(), "app:201") {
		t.Fatalf("headless line lacks the app's status: %q", l.stdout.String())
	}
	rec := lsJSON(t, l.db)[0]
	fwd, _ := rec["forward"].(map[string]any)
	if fwd == nil || fwd["status"].(float64) != 201 {
		t.Fatalf("forward %v", rec["forward"])
	}
}

// A delivery stored truncated (over --max-body) can only be replayed as far
// as it was stored: replay says so, so that the app's answer to a cut body
// is not taken for its answer to the delivery.
func TestReplayWarnsOfATruncatedDelivery(t *testing.T) {
	l := startListen(t, "--max-body", "10")
	if code := post(t, l.url+"/big", []byte(strings.Repeat("a", 50))); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("listener answered %d", code)
	}
	post(t, l.url+"/small", []byte("ok"))
	app, got := appServer(t, 200)
	recs := lsJSON(t, l.db)
	big := recs[1]["id"].(string)
	code, _, errs := run(t, "replay", big, "--to", app.URL, "--db", l.db)
	if code != 0 || !strings.Contains(errs, big+" was stored truncated") || !strings.Contains(errs, "only its first 10 bytes") {
		t.Fatalf("replay of a truncated delivery: %d %q", code, errs)
	}
	if g := got(); len(g) != 1 || g[0] != "/ "+strings.Repeat("a", 10) {
		t.Fatalf("app got %q", g)
	}
	code, _, errs = run(t, "replay", recs[0]["id"].(string), "--to", app.URL, "--db", l.db)
	if code != 0 || strings.Contains(errs, "truncated") {
		t.Fatalf("replay of a whole delivery: %d %q", code, errs)
	}
	// In bulk, one line sums them up.
	code, _, errs = run(t, "replay", "path:/", "--to", app.URL, "--json", "--db", l.db)
	if code != 0 || !strings.Contains(errs, "1 of the 2 deliveries was stored truncated") {
		t.Fatalf("bulk replay: %d %q", code, errs)
	}
}

// TestReplayInterruptedSaysWhatItWaitsFor: interrupted while an attempt is
// in flight, replay starts no more, says it waits for that one (up to
// --timeout), records it and exits 1, "interrupted".
func TestReplayInterruptedSaysWhatItWaitsFor(t *testing.T) {
	l := startListen(t)
	for i := range 3 {
		post(t, l.url+"/hooks/slow", []byte(fmt.Sprintf(`{"n":%d}`, i)))
	}
	arrived, release := make(chan struct{}, 3), make(chan struct{})
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
	}))
	defer app.Close()
	defer close(release)

	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"replay", "path:/hooks/slow", "--to", app.URL, "--db", l.db, "--timeout", "1m"}, strings.NewReader(""), &out, &errb)
	}()
	select {
	case <-arrived:
	case <-time.After(waitBound):
		t.Fatal("the app never saw the first attempt")
	}
	cancel()
	deadline := time.After(waitBound)
	for !strings.Contains(errb.String(), "waiting up to 1m0s for those in flight") {
		select {
		case <-deadline:
			t.Fatalf("no word of the wait: %q", errb.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	release <- struct{}{}
	var code int
	select {
	case code = <-done:
	case <-time.After(waitBound):
		t.Fatal("replay did not end once the attempt in flight was answered")
	}
	if code != 1 || !strings.Contains(errb.String(), "interrupted after 1 of 3") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// TestReplayOfARefusedHeaderSaysWhy: a delivery stored although net/http
// refused it (a control character in a header value) cannot go out as it
// came; replay says so, not "no answer", and --header replaces the value.
func TestReplayOfARefusedHeaderSaysWhy(t *testing.T) {
	l := startListen(t)
	postRefused(t, l, "POST /hooks/bad HTTP/1.1\r\nHost: h\r\nX-Bad: a\x07b\r\nContent-Length: 2\r\n\r\nhi")
	app, got := appServer(t, 200)
	awaitStored(t, l.db, 1)
	code, _, errs := run(t, "replay", "path:/hooks/bad", "--to", app.URL, "--db", l.db)
	if code != 1 || !strings.Contains(errs, "1 of 1 attempts could not be sent") || len(got()) != 0 {
		t.Fatalf("replay as stored: exit %d, %q, app saw %d", code, errs, len(got()))
	}
	code, _, errs = run(t, "replay", "path:/hooks/bad", "--to", app.URL, "--db", l.db, "--header", "X-Bad:ab")
	if code != 0 || len(got()) != 1 {
		t.Fatalf("replay with --header: exit %d, %q, app saw %d", code, errs, len(got()))
	}
}

// TestReplayOfARefusedRequestSaysNotSent: deliveries stored from requests
// net/http refused for their method or a header name cannot be sent as
// they came either; replay says they could not be sent, not that the
// target did not answer, and offers --header only where it helps.
func TestReplayOfARefusedRequestSaysNotSent(t *testing.T) {
	l := startListen(t)
	for _, raw := range []string{
		"GE(T /hooks/method HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi",
		"POST /hooks/name HTTP/1.1\r\nHost: h\r\nX Bad: b\r\nContent-Length: 2\r\n\r\nhi",
	} {
		postRefused(t, l, raw)
	}
	app, got := appServer(t, 200)
	awaitStored(t, l.db, 2)
	for _, filter := range []string{"path:/hooks/method", "path:/hooks/name"} {
		code, _, errs := run(t, "replay", filter, "--to", app.URL, "--db", l.db)
		if code != 1 || !strings.Contains(errs, "1 of 1 attempts could not be sent") || strings.Contains(errs, "--header") {
			t.Errorf("replay %s: exit %d, %q", filter, code, errs)
		}
	}
	if n := len(got()); n != 0 {
		t.Fatalf("the app saw %d requests", n)
	}
}

// postRefused writes raw to the listener as a request net/http refuses, and
// fails unless the answer is 400.
func postRefused(t *testing.T, l *listener, raw string) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(l.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(c, raw)
	line, _ := bufio.NewReader(c).ReadString('\n')
	c.Close()
	if !strings.HasPrefix(line, "HTTP/1.1 400") {
		t.Fatalf("listener answered %q", line)
	}
}

// awaitStored waits, at most waitBound, until db lists n deliveries; what
// follows checks what it needs of them.
func awaitStored(t *testing.T, db string, n int) {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for len(lsJSON(t, db)) < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
}
