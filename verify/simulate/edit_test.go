package simulate

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
)

func dialpadRecord() store.Record {
	return store.Record{Analysis: &store.Analysis{Provider: verify.ProviderDialpad}}
}

// TestEditDialpadToken: a Dialpad token is edited as its claims JSON; sent
// unsigned, the new claims go out between the original header and
// signature segments; with a Signer it becomes a new token; edited claims
// that are not JSON are refused.
func TestEditDialpadToken(t *testing.T) {
	secret := []byte("s3cret")
	tok, err := verify.SignDialpadJWT(secret, map[string]any{"call_id": 1})
	if err != nil {
		t.Fatal(err)
	}
	orig := []byte(tok)
	rec := dialpadRecord()
	editable, err := EditableBody(rec, orig)
	if err != nil || string(editable) != "{\n  \"call_id\": 1\n}\n" {
		t.Fatalf("editable %q, %v", editable, err)
	}

	edited := []byte("{\n  \"call_id\": 2\n}\n")
	body, hdr, err := EditedRequest(rec, orig, edited, nil)
	parts := strings.Split(tok, ".")
	want := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"call_id":2}`)) + "." + parts[2]
	if err != nil || string(body) != want || hdr != nil {
		t.Fatalf("unsigned: %q %v %v, want %q", body, hdr, err, want)
	}

	body, hdr, err = EditedRequest(rec, orig, edited, &Signer{Provider: verify.ProviderDialpad, Secret: secret})
	resigned, _ := verify.SignDialpadJWT(secret, map[string]any{"call_id": 2})
	if err != nil || string(body) != resigned || hdr.Get("Content-Type") != "application/jwt" {
		t.Fatalf("signed: %q %v %v, want %q", body, hdr, err, resigned)
	}

	if _, _, err := EditedRequest(rec, orig, []byte("{call_id: 2"), nil); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Fatalf("bad claims: %v", err)
	}
}

// TestEditPlainBody: other bodies are edited and sent as the bytes they
// are; a gzip-stored body cannot be edited.
func TestEditPlainBody(t *testing.T) {
	rec := store.Record{Analysis: &store.Analysis{Provider: verify.ProviderTalkifAI}}
	orig := []byte(`{"id":"evt_1"}`)
	if b, err := EditableBody(rec, orig); err != nil || string(b) != string(orig) {
		t.Fatalf("editable %q, %v", b, err)
	}
	edited := []byte(`{"id":"evt_2"}`)
	if b, hdr, err := EditedRequest(rec, orig, edited, nil); err != nil || string(b) != string(edited) || hdr != nil {
		t.Fatalf("unsigned %q %v %v", b, hdr, err)
	}
	// A Dialpad-looking token in a delivery not analysed as Dialpad is
	// plain text.
	tok, _ := verify.SignDialpadJWT([]byte("k"), map[string]any{"a": 1})
	if b, _ := EditableBody(rec, []byte(tok)); string(b) != tok {
		t.Fatalf("non-Dialpad token edited as claims: %q", b)
	}
	gz := store.Record{Event: store.Event{ContentEncoding: "gzip"}}
	if _, err := EditableBody(gz, orig); err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Fatalf("gzip: %v", err)
	}
}
