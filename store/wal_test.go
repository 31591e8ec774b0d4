package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// logEntry builds the log form of a delivery, as Append would.
func logEntry(t testing.TB, id, path string, body []byte) logged {
	t.Helper()
	ev := &Event{ID: id, ReceivedAt: time.Unix(0, 1).UTC(), Method: "POST", Path: path, Size: int64(len(body))}
	meta, err := encodeEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	return logged{id: []byte(id), meta: meta, summary: summaryOf(Record{Event: *ev}).encode(), body: body}
}

// viewFile reads the bbolt file at path directly (read-only, without
// replaying the log).
func viewFile(t *testing.T, path string, fn func(tx *bolt.Tx)) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.View(func(tx *bolt.Tx) error { fn(tx); return nil })
}

// appliedLSN reads the LSN bbolt has, with the database closed.
func appliedLSN(t *testing.T, path string) (lsn uint64) {
	t.Helper()
	viewFile(t, path, func(tx *bolt.Tx) { lsn = walApplied(tx) })
	return lsn
}

// countEvents counts the deliveries bbolt itself has.
func countEvents(t *testing.T, path string) (n int) {
	t.Helper()
	viewFile(t, path, func(tx *bolt.Tx) { n = tx.Bucket(bucketEvents).Stats().KeyN })
	return n
}

// writeLog replaces the log beside path with recs, written back to back,
// followed by tail.
func writeLog(t *testing.T, path string, tail []byte, recs ...[]byte) {
	t.Helper()
	if err := os.WriteFile(path+walSuffix, append(bytes.Join(recs, nil), tail...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// readFile returns the bytes of the file at path.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeFile puts b in the file at path, mode 0600, as a copy or a crash
// would leave it.
func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func ids(t *testing.T, db *DB) []string {
	t.Helper()
	recs, err := db.List(context.Background(), Query{Oldest: true})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

func TestLogRecordRoundTrip(t *testing.T) {
	entries := []logged{logEntry(t, EncodeID(1), "/a", []byte("body\x00\xff")), logEntry(t, EncodeID(2), "/b", nil)}
	rec := encodeWAL(nil, 42, entries)
	got, n, err := readWALRecord(bytes.NewReader(rec), 0, int64(len(rec)))
	if err != nil || n != int64(len(rec)) || got.lsn != 42 || len(got.entries) != 2 {
		t.Fatalf("got %+v, %d, %v", got, n, err)
	}
	for i := range entries {
		w, g := entries[i], got.entries[i]
		if !bytes.Equal(w.id, g.id) || !bytes.Equal(w.meta, g.meta) || !bytes.Equal(w.summary, g.summary) || !bytes.Equal(w.body, g.body) {
			t.Errorf("entry %d differs", i)
		}
	}
	// Every cut and every flipped byte ends the log instead of misreading it.
	for cut := range len(rec) {
		if _, _, err := readWALRecord(bytes.NewReader(rec[:cut]), 0, int64(cut)); !errors.Is(err, errWALEnd) {
			t.Fatalf("record cut at %d: err = %v", cut, err)
		}
	}
	for i := range rec {
		bad := bytes.Clone(rec)
		bad[i] ^= 0x40
		if _, _, err := readWALRecord(bytes.NewReader(bad), 0, int64(len(bad))); !errors.Is(err, errWALEnd) {
			t.Fatalf("byte %d flipped: err = %v", i, err)
		}
	}
}

func TestOpenReplaysLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	kept := mustAppend(t, db, "/kept", []byte("k"))
	gone := mustAppend(t, db, "/deleted", []byte("d"))
	if _, err := db.Delete(context.Background(), []string{gone.ID}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	applied := appliedLSN(t, path)
	if applied == 0 {
		t.Fatal("no LSN recorded")
	}

	// A crashed listener leaves: records already applied (the deleted
	// delivery among them), two it acknowledged but never applied, a torn
	// record, and then a leftover from before an earlier restart.
	n1, n2 := EncodeID(uint64(time.Now().UnixNano())), EncodeID(uint64(time.Now().UnixNano())+1)
	old := encodeWAL(nil, applied, []logged{logEntry(t, gone.ID, "/deleted", []byte("d"))})
	rec1 := encodeWAL(nil, applied+1, []logged{logEntry(t, n1, "/n1", []byte("one"))})
	rec2 := encodeWAL(nil, applied+2, []logged{logEntry(t, n2, "/n2", []byte("two"))})
	torn := encodeWAL(nil, applied+3, []logged{logEntry(t, EncodeID(9), "/torn", []byte("x"))})
	leftover := encodeWAL(nil, 1, []logged{logEntry(t, EncodeID(10), "/leftover", nil)})
	writeLog(t, path, append(torn[:len(torn)-3], leftover...), old, rec1, rec2)

	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := ids(t, db)
	if want := []string{kept.ID, n1, n2}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after replay: %v, want %v", got, want)
	}
	body, err := db.Body(context.Background(), n2)
	if err != nil || string(body) != "two" {
		t.Fatalf("body %q, %v", body, err)
	}
	// New deliveries get ids after the replayed ones, and survive a restart.
	next := mustAppend(t, db, "/next", nil)
	if next.ID <= n2 {
		t.Fatalf("id %s not after replayed %s", next.ID, n2)
	}
	db.Close()
	if got := appliedLSN(t, path); got != applied+3 {
		t.Fatalf("applied LSN %d, want %d", got, applied+3)
	}
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := ids(t, db); len(got) != 4 {
		t.Fatalf("after a second open: %v", got)
	}
}

func TestLogOfDeletedDatabaseNotReplayed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, db, "/wiped", []byte("client_secret"))
	db.Close()
	// Starting over by deleting the database leaves its log behind.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := ids(t, db); len(got) != 0 {
		t.Fatalf("a new database holds %d deliveries of the deleted one", len(got))
	}
}

