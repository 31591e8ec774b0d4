package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/devkeys"
)

// signer signs deliveries as one provider does.
type signer struct {
	provider string
	key      *devkeys.Key // Talkdesk Events API
	secret   []byte       // TalkifAI, Dialpad
	// notes are said once on stderr before sending: a key created, a
	// secret missing.
	notes []string
}

// newSigner prepares signing for provider: the newest dev key (created on
// first use) for the Talkdesk Events API, the configured secret for TalkifAI
// and Dialpad. A missing secret is not an error: the delivery goes out as
// the provider would send it without one, and a note says so.
func newSigner(e *env, cfg *config, provider string, now time.Time) (*signer, error) {
	s := &signer{provider: provider}
	switch provider {
	case verify.ProviderTalkdeskEvents:
		k, created, err := e.devKeys().Newest(now)
		if err != nil {
			return nil, fmt.Errorf("dev signing key: %w", err)
		}
		s.key = k
		if created {
			s.notes = append(s.notes, fmt.Sprintf("created dev key %s (%s) in %s; a running listener serves it at %s%s", k.ID, k.Curve, e.devKeys().Path, devkeys.EndpointPrefix, k.ID))
		}
	case verify.ProviderTalkifAI:
		s.secret = []byte(firstNonEmpty(e.getenv(verify.EnvTalkifAISecret), cfg.Secrets.TalkifAI))
		if len(s.secret) == 0 {
			s.notes = append(s.notes, "no TalkifAI secret configured (set "+verify.EnvTalkifAISecret+" or secrets.talkifai in the config file): sending unsigned")
		}
	case verify.ProviderDialpad:
		s.secret = []byte(firstNonEmpty(e.getenv(verify.EnvDialpadSecret), cfg.Secrets.Dialpad))
		if len(s.secret) == 0 {
			s.notes = append(s.notes, "no Dialpad secret configured (set "+verify.EnvDialpadSecret+" or secrets.dialpad in the config file): sending plain JSON, as Dialpad does for webhooks created without a secret")
		}
	}
	return s, nil
}

// sign signs d's body in place: headers for Talkdesk and TalkifAI, the
// body itself becomes a JWT for Dialpad.
func (s *signer) sign(d *delivery) error {
	switch {
	case s.provider == verify.ProviderTalkdeskEvents:
		sig, err := verify.SignTalkdesk(s.key.Private, d.body)
		if err != nil {
			return err
		}
		d.header = append(d.header,
			store.Field{Name: verify.HeaderTalkdeskSignature, Value: sig},
			store.Field{Name: verify.HeaderTalkdeskSignatureID, Value: s.key.ID})
		d.signedWith = verify.SchemeTalkdeskECDSA + ":" + s.key.ID
	case s.provider == verify.ProviderTalkifAI && len(s.secret) > 0:
		d.header = append(d.header, store.Field{Name: verify.HeaderTalkifAISignature, Value: verify.SignHMAC(s.secret, d.body)})
		d.signedWith = verify.SchemeTalkifAIHMAC
	case s.provider == verify.ProviderDialpad && len(s.secret) > 0:
		trimmed := bytes.TrimSpace(d.body)
		if !json.Valid(trimmed) {
			// A --body file that is already a token (or not JSON) is
			// sent as is.
			d.unsigned = "the --body file is not JSON, so it was not made into a JWT"
			return nil
		}
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber() // int64 call ids stay exact
		var claims any
		if err := dec.Decode(&claims); err != nil {
			return fmt.Errorf("dialpad claims: %w", err)
		}
		tok, err := verify.SignDialpadJWT(s.secret, claims)
		if err != nil {
			return err
		}
		d.body = []byte(tok)
		d.header = store.Header{{Name: "Content-Type", Value: "application/jwt"}}
		d.signedWith = verify.SchemeDialpadJWT
	case s.provider == verify.ProviderTalkifAI:
		d.unsigned = "no TalkifAI secret configured"
	case s.provider == verify.ProviderDialpad:
		d.unsigned = "no Dialpad secret configured: plain JSON"
	default:
		d.unsigned = "the provider documents no signature"
		if s.provider == "" {
			d.unsigned = "the spec does not say which provider sends this message"
		}
	}
	return nil
}
