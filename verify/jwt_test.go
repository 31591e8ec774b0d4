package verify

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

var dialpadSecret = []byte("test-dialpad-secret")

// makeJWT builds a token with any header, signing HS256/HS512 with secret
// and leaving other algorithms with sig as given.
func makeJWT(header, claims string, secret []byte, sig string) string {
	enc := base64.RawURLEncoding.EncodeToString
	input := enc([]byte(header)) + "." + enc([]byte(claims))
	var h struct{ Alg string }
	json.Unmarshal([]byte(header), &h)
	switch {
	case sig != "":
		return input + "." + sig
	case h.Alg == "HS256":
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(input))
		return input + "." + enc(m.Sum(nil))
	case h.Alg == "HS512":
		m := hmac.New(sha512.New, secret)
		m.Write([]byte(input))
		return input + "." + enc(m.Sum(nil))
	}
	return input + "."
}

// paddedJWT is a token whose parts keep base64's '=' padding, signed over
// the parts as they are: what a hand-rolled signer using Python's
// base64.urlsafe_b64encode makes.
func paddedJWT(header, claims string, secret []byte) string {
	enc := base64.URLEncoding.EncodeToString
	input := enc([]byte(header)) + "." + enc([]byte(claims))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return input + "." + enc(m.Sum(nil))
}

// stdJWT is a token encoded with the standard base64 alphabet, signed over
// the parts as they are: what a signer using plain base64 makes. Its claims
// hold "??>", which encodes to "Pz8+", so the token has a '+' whatever the
// signature.
func stdJWT(header string, secret []byte) string {
	enc := base64.RawStdEncoding.EncodeToString
	input := enc([]byte(header)) + "." + enc([]byte(`{"call_id":1,"state":"ringing","x":"??>"}`))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return input + "." + enc(m.Sum(nil))
}

func TestDialpadNodeFixture(t *testing.T) {
	tok := strings.TrimSpace(string(readFixture(t, "node-dialpad.jwt")))
	v := mustNew(t, Config{DialpadSecret: dialpadSecret})
	got := check(v, Request{Path: "/dp", Body: []byte(tok + "\n"), Header: hdr("Content-Type", "application/jwt")})
	wantSig(t, got, store.SigValid, "HS256 signature matches")
	if got.Provider != ProviderDialpad || got.PayloadKind != KindJWT || got.EventType != "hangup" {
		t.Fatalf("result %+v", got)
	}
	claims := got.Payload.(map[string]any)
	if id := claims["call_id"].(json.Number).String(); id != "6543210987654321012" {
		t.Errorf("call_id %s: not decoded exactly", id)
	}
	if got.Signature.Algorithm != "jwt-hs256" || got.Signature.Scheme != SchemeDialpadJWT {
		t.Errorf("signature %+v", got.Signature)
	}
}

