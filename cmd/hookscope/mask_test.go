package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/verify"
)

// pathSecret is a configured secret a provider also put in the webhook URL.
const pathSecret = "tk-path-secret-9f8e"

// postSecretPath sends the delivery whose path, query and one header hold
// pathSecret.
func postSecretPath(t *testing.T, l *listener) {
	t.Helper()
	if post(t, l.url+"/hooks/"+pathSecret+"/x?token="+pathSecret, []byte(`{"id":"e1"}`), "X-Token", pathSecret) != 200 {
		t.Fatal("post")
	}
}

// listenWithSecretPath starts a listener (with args) that has pathSecret
// configured as the TalkifAI secret and no config file, sends it the
// postSecretPath delivery and returns once the headless line is printed.
func listenWithSecretPath(t *testing.T, args ...string) *listener {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv(verify.EnvTalkifAISecret, pathSecret)
	l := startListen(t, args...)
	postSecretPath(t, l)
	waitLines(t, l, 1)
	return l
}

// checkMaskedJSON decodes one JSON line and checks the path, query and
// header against the secret being masked or not; the id is never touched.
func checkMaskedJSON(t *testing.T, what, line string, masked bool) (id string) {
	t.Helper()
	var got struct {
		ID      string              `json:"id"`
		Path    string              `json:"path"`
		Query   string              `json:"query"`
		Headers map[string][]string `json:"headers"`
	}
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatalf("%s: %q: %v", what, line, err)
	}
	want := pathSecret
	if masked {
		want = redact.Mask
	}
	if got.Path != "/hooks/"+want+"/x" || got.Query != "token="+want || strings.Join(got.Headers["X-Token"], ",") != want {
		t.Errorf("%s (masked %v): path %q query %q X-Token %q", what, masked, got.Path, got.Query, got.Headers["X-Token"])
	}
	if len(got.ID) != 13 {
		t.Errorf("%s: id %q", what, got.ID)
	}
	return got.ID
}

// checkMaskedText checks a text output for the secret and the mask.
func checkMaskedText(t *testing.T, what, out string, masked bool) {
	t.Helper()
	want, notWant := "/hooks/"+redact.Mask+"/x?token="+redact.Mask, pathSecret
	if !masked {
		want, notWant = "/hooks/"+pathSecret+"/x?token="+pathSecret, redact.Mask
	}
	if !strings.Contains(out, want) || strings.Contains(out, notWant) {
		t.Errorf("%s (masked %v): want %q and no %q in:\n%s", what, masked, want, notWant, out)
	}
}

// TestHeadlessMasksConfiguredSecrets: the headless listener's line and JSON
// object mask a configured secret in the path, query (and, as JSON, header
// values) unless --reveal-secrets.
func TestHeadlessMasksConfiguredSecrets(t *testing.T) {
	tests := []struct {
		args           []string
		asJSON, masked bool
	}{
		{nil, false, true},
		{[]string{"--reveal-secrets"}, false, false},
		{[]string{"--json"}, true, true},
		{[]string{"--json", "--reveal-secrets"}, true, false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(append([]string{"listen"}, tt.args...), " "), func(t *testing.T) {
			l := listenWithSecretPath(t, tt.args...)
			line := waitLines(t, l, 1)[0]
			if tt.asJSON {
				checkMaskedJSON(t, "headless JSON", line, tt.masked)
			} else {
				checkMaskedText(t, "headless line", line, tt.masked)
			}
		})
	}
}

// TestLsAndShowMaskConfiguredSecrets: ls, ls --json, show and show --json
// mask a configured secret in the path and query unless --reveal-secrets,
// and the ids in ls --json are the ones show takes.
func TestLsAndShowMaskConfiguredSecrets(t *testing.T) {
	l := listenWithSecretPath(t)
	for _, masked := range []bool{true, false} {
		var reveal []string
		if !masked {
			reveal = []string{"--reveal-secrets"}
		}
		_, out, _ := run(t, append([]string{"ls", "--json", "--db", l.db}, reveal...)...)
		id := checkMaskedJSON(t, "ls --json", strings.TrimSpace(out), masked)
		code, out, errs := run(t, append([]string{"show", id, "--json", "--db", l.db}, reveal...)...)
		if code != 0 {
			t.Fatalf("show %s --json: exit %d: %s", id, code, errs)
		}
		checkMaskedJSON(t, "show --json", strings.TrimSpace(out), masked)
		_, out, _ = run(t, append([]string{"ls", "--db", l.db}, reveal...)...)
		checkMaskedText(t, "ls", out, masked)
		_, out, _ = run(t, append([]string{"show", id, "--db", l.db}, reveal...)...)
		checkMaskedText(t, "show", out, masked)
	}
}

