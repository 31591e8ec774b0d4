package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/asyncapi"
	"github.com/hookscope/hookscope/verify/devkeys"
)

const (
	testTalkifAISecret = "talkifai-test-secret"
	testDialpadSecret  = "dialpad-test-secret"
)

// talkifaiSpec is a TalkifAI document of the tests' own, passed with
// --spec: it exercises --spec beside the embedded TalkifAI document, whose
// call.ended requires less (no data fields).
const talkifaiSpec = `asyncapi: 2.6.0
info: {title: TalkifAI Webhooks, version: '1'}
channels:
  call.ended:
    publish:
      message:
        name: CallEnded
        title: call.ended
        payload:
          type: object
          required: [id, type, created, data]
          properties:
            id: {type: string}
            type: {type: string, const: call.ended}
            created: {type: string, format: date-time}
            data:
              type: object
              required: [callId, duration]
              properties:
                callId: {type: string}
                duration: {type: integer, minimum: 0}
`

// talkifaiSpecFile writes talkifaiSpec to a file for --spec.
func talkifaiSpecFile(t *testing.T) string {
	t.Helper()
	spec := filepath.Join(t.TempDir(), "talkifai.yml")
	if err := os.WriteFile(spec, []byte(talkifaiSpec), 0o600); err != nil {
		t.Fatal(err)
	}
	return spec
}

// sendEnv isolates the config folder (dev keys, send state) and returns it.
func sendEnv(t *testing.T) string {
	t.Helper()
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv(verify.EnvTalkifAISecret, "")
	t.Setenv(verify.EnvDialpadSecret, "")
	return cfg
}

// sendJSON runs `send ... --json` and decodes one result per line.
func sendJSON(t *testing.T, args ...string) []sendResult {
	t.Helper()
	code, out, errs := run(t, append(append([]string{"send"}, args...), "--json")...)
	if code != 0 {
		t.Fatalf("send %v: exit %d\n%s\n%s", args, code, out, errs)
	}
	var rs []sendResult
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r sendResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("send line %q: %v", line, err)
		}
		rs = append(rs, r)
	}
	return rs
}

// stored is a delivery as the listener stored it.
type stored struct {
	id, path string
	header   store.Header
	body     []byte
}

// storedDeliveries reads every delivery back, oldest first.
func storedDeliveries(t *testing.T, db string) []stored {
	t.Helper()
	recs := lsJSON(t, db, "--limit", "0")
	var out []stored
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		s := stored{id: r["id"].(string), path: r["path"].(string)}
		hdrs, _ := r["headers"].(map[string]any)
		names := make([]string, 0, len(hdrs))
		for k := range hdrs {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			for _, v := range hdrs[k].([]any) {
				s.header = append(s.header, store.Field{Name: k, Value: v.(string)})
			}
		}
		code, body, errs := run(t, "show", s.id, "--body", "--db", db)
		if code != 0 {
			t.Fatalf("show --body: %s", errs)
		}
		s.body = []byte(body)
		out = append(out, s)
	}
	return out
}

