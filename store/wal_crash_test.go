package store

import (
	"bytes"
	"context"
	"errors"
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