func TestLogRestartsOnceApplied(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 1<<20)
	const n = 3 * walRestart / (1 << 20)
	for range n {
		mustAppend(t, db, "/big", body)
	}
	fi, err := os.Stat(path + walSuffix)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > walRestart+2<<20 {
		t.Fatalf("log grew to %d bytes; it should restart after %d", fi.Size(), walRestart)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("log mode %v, want 0600", fi.Mode().Perm())
	}
	db.Close()
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := ids(t, db); len(got) != n {
		t.Fatalf("%d deliveries after reopening, want %d", len(got), n)
	}
}

func TestReadSeesAcknowledgedAppend(t *testing.T) {
	db := mustOpen(t)
	for i := range 50 {
		ev := mustAppend(t, db, fmt.Sprintf("/%d", i), []byte{byte(i)})
		// Immediately: the delivery may still be only in the log.
		if _, err := db.Get(context.Background(), ev.ID); err != nil {
			t.Fatalf("delivery %d not readable after Append returned: %v", i, err)
		}
	}
}

func TestAppendWithTakenIDRefused(t *testing.T) {
	db := mustOpen(t)
	ev := mustAppend(t, db, "/a", nil)
	err := db.Append(context.Background(), &Event{ID: ev.ID, Method: "POST"}, []byte("other"))
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("err = %v", err)
	}
}

func TestFailedApplyStopsAcknowledging(t *testing.T) {
	db := mustOpen(t)
	ev := mustAppend(t, db, "/a", []byte("a"))
	// A logged record that bbolt cannot take (the disk went away).
	boom := errors.New("disk gone")
	db.settle()
	lsn := db.acked.Load() + 1
	db.writes <- &writeOp{fn: func(*bolt.Tx) error { return boom }, lsn: lsn}
	// The store notices at that commit, and from then on refuses.
	if err := db.waitApplied(lsn); !errors.Is(err, boom) {
		t.Fatalf("waiting for the failed record: %v", err)
	}
	err := db.Append(context.Background(), &Event{Method: "POST"}, []byte("b"))
	if !errors.Is(err, boom) {
		t.Fatalf("Append after a failed apply: err = %v, want %v", err, boom)
	}
	// What bbolt has stays readable.
	if _, err := db.Get(context.Background(), ev.ID); err != nil {
		t.Fatal(err)
	}
}

