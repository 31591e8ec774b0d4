package verify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// addRaw serves a key document with public_key exactly as given.
func (ks *keyServer) addRaw(id, publicKey string, expires time.Time) {
	kr := KeyResponse{PublicKey: publicKey, KeyID: id}
	if !expires.IsZero() {
		kr.ExpiresAt = expires.Format(time.RFC3339)
	}
	b, _ := json.Marshal(kr)
	ks.mu.Lock()
	ks.docs[id] = string(b)
	ks.mu.Unlock()
}

func tamper(b []byte) []byte {
	out := bytes.Clone(b)
	i := bytes.IndexByte(out, 's') // inside "starship"
	out[i] = 'S'
	return out
}

// TestTalkdeskOpenSSLFixtures is the "done when": a body signed with
// openssl dgst -sha512 -sign, the key served by a local stand-in of the key
// endpoint in each documented form, is valid; one byte changed is invalid.
func TestTalkdeskOpenSSLFixtures(t *testing.T) {
	body := readFixture(t, "body.json")
	for _, curve := range []string{"p256", "p384", "p521"} {
		sig := strings.TrimSpace(string(readFixture(t, "openssl-"+curve+".sig.hex")))
		for _, form := range []string{"pub.pem", "pub.b64pem", "pub.b64der"} {
			t.Run(curve+"/"+form, func(t *testing.T) {
				ks := newKeyServer(t)
				ks.addRaw("k1", string(readFixture(t, "openssl-"+curve+"."+form)), time.Time{})
				v := mustNew(t, Config{TalkdeskKeysURL: ks.URL})
				r := Request{Method: "POST", Path: "/td", Body: body, Header: hdr(HeaderTalkdeskSignature, sig, HeaderTalkdeskSignatureID, "k1")}
				got := check(v, r)
				wantSig(t, got, store.SigValid, "matches Talkdesk key k1")
				if got.Provider != ProviderTalkdeskEvents || got.EventType != "app.installed" || got.ProviderEventID != "8b62e0c6001548d7b59f8240d79cb0d7" {
					t.Errorf("provider/type/id = %q %q %q", got.Provider, got.EventType, got.ProviderEventID)
				}
				if got.Signature.Algorithm != "ecdsa-"+curve+"-sha512" || got.Signature.KeyID != "k1" || got.Signature.Scheme != SchemeTalkdeskECDSA {
					t.Errorf("signature = %+v", got.Signature)
				}
				r.Body = tamper(body)
				wantSig(t, check(v, r), store.SigInvalid, "signature does not match the body: the body was modified or signed with another key")
			})
		}
	}
}

// TestTalkdeskNodeFixtures checks signatures made by Node's crypto, DER and
// IEEE P1363, with the key in Talkdesk's response shape.
func TestTalkdeskNodeFixtures(t *testing.T) {
	body := readFixture(t, "body.json")
	var cases []struct {
		Curve     string `json:"curve"`
		PublicKey string `json:"public_key"`
		SigDER    string `json:"sig_der"`
		SigP1363  string `json:"sig_p1363"`
	}
	if err := json.Unmarshal(readFixture(t, "node-ecdsa.json"), &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) != 3 {
		t.Fatalf("%d node cases, want 3", len(cases))
	}
	for _, c := range cases {
		for enc, sig := range map[string]string{"der": c.SigDER, "p1363": c.SigP1363} {
			t.Run(c.Curve+"/"+enc, func(t *testing.T) {
				// Local keys take the same forms as fetched ones.
				v := mustNew(t, Config{TalkdeskKeys: []LocalKey{{ID: "node", PEM: []byte(c.PublicKey)}}})
				r := Request{Path: "/td", Body: body, Header: hdr(HeaderTalkdeskSignature, sig, HeaderTalkdeskSignatureID, "node")}
				wantSig(t, check(v, r), store.SigValid, "matches")
				r.Body = tamper(body)
				wantSig(t, check(v, r), store.SigInvalid, "does not match the body")
			})
		}
	}
}

func rawSign(t *testing.T, priv *ecdsa.PrivateKey, body []byte) string {
	t.Helper()
	d := sha512.Sum512(body)
	r, s, err := ecdsa.Sign(rand.Reader, priv, d[:])
	if err != nil {
		t.Fatal(err)
	}
	size := (priv.Curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*size)
	r.FillBytes(out[:size])
	s.FillBytes(out[size:])
	return hex.EncodeToString(out)
}

