package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/devkeys"
)

// verdictTarget is a partner app that verifies every request it receives
// with v and records the verdicts and bodies.
func verdictTarget(t *testing.T, v *verify.Verifier) (*httptest.Server, func() (verdicts, bodies []string)) {
	var mu sync.Mutex
	var verdicts, bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var h store.Header
		for k, vs := range r.Header {
			for _, val := range vs {
				h = append(h, store.Field{Name: k, Value: val})
			}
		}
		res := v.Check(r.Context(), verify.Request{Method: r.Method, Path: r.URL.Path, Header: h, Body: b, ReceivedAt: time.Now()})
		mu.Lock()
		verdicts = append(verdicts, res.Signature.Status)
		bodies = append(bodies, string(b))
		mu.Unlock()
		w.WriteHeader(204)
	}))
	t.Cleanup(srv.Close)
	return srv, func() ([]string, []string) {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), verdicts...), append([]string(nil), bodies...)
	}
}

// replayFixture is a database holding one delivery and the live view's
// Source over it, with the config folder in a temporary directory.
type replayFixture struct {
	db   *store.DB
	src  uiSource
	keys devkeys.Dir
	cfg  string
}

func newReplayFixture(t *testing.T, signing signingSecrets) *replayFixture {
	t.Helper()
	cfg := t.TempDir()
	e := &env{getenv: func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return cfg
		}
		return ""
	}}
	db, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &replayFixture{db: db, src: newUISource(e, db, nil, signing), keys: e.devKeys(), cfg: cfg}
}

