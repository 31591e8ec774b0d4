package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/hookscope/hookscope/verify/asyncapi"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/devkeys"
)

// TestSignedDeliveriesVerifyAndTamperedOnesDoNot: what Builder and Signer
// make is what verify accepts, and Tamper is caught by the signature
// alone: the body stays well-formed.
func TestSignedDeliveriesVerifyAndTamperedOnesDoNot(t *testing.T) {
	key, err := devkeys.Dir{Path: filepath.Join(t.TempDir(), "keys")}.New("p256", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pem, err := key.PublicPEM()
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("dialpad-unit-secret")
	v, err := verify.New(verify.Config{TalkdeskKeys: []verify.LocalKey{{ID: key.ID, PEM: pem}},
		TalkdeskKeysURL: "http://127.0.0.1:1", DialpadSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		message string
		signer  Signer
		with    string
	}{
		{"app.installed", Signer{Provider: verify.ProviderTalkdeskEvents, Key: key}, verify.SchemeTalkdeskECDSA + ":" + key.ID},
		{"CallEvent", Signer{Provider: verify.ProviderDialpad, Secret: secret}, verify.SchemeDialpadJWT},
	} {
		m := embeddedMessage(t, tc.message)
		b := &Builder{Message: m, Origin: "http://127.0.0.1:8080", Now: time.Now}
		check := func(d *Delivery) store.Signature {
			return v.Check(context.Background(), verify.Request{Method: d.Method, Path: DefaultPath(m), Header: d.Header, Body: d.Body}).Signature
		}
		d, err := b.Build("")
		if err != nil {
			t.Fatal(err)
		}
		if err := tc.signer.Sign(d); err != nil {
			t.Fatal(err)
		}
		if d.SignedWith != tc.with || d.Unsigned != "" {
			t.Fatalf("%s: signed with %q, unsigned %q", tc.message, d.SignedWith, d.Unsigned)
		}
		if sig := check(d); sig.Status != store.SigValid {
			t.Fatalf("%s: %+v", tc.message, sig)
		}
		d.Tamper()
		if d.Tampered == "" {
			t.Fatalf("%s: Tamper says it changed nothing", tc.message)
		}
		if sig := check(d); sig.Status != store.SigInvalid {
			t.Fatalf("%s tampered: %+v", tc.message, sig)
		}
		if tc.signer.Provider != verify.ProviderDialpad && !json.Valid(d.Body) {
			t.Fatalf("%s: tampering broke the JSON: %s", tc.message, d.Body)
		}
	}
}

// TestUnsignedSaysWhy: a delivery goes out without a signature, as the
// provider would send it, and Unsigned names the reason.
func TestUnsignedSaysWhy(t *testing.T) {
	for _, tc := range []struct {
		signer Signer
		body   string
		want   string
	}{
		{Signer{Provider: verify.ProviderTalkifAI}, `{}`, "no TalkifAI secret"},
		{Signer{Provider: verify.ProviderDialpad}, `{}`, "plain JSON"},
		{Signer{Provider: verify.ProviderDialpad, Secret: []byte("s")}, `a.b.c`, "not JSON"},
		{Signer{Provider: verify.ProviderTalkdeskTrigger}, `{}`, "documents no signature"},
		{Signer{}, `{}`, "does not say which provider"},
	} {
		d := &Delivery{Body: []byte(tc.body)}
		if err := tc.signer.Sign(d); err != nil {
			t.Fatal(err)
		}
		if d.SignedWith != "" || !strings.Contains(d.Unsigned, tc.want) || string(d.Body) != tc.body {
			t.Errorf("%s: signed %q, unsigned %q, body %q; want unsigned mentioning %q", tc.signer.Provider, d.SignedWith, d.Unsigned, d.Body, tc.want)
		}
	}
}

// TestTamperKeepsEveryMessageValid: for every embedded message of a
// provider that signs, a tampered delivery fails the signature check and
// nothing else: the body (or a JWT's claims) still matches its message, so
// the receiver is not told of a bad date or enum value hookscope made up.
func TestTamperKeepsEveryMessageValid(t *testing.T) {
	key, err := devkeys.Dir{Path: filepath.Join(t.TempDir(), "keys")}.New("p256", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pem, err := key.PublicPEM()
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("tamper-unit-secret")
	v, err := verify.New(verify.Config{TalkdeskKeys: []verify.LocalKey{{ID: key.ID, PEM: pem}},
		TalkdeskKeysURL: "http://127.0.0.1:1", DialpadSecret: secret, TalkifAISecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := asyncapi.Default()
	if err != nil {
		t.Fatal(err)
	}
	signed := 0
	for _, m := range reg.Messages() {
		sg := Signer{Provider: m.Provider(), Key: key, Secret: secret}
		if !sg.CanSign() {
			continue
		}
		signed++
		b := &Builder{Message: m, Origin: "http://127.0.0.1:8080", Now: time.Now}
		d, err := b.Build("")
		if err != nil {
			t.Fatal(err)
		}
		if err := sg.Sign(d); err != nil {
			t.Fatal(err)
		}
		d.Tamper()
		res := v.Check(context.Background(), verify.Request{Method: d.Method, Path: DefaultPath(m), Header: d.Header, Body: d.Body})
		if res.Signature.Status != store.SigInvalid {
			t.Errorf("%s tampered (%s): signature %+v", m.Name(), d.Tampered, res.Signature)
		}
		sr := reg.Check(asyncapi.Delivery{Provider: res.Provider, Path: DefaultPath(m), Header: d.Header,
			Payload: res.Payload, PayloadKind: res.PayloadKind, PayloadErr: res.PayloadErr})
		if sr.Status != store.SchemaValid || sr.Message != m.Name() {
			t.Errorf("%s tampered (%s): schema %s %s %v, want valid", m.Name(), d.Tampered, sr.Status, sr.Message, sr.Errors)
		}
	}
	if signed == 0 {
		t.Fatal("no embedded message of a signing provider")
	}
}

// TestTamperText: the change keeps the text well-formed JSON and says what
// it changed, whatever the body holds.
func TestTamperText(t *testing.T) {
	for _, tc := range []struct{ in, what string }{
		{`{"event_id":"e1","data":{"callId":"call_xyz"}}`, `one character of "callId"`},
		{`{"created":"2024-01-15T10:34:05Z","type":"credit.low"}`, `one character of "created"`},
		{`{"ok":true,"n":null}`, "a space appended"},
		{`{"n":12}`, "byte 6"},
		{``, "a space appended"},
	} {
		out, what := tamperText([]byte(tc.in))
		if what != tc.what || bytes.Equal(out, []byte(tc.in)) {
			t.Errorf("%s: %q changed (%s), want %s", tc.in, out, what, tc.what)
		}
		if tc.in != "" && !json.Valid(out) {
			t.Errorf("%s: tampered into %s, not JSON", tc.in, out)
		}
	}
	if out, _ := tamperText([]byte(`{"created":"2024-01-15T10:34:05Z"}`)); string(out) != `{"created":"2024-01-15T10:34:00Z"}` {
		t.Errorf("a date was tampered into %s, want another date", out)
	}
}