func TestTalkdeskGeneratedKeys(t *testing.T) {
	body := []byte(`{"id":"e1","type":"app.updated","data":{}}`)
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		priv, other := mustKey(t, curve), mustKey(t, curve)
		pem, err := EncodePublicKey(&priv.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		v := mustNew(t, Config{TalkdeskKeys: []LocalKey{{ID: "k1", PEM: []byte(pem)}}})
		der, err := SignTalkdesk(priv, body)
		if err != nil {
			t.Fatal(err)
		}
		raw := rawSign(t, priv, body)
		wrong, _ := SignTalkdesk(other, body)
		name := curve.Params().Name
		alg := "ecdsa-" + strings.ToLower(strings.ReplaceAll(name, "-", "")) + "-sha512"
		tests := []struct {
			name   string
			header store.Header
			body   []byte
			status string
			reason string
		}{
			{"der", hdr(HeaderTalkdeskSignature, der, HeaderTalkdeskSignatureID, "k1"), body, store.SigValid, "matches"},
			{"raw r||s", hdr(HeaderTalkdeskSignature, raw, HeaderTalkdeskSignatureID, "k1"), body, store.SigValid, "matches"},
			{"upper-case hex", hdr(HeaderTalkdeskSignature, strings.ToUpper(der), HeaderTalkdeskSignatureID, "k1"), body, store.SigValid, "matches"},
			{"header names in any case", hdr("x-hub-ecdsa-signature", der, "X-HUB-ECDSA-SIGNATURE-ID", "k1"), body, store.SigValid, "matches"},
			{"tampered body der", hdr(HeaderTalkdeskSignature, der, HeaderTalkdeskSignatureID, "k1"), append(bytes.Clone(body), ' '), store.SigInvalid, "does not match the body"},
			{"tampered body raw", hdr(HeaderTalkdeskSignature, raw, HeaderTalkdeskSignatureID, "k1"), []byte(`{"id":"e2","type":"app.updated","data":{}}`), store.SigInvalid, "does not match the body"},
			{"wrong key", hdr(HeaderTalkdeskSignature, wrong, HeaderTalkdeskSignatureID, "k1"), body, store.SigInvalid, "signed with another key"},
			{"truncated der", hdr(HeaderTalkdeskSignature, der[:len(der)-2], HeaderTalkdeskSignatureID, "k1"), body, store.SigInvalid, "it starts as a DER signature but ends early: was it truncated?"},
			// A byte appended is not "truncated" (as it was once called).
			{"der with a byte appended", hdr(HeaderTalkdeskSignature, der+"00", HeaderTalkdeskSignatureID, "k1"), body, store.SigInvalid, "it is a DER signature followed by 1 byte more: was something appended?"},
			{"truncated raw", hdr(HeaderTalkdeskSignature, raw[:len(raw)-2], HeaderTalkdeskSignatureID, "k1"), body, store.SigInvalid, "neither an ASN.1 DER signature nor raw r||s"},
			{"odd length hex", hdr(HeaderTalkdeskSignature, der[:len(der)-1], HeaderTalkdeskSignatureID, "k1"), body, store.SigInvalid, "X-Hub-Ecdsa-Signature is not hex: it has an odd number of hex digits"},
			{"non-hex", hdr(HeaderTalkdeskSignature, "zz"+der[2:], HeaderTalkdeskSignatureID, "k1"), body, store.SigInvalid, "X-Hub-Ecdsa-Signature is not hex"},
			{"base64 instead of hex", hdr(HeaderTalkdeskSignature, "MEUCIQ+/==", HeaderTalkdeskSignatureID, "k1"), body, store.SigInvalid, "is not hex"},
			{"empty", hdr(HeaderTalkdeskSignature, "", HeaderTalkdeskSignatureID, "k1"), body, store.SigInvalid, "X-Hub-Ecdsa-Signature is empty"},
			{"too long", hdr(HeaderTalkdeskSignature, strings.Repeat("ab", 600), HeaderTalkdeskSignatureID, "k1"), body, store.SigInvalid, "too long"},
			{"no signature header", hdr(HeaderTalkdeskSignatureID, "k1"), body, store.SigInvalid, "no X-Hub-Ecdsa-Signature header"},
			{"no id header", hdr(HeaderTalkdeskSignature, der), body, store.SigInvalid, "no X-Hub-Ecdsa-Signature-Id header"},
			{"signature twice", hdr(HeaderTalkdeskSignature, der, HeaderTalkdeskSignature, wrong, HeaderTalkdeskSignatureID, "k1"), body, store.SigInvalid, "sent 2 times"},
		}
		for _, tc := range tests {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				got := check(v, Request{Path: "/x", Header: tc.header, Body: tc.body})
				wantSig(t, got, tc.status, tc.reason)
				if got.Provider != ProviderTalkdeskEvents {
					t.Errorf("provider %q", got.Provider)
				}
				// The key a delivery names is said whatever is wrong with
				// its signature, once the id itself is acceptable.
				if wantID := tc.header.Get(HeaderTalkdeskSignatureID); tc.header.Get(HeaderTalkdeskSignature) != "" && len(tc.header.Values(HeaderTalkdeskSignature)) == 1 && got.Signature.KeyID != wantID {
					t.Errorf("key_id %q, want %q", got.Signature.KeyID, wantID)
				}
				if tc.status == store.SigValid && got.Signature.Algorithm != alg {
					t.Errorf("algorithm %q, want %q", got.Signature.Algorithm, alg)
				}
				// Talkdesk's samples read the header as DER: a valid raw
				// r||s signature says their recipe would refuse it.
				wantNote := tc.status == store.SigValid && tc.name == "raw r||s"
				if gotNote := strings.Contains(strings.Join(got.Notes, "\n"), "raw r||s (IEEE P1363)"); gotNote != wantNote {
					t.Errorf("P1363 note present = %v, want %v (notes %q)", gotNote, wantNote, got.Notes)
				}
			})
		}
	}
}