// add stores a delivery with its analysis and returns it as read back.
func (f *replayFixture) add(t *testing.T, path string, h store.Header, body []byte, a store.Analysis) store.Record {
	t.Helper()
	ctx := context.Background()
	ev := &store.Event{ReceivedAt: time.Now(), Method: "POST", Path: path, Header: h, Size: int64(len(body)),
		ContentType: h.Get("Content-Type")}
	if err := f.db.ImportAll(ctx, []*store.Event{ev}, [][]byte{body}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.PutAnalysis(ctx, ev.ID, a); err != nil {
		t.Fatal(err)
	}
	rec, err := f.db.Get(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestReplayEditedTalkdeskResign: an edited Talkdesk delivery re-signed
// with the dev key that signed it verifies valid at a partner-style
// target trusting that key; sent without re-signing it is invalid.
func TestReplayEditedTalkdeskResign(t *testing.T) {
	f := newReplayFixture(t, signingSecrets{})
	k, err := f.keys.New("p256", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"event_id":"e1","type":"app.installed","data":{"account_id":"a1"}}`)
	sig, err := verify.SignTalkdesk(k.Private, body)
	if err != nil {
		t.Fatal(err)
	}
	rec := f.add(t, "/hooks/td", store.Header{{Name: "Content-Type", Value: "application/json"},
		{Name: verify.HeaderTalkdeskSignature, Value: sig}, {Name: verify.HeaderTalkdeskSignatureID, Value: k.ID}}, body,
		store.Analysis{Provider: verify.ProviderTalkdeskEvents, EventType: "app.installed",
			Signature: store.Signature{Status: store.SigValid, Scheme: verify.SchemeTalkdeskECDSA, KeyID: k.ID}})

	pem, err := k.PublicPEM()
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.New(verify.Config{TalkdeskKeys: []verify.LocalKey{{ID: k.ID, PEM: pem}}, TalkdeskKeysURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	target, got := verdictTarget(t, v)

	ok, why := f.src.CanResign(rec)
	if !ok || !strings.Contains(why, k.ID) {
		t.Fatalf("CanResign = %v %q, want true naming the key", ok, why)
	}
	ctx := context.Background()
	editable, err := f.src.EditableBody(ctx, rec.ID)
	if err != nil || string(editable) != string(body) {
		t.Fatalf("editable body %q %v, want the exact bytes", editable, err)
	}
	edited := []byte(strings.Replace(string(body), "a1", "a2", 1))

	// Unmodified replay first: still valid.
	if a, err := f.src.ReplayOne(ctx, rec.ID, target.URL+"/in"); err != nil || a.Status != 204 {
		t.Fatalf("replay: %+v %v", a, err)
	}
	a, err := f.src.ReplayEdited(ctx, rec.ID, target.URL+"/in", edited, true)
	if err != nil || a.Status != 204 || !a.Edited {
		t.Fatalf("re-signed replay: %+v %v", a, err)
	}
	if _, err := f.src.ReplayEdited(ctx, rec.ID, target.URL+"/in", edited, false); err != nil {
		t.Fatal(err)
	}
	verdicts, bodies := got()
	if strings.Join(verdicts, " ") != "valid valid invalid" {
		t.Fatalf("verdicts at the target: %q, want valid (as is), valid (re-signed), invalid (edited only)", verdicts)
	}
	if bodies[1] != string(edited) || bodies[2] != string(edited) {
		t.Fatalf("bodies at the target: %q", bodies)
	}
	rec, _ = f.db.Get(ctx, rec.ID)
	if len(rec.Replays) != 3 || rec.Replays[0].Edited || !rec.Replays[1].Edited || !rec.Replays[2].Edited {
		t.Fatalf("stored attempts %+v", rec.Replays)
	}
	full, err := f.src.Attempt(ctx, rec.ID, 2)
	if err != nil || full.Status != 204 {
		t.Fatalf("Attempt: %+v %v", full, err)
	}

	// A key hookscope does not hold cannot be used.
	other := f.add(t, "/hooks/td", store.Header{{Name: verify.HeaderTalkdeskSignature, Value: sig}, {Name: verify.HeaderTalkdeskSignatureID, Value: "talkdesk-prod-key"}}, body,
		store.Analysis{Provider: verify.ProviderTalkdeskEvents, Signature: store.Signature{Status: store.SigValid}})
	if ok, why := f.src.CanResign(other); ok || !strings.Contains(why, "talkdesk-prod-key") {
		t.Fatalf("CanResign with a foreign key = %v %q", ok, why)
	}
	if _, err := f.src.ReplayEdited(ctx, other.ID, target.URL, edited, true); err == nil {
		t.Fatal("re-signing with a foreign key must fail")
	}
}

// TestReplayEditedDialpadClaims: a Dialpad token is edited as its claims
// JSON; re-signed it is a valid HS256 token again, not re-signed it keeps
// the old signature segment and is invalid.
func TestReplayEditedDialpadClaims(t *testing.T) {
	const secret = "dialpad-edit-secret"
	f := newReplayFixture(t, signingSecrets{dialpad: []byte(secret)})
	tok, err := verify.SignDialpadJWT([]byte(secret), map[string]any{"call_id": 6300000000000001, "state": "hangup"})
	if err != nil {
		t.Fatal(err)
	}
	rec := f.add(t, "/hooks/dialpad", store.Header{{Name: "Content-Type", Value: "application/jwt"}}, []byte(tok),
		store.Analysis{Provider: verify.ProviderDialpad, Signature: store.Signature{Status: store.SigValid, Scheme: verify.SchemeDialpadJWT}})
	ctx := context.Background()
	claims, err := f.src.EditableBody(ctx, rec.ID)
	if err != nil || !strings.Contains(string(claims), `"call_id": 6300000000000001`) {
		t.Fatalf("editable claims %q %v", claims, err)
	}
	v, err := verify.New(verify.Config{DialpadSecret: []byte(secret), Routes: []verify.Route{{Prefix: "/", Provider: verify.ProviderDialpad}}})
	if err != nil {
		t.Fatal(err)
	}
	target, got := verdictTarget(t, v)
	edited := []byte(strings.Replace(string(claims), "hangup", "connected", 1))
	if ok, _ := f.src.CanResign(rec); !ok {
		t.Fatal("the Dialpad secret is configured: CanResign must say yes")
	}
	for _, resign := range []bool{true, false} {
		if _, err := f.src.ReplayEdited(ctx, rec.ID, target.URL, edited, resign); err != nil {
			t.Fatal(err)
		}
	}
	verdicts, bodies := got()
	if strings.Join(verdicts, " ") != "valid invalid" {
		t.Fatalf("verdicts %q (bodies %q)", verdicts, bodies)
	}
	for _, b := range bodies {
		if strings.Count(b, ".") != 2 || strings.Contains(b, "{") {
			t.Fatalf("sent %q, want a compact token", b)
		}
	}
}

// TestCanResignReasons: the sentence names what is missing.
func TestCanResignReasons(t *testing.T) {
	f := newReplayFixture(t, signingSecrets{hmac: []verify.HMACRoute{{Name: "GH", Prefix: "/gh", Header: "X-Sig", Algo: "sha256", Encoding: "hex"}}})
	for _, tc := range []struct {
		rec  store.Record
		want string
	}{
		{store.Record{}, "not analysed"},
		{store.Record{Analysis: &store.Analysis{Provider: verify.ProviderTalkifAI}}, verify.EnvTalkifAISecret},
		{store.Record{Analysis: &store.Analysis{Provider: verify.ProviderDialpad}}, verify.EnvDialpadSecret},
		{store.Record{Event: store.Event{Path: "/gh/x"}, Analysis: &store.Analysis{Provider: verify.ProviderHMAC}}, "HOOKSCOPE_GH_SECRET"},
		{store.Record{Event: store.Event{Path: "/other"}, Analysis: &store.Analysis{Provider: verify.ProviderHMAC}}, "no --hmac route"},
		{store.Record{Analysis: &store.Analysis{Provider: verify.ProviderTalkdeskTrigger, Signature: store.Signature{Status: store.SigUnsigned}}}, "not signed"},
	} {
		ok, why := f.src.CanResign(tc.rec)
		if ok || !strings.Contains(why, tc.want) {
			t.Errorf("%+v: CanResign = %v %q, want false mentioning %q", tc.rec.Analysis, ok, why, tc.want)
		}
	}
}

// TestRecentTargetsFile: newest first, no duplicates, at most ten, mode
// 0600.
func TestRecentTargetsFile(t *testing.T) {
	f := newReplayFixture(t, signingSecrets{})
	ctx := context.Background()
	for i := 0; i < 12; i++ {
		if err := f.src.AddRecentTarget(ctx, "http://localhost:"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.src.AddRecentTarget(ctx, "http://localhost:e"); err != nil {
		t.Fatal(err)
	}
	got, err := f.src.RecentTargets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != ui.MaxRecentTargets || got[0] != "http://localhost:e" || got[1] != "http://localhost:l" {
		t.Fatalf("recent %q", got)
	}
	fi, err := os.Stat(filepath.Join(f.cfg, "hookscope", "replay-targets"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v %v", fi, err)
	}
	if err := f.src.AddRecentTarget(ctx, "http://x\nevil"); err == nil {
		t.Fatal("a target with a newline must be refused")
	}
}
