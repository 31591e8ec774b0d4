package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// TestPrinterStartsWhereTheListenerDid: a delivery stored after the
// listener read its starting point, but before the printer goroutine first
// ran (a loaded machine), is printed; one stored before is history.
func TestPrinterStartsWhereTheListenerDid(t *testing.T) {
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
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- printDeliveries(ctx, &out, db, printOptions{After: after}) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "/early") {
		if time.Now().After(deadline) {
			t.Fatalf("the delivery stored before the printer ran was not printed: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if strings.Contains(out.String(), "/before-start") {
		t.Fatalf("history printed: %q", out.String())
	}
}
