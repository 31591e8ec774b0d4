//go:build unix

package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mainListener is a `hookscope listen` running in a process of its own.
type mainListener struct {
	cmd  *exec.Cmd
	url  string
	done <-chan error // what Wait returns once it exits
	said *syncBuffer  // its stderr after the "listening on" line
}

// startMain runs `hookscope listen` on db, with extra flags, in a process of
// its own (the test binary as main; mode is mainEnv's value).
func startMain(t *testing.T, mode, db string, extra ...string) mainListener {
	t.Helper()
	args := append([]string{"listen", "--no-tui", "--addr", "127.0.0.1:0", "--db", db}, extra...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), mainEnv+"="+mode)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
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
	done, said := make(chan error, 1), &syncBuffer{}
	go func() { // keep reading, so the child never blocks on stderr
		for sc.Scan() {
			fmt.Fprintln(said, sc.Text())
		}
		done <- cmd.Wait()
	}()
	return mainListener{cmd, url, done, said}
}

// stopWith sends sig to cmd and waits for it to exit 0.
func stopWith(t *testing.T, cmd *exec.Cmd, done <-chan error, sig syscall.Signal) {
	t.Helper()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("after %s: %v, want exit 0", sig, err)
		}
	case <-time.After(time.Minute): // a bound only: a clean stop takes well under a second
		t.Fatalf("still running a minute after %s", sig)
	}
}

// TestSignalsStopTheListenerCleanly: SIGINT, SIGTERM and SIGHUP (the
// terminal closed under the live view) each stop a listener the clean way:
// exit 0, its socket removed, the delivery it had acknowledged stored and
// analysed.
func TestSignalsStopTheListenerCleanly(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			if sig == syscall.SIGHUP && signal.Ignored(syscall.SIGHUP) {
				t.Skip("the tests run under nohup: the listener inherits an ignored SIGHUP")
			}
			db := filepath.Join(t.TempDir(), "h.db")
			l := startMain(t, "1", db)
			cmd, url, done := l.cmd, l.url, l.done
			resp, err := http.Post(url+"/hooks/x", "application/json", strings.NewReader(`{"a":1}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()

			stopWith(t, cmd, done, sig)
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
// the user meant to outlive the terminal. The listener runs in a process of
// its own, started ignoring SIGHUP: ignoring it here would outlast the test
// (signal.Reset does not undo signal.Ignore) and reach every later listener
// the tests start.
func TestSIGHUPIgnoredStaysIgnored(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	l := startMain(t, nohupMain, db)
	cmd, url, done := l.cmd, l.url, l.done
	// Where the kernel says what the process ignores, ask it: an ignored
	// signal is discarded when sent, so this is the whole story.
	if ign, err := ignoredSignals(cmd.Process.Pid); err == nil {
		if ign&(1<<(syscall.SIGHUP-1)) == 0 {
			t.Fatalf("the listener started under nohup handles SIGHUP (ignored set %#x)", ign)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if code := post(t, url+"/after-hangup", []byte(`{}`)); code != 200 {
		t.Fatalf("a delivery after SIGHUP: %d, want 200", code)
	}
	stopWith(t, cmd, done, syscall.SIGTERM)
	if recs := lsJSON(t, db); len(recs) != 1 || recs[0]["path"] != "/after-hangup" {
		t.Fatalf("stored %v, want the delivery sent after SIGHUP", recs)
	}
}

// ignoredSignals returns the set of signals process pid ignores, bit n-1
// for signal n, from Linux's /proc; os.ErrNotExist where there is none.
func ignoredSignals(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "SigIgn:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no SigIgn line", pid)
}

// TestSecondInterruptStopsAtOnce: a listener waiting on a forward in flight
// (its clean stop gives it part of the grace) stops at once on a second
// SIGINT, exit 130, saying so.
func TestSecondInterruptStopsAtOnce(t *testing.T) {
	arrived := make(chan struct{}, 1)
	hold := make(chan struct{})
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-hold
	}))
	defer app.Close()
	defer close(hold)

	l := startMain(t, "1", filepath.Join(t.TempDir(), "h.db"), "--forward-to", app.URL)
	cmd, url, done, said := l.cmd, l.url, l.done, l.said
	go http.Post(url+"/hooks/x", "application/json", strings.NewReader(`{}`))
	select {
	case <-arrived:
	case <-time.After(time.Minute):
		t.Fatal("the forward never reached the app")
	}
	// The second once the first has begun the clean stop (the port
	// closed): two signals sent at once may be delivered as one.
	cmd.Process.Signal(syscall.SIGINT)
	addr := strings.TrimPrefix(url, "http://")
	for stop := time.Now().Add(time.Minute); ; {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(stop) {
			t.Fatal("still accepting a minute after the first interrupt")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
			t.Fatalf("exit %v, want %d", err, exitInterrupted)
		}
	case <-time.After(time.Minute):
		t.Fatal("still running a minute after two interrupts")
	}
	if !strings.Contains(said.String(), "stopped at once (second interrupt)") {
		t.Errorf("stderr %q", said.String())
	}
}