func TestAppendRefusedOnceFilesDeleted(t *testing.T) {
	for _, name := range []string{"h.db", "h.db" + walSuffix, "folder"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			path := filepath.Join(dir, "h.db")
			db, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			ev := mustAppend(t, db, "/a", []byte("a"))
			// Someone deletes the database, its log or its folder while
			// the listener runs: the files it still has open vanish when
			// it stops, so nothing more may be acknowledged.
			if name == "folder" {
				err = os.RemoveAll(dir)
			} else {
				err = os.Remove(filepath.Join(dir, name))
			}
			if err != nil {
				t.Fatal(err)
			}
			err = db.Append(context.Background(), &Event{Method: "POST"}, []byte("b"))
			if err == nil || !strings.Contains(err.Error(), "deleted or replaced") {
				t.Fatalf("Append after the files were deleted: err = %v", err)
			}
			// The first refusal is final: later Appends fail with the
			// same error without writing to the log first (this one
			// would make it grow).
			before, serr := db.wal.Stat()
			if serr != nil {
				t.Fatal(serr)
			}
			for range 3 {
				again := db.Append(context.Background(), &Event{Method: "POST"}, bytes.Repeat([]byte("c"), 1<<16))
				if again == nil || again.Error() != err.Error() {
					t.Fatalf("a later Append: err = %v, want %v", again, err)
				}
			}
			if after, _ := db.wal.Stat(); after.Size() != before.Size() {
				t.Fatalf("the log grew from %d to %d bytes after the store refused", before.Size(), after.Size())
			}
			// What the store has stays readable to the process holding it.
			if _, err := db.Get(context.Background(), ev.ID); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestLogDeletedStillAppliesAcknowledged: deliveries acknowledged before
// the log was deleted are only in that (now nameless) log until bbolt has
// them: the refusal that follows must not stop them being applied.
func TestLogDeletedStillAppliesAcknowledged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Hold the bbolt writer so the delivery is acknowledged from the log
	// alone.
	held, release := make(chan struct{}), make(chan struct{})
	db.writes <- &writeOp{fn: func(*bolt.Tx) error { close(held); <-release; return nil }, done: make(chan error, 1)}
	<-held
	acked := mustAppend(t, db, "/acked", []byte("acked"))
	if err := os.Remove(path + walSuffix); err != nil {
		t.Fatal(err)
	}
	if err := db.Append(context.Background(), &Event{Method: "POST"}, []byte("refused")); err == nil {
		t.Fatal("Append after the log was deleted succeeded")
	}
	close(release)
	db.Close()
	viewFile(t, path, func(tx *bolt.Tx) {
		if tx.Bucket(bucketEvents).Get([]byte(acked.ID)) == nil {
			t.Error("a delivery acknowledged before the log was deleted is not in the database")
		}
	})
}

// crashEnv makes the test binary a listener that appends and then dies
// without closing anything (see TestMain).
const crashEnv = "HOOKSCOPE_CRASH_APPENDS"

func TestMain(m *testing.M) {
	if spec := os.Getenv(crashEnv); spec != "" {
		crashAfterAppends(spec)
	}
	os.Exit(m.Run())
}

// crashAfterAppends appends deliveries to the database named in spec
// ("path n [size]"), prints each id once Append has returned, and exits at
// once: whatever the writer had not moved into bbolt is only in the log.
// With a size, delivery i's body is size bytes of value i; without, its path.
func crashAfterAppends(spec string) {
	var path string
	var n, size int
	if _, err := fmt.Sscan(spec, &path, &n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if f := strings.Fields(spec); len(f) > 2 {
		fmt.Sscan(f[2], &size)
	}
	db, err := Open(path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for i := range n {
		ev := &Event{Method: "POST", Path: fmt.Sprintf("/%d", i)}
		body := []byte(ev.Path)
		if size > 0 {
			body = bytes.Repeat([]byte{byte(i)}, size)
		}
		if err := db.Append(context.Background(), ev, body); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println(ev.ID)
	}
	os.Exit(0) // no Close: a crash, as far as the files know
}

// crashChild runs crashAfterAppends in a child process and returns the ids
// it acknowledged.
func crashChild(t *testing.T, path string, n, size int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %d", crashEnv, path, n, size))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("crashing writer: %v", err)
	}
	acked := strings.Fields(string(out))
	if len(acked) != n {
		t.Fatalf("%d acknowledged, want %d", len(acked), n)
	}
	return acked
}

func TestAcknowledgedSurviveCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	acked := crashChild(t, path, 200, 0)
	inFile := countEvents(t, path)
	t.Logf("%d of %d acknowledged deliveries were only in the log at the crash", len(acked)-inFile, len(acked))
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range acked {
		r, err := db.Get(context.Background(), id)
		if err != nil {
			t.Fatalf("acknowledged %s lost: %v", id, err)
		}
		body, _ := db.Body(context.Background(), id)
		if string(body) != r.Path {
			t.Fatalf("%s: body %q, want %q", id, body, r.Path)
		}
	}
	if got := ids(t, db); len(got) != len(acked) {
		t.Fatalf("%d stored, %d acknowledged", len(got), len(acked))
	}
}

func FuzzReadLogRecord(f *testing.F) {
	f.Add(encodeWAL(nil, 1, []logged{{id: []byte("a"), body: []byte("b")}}))
	f.Add([]byte{0, 0, 0, 12, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, err := readWALRecord(bytes.NewReader(b), 0, int64(len(b)))
		if err != nil {
			return
		}
		if n > int64(len(b)) {
			t.Fatalf("record of %d bytes in %d", n, len(b))
		}
		// What decodes re-encodes to the same bytes.
		if again := encodeWAL(nil, r.lsn, r.entries); !bytes.Equal(again, b[:n]) {
			t.Fatalf("re-encoding differs")
		}
	})
}

func TestCompactKeepsLoggedDeliveries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, db, "/a", nil)
	db.Close()
	id := EncodeID(uint64(time.Now().UnixNano()))
	writeLog(t, path, nil, encodeWAL(nil, appliedLSN(t, path)+1, []logged{logEntry(t, id, "/logged", []byte("l"))}))
	if _, err := Compact(path, time.Second); err != nil {
		t.Fatal(err)
	}
	// Read without replaying: the compacted file itself has it.
	if n := countEvents(t, path); n != 2 {
		t.Fatalf("compacted file has %d deliveries, want 2", n)
	}
}

