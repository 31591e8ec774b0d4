package textout

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/verify/simulate"
)

// maxShownResponse bounds the response body Sent prints; `send --json`
// carries what the sender kept.
const maxShownResponse = 4 << 10

// Sent writes what `hookscope send` sent and what came back: a line of
// facts (message, event id, how it was signed, tampering), the request as
// it went out (method, URL, headers, body) and the answer (status, latency,
// body). Response text comes from an untrusted server, and the request's
// key id and header names from configuration and keys fetched from a URL,
// so every string is made terminal-safe.
func Sent(w io.Writer, d *simulate.Delivery, a store.Attempt) error {
	facts := []string{termsafe.Line(d.Message)}
	if d.EventID != "" {
		facts = append(facts, "event id "+termsafe.Line(d.EventID))
	}
	switch {
	case d.SignedWith != "":
		facts = append(facts, "signed with "+termsafe.Line(d.SignedWith))
	case d.Unsigned != "":
		facts = append(facts, "unsigned: "+termsafe.Line(d.Unsigned))
	}
	switch {
	case d.Tampered != "" && d.SignedWith != "":
		facts = append(facts, "TAMPERED after signing ("+termsafe.Line(d.Tampered)+"): the signature no longer matches")
	case d.Tampered != "":
		// Nothing was signed (no secret, or a provider that signs
		// nothing): a receiver cannot tell this body from an honest one.
		facts = append(facts, "TAMPERED ("+termsafe.Line(d.Tampered)+"): the delivery is unsigned, so no signature check can notice")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", strings.Join(facts, " · "))
	fmt.Fprintf(&b, "> %s %s\n", termsafe.Line(d.Method), termsafe.Line(d.URL))
	for _, f := range d.Header {
		// capture.Sender writes every name in Go's canonical form
		// (X-TalkifAI-Signature goes out as X-Talkifai-Signature): print
		// the name as it went out, as the listener will store it.
		fmt.Fprintf(&b, "> %s: %s\n", termsafe.Line(http.CanonicalHeaderKey(f.Name)), termsafe.Line(f.Value))
	}
	fmt.Fprintf(&b, ">\n%s\n", indentBody(termsafe.Text(string(d.Body))))
	if a.Status == 0 {
		fmt.Fprintf(&b, "< no response after %.0f ms: %s\n", a.DurationMS, termsafe.Line(a.Error))
	} else {
		fmt.Fprintf(&b, "< %d %s (%.0f ms)\n", a.Status, http.StatusText(a.Status), a.DurationMS)
		body := a.RespBody
		more := ""
		if len(body) > maxShownResponse {
			body, more = body[:maxShownResponse], fmt.Sprintf("\n  … (%d more bytes)", len(a.RespBody)-maxShownResponse)
		}
		if len(body) > 0 {
			fmt.Fprintf(&b, "%s%s\n", indentBody(termsafe.Text(string(body))), more)
		}
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// indentBody indents a body under the request or response line, without
// the blank lines a trailing newline would leave.
func indentBody(s string) string { return indent(strings.TrimRight(s, "\n")) }
