package verify

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"

	"github.com/hookscope/hookscope/store"
)

// hmacHashes are the algorithms --hmac accepts. SHA-1 is there because
// older providers still sign with it; HMAC-SHA1 is not broken the way plain
// SHA-1 is.
var hmacHashes = map[string]func() hash.Hash{
	"sha1":   sha1.New,
	"sha256": sha256.New,
	"sha512": sha512.New,
}

// talkifaiPrefix starts every X-TalkifAI-Signature value.
const talkifaiPrefix = "sha256="

// maxHMACHeaderLen bounds a signature header before decoding; the largest
// honest value, base64 or hex of HMAC-SHA512 with a prefix, is far smaller.
const maxHMACHeaderLen = 1024

func computeHMAC(newHash func() hash.Hash, secret, body []byte) []byte {
	m := hmac.New(newHash, secret)
	m.Write(body)
	return m.Sum(nil)
}

// SignHMAC returns the X-TalkifAI-Signature value for body:
// "sha256=" and the hex HMAC-SHA256 of the raw body under secret.
func SignHMAC(secret, body []byte) string {
	return talkifaiPrefix + hex.EncodeToString(computeHMAC(sha256.New, secret, body))
}

// Sign returns the header value the route expects for body, signed with the
// route's Secret.
func (h HMACRoute) Sign(body []byte) (string, error) {
	nh, ok := hmacHashes[strings.ToLower(h.Algo)]
	if !ok {
		return "", fmt.Errorf("sign hmac %s: algorithm %q: want sha1, sha256 or sha512", h.Prefix, h.Algo)
	}
	if len(h.Secret) == 0 {
		return "", fmt.Errorf("sign hmac %s: no secret (set %s)", h.Prefix, h.SecretEnv())
	}
	mac := computeHMAC(nh, h.Secret, body)
	switch strings.ToLower(h.Encoding) {
	case "hex":
		return h.SigPrefix + hex.EncodeToString(mac), nil
	case "base64":
		return h.SigPrefix + base64.StdEncoding.EncodeToString(mac), nil
	}
	return "", fmt.Errorf("sign hmac %s: encoding %q: want hex or base64", h.Prefix, h.Encoding)
}

// singleHeader returns the one value of name. The error is a reason for an
// invalid verdict: a missing header, or a header sent more than once (which
// one would a receiver check?).
func singleHeader(hdr store.Header, name, missing string) (string, error) {
	vals := hdr.Values(name)
	switch len(vals) {
	case 0:
		return "", fmt.Errorf("no %s header: %s", name, missing)
	case 1:
		return strings.TrimSpace(vals[0]), nil
	}
	return "", fmt.Errorf("%s was sent %d times; a signature header is sent once", name, len(vals))
}

// checkTalkifAI verifies X-TalkifAI-Signature: sha256=<hex HMAC-SHA256>.
func checkTalkifAI(hdr store.Header, body, secret []byte) store.Signature {
	rule := HMACRoute{Header: HeaderTalkifAISignature, Algo: "sha256", Encoding: "hex", SigPrefix: talkifaiPrefix, Secret: secret}
	sig, digest := verifyMAC(store.Signature{Scheme: SchemeTalkifAIHMAC, Algorithm: "hmac-sha256"}, rule, hdr, body, macReasons{
		missing:  "TalkifAI signs every webhook request",
		noSecret: "no TalkifAI secret configured: set " + EnvTalkifAISecret + " or secrets.talkifai" + noSecretAfter,
		valid:    "HMAC-SHA256 matches the TalkifAI secret",
	})
	if sig.Status == store.SigValid {
		// TalkifAI's recipes (Python compare_digest, Node timingSafeEqual)
		// compare the header as a string with "sha256=" and the lower-case
		// hex digest, so only that spelling is TalkifAI's.
		if digest != strings.ToLower(digest) {
			return sigInvalid(sig, "the HMAC-SHA256 matches, but in upper-case hex: TalkifAI's recipe compares the header with \"sha256=\" and the lower-case hex digest as strings, so a receiver following it rejects this delivery")
		}
	}
	return sig
}