func TestTalkdeskKeyIDs(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	body := []byte(`{"id":"e1"}`)
	refused := []string{"../k1", "..%2Fk1", "k1%2F..", "a/b", ".", "..", "k 1", "ké", "k1?x=1", "k1#f", strings.Repeat("a", 129), "k\x00"}
	for _, id := range refused {
		t.Run(fmt.Sprintf("%q", id), func(t *testing.T) {
			ks := newKeyServer(t)
			v := mustNew(t, Config{TalkdeskKeysURL: ks.URL})
			got := check(v, talkdeskRequest(t, priv, id, body))
			wantSig(t, got, store.SigInvalid, "X-Hub-Ecdsa-Signature-Id")
			if !strings.Contains(got.Signature.Reason, "refused") || got.Signature.KeyID != "" {
				t.Errorf("signature = %+v", got.Signature)
			}
			if n := ks.requests.Load(); n != 0 {
				t.Errorf("%d requests reached the key endpoint for a refused id", n)
			}
		})
	}
	t.Run("accepted id is path-escaped and fetched", func(t *testing.T) {
		ks := newKeyServer(t)
		id := "Key.1_2-" + strings.Repeat("z", 120)
		ks.add(t, id, &priv.PublicKey, time.Time{})
		v := mustNew(t, Config{TalkdeskKeysURL: ks.URL + "/"})
		wantSig(t, check(v, talkdeskRequest(t, priv, id, body)), store.SigValid, "matches")
		if p := <-ks.paths; p != "/events/signature-keys/"+id {
			t.Errorf("path %q", p)
		}
	})
}

