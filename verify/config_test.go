package verify

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// fieldOf is the Config field a FieldError names, "" for other errors.
func fieldOf(err error) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

func TestParseRoute(t *testing.T) {
	tests := []struct {
		in      string
		want    Route
		errPart string
	}{
		{"/td=talkdesk-events", Route{"/td", ProviderTalkdeskEvents}, ""},
		{" /hooks/n = talkdesk-notifier ", Route{"/hooks/n", ProviderTalkdeskNotifier}, ""},
		{"/x=unknown", Route{"/x", ProviderUnknown}, ""},
		{"/x", Route{}, "want PATH_PREFIX=PROVIDER"},
		{"=dialpad", Route{}, "want PATH_PREFIX=PROVIDER"},
		{"td=dialpad", Route{}, "must start with /"},
		{"/x=stripe", Route{}, `Routes "/x=stripe": unknown provider "stripe"; providers: talkdesk-events, talkdesk-trigger, talkdesk-dce, talkdesk-notifier, talkifai, dialpad, unknown`},
		{"/x=hmac", Route{}, "configured as hmac routes"},
	}
	for _, tc := range tests {
		got, err := ParseRoute(tc.in)
		if tc.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errPart) || fieldOf(err) != "Routes" {
				t.Errorf("ParseRoute(%q) error %v, want %q in a Routes FieldError", tc.in, err, tc.errPart)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseRoute(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func TestParseHMAC(t *testing.T) {
	tests := []struct {
		in      string
		want    HMACRoute
		env     string
		errPart string
	}{
		{"/github=X-Hub-Signature-256:sha256:hex:sha256=", HMACRoute{Name: "GITHUB", Prefix: "/github", Header: "X-Hub-Signature-256", Algo: "sha256", Encoding: "hex", SigPrefix: "sha256="}, "HOOKSCOPE_GITHUB_SECRET", ""},
		{"/hooks/shop-1=X-Shopify-Hmac-Sha256:SHA256:Base64", HMACRoute{Name: "HOOKS_SHOP_1", Prefix: "/hooks/shop-1", Header: "X-Shopify-Hmac-Sha256", Algo: "sha256", Encoding: "base64"}, "HOOKSCOPE_HOOKS_SHOP_1_SECRET", ""},
		{"/x=X-Sig:sha1:hex:t=1:v1=", HMACRoute{Name: "X", Prefix: "/x", Header: "X-Sig", Algo: "sha1", Encoding: "hex", SigPrefix: "t=1:v1="}, "HOOKSCOPE_X_SECRET", ""},
		{"/=X-Sig:sha512:hex", HMACRoute{Name: "ROOT", Prefix: "/", Header: "X-Sig", Algo: "sha512", Encoding: "hex"}, "HOOKSCOPE_ROOT_SECRET", ""},
		{"/x=X-Sig:md5:hex", HMACRoute{}, "", `algorithm "md5": want sha1, sha256 or sha512`},
		{"/x=X-Sig:sha256:base32", HMACRoute{}, "", `encoding "base32": want hex or base64`},
		{"/x=X Sig:sha256:hex", HMACRoute{}, "", "is not a header name"},
		{"/x=X-Sig:sha256", HMACRoute{}, "", "want PATH_PREFIX=HEADER:ALGO:ENCODING[:PREFIX]"},
		{"x=X-Sig:sha256:hex", HMACRoute{}, "", "must start with /"},
		{"/x", HMACRoute{}, "", "want PATH_PREFIX="},
	}
	for _, tc := range tests {
		got, err := ParseHMAC(tc.in)
		if tc.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errPart) || fieldOf(err) != "HMAC" {
				t.Errorf("ParseHMAC(%q) error %v, want %q in an HMAC FieldError", tc.in, err, tc.errPart)
			}
			continue
		}
		if err != nil || got.Name != tc.want.Name || got.Prefix != tc.want.Prefix || got.Header != tc.want.Header ||
			got.Algo != tc.want.Algo || got.Encoding != tc.want.Encoding || got.SigPrefix != tc.want.SigPrefix {
			t.Errorf("ParseHMAC(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if got.SecretEnv() != tc.env {
			t.Errorf("SecretEnv %q, want %q", got.SecretEnv(), tc.env)
		}
	}
}

func TestNewErrors(t *testing.T) {
	secret := []byte("super-secret-value")
	tests := []struct {
		name    string
		cfg     Config
		errPart string
	}{
		{"bad route", Config{Routes: []Route{{"/x", "nope"}}}, "unknown provider"},
		{"bad hmac", Config{HMAC: []HMACRoute{{Prefix: "/x", Header: "X", Algo: "md5", Encoding: "hex", Secret: secret}}}, `HMAC "/x": algorithm "md5"`},
		{"bad region", Config{TalkdeskRegion: "mars"}, `TalkdeskRegion "mars": want us, eu, ca, au or uk`},
		{"bad keys URL", Config{TalkdeskKeysURL: "ftp://x"}, `TalkdeskKeysURL "ftp://x": want an http or https base URL`},
		{"relative keys URL", Config{TalkdeskKeysURL: "/keys"}, `TalkdeskKeysURL "/keys": want an http or https base URL`},
		{"keys URL with a password", Config{TalkdeskKeysURL: "https://me:" + string(secret) + "@keys.example.com"}, "must not contain a user name or password"},
		{"bad local key", Config{TalkdeskKeys: []LocalKey{{ID: "k1", PEM: secret}}}, `TalkdeskKeys "k1": public key`},
		{"bad local key id", Config{TalkdeskKeys: []LocalKey{{ID: "../k", PEM: nil}}}, "key id may only hold"},
		{"bad event id provider", Config{EventIDFields: map[string][]string{"x": {"id"}}}, "unknown provider"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.TalkifAISecret, tc.cfg.DialpadSecret = secret, secret
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.errPart) || fieldOf(err) == "" {
				t.Fatalf("error %v, want %q in a FieldError", err, tc.errPart)
			}
			if strings.Contains(err.Error(), string(secret)) {
				t.Fatalf("secret in error %q", err)
			}
		})
	}
	for _, region := range []string{"", "us", "EU", "ca", "au", "uk"} {
		if _, err := New(Config{TalkdeskRegion: region}); err != nil {
			t.Errorf("region %q: %v", region, err)
		}
	}
}

