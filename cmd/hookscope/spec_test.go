package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSpecLsAndCheck(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	code, out, errs := run(t, "spec", "ls")
	if code != 0 || !strings.Contains(out, "AppInstalledEvent") || !strings.Contains(out, "webhook-trigger/contact-created") ||
		!strings.Contains(out, "CallEvent") || strings.Contains(errs, "warning") {
		t.Fatalf("spec ls: %d\n%s\n%s", code, out, errs)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(bad, []byte("asyncapi: 2.6.0\ninfo: {title: x, version: '1'}\nchannels:\n  a:\n    publish:\n      message:\n        $ref: '#/components/messages/nope'\n"), 0o600)
	code, _, errs = run(t, "spec", "check", bad)
	if code != 1 || !strings.Contains(errs, "bad.yml:7") {
		t.Fatalf("spec check bad: %d %s", code, errs)
	}
	code, _, errs = run(t, "spec", "ls", "--spec", bad)
	if code != 1 || !strings.Contains(errs, "bad.yml:7") {
		t.Fatalf("spec ls --spec bad: %d %s", code, errs)
	}
	code, out, _ = run(t, "spec", "ls", "--no-default-specs")
	if code != 0 || strings.Contains(out, "AppInstalledEvent") {
		t.Fatalf("--no-default-specs still lists the seed: %s", out)
	}
}

// TestSpecErrorsReachTheTerminalSafe: an error quoting a spec file's
// content shows its escape sequences instead of passing them on.
func TestSpecErrorsReachTheTerminalSafe(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	evil := filepath.Join(t.TempDir(), "evil.yml")
	os.WriteFile(evil, []byte("asyncapi: 2.6.0\ninfo: {title: x, version: '1'}\nchannels:\n  a:\n    publish:\n      message:\n        $ref: \"#/x\x1b[2J\"\n"), 0o600)
	code, _, errs := run(t, "spec", "check", evil)
	if code != 1 || strings.ContainsRune(errs, 0x1b) || !strings.Contains(errs, "␛[2J") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

// TestSpecCheckCountsWarnings: the seed Talkdesk document loads with one
// warning (its templated tokenUrl), said in the singular.
func TestSpecCheckCountsWarnings(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	doc := filepath.Join("..", "..", "verify", "asyncapi", "specs", "talkdesk-webhooks-asyncapi.yml")
	code, out, errs := run(t, "spec", "check", doc)
	if code != 0 || !strings.HasSuffix(out, ": ok (1 warning)\n") || !strings.Contains(errs, "tokenUrl") {
		t.Fatalf("spec check: exit %d\n%s%s", code, out, errs)
	}
}
