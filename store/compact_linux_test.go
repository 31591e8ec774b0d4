package store

import (
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCompactFailingAfterSetAsideSaysSo: a compaction that sets a foreign
// log aside and then fails (the copy cannot be written: a full disk, here a
// file size limit) must still say where the log went. The error is all a
// caller gets to print, and the next Open or Compact finds no log to warn
// about: without it, the deliveries the log may hold are stranded unseen.
func TestCompactFailingAfterSetAsideSaysSo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	_, applied := closedBase(t, path)
	log := encodeWAL(nil, applied+5, []logged{logEntry(t, newIDs(1)[0], "/foreign", []byte("f"))})
	writeLog(t, path, nil, log)

	// Every write past the first page fails with EFBIG: setting the log
	// aside (a rename) works, writing the copy does not.
	signal.Ignore(syscall.SIGXFSZ)
	defer signal.Reset(syscall.SIGXFSZ)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Skip(err)
	}
	small := lim
	small.Cur = 4096
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &small); err != nil {
		t.Skip(err)
	}
	_, err := Compact(path, time.Second)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	if err == nil {
		t.Fatal("Compact succeeded under a 4 KiB file size limit")
	}
	got := orphans(t, path)
	if len(got) != 1 {
		t.Fatalf("logs set aside: %v, want one", got)
	}
	if !strings.Contains(err.Error(), got[0]) || !strings.Contains(err.Error(), "not replayed") {
		t.Fatalf("Compact failed with %q, which does not say the log is now %s", err, got[0])
	}
}
