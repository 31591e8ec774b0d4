package verify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// maxPublicKeyBytes bounds a public key in any encoding. A P-521 key is
// about 300 bytes as base64 of PEM; 64 KiB leaves room for any honest form.
const maxPublicKeyBytes = 64 << 10

// maxSignatureHexLen bounds X-Hub-Ecdsa-Signature before decoding. The
// largest honest value, a DER P-521 signature, is 139 bytes (278 hex digits).
const maxSignatureHexLen = 1024

// ParsePublicKey parses a Talkdesk signature public key. The key endpoint's
// public_key is base64 of a PEM SubjectPublicKeyInfo (what Talkdesk's C# and
// Java samples decode); base64 of the DER SubjectPublicKeyInfo and plain PEM
// are accepted too. Only ECDSA keys on P-256, P-384 and P-521 are returned.
func ParsePublicKey(b []byte) (*ecdsa.PublicKey, error) {
	if len(b) > maxPublicKeyBytes {
		return nil, fmt.Errorf("public key is %d bytes, more than the %d a key can honestly take", len(b), maxPublicKeyBytes)
	}
	s := bytes.TrimSpace(b)
	if len(s) == 0 {
		return nil, errors.New("public key is empty")
	}
	if bytes.HasPrefix(s, []byte("-----BEGIN")) {
		return parsePEMPublicKey(s)
	}
	raw, err := decodeBase64Loose(s)
	if err != nil {
		return nil, errors.New("public key is neither PEM nor base64")
	}
	if t := bytes.TrimSpace(raw); bytes.HasPrefix(t, []byte("-----BEGIN")) {
		return parsePEMPublicKey(t)
	}
	return parseDERPublicKey(raw)
}

// decodeBase64Loose decodes standard base64 with or without padding,
// ignoring line breaks and spaces (PEM bodies and pasted keys carry them).
func decodeBase64Loose(s []byte) ([]byte, error) {
	clean := make([]byte, 0, len(s))
	for _, c := range s {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			clean = append(clean, c)
		}
	}
	if out, err := base64.StdEncoding.DecodeString(string(clean)); err == nil {
		return out, nil
	}
	return base64.RawStdEncoding.DecodeString(string(clean))
}

func parsePEMPublicKey(s []byte) (*ecdsa.PublicKey, error) {
	block, _ := pem.Decode(s)
	if block == nil {
		return nil, errors.New("public key PEM is malformed")
	}
	if block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("public key PEM block is %q, want \"PUBLIC KEY\"", truncate(block.Type, 40))
	}
	return parseDERPublicKey(block.Bytes)
}

func parseDERPublicKey(der []byte) (*ecdsa.PublicKey, error) {
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		if strings.Contains(err.Error(), "asn1:") {
			// encoding/asn1's wording ("tags don't match (16 vs {class:0
			// ...") helps nobody reading a verdict.
			return nil, errors.New("public key is not a SubjectPublicKeyInfo: malformed DER")
		}
		return nil, fmt.Errorf("public key is not a SubjectPublicKeyInfo: %w", err)
	}
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		if curveName(k.Curve) == "" {
			return nil, fmt.Errorf("public key is on %s; Talkdesk keys are P-256, P-384 or P-521", k.Curve.Params().Name)
		}
		return k, nil
	case *rsa.PublicKey:
		return nil, errors.New("public key is RSA, not ECDSA")
	default:
		return nil, fmt.Errorf("public key is %T, not ECDSA", key)
	}
}

// curveName is the curve's part of an algorithm name ("p256"), or "" for a
// curve Talkdesk does not use.
func curveName(c elliptic.Curve) string {
	switch c {
	case elliptic.P256():
		return "p256"
	case elliptic.P384():
		return "p384"
	case elliptic.P521():
		return "p521"
	}
	return ""
}

func curveLabel(c elliptic.Curve) string { return c.Params().Name }

// algorithmFor names the Talkdesk algorithm for a key, e.g. ecdsa-p256-sha512;
// without a key the curve is unknown.
func algorithmFor(pub *ecdsa.PublicKey) string {
	if pub == nil {
		return "ecdsa-sha512"
	}
	return "ecdsa-" + curveName(pub.Curve) + "-sha512"
}

// decodeSignatureHeader turns the X-Hub-Ecdsa-Signature value into bytes.
// Errors are reasons for an invalid verdict.
func decodeSignatureHeader(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, fmt.Errorf("%s is empty", HeaderTalkdeskSignature)
	}
	if len(v) > maxSignatureHexLen {
		return nil, fmt.Errorf("%s is %d characters, too long for an ECDSA signature", HeaderTalkdeskSignature, len(v))
	}
	sig, err := hex.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("%s is not hex%s", HeaderTalkdeskSignature, oddHex(err, len(v)))
	}
	return sig, nil
}

