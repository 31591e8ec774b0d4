package verify

import (
	"context"
	"fmt"
	"time"

	"github.com/hookscope/hookscope/store"
)

// rootHref is the delivery's _links.root.href. It comes from an unverified
// body: keysBase only lets it choose among Talkdesk's documented gateways.
func rootHref(obj map[string]any) string {
	links, _ := obj["_links"].(map[string]any)
	root, _ := links["root"].(map[string]any)
	href, _ := root["href"].(string)
	return href
}

// checkTalkdesk verifies a Talkdesk Events API delivery: hex ECDSA signature
// over SHA-512 of the raw body, key named by X-Hub-Ecdsa-Signature-Id. It
// returns the verdict and notes about where the key came from.
func (v *Verifier) checkTalkdesk(ctx context.Context, r Request, obj map[string]any, when time.Time) (store.Signature, []string) {
	sig := store.Signature{Scheme: SchemeTalkdeskECDSA, Algorithm: algorithmFor(nil)}
	sigHex, err := singleHeader(r.Header, HeaderTalkdeskSignature, "Talkdesk signs every Events API delivery")
	if err != nil {
		return sigInvalid(sig, err.Error()), nil
	}
	id, err := singleHeader(r.Header, HeaderTalkdeskSignatureID, "cannot tell which Talkdesk key signed the delivery")
	if err != nil {
		return sigInvalid(sig, err.Error()), nil
	}
	if err := CheckKeyID(id); err != nil {
		return sigInvalid(sig, fmt.Sprintf("%s %q is refused: %v", HeaderTalkdeskSignatureID, truncate(id, 64), err)), nil
	}
	// Named before the signature is read: a verdict on a signature that
	// is not hex still says which key it claimed.
	sig.KeyID = id
	raw, err := decodeSignatureHeader(sigHex)
	if err != nil {
		return sigInvalid(sig, err.Error()), nil
	}
	key, err := v.resolveKey(ctx, id, rootHref(obj))
	if err != nil {
		sig.Status, sig.Reason = store.SigUnverifiable, err.Error()
		return sig, nil
	}
	notes := append([]string{fmt.Sprintf("key %s: %s", id, key.source)}, key.notes...)
	sig.Algorithm = algorithmFor(key.pub)
	parsed, err := parseECDSASignature(raw, key.pub.Curve)
	if err != nil {
		return sigInvalid(sig, err.Error()), notes
	}
	expired := !key.expiresAt.IsZero() && !when.Before(key.expiresAt)
	expiry := fmt.Sprintf("key %s expired %s", id, key.expiresAt.UTC().Format(time.DateOnly))
	ok, rawOnly := verifyECDSA(key.pub, r.Body, parsed)
	if !ok {
		if expired {
			notes = append(notes, expiry)
		}
		return sigInvalid(sig, "signature does not match the body: the body was modified or signed with another key"), notes
	}
	if expired {
		// The maths holds, but Talkdesk stops signing with a key when it
		// expires: this is an old delivery replayed, or a leaked key.
		return sigInvalid(sig, fmt.Sprintf("%s (delivery received %s): the signature matches, but Talkdesk does not sign with expired keys",
			expiry, when.UTC().Format(time.DateOnly))), notes
	}
	if rawOnly {
		notes = append(notes, "the signature is raw r||s (IEEE P1363), not ASN.1 DER: Talkdesk's verification samples (Node crypto.verify, Java and C# SHA512withECDSA) expect DER and reject this form")
	}
	sig.Status = store.SigValid
	sig.Reason = fmt.Sprintf("ECDSA %s SHA-512 signature matches Talkdesk key %s", curveLabel(key.pub.Curve), id)
	return sig, notes
}