func TestDialpadJWT(t *testing.T) {
	const hs256 = `{"alg":"HS256","typ":"JWT"}`
	claims := `{"call_id":1,"state":"ringing"}`
	good := makeJWT(hs256, claims, dialpadSecret, "")
	exp := func(ts time.Time) string {
		return `{"call_id":1,"state":"hangup","exp":` + itoa(ts.Unix()) + `}`
	}
	nbf := func(ts time.Time) string {
		return `{"call_id":1,"state":"hangup","nbf":` + itoa(ts.Unix()) + `}`
	}
	tests := []struct {
		name   string
		body   string
		secret []byte
		status string
		reason string
	}{
		{"valid", good, dialpadSecret, store.SigValid, "matches"},
		{"surrounding whitespace", "\r\n  " + good + "\n\n", dialpadSecret, store.SigValid, "matches"},
		{"JSON-quoted", `"` + good + `"`, dialpadSecret, store.SigValid, "matches"},
		{"JSON-quoted with spaces", ` "` + good + "\"\n", dialpadSecret, store.SigValid, "matches"},
		{"no secret", good, nil, store.SigUnverifiable, "no Dialpad secret configured: set HOOKSCOPE_DIALPAD_SECRET or secrets.dialpad (a listener reads it when it starts); `hookscope verify ID` checks a stored delivery again"},
		{"wrong secret", good, []byte("other"), store.SigInvalid, "JWT signature does not match"},
		{"bad signature", good[:len(good)-4] + "AAAA", dialpadSecret, store.SigInvalid, "JWT signature does not match"},
		{"claims changed", makeJWT(hs256, `{"call_id":2,"state":"ringing"}`, nil, good[strings.LastIndexByte(good, '.')+1:]), dialpadSecret, store.SigInvalid, "does not match"},
		{"alg none", makeJWT(`{"alg":"none"}`, claims, nil, ""), dialpadSecret, store.SigInvalid, `JWT alg is "none": the token is unsigned`},
		{"alg None", makeJWT(`{"alg":"None"}`, claims, nil, ""), dialpadSecret, store.SigInvalid, "unsigned"},
		{"alg RS256", makeJWT(`{"alg":"RS256"}`, claims, nil, "c2ln"), dialpadSecret, store.SigInvalid, `JWT alg is "RS256"; only HS256 is accepted`},
		{"alg HS512", makeJWT(`{"alg":"HS512"}`, claims, dialpadSecret, ""), dialpadSecret, store.SigInvalid, `JWT alg is "HS512"; only HS256 is accepted`},
		{"alg hs256 lower case", makeJWT(`{"alg":"hs256"}`, claims, nil, "c2ln"), dialpadSecret, store.SigInvalid, "only HS256"},
		{"crit header", makeJWT(`{"alg":"HS256","crit":["b64"],"b64":false}`, claims, dialpadSecret, ""), dialpadSecret, store.SigInvalid, "crit"},
		{"short signature", makeJWT(hs256, claims, nil, "c2ln"), dialpadSecret, store.SigInvalid, "JWT signature is 3 bytes; HS256 gives 32"},
		{"empty signature", good[:strings.LastIndexByte(good, '.')+1], dialpadSecret, store.SigInvalid, "JWT signature is 0 bytes"},
		{"one-byte signature", makeJWT(hs256, claims, nil, "AA"), dialpadSecret, store.SigInvalid, "JWT signature is 1 byte; HS256 gives 32"},
		{"signature with trailing bits set", setTrailingBit(good), dialpadSecret, store.SigInvalid, "JWT signature is not canonical base64url: the unused bits of its last character are set"},
		{"signature not base64url", makeJWT(hs256, claims, nil, "AAAAA"), dialpadSecret, store.SigInvalid, "JWT signature is not base64url"},
		{"expired", makeJWT(hs256, exp(testNow.Add(-time.Hour)), dialpadSecret, ""), dialpadSecret, store.SigInvalid, "JWT expired at 2026-03-01T11:00:00Z"},
		// Without the secret the signature cannot be judged, but the
		// expiry can: the reason says it.
		{"expired, no secret", makeJWT(hs256, exp(testNow.Add(-time.Hour)), dialpadSecret, ""), nil, store.SigUnverifiable, "no Dialpad secret configured: set HOOKSCOPE_DIALPAD_SECRET or secrets.dialpad (a listener reads it when it starts); `hookscope verify ID` checks a stored delivery again; even so, JWT expired at 2026-03-01T11:00:00Z"},
		{"not yet valid, no secret", makeJWT(hs256, nbf(testNow.Add(time.Hour)), dialpadSecret, ""), nil, store.SigUnverifiable, "even so, JWT is not valid before 2026-03-01T13:00:00Z"},
		{"exp within leeway", makeJWT(hs256, exp(testNow.Add(-30*time.Second)), dialpadSecret, ""), dialpadSecret, store.SigValid, "matches"},
		{"exp in future", makeJWT(hs256, exp(testNow.Add(time.Hour)), dialpadSecret, ""), dialpadSecret, store.SigValid, "matches"},
		{"exp not a number", makeJWT(hs256, `{"call_id":1,"state":"hangup","exp":"tomorrow"}`, dialpadSecret, ""), dialpadSecret, store.SigInvalid, "JWT exp claim is not a number"},
		{"exp absurd", makeJWT(hs256, `{"call_id":1,"state":"hangup","exp":1e300}`, dialpadSecret, ""), dialpadSecret, store.SigInvalid, "not a usable date"},
		{"nbf in future", makeJWT(hs256, nbf(testNow.Add(time.Hour)), dialpadSecret, ""), dialpadSecret, store.SigInvalid, "JWT is not valid before 2026-03-01T13:00:00Z"},
		{"nbf in past", makeJWT(hs256, nbf(testNow.Add(-time.Hour)), dialpadSecret, ""), dialpadSecret, store.SigValid, "matches"},
		{"claims not an object", makeJWT(hs256, `[1,2]`, dialpadSecret, ""), dialpadSecret, store.SigInvalid, "JWT claims are not a JSON object"},
		{"padded base64", paddedJWT(hs256, claims, dialpadSecret), dialpadSecret, store.SigInvalid, "JWT parts end in '=' padding: a compact JWT is unpadded base64url (RFC 7515), as Dialpad sends it, and strict verifiers refuse it (its HS256 signature over the padded parts matches the Dialpad secret)"},
		{"padded base64, wrong secret", paddedJWT(hs256, claims, []byte("other")), dialpadSecret, store.SigInvalid, "'=' padding: a compact JWT is unpadded base64url (RFC 7515), as Dialpad sends it, and strict verifiers refuse it (nor does its signature match the Dialpad secret)"},
		{"padded base64, no secret", paddedJWT(hs256, claims, dialpadSecret), nil, store.SigInvalid, "'=' padding"},
		// Malformed tokens used to pass as an unknown sender's text.
		{"no alg", makeJWT(`{"typ":"JWT"}`, claims, nil, "c2ln"), dialpadSecret, store.SigInvalid, "JWT header names no alg: a signed token says how it is signed; only HS256 is accepted"},
		{"alg not a string", makeJWT(`{"alg":256}`, claims, nil, "c2ln"), dialpadSecret, store.SigInvalid, "JWT header names no alg"},
		{"standard base64", stdJWT(hs256, dialpadSecret), dialpadSecret, store.SigInvalid, "JWT parts use standard base64 ('+' or '/'): a compact JWT is base64url (RFC 7515)"},
		{"standard base64, no secret", stdJWT(hs256, dialpadSecret), nil, store.SigInvalid, "standard base64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := mustNew(t, Config{DialpadSecret: tc.secret})
			got := check(v, Request{Path: "/anything", Body: []byte(tc.body)})
			if got.Provider != ProviderDialpad {
				t.Fatalf("provider %q", got.Provider)
			}
			wantSig(t, got, tc.status, tc.reason)
			if _, isObj := got.Payload.(map[string]any); tc.name != "claims not an object" && (!isObj || got.PayloadKind != KindJWT) {
				t.Errorf("claims not shown: kind %q payload %v err %q", got.PayloadKind, got.Payload, got.PayloadErr)
			}
		})
	}
}

