//go:build unix

package main

import (
	"bufio"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalsStopTheListenerCleanly: SIGINT, SIGTERM and SIGHUP (the
// terminal closed under the live view) each stop a listener the clean way:
// exit 0, its socket removed, the delivery it had acknowledged stored and
// analysed.
func TestSignalsStopTheListenerCleanly(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "h.db")
			cmd := exec.Command(os.Args[0], "listen", "--no-tui", "--addr", "127.0.0.1:0", "--db", db)
			cmd.Env = append(os.Environ(), mainEnv+"=1")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			url := ""
			sc := bufio.NewScanner(stderr)
			for url == "" && sc.Scan() {
				if rest, ok := strings.CutPrefix(sc.Text(), "hookscope: listening on "); ok {
					url = strings.Fields(rest)[0]
				}
			}
			if url == "" {
				t.Fatal("the listener never said where it listens")
			}
			go func() { // keep reading, so the child never blocks on stderr
				for sc.Scan() {
				}
			}()
			resp, err := http.Post(url+"/hooks/x", "application/json", strings.NewReader(`{"a":1}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()

			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("after %s: %v, want exit 0", sig, err)
				}
			case <-time.After(15 * time.Second):
				t.Fatalf("still running 15 s after %s", sig)
			}
			if _, err := os.Stat(db + ".sock"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("socket left behind after %s: %v", sig, err)
			}
			recs := lsJSON(t, db)
			if len(recs) != 1 {
				t.Fatalf("%d deliveries stored, want 1", len(recs))
			}
			if st := recs[0]["signature"].(map[string]any)["status"]; st == "pending" {
				t.Errorf("the delivery was left unanalysed after %s", sig)
			}
		})
	}
}

// TestSIGHUPIgnoredStaysIgnored: under nohup, SIGHUP is ignored when
// hookscope starts, and it must stay so: handling it would stop a listener
// the user meant to outlive the terminal.
func TestSIGHUPIgnoredStaysIgnored(t *testing.T) {
	if !slices.Contains(shutdownSignals(), os.Signal(syscall.SIGHUP)) {
		t.Fatal("SIGHUP is not a shutdown signal")
	}
	signal.Ignore(syscall.SIGHUP)
	defer signal.Reset(syscall.SIGHUP)
	if slices.Contains(shutdownSignals(), os.Signal(syscall.SIGHUP)) {
		t.Fatal("an ignored SIGHUP would be handled")
	}
}
