package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/devkeys"
	"github.com/hookscope/hookscope/verify/simulate"
)

// resigner returns the signer that can sign an edited copy of rec the way
// the original was signed, or nil; the sentence says with what, or why
// not. hookscope can re-sign only what it holds the secret of: its own dev
// keys (never Talkdesk's), and the configured TalkifAI, Dialpad and --hmac
// secrets.
func (s signingSecrets) resigner(keys devkeys.Dir, rec store.Record) (*simulate.Signer, string) {
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
		k, err := keys.Get(id)
		if err != nil {
			return nil, fmt.Sprintf("it was signed with key %s, which is not one of hookscope's dev keys: only Talkdesk holds that private key", id)
		}
		return &simulate.Signer{Provider: a.Provider, Key: k}, fmt.Sprintf("hookscope holds dev key %s, which signed the original", k.ID)
	case verify.ProviderTalkifAI:
		if len(s.talkifai) == 0 {
			return nil, "no TalkifAI secret is configured (" + verify.EnvTalkifAISecret + " or secrets.talkifai)"
		}
		return &simulate.Signer{Provider: a.Provider, Secret: s.talkifai}, "hookscope holds the TalkifAI secret"
	case verify.ProviderDialpad:
		if len(s.dialpad) == 0 {
			return nil, "no Dialpad secret is configured (" + verify.EnvDialpadSecret + " or secrets.dialpad)"
		}
		return &simulate.Signer{Provider: a.Provider, Secret: s.dialpad}, "hookscope holds the Dialpad secret: the edited claims become a new HS256 token"
	case verify.ProviderHMAC:
		h, ok := s.hmacRoute(rec.Path)
		if !ok {
			return nil, "no --hmac route covers " + rec.Path
		}
		if len(h.Secret) == 0 {
			return nil, fmt.Sprintf("no secret is set for --hmac %s (%s)", h.Prefix, h.SecretEnv())
		}
		return &simulate.Signer{Provider: a.Provider, HMAC: &h}, fmt.Sprintf("hookscope holds the secret of --hmac %s", h.Prefix)
	case "", verify.ProviderUnknown:
		return nil, "hookscope cannot tell who signed this delivery"
	}
	return nil, a.Provider + " deliveries carry no signature hookscope can make"
}

// hmacRoute returns the --hmac route with the longest prefix covering
// path, segment by segment as verification matches them.
func (s signingSecrets) hmacRoute(path string) (verify.HMACRoute, bool) {
	var best verify.HMACRoute
	found := false
	for _, h := range s.hmac {
		if verify.PathHasPrefix(path, h.Prefix) && (!found || len(h.Prefix) > len(best.Prefix)) {
			best, found = h, true
		}
	}
	return best, found
}

// dialpadToken returns the compact JWT a Dialpad delivery's body carries
// (possibly as a JSON string), split into its three segments.
func dialpadToken(rec store.Record, body []byte) ([3]string, bool) {
	var parts [3]string
	if rec.Analysis == nil || rec.Analysis.Provider != verify.ProviderDialpad {
		return parts, false
	}
	b := bytes.TrimSpace(body)
	if len(b) >= 2 && b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) != nil {
			return parts, false
		}
		b = bytes.TrimSpace([]byte(s))
	}
	segs := strings.Split(string(b), ".")
	if len(segs) != 3 {
		return parts, false
	}
	for _, seg := range segs[:2] {
		dec, err := base64.RawURLEncoding.DecodeString(seg)
		if err != nil || !json.Valid(dec) {
			return parts, false
		}
	}
	copy(parts[:], segs)
	return parts, true
}

// editableBody returns what the user edits for a delivery: its exact
// stored bytes, or for a Dialpad token the claims JSON, indented so it can
// be edited by hand.
func editableBody(rec store.Record, body []byte) ([]byte, error) {
	if strings.EqualFold(rec.ContentEncoding, "gzip") {
		return nil, fmt.Errorf("the body is stored gzip-compressed: editing it in a text editor is not supported (r replays it unmodified)")
	}
	tok, ok := dialpadToken(rec, body)
	if !ok {
		return body, nil
	}
	claims, _ := base64.RawURLEncoding.DecodeString(tok[1])
	var out bytes.Buffer
	if err := json.Indent(&out, claims, "", "  "); err != nil {
		return body, nil
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// editedRequest turns an edited copy (in the form editableBody gave) into
// the body to send and the headers that replace the original's. With sg
// the copy is signed again; without, the original signature headers go out
// untouched and no longer match — which is what the user was warned of.
// An edited Dialpad token keeps its original header and signature segments
// around the new claims, so the receiver sees a token with a bad signature
// rather than a different kind of body.
func editedRequest(rec store.Record, orig, edited []byte, sg *simulate.Signer) ([]byte, store.Header, error) {
	_, isToken := dialpadToken(rec, orig)
	if sg != nil {
		s, err := sg.SignBody(edited)
		if err != nil {
			return nil, nil, err
		}
		return s.Body, s.Header, nil
	}
	if !isToken {
		return edited, nil, nil
	}
	tok, _ := dialpadToken(rec, orig)
	var compact bytes.Buffer
	if err := json.Compact(&compact, bytes.TrimSpace(edited)); err != nil {
		return nil, nil, fmt.Errorf("the edited claims are not JSON: %w", err)
	}
	return []byte(tok[0] + "." + base64.RawURLEncoding.EncodeToString(compact.Bytes()) + "." + tok[2]), nil, nil
}