func TestTalkdeskKeyEndpointFailures(t *testing.T) {
	priv := mustKey(t, elliptic.P384())
	body := []byte(`{"id":"e1","type":"app.installed"}`)
	pub, _ := EncodePublicKey(&priv.PublicKey)
	tests := []struct {
		name   string
		setup  func(ks *keyServer)
		status string
		reason string
	}{
		{"404", func(ks *keyServer) {}, store.SigUnverifiable, "answered 404 Not Found: Talkdesk has no key k1 there"},
		{"500", func(ks *keyServer) { ks.configure(500, "", 0) }, store.SigUnverifiable, "answered 500 Internal Server Error"},
		{"garbage", func(ks *keyServer) { ks.configure(0, "<html>hello</html>", 0) }, store.SigUnverifiable, "not a key document"},
		{"no public_key", func(ks *keyServer) { ks.configure(0, `{"key_id":"k1"}`, 0) }, store.SigUnverifiable, "without a public_key"},
		{"unusable public_key", func(ks *keyServer) { ks.configure(0, `{"key_id":"k1","public_key":"aGVsbG8="}`, 0) }, store.SigUnverifiable, "served a public_key hookscope cannot use"},
		{"other key_id", func(ks *keyServer) {
			ks.addRaw("k1", pub, time.Time{})
			ks.configure(0, `{"key_id":"k2","public_key":"`+pub+`"}`, 0)
		}, store.SigUnverifiable, `key_id "k2" for key k1`},
		{"bad expires_at", func(ks *keyServer) { ks.configure(0, `{"key_id":"k1","public_key":"`+pub+`","expires_at":"soon"}`, 0) }, store.SigUnverifiable, `expires_at "soon", which is not a date`},
		{"huge", func(ks *keyServer) {
			ks.configure(0, `{"key_id":"k1","public_key":"`+pub+`","pad":"`+strings.Repeat("x", 70<<10)+`"}`, 0)
		}, store.SigUnverifiable, "more than 64 KiB"},
		{"slow", func(ks *keyServer) { ks.add(t, "k1", &priv.PublicKey, time.Time{}); ks.configure(0, "", 3*time.Second) }, store.SigUnverifiable, "did not answer within 150ms"},
		{"expired key", func(ks *keyServer) {
			ks.add(t, "k1", &priv.PublicKey, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
		}, store.SigInvalid, "key k1 expired 2026-01-02 (delivery received 2026-03-01)"},
		{"valid, expires later", func(ks *keyServer) { ks.add(t, "k1", &priv.PublicKey, testNow.Add(time.Hour)) }, store.SigValid, "matches"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks := newKeyServer(t)
			tc.setup(ks)
			cache := newMemCache()
			v := mustNew(t, Config{TalkdeskKeysURL: ks.URL, FetchTimeout: 150 * time.Millisecond, Cache: cache})
			got := check(v, talkdeskRequest(t, priv, "k1", body))
			wantSig(t, got, tc.status, tc.reason)
			if tc.status == store.SigUnverifiable && cache.saves != 0 {
				t.Errorf("a failed fetch was cached")
			}
		})
	}
}

func TestTalkdeskExpiryJudgedAtDelivery(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	ks := newKeyServer(t)
	ks.add(t, "k1", &priv.PublicKey, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	v := mustNew(t, Config{TalkdeskKeysURL: ks.URL})
	r := talkdeskRequest(t, priv, "k1", []byte(`{"id":"e1"}`))
	r.ReceivedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	wantSig(t, check(v, r), store.SigValid, "matches")
	// A bad signature with an expired key says both.
	r.ReceivedAt = time.Time{}
	r.Body = []byte(`{"id":"e2"}`)
	got := check(v, r)
	wantSig(t, got, store.SigInvalid, "does not match the body")
	if !strings.Contains(strings.Join(got.Notes, "\n"), "key k1 expired 2026-01-02") {
		t.Errorf("notes %q lack the expiry", got.Notes)
	}
}

// TestTalkdeskRegion checks which host a key is fetched from. The transport
// answers locally, so no request leaves the machine, and records hosts.
func TestTalkdeskRegion(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	kr, _ := NewKeyResponse("k1", &priv.PublicKey, time.Time{}, time.Time{})
	doc, _ := json.Marshal(kr)
	// ignored: the href was set aside, which a note says.
	tests := []struct {
		name, href, region, keysURL, want string
		ignored                           bool
	}{
		{"default region", "", "", "", "https://api.talkdeskapp.com", false},
		{"configured region", "", "ca", "", "https://api.talkdeskappca.com", false},
		{"configured uk", "", "uk", "", "https://api.talkdeskapp.co.uk", false},
		{"au href ignored", "https://api.talkdeskapp.au", "", "", "https://api.talkdeskapp.com", true},
		{"au href, au configured", "https://api.talkdeskapp.au/", "au", "", "https://api.talkdeskapp.au", false},
		{"uk href ignored", "https://api.talkdeskapp.co.uk", "ca", "", "https://api.talkdeskappca.com", true},
		{"href picks eu", "https://api.talkdeskapp.eu", "", "", "https://api.talkdeskapp.eu", false},
		{"href with a trailing slash picks eu", "https://api.talkdeskapp.eu/", "", "", "https://api.talkdeskapp.eu", false},
		{"href picks ca over configured eu", "https://api.talkdeskappca.com", "eu", "", "https://api.talkdeskappca.com", false},
		{"foreign href ignored", "https://evil.example", "", "", "https://api.talkdeskapp.com", true},
		{"lookalike href ignored", "https://api.talkdeskapp.com.evil.example", "eu", "", "https://api.talkdeskapp.eu", true},
		{"lookalike of the default ignored", "https://api.talkdeskapp.com.evil.example", "", "", "https://api.talkdeskapp.com", true},
		{"href with path ignored", "https://api.talkdeskapp.eu/x", "", "", "https://api.talkdeskapp.com", true},
		{"href with userinfo ignored", "https://user@api.talkdeskapp.eu", "", "", "https://api.talkdeskapp.com", true},
		{"http href ignored", "http://api.talkdeskapp.eu", "", "", "https://api.talkdeskapp.com", true},
		{"explicit keys URL wins", "https://api.talkdeskapp.eu", "", "http://127.0.0.1:1", "http://127.0.0.1:1", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := &recordingTransport{body: string(doc)}
			v := mustNew(t, Config{TalkdeskRegion: tc.region, TalkdeskKeysURL: tc.keysURL, Client: &http.Client{Transport: rt}})
			body, _ := json.Marshal(map[string]any{"id": "e1", "type": "app.installed", "_links": map[string]any{"root": map[string]any{"href": tc.href}}})
			got := check(v, talkdeskRequest(t, priv, "k1", body))
			wantSig(t, got, store.SigValid, "matches")
			if len(rt.hosts) != 1 || rt.hosts[0] != tc.want {
				t.Errorf("requests went to %q, want only %q", rt.hosts, tc.want)
			}
			// An href that did not pick the gateway is said, unless an
			// explicit keys URL made it irrelevant.
			said := slices.ContainsFunc(got.Notes, func(n string) bool {
				return strings.Contains(n, "is none of Talkdesk's documented gateways, so the key was asked of "+tc.want)
			})
			if said != tc.ignored {
				t.Errorf("notes %q; want the ignored href said: %v", got.Notes, tc.ignored)
			}
		})
	}
}

