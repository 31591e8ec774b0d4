package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRealPath(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "data", "real.db")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := func(target, name string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path, want string
	}{
		{"plain file", real, real},
		{"file not there yet", filepath.Join(dir, "data", "new.db"), filepath.Join(dir, "data", "new.db")},
		{"absolute link", link(real, "abs.db"), real},
		{"relative link", link("data/real.db", "rel.db"), real},
		{"link to a link", link("rel.db", "chain.db"), real},
		{"link to a file not there yet", link("data/later.db", "dangling.db"), filepath.Join(dir, "data", "later.db")},
		{"linked folder", filepath.Join(link("data", "folder"), "real.db"), real},
		{"folder not there yet", filepath.Join(dir, "none", "h.db"), filepath.Join(dir, "none", "h.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RealPath(tt.path); got != tt.want {
				t.Errorf("RealPath(%s) = %s, want %s", tt.path, got, tt.want)
			}
		})
	}

	t.Run("cycle ends", func(t *testing.T) {
		a := filepath.Join(dir, "a.db")
		link("b.db", "a.db")
		link("a.db", "b.db")
		done := make(chan string, 1)
		go func() { done <- RealPath(a) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("RealPath did not return on a link cycle")
		}
	})
}

// TestDatabaseThroughLinkIsOneDatabase: a database opened through a link
// keeps its log and socket beside the real file, and Compact through the link
// replaces the real file and leaves the link a link.
func TestDatabaseThroughLinkIsOneDatabase(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.db")
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink("real.db", link); err != nil {
		t.Fatal(err)
	}

	db, err := Open(link, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev := mustAppend(t, db, "/hooks/a", []byte(`{"a":1}`))
	if _, err := os.Stat(real + walSuffix); err != nil {
		t.Errorf("log beside the real file: %v", err)
	}
	if _, err := os.Lstat(link + walSuffix); !os.IsNotExist(err) {
		t.Errorf("log beside the link: Lstat = %v, want not there", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := SocketPath(link), SocketPath(real); got != want {
		t.Errorf("SocketPath(link) = %s, SocketPath(real) = %s; want one socket", got, want)
	}

	if _, err := Compact(link, time.Second); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(link)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("after Compact the link is a %v, want still a symbolic link", fi.Mode().Type())
	}
	byReal, err := Open(real, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer byReal.Close()
	body, err := byReal.Body(context.Background(), ev.ID)
	if err != nil || string(body) != `{"a":1}` {
		t.Errorf("delivery by the real name after Compact: %q, %v", body, err)
	}
}