// checkHMAC verifies a delivery against a generic --hmac route.
func checkHMAC(h HMACRoute, hdr store.Header, body []byte) store.Signature {
	sig, _ := verifyMAC(store.Signature{Scheme: SchemeHMAC, Algorithm: "hmac-" + h.Algo}, h, hdr, body, macReasons{
		missing:  "the --hmac " + h.Prefix + " rule expects one",
		noSecret: fmt.Sprintf("no secret for --hmac %s: set %s or secrets.hmac.%s", h.Prefix, h.SecretEnv(), h.Name) + noSecretAfter,
		valid:    fmt.Sprintf("HMAC-%s matches the secret of --hmac %s", strings.ToUpper(h.Algo), h.Prefix),
	})
	return sig
}

// noSecretAfter ends an unverifiable reason that names a secret to set: a
// listener reads its secrets when it starts, so a secret added to the config
// file while it runs changes nothing until it restarts, and deliveries
// already stored are checked again only on request.
const noSecretAfter = " (a listener reads it when it starts); `hookscope verify ID` checks a stored delivery again"

// macReasons are the words a scheme puts into verdicts verifyMAC cannot
// phrase on its own.
type macReasons struct {
	missing  string // why a missing header matters
	noSecret string // the unverifiable reason: which secret to set
	valid    string // the valid reason
}

// verifyMAC checks the one value of rule.Header: rule.SigPrefix, then the
// HMAC of the raw body under rule.Secret with rule.Algo, written in
// rule.Encoding. TalkifAI's scheme is such a rule, with its own reasons.
// It also returns the encoded MAC as sent (the value after rule.SigPrefix),
// or "" when the header stops short of one, for checks of its spelling.
func verifyMAC(sig store.Signature, rule HMACRoute, hdr store.Header, body []byte, why macReasons) (store.Signature, string) {
	label := "HMAC-" + strings.ToUpper(rule.Algo)
	v, err := singleHeader(hdr, rule.Header, why.missing)
	if err != nil {
		return sigInvalid(sig, err.Error()), ""
	}
	if len(v) > maxHMACHeaderLen {
		return sigInvalid(sig, fmt.Sprintf("%s is %d characters, too long for an %s", rule.Header, len(v), label)), ""
	}
	rest, ok := strings.CutPrefix(v, rule.SigPrefix)
	if !ok {
		return sigInvalid(sig, fmt.Sprintf("%s does not start with %q", rule.Header, rule.SigPrefix)), ""
	}
	var mac []byte
	switch rule.Encoding {
	case "hex":
		mac, err = hex.DecodeString(rest)
	default:
		mac, err = decodeBase64Loose([]byte(rest))
	}
	if err != nil {
		reason := fmt.Sprintf("%s is not %s", rule.Header, rule.Encoding)
		if rule.SigPrefix != "" {
			reason += fmt.Sprintf(" after %q", rule.SigPrefix)
		}
		if rule.Encoding == "hex" {
			reason += oddHex(err, len(rest))
		}
		return sigInvalid(sig, reason), rest
	}
	nh := hmacHashes[rule.Algo]
	if size := nh().Size(); len(mac) != size {
		return sigInvalid(sig, fmt.Sprintf("%s holds %s; %s gives %d", rule.Header, byteCount(len(mac)), label, size)), rest
	}
	if len(rule.Secret) == 0 {
		sig.Status, sig.Reason = store.SigUnverifiable, why.noSecret
		return sig, rest
	}
	if !hmac.Equal(mac, computeHMAC(nh, rule.Secret, body)) {
		return sigInvalid(sig, "signature does not match the body: the body was modified or signed with another secret"), rest
	}
	sig.Status, sig.Reason = store.SigValid, why.valid
	return sig, rest
}

func sigInvalid(sig store.Signature, reason string) store.Signature {
	sig.Status, sig.Reason = store.SigInvalid, reason
	return sig
}
