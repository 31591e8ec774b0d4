package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/ui/textout"
	"github.com/hookscope/hookscope/verify/simulate"
)

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

// sendPrinter writes what was sent and what came back: the --json object,
// else the text form of ui/textout.
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
	return textout.Sent(p.w, d, a)
}

func (p *sendPrinter) printJSON(d *simulate.Delivery, a store.Attempt) error {
	r := sendResult{Message: d.Message, Target: d.URL, EventID: d.EventID, Status: a.Status, DurationMS: a.DurationMS,
		ResponseBody: strings.ToValidUTF8(string(a.RespBody), "\uFFFD"), SignedWith: d.SignedWith,
		Tampered: d.Tampered != "", Error: a.Error}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("send: encode result: %w", err)
	}
	// The response body is the server's text: escaped where a terminal
	// would act on it, like every JSON line hookscope prints (textout.WriteJSON).
	if _, err := p.w.Write(termsafe.JSON(buf.Bytes())); err != nil {
		return fmt.Errorf("send: write result: %w", err)
	}
	return nil
}
