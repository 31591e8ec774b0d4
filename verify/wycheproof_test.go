package verify

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/hookscope/hookscope/store"
)

type wycheproofFile struct {
	Algorithm  string `json:"algorithm"`
	Schema     string `json:"schema"`
	TestGroups []struct {
		PublicKeyDer string `json:"publicKeyDer"`
		PublicKeyPem string `json:"publicKeyPem"`
		Sha          string `json:"sha"`
		Tests        []struct {
			TcID    int      `json:"tcId"`
			Comment string   `json:"comment"`
			Msg     string   `json:"msg"`
			Sig     string   `json:"sig"`
			Result  string   `json:"result"`
			Flags   []string `json:"flags"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// TestWycheproof runs every ECDSA SHA-512 vector (DER and P1363 files, all
// three curves) through Check as a Talkdesk delivery: the message is the
// body, the hex signature the header, the group's key a local key. Since
// Check accepts both DER and raw r||s, each file also proves the other
// encoding's parser does not let a bad signature through.
//
// "valid" must verify and "invalid" must not. "acceptable" vectors (legacy
// encodings that some libraries allow) may go either way; they are counted
// and logged. The 0.9rc5 SHA-512 files hold none.
func TestWycheproof(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "wycheproof", "ecdsa_*_sha512*_test.json"))
	if err != nil || len(files) != 6 {
		t.Fatalf("want 6 Wycheproof files, got %d (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var wf wycheproofFile
			if err := json.Unmarshal(b, &wf); err != nil {
				t.Fatal(err)
			}
			counts := map[string]int{}
			for _, g := range wf.TestGroups {
				if g.Sha != "SHA-512" {
					t.Fatalf("group hash %s", g.Sha)
				}
				der, _ := hex.DecodeString(g.PublicKeyDer)
				// The PEM, base64-of-DER and base64-of-PEM forms must name the same key.
				fromPEM, err := ParsePublicKey([]byte(g.PublicKeyPem))
				if err != nil {
					t.Fatalf("group key PEM: %v", err)
				}
				fromDER, err := ParsePublicKey([]byte(base64.StdEncoding.EncodeToString(der)))
				if err != nil || !fromDER.Equal(fromPEM) {
					t.Fatalf("group key DER: %v", err)
				}
				// As Talkdesk's key endpoint serves public_key: base64 of the PEM.
				fromEndpoint, err := ParsePublicKey([]byte(base64.StdEncoding.EncodeToString([]byte(g.PublicKeyPem))))
				if err != nil || !fromEndpoint.Equal(fromPEM) {
					t.Fatalf("group key as base64 of PEM: %v", err)
				}
				v := mustNew(t, Config{TalkdeskKeys: []LocalKey{{ID: "wp", PEM: []byte(g.PublicKeyPem)}}})
				for _, tc := range g.Tests {
					msg, err := hex.DecodeString(tc.Msg)
					if err != nil {
						t.Fatal(err)
					}
					got := check(v, Request{Path: "/wp", Body: msg, Header: hdr(HeaderTalkdeskSignature, tc.Sig, HeaderTalkdeskSignatureID, "wp")})
					ok := got.Signature.Status == store.SigValid
					counts[tc.Result]++
					switch tc.Result {
					case "valid":
						if !ok {
							t.Errorf("tcId %d (%s, %v): valid vector rejected: %s", tc.TcID, tc.Comment, tc.Flags, got.Signature.Reason)
						}
					case "invalid":
						if ok {
							t.Errorf("tcId %d (%s, %v): invalid vector accepted", tc.TcID, tc.Comment, tc.Flags)
						}
						if got.Signature.Status != store.SigInvalid {
							t.Errorf("tcId %d: status %q, want invalid", tc.TcID, got.Signature.Status)
						}
					case "acceptable":
						t.Logf("tcId %d (%s): acceptable vector, verdict %s", tc.TcID, tc.Comment, got.Signature.Status)
					default:
						t.Fatalf("tcId %d: unknown result %q", tc.TcID, tc.Result)
					}
				}
			}
			t.Logf("%s: %v", filepath.Base(f), counts)
		})
	}
}
