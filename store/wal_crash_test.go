package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestBrokenStoreAppliesNoLaterRecord: once a logged record could not be
// applied, a later one must not be either. Its LSN would become the one
// bbolt records as applied, and the next Open would then skip the failed
// record, which is acknowledged and still in the log.
func TestBrokenStoreAppliesNoLaterRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, db, "/first", nil)
	db.settle()
	base := db.acked.Load()
	// Two acknowledged records waiting for bbolt: the first cannot be
	// applied (the disk is full for its large body, say), the second could.
	now := uint64(time.Now().UnixNano())
	x := logEntry(t, EncodeID(now), "/x", []byte("x"))
	y := logEntry(t, EncodeID(now+1), "/y", []byte("y"))
	boom := errors.New("no space left on device")
	db.writes <- &writeOp{fn: func(*bolt.Tx) error { return boom }, lsn: base + 1}
	db.writes <- &writeOp{fn: func(tx *bolt.Tx) error { return applyLogged(tx, base+2, []logged{y}, false) }, lsn: base + 2}
	if err := db.waitApplied(base + 1); !errors.Is(err, boom) {
		t.Fatalf("waiting for the failed record: %v", err)
	}
	db.Close()
	if got := appliedLSN(t, path); got != base {
		t.Errorf("bbolt records LSN %d as applied, want %d: the failed record is skipped from now on", got, base)
	}
	// The log has both records (they were acknowledged): reopening must
	// bring both back.
	writeLog(t, path, nil, encodeWAL(nil, base+1, []logged{x}), encodeWAL(nil, base+2, []logged{y}))
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range []string{string(x.id), string(y.id)} {
		if _, err := db.Get(context.Background(), id); err != nil {
			t.Errorf("acknowledged %s after reopening: %v", id, err)
		}
	}
}

// closedBase creates a database at path holding one delivery, closes it,
// and returns that delivery's id and the LSN bbolt has.
func closedBase(t *testing.T, path string) (string, uint64) {
	t.Helper()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := mustAppend(t, db, "/base", []byte("base")).ID
	db.Close()
	return id, appliedLSN(t, path)
}

// reopenIDs opens the database at path (replaying its log), lists it, and
// closes it again.
func reopenIDs(t *testing.T, path string) []string {
	t.Helper()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return ids(t, db)
}

// newIDs returns n ids after every id handed out so far in this test.
func newIDs(n int) []string {
	base := uint64(time.Now().UnixNano())
	out := make([]string, n)
	for i := range out {
		out[i] = EncodeID(base + uint64(i))
	}
	return out
}

// TestOpenReplaysTornLog cuts the log at every byte of its last record:
// the log ends exactly after the records before it, never in a part of it.
// Open itself (with its fsyncs) runs at the cuts that matter most: in the
// head, in the fixed fields, one byte short, and whole; a second Open
// agrees with the first.
func TestOpenReplaysTornLog(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	base, applied := closedBase(t, src)
	file := readFile(t, src)
	n := newIDs(4)
	recs := [][]byte{
		encodeWAL(nil, applied+1, []logged{logEntry(t, n[0], "/a", []byte("a"))}),
		encodeWAL(nil, applied+2, []logged{logEntry(t, n[1], "/b", bytes.Repeat([]byte("b"), 100))}),
		encodeWAL(nil, applied+3, []logged{logEntry(t, n[2], "/c", []byte("c")), logEntry(t, n[3], "/d", nil)}),
	}
	log := bytes.Join(recs, nil)
	start := len(log) - len(recs[2])
	name := filepath.Join(dir, "log")
	for cut := start; cut <= len(log); cut++ {
		writeFile(t, name, log[:cut])
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		err = scanWAL(f, func(r walRecord) error { got = append(got, r.lsn); return nil })
		f.Close()
		want := []uint64{applied + 1, applied + 2}
		if cut == len(log) {
			want = append(want, applied+3)
		}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("log cut at %d of %d: records %v, %v; want %v", cut, len(log), got, err, want)
		}
		if cut > start+walHeadLen+walFixedLen+1 && cut < len(log)-1 && cut != (start+len(log))/2 {
			continue
		}
		path := filepath.Join(dir, fmt.Sprintf("cut%d.db", cut))
		writeFile(t, path, file)
		writeFile(t, path+walSuffix, log[:cut])
		ids := []string{base, n[0], n[1]}
		if cut == len(log) {
			ids = append(ids, n[2], n[3])
		}
		for pass := range 2 {
			if got := reopenIDs(t, path); fmt.Sprint(got) != fmt.Sprint(ids) {
				t.Fatalf("log cut at %d of %d, open %d: %v, want %v", cut, len(log), pass+1, got, ids)
			}
		}
	}
}

