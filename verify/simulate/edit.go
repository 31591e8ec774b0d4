package simulate

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
)

// dialpadToken returns the compact JWT a Dialpad delivery's body carries
// (possibly as a JSON string), split into its three segments.
func dialpadToken(rec store.Record, body []byte) ([3]string, bool) {
	if rec.Analysis == nil || rec.Analysis.Provider != verify.ProviderDialpad {
		return [3]string{}, false
	}
	parts, ok := verify.JWTSegments(body)
	if !ok {
		return parts, false
	}
	// Editing shows the claims as JSON, so they must decode to it.
	dec, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || !json.Valid(dec) {
		return parts, false
	}
	return parts, true
}

// EditableBody returns what the user edits for a delivery: its exact
// stored bytes, or for a Dialpad token the claims JSON, indented so it can
// be edited by hand.
func EditableBody(rec store.Record, body []byte) ([]byte, error) {
	if strings.EqualFold(rec.ContentEncoding, "gzip") {
		return nil, errors.New("the body is stored gzip-compressed: editing it in a text editor is not supported (r replays it unmodified)")
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

// EditedRequest turns an edited copy (in the form EditableBody gave) into
// the body to send and the headers that replace the original's. With sg
// the copy is signed again; without, the original signature headers go out
// untouched and no longer match — which is what the user was warned of.
// An edited Dialpad token keeps its original header and signature segments
// around the new claims, so the receiver sees a token with a bad signature
// rather than a different kind of body.
func EditedRequest(rec store.Record, orig, edited []byte, sg *Signer) ([]byte, store.Header, error) {
	if sg != nil {
		s, err := sg.SignBody(edited)
		if err != nil {
			return nil, nil, err
		}
		return s.Body, s.Header, nil
	}
	tok, isToken := dialpadToken(rec, orig)
	if !isToken {
		return edited, nil, nil
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, bytes.TrimSpace(edited)); err != nil {
		return nil, nil, fmt.Errorf("the edited claims are not JSON: %w", err)
	}
	return []byte(tok[0] + "." + base64.RawURLEncoding.EncodeToString(compact.Bytes()) + "." + tok[2]), nil, nil
}
