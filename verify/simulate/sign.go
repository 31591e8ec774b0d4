package simulate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/devkeys"
)

// Signer signs bodies as one provider does, with key material the caller
// found (dev keys and secrets live in the user's config folder and
// environment, which this package does not read). Only the field its
// Provider uses need be set; without it deliveries go out unsigned, as the
// provider sends them when no secret is configured.
type Signer struct {
	Provider string
	Key      *devkeys.Key      // Talkdesk Events API
	Secret   []byte            // TalkifAI, Dialpad
	HMAC     *verify.HMACRoute // a generic --hmac route, with its secret
}

// CanSign reports whether s holds what its provider signs with.
func (s *Signer) CanSign() bool {
	switch s.Provider {
	case verify.ProviderTalkdeskEvents:
		return s.Key != nil
	case verify.ProviderTalkifAI, verify.ProviderDialpad:
		return len(s.Secret) > 0
	case verify.ProviderHMAC:
		return s.HMAC != nil && len(s.HMAC.Secret) > 0
	}
	return false
}

// Signed is a body signed as a provider signs it.
type Signed struct {
	Body []byte
	// Header holds the fields that carry the signature (for Dialpad, the
	// content type of the token); each replaces any field of its name.
	Header store.Header
	// With says how: "talkdesk-ecdsa:KEYID", "talkifai-hmac", "dialpad-jwt",
	// "hmac".
	With string
}

// SignBody signs body the way s.Provider does: a header for Talkdesk,
// TalkifAI and generic HMAC routes; for Dialpad, body is the claims JSON
// and the result is the HS256 token itself. It is the one piece of signing
// that simulated deliveries and the replay of an edited delivery share.
func (s *Signer) SignBody(body []byte) (Signed, error) {
	if !s.CanSign() {
		return Signed{}, fmt.Errorf("no key or secret to sign a %s delivery with", s.Provider)
	}
	switch s.Provider {
	case verify.ProviderTalkdeskEvents:
		sig, err := verify.SignTalkdesk(s.Key.Private, body)
		if err != nil {
			return Signed{}, err
		}
		return Signed{Body: body, With: verify.SchemeTalkdeskECDSA + ":" + s.Key.ID, Header: store.Header{
			{Name: verify.HeaderTalkdeskSignature, Value: sig},
			{Name: verify.HeaderTalkdeskSignatureID, Value: s.Key.ID}}}, nil
	case verify.ProviderTalkifAI:
		return Signed{Body: body, With: verify.SchemeTalkifAIHMAC, Header: store.Header{
			{Name: verify.HeaderTalkifAISignature, Value: verify.SignHMAC(s.Secret, body)}}}, nil
	case verify.ProviderHMAC:
		v, err := s.HMAC.Sign(body)
		if err != nil {
			return Signed{}, err
		}
		return Signed{Body: body, With: verify.SchemeHMAC, Header: store.Header{{Name: s.HMAC.Header, Value: v}}}, nil
	}
	// Dialpad.
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimSpace(body)))
	dec.UseNumber() // int64 call ids stay exact
	var claims any
	if err := dec.Decode(&claims); err != nil {
		return Signed{}, fmt.Errorf("dialpad claims are not JSON: %w", err)
	}
	if dec.More() {
		return Signed{}, errors.New("dialpad claims: more than one JSON value")
	}
	tok, err := verify.SignDialpadJWT(s.Secret, claims)
	if err != nil {
		return Signed{}, err
	}
	return Signed{Body: []byte(tok), With: verify.SchemeDialpadJWT,
		Header: store.Header{{Name: "Content-Type", Value: "application/jwt"}}}, nil
}

// Sign signs d's body in place: headers for Talkdesk and TalkifAI, the
// body itself becomes a JWT for Dialpad. A delivery s cannot sign is left
// as it is, with d.Unsigned saying why.
func (s *Signer) Sign(d *Delivery) error {
	switch {
	case s.Provider == verify.ProviderDialpad && isDialpadToken(d.Body):
		// A --body file can be a token already (one captured from Dialpad,
		// or made by the user's own signer): it carries its own signature.
		d.Unsigned = "the --body file is a JWT already: sent as it is, and a listener judges the signature it carries"
		return nil
	case s.Provider == verify.ProviderDialpad && s.CanSign() && !json.Valid(bytes.TrimSpace(d.Body)):
		// Only a body given as is (a --body file) can be other than JSON:
		// one that is not JSON (nor a token, above) is sent as it is.
		d.Unsigned = "the --body file is not JSON, so it was not made into a JWT"
		return nil
	case s.CanSign():
		sg, err := s.SignBody(d.Body)
		if err != nil {
			return err
		}
		d.Body, d.SignedWith = sg.Body, sg.With
		if s.Provider == verify.ProviderDialpad {
			// The token is the whole request: no JSON content type.
			d.Header = sg.Header
		} else {
			d.Header = append(d.Header, sg.Header...)
		}
	case s.Provider == verify.ProviderTalkifAI:
		d.Unsigned = "no TalkifAI secret configured"
	case s.Provider == verify.ProviderDialpad:
		d.Unsigned = "no Dialpad secret configured: plain JSON"
	default:
		d.Unsigned = "the provider documents no signature"
		if s.Provider == "" {
			d.Unsigned = "the spec does not say which provider sends this message"
		}
	}
	return nil
}

// isDialpadToken reports whether body is a compact JWT by the rules the
// Dialpad check finds one with (a bare token, or a JSON string holding one).
func isDialpadToken(body []byte) bool {
	_, ok := verify.JWTSegments(body)
	return ok
}
