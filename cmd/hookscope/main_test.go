package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// TestMain gives the test binary (all its tests share them) a home, data
// and config folder of its own, and no inherited database, address or secrets: a test that forgets --db (or
// one whose check regresses and starts a real listener) must never open the
// developer's own database, config or dev keys, or listen on 8080. Tests
// that need them set their own with t.Setenv.
// mainEnv makes the test binary run hookscope's main instead of the tests
// (signal tests need a process of their own); set to nohupMain, it first
// ignores SIGHUP, as nohup does, so that no test has to change the signal
// handling of the test process itself (which children would inherit).
const (
	mainEnv   = "HOOKSCOPE_TEST_RUN_MAIN"
	nohupMain = "nohup"
)

func TestMain(m *testing.M) {
	if v := os.Getenv(mainEnv); v != "" {
		if v == nohupMain {
			signal.Ignore(syscall.SIGHUP)
		}
		main()
		return
	}
	home, err := os.MkdirTemp("", "hookscope-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for k, v := range map[string]string{
		"HOME":            home,
		"XDG_DATA_HOME":   home + "/data",
		"XDG_CONFIG_HOME": home + "/config",
		"HOOKSCOPE_ADDR":  "127.0.0.1:0",
	} {
		os.Setenv(k, v)
	}
	for _, k := range []string{"HOOKSCOPE_DB", "HOOKSCOPE_TALKIFAI_SECRET", "HOOKSCOPE_DIALPAD_SECRET"} {
		os.Unsetenv(k)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}