// TestHMACSecretFromEnvIsMasked: the secret of a config-file HMAC route
// set in HOOKSCOPE_<NAME>_SECRET is a configured secret for ls, show and
// export too, not only for the listener that verifies with it.
func TestHMACSecretFromEnvIsMasked(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	writeFile(t, cfg+"/hookscope/config.yaml", "hmac:\n  - /gh=X-Hub-Signature-256:sha256:hex:sha256=\n")
	t.Setenv("HOOKSCOPE_GH_SECRET", pathSecret)
	l := startListen(t)
	postSecretPath(t, l)
	waitLines(t, l, 1)
	_, ls, _ := run(t, "ls", "--db", l.db)
	checkMaskedText(t, "ls", ls, true)
	_, out, _ := run(t, "export", "--db", l.db)
	if strings.Contains(out, pathSecret) {
		t.Errorf("export:\n%s", out)
	}
}

// TestHMACFlagSecretFromEnvIsMasked: a secret in HOOKSCOPE_<NAME>_SECRET
// for a route given only as listen --hmac is a configured secret for ls,
// show, export and the live view too, which never see that flag.
func TestHMACFlagSecretFromEnvIsMasked(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOOKSCOPE_GH_SECRET", pathSecret)
	l := startListen(t, "--hmac", "/gh=X-Hub-Signature-256:sha256:hex:sha256=")
	postSecretPath(t, l)
	waitLines(t, l, 1)
	_, ls, _ := run(t, "ls", "--db", l.db)
	checkMaskedText(t, "ls", ls, true)
	_, out, _ := run(t, "ls", "--json", "--db", l.db)
	id := checkMaskedJSON(t, "ls --json", strings.TrimSpace(out), true)
	_, out, _ = run(t, "show", id, "--db", l.db)
	checkMaskedText(t, "show", out, true)
	_, out, _ = run(t, "export", "--db", l.db)
	if strings.Contains(out, pathSecret) {
		t.Errorf("export:\n%s", out)
	}
}

// TestReplayMasksConfiguredSecrets: replay --keep-path sends the path as
// stored, and its own lines (text and --json) mask the configured secret
// in the target it quotes unless --reveal-secrets.
func TestReplayMasksConfiguredSecrets(t *testing.T) {
	l := listenWithSecretPath(t)
	app, got := appServer(t, 200)
	id := lsJSON(t, l.db)[0]["id"].(string)
	for _, tt := range []struct {
		args   []string
		masked bool
	}{
		{nil, true},
		{[]string{"--reveal-secrets"}, false},
		{[]string{"--json"}, true},
		{[]string{"--json", "--reveal-secrets"}, false},
	} {
		args := append([]string{"replay", id, "--to", app.URL + "/", "--keep-path", "--db", l.db}, tt.args...)
		code, out, errs := run(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, code, errs)
		}
		line := strings.SplitN(out, "\n", 2)[0]
		want := app.URL + "/hooks/" + redact.Mask + "/x?token=" + redact.Mask
		if !tt.masked {
			want = app.URL + "/hooks/" + pathSecret + "/x?token=" + pathSecret
		}
		if slices.Contains(tt.args, "--json") {
			var a struct {
				ID     string `json:"id"`
				Target string `json:"target"`
			}
			if err := json.Unmarshal([]byte(line), &a); err != nil || a.Target != want || a.ID != id {
				t.Errorf("%v: %q: %+v %v", tt.args, line, a, err)
			}
		} else if !strings.Contains(line, "→ "+want+"  200") {
			t.Errorf("%v: want %q in %q", tt.args, want, line)
		}
		if tt.masked && strings.Contains(out, pathSecret) {
			t.Errorf("%v: secret printed:\n%s", tt.args, out)
		}
	}
	// What is sent is the stored path, secret included.
	for _, g := range got() {
		if !strings.HasPrefix(g, "/hooks/"+pathSecret+"/x ") {
			t.Errorf("app got %q", g)
		}
	}
	if len(got()) != 4 {
		t.Errorf("app got %d requests, want 4", len(got()))
	}
}

