package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// mustOpen opens a database in a fresh folder, closed when the test ends.
func mustOpen(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// serve runs a listener for db on its socket, with hooks, until stop is
// called or the test ends, and returns the socket's path.
func serve(t *testing.T, db *store.DB, hooks Hooks) (sock string, stop func()) {
	t.Helper()
	sock = store.SocketPath(db.Path())
	srv, err := Listen(sock, db, hooks)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx); close(done) }()
	stop = sync.OnceFunc(func() { cancel(); <-done })
	t.Cleanup(stop)
	return sock, stop
}

// dial connects a client to the listener on sock, closed when the test
// ends.
func dial(t *testing.T, sock string) *Client {
	t.Helper()
	c, err := Dial(sock, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func serveDB(t *testing.T) (*store.DB, *Client) {
	t.Helper()
	db := mustOpen(t)
	sock, _ := serve(t, db, Hooks{Reverify: func(ctx context.Context, id string) error {
		_, err := db.PutAnalysis(ctx, id, store.Analysis{Provider: "reverified"})
		return err
	}})
	c := dial(t, sock)
	return db, c
}

func TestClientMirrorsStore(t *testing.T) {
	db, c := serveDB(t)
	ctx := context.Background()
	body := []byte("\x00binary\xff")
	ev := &store.Event{Method: "POST", Path: "/x", Header: store.Header{{Name: "x-lower", Value: "1"}}}
	if err := db.Append(ctx, ev, body); err != nil {
		t.Fatal(err)
	}
	if c.Path() != db.Path() {
		t.Fatalf("path %q", c.Path())
	}
	recs, err := c.List(ctx, store.Query{Limit: 10})
	if err != nil || len(recs) != 1 || recs[0].Header[0].Name != "x-lower" {
		t.Fatalf("list: %+v %v", recs, err)
	}
	got, err := c.Body(ctx, ev.ID)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("body %q %v", got, err)
	}
	if _, err := c.Get(ctx, "0000000000000"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	second := &store.Event{Method: "POST"}
	db.Append(ctx, second, nil)
	if _, err := c.Get(ctx, ev.ID[:3]); !errors.Is(err, store.ErrAmbiguous) {
		t.Fatalf("ambiguous: %v", err)
	}
	if _, err := c.List(ctx, store.Query{Filter: "nope:1"}); err == nil {
		t.Fatal("bad filter accepted")
	}
	a := &store.Attempt{Target: "http://t", Status: 201, RespBody: []byte("ok")}
	if err := c.AddAttempt(ctx, ev.ID, a); err != nil || a.Seq != 1 {
		t.Fatalf("attempt: %v seq %d", err, a.Seq)
	}
	full, err := c.Attempt(ctx, ev.ID, 1)
	if err != nil || string(full.RespBody) != "ok" {
		t.Fatalf("attempt body %+v %v", full, err)
	}
	if err := c.SetPinned(ctx, ev.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := c.Reverify(ctx, ev.ID); err != nil {
		t.Fatal(err)
	}
	r, _ := c.Get(ctx, ev.ID)
	if !r.Pinned || r.Analysis == nil || r.Analysis.Provider != "reverified" || len(r.Replays) != 1 {
		t.Fatalf("record %+v", r)
	}
	total, matched, err := c.Count(ctx, "pinned:yes")
	if err != nil || total != 2 || matched != 1 {
		t.Fatalf("count %d %d %v", total, matched, err)
	}
	evs := []*store.Event{{Method: "PUT", ReceivedAt: time.Unix(1, 0)}}
	if err := c.ImportAll(ctx, evs, [][]byte{[]byte("i")}, nil); err != nil || evs[0].ID == "" {
		t.Fatalf("import %v %q", err, evs[0].ID)
	}
	// An import through the socket restores pins and attempts, answers
	// included, which the public JSON of an attempt leaves out.
	fw := &store.Attempt{Target: "http://app/", Status: 201, RespHeader: store.Header{{Name: "X-F", Value: "f"}}, RespBody: []byte("fw")}
	evs = []*store.Event{{Method: "PUT", ReceivedAt: time.Unix(2, 0), Forward: fw}}
	st := []store.ImportState{{Pinned: true, Replays: []store.Attempt{{Seq: 2, Target: "http://r/", Status: 200,
		RespHeader: store.Header{{Name: "X-R", Value: "r"}}, RespBody: []byte("rb")}}}}
	if err := c.ImportAll(ctx, evs, [][]byte{[]byte("j")}, st); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Get(ctx, evs[0].ID); err != nil || !r.Pinned || len(r.Replays) != 1 || r.Replays[0].Seq != 2 || r.Forward == nil {
		t.Fatalf("imported %+v %v", r, err)
	}
	if a, err := c.Attempt(ctx, evs[0].ID, 2); err != nil || string(a.RespBody) != "rb" || a.RespHeader.Get("X-R") != "r" {
		t.Fatalf("imported replay %+v %v", a, err)
	}
	if a, err := c.Attempt(ctx, evs[0].ID, 0); err != nil || string(a.RespBody) != "fw" || a.RespHeader.Get("X-F") != "f" {
		t.Fatalf("imported forward %+v %v", a, err)
	}
	k := store.CachedKey{KeyID: "k1", PublicKey: "pk"}
	if err := c.SaveKey(k); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := c.LoadKey("k1"); err != nil || !ok || got.PublicKey != "pk" {
		t.Fatalf("key %+v %v %v", got, ok, err)
	}
	if _, ok, err := c.LoadKey("nope"); ok || err != nil {
		t.Fatalf("missing key: %v %v", ok, err)
	}
	// The pinned delivery is kept.
	if n, err := c.Delete(ctx, []string{ev.ID, second.ID}); err != nil || n != 1 {
		t.Fatalf("delete: %d %v", n, err)
	}
	if _, err := c.Get(ctx, second.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted delivery: %v", err)
	}
}

func TestSubscribeOverSocket(t *testing.T) {
	db, c := serveDB(t)
	ch, cancel := c.Subscribe(8)
	defer cancel()
	// The stream is established asynchronously; keep appending until a
	// notice arrives.
	deadline := time.After(3 * time.Second)
	for {
		ev := &store.Event{Method: "POST"}
		db.Append(context.Background(), ev, nil)
		select {
		case n := <-ch:
			if n.Kind != store.Captured || n.ID == "" {
				t.Fatalf("notice %+v", n)
			}
			return
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatal("no notice over the socket")
		}
	}
}

func TestDialNobody(t *testing.T) {
	start := time.Now()
	_, err := Dial(filepath.Join(t.TempDir(), "none.sock"), time.Second)
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
}

// TestDialLearnsListenURL: a client learns where the listener captures
// (for an attached view's header), "" before the listener has bound, and
// where it forwards.
func TestDialLearnsListenURL(t *testing.T) {
	db := mustOpen(t)
	var url atomic.Pointer[string]
	sock, _ := serve(t, db, Hooks{ListenURL: func() string {
		if u := url.Load(); u != nil {
			return *u
		}
		return ""
	}, ForwardTo: "http://u:xxxxx@127.0.0.1:18129/app"})

	for _, want := range []string{"", "http://127.0.0.1:18080"} {
		if want != "" {
			url.Store(&want)
		}
		c, err := Dial(sock, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.ListenURL(); got != want {
			t.Errorf("ListenURL() = %q, want %q", got, want)
		}
		if c.Path() != db.Path() {
			t.Errorf("Path() = %q, want %q", c.Path(), db.Path())
		}
		if got, want := c.ForwardTo(), "http://u:xxxxx@127.0.0.1:18129/app"; got != want {
			t.Errorf("ForwardTo() = %q, want %q", got, want)
		}
		c.Close()
	}
}

// TestPingLearnsListenURLLate: a client dialled before the listener bound
// its port learns the URL by asking again.
func TestPingLearnsListenURLLate(t *testing.T) {
	db := mustOpen(t)
	var url atomic.Pointer[string]
	sock, _ := serve(t, db, Hooks{ListenURL: func() string {
		if u := url.Load(); u != nil {
			return *u
		}
		return ""
	}, ForwardTo: "http://127.0.0.1:18129/app"})

	c := dial(t, sock)
	if c.ListenURL() != "" {
		t.Fatalf("ListenURL() = %q before the port is bound", c.ListenURL())
	}
	want := "http://127.0.0.1:18080"
	url.Store(&want)
	u, fwd, err := c.Ping(context.Background())
	if err != nil || u != want || fwd != "http://127.0.0.1:18129/app" || c.ListenURL() != want {
		t.Fatalf("Ping() = %q, %q, %v; ListenURL() = %q", u, fwd, err, c.ListenURL())
	}
}

// TestSubscribeSurvivesRestart: an attached view's notices outlive the
// listener. When it stops, the stream says Lost (at once: shutting down ends
// the stream rather than waiting for it); when a listener serves the
// database again, Resync says to re-read, and its notices follow.
func TestSubscribeSurvivesRestart(t *testing.T) {
	db := mustOpen(t)
	sock, stop := serve(t, db, Hooks{})
	c := dial(t, sock)
	ch, cancel := c.Subscribe(64)

	// next returns the next notice of kind want, skipping others.
	next := func(want store.NoticeKind, poke bool) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			if poke { // the stream is established asynchronously
				db.Append(context.Background(), &store.Event{Method: "POST"}, nil)
			}
			select {
			case n, ok := <-ch:
				if !ok {
					t.Fatalf("channel closed waiting for notice kind %d", want)
				}
				if n.Kind == want {
					return
				}
			case <-time.After(50 * time.Millisecond):
			case <-deadline:
				t.Fatalf("no notice of kind %d", want)
			}
		}
	}
	next(store.Captured, true)
	stop()
	next(store.Lost, false)
	serve(t, db, Hooks{})
	next(store.Resync, false)
	next(store.Captured, true)

	cancel()
	for range ch { // closed once cancelled
	}
}

// TestCallsAfterListenerStopSayItStopped: an attached client whose listener
// has stopped says so in words, not in Go's dial error.
func TestCallsAfterListenerStopSayItStopped(t *testing.T) {
	db := mustOpen(t)
	sock, stop := serve(t, db, Hooks{})
	c := dial(t, sock)
	stop()
	_, err := c.Body(context.Background(), "x")
	if !errors.Is(err, ErrGone) || !strings.Contains(err.Error(), "the listener holding "+db.Path()+" stopped") {
		t.Fatalf("Body after the listener stopped: %v", err)
	}
}

// TestSettings: a listener serves its settings as JSON, waiting for them
// while it starts; one that shares none (Settings nil, as an older one)
// is not an error, and leaves the caller's value alone.
func TestSettings(t *testing.T) {
	type settings struct{ Mask []string }
	ready := make(chan struct{})
	closeReady := sync.OnceFunc(func() { close(ready) })
	tests := []struct {
		name   string
		hooks  Hooks
		wantOK bool
		want   []string
	}{
		{"shares", Hooks{Settings: func(ctx context.Context) (any, error) {
			select {
			case <-ready:
				return settings{Mask: []string{"s3cret"}}, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}}, true, []string{"s3cret"}},
		{"shares none", Hooks{}, false, []string{"untouched"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sock, _ := serve(t, mustOpen(t), tt.hooks)
			c := dial(t, sock)
			time.AfterFunc(50*time.Millisecond, closeReady)
			got := settings{Mask: []string{"untouched"}}
			ok, err := c.Settings(context.Background(), &got)
			if err != nil || ok != tt.wantOK || strings.Join(got.Mask, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("Settings = %v, %v, %v; want %v, nil, %v", ok, err, got.Mask, tt.wantOK, tt.want)
			}
		})
	}
}

// TestOldImportPathServed: a client from before imports carried pins and
// attempts posts to /v1/import; the listener still serves that path (with
// nothing more to restore), rather than failing an older binary's import.
func TestOldImportPathServed(t *testing.T) {
	db := mustOpen(t)
	sock, _ := serve(t, db, Hooks{})
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}}
	payload := `{"Events":[{"method":"PUT","received_at":"2026-01-02T03:04:05Z"}],"Bodies":["aGk="]}`
	resp, err := hc.Post("http://hookscope/v1/import", "application/json", strings.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ids []string
	if err := json.NewDecoder(resp.Body).Decode(&ids); err != nil || resp.StatusCode != 200 || len(ids) != 1 {
		t.Fatalf("status %d, ids %v, %v", resp.StatusCode, ids, err)
	}
	if b, err := db.Body(context.Background(), ids[0]); err != nil || string(b) != "hi" {
		t.Fatalf("imported body %q, %v", b, err)
	}
}