func TestRoutableProviders(t *testing.T) {
	got := RoutableProviders()
	want := "talkdesk-events,talkdesk-trigger,talkdesk-dce,talkdesk-notifier,talkifai,dialpad,unknown"
	if strings.Join(got, ",") != want {
		t.Fatalf("RoutableProviders = %v", got)
	}
	got[0] = "changed"
	if RoutableProviders()[0] != ProviderTalkdeskEvents {
		t.Fatal("RoutableProviders shares its slice")
	}
	for _, p := range got[1:] {
		if _, err := ParseRoute("/x=" + p); err != nil {
			t.Errorf("help offers %s but --route refuses it: %v", p, err)
		}
	}
}

// TestSecretsAreCopied makes sure a caller wiping its buffer after New does
// not change what the Verifier checks with, and vice versa.
func TestSecretsAreCopied(t *testing.T) {
	secret := []byte("test-talkifai-secret")
	v := mustNew(t, Config{TalkifAISecret: secret})
	body := []byte(`{"id":"evt_1"}`)
	sig := SignHMAC([]byte("test-talkifai-secret"), body)
	for i := range secret {
		secret[i] = 0
	}
	wantSig(t, check(v, Request{Path: "/", Body: body, Header: hdr(HeaderTalkifAISignature, sig)}), "valid", "matches")
}

func TestEventID(t *testing.T) {
	obj := map[string]any{"id": "i1", "event_id": "e1", "meta": map[string]any{"uid": "u1"}, "n": json.Number("42")}
	tests := []struct {
		provider string
		fields   []string
		want     string
	}{
		{ProviderTalkdeskEvents, nil, "e1"},
		{ProviderTalkifAI, nil, "i1"},
		{ProviderDialpad, nil, ""}, // no default fields
		{ProviderDialpad, []string{"meta.uid"}, "u1"},
		{ProviderTalkifAI, []string{"missing", "n"}, "42"},
		{ProviderTalkdeskEvents, []string{}, ""}, // configured as none
	}
	for _, tt := range tests {
		if got := EventID(tt.provider, obj, tt.fields); got != tt.want {
			t.Errorf("EventID(%s, %v) = %q, want %q", tt.provider, tt.fields, got, tt.want)
		}
	}
}

func TestIsSecretEnv(t *testing.T) {
	for k, want := range map[string]bool{
		"HOOKSCOPE_GITHUB_SECRET":   true,
		"HOOKSCOPE_TALKIFAI_SECRET": true,
		"HOOKSCOPE_A_1_SECRET":      true,
		"HOOKSCOPE__SECRET":         false, // no NAME
		"HOOKSCOPE_SECRET":          false,
		"HOOKSCOPE_github_SECRET":   false,
		"HOOKSCOPE_DB":              false,
		"GITHUB_SECRET":             false,
		"HOOKSCOPE_GIT-HUB_SECRET":  false,
	} {
		if got := IsSecretEnv(k); got != want {
			t.Errorf("IsSecretEnv(%q) = %v, want %v", k, got, want)
		}
	}
}
