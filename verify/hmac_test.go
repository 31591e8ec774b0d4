package verify

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
)

var talkifaiSecret = []byte("test-talkifai-secret")

func TestTalkifAI(t *testing.T) {
	body := readFixture(t, "talkifai-body.json")
	openssl := strings.TrimSpace(string(readFixture(t, "openssl-talkifai.sig")))
	node := strings.TrimSpace(string(readFixture(t, "node-talkifai.sig")))
	if ours := SignHMAC(talkifaiSecret, body); ours != openssl || ours != node {
		t.Fatalf("SignHMAC = %s; openssl %s, node %s", ours, openssl, node)
	}
	tests := []struct {
		name   string
		header store.Header
		body   []byte
		secret []byte
		status string
		reason string
	}{
		{"openssl", hdr(HeaderTalkifAISignature, openssl), body, talkifaiSecret, store.SigValid, "matches"},
		{"node", hdr("x-talkifai-signature", node), body, talkifaiSecret, store.SigValid, "matches"},
		{"tampered", hdr(HeaderTalkifAISignature, openssl), append([]byte(" "), body...), talkifaiSecret, store.SigInvalid, "signature does not match the body"},
		{"wrong secret", hdr(HeaderTalkifAISignature, openssl), body, []byte("nope"), store.SigInvalid, "does not match"},
		{"missing secret", hdr(HeaderTalkifAISignature, openssl), body, nil, store.SigUnverifiable, "no TalkifAI secret configured: set HOOKSCOPE_TALKIFAI_SECRET or secrets.talkifai (a listener reads it when it starts); `hookscope verify ID` checks a stored delivery again"},
		{"no prefix", hdr(HeaderTalkifAISignature, strings.TrimPrefix(openssl, "sha256=")), body, talkifaiSecret, store.SigInvalid, `does not start with "sha256="`},
		{"not hex", hdr(HeaderTalkifAISignature, "sha256=xyz"), body, talkifaiSecret, store.SigInvalid, "is not hex"},
		{"truncated", hdr(HeaderTalkifAISignature, openssl[:len(openssl)-2]), body, talkifaiSecret, store.SigInvalid, "holds 31 bytes; HMAC-SHA256 gives 32"},
		{"truncated to odd length", hdr(HeaderTalkifAISignature, openssl[:len(openssl)-1]), body, talkifaiSecret, store.SigInvalid, `is not hex after "sha256=": it has an odd number of hex digits (63); was it truncated?`},
		{"sent twice", hdr(HeaderTalkifAISignature, openssl, HeaderTalkifAISignature, openssl), body, talkifaiSecret, store.SigInvalid, "sent 2 times"},
		// TalkifAI's recipes compare strings, so the right MAC in upper-case
		// hex is refused by a receiver that follows them.
		{"upper-case hex", hdr(HeaderTalkifAISignature, "sha256="+strings.ToUpper(strings.TrimPrefix(openssl, "sha256="))), body, talkifaiSecret, store.SigInvalid, "the HMAC-SHA256 matches, but in upper-case hex"},
		{"upper-case hex, wrong secret", hdr(HeaderTalkifAISignature, "sha256="+strings.ToUpper(strings.TrimPrefix(openssl, "sha256="))), body, []byte("nope"), store.SigInvalid, "does not match the body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := mustNew(t, Config{TalkifAISecret: tc.secret})
			got := check(v, Request{Path: "/t", Header: tc.header, Body: tc.body})
			wantSig(t, got, tc.status, tc.reason)
			if got.Provider != ProviderTalkifAI || got.EventType != "call.ended" || got.ProviderEventID != "evt_def456" {
				t.Errorf("result %+v", got)
			}
			if got.Signature.Algorithm != "hmac-sha256" || got.Signature.Scheme != SchemeTalkifAIHMAC {
				t.Errorf("signature %+v", got.Signature)
			}
		})
	}
	t.Run("routed without header", func(t *testing.T) {
		v := mustNew(t, Config{TalkifAISecret: talkifaiSecret, Routes: []Route{{"/t", ProviderTalkifAI}}})
		wantSig(t, check(v, Request{Path: "/t", Body: body}), store.SigInvalid, "no X-TalkifAI-Signature header")
	})
	// TalkifAI's envelope names the sender when the header is missing,
	// secret or not: the verdict says what is wrong, not "unknown".
	for _, secret := range [][]byte{talkifaiSecret, nil} {
		t.Run(fmt.Sprintf("envelope without header, secret %v", secret != nil), func(t *testing.T) {
			got := check(mustNew(t, Config{TalkifAISecret: secret}), Request{Path: "/hooks/talkifai", Body: body})
			if got.Provider != ProviderTalkifAI {
				t.Fatalf("provider %q, want %q", got.Provider, ProviderTalkifAI)
			}
			wantSig(t, got, store.SigInvalid, "no X-TalkifAI-Signature header: TalkifAI signs every webhook request")
			if !slices.ContainsFunc(got.Notes, func(n string) bool { return strings.Contains(n, "named talkifai by the body's shape") }) {
				t.Errorf("notes %q do not say how the provider was named", got.Notes)
			}
		})
	}
}

