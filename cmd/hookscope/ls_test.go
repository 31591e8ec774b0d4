package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// TestLsReadsADatabaseItCannotWrite: a database in a folder this user may
// not write (a backup on read-only media, say) is opened for reading, with
// a warning, instead of refused.
func TestLsReadsADatabaseItCannotWrite(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes anywhere")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	path := filepath.Join(dir, "h.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev := &store.Event{Method: "POST", Path: "/kept"}
	if err := db.Append(context.Background(), ev, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	os.Remove(path + "-wal") // as a backup holds the file alone
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	code, out, errs := run(t, "ls", "--db", path)
	if code != 0 || !strings.Contains(out, "/kept") || !strings.Contains(errs, "opened for reading only") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}

// TestNotWritable: the errors that make openStore fall back to reading
// only are a read-only file system and a permission refusal, wrapped as
// the store wraps them; others (a lock, a corrupt file) are not.
func TestNotWritable(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("store: open h.db: %w", &fs.PathError{Op: "open", Path: "h.db", Err: syscall.EROFS}), true},
		{fmt.Errorf("store: open log: %w", &fs.PathError{Op: "open", Path: "h.db-wal", Err: syscall.EACCES}), true},
		{fmt.Errorf("store: %w", store.ErrLocked), false},
		{fmt.Errorf("store: open h.db: invalid database"), false},
	} {
		if got := notWritable(tt.err); got != tt.want {
			t.Errorf("notWritable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