// TestPercentEncodedSecretIsMasked: a sender may percent-encode any part of
// a secret it puts in the URL. The path, the query, the forward's target
// and error, and every output (ls, show, their JSON, the headless line and
// each export format, HAR's decoded queryString included) mask it in
// every form it takes.
func TestPercentEncodedSecretIsMasked(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv(verify.EnvTalkifAISecret, pathSecret)
	// Nothing answers there: the forward fails with an error quoting the URL.
	l := startListen(t, "--forward-to", "http://127.0.0.1:1/app", "--forward-timeout", "2s")
	if post(t, l.url+"/hooks/%74k-path-secret-9f8e/x?token=tk-path-secret%2D9f8e", []byte(`{"id":"e1"}`)) != 502 {
		t.Fatal("post")
	}
	waitLines(t, l, 1)
	// Any form of the secret holds one of these.
	leaks := func(what, out string) {
		t.Helper()
		for _, s := range []string{pathSecret, "path-secret", "secret%2D9f8e"} {
			if strings.Contains(out, s) {
				t.Errorf("%s shows %q:\n%s", what, s, out)
			}
		}
	}
	leaks("headless line", l.stdout.String())
	_, out, _ := run(t, "ls", "--db", l.db)
	leaks("ls", out)
	_, out, _ = run(t, "ls", "--json", "--db", l.db)
	leaks("ls --json", out)
	id := lsJSON(t, l.db)[0]["id"].(string)
	_, out, _ = run(t, "show", id, "--db", l.db)
	leaks("show", out)
	_, out, _ = run(t, "show", id, "--json", "--db", l.db)
	leaks("show --json", out)
	for _, format := range []string{"jsonl", "har", "curl"} {
		_, out, _ = run(t, "export", "--db", l.db, "--format", format)
		leaks("export "+format, out)
	}
	_, out, _ = run(t, "show", id, "--json", "--db", l.db, "--reveal-secrets")
	if !strings.Contains(out, "path-secret") {
		t.Errorf("--reveal-secrets hides it:\n%s", out)
	}
}

// TestForwardingLineMasksConfiguredSecrets: the start line naming the app
// a listener forwards to masks a configured secret in its path and query,
// as the forward records and the live view's header do, and its password;
// --reveal-secrets shows the secret (never the password). Before, only
// the password was masked there.
func TestForwardingLineMasksConfiguredSecrets(t *testing.T) {
	for _, reveal := range []bool{false, true} {
		t.Run(fmt.Sprintf("reveal=%v", reveal), func(t *testing.T) {
			t.Setenv("XDG_CONFIG_HOME", t.TempDir())
			t.Setenv(verify.EnvTalkifAISecret, pathSecret)
			args := []string{"--forward-to", "http://bob:pw-of-bob@127.0.0.1:1/" + pathSecret + "?k=" + pathSecret}
			if reveal {
				args = append(args, "--reveal-secrets")
			}
			l := startListen(t, args...)
			var line string
			for deadline := time.Now().Add(waitBound); line == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				for _, s := range strings.Split(l.stderr.String(), "\n") {
					if strings.HasPrefix(s, "hookscope: forwarding to ") {
						line = s
					}
				}
			}
			if line == "" {
				t.Fatalf("no forwarding line: %s", l.stderr.String())
			}
			if strings.Contains(line, "pw-of-bob") || !strings.Contains(line, "bob:xxxxx@") {
				t.Errorf("password not masked: %s", line)
			}
			if strings.Contains(line, pathSecret) != reveal {
				t.Errorf("reveal %v, line %s", reveal, line)
			}
		})
	}
}
