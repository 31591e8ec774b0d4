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

// signer signs deliveries as one provider does. send builds one per
// message (newSigner); the live view's replay of an edited body builds one
// per delivery (resigner), from the key or secret that signed the original.
type signer struct {
	provider string
	key      *devkeys.Key      // Talkdesk Events API
	secret   []byte            // TalkifAI, Dialpad
	hmac     *verify.HMACRoute // a generic --hmac route, with its secret
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

// canSign reports whether s holds what its provider signs with.
func (s *signer) canSign() bool {
	switch s.provider {
	case verify.ProviderTalkdeskEvents:
		return s.key != nil
	case verify.ProviderTalkifAI, verify.ProviderDialpad:
		return len(s.secret) > 0
	case verify.ProviderHMAC:
		return s.hmac != nil && len(s.hmac.Secret) > 0
	}
	return false
}

// signed is a body signed as a provider signs it.
type signed struct {
	body []byte
	// header holds the fields that carry the signature (for Dialpad, the
	// content type of the token); each replaces any field of its name.
	header store.Header
	// with says how: "talkdesk-ecdsa:KEYID", "talkifai-hmac", "dialpad-jwt",
	// "hmac".
	with string
}

// signBody signs body the way s.provider does: a header for Talkdesk,
// TalkifAI and generic HMAC routes; for Dialpad, body is the claims JSON
// and the result is the HS256 token itself. It is the one piece of signing
// that send and the replay of an edited delivery share.
func (s *signer) signBody(body []byte) (signed, error) {
	if !s.canSign() {
		return signed{}, fmt.Errorf("no key or secret to sign a %s delivery with", s.provider)
	}
	switch s.provider {
	case verify.ProviderTalkdeskEvents:
		sig, err := verify.SignTalkdesk(s.key.Private, body)
		if err != nil {
			return signed{}, err
		}
		return signed{body: body, with: verify.SchemeTalkdeskECDSA + ":" + s.key.ID, header: store.Header{
			{Name: verify.HeaderTalkdeskSignature, Value: sig},
			{Name: verify.HeaderTalkdeskSignatureID, Value: s.key.ID}}}, nil
	case verify.ProviderTalkifAI:
		return signed{body: body, with: verify.SchemeTalkifAIHMAC, header: store.Header{
			{Name: verify.HeaderTalkifAISignature, Value: verify.SignHMAC(s.secret, body)}}}, nil
	case verify.ProviderHMAC:
		v, err := s.hmac.Sign(body)
		if err != nil {
			return signed{}, err
		}
		return signed{body: body, with: verify.SchemeHMAC, header: store.Header{{Name: s.hmac.Header, Value: v}}}, nil
	}
	// Dialpad.
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimSpace(body)))
	dec.UseNumber() // int64 call ids stay exact
	var claims any
	if err := dec.Decode(&claims); err != nil {
		return signed{}, fmt.Errorf("dialpad claims are not JSON: %w", err)
	}
	if dec.More() {
		return signed{}, fmt.Errorf("dialpad claims: more than one JSON value")
	}
	tok, err := verify.SignDialpadJWT(s.secret, claims)
	if err != nil {
		return signed{}, err
	}
	return signed{body: []byte(tok), with: verify.SchemeDialpadJWT,
		header: store.Header{{Name: "Content-Type", Value: "application/jwt"}}}, nil
}

// sign signs d's body in place: headers for Talkdesk and TalkifAI, the
// body itself becomes a JWT for Dialpad.
func (s *signer) sign(d *delivery) error {
	switch {
	case s.provider == verify.ProviderDialpad && s.canSign() && !json.Valid(bytes.TrimSpace(d.body)):
		// A --body file that is already a token (or not JSON) is sent as
		// is.
		d.unsigned = "the --body file is not JSON, so it was not made into a JWT"
		return nil
	case s.canSign():
		sg, err := s.signBody(d.body)
		if err != nil {
			return err
		}
		d.body, d.signedWith = sg.body, sg.with
		if s.provider == verify.ProviderDialpad {
			// The token is the whole request: no JSON content type.
			d.header = sg.header
		} else {
			d.header = append(d.header, sg.header...)
		}
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