func TestTalkdeskFetchDedup(t *testing.T) {
	priv := mustKey(t, elliptic.P521())
	ks := newKeyServer(t)
	ks.add(t, "k1", &priv.PublicKey, testNow.Add(24*time.Hour))
	ks.configure(0, "", 200*time.Millisecond)
	cache := newMemCache()
	v := mustNew(t, Config{TalkdeskKeysURL: ks.URL, Cache: cache})
	const n = 64
	var wg sync.WaitGroup
	results := make([]Result, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := []byte(fmt.Sprintf(`{"id":"e%d"}`, i))
			results[i] = check(v, talkdeskRequest(t, priv, "k1", body))
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.Signature.Status != store.SigValid {
			t.Fatalf("check %d: %+v", i, r.Signature)
		}
	}
	if got := ks.requests.Load(); got != 1 {
		t.Errorf("%d key requests for %d concurrent checks, want 1", got, n)
	}
	if cache.saves != 1 {
		t.Errorf("key saved %d times, want 1", cache.saves)
	}
	k := cache.keys["k1"]
	if k.Source != ks.URL+"/events/signature-keys/k1" || !k.ExpiresAt.Equal(testNow.Add(24*time.Hour)) || k.FetchedAt.IsZero() || k.PublicKey == "" {
		t.Errorf("cached key %+v", k)
	}

	// A fresh Verifier over the same cache does not ask again.
	v2 := mustNew(t, Config{TalkdeskKeysURL: ks.URL, Cache: cache})
	got := check(v2, talkdeskRequest(t, priv, "k1", []byte(`{}`)))
	wantSig(t, got, store.SigValid, "matches")
	if !strings.Contains(strings.Join(got.Notes, "\n"), "the key cache") {
		t.Errorf("notes %q", got.Notes)
	}
	if n := ks.requests.Load(); n != 1 {
		t.Errorf("%d requests after a cache hit", n)
	}
}

func TestTalkdeskCancelledWaiterDoesNotFailOthers(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	ks := newKeyServer(t)
	ks.add(t, "k1", &priv.PublicKey, time.Time{})
	// The key server holds the fetch long enough for the first caller to
	// be cancelled while it waits: a bound, the wait below is on the fetch.
	ks.configure(0, "", time.Second)
	v := mustNew(t, Config{TalkdeskKeysURL: ks.URL})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result)
	go func() { done <- v.Check(ctx, talkdeskRequest(t, priv, "k1", []byte(`{}`))) }()
	<-ks.paths // the fetch has reached the key server
	cancel()
	wantSig(t, <-done, store.SigUnverifiable, "cancelled")
	wantSig(t, check(v, talkdeskRequest(t, priv, "k1", []byte(`{}`))), store.SigValid, "matches")
	if n := ks.requests.Load(); n != 1 {
		t.Errorf("%d requests, want the cancelled caller's fetch to be shared", n)
	}
}

