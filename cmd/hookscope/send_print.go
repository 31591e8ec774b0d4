package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/termsafe"
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

func (p *sendPrinter) print(d *delivery, a store.Attempt) error {
	if p.asJSON {
		return p.printJSON(d, a)
	}
	return p.printText(d, a)
}

func (p *sendPrinter) printJSON(d *delivery, a store.Attempt) error {
	r := sendResult{Message: d.message, Target: d.url, EventID: d.eventID, Status: a.Status, DurationMS: a.DurationMS,
		ResponseBody: strings.ToValidUTF8(string(a.RespBody), "\uFFFD"), SignedWith: d.signedWith,
		Tampered: d.tampered != "", Error: a.Error}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("send: encode result: %w", err)
	}
	// The response body is the server's text: escaped where a terminal
	// would act on it, like every JSON line hookscope prints (writeJSON).
	if _, err := p.w.Write(termsafe.JSON(buf.Bytes())); err != nil {
		return fmt.Errorf("send: write result: %w", err)
	}
	return nil
}

// printText shows the request as it went out (method, URL, headers,
// body) and the answer (status, latency, body). Response text comes from
// an untrusted server, so it is made terminal-safe.
func (p *sendPrinter) printText(d *delivery, a store.Attempt) error {
	facts := []string{termsafe.Line(d.message)}
	if d.eventID != "" {
		facts = append(facts, "event id "+termsafe.Line(d.eventID))
	}
	switch {
	case d.signedWith != "":
		facts = append(facts, "signed with "+d.signedWith)
	case d.unsigned != "":
		facts = append(facts, "unsigned: "+d.unsigned)
	}
	if d.tampered != "" {
		facts = append(facts, "TAMPERED after signing ("+termsafe.Line(d.tampered)+"): the signature no longer matches")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", strings.Join(facts, " · "))
	fmt.Fprintf(&b, "> %s %s\n", d.method, termsafe.Line(d.url))
	for _, f := range d.header {
		fmt.Fprintf(&b, "> %s: %s\n", f.Name, termsafe.Line(f.Value))
	}
	fmt.Fprintf(&b, ">\n%s\n", indentBody(termsafe.Text(string(d.body))))
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
