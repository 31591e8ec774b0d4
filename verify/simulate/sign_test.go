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

// testKeyring is a dev key, a shared secret and a generic --hmac route,
// with a verifier that trusts all three: what the signers of a round trip
// sign with and verify checks with.
type testKeyring struct {
	key    *devkeys.Key
	secret []byte
	hmac   verify.HMACRoute
	v      *verify.Verifier
}

func newTestKeyring(t *testing.T) testKeyring {
	t.Helper()
	key, err := devkeys.Dir{Path: filepath.Join(t.TempDir(), "keys")}.New("p256", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pem, err := key.PublicPEM()
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("round-trip-unit-secret")
	h, err := verify.ParseHMAC("/hooks/acme=X-Acme-Signature:sha512:base64:v1=")
	if err != nil {
		t.Fatal(err)
	}
	h.Secret = []byte("acme-unit-secret")
	v, err := verify.New(verify.Config{TalkdeskKeys: []verify.LocalKey{{ID: key.ID, PEM: pem}},
		TalkdeskKeysURL: "http://127.0.0.1:1", DialpadSecret: secret, TalkifAISecret: secret,
		HMAC: []verify.HMACRoute{h}})
	if err != nil {
		t.Fatal(err)
	}
	return testKeyring{key: key, secret: secret, hmac: h, v: v}
}

// TestSignedDeliveriesVerifyAndTamperedOnesDoNot: for every provider
// hookscope signs as, what Builder and Signer make is what verify accepts
// (same provider, valid signature), and Tamper is caught by the signature
// alone: the body stays well-formed.
func TestSignedDeliveriesVerifyAndTamperedOnesDoNot(t *testing.T) {
	kr := newTestKeyring(t)
	for _, tc := range []struct {
		message string
		signer  Signer
		path    string // "" for DefaultPath
		with    string
	}{
		{"app.installed", Signer{Provider: verify.ProviderTalkdeskEvents, Key: kr.key}, "", verify.SchemeTalkdeskECDSA + ":" + kr.key.ID},
		{"call.ended", Signer{Provider: verify.ProviderTalkifAI, Secret: kr.secret}, "", verify.SchemeTalkifAIHMAC},
		{"CallEvent", Signer{Provider: verify.ProviderDialpad, Secret: kr.secret}, "", verify.SchemeDialpadJWT},
		{"app.installed", Signer{Provider: verify.ProviderHMAC, HMAC: &kr.hmac}, "/hooks/acme/in", verify.SchemeHMAC},
	} {
		t.Run(tc.signer.Provider, func(t *testing.T) {
			m := embeddedMessage(t, tc.message)
			path := tc.path
			if path == "" {
				path = DefaultPath(m)
			}
			b := &Builder{Message: m, Origin: "http://127.0.0.1:8080", Now: time.Now}
			check := func(d *Delivery) verify.Result {
				return kr.v.Check(context.Background(), verify.Request{Method: d.Method, Path: path, Header: d.Header, Body: d.Body})
			}
			d, err := b.Build("")
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.signer.Sign(d); err != nil {
				t.Fatal(err)
			}
			if d.SignedWith != tc.with || d.Unsigned != "" {
				t.Fatalf("signed with %q, unsigned %q", d.SignedWith, d.Unsigned)
			}
			if res := check(d); res.Provider != tc.signer.Provider || res.Signature.Status != store.SigValid {
				t.Fatalf("provider %s, signature %+v", res.Provider, res.Signature)
			}
			d.Tamper()
			if d.Tampered == "" {
				t.Fatal("Tamper says it changed nothing")
			}
			if res := check(d); res.Provider != tc.signer.Provider || res.Signature.Status != store.SigInvalid {
				t.Fatalf("tampered (%s): provider %s, signature %+v", d.Tampered, res.Provider, res.Signature)
			}
			if tc.signer.Provider != verify.ProviderDialpad && !json.Valid(d.Body) {
				t.Fatalf("tampering broke the JSON: %s", d.Body)
			}
		})
	}
}

// TestOneByteChangedFailsVerification: flipping any single byte of a
// signed body (header-signed providers) makes verify refuse it, wherever
// the byte is.
func TestOneByteChangedFailsVerification(t *testing.T) {
	kr := newTestKeyring(t)
	for _, tc := range []struct {
		signer Signer
		path   string
	}{
		{Signer{Provider: verify.ProviderTalkdeskEvents, Key: kr.key}, "/hooks/talkdesk"},
		{Signer{Provider: verify.ProviderTalkifAI, Secret: kr.secret}, "/hooks/talkifai"},
		{Signer{Provider: verify.ProviderHMAC, HMAC: &kr.hmac}, "/hooks/acme"},
	} {
		body := []byte(`{"id":"evt_1","type":"call.ended","data":{"n":1}}`)
		sg, err := tc.signer.SignBody(body)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range []int{0, len(body) / 2, len(body) - 1} {
			b := bytes.Clone(body)
			b[i] ^= 0x01
			res := kr.v.Check(context.Background(), verify.Request{Method: "POST", Path: tc.path, Header: sg.Header, Body: b})
			if res.Signature.Status != store.SigInvalid {
				t.Errorf("%s: byte %d flipped: %+v", tc.signer.Provider, i, res.Signature)
			}
		}
		res := kr.v.Check(context.Background(), verify.Request{Method: "POST", Path: tc.path, Header: sg.Header, Body: body})
		if res.Signature.Status != store.SigValid {
			t.Errorf("%s: untouched body: %+v", tc.signer.Provider, res.Signature)
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
	kr := newTestKeyring(t)
	key, secret, v := kr.key, kr.secret, kr.v
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
	for _, tc := range []struct{ in, eventID, what string }{
		{`{"event_id":"e1","data":{"callId":"call_xyz"}}`, "e1", `one character of "callId"`},
		{`{"created":"2024-01-15T10:34:05Z","type":"credit.low"}`, "", `one character of "created"`},
		// The event id is left alone whatever its key, even when it is
		// the only value with a digit; so is a type, which a letter
		// change would turn into another message.
		{`{"event_id":"e1","type":"call.ended"}`, "e1", "a space appended"},
		{`{"uid":"e1","type":"call.ended","at":"10:31"}`, "e1", `one character of "at"`},
		{`{"type":"credit.low"}`, "", "a space appended"},
		{`{"ok":true,"n":null}`, "", "a space appended"},
		{`{"n":12}`, "", "a space appended"},
		{`n=12&x=y`, "", "byte 3"},
		{`hello`, "", "byte 4"},
		{``, "", "a space appended"},
	} {
		out, what := tamperText([]byte(tc.in), tc.eventID)
		if what != tc.what || bytes.Equal(out, []byte(tc.in)) {
			t.Errorf("%s: %q changed (%s), want %s", tc.in, out, what, tc.what)
		}
		if tc.eventID != "" && !bytes.Contains(out, []byte(`"`+tc.eventID+`"`)) {
			t.Errorf("%s: the event id %s was changed: %s", tc.in, tc.eventID, out)
		}
		if json.Valid([]byte(tc.in)) && !json.Valid(out) {
			t.Errorf("%s: tampered into %s, not JSON", tc.in, out)
		}
	}
	if out, _ := tamperText([]byte(`{"created":"2024-01-15T10:34:05Z"}`), ""); string(out) != `{"created":"2024-01-15T10:34:00Z"}` {
		t.Errorf("a date was tampered into %s, want another date", out)
	}
}

// TestSentDeliveriesAreDetectedAsTheirProvider: every embedded message,
// built, signed when hookscope can sign for it, and sent to DefaultPath,
// is taken by verify for the provider its spec names, so that the paths
// send picks and verify's detection rules cannot drift apart.
func TestSentDeliveriesAreDetectedAsTheirProvider(t *testing.T) {
	kr := newTestKeyring(t)
	reg, err := asyncapi.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range reg.Messages() {
		if m.Provider() == "" {
			continue
		}
		d, err := (&Builder{Message: m, Origin: "http://127.0.0.1:8080", Now: time.Now}).Build("")
		if err != nil {
			t.Fatal(err)
		}
		sg := Signer{Provider: m.Provider(), Key: kr.key, Secret: kr.secret}
		if err := sg.Sign(d); err != nil {
			t.Fatal(err)
		}
		res := kr.v.Check(context.Background(), verify.Request{Method: d.Method, Path: DefaultPath(m), Header: d.Header, Body: d.Body})
		if res.Provider != m.Provider() {
			t.Errorf("%s sent to %s: detected as %s, want %s", m.Name(), DefaultPath(m), res.Provider, m.Provider())
		}
		if sg.CanSign() && res.Signature.Status != store.SigValid {
			t.Errorf("%s: signature %+v", m.Name(), res.Signature)
		}
	}
}

// TestDialpadBodyFileToken: a --body file that is already a Dialpad token
// (one captured, or made by the user's own signer) goes out as it is, as a
// JWT and not labelled JSON, and is announced as the token it is rather
// than as plain JSON or a file that is not JSON, with or without a secret.
func TestDialpadBodyFileToken(t *testing.T) {
	kr := newTestKeyring(t)
	tok, err := verify.SignDialpadJWT(kr.secret, map[string]any{"call_id": 1, "state": "ringing"})
	if err != nil {
		t.Fatal(err)
	}
	b := &Builder{Message: embeddedMessage(t, "CallEvent"), Origin: "http://127.0.0.1:8080", Now: time.Now}
	for _, body := range []string{tok, tok + "\n"} {
		for _, secret := range [][]byte{kr.secret, nil} {
			d := b.FromBody([]byte(body))
			sg := Signer{Provider: verify.ProviderDialpad, Secret: secret}
			if err := sg.Sign(d); err != nil {
				t.Fatal(err)
			}
			if string(d.Body) != body || d.SignedWith != "" {
				t.Errorf("secret %v: body %q signed %q; want the file as it is", secret != nil, d.Body, d.SignedWith)
			}
			if ct := d.Header.Get("Content-Type"); ct != "application/jwt" {
				t.Errorf("secret %v: Content-Type %q, want application/jwt", secret != nil, ct)
			}
			if !strings.Contains(d.Unsigned, "a JWT already") {
				t.Errorf("secret %v: announced as %q", secret != nil, d.Unsigned)
			}
			res := kr.v.Check(context.Background(), verify.Request{Method: d.Method, Path: "/hooks/dialpad", Header: d.Header, Body: d.Body})
			if res.Signature.Status != store.SigValid {
				t.Errorf("secret %v: listener says %+v", secret != nil, res.Signature)
			}
		}
	}
}
