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