// devVerifier is verify configured as the listener will be: trusting the
// dev keys, with the test secrets.
func devVerifier(t *testing.T, cfg, keysURL string) *verify.Verifier {
	t.Helper()
	keys, err := devkeys.Dir{Path: filepath.Join(cfg, "hookscope", "keys")}.List()
	if err != nil || len(keys) == 0 {
		t.Fatalf("dev keys: %d %v", len(keys), err)
	}
	var local []verify.LocalKey
	for _, k := range keys {
		p, err := k.PublicPEM()
		if err != nil {
			t.Fatal(err)
		}
		local = append(local, verify.LocalKey{ID: k.ID, PEM: p})
	}
	v, err := verify.New(verify.Config{TalkdeskKeys: local, TalkdeskKeysURL: keysURL,
		TalkifAISecret: []byte(testTalkifAISecret), DialpadSecret: []byte(testDialpadSecret)})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSendSignedDeliveriesVerifyValid: one delivery per provider reaches
// the listener, is detected as that provider, verifies as valid (or
// unsigned where the provider signs nothing) and its payload matches its
// message's schema.
func TestSendSignedDeliveriesVerifyValid(t *testing.T) {
	cfg := sendEnv(t)
	t.Setenv(verify.EnvTalkifAISecret, testTalkifAISecret)
	t.Setenv(verify.EnvDialpadSecret, testDialpadSecret)
	spec := talkifaiSpecFile(t)
	l := startListen(t)
	t.Setenv("HOOKSCOPE_ADDR", strings.TrimPrefix(l.url, "http://"))

	cases := []struct {
		message, provider, status, eventType, path string
	}{
		{"app.installed", verify.ProviderTalkdeskEvents, store.SigValid, "app.installed", "/hooks/talkdesk"},
		{"AppTrialEndedEvent", verify.ProviderTalkdeskEvents, store.SigValid, "app.trial_ended", "/hooks/talkdesk"},
		{"call.ended", verify.ProviderTalkifAI, store.SigValid, "call.ended", "/hooks/talkifai"},
		{"CallEvent", verify.ProviderDialpad, store.SigValid, "calling", "/hooks/dialpad"},
		{"contact-created", verify.ProviderTalkdeskTrigger, store.SigUnsigned, "contact-created", "/hooks/webhook-trigger/contact-created"},
		{"MESSAGE_CREATED", verify.ProviderTalkdeskDCE, store.SigUnsigned, "MESSAGE_CREATED", "/automated-notifications/bridge/digital-connect"},
	}
	var sent []sendResult
	for _, c := range cases {
		rs := sendJSON(t, c.message, "--spec", spec)
		if len(rs) != 1 || rs[0].Status != 200 || rs[0].Target != l.url+c.path {
			t.Fatalf("%s: %+v", c.message, rs)
		}
		sent = append(sent, rs[0])
	}
	reg, _, err := asyncapi.Load([]string{spec}, true)
	if err != nil {
		t.Fatal(err)
	}
	v := devVerifier(t, cfg, l.url)
	got := storedDeliveries(t, l.db)
	if len(got) != len(cases) {
		t.Fatalf("listener stored %d deliveries, want %d", len(got), len(cases))
	}
	for i, c := range cases {
		d := got[i]
		res := v.Check(context.Background(), verify.Request{Method: "POST", Path: d.path, Header: d.header, Body: d.body})
		if res.Provider != c.provider || res.Signature.Status != c.status || res.EventType != c.eventType {
			t.Errorf("%s: provider %s, event type %q, signature %+v", c.message, res.Provider, res.EventType, res.Signature)
		}
		m, _ := reg.Message(c.message)
		if errs := m.Validate(res.Payload, d.header); len(errs) != 0 {
			t.Errorf("%s: stored payload does not match its schema: %v", c.message, errs)
		}
		if c.provider == verify.ProviderTalkdeskEvents {
			obj := res.Payload.(map[string]any)
			if obj["event_id"] != obj["id"] || obj["event_id"] != sent[i].EventID || obj["type"] != c.eventType || obj["event_type"] != c.eventType {
				t.Errorf("%s: ids and types disagree: %v (sent %s)", c.message, obj, sent[i].EventID)
			}
			if !strings.HasPrefix(sent[i].SignedWith, "talkdesk-ecdsa:") {
				t.Errorf("signed_with %q", sent[i].SignedWith)
			}
		}
	}
	if ct := got[3].header.Get("Content-Type"); ct != "application/jwt" {
		t.Errorf("Dialpad JWT content type %q", ct)
	}
}

// partnerApp is a receiver written the way Talkdesk's documentation says:
// fetch the key by id from the key endpoint, base64-decode public_key,
// verify ECDSA SHA-512 over the raw body. It answers 200 or 401.
func partnerApp(t *testing.T, keysBase string) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var verdicts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		verdict := partnerVerify(keysBase, r.Header, body)
		mu.Lock()
		verdicts = append(verdicts, verdict)
		mu.Unlock()
		if verdict != "ok" {
			http.Error(w, verdict, http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "accepted")
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), verdicts...) }
}

