package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
)

// TestLsListsPageByPage: ls --limit 0 lists the whole history newest first
// over several pages (store.Each tests the paging itself), and the table
// is aligned as one, not page by page.
func TestLsListsPageByPage(t *testing.T) {
	old := lsPage
	lsPage = 3
	t.Cleanup(func() { lsPage = old })
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 0; i < 8; i++ {
		ev := &store.Event{Method: "POST", Path: fmt.Sprintf("/e%d", i)}
		if err := db.Append(context.Background(), ev, []byte("{}")); err != nil {
			t.Fatal(err)
		}
		want = append([]string{ev.ID}, want...)
	}
	db.Close()
	for _, tt := range []struct {
		limit string
		n     int
	}{{"0", 8}, {"5", 5}, {"3", 3}, {"20", 8}} {
		code, out, errs := run(t, "ls", "--limit", tt.limit, "--db", path)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if code != 0 || len(lines) != tt.n+1 {
			t.Fatalf("--limit %s: exit %d: %s%s", tt.limit, code, out, errs)
		}
		col := strings.Index(lines[0], "PATH")
		for i, l := range lines[1:] {
			if !strings.HasPrefix(l, want[i]+" ") {
				t.Errorf("--limit %s: row %d is %q, want delivery %s", tt.limit, i, l, want[i])
			}
			if col < 0 || !strings.HasPrefix(l[col:], fmt.Sprintf("/e%d ", 7-i)) {
				t.Errorf("--limit %s: row %d %q not aligned with the header %q", tt.limit, i, l, lines[0])
			}
		}
	}
}

// TestLsListsAllWhenPiped: without --limit, ls cuts at 50 only for a
// person at a terminal; a pipe or a file (a script counting deliveries)
// gets them all, and --limit still cuts, with no note on stderr.
func TestLsListsAllWhenPiped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 60; i++ {
		if err := db.Append(context.Background(), &store.Event{Method: "POST", Path: fmt.Sprintf("/e%d", i)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	for _, tt := range []struct {
		args []string
		rows int
	}{
		{[]string{"ls", "--json"}, 60},
		{[]string{"ls"}, 61}, // and the title row
		{[]string{"ls", "--json", "--limit", "5"}, 5},
	} {
		code, out, errs := run(t, append(tt.args, "--db", path)...)
		if n := strings.Count(out, "\n"); code != 0 || n != tt.rows || errs != "" {
			t.Errorf("%v: exit %d, %d lines, want %d; stderr %q", tt.args, code, n, tt.rows, errs)
		}
	}
}