func TestTalkdeskKeySources(t *testing.T) {
	priv, other := mustKey(t, elliptic.P256()), mustKey(t, elliptic.P256())
	body := []byte(`{"id":"e1"}`)
	otherPEM, _ := EncodePublicKey(&other.PublicKey)
	privPEM, _ := EncodePublicKey(&priv.PublicKey)

	t.Run("local key wins over the endpoint", func(t *testing.T) {
		ks := newKeyServer(t)
		ks.add(t, "k1", &other.PublicKey, time.Time{})
		v := mustNew(t, Config{TalkdeskKeysURL: ks.URL, TalkdeskKeys: []LocalKey{{ID: "k1", PEM: []byte(privPEM)}}})
		wantSig(t, check(v, talkdeskRequest(t, priv, "k1", body)), store.SigValid, "matches")
		if ks.requests.Load() != 0 {
			t.Error("endpoint asked despite a local key")
		}
	})
	t.Run("stale cache entry is refreshed", func(t *testing.T) {
		ks := newKeyServer(t)
		ks.add(t, "k1", &priv.PublicKey, testNow.Add(time.Hour))
		cache := newMemCache()
		cache.keys["k1"] = store.CachedKey{KeyID: "k1", PublicKey: otherPEM, ExpiresAt: testNow.Add(-time.Hour), Source: "old"}
		v := mustNew(t, Config{TalkdeskKeysURL: ks.URL, Cache: cache})
		wantSig(t, check(v, talkdeskRequest(t, priv, "k1", body)), store.SigValid, "matches")
		if ks.requests.Load() != 1 || cache.keys["k1"].PublicKey == otherPEM {
			t.Errorf("requests %d, cache %+v", ks.requests.Load(), cache.keys["k1"])
		}
	})
	t.Run("stale cache entry used when the endpoint has forgotten it", func(t *testing.T) {
		ks := newKeyServer(t)
		cache := newMemCache()
		cache.keys["k1"] = store.CachedKey{KeyID: "k1", PublicKey: privPEM, ExpiresAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Source: "https://api.talkdeskapp.com/events/signature-keys/k1"}
		v := mustNew(t, Config{TalkdeskKeysURL: ks.URL, Cache: cache})
		r := talkdeskRequest(t, priv, "k1", body)
		wantSig(t, check(v, r), store.SigInvalid, "key k1 expired 2026-01-02")
		r.ReceivedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		wantSig(t, check(v, r), store.SigValid, "matches")
	})
}

// TestTalkdeskEnvelopeWithoutHeaders: Talkdesk signs every Events API
// delivery, so a body with the Events API's envelope and no signature
// headers is named Talkdesk's and judged invalid for the missing header,
// with a note saying how it was named, instead of passing as an unknown
// sender's unsigned delivery (while its schema check found a Talkdesk
// message). Both envelopes count: the payloads Talkdesk documents and the
// AsyncAPI document's.
func TestTalkdeskEnvelopeWithoutHeaders(t *testing.T) {
	for name, body := range map[string]string{
		"documented": `{"id":"e1","type":"app.installed","created_at":"2024-01-15T10:34:05Z","app_id":"a1","app_version_id":"v1","data":{}}`,
		"AsyncAPI":   `{"event_id":"e1","id":"e1","event_type":"app.installed","data":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			got := check(mustNew(t, Config{}), Request{Path: "/hooks/x", Body: []byte(body)})
			if got.Provider != ProviderTalkdeskEvents {
				t.Fatalf("provider %q, want %q", got.Provider, ProviderTalkdeskEvents)
			}
			wantSig(t, got, store.SigInvalid, "no X-Hub-Ecdsa-Signature header: Talkdesk signs every Events API delivery")
			if !slices.ContainsFunc(got.Notes, func(n string) bool { return strings.Contains(n, "named talkdesk-events by the body's shape") }) {
				t.Errorf("notes %q do not say how the provider was named", got.Notes)
			}
		})
	}
}
