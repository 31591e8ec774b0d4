package verify

import (
	"context"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
)

// FuzzSignatureHeader throws arbitrary X-Hub-Ecdsa-Signature values at the
// hex decoder, the DER / raw r||s parser and the verifier on every curve.
func FuzzSignatureHeader(f *testing.F) {
	body := readFixture(f, "body.json")
	for _, c := range []string{"p256", "p384", "p521"} {
		f.Add(strings.TrimSpace(string(readFixture(f, "openssl-"+c+".sig.hex"))))
	}
	f.Add("")
	f.Add("3006020100020100")
	f.Add("30800201010201010000")
	f.Add(strings.Repeat("00", 64))
	f.Add(strings.Repeat("ff", 132))
	f.Add("zz")
	var keys []*ecdsa.PublicKey
	for _, c := range []string{"p256", "p384", "p521"} {
		pub, err := ParsePublicKey(readFixture(f, "openssl-"+c+".pub.pem"))
		if err != nil {
			f.Fatal(err)
		}
		keys = append(keys, pub)
	}
	f.Fuzz(func(t *testing.T, header string) {
		raw, err := decodeSignatureHeader(header)
		if err != nil {
			if !strings.HasPrefix(err.Error(), HeaderTalkdeskSignature) {
				t.Fatalf("reason %q does not name the header", err)
			}
			return
		}
		for _, k := range keys {
			sig, err := parseECDSASignature(raw, k.Curve)
			if err != nil {
				continue
			}
			if sig.der == nil && sig.r == nil {
				t.Fatal("parsed signature holds nothing")
			}
			verifyECDSA(k, body, sig)
		}
	})
}

// FuzzParsePublicKey checks that any input either fails with a reason or
// yields a key on a Talkdesk curve that survives an encode/parse round trip.
func FuzzParsePublicKey(f *testing.F) {
	for _, c := range []string{"p256", "p384", "p521"} {
		for _, form := range []string{"pub.pem", "pub.b64pem", "pub.b64der"} {
			f.Add(readFixture(f, "openssl-"+c+"."+form))
		}
	}
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\n\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte(base64.StdEncoding.EncodeToString([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))))
	f.Add([]byte("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"))
	f.Fuzz(func(t *testing.T, in []byte) {
		pub, err := ParsePublicKey(in)
		if err != nil {
			if pub != nil {
				t.Fatal("key and error")
			}
			return
		}
		if curveName(pub.Curve) == "" {
			t.Fatalf("key on %s accepted", pub.Curve.Params().Name)
		}
		enc, err := EncodePublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParsePublicKey([]byte(enc))
		if err != nil || !again.Equal(pub) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzJWT feeds arbitrary bodies to the JWT extractor, parser and strict
// HS256 check. A valid verdict must mean an HS256 header and a signature
// this package would itself produce for that signing input.
func FuzzJWT(f *testing.F) {
	f.Add(strings.TrimSpace(string(readFixture(f, "node-dialpad.jwt"))))
	good, _ := SignDialpadJWT(dialpadSecret, map[string]any{"call_id": 1, "state": "hangup", "exp": 1, "nbf": 1e12})
	f.Add(good)
	f.Add(`"` + good + `"`)
	f.Add("eyJhbGciOiJub25lIn0.eyJhIjoxfQ.")
	f.Add("eyJhbGciOiJIUzI1NiJ9..")
	f.Add("a.b.c")
	f.Add(`"\u0065yJ"`)
	f.Fuzz(func(t *testing.T, body string) {
		jt, ok := extractJWT([]byte(body))
		if !ok {
			return
		}
		sig := verifyDialpadJWT(jt, dialpadSecret, testNow)
		if sig.Status == store.SigValid {
			if jt.alg != "HS256" || jt.claims == nil {
				t.Fatalf("valid verdict for alg %q", jt.alg)
			}
			m := hmac.New(sha256.New, dialpadSecret)
			m.Write([]byte(jt.signingInput))
			if jt.sig != base64.RawURLEncoding.EncodeToString(m.Sum(nil)) {
				t.Fatal("valid verdict for a signature this package would not produce")
			}
		}
		if strings.Contains(sig.Reason, string(dialpadSecret)) {
			t.Fatal("secret in reason")
		}
	})
}

// failingTransport makes any key fetch fail at once, keeping fuzzing off
// the network.
type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network in fuzzing")
}

// FuzzCheck runs whole Checks on arbitrary paths, headers and bodies.
func FuzzCheck(f *testing.F) {
	f.Add("/td", "X-Hub-Ecdsa-Signature", strings.TrimSpace(string(readFixture(f, "openssl-p256.sig.hex"))), true, readFixture(f, "body.json"))
	f.Add("/x", "X-TalkifAI-Signature", "sha256=00", false, []byte(`{"type":"call.ended","id":"e"}`))
	f.Add("/webhook-trigger/contact-created", "Authorization", "Bearer x", false, []byte(`<a>{{x}}</a>`))
	f.Add("/n", "Content-Type", "application/json", false, []byte(`{"event_type":"MESSAGE_CREATED","conversation_id":1}`))
	f.Add("/", "Content-Type", "text/plain", false, []byte(strings.TrimSpace(string(readFixture(f, "node-dialpad.jwt")))))
	pemKey := readFixture(f, "openssl-p256.pub.pem")
	v, err := New(Config{
		Routes:         []Route{{"/n", ProviderTalkdeskNotifier}},
		TalkdeskKeys:   []LocalKey{{ID: "k1", PEM: pemKey}},
		TalkifAISecret: talkifaiSecret, DialpadSecret: dialpadSecret,
		Client: &http.Client{Transport: failingTransport{}},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path, name, value string, withKeyID bool, body []byte) {
		h := store.Header{{Name: name, Value: value}}
		if withKeyID {
			h = append(h, store.Field{Name: HeaderTalkdeskSignatureID, Value: "k1"})
		}
		r := v.Check(context.Background(), Request{Path: path, Header: h, Body: body})
		if r.Provider == "" || r.Signature.Status == "" || r.PayloadKind == "" {
			t.Fatalf("incomplete result %+v", r)
		}
		for _, s := range []string{string(talkifaiSecret), string(dialpadSecret)} {
			if strings.Contains(r.Signature.Reason, s) || strings.Contains(strings.Join(r.Notes, ""), s) {
				t.Fatal("secret leaked")
			}
		}
	})
}
