package textout

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify/simulate"
)

// TestSentShowsFactsAndNeutralisesTheAnswer: the facts line says how the
// delivery was signed and tampered with; the untrusted answer is made
// terminal-safe and cut after maxShownResponse bytes.
func TestSentShowsFactsAndNeutralisesTheAnswer(t *testing.T) {
	d := &simulate.Delivery{Message: "AppInstalledEvent", Method: "POST", URL: "http://127.0.0.1:8080/hooks/talkdesk",
		Header: store.Header{{Name: "Content-Type", Value: "application/json"}}, Body: []byte("{\"a\":1}\n"),
		EventID: "e1", SignedWith: "talkdesk-ecdsa:k1", Tampered: `one character of "account_id"`}
	resp := append([]byte("bad \x1b[2J"), bytes.Repeat([]byte("x"), maxShownResponse+10)...)
	var b bytes.Buffer
	if err := Sent(&b, d, store.Attempt{Status: 401, DurationMS: 3, RespBody: resp}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	noControl(t, "Sent", out)
	for _, want := range []string{
		"# AppInstalledEvent · event id e1 · signed with talkdesk-ecdsa:k1 · TAMPERED after signing (one character of \"account_id\"): the signature no longer matches\n",
		"> POST http://127.0.0.1:8080/hooks/talkdesk\n> Content-Type: application/json\n>\n  {\"a\":1}\n",
		"< 401 Unauthorized (3 ms)\n  bad ",
		"\n  … (18 more bytes)\n\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	b.Reset()
	d = &simulate.Delivery{Message: "m", Method: "POST", URL: "http://x", Unsigned: "no TalkifAI secret configured"}
	if err := Sent(&b, d, store.Attempt{DurationMS: 2, Error: "connection refused"}); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.HasPrefix(out, "# m · unsigned: no TalkifAI secret configured\n") || !strings.Contains(out, "< no response after 2 ms: connection refused\n") {
		t.Errorf("unanswered, unsigned delivery:\n%s", out)
	}
	// --tamper on a delivery nothing signed: no signature to stop matching.
	b.Reset()
	d = &simulate.Delivery{Message: "DCEConversationEndedEvent", Method: "POST", URL: "http://x",
		Unsigned: "the provider documents no signature", Tampered: `one character of "conversation_id"`}
	if err := Sent(&b, d, store.Attempt{Status: 200}); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); strings.Contains(out, "signature no longer matches") ||
		!strings.HasPrefix(out, "# DCEConversationEndedEvent · unsigned: the provider documents no signature · TAMPERED (one character of \"conversation_id\"): the delivery is unsigned, so no signature check can notice\n") {
		t.Errorf("tampered, unsigned delivery:\n%s", out)
	}
}

// TestSentNeutralisesTheRequest: the key id in the facts line and header
// names come from configuration or a fetched key set, not from hookscope,
// and are made terminal-safe like the values.
func TestSentNeutralisesTheRequest(t *testing.T) {
	d := &simulate.Delivery{Message: "m", Method: "PO\x1b[2JST", URL: "http://x",
		Header:     store.Header{{Name: "X-Sig\x1b]0;t\x07", Value: "v"}},
		SignedWith: "talkdesk-ecdsa:k\x1b[31m1"}
	var b bytes.Buffer
	if err := Sent(&b, d, store.Attempt{Status: 200}); err != nil {
		t.Fatal(err)
	}
	noControl(t, "Sent", b.String())
}

// TestSentPrintsHeaderNamesAsSent: the sender writes header names in Go's
// canonical form, so the printed request shows them so rather than as the
// provider's documentation spells them.
func TestSentPrintsHeaderNamesAsSent(t *testing.T) {
	d := &simulate.Delivery{Message: "CallEndedEvent", Method: "POST", URL: "http://x",
		Header: store.Header{{Name: "X-TalkifAI-Signature", Value: "sha256=ab"}, {Name: "x-hub-ecdsa-signature-id", Value: "k1"}}}
	var b bytes.Buffer
	if err := Sent(&b, d, store.Attempt{Status: 200}); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "> X-Talkifai-Signature: sha256=ab\n> X-Hub-Ecdsa-Signature-Id: k1\n") {
		t.Errorf("header names not as sent:\n%s", out)
	}
}
