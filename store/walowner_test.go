package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// orphans returns the logs set aside beside path.
func orphans(t *testing.T, path string) []string {
	t.Helper()
	out, err := filepath.Glob(path + walSuffix + ".orphan-*")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// openWarned opens the database at path and returns it with its warnings.
func openWarned(t *testing.T, path string) (*DB, []string) {
	t.Helper()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, db.Warnings()
}

// checkSetAside checks that the log beside path was set aside, exactly once,
// with the bytes it had (want) and mode 0600, and that Open said so.
func checkSetAside(t *testing.T, path string, warnings []string, want []byte) {
	t.Helper()
	got := orphans(t, path)
	if len(got) != 1 {
		t.Fatalf("logs set aside: %v, want one", got)
	}
	b := readFile(t, got[0])
	if !bytes.Equal(b, want) {
		t.Fatalf("the log set aside has %d bytes, not the %d the log had", len(b), len(want))
	}
	if fi, err := os.Stat(got[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the log set aside: %v, %v; want mode 0600", fi, err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], got[0]) || !strings.Contains(warnings[0], "not replayed") {
		t.Fatalf("Open's warnings %q do not name %s", warnings, got[0])
	}
}

// TestRestoredOlderDatabaseLogSetAside: a backup of the database put back
// beside a log that has moved on since (it restarted, so the records
// between the backup and the log's first are gone) must not get the log's
// records: they would leave a gap. The log is kept, byte for byte.
func TestRestoredOlderDatabaseLogSetAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "h.db")
	old, _ := closedBase(t, path)
	backup := readFile(t, path)
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("n"), 1<<20)
	for range walRestart/len(body) + 2 {
		mustAppend(t, db, "/newer", body)
	}
	db.Close()
	log := readFile(t, path+walSuffix)
	writeFile(t, path, backup)

	db, warnings := openWarned(t, path)
	if got := ids(t, db); fmt.Sprint(got) != fmt.Sprint([]string{old}) {
		t.Fatalf("the restored database holds %v, want only %s", got, old)
	}
	checkSetAside(t, path, warnings, log)
	// The store goes on with a new log of its own.
	next := mustAppend(t, db, "/next", nil)
	db.Close()
	if got := reopenIDs(t, path); fmt.Sprint(got) != fmt.Sprint([]string{old, next.ID}) {
		t.Fatalf("after reopening: %v", got)
	}
	if got := orphans(t, path); len(got) != 1 {
		t.Fatalf("logs set aside after reopening: %v, want still one", got)
	}
}

// TestForeignDatabaseLogSetAside: another database's file copied over this
// one's, beside this one's log with a delivery not yet applied, gets none
// of the log; the log set aside, put back beside the database it was
// written for, still gives that delivery back.
func TestForeignDatabaseLogSetAside(t *testing.T) {
	dir := t.TempDir()
	mine, other := filepath.Join(dir, "mine.db"), filepath.Join(dir, "other.db")
	base, applied := closedBase(t, mine)
	mineFile := readFile(t, mine)
	theirs, _ := closedBase(t, other)
	// The listener on mine crashed with one delivery acknowledged but not
	// applied.
	n := newIDs(1)
	log := encodeWAL(nil, applied+1, []logged{logEntry(t, n[0], "/only-in-log", []byte("acked"))})
	writeLog(t, mine, nil, log)
	otherFile := readFile(t, other)
	writeFile(t, mine, otherFile)

	db, warnings := openWarned(t, mine)
	if got := ids(t, db); fmt.Sprint(got) != fmt.Sprint([]string{theirs}) {
		t.Fatalf("the copied-in database holds %v, want only its own %s", got, theirs)
	}
	checkSetAside(t, mine, warnings, log)
	db.Close()

	// Nothing acknowledged is lost: the log, back with its database.
	restored := filepath.Join(dir, "restored.db")
	writeFile(t, restored, mineFile)
	if err := os.Rename(orphans(t, mine)[0], restored+walSuffix); err != nil {
		t.Fatal(err)
	}
	db, warnings = openWarned(t, restored)
	if got := ids(t, db); fmt.Sprint(got) != fmt.Sprint([]string{base, n[0]}) || len(warnings) != 0 {
		t.Fatalf("the log back beside its database: %v (warnings %q), want %v", got, warnings, []string{base, n[0]})
	}
}

