package verify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hookscope/hookscope/store"
)

// maxJWTBytes bounds a Dialpad JWT. Dialpad's payloads are a few KiB; the
// bound keeps base64 and JSON decoding of hostile bodies cheap.
const maxJWTBytes = 1 << 20

// jwtLeeway tolerates clock skew between Dialpad and this machine when
// checking exp and nbf.
const jwtLeeway = 60 * time.Second

// extractJWT returns the compact JWT a body carries, split and decoded: the
// whole body once surrounding whitespace is trimmed, or a JSON string
// holding one. ok is false when the body is not a JWT.
func extractJWT(body []byte) (t jwtToken, ok bool) {
	if len(body) > maxJWTBytes+64 {
		return jwtToken{}, false
	}
	s := bytes.TrimSpace(body)
	if len(s) >= 2 && s[0] == '"' {
		var str string
		if json.Unmarshal(s, &str) != nil {
			return jwtToken{}, false
		}
		s = bytes.TrimSpace([]byte(str))
	}
	if len(s) > maxJWTBytes {
		return jwtToken{}, false
	}
	return parseJWT(string(s))
}

// JWTSegments returns the three base64url segments of the compact JWT a
// body carries, found by the rules the Dialpad check uses (extractJWT), so
// that `send`'s editor and tamper work on the very token verify judges.
func JWTSegments(body []byte) ([3]string, bool) {
	t, ok := extractJWT(body)
	if !ok {
		return [3]string{}, false
	}
	header, claims, _ := strings.Cut(t.signingInput, ".")
	return [3]string{header, claims, t.sig}, true
}

// jwtToken is a compact JWT split into its parts.
type jwtToken struct {
	alg          string
	crit         bool
	claims       map[string]any // numbers as json.Number
	claimsErr    error
	signingInput string
	sig          string // base64url, decoded when judged
	// padded is set when a part ends in base64 '=' padding, which compact
	// JWS forbids; sig then keeps it.
	padded bool
	// stdBase64 is set when a part uses the standard alphabet's + or /,
	// which base64url (and so compact JWS) has not.
	stdBase64 bool
	// noAlg is set when the header, a JSON object, names no alg.
	noAlg bool
}

// parseJWT splits and decodes a compact JWT without judging it: ok means
// the JWS compact shape, three base64url segments, the first a JSON object.
// Claims are decoded even when the signature is bad so that the user can
// see them. Tokens a hand-rolled signer gets wrong (padding, the standard
// base64 alphabet, a header without alg) are recognised and flagged, to be
// refused when judged with the reason, rather than taken for text from an
// unknown sender.
func parseJWT(tok string) (jwtToken, bool) {
	std := false
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '=':
		case c == '+' || c == '/':
			std = true
		default:
			return jwtToken{}, false
		}
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return jwtToken{}, false
	}
	// Padding is not compact JWS, but a hand-rolled signer adds it (the
	// views decode such a token too): it is recognised, and refused when
	// judged, rather than taken for text from an unknown sender.
	var seg [3]string
	padded := false
	for i, p := range parts {
		seg[i] = strings.TrimRight(p, "=")
		n := len(p) - len(seg[i]) // base64 pads with at most two
		if n > 2 || strings.Contains(seg[i], "=") {
			return jwtToken{}, false
		}
		padded = padded || n > 0
	}
	if seg[0] == "" || seg[1] == "" {
		return jwtToken{}, false
	}
	hb, err := decodeSegment(seg[0], std)
	if err != nil {
		return jwtToken{}, false
	}
	var hdr map[string]any
	if json.Unmarshal(hb, &hdr) != nil {
		return jwtToken{}, false
	}
	alg, ok := hdr["alg"].(string)
	t := jwtToken{alg: alg, noAlg: !ok, signingInput: parts[0] + "." + parts[1], sig: parts[2], padded: padded, stdBase64: std}
	_, t.crit = hdr["crit"]
	t.claims, t.claimsErr = decodeClaims(seg[1], std)
	if t.noAlg {
		// Without alg, only a header that says JWT or claims that are a
		// JSON object make it a token: other dotted base64 text, such as
		// a signed session cookie ({"_fresh":false}.timestamp.mac), has
		// a JSON first part too.
		typ, _ := hdr["typ"].(string)
		if !strings.EqualFold(typ, "JWT") && t.claimsErr != nil {
			return jwtToken{}, false
		}
	}
	return t, true
}

// decodeSegment decodes an unpadded base64url segment, or, when the token
// uses the standard alphabet (std), one in either alphabet: such a token is
// refused when judged, but its header and claims are still shown.
func decodeSegment(seg string, std bool) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil && std {
		b, err = base64.RawStdEncoding.DecodeString(seg)
	}
	return b, err
}

