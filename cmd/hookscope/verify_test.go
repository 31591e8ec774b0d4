package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// keyEndpoint is a local stand-in of Talkdesk's key endpoint.
func keyEndpoint(t *testing.T, id string, pub *ecdsa.PublicKey) *httptest.Server {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	pemb := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/events/signature-keys/"+id {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"public_key": base64.StdEncoding.EncodeToString(pemb), "key_id": id,
			"created_at": "2026-01-01T00:00:00Z", "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// waitAnalysed waits until no delivery is pending verification.
func waitAnalysed(t *testing.T, db string, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for {
		recs := lsJSON(t, db)
		done := len(recs) == n
		for _, r := range recs {
			if r["signature"].(map[string]any)["status"] == "pending" {
				done = false
			}
		}
		if done {
			return recs
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries not analysed: %v", recs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestListenVerifiesTalkdeskAndTalkifAI(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	key, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	keys := keyEndpoint(t, "k1", &key.PublicKey)
	l := startListen(t, "--talkdesk-keys-url", keys.URL)
	body := []byte(`{"event_id":"e1","id":"e1","type":"app.installed","created_at":"2026-11-23T08:00:00Z","data":{}}`)
	h := sha512.Sum512(body)
	sig, _ := ecdsa.SignASN1(rand.Reader, key, h[:])
	td := []string{"X-Hub-Ecdsa-Signature", hex.EncodeToString(sig), "X-Hub-Ecdsa-Signature-Id", "k1"}
	post(t, l.url+"/hooks/td", body, td...)
	tampered := []byte(strings.Replace(string(body), "e1", "e2", 1))
	post(t, l.url+"/hooks/td", tampered, td...)
	post(t, l.url+"/hooks/tk", []byte(`{"id":"t1"}`), "X-TalkifAI-Signature", "sha256="+strings.Repeat("ab", 32))

	recs := waitAnalysed(t, l.db, 3)
	sigOf := func(r map[string]any) map[string]any { return r["signature"].(map[string]any) }
	if s := sigOf(recs[2]); s["status"] != "valid" || s["algorithm"] != "ecdsa-p384-sha512" || s["key_id"] != "k1" {
		t.Fatalf("signed delivery: %v", s)
	}
	if recs[2]["provider"] != "talkdesk-events" || recs[2]["event_type"] != "app.installed" {
		t.Fatalf("provider %v type %v", recs[2]["provider"], recs[2]["event_type"])
	}
	if s := sigOf(recs[1]); s["status"] != "invalid" || !strings.Contains(s["reason"].(string), "does not match the body") {
		t.Fatalf("tampered: %v", s)
	}
	if s := sigOf(recs[0]); s["status"] != "unverifiable" || !strings.Contains(s["reason"].(string), "HOOKSCOPE_TALKIFAI_SECRET") {
		t.Fatalf("talkifai without secret: %v", s)
	}
	schema := recs[2]["schema"].(map[string]any)
	if schema["status"] != "valid" || schema["message"] != "AppInstalledEvent" {
		t.Fatalf("schema %v", schema)
	}

	// A secret added later: `hookscope verify` re-verifies stored ones.
	mac := hmac.New(sha256.New, []byte("topsecret"))
	mac.Write([]byte(`{"id":"t2"}`))
	post(t, l.url+"/hooks/tk", []byte(`{"id":"t2"}`), "X-TalkifAI-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	recs = waitAnalysed(t, l.db, 4)
	id := recs[0]["id"].(string)
	if sigOf(recs[0])["status"] != "unverifiable" {
		t.Fatalf("before the secret: %v", sigOf(recs[0]))
	}
	t.Setenv("HOOKSCOPE_TALKIFAI_SECRET", "topsecret")
	code, out, errs := run(t, "verify", id, "--db", l.db)
	if code != 0 || !strings.Contains(out, "sig:valid") {
		t.Fatalf("verify: %d %q %q", code, out, errs)
	}
	if strings.Contains(out+errs, "topsecret") {
		t.Fatal("secret printed")
	}
	if s := sigOf(lsJSON(t, l.db)[0]); s["status"] != "valid" {
		t.Fatalf("after verify: %v", s)
	}
	// --all goes through every delivery, oldest first.
	code, out, errs = run(t, "verify", "--all", "--db", l.db)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != 4 || !strings.Contains(lines[3], "sig:valid") {
		t.Fatalf("verify --all: %d %q %q", code, out, errs)
	}
}

func TestVerifyFlagErrors(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"listen", "--route", "/x=nobody"}, "--route"},
		{[]string{"listen", "--talkdesk-region", "mars"}, "us, eu, ca, au or uk"},
		{[]string{"listen", "--hmac", "/gh=X-Sig:md5:hex"}, "--hmac \"/gh=X-Sig:md5:hex\": algorithm \"md5\": want sha1, sha256 or sha512"},
		{[]string{"listen", "--talkdesk-keys-url", "ftp://keys"}, "--talkdesk-keys-url \"ftp://keys\": want an http or https base URL"},
		{[]string{"listen", "--channel-route", "/x=no/such"}, "--channel-route"},
		{[]string{"listen", "--talkdesk-key", "k1"}, "--talkdesk-key"},
		{[]string{"verify"}, "--all"},
		{[]string{"verify", "not-an-id!"}, "not a delivery id"},
	} {
		args := append(tc.args, "--db", t.TempDir()+"/h.db", "--addr", "127.0.0.1:0", "--no-tui")
		if tc.args[0] == "verify" {
			args = append(tc.args, "--db", t.TempDir()+"/h.db")
		}
		code, _, errs := run(t, args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, %q", tc.args, code, errs)
		}
	}
}

func TestConfigFileErrorsNameLine(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	writeFile(t, cfg+"/hookscope/config.yaml", "secrets:\n  talkifai: x\nbogus_key: 1\n")
	code, _, errs := run(t, "listen", "--no-tui", "--addr", "127.0.0.1:0", "--db", t.TempDir()+"/h.db")
	if code != 2 || !strings.Contains(errs, "config.yaml") || !strings.Contains(errs, "3:") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// TestConfigFileMistakesAreUsageErrors: a bad value in the config file
// exits 2, as on the command line, and names the file and the key (not a
// flag the user never passed).
func TestConfigFileMistakesAreUsageErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"wrong type", "max_events: many\n", "max_events"},
		{"negative max_events", "max_events: -3\n", "max_events: must be 0 (unlimited) or more, got -3"},
		{"bad max_age", "max_age: NaNd\n", "max_age: \"NaNd\" is not an age"},
		{"bad route", "routes:\n  /x: nobody\n", "routes: \"/x=nobody\": unknown provider \"nobody\""},
		{"bad hmac", "hmac:\n  - /gh=X-Sig:md5:hex\n", "hmac: \"/gh=X-Sig:md5:hex\""},
		{"bad region", "talkdesk:\n  region: mars\n", "talkdesk.region: \"mars\" is not a Talkdesk region; accepted values are us, eu, ca, au or uk"},
		{"bad key", "talkdesk:\n  keys:\n    k1: /nonexistent.pem\n", "talkdesk.keys: k1: open /nonexistent.pem"},
		{"bad keys_url", "talkdesk:\n  keys_url: ftp://keys\n", "talkdesk.keys_url: \"ftp://keys\": want an http or https base URL"},
		{"bad event_id_fields", "event_id_fields:\n  nobody: [id]\n", "event_id_fields: \"nobody\": unknown provider; providers:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", cfg)
			writeFile(t, cfg+"/hookscope/config.yaml", tt.yaml)
			// The address is taken: were the config accepted, listen would
			// fail to bind (exit 1) rather than run for ever.
			taken, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer taken.Close()
			code, _, errs := run(t, "listen", "--no-tui", "--addr", taken.Addr().String(), "--db", t.TempDir()+"/h.db")
			if code != 2 || !strings.Contains(errs, "config.yaml") || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errs, tt.want)
			}
		})
	}
}

