//go:build unix

package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// TestExportOutKeepsLinksAndSpecialFiles: --out through a symbolic link
// writes the file the link leads to and leaves the link a link, and --out
// a named pipe writes into the pipe. Before, the export's temporary file
// was renamed over either, replacing it with a regular file (and, as root,
// --out /dev/null replaced the device itself).
func TestExportOutKeepsLinksAndSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	db := oneDeliveryDB(t, dir)

	link, target := filepath.Join(dir, "link.jsonl"), filepath.Join(dir, "target.jsonl")
	if err := os.Symlink("target.jsonl", link); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, "export", "--db", db, "--out", link); code != 0 {
		t.Fatalf("--out a link: exit %d: %s", code, errs)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link is no longer a link: %v %v", fi.Mode(), err)
	}
	if b, err := os.ReadFile(target); err != nil || !strings.Contains(string(b), `"/hooks/x"`) {
		t.Errorf("the file the link leads to holds %q (%v)", b, err)
	}

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo) // waits for the export to open it
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if code, _, errs := run(t, "export", "--db", db, "--out", fifo); code != 0 {
		t.Fatalf("--out a pipe: exit %d: %s", code, errs)
	}
	select {
	case b := <-got:
		if !strings.Contains(b, `"/hooks/x"`) {
			t.Errorf("the pipe's reader got %q", b)
		}
	case <-time.After(waitBound):
		t.Fatal("the pipe's reader got nothing")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe is no longer a pipe: %v %v", fi.Mode(), err)
	}
}

// TestExportOutResolvesLinksAsTheKernel: a relative link inside a linked
// folder leads where the kernel would open it (its ".." taken from the
// folder the folder link leads to), and --out /dev/stdout is standard
// output. Before, the link was resolved by its text, and /dev/stdout was
// reopened by name, failing into a pipe and replacing a file the shell
// appended to.
func TestExportOutResolvesLinksAsTheKernel(t *testing.T) {
	dir := t.TempDir()
	db := oneDeliveryDB(t, dir)
	for _, d := range []string{"home", "data/exports", "data/archive", "home/archive"} {
		os.MkdirAll(filepath.Join(dir, d), 0o700)
	}
	if err := os.Symlink(filepath.Join(dir, "data", "exports"), filepath.Join(dir, "home", "exports")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../archive/x.jsonl", filepath.Join(dir, "data", "exports", "latest.jsonl")); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, "export", "--db", db, "--out", filepath.Join(dir, "home", "exports", "latest.jsonl")); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "archive", "x.jsonl")); err != nil {
		t.Errorf("not written where the kernel opens the link: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "home", "archive", "x.jsonl")); err == nil {
		t.Errorf("written where the link's text points, lexically")
	}

	code, out, errs := run(t, "export", "--db", db, "--out", "/dev/stdout")
	if code != 0 || !strings.Contains(out, `"/hooks/x"`) {
		t.Errorf("--out /dev/stdout: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// oneDeliveryDB is a database in dir holding one delivery to /hooks/x.
func oneDeliveryDB(t *testing.T, dir string) string {
	t.Helper()
	db := filepath.Join(dir, "h.db")
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Append(t.Context(), &store.Event{Method: "POST", Path: "/hooks/x"}, []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	return db
}
