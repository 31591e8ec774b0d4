package verify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"testing"
)

func TestParsePublicKeyForms(t *testing.T) {
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		priv := mustKey(t, curve)
		der, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
		p := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		b64pem := base64.StdEncoding.EncodeToString(p)
		forms := map[string]string{
			"plain PEM":               string(p),
			"PEM with CRLF":           strings.ReplaceAll(string(p), "\n", "\r\n"),
			"base64 of PEM":           b64pem,
			"base64 of PEM unpadded":  strings.TrimRight(b64pem, "="),
			"base64 of PEM, wrapped":  wrap(b64pem, 64),
			"base64 of DER":           base64.StdEncoding.EncodeToString(der),
			"base64 of DER, spaced":   "  " + wrap(base64.StdEncoding.EncodeToString(der), 76) + "\n",
			"base64 of PEM, trailing": b64pem + "\n",
		}
		for name, in := range forms {
			got, err := ParsePublicKey([]byte(in))
			if err != nil || !got.Equal(&priv.PublicKey) {
				t.Errorf("%s %s: %v", curve.Params().Name, name, err)
			}
		}
		enc, err := EncodePublicKey(&priv.PublicKey)
		if err != nil || enc != b64pem {
			t.Errorf("EncodePublicKey = %q, %v; want base64 of PEM", enc, err)
		}
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

func TestParsePublicKeyRefusals(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	edDER, _ := x509.MarshalPKIXPublicKey(edPub)
	p224 := mustKey(t, elliptic.P224())
	p224DER, _ := x509.MarshalPKIXPublicKey(&p224.PublicKey)
	privDER, _ := x509.MarshalECPrivateKey(mustKey(t, elliptic.P256()))
	tests := []struct {
		name, in, errPart string
	}{
		{"empty", "  \n", "public key is empty"},
		{"not base64", "not a key!", "neither PEM nor base64"},
		{"base64 of junk", base64.StdEncoding.EncodeToString([]byte("hello")), "not a SubjectPublicKeyInfo"},
		{"rsa", base64.StdEncoding.EncodeToString(rsaDER), "public key is RSA, not ECDSA"},
		{"ed25519", base64.StdEncoding.EncodeToString(edDER), "not ECDSA"},
		{"p224", base64.StdEncoding.EncodeToString(p224DER), "P-224; Talkdesk keys are P-256, P-384 or P-521"},
		{"private key PEM", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: privDER})), `PEM block is "EC PRIVATE KEY"`},
		{"broken PEM", "-----BEGIN PUBLIC KEY-----\nAAAA", "PEM is malformed"},
		{"huge", strings.Repeat("A", maxPublicKeyBytes+1), "more than"},
	}
	for _, tc := range tests {
		_, err := ParsePublicKey([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.errPart) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.errPart)
		}
	}
}

// TestSignTalkdeskPartnerStyle verifies SignTalkdesk's output the way
// Talkdesk's samples do: hex-decode the signature, base64-decode the key,
// strip the PEM armour, verify SHA-512 ECDSA over the raw body.
func TestSignTalkdeskPartnerStyle(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	body := []byte(`{"id":"e1","type":"app.installed"}`)
	sigHex, err := SignTalkdesk(priv, body)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := EncodePublicKey(&priv.PublicKey)
	pemBytes, _ := base64.StdEncoding.DecodeString(pub)
	clean := strings.NewReplacer("\n", "", "-----BEGIN PUBLIC KEY-----", "", "-----END PUBLIC KEY-----", "").Replace(string(pemBytes))
	der, _ := base64.StdEncoding.DecodeString(clean)
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := hex.DecodeString(sigHex)
	d := sha512.Sum512(body)
	if !ecdsa.VerifyASN1(k.(*ecdsa.PublicKey), d[:], sig) {
		t.Fatal("partner-style verification rejected SignTalkdesk's signature")
	}
	if _, err := SignTalkdesk(nil, body); err == nil {
		t.Error("signed without a key")
	}
}