func TestDialpadPlainJSON(t *testing.T) {
	body := []byte(`{"call_id":6543210987654321012,"state":"connected","direction":"inbound"}`)
	for _, secret := range [][]byte{nil, dialpadSecret} {
		v := mustNew(t, Config{DialpadSecret: secret})
		got := check(v, Request{Path: "/x", Body: body, Header: hdr("Content-Type", "application/json")})
		wantSig(t, got, store.SigUnsigned, "plain JSON")
		if got.Provider != ProviderDialpad || got.EventType != "connected" {
			t.Errorf("result %+v", got)
		}
		if secret != nil && !strings.Contains(got.Signature.Reason, "secret is configured") {
			t.Errorf("reason %q does not mention the configured secret", got.Signature.Reason)
		}
		if strings.Contains(got.Signature.Reason, string(dialpadSecret)) {
			t.Fatal("secret leaked into a reason")
		}
	}
	v := mustNew(t, Config{Routes: []Route{{"/dp", ProviderDialpad}}})
	wantSig(t, check(v, Request{Path: "/dp/hook", Body: []byte("hello")}), store.SigInvalid, "neither a JWT nor JSON")
}

func TestSignDialpadJWT(t *testing.T) {
	tok, err := SignDialpadJWT(dialpadSecret, map[string]any{"event": "Created", "contact": map[string]any{"id": "c1"}})
	if err != nil {
		t.Fatal(err)
	}
	v := mustNew(t, Config{DialpadSecret: dialpadSecret})
	got := check(v, Request{Path: "/", Body: []byte(tok)})
	wantSig(t, got, store.SigValid, "matches")
	if got.EventType != "Created" {
		t.Errorf("event type %q", got.EventType)
	}
	if _, err := SignDialpadJWT(nil, map[string]any{}); err == nil {
		t.Error("signed with an empty secret")
	}
}

// setTrailingBit flips the last, unused bit of a token's 43-character
// HS256 signature: the same bytes decode, in a token no signer produced.
func setTrailingBit(tok string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, tok[len(tok)-1])
	return tok[:len(tok)-1] + string(alphabet[i^1])
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestDialpadIgnoresContentType: Dialpad's Content-Type is undocumented, so
// a JWT labelled application/json is still a JWT, with no JSON error shown.
func TestDialpadIgnoresContentType(t *testing.T) {
	tok := strings.TrimSpace(string(readFixture(t, "node-dialpad.jwt")))
	v := mustNew(t, Config{DialpadSecret: dialpadSecret})
	for _, ct := range []string{"application/json", "text/plain", "application/x-www-form-urlencoded", ""} {
		got := check(v, Request{Path: "/", Body: []byte(tok), Header: hdr("Content-Type", ct)})
		if got.Signature.Status != store.SigValid || got.PayloadKind != KindJWT || got.PayloadErr != "" {
			t.Errorf("%q: %+v kind %q err %q", ct, got.Signature, got.PayloadKind, got.PayloadErr)
		}
	}
}

func TestJWTSegments(t *testing.T) {
	tok, err := SignDialpadJWT([]byte("s3cret"), map[string]any{"call_id": 1, "state": "ringing"})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(tok, ".")
	tests := []struct {
		name, body string
		ok         bool
	}{
		{"bare", tok, true},
		{"surrounded by whitespace", "\n  " + tok + "\r\n", true},
		{"as a JSON string", `"` + tok + `"`, true},
		{"JSON object", `{"call_id":1}`, false},
		{"two segments", want[0] + "." + want[1], false},
		{"a character outside base64url", tok[:10] + "+" + tok[11:], false},
		{"header that is not JSON", "bm90anNvbg." + want[1] + "." + want[2], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := JWTSegments([]byte(tt.body))
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok && (got[0] != want[0] || got[1] != want[1] || got[2] != want[2]) {
				t.Errorf("segments %q, want %q", got, want)
			}
		})
	}
}
