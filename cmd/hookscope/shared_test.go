package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/store/remote"
)

// TestSecondTerminalUsesListenerSettings: commands that reach a database
// through its listener's socket verify and mask with the listener's
// routes and secrets when they are not given their own. Before, `verify
// --all` from a shell without them stored weaker verdicts than the
// listener had (a routed provider lost, a valid signature turned
// unverifiable), and ls, show and export printed a secret the listener
// masks.
func TestSecondTerminalUsesListenerSettings(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	const secret = "tfs3cret-only-in-the-listener"
	l := startListen(t, "--talkifai-secret", secret, "--route", "/hooks/notifier=talkdesk-notifier")
	tk := []byte(`{"id":"evt-1","type":"call.ended","created":1763884800,"data":{}}`)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(tk)
	post(t, l.url+"/hooks/tk", tk, "X-TalkifAI-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	post(t, l.url+"/hooks/notifier/"+secret+"?k=1", []byte(`{"s":"`+secret+`"}`), "Content-Type", "application/json")
	recs := waitAnalysed(t, l.db, 2)
	check := func(when string, recs []map[string]any) {
		t.Helper()
		if recs[1]["provider"] != "talkifai" || recs[1]["signature"].(map[string]any)["status"] != "valid" {
			t.Errorf("%s: the TalkifAI delivery is %v, %v; want talkifai, valid", when, recs[1]["provider"], recs[1]["signature"])
		}
		if recs[0]["provider"] != "talkdesk-notifier" {
			t.Errorf("%s: the routed delivery's provider is %v, want talkdesk-notifier", when, recs[0]["provider"])
		}
	}
	check("the listener", recs)

	// This process has neither the route nor the secret.
	code, out, errs := run(t, "verify", "--all", "--db", l.db)
	if code != 0 || !strings.Contains(out, "sig:valid") || !strings.Contains(out, "talkdesk-notifier") {
		t.Fatalf("verify --all: exit %d\n%s%s", code, out, errs)
	}
	check("after verify --all", lsJSON(t, l.db))

	for _, args := range [][]string{
		{"ls", "--db", l.db}, {"ls", "--json", "--db", l.db}, {"show", recs[0]["id"].(string), "--db", l.db},
		{"show", recs[0]["id"].(string), "--json", "--db", l.db}, {"export", "--db", l.db}, {"verify", "--all", "--db", l.db},
	} {
		code, out, errs := run(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		if strings.Contains(out+errs, secret) {
			t.Errorf("%v printed the listener's secret:\n%s%s", args, out, errs)
		}
	}
	// Asked to, they reveal it: the mask is the listener's, not a loss.
	if _, out, _ := run(t, "ls", "--json", "--reveal-secrets", "--db", l.db); !strings.Contains(out, secret) {
		t.Errorf("ls --reveal-secrets does not show the path as stored:\n%s", out)
	}
}

// TestListenerSettingsFailureIsSaid: a listener that answers everything but
// its settings (a failure of its own, not an older listener sharing none)
// is still used, and the command says on stderr that a secret only the
// listener was given may show; the listing itself is unchanged.
func TestListenerSettingsFailureIsSaid(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Append(context.Background(), &store.Event{Method: "POST", Path: "/hooks/x"}, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	srv, err := remote.Listen(store.SocketPath(path), db, remote.Hooks{
		Settings: func(context.Context) (any, error) { return nil, errors.New("settings went missing") },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	code, out, errs := run(t, "ls", "--db", path)
	if code != 0 || !strings.Contains(out, "/hooks/x") {
		t.Fatalf("ls through the listener: exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"warning: could not read the settings of the listener holding " + path, "settings went missing", "not masked"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr does not say %q:\n%s", want, errs)
		}
	}
}