func TestLogRecordSizeBounded(t *testing.T) {
	db := &DB{appends: make(chan *appendOp, 8), maxBatch: 100}
	big := func() *appendOp { return &appendOp{logged: logged{id: []byte("x"), body: make([]byte, 6<<20)}} }
	for range 4 {
		db.appends <- big()
	}
	// 6 + 6 MiB is under the bound, the third delivery takes it past: three
	// in this record, the fourth waits for the next.
	if got := len(db.gatherAppends([]*appendOp{big()})); got != 3 {
		t.Fatalf("record of %d deliveries of 6 MiB, want 3", got)
	}
	if len(db.appends) != 2 {
		t.Fatalf("%d left waiting, want 2", len(db.appends))
	}
}

// TestCompactLeavesNoDeletedBytes: after a delete and a compaction, the
// deleted delivery's bytes are in neither the database nor its log (the
// log held it since capture).
func TestCompactLeavesNoDeletedBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	secret := []byte(`{"client_secret":"SECRET-compact-4f1c9a"}`)
	gone := mustAppend(t, db, "/gone", secret)
	kept := mustAppend(t, db, "/kept", []byte(`{"kept":true}`))
	if n, err := db.Delete(ctx, []string{gone.ID}); err != nil || n != 1 {
		t.Fatalf("delete: %d, %v", n, err)
	}
	db.Close()
	if b, _ := os.ReadFile(path + walSuffix); !bytes.Contains(b, secret) {
		t.Fatal("setup: the log does not hold the delivery, the test proves nothing")
	}
	if _, err := Compact(path, time.Second); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{path, path + walSuffix} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, secret) {
			t.Errorf("%s still holds the deleted delivery's body", filepath.Base(name))
		}
	}
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.List(ctx, Query{})
	if err != nil || len(recs) != 1 || recs[0].ID != kept.ID {
		t.Fatalf("after compaction: %v, %v; want only %s", recs, err, kept.ID)
	}
	// The log goes on from where the file is.
	next := mustAppend(t, db, "/next", nil)
	if _, err := db.Get(ctx, next.ID); err != nil {
		t.Fatal(err)
	}
}
