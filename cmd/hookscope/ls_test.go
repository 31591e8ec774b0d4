package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
)

// listSpy records the limit of every List call.
type listSpy struct {
	store.Store
	limits []int
}

func (s *listSpy) List(ctx context.Context, q store.Query) ([]store.Record, error) {
	s.limits = append(s.limits, q.Limit)
	return s.Store.List(ctx, q)
}

// TestLsHoldsOnePageAtATime: ls --limit 0 lists the whole history newest
// first without ever asking the store (or, through its socket, a running
// listener) for every record at once.
func TestLsHoldsOnePageAtATime(t *testing.T) {
	old := lsPage
	lsPage = 3
	t.Cleanup(func() { lsPage = old })
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var want []string
	for i := 0; i < 8; i++ {
		ev := &store.Event{Method: "POST", Path: fmt.Sprintf("/e%d", i)}
		if err := db.Append(context.Background(), ev, []byte("{}")); err != nil {
			t.Fatal(err)
		}
		want = append([]string{ev.ID}, want...)
	}
	for _, limit := range []int{0, 5, 3, 20} {
		spy := &listSpy{Store: db}
		var got []string
		err := listPages(context.Background(), spy, "", limit, func(recs []store.Record) error {
			for _, r := range recs {
				got = append(got, r.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		n := len(want)
		if limit > 0 && limit < n {
			n = limit
		}
		if strings.Join(got, " ") != strings.Join(want[:n], " ") {
			t.Errorf("limit %d: listed %v, want %v", limit, got, want[:n])
		}
		for _, l := range spy.limits {
			if l <= 0 || l > lsPage {
				t.Errorf("limit %d: asked the store for %d records at once (page %d)", limit, l, lsPage)
			}
		}
	}
	// Through the command: the table over several pages, aligned as one.
	db.Close()
	code, out, errs := run(t, "ls", "--limit", "0", "--db", path)
	if code != 0 || strings.Count(out, "\n") != 9 || !strings.Contains(out, want[7]) {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
}