// TestOpenStopsAtCorruptOrOutOfSequenceRecord: a record whose checksum does
// not match, or whose LSN does not follow, ends the log; what follows it is
// never replayed, not even once new records have overwritten the start.
func TestOpenStopsAtCorruptOrOutOfSequenceRecord(t *testing.T) {
	tests := []struct {
		name   string
		middle func(lsn uint64, e logged) []byte
	}{
		{"corrupt checksum", func(lsn uint64, e logged) []byte {
			r := encodeWAL(nil, lsn, []logged{e})
			r[5] ^= 1
			return r
		}},
		{"corrupt body", func(lsn uint64, e logged) []byte {
			r := encodeWAL(nil, lsn, []logged{e})
			r[len(r)-1] ^= 1
			return r
		}},
		{"LSN gap", func(lsn uint64, e logged) []byte { return encodeWAL(nil, lsn+1, []logged{e}) }},
		{"LSN repeated", func(lsn uint64, e logged) []byte { return encodeWAL(nil, lsn-1, []logged{e}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h.db")
			base, applied := closedBase(t, path)
			n := newIDs(3)
			writeLog(t, path, nil,
				encodeWAL(nil, applied+1, []logged{logEntry(t, n[0], "/a", []byte("a"))}),
				tt.middle(applied+2, logEntry(t, n[1], "/b", []byte("b"))),
				encodeWAL(nil, applied+3, []logged{logEntry(t, n[2], "/c", []byte("c"))}))
			want := fmt.Sprint([]string{base, n[0]})
			if got := reopenIDs(t, path); fmt.Sprint(got) != want {
				t.Fatalf("%v, want %v", got, want)
			}
			if got := reopenIDs(t, path); fmt.Sprint(got) != want {
				t.Fatalf("second open: %v, want %v", got, want)
			}
		})
	}
}

// TestReplayIsIdempotent: records bbolt has already applied are skipped,
// and a record it has not applied never overwrites a delivery it holds.
func TestReplayIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	base, applied := closedBase(t, path)
	n := newIDs(2)
	writeLog(t, path, nil,
		// Already applied: a delivery deleted since must not come back.
		encodeWAL(nil, applied, []logged{logEntry(t, n[0], "/deleted", []byte("gone"))}),
		// Not applied, but holding a delivery bbolt has (with other
		// bytes) beside a new one.
		encodeWAL(nil, applied+1, []logged{
			logEntry(t, base, "/impostor", []byte("other")),
			logEntry(t, n[1], "/new", []byte("new")),
		}))
	for pass := range 3 {
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := ids(t, db)
		r, err := db.Get(context.Background(), base)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := db.Body(context.Background(), base)
		db.Close()
		if want := []string{base, n[1]}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("open %d: %v, want %v", pass+1, got, want)
		}
		if r.Path != "/base" || string(body) != "base" {
			t.Fatalf("open %d: stored delivery overwritten by the log: %s %q", pass+1, r.Path, body)
		}
		if got := appliedLSN(t, path); got != applied+1 {
			t.Fatalf("open %d: applied LSN %d, want %d", pass+1, got, applied+1)
		}
	}
}