// oddHex completes "... is not hex" when hex decoding failed only because
// the digits are an odd number: a value cut short, not a value in another
// encoding, and a person looking at it sees nothing but hex digits.
func oddHex(err error, digits int) string {
	if errors.Is(err, hex.ErrLength) {
		return fmt.Sprintf(": it has an odd number of hex digits (%d); was it truncated?", digits)
	}
	return ""
}

// ecdsaSig is a parsed signature: the DER bytes when it is DER-shaped, r and
// s when it has the raw r||s size of the curve. A 64-byte value can be both
// (vanishingly rarely), so both are kept and both are tried.
type ecdsaSig struct {
	der  []byte
	r, s *big.Int
}

// parseECDSASignature accepts an ASN.1 DER ECDSA-Sig-Value or raw r||s of the
// curve's size (IEEE P1363, what WebCrypto and Node's ieee-p1363 produce).
// The error is a reason for an invalid verdict.
func parseECDSASignature(sig []byte, curve elliptic.Curve) (ecdsaSig, error) {
	size := (curve.Params().BitSize + 7) / 8
	var out ecdsaSig
	var v struct{ R, S *big.Int }
	rest, derErr := asn1.Unmarshal(sig, &v)
	if derErr == nil && len(rest) == 0 && v.R != nil && v.S != nil {
		out.der = sig
	}
	if len(sig) == 2*size {
		out.r = new(big.Int).SetBytes(sig[:size])
		out.s = new(big.Int).SetBytes(sig[size:])
	}
	if out.der == nil && out.r == nil {
		// Say which way it is wrong: a DER signature with bytes after it
		// (too long), one that ends early (cut short), or neither form.
		why := ""
		var syn asn1.SyntaxError
		switch {
		case derErr == nil && len(rest) > 0 && v.R != nil && v.S != nil:
			why = fmt.Sprintf("; it is a DER signature followed by %s more: was something appended?", byteCount(len(rest)))
		case errors.As(derErr, &syn) && strings.Contains(syn.Msg, "truncated"):
			why = "; it starts as a DER signature but ends early: was it truncated?"
		case len(sig) < 2*size:
			why = "; was it truncated?"
		}
		return out, fmt.Errorf("%s is %s: neither an ASN.1 DER signature nor raw r||s (%d bytes for %s)%s",
			HeaderTalkdeskSignature, byteCount(len(sig)), 2*size, curveLabel(curve), why)
	}
	return out, nil
}

// verifyECDSA reports whether sig signs SHA-512(body) under pub, and
// whether it did so only as raw r||s: Talkdesk's own verification samples
// (Node's crypto.verify, Java's and C#'s SHA512withECDSA) read the header
// as ASN.1 DER and reject that form.
func verifyECDSA(pub *ecdsa.PublicKey, body []byte, sig ecdsaSig) (ok, rawOnly bool) {
	digest := sha512.Sum512(body)
	if sig.der != nil && ecdsa.VerifyASN1(pub, digest[:], sig.der) {
		return true, false
	}
	if sig.r != nil && ecdsa.Verify(pub, digest[:], sig.r, sig.s) {
		return true, true
	}
	return false, false
}

// SignTalkdesk signs body as the Talkdesk Events API does: ECDSA over
// SHA-512 of the exact bytes, ASN.1 DER, hex-encoded. The result is the
// X-Hub-Ecdsa-Signature header value.
func SignTalkdesk(priv *ecdsa.PrivateKey, body []byte) (string, error) {
	if priv == nil {
		return "", errors.New("sign talkdesk: no private key")
	}
	digest := sha512.Sum512(body)
	sig, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
	if err != nil {
		return "", fmt.Errorf("sign talkdesk: %w", err)
	}
	return hex.EncodeToString(sig), nil
}

// EncodePublicKey returns pub as Talkdesk's key endpoint serves public_key:
// base64 of the PEM-encoded SubjectPublicKeyInfo.
func EncodePublicKey(pub *ecdsa.PublicKey) (string, error) {
	if pub == nil {
		return "", errors.New("encode public key: no key")
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	p := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	return base64.StdEncoding.EncodeToString(p), nil
}

// truncate shortens untrusted text put into a reason to n runes, without
// converting all of a possibly huge value.
func truncate(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos] + "…"
		}
		i++
	}
	return s
}