func decodeClaims(seg string, std bool) (map[string]any, error) {
	b, err := decodeSegment(seg, std)
	if err != nil {
		return nil, errors.New("JWT claims are not base64url")
	}
	v, err := decodeJSON(b)
	if err != nil {
		return nil, fmt.Errorf("JWT claims are not valid JSON: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("JWT claims are not a JSON object")
	}
	return m, nil
}

// verifyDialpadJWT judges a parsed token strictly: only HS256, a signature
// of the right size, the configured secret, then exp and nbf at the time the
// delivery was received.
func verifyDialpadJWT(t jwtToken, secret []byte, when time.Time) store.Signature {
	sig := store.Signature{Scheme: SchemeDialpadJWT, Algorithm: "jwt-hs256"}
	invalid := func(reason string) store.Signature {
		sig.Status, sig.Reason = store.SigInvalid, reason
		return sig
	}
	if t.noAlg {
		return invalid("JWT header names no alg: a signed token says how it is signed; only HS256 is accepted (Dialpad signs with HS256)")
	}
	if t.alg != "HS256" {
		sig.Algorithm = "jwt-" + strings.ToLower(truncate(t.alg, 16))
		if strings.EqualFold(t.alg, "none") {
			return invalid(fmt.Sprintf("JWT alg is %q: the token is unsigned; only HS256 is accepted", truncate(t.alg, 16)))
		}
		return invalid(fmt.Sprintf("JWT alg is %q; only HS256 is accepted (Dialpad signs with HS256)", truncate(t.alg, 16)))
	}
	if t.crit {
		return invalid("JWT header has crit extensions hookscope does not understand")
	}
	if t.stdBase64 {
		return invalid("JWT parts use standard base64 ('+' or '/'): a compact JWT is base64url (RFC 7515), with '-' and '_', as Dialpad sends it")
	}
	if t.padded {
		reason := "JWT parts end in '=' padding: a compact JWT is unpadded base64url (RFC 7515), as Dialpad sends it, and strict verifiers refuse it"
		if len(secret) > 0 {
			mac, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(t.sig, "="))
			if err == nil && hmac.Equal(hs256(secret, t.signingInput), mac) {
				reason += " (its HS256 signature over the padded parts matches the Dialpad secret)"
			} else {
				reason += " (nor does its signature match the Dialpad secret)"
			}
		}
		return invalid(reason)
	}
	// Strict: a signature whose unused trailing bits are set decodes to the
	// same bytes, so without it a token Dialpad did not send would verify.
	mac, err := base64.RawURLEncoding.Strict().DecodeString(t.sig)
	if err != nil {
		if _, lax := base64.RawURLEncoding.DecodeString(t.sig); lax == nil {
			// One character of a signature changed by hand lands here three
			// times in four: say what is wrong with it.
			return invalid("JWT signature is not canonical base64url: the unused bits of its last character are set, which no signer writes, so the signature was altered")
		}
		return invalid("JWT signature is not base64url")
	}
	if len(mac) != sha256.Size {
		return invalid(fmt.Sprintf("JWT signature is %s; HS256 gives %d", byteCount(len(mac)), sha256.Size))
	}
	if len(secret) == 0 {
		sig.Status = store.SigUnverifiable
		sig.Reason = "no Dialpad secret configured: set " + EnvDialpadSecret + " or secrets.dialpad" + noSecretAfter
		// What can be judged without the secret is said: with it, such
		// a token would be invalid however its signature turns out.
		if why := jwtTimeFault(t, when); why != "" {
			sig.Reason += "; even so, " + why
		}
		return sig
	}
	if !hmac.Equal(hs256(secret, t.signingInput), mac) {
		return invalid("JWT signature does not match: the token was modified or signed with another secret")
	}
	if t.claimsErr != nil {
		return invalid(t.claimsErr.Error())
	}
	if why := jwtTimeFault(t, when); why != "" {
		return invalid(why)
	}
	sig.Status = store.SigValid
	sig.Reason = "HS256 signature matches the Dialpad secret"
	return sig
}

// jwtTimeFault says why t's exp or nbf claim (or its claims) make it
// invalid at when, the time the delivery was received; "" when they do not.
func jwtTimeFault(t jwtToken, when time.Time) string {
	if t.claimsErr != nil {
		return ""
	}
	if exp, ok, err := numericDate(t.claims, "exp"); err != nil {
		return err.Error()
	} else if ok && when.After(exp.Add(jwtLeeway)) {
		return fmt.Sprintf("JWT expired at %s (delivery received %s)", exp.Format(time.RFC3339), when.UTC().Format(time.RFC3339))
	}
	if nbf, ok, err := numericDate(t.claims, "nbf"); err != nil {
		return err.Error()
	} else if ok && when.Add(jwtLeeway).Before(nbf) {
		return fmt.Sprintf("JWT is not valid before %s (delivery received %s)", nbf.Format(time.RFC3339), when.UTC().Format(time.RFC3339))
	}
	return ""
}

// numericDate reads a JWT NumericDate claim (seconds since the epoch, maybe
// fractional).
func numericDate(claims map[string]any, name string) (time.Time, bool, error) {
	v, ok := claims[name]
	if !ok {
		return time.Time{}, false, nil
	}
	n, isNum := v.(json.Number)
	if !isNum {
		return time.Time{}, false, fmt.Errorf("JWT %s claim is not a number", name)
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e11 {
		return time.Time{}, false, fmt.Errorf("JWT %s claim %s is not a usable date", name, truncate(n.String(), 32))
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true, nil
}

// SignDialpadJWT encodes claims as Dialpad sends a webhook created with a
// secret: a compact HS256 JWT.
func SignDialpadJWT(secret []byte, claims any) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("sign dialpad jwt: empty secret")
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("sign dialpad jwt: claims: %w", err)
	}
	input := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + base64.RawURLEncoding.EncodeToString(cb)
	return input + "." + base64.RawURLEncoding.EncodeToString(hs256(secret, input)), nil
}

// hs256 is the JWS HS256 MAC of a token's signing input (header "."
// claims, both base64url): what SignDialpadJWT appends and
// verifyDialpadJWT compares against.
func hs256(secret []byte, signingInput string) []byte {
	return computeHMAC(sha256.New, secret, []byte(signingInput))
}
