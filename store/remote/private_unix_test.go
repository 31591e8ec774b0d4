//go:build unix

package remote

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSocketIsPrivateUnderAnyUmask: with a umask that lets everybody
// write (0), the socket is mode 0600 as soon as it exists at its path (it
// is bound in a private folder, restricted, then renamed), it answers,
// and the private folder is gone.
func TestSocketIsPrivateUnderAnyUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	db := mustOpen(t)
	sock, stop := serve(t, db, Hooks{})
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket %s: mode %v, %v", sock, fi.Mode(), err)
	}
	c, err := Dial(sock, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	entries, _ := os.ReadDir(filepath.Dir(sock))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".hs") {
			t.Errorf("the private folder %s was left behind", e.Name())
		}
	}
	stop()
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket left after stop: %v", err)
	}
}
