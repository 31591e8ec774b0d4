package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// replaceFile puts a copy of the file at path in its place by a rename, as
// Compact does: the name then refers to a new file.
func replaceFile(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tmp := path + ".replace"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// holdDuringReplace holds the lock of the file at path (as a compaction
// does), calls start so that a caller begins waiting for that lock, then
// replaces the file, calls replaced (when not nil) and lets the lock go, as
// a compaction ends.
func holdDuringReplace(t *testing.T, path string, start, replaced func()) {
	t.Helper()
	holder, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start()
	// Long enough for the caller to have opened the old file and to be
	// waiting for its lock; were it late, it would simply open the new
	// file, and the test would pass without proving anything, never fail.
	time.Sleep(300 * time.Millisecond)
	replaceFile(t, path)
	if replaced != nil {
		replaced()
	}
	holder.Close()
}

// TestOpenWaitingThroughCompactionHoldsTheNewFile: a listener that starts
// while a compaction holds the file waits for its lock; it must end up
// holding the file the path names afterwards, not the replaced one, which
// nobody else can see: its captures would vanish when it stops, and a second
// writer could open the new file beside it.
func TestOpenWaitingThroughCompactionHoldsTheNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	type opened struct {
		db  *DB
		err error
	}
	done := make(chan opened, 1)
	holdDuringReplace(t, path, func() {
		go func() {
			db, err := Open(path, Options{LockTimeout: 5 * time.Second})
			done <- opened{db, err}
		}()
	}, nil)
	o := <-done
	if o.err != nil {
		t.Fatal(o.err)
	}
	defer o.db.Close()
	ev := mustAppend(t, o.db, "/after-compaction", nil)

	if other, err := Open(path, Options{LockTimeout: 100 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		if other != nil {
			other.Close()
		}
		t.Fatalf("a second writer opened %s beside the first: %v", path, err)
	}
	// What the listener stored is in the file the path names.
	o.db.Close()
	os.Remove(path + walSuffix) // what only the log holds does not count
	if n := countEvents(t, path); n != 1 {
		t.Fatalf("%s holds %d deliveries, want 1 (%s)", path, n, ev.ID)
	}
}

// TestCompactWaitingThroughCompactionChecksTheNewFile: a compaction that
// waited for the lock of a file replaced meanwhile must not go on with the
// old one: it would empty the log of, and rename its copy over, the file a
// listener may hold by now.
func TestCompactWaitingThroughCompactionChecksTheNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	done := make(chan error, 1)
	var listener *DB
	holdDuringReplace(t, path, func() {
		go func() {
			_, err := Compact(path, time.Second)
			done <- err
		}()
	}, func() {
		// A listener takes the new file before the waiting compaction
		// gets the old one's lock.
		var err error
		if listener, err = Open(path, Options{LockTimeout: time.Second}); err != nil {
			t.Fatal(err)
		}
	})
	defer listener.Close()
	ev := mustAppend(t, listener, "/captured", nil)
	if err := <-done; !errors.Is(err, ErrLocked) {
		t.Fatalf("compaction while a listener holds the file: %v, want ErrLocked", err)
	}
	if _, err := listener.Get(context.Background(), ev.ID); err != nil {
		t.Fatal(err)
	}
}

// TestCompactKeepsPageSize: the copy keeps the page size Open chooses for
// new files (bbolt keeps a file's page size for ever, and capture's commits
// are sized for it), rather than bbolt's default.
func TestCompactKeepsPageSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, db, "/x", nil)
	want := db.bolt.Info().PageSize
	db.Close()
	if _, err := Compact(path, time.Second); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.bolt.Info().PageSize; got != want {
		t.Fatalf("page size %d after compaction, want %d", got, want)
	}
}
