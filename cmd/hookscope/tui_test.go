package main

import (
	"strings"
	"testing"
)

func TestUINeedsATerminal(t *testing.T) {
	code, _, errs := run(t, "ui", "--db", t.TempDir()+"/h.db")
	if code != 1 || !strings.Contains(errs, "terminal") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// TestSendVerifiesInListenerStartedBefore is issue 7's promise: with no
// network, the first `send` creates a dev key after the listener started,
// and the listener still judges the delivery valid and schema-valid.
func TestSendVerifiesInListenerStartedBefore(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	l := startListen(t)
	code, _, errs := run(t, "send", "app.installed", "--to", l.url+"/hooks/talkdesk")
	if code != 0 {
		t.Fatalf("send: %d %s", code, errs)
	}
	rec := waitAnalysed(t, l.db, 1)[0]
	sig := rec["signature"].(map[string]any)
	if sig["status"] != "valid" || rec["schema"].(map[string]any)["status"] != "valid" {
		t.Fatalf("signature %v schema %v", sig, rec["schema"])
	}
}