// copyFiles copies the database at src and its log to dst, as a crash at
// this moment would leave them.
func copyFiles(t *testing.T, src, dst string) {
	t.Helper()
	for _, suffix := range []string{"", walSuffix} {
		in, err := os.Open(src + suffix)
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.OpenFile(dst+suffix, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCrashBeforeApply: a delivery acknowledged while the bbolt writer is
// busy is only in the log; the files as they are at that moment open with
// it, once.
func TestCrashBeforeApply(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before := mustAppend(t, db, "/before", []byte("before"))
	db.settle()
	// Hold the bbolt writer inside a transaction that writes nothing.
	held, release := make(chan struct{}), make(chan struct{})
	db.writes <- &writeOp{fn: func(*bolt.Tx) error { close(held); <-release; return nil }, done: make(chan error, 1)}
	<-held
	var acked []*Event
	for i := range 5 {
		acked = append(acked, mustAppend(t, db, fmt.Sprintf("/%d", i), []byte{byte('0' + i)}))
	}
	crash := filepath.Join(dir, "crash.db")
	copyFiles(t, path, crash)
	close(release)
	if n := countEvents(t, crash); n != 1 {
		t.Fatalf("setup: the copied file has %d deliveries, want only the first", n)
	}
	got := reopenIDs(t, crash)
	want := []string{before.ID}
	for _, ev := range acked {
		want = append(want, ev.ID)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after the crash: %v, want %v", got, want)
	}
	// The live store has them all too, once.
	if got := ids(t, db); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("live: %v, want %v", got, want)
	}
}

// TestCrashAcrossLogRestarts: a listener killed after its log started over
// (more than once) leaves leftovers of the older passes behind the newest
// records; every acknowledged delivery comes back, once, with its body.
func TestCrashAcrossLogRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("writes several log passes")
	}
	// 64 KiB bodies: about 128 records a pass. Different counts stop at
	// different places in a pass.
	for _, n := range []int{150, 260, 301} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h.db")
			acked := crashChild(t, path, n, 64<<10)
			fi, err := os.Stat(path + walSuffix)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() >= int64(n)*64<<10 {
				t.Fatalf("setup: log of %d bytes never restarted", fi.Size())
			}
			db, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			got := ids(t, db)
			if fmt.Sprint(got) != fmt.Sprint(acked) {
				t.Fatalf("%d stored, %d acknowledged", len(got), len(acked))
			}
			for i, id := range acked {
				body, err := db.Body(context.Background(), id)
				if err != nil || len(body) != 64<<10 || body[0] != byte(i) {
					t.Fatalf("%s: body of %d bytes starting %v, %v", id, len(body), body[:min(1, len(body))], err)
				}
			}
		})
	}
}

// TestCompactWithLog: compacting a database whose crashed listener left a
// log (applied records, unapplied ones, a torn tail) keeps exactly the
// acknowledged deliveries, and the log goes on after it.
func TestCompactWithLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	base, applied := closedBase(t, path)
	n := newIDs(3)
	torn := encodeWAL(nil, applied+3, []logged{logEntry(t, n[2], "/torn", []byte("t"))})
	writeLog(t, path, torn[:len(torn)-1],
		encodeWAL(nil, applied, []logged{logEntry(t, base, "/base", []byte("base"))}),
		encodeWAL(nil, applied+1, []logged{logEntry(t, n[0], "/a", []byte("a"))}),
		encodeWAL(nil, applied+2, []logged{logEntry(t, n[1], "/b", []byte("b"))}))
	if _, err := Compact(path, time.Second); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + walSuffix); err != nil || fi.Size() != 0 {
		t.Fatalf("log after compaction: %v, %v", fi, err)
	}
	if got := appliedLSN(t, path); got != applied+2 {
		t.Fatalf("compacted file has applied LSN %d, want %d", got, applied+2)
	}
	want := []string{base, n[0], n[1]}
	if got := reopenIDs(t, path); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after compaction: %v, want %v", got, want)
	}
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	next := mustAppend(t, db, "/next", nil)
	db.Close()
	if got := appliedLSN(t, path); got != applied+3 {
		t.Fatalf("the log did not go on from the compacted file: applied LSN %d, want %d", got, applied+3)
	}
	if got := reopenIDs(t, path); fmt.Sprint(got) != fmt.Sprint(append(want, next.ID)) {
		t.Fatalf("after appending: %v", got)
	}
}

// FuzzDecodeLogPayload feeds decodeWALPayload arbitrary payloads, as a log
// whose checksum happens to match would: it must not panic or allocate by
// a count it read, and what it accepts re-encodes to the same bytes.
func FuzzDecodeLogPayload(f *testing.F) {
	rec := encodeWAL(nil, 7, []logged{{id: []byte("a"), meta: []byte("m"), body: []byte("b")}, {id: []byte("bb")}})
	f.Add(rec[walHeadLen:])
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 'x', 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, p []byte) {
		r, err := decodeWALPayload(p)
		if err != nil {
			return
		}
		if again := encodeWAL(nil, r.lsn, r.entries); !bytes.Equal(again[walHeadLen:], p) {
			t.Fatalf("re-encoding differs")
		}
		// The whole record, checksum and all, reads back the same.
		got, n, err := readWALRecord(bytes.NewReader(encodeWAL(nil, r.lsn, r.entries)), 0, int64(len(p)+walHeadLen))
		if err != nil || n != int64(len(p)+walHeadLen) || got.lsn != r.lsn || len(got.entries) != len(r.entries) {
			t.Fatalf("record: %v %d %v", got.lsn, n, err)
		}
	})
}