// TestLogNotContinuingDatabaseSetAside: the two ways a log can fail to
// continue the database, each alone (the LSNs of one database): nothing of
// it is applied, and the applied LSN stays.
func TestLogNotContinuingDatabaseSetAside(t *testing.T) {
	tests := []struct {
		name  string
		first func(applied uint64) uint64 // LSN of the first of two records
	}{
		{"starts after a gap", func(a uint64) uint64 { return a + 2 }},
		{"ends before the applied LSN", func(a uint64) uint64 { return a - 3 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h.db")
			base, applied := closedBase(t, path)
			n := newIDs(2)
			first := tt.first(applied)
			r1 := encodeWAL(nil, first, []logged{logEntry(t, n[0], "/a", []byte("a"))})
			r2 := encodeWAL(nil, first+1, []logged{logEntry(t, n[1], "/b", []byte("b"))})
			writeLog(t, path, nil, r1, r2)
			db, warnings := openWarned(t, path)
			if got := ids(t, db); fmt.Sprint(got) != fmt.Sprint([]string{base}) {
				t.Fatalf("%v, want only %s", got, base)
			}
			checkSetAside(t, path, warnings, append(r1, r2...))
			db.Close()
			if got := appliedLSN(t, path); got != applied {
				t.Fatalf("applied LSN %d, want %d", got, applied)
			}
		})
	}
}

// makeLegacy turns the closed database at path into one an older hookscope
// left: no log base, LSNs from 0 (applied up to applied).
func makeLegacy(t *testing.T, path string, applied uint64) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if err := meta.Delete(keyWALBase); err != nil {
			return err
		}
		var v [8]byte
		binary.BigEndian.PutUint64(v[:], applied)
		return meta.Put(keyWALApplied, v[:])
	})
	if err != nil {
		t.Fatal(err)
	}
}

// logBase reads the log base of the closed database at path (nil: none).
func logBase(t *testing.T, path string) (base []byte) {
	t.Helper()
	viewFile(t, path, func(tx *bolt.Tx) { base = bytes.Clone(tx.Bucket(bucketMeta).Get(keyWALBase)) })
	return base
}

// TestOldFormatLogReplayed: a database and log an older hookscope left (no
// log base, LSNs from 0) after a crash: the log is replayed as before,
// then the file gets its base, and goes on from it.
func TestOldFormatLogReplayed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	base, _ := closedBase(t, path)
	if logBase(t, path) == nil {
		t.Fatal("a new database has no log base")
	}
	makeLegacy(t, path, 7)
	n := newIDs(3)
	writeLog(t, path, nil,
		encodeWAL(nil, 7, []logged{logEntry(t, base, "/base", []byte("base"))}),
		encodeWAL(nil, 8, []logged{logEntry(t, n[0], "/a", []byte("a"))}),
		encodeWAL(nil, 9, []logged{logEntry(t, n[1], "/b", []byte("b")), logEntry(t, n[2], "/c", nil)}))

	db, warnings := openWarned(t, path)
	want := []string{base, n[0], n[1], n[2]}
	if got := ids(t, db); fmt.Sprint(got) != fmt.Sprint(want) || len(warnings) != 0 {
		t.Fatalf("%v (warnings %q), want %v", got, warnings, want)
	}
	if fi, err := os.Stat(path + walSuffix); err != nil || fi.Size() != 0 {
		t.Fatalf("the old log, replayed, is still there: %v, %v", fi, err)
	}
	next := mustAppend(t, db, "/next", nil)
	db.Close()
	b := logBase(t, path)
	if len(b) != 8 || binary.BigEndian.Uint64(b) < 1<<62 {
		t.Fatalf("log base %x after the first open", b)
	}
	if got := appliedLSN(t, path); got != binary.BigEndian.Uint64(b)+1 {
		t.Fatalf("applied LSN %d, want the base %d and one record", got, binary.BigEndian.Uint64(b))
	}
	if got := reopenIDs(t, path); fmt.Sprint(got) != fmt.Sprint(append(want, next.ID)) {
		t.Fatalf("after reopening: %v", got)
	}
	if got := orphans(t, path); len(got) != 0 {
		t.Fatalf("logs set aside: %v", got)
	}
}

// TestCompactSetsAsideForeignLog: Compact replays a log only into the
// database it belongs to; another's it leaves set aside, not emptied.
func TestCompactSetsAsideForeignLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	base, applied := closedBase(t, path)
	log := encodeWAL(nil, applied+5, []logged{logEntry(t, newIDs(1)[0], "/foreign", []byte("f"))})
	writeLog(t, path, nil, log)
	res, err := Compact(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkSetAside(t, path, res.Warnings, log)
	if got := reopenIDs(t, path); fmt.Sprint(got) != fmt.Sprint([]string{base}) {
		t.Fatalf("after compaction: %v", got)
	}
}

// TestSetAsideLogKeepsEarlierOrphan: two logs set aside in the same second
// are both kept.
func TestSetAsideLogKeepsEarlierOrphan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var names []string
	for i := range 2 {
		writeLog(t, path, []byte{byte('0' + i)})
		name, err := setAsideLog(path, now)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	want := []string{path + walSuffix + ".orphan-20250102T030405Z", path + walSuffix + ".orphan-20250102T030405Z-2"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	for i, name := range names {
		if b, err := os.ReadFile(name); err != nil || string(b) != string(rune('0'+i)) {
			t.Fatalf("%s: %q, %v", name, b, err)
		}
	}
}