func partnerVerify(keysBase string, h http.Header, body []byte) string {
	sig, err := hex.DecodeString(h.Get("X-Hub-Ecdsa-Signature"))
	if err != nil {
		return "signature not hex"
	}
	resp, err := http.Get(keysBase + "/events/signature-keys/" + h.Get("X-Hub-Ecdsa-Signature-Id"))
	if err != nil {
		return "key fetch: " + err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Sprintf("key fetch: %d", resp.StatusCode)
	}
	var key struct {
		PublicKey string `json:"public_key"`
		KeyID     string `json:"key_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&key); err != nil {
		return "key response: " + err.Error()
	}
	pemBytes, err := base64.StdEncoding.DecodeString(key.PublicKey)
	if err != nil {
		return "public_key not base64"
	}
	blk, _ := pem.Decode(pemBytes)
	if blk == nil {
		return "public_key not PEM"
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return "public key: " + err.Error()
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return "not an EC key"
	}
	digest := sha512.Sum512(body)
	if !ecdsa.VerifyASN1(ec, digest[:], sig) {
		return "bad signature"
	}
	return "ok"
}

func TestPartnerVerifierAcceptsSendAndRejectsTamper(t *testing.T) {
	sendEnv(t)
	l := startListen(t) // serves the dev keys
	app, verdicts := partnerApp(t, l.url)

	rs := sendJSON(t, "app.installed", "--to", app.URL+"/talkdesk/events")
	if rs[0].Status != 200 || rs[0].ResponseBody != "accepted" {
		t.Fatalf("partner app refused a genuine delivery: %+v %v", rs[0], verdicts())
	}
	rs = sendJSON(t, "app.uninstalled", "--to", app.URL, "--tamper")
	if rs[0].Status != 401 || !rs[0].Tampered {
		t.Fatalf("partner app accepted a tampered delivery: %+v %v", rs[0], verdicts())
	}
	if v := verdicts(); len(v) != 2 || v[0] != "ok" || v[1] != "bad signature" {
		t.Fatalf("verdicts %v", v)
	}
	// The text form says what it did.
	code, out, _ := run(t, "send", "app.updated", "--to", app.URL, "--tamper")
	if code != 0 || !strings.Contains(out, "TAMPERED") || !strings.Contains(out, "< 401") || !strings.Contains(out, "X-Hub-Ecdsa-Signature-Id: ") {
		t.Fatalf("text output (%d):\n%s", code, out)
	}
	// Unknown key ids get 404 and are not recorded as deliveries.
	resp, err := http.Get(l.url + "/events/signature-keys/0123456789abcdef0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("unknown key id: %d", resp.StatusCode)
	}
	if n := len(lsJSON(t, l.db)); n != 0 {
		t.Fatalf("key requests stored as deliveries: %d", n)
	}
}

func TestSendTamperIsInvalidInVerify(t *testing.T) {
	cfg := sendEnv(t)
	t.Setenv(verify.EnvTalkifAISecret, testTalkifAISecret)
	t.Setenv(verify.EnvDialpadSecret, testDialpadSecret)
	spec := talkifaiSpecFile(t)
	l := startListen(t)
	for _, msg := range []string{"app.installed", "call.ended", "SmsEvent"} {
		sendJSON(t, msg, "--tamper", "--to", l.url+"/hooks/x", "--spec", spec)
	}
	v := devVerifier(t, cfg, l.url)
	for _, d := range storedDeliveries(t, l.db) {
		res := v.Check(context.Background(), verify.Request{Method: "POST", Path: d.path, Header: d.header, Body: d.body})
		if res.Signature.Status != store.SigInvalid {
			t.Errorf("%s: tampered delivery judged %+v", res.Provider, res.Signature)
		}
		if res.Provider != verify.ProviderDialpad && !json.Valid(d.body) {
			t.Errorf("tampering broke the JSON: %s", d.body)
		}
	}
}

func TestSendDuplicateAndCount(t *testing.T) {
	cfg := sendEnv(t)
	l := startListen(t)
	to := l.url + "/hooks/talkdesk"

	first := sendJSON(t, "app.installed", "--to", to)[0].EventID
	dup := sendJSON(t, "app.installed", "--to", to, "--duplicate", "--count", "2")
	if dup[0].EventID != first || dup[1].EventID != first {
		t.Fatalf("--duplicate: %s, %s; want %s", dup[0].EventID, dup[1].EventID, first)
	}
	many := sendJSON(t, "app.installed", "--to", to, "--count", "3")
	seen := map[string]bool{first: true}
	for _, r := range many {
		if seen[r.EventID] || len(r.EventID) != 32 {
			t.Fatalf("--count: event id %q repeated or malformed", r.EventID)
		}
		seen[r.EventID] = true
	}
	// The last id sent is what the next --duplicate reuses, across runs.
	if again := sendJSON(t, "app.installed", "--to", to, "--duplicate"); again[0].EventID != many[2].EventID {
		t.Fatalf("--duplicate after --count: %s, want %s", again[0].EventID, many[2].EventID)
	}
	// A message never sent: the first gets a new id, the rest repeat it.
	code, out, errs := run(t, "send", "user.logout", "--to", to, "--duplicate", "--count", "2", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.Contains(errs, "no UserLogoutEvent sent yet") {
		t.Fatalf("duplicate without history: %d %q %q", code, out, errs)
	}
	var a, b sendResult
	json.Unmarshal([]byte(lines[0]), &a)
	json.Unmarshal([]byte(lines[1]), &b)
	if a.EventID == "" || a.EventID != b.EventID {
		t.Fatalf("duplicate without history: %s %s", a.EventID, b.EventID)
	}
	fi, err := os.Stat(filepath.Join(cfg, "hookscope", "send-state.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v", fi, err)
	}
	if n := len(lsJSON(t, l.db, "--limit", "0")); n != 9 {
		t.Fatalf("listener stored %d deliveries, want 9", n)
	}
}

func TestSendSetAndBody(t *testing.T) {
	cfg := sendEnv(t)
	l := startListen(t)
	to := l.url + "/hooks/talkdesk"
	rs := sendJSON(t, "app.installed", "--to", to, "--set", "data.account_id=acc-1", "--set", "/data/seats=12", "--set", "event_id=custom-1")
	if rs[0].EventID != "custom-1" {
		t.Fatalf("event id after --set: %q", rs[0].EventID)
	}
	// A --set that breaks the schema is sent, with a warning.
	code, _, errs := run(t, "send", "app.installed", "--to", to, "--set", "event_id=7")
	if code != 0 || !strings.Contains(errs, "does not match AppInstalledEvent") || !strings.Contains(errs, "/event_id") {
		t.Fatalf("schema-breaking --set: %d %s", code, errs)
	}
	file := filepath.Join(t.TempDir(), "body.json")
	raw := "{ \"id\": \"from-file\",\n  \"type\": \"app.installed\" }\n"
	os.WriteFile(file, []byte(raw), 0o600)
	rs = sendJSON(t, "app.installed", "--to", to, "--body", file)
	if rs[0].EventID != "from-file" {
		t.Fatalf("--body event id %q", rs[0].EventID)
	}
	got := storedDeliveries(t, l.db)
	var first map[string]any
	json.Unmarshal(got[0].body, &first)
	data := first["data"].(map[string]any)
	if data["account_id"] != "acc-1" || data["seats"] != float64(12) || first["event_id"] != "custom-1" {
		t.Fatalf("--set not applied: %s", got[0].body)
	}
	if string(got[2].body) != raw {
		t.Fatalf("--body not sent as is: %q", got[2].body)
	}
	v := devVerifier(t, cfg, l.url)
	if res := v.Check(context.Background(), verify.Request{Method: "POST", Path: got[2].path, Header: got[2].header, Body: got[2].body}); res.Signature.Status != store.SigValid {
		t.Fatalf("--body delivery: %+v", res.Signature)
	}
}

func TestSendUsageAndNetworkErrors(t *testing.T) {
	sendEnv(t)
	file := filepath.Join(t.TempDir(), "b.json")
	os.WriteFile(file, []byte(`{}`), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"send", "app.instaled"}, "did you mean app.installed"},
		{[]string{"send", "nothing-like-it-at-all"}, "send --list"},
		{[]string{"send"}, "MESSAGE"},
		{[]string{"send", "a", "b"}, "MESSAGE"},
		{[]string{"send", "app.installed", "--count", "0"}, "--count"},
		{[]string{"send", "app.installed", "--set", "novalue"}, "--set"},
		{[]string{"send", "app.installed", "--set", "/id/x=1"}, "--set"},
		{[]string{"send", "app.installed", "--body", file, "--set", "a=1"}, "--set"},
		{[]string{"send", "app.installed", "--body", file, "--duplicate"}, "--duplicate"},
		{[]string{"send", "app.installed", "--to", "ftp://x"}, "--to"},
		{[]string{"send", "--list", "app.installed"}, "--list"},
		{[]string{"send", "notifier"}, "--template"},
		{[]string{"send", "notifier", "--template", file, "--trigger", "A call is late"}, "A call is missed"},
	} {
		code, _, errs := run(t, tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 mentioning %q", tc.args, code, errs, tc.want)
		}
	}
	// Nothing listening: a clear message and exit 1.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("HOOKSCOPE_ADDR", addr)
	code, _, errs := run(t, "send", "app.installed")
	if code != 1 || !strings.Contains(errs, "connection refused") || !strings.Contains(errs, "hookscope listen") {
		t.Fatalf("no listener: %d %q", code, errs)
	}
	// A password in --to is not repeated in the error.
	code, out, errs := run(t, "send", "app.installed", "--to", "http://u:pw-s3cret@"+addr+"/x")
	if code != 1 || strings.Contains(errs, "pw-s3cret") || !strings.Contains(errs, "send to http://u:xxxxx@"+addr) {
		t.Fatalf("--to with a password: %d %q", code, errs)
	}
	// Nor in the request line printed on stdout, or --json's target.
	if strings.Contains(out, "pw-s3cret") || !strings.Contains(out, "POST http://u:xxxxx@"+addr+"/x") {
		t.Fatalf("--to with a password: stdout %q", out)
	}
	_, out, _ = run(t, "send", "app.installed", "--json", "--to", "http://u:pw-s3cret@"+addr+"/x")
	if strings.Contains(out, "pw-s3cret") || !strings.Contains(out, `"target":"http://u:xxxxx@`+addr+`/x"`) {
		t.Fatalf("--json --to with a password: stdout %q", out)
	}
	code, out, _ = run(t, "send", "--list")
	if code != 0 || !strings.Contains(out, "AppInstalledEvent") || !strings.Contains(out, "CONVERSATION_ENDED") || !strings.Contains(out, "CallEvent") {
		t.Fatalf("--list: %d\n%s", code, out)
	}
}

func TestSendUnsignedWithoutSecrets(t *testing.T) {
	sendEnv(t)
	spec := talkifaiSpecFile(t)
	l := startListen(t)
	code, out, errs := run(t, "send", "call.ended", "--spec", spec, "--to", l.url+"/hooks/talkifai", "--json")
	if code != 0 || !strings.Contains(errs, "no TalkifAI secret") || !strings.Contains(errs, "which a listener calls invalid") ||
		!strings.Contains(out, `"signed_with":""`) {
		t.Fatalf("talkifai without secret: %d %s %s", code, out, errs)
	}
	code, _, errs = run(t, "send", "CallEvent", "--to", l.url+"/hooks/dialpad")
	if code != 0 || !strings.Contains(errs, "no Dialpad secret") {
		t.Fatalf("dialpad without secret: %d %s", code, errs)
	}
	// A token given as the body goes out as it is: not "plain JSON".
	tok, err := verify.SignDialpadJWT([]byte("someone-elses-secret"), map[string]any{"call_id": 1, "state": "hangup"})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "token.jwt")
	if err := os.WriteFile(file, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = run(t, "send", "CallEvent", "--body", file, "--to", l.url+"/hooks/dialpad-token")
	if code != 0 || !strings.Contains(errs, "the --body token goes out as it is") || strings.Contains(errs, "plain JSON") {
		t.Fatalf("dialpad token body without secret: %d %s", code, errs)
	}
	got := storedDeliveries(t, l.db)
	if got[0].header.Get(verify.HeaderTalkifAISignature) != "" || !json.Valid(got[1].body) {
		t.Fatalf("unsigned deliveries: %v / %s", got[0].header, got[1].body)
	}
	// The unsigned TalkifAI delivery is still TalkifAI's, and invalid, as
	// send said it would be.
	v, err := verify.New(verify.Config{})
	if err != nil {
		t.Fatal(err)
	}
	res := v.Check(context.Background(), verify.Request{Method: "POST", Path: got[0].path, Header: got[0].header, Body: got[0].body})
	if res.Provider != verify.ProviderTalkifAI || res.Signature.Status != store.SigInvalid {
		t.Errorf("unsigned TalkifAI delivery: provider %s, signature %+v", res.Provider, res.Signature)
	}
}

// TestSendWarningsAreTerminalSafe: message names and schema errors come
// from spec files, which may be someone else's; send's warnings on stderr
// never carry their escape sequences.
func TestSendWarningsAreTerminalSafe(t *testing.T) {
	sendEnv(t)
	spec := filepath.Join(t.TempDir(), "evil.yml")
	doc := "asyncapi: 2.6.0\ninfo: {title: Evil, version: '1'}\nchannels:\n  evil:\n    publish:\n      message:\n" +
		"        name: \"Evil\\e]0;pwned\\a\"\n        payload:\n          type: object\n          properties:\n            n: {type: integer}\n"
	if err := os.WriteFile(spec, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	l := startListen(t)
	code, _, errs := run(t, "send", "Evil\x1b]0;pwned\x07", "--spec", spec, "--no-default-specs", "--to", l.url+"/hooks/evil", "--set", "n=text")
	if code != 0 || !strings.Contains(errs, "does not match") {
		t.Fatalf("send: %d %q", code, errs)
	}
	if strings.ContainsAny(errs, "\x1b\x07") {
		t.Fatalf("raw control characters on stderr: %q", errs)
	}
}

// listenOnDefaultDB runs a listener, with extra flags, on a database made
// the default one (HOOKSCOPE_DB) with a fresh config folder, until the
// test ends, and returns its URL and the database.
func listenOnDefaultDB(t *testing.T, extra ...string) (url, db string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db = filepath.Join(t.TempDir(), "h.db")
	t.Setenv("HOOKSCOPE_DB", db)
	var out, errb syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append([]string{"listen", "--no-tui", "--addr", "127.0.0.1:0"}, extra...), strings.NewReader(""), &out, &errb)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return waitListening(t, &errb, done), db
}

// TestSendFindsTheRunningListener: with no --to, send goes to the listener
// running on the default database, wherever it was told to listen, and the
// Talkdesk body's _links.root.href (where a partner app fetches keys) names
// it too.
func TestSendFindsTheRunningListener(t *testing.T) {
	url, db := listenOnDefaultDB(t)

	code, sent, errs := run(t, "send", "app.installed")
	if code != 0 {
		t.Fatalf("send: %d %s", code, errs)
	}
	if !strings.Contains(sent, "> POST "+url+"/") || !strings.Contains(sent, `"href":"`+url+`"`) {
		t.Fatalf("send did not target or name the running listener %s:\n%s", url, sent)
	}
	if rec := waitAnalysed(t, db, 1)[0]; rec["signature"].(map[string]any)["status"] != "valid" {
		t.Fatalf("signature %v", rec["signature"])
	}
}

// TestSendSignsWithTheListenersSecret: a TalkifAI or Dialpad secret the
// listener on the default database was given (a flag, its own
// environment), and this shell was not, still signs what send plays.
func TestSendSignsWithTheListenersSecret(t *testing.T) {
	_, db := listenOnDefaultDB(t, "--talkifai-secret", "tf-listener-only", "--dialpad-secret", "dp-listener-only")

	for i, msg := range []string{"call.ended", "CallEvent"} {
		code, sent, errs := run(t, "send", msg)
		if code != 0 || strings.Contains(errs, "no TalkifAI secret") || strings.Contains(errs, "no Dialpad secret") {
			t.Fatalf("send %s: %d %s", msg, code, errs)
		}
		if strings.Contains(sent+errs, "listener-only") {
			t.Fatalf("send %s printed the secret:\n%s%s", msg, sent, errs)
		}
		if rec := waitAnalysed(t, db, i+1)[0]; rec["signature"].(map[string]any)["status"] != "valid" {
			t.Fatalf("send %s: signature %v", msg, rec["signature"])
		}
	}
	// To another target, the listener's secret is not lent out.
	var sig atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sig.Store(r.Header.Get("X-TalkifAI-Signature"))
	}))
	defer other.Close()
	code, _, errs := run(t, "send", "call.ended", "--to", other.URL+"/in")
	if code != 0 || !strings.Contains(errs, "no TalkifAI secret") || sig.Load() != "" {
		t.Fatalf("send --to another target: exit %d, signature %q: %s", code, sig.Load(), errs)
	}
}
