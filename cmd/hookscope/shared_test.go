package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
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