func TestGenericHMAC(t *testing.T) {
	body := []byte(`{"action":"opened","type":"pr"}`)
	gh, err := ParseHMAC("/github=X-Hub-Signature-256:sha256:hex:sha256=")
	if err != nil {
		t.Fatal(err)
	}
	gh.Secret = []byte("gh-secret")
	b64, err := ParseHMAC("/hooks/shop-1=X-Shop-Hmac:SHA512:base64")
	if err != nil {
		t.Fatal(err)
	}
	b64.Secret = []byte("shop-secret")
	sha1r, _ := ParseHMAC("/old=X-Sig:sha1:hex:v1:")
	sha1r.Secret = []byte("s")
	nosecret, _ := ParseHMAC("/nosecret=X-Sig:sha256:hex")
	sign := func(h HMACRoute) string {
		s, err := h.Sign(body)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	v := mustNew(t, Config{HMAC: []HMACRoute{gh, b64, sha1r, nosecret}})
	ghSig, b64Sig := sign(gh), sign(b64)
	tests := []struct {
		name, path string
		header     store.Header
		body       []byte
		status     string
		reason     string
		alg        string
	}{
		{"github valid", "/github", hdr("X-Hub-Signature-256", ghSig), body, store.SigValid, "matches the secret of --hmac /github", "hmac-sha256"},
		{"github sub-path", "/github/org/repo", hdr("X-Hub-Signature-256", ghSig), body, store.SigValid, "matches", "hmac-sha256"},
		{"github tampered", "/github", hdr("X-Hub-Signature-256", ghSig), append(body, ' '), store.SigInvalid, "does not match the body", "hmac-sha256"},
		{"github no prefix", "/github", hdr("X-Hub-Signature-256", strings.TrimPrefix(ghSig, "sha256=")), body, store.SigInvalid, `does not start with "sha256="`, "hmac-sha256"},
		{"github missing header", "/github", nil, body, store.SigInvalid, "no X-Hub-Signature-256 header: the --hmac /github rule expects one", "hmac-sha256"},
		{"github not hex", "/github", hdr("X-Hub-Signature-256", "sha256=zz"), body, store.SigInvalid, "X-Hub-Signature-256 is not hex", "hmac-sha256"},
		{"base64 sha512", "/hooks/shop-1/x", hdr("X-Shop-Hmac", b64Sig), body, store.SigValid, "HMAC-SHA512 matches", "hmac-sha512"},
		{"base64 wrong size", "/hooks/shop-1", hdr("X-Shop-Hmac", b64Sig[:20]), body, store.SigInvalid, "HMAC-SHA512 gives 64", "hmac-sha512"},
		{"sha1 with colon prefix", "/old", hdr("X-Sig", sign(sha1r)), body, store.SigValid, "matches", "hmac-sha1"},
		{"missing secret", "/nosecret", hdr("X-Sig", strings.Repeat("ab", 32)), body, store.SigUnverifiable, "no secret for --hmac /nosecret: set HOOKSCOPE_NOSECRET_SECRET or secrets.hmac.NOSECRET (a listener", "hmac-sha256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := check(v, Request{Path: tc.path, Header: tc.header, Body: tc.body})
			if got.Provider != ProviderHMAC {
				t.Fatalf("provider %q", got.Provider)
			}
			wantSig(t, got, tc.status, tc.reason)
			if got.Signature.Algorithm != tc.alg || got.Signature.Scheme != SchemeHMAC {
				t.Errorf("signature %+v", got.Signature)
			}
			for _, s := range []string{"gh-secret", "shop-secret"} {
				if strings.Contains(got.Signature.Reason, s) {
					t.Fatal("secret leaked into a reason")
				}
			}
		})
	}
	if got := check(v, Request{Path: "/githubx", Body: body}); got.Provider == ProviderHMAC {
		t.Error("/github matched /githubx")
	}
}
