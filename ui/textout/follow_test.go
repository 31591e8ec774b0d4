package textout

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// TestFollowStartsWhereTheListenerDid: a delivery stored after the
// listener read its starting point, but before the Follow goroutine first
// ran (a loaded machine), is printed; one stored before is history.
func TestFollowStartsWhereTheListenerDid(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	appendAt := func(path string) {
		if err := db.Append(ctx, &store.Event{Method: "POST", Path: path}, nil); err != nil {
			t.Fatal(err)
		}
	}
	appendAt("/before-start")
	after, err := store.NewestID(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	appendAt("/early") // the printer goroutine has not run yet
	out := make(lineWriter, 64)
	done := make(chan error, 1)
	go func() { done <- Follow(ctx, out, db, FollowOptions{After: after}) }()
	var printed strings.Builder
	deadline := time.After(10 * time.Second)
	for !strings.Contains(printed.String(), "/early") {
		select {
		case l := <-out:
			printed.WriteString(l)
		case <-deadline:
			t.Fatalf("the delivery stored before the printer ran was not printed: %q", printed.String())
		}
	}
	cancel()
	<-done
	for len(out) > 0 {
		printed.WriteString(<-out)
	}
	if strings.Contains(printed.String(), "/before-start") {
		t.Fatalf("history printed: %q", printed.String())
	}
}

// lineWriter hands each write to the test as it happens.
type lineWriter chan string

func (l lineWriter) Write(p []byte) (int, error) {
	l <- string(p)
	return len(p), nil
}

// TestReadyForDeliveriesThatGetNoMore: a delivery waits for what will come
// (the verdict, the app's answer, the measured duration of hookscope's
// own), but not for what never will: before, in forward mode a delivery
// answered 413 (never forwarded) or refused by net/http held its line, and
// every later one, for the whole --forward-timeout.
func TestReadyForDeliveriesThatGetNoMore(t *testing.T) {
	analysed := &store.Analysis{}
	rec := func(status int, answered bool, fwd bool, refused string) store.Record {
		r := store.Record{Analysis: analysed, Answered: answered}
		r.Response.Status = status
		r.Refused = refused
		if fwd {
			r.Forward = &store.Attempt{}
		}
		return r
	}
	forward := FollowOptions{WaitAnalysis: true, WaitForward: true}
	plain := FollowOptions{WaitAnalysis: true, WaitAnswer: true}
	for _, tt := range []struct {
		name string
		opts FollowOptions
		rec  store.Record
		want bool
	}{
		{"forward: waiting for the app", forward, rec(0, false, false, ""), false},
		{"forward: the app answered", forward, rec(200, false, true, ""), true},
		{"forward: 413, not forwarded, answer measured", forward, rec(413, true, false, ""), true},
		{"forward: 413, answer not yet measured", forward, rec(413, false, false, ""), false},
		{"forward: refused by net/http", forward, rec(400, false, false, "malformed header"), true},
		{"forward: no verdict yet", forward, func() store.Record { r := rec(200, false, true, ""); r.Analysis = nil; return r }(), false},
		{"plain: answer not yet measured", plain, rec(200, false, false, ""), false},
		{"plain: answer measured", plain, rec(200, true, false, ""), true},
		{"plain: refused by net/http", plain, rec(400, false, false, "malformed header"), true},
	} {
		if got := tt.opts.ready(tt.rec); got != tt.want {
			t.Errorf("%s: ready = %v, want %v", tt.name, got, tt.want)
		}
	}
}
