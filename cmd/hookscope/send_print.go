package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/verify/simulate"
)

// maxShownResponse bounds the response body printed in the text form; the
// JSON form carries what the sender kept.
const maxShownResponse = 4 << 10

// sendResult is the --json object of one delivery. The first seven fields
// are the fixed interface.
type sendResult struct {
	Message      string  `json:"message"`
	Target       string  `json:"target"`
	EventID      string  `json:"event_id"`
	Status       int     `json:"status"`
	DurationMS   float64 `json:"duration_ms"`
	ResponseBody string  `json:"response_body"`
	SignedWith   string  `json:"signed_with"`
	Tampered     bool    `json:"tampered"`
	Error        string  `json:"error,omitempty"`
}

// sendPrinter writes what was sent and what came back.
type sendPrinter struct {
	w      io.Writer
	asJSON bool
}

func newSendPrinter(e *env, asJSON bool) *sendPrinter {
	return &sendPrinter{w: e.stdout, asJSON: asJSON}
}

func (p *sendPrinter) print(d *simulate.Delivery, a store.Attempt) error {
	if p.asJSON {
		return p.printJSON(d, a)
	}
	return p.printText(d, a)
}

func (p *sendPrinter) printJSON(d *simulate.Delivery, a store.Attempt) error {
	r := sendResult{Message: d.Message, Target: d.URL, EventID: d.EventID, Status: a.Status, DurationMS: a.DurationMS,
		ResponseBody: strings.ToValidUTF8(string(a.RespBody), "\uFFFD"), SignedWith: d.SignedWith,
		Tampered: d.Tampered != "", Error: a.Error}
	enc := json.NewEncoder(p.w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("send: write result: %w", err)
	}
	return nil
}

// printText shows the request as it went out (method, URL, headers,
// body) and the answer (status, latency, body). Response text comes from
// an untrusted server, so it is made terminal-safe.
func (p *sendPrinter) printText(d *simulate.Delivery, a store.Attempt) error {
	facts := []string{termsafe.Line(d.Message)}
	if d.EventID != "" {
		facts = append(facts, "event id "+termsafe.Line(d.EventID))
	}
	switch {
	case d.SignedWith != "":
		facts = append(facts, "signed with "+d.SignedWith)
	case d.Unsigned != "":
		facts = append(facts, "unsigned: "+d.Unsigned)
	}
	if d.Tampered != "" {
		facts = append(facts, "TAMPERED after signing ("+termsafe.Line(d.Tampered)+"): the signature no longer matches")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", strings.Join(facts, " · "))
	fmt.Fprintf(&b, "> %s %s\n", d.Method, termsafe.Line(d.URL))
	for _, f := range d.Header {
		fmt.Fprintf(&b, "> %s: %s\n", f.Name, termsafe.Line(f.Value))
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
	_, err := io.WriteString(p.w, b.String())
	return err
}

func indentBody(s string) string {
	s = strings.TrimRight(s, "\n")
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
