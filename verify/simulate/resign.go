package simulate

import (
	"fmt"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/devkeys"
)

// DevKeys finds one of hookscope's dev keys by id; devkeys.Dir is one.
type DevKeys interface {
	Get(id string) (*devkeys.Key, error)
}

// Keyring is what hookscope holds to sign with, as the caller found it in
// the config folder, the environment and the flags: its own dev keys and
// the shared secrets the user configured.
type Keyring struct {
	DevKeys           DevKeys
	TalkifAI, Dialpad []byte
	HMAC              []verify.HMACRoute // each with its secret when one is set
	// Now is the clock dev keys' expiry is judged by; nil means time.Now.
	Now func() time.Time
}

// Resigner returns the signer that can sign an edited copy of rec the way
// the original was signed, or nil; the sentence says with what, or why
// not. hookscope can re-sign only what it holds the secret of: its own dev
// keys (never Talkdesk's), and the configured TalkifAI, Dialpad and --hmac
// secrets.
func (kr Keyring) Resigner(rec store.Record) (*Signer, string) {
	a := rec.Analysis
	if a == nil {
		return nil, "hookscope has not analysed this delivery yet, so it does not know who signed it"
	}
	if a.Signature.Status == store.SigUnsigned {
		return nil, "the original delivery is not signed"
	}
	switch a.Provider {
	case verify.ProviderTalkdeskEvents:
		id := rec.Header.Get(verify.HeaderTalkdeskSignatureID)
		if id == "" {
			return nil, "the delivery carries no " + verify.HeaderTalkdeskSignatureID + " header naming its key"
		}
		if err := verify.CheckKeyID(id); err != nil {
			// The header is the sender's text: verify refused it the same
			// way, and it is not repeated here.
			return nil, "its " + verify.HeaderTalkdeskSignatureID + " header names no usable key: " + err.Error()
		}
		var k *devkeys.Key
		if kr.DevKeys != nil {
			if got, err := kr.DevKeys.Get(id); err == nil {
				k = got
			}
		}
		if k == nil {
			return nil, fmt.Sprintf("it was signed with key %s, which is not one of hookscope's dev keys: only Talkdesk holds that private key", id)
		}
		now := time.Now
		if kr.Now != nil {
			now = kr.Now
		}
		if !now().Before(k.ExpiresAt) {
			// A verifier refuses an expired key, hookscope's own included:
			// a copy signed with it would only look signed.
			return nil, fmt.Sprintf("dev key %s, which signed the original, expired at %s: a copy signed with it would not verify (hookscope send makes a new key)",
				k.ID, k.ExpiresAt.UTC().Format(time.RFC3339))
		}
		return &Signer{Provider: a.Provider, Key: k}, fmt.Sprintf("hookscope holds dev key %s, which signed the original", k.ID)
	case verify.ProviderTalkifAI:
		if len(kr.TalkifAI) == 0 {
			return nil, "no TalkifAI secret is configured (" + verify.EnvTalkifAISecret + " or secrets.talkifai)"
		}
		return &Signer{Provider: a.Provider, Secret: kr.TalkifAI}, "hookscope holds the TalkifAI secret"
	case verify.ProviderDialpad:
		if len(kr.Dialpad) == 0 {
			return nil, "no Dialpad secret is configured (" + verify.EnvDialpadSecret + " or secrets.dialpad)"
		}
		return &Signer{Provider: a.Provider, Secret: kr.Dialpad}, "hookscope holds the Dialpad secret: the edited claims become a new HS256 token"
	case verify.ProviderHMAC:
		r := verify.MatchHMACRoute(kr.HMAC, rec.Path)
		if r == nil {
			// The path is the sender's text, as long as it likes; the
			// detail view shows it.
			return nil, "no --hmac route covers the delivery's path"
		}
		h := *r
		if len(h.Secret) == 0 {
			return nil, fmt.Sprintf("no secret is set for --hmac %s (%s)", h.Prefix, h.SecretEnv())
		}
		return &Signer{Provider: a.Provider, HMAC: &h}, fmt.Sprintf("hookscope holds the secret of --hmac %s", h.Prefix)
	case "", verify.ProviderUnknown:
		return nil, "hookscope cannot tell who signed this delivery"
	}
	return nil, a.Provider + " deliveries carry no signature hookscope can make"
}
