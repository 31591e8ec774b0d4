package simulate

import (
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/devkeys"
)

// Path prefixes match whole segments, as verify matches --hmac: /gh/app
// covers /gh/app and /gh/app/x, never /gh/apple. (The --channel-route half
// is verify/analyze's TestPrefixOptionsMatchWholeSegments.)
func TestHMACRouteMatchesWholeSegments(t *testing.T) {
	kr := Keyring{HMAC: []verify.HMACRoute{{Prefix: "/gh/"}, {Prefix: "/gh/app"}}}
	for path, want := range map[string]string{
		"/hooks/x":        "",
		"/hooks/x/y":      "",
		"/hooks/x/deep/1": "",
		"/hooks/xy":       "",
		"/gh/one":         "/gh/",
		"/gh/app":         "/gh/app",
		"/gh/apple":       "/gh/",
		"/ghx":            "",
	} {
		got := ""
		if h := verify.MatchHMACRoute(kr.HMAC, path); h != nil {
			got = h.Prefix
		}
		if got != want {
			t.Errorf("hmac route for %s = %q, want %q", path, got, want)
		}
	}
}

// TestResignerRefusesExpiredDevKey: an edited Talkdesk delivery is offered
// a new signature only with a dev key that is still valid, since a verifier
// (hookscope's included) refuses an expired one.
func TestResignerRefusesExpiredDevKey(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	dir := devkeys.Dir{Path: t.TempDir()}
	k, err := dir.New("p256", created)
	if err != nil {
		t.Fatal(err)
	}
	rec := store.Record{Event: store.Event{Path: "/hooks/talkdesk",
		Header: store.Header{{Name: verify.HeaderTalkdeskSignatureID, Value: k.ID}}},
		Analysis: &store.Analysis{Provider: verify.ProviderTalkdeskEvents, Signature: store.Signature{Status: store.SigValid}}}
	tests := []struct {
		name string
		at   time.Time
		ok   bool
		says string
	}{
		{"valid key", k.ExpiresAt.Add(-time.Hour), true, "hookscope holds dev key " + k.ID},
		{"at expiry", k.ExpiresAt, false, "expired at " + k.ExpiresAt.UTC().Format(time.RFC3339)},
		{"long expired", k.ExpiresAt.AddDate(1, 0, 0), false, "would not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := tt.at
			s, why := Keyring{DevKeys: dir, Now: func() time.Time { return at }}.Resigner(rec)
			if (s != nil) != tt.ok || !strings.Contains(why, tt.says) {
				t.Fatalf("signer %v, %q; want ok %v and %q", s != nil, why, tt.ok, tt.says)
			}
		})
	}
}

// TestResignerBadKeyIDNotRepeated: the key id header is the sender's text;
// one that is no key id is refused without being repeated.
func TestResignerBadKeyIDNotRepeated(t *testing.T) {
	for _, id := range []string{strings.Repeat("k", 100000), "../" + strings.Repeat("x", 1000)} {
		rec := store.Record{Event: store.Event{Path: "/hooks/talkdesk",
			Header: store.Header{{Name: verify.HeaderTalkdeskSignatureID, Value: id}}},
			Analysis: &store.Analysis{Provider: verify.ProviderTalkdeskEvents, Signature: store.Signature{Status: store.SigInvalid}}}
		s, why := Keyring{DevKeys: devkeys.Dir{Path: t.TempDir()}}.Resigner(rec)
		if s != nil || !strings.Contains(why, "names no usable key") || len(why) > 200 {
			t.Fatalf("%.20q: signer %v, %d bytes: %.200q", id, s != nil, len(why), why)
		}
	}
}

// TestResignerHMACRoute: an hmac delivery is re-signed with the secret of
// the route covering its path; without a covering route it is refused
// without repeating the sender's path, and without a secret by naming the
// route.
func TestResignerHMACRoute(t *testing.T) {
	routes := []verify.HMACRoute{{Prefix: "/gh", Header: "X-Sig", Secret: []byte("s")}, {Prefix: "/nosecret", Header: "X-Sig"}}
	kr := Keyring{HMAC: routes}
	rec := func(path string) store.Record {
		return store.Record{Event: store.Event{Path: path},
			Analysis: &store.Analysis{Provider: verify.ProviderHMAC, Signature: store.Signature{Status: store.SigValid}}}
	}
	if s, why := kr.Resigner(rec("/gh/app")); s == nil || s.HMAC.Prefix != "/gh" || !strings.Contains(why, "--hmac /gh") {
		t.Fatalf("/gh/app: %v %q", s, why)
	}
	long := "/other/" + strings.Repeat("p", 100000)
	if s, why := kr.Resigner(rec(long)); s != nil || !strings.Contains(why, "no --hmac route covers") || len(why) > 200 {
		t.Fatalf("uncovered: %v, %d bytes: %.200q", s, len(why), why)
	}
	if s, why := kr.Resigner(rec("/nosecret/x")); s != nil || !strings.Contains(why, "no secret is set for --hmac /nosecret") {
		t.Fatalf("no secret: %v %q", s, why)
	}
}