// TestConfigDBAndAddrAreEveryCommandsDefaults: the config file's db and addr
// are what ls and send use without --db and --to, as listen does.
func TestConfigDBAndAddrAreEveryCommandsDefaults(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOOKSCOPE_DB", "")
	t.Setenv("HOOKSCOPE_ADDR", "")
	l := startListen(t)
	// The config's db has no listener, so send cannot learn the address
	// from its socket: only the config's addr leads to the listener.
	elsewhere := filepath.Join(t.TempDir(), "other.db")
	writeFile(t, cfg+"/hookscope/config.yaml", "db: "+elsewhere+"\naddr: "+strings.TrimPrefix(l.url, "http://")+"\n")
	if code, _, errs := run(t, "send", "app.installed"); code != 0 {
		t.Fatalf("send to the config's addr: %d %s", code, errs)
	}
	writeFile(t, cfg+"/hookscope/config.yaml", "db: "+l.db+"\n")
	code, out, errs := run(t, "ls", "--json")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"path":"/hooks/talkdesk"`) {
		t.Fatalf("ls of the config's db: %d %q %s", code, out, errs)
	}
}

// TestConfigFileMistakeStopsEveryCommand: a mistake in the config file is
// a usage error for the commands that only take --db and the secrets to
// mask from it too. Passing over the file would read the wrong database and
// print the secrets it configures unmasked.
func TestConfigFileMistakeStopsEveryCommand(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOOKSCOPE_DB", "")
	t.Setenv("HOOKSCOPE_TALKIFAI_SECRET", "")
	l := startListen(t)
	if code := post(t, l.url+"/hooks/sekrit-value?k=sekrit-value", []byte(`{}`)); code != 200 {
		t.Fatalf("post: %d", code)
	}
	if code := l.stop(); code != 0 {
		t.Fatalf("listen exit %d", code)
	}
	_, out, _ := run(t, "ls", "--json", "--db", l.db)
	var d struct{ ID string }
	if err := json.Unmarshal([]byte(out), &d); err != nil || d.ID == "" {
		t.Fatalf("ls --json: %v %q", err, out)
	}
	writeFile(t, cfg+"/hookscope/config.yaml", "db: "+l.db+"\nsecrets:\n  talkifai: sekrit-value\nmax_event: 5\n")
	for _, args := range [][]string{
		{"ls"},
		{"ls", "--db", l.db},
		{"show", d.ID, "--db", l.db},
		{"export", "--db", l.db},
		{"stats"},
		{"pin", d.ID},
		{"prune", "--max-events", "1"},
	} {
		code, out, errs := run(t, args...)
		if code != 2 || !strings.Contains(errs, "config.yaml") || !strings.Contains(errs, "max_event") {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming the file and the key", args, code, errs)
		}
		if strings.Contains(out, "sekrit-value") {
			t.Errorf("%v printed the configured secret: %q", args, out)
		}
	}
}

// writeFile writes s to path (0600, creating its folders) and returns path.
func writeFile(t *testing.T, path, s string) string {
	t.Helper()
	if err := mkdirWrite(path, s); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConfigValueMistakeStopsEveryCommand: a bad value (not only a bad key)
// in the config file is a usage error naming the file and the key, for
// commands that do not use it too.
func TestConfigValueMistakeStopsEveryCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	for _, tt := range []struct{ yaml, key string }{
		{"max_events: -3\n", "max_events"},
		{"max_age: 5x\n", "max_age"},
		{"routes:\n  /x: nobody\n", "routes"},
		{"hmac: [bad]\n", "hmac"},
		{"talkdesk:\n  region: mars\n", "talkdesk.region"},
		{"talkdesk:\n  keys_url: ftp://keys\n", "talkdesk.keys_url"},
		{"talkdesk:\n  keys:\n    ../k: /k.pem\n", "talkdesk.keys"},
		{"event_id_fields:\n  nobody: [id]\n", "event_id_fields"},
	} {
		cfg := t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", cfg)
		writeFile(t, cfg+"/hookscope/config.yaml", tt.yaml)
		for _, args := range [][]string{{"ls", "--db", db}, {"stats", "--db", db}} {
			code, _, errs := run(t, args...)
			if code != 2 || !strings.Contains(errs, "config.yaml") || !strings.Contains(errs, tt.key) {
				t.Errorf("%q, %v: exit %d, stderr %q; want 2 naming the file and %s", tt.yaml, args, code, errs, tt.key)
			}
		}
	}
	// A good file stops nothing (the database does not exist: exit 1).
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	writeFile(t, cfg+"/hookscope/config.yaml", "max_events: 10\nmax_age: 30d\nroutes:\n  /x: talkifai\ntalkdesk:\n  region: eu\n")
	if code, _, errs := run(t, "stats", "--db", db); code != 1 || strings.Contains(errs, "config") {
		t.Fatalf("a good config: exit %d %s", code, errs)
	}
}
