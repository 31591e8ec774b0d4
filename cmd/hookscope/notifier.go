package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/capture"
	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/verify"
)

// notifierTriggers are the HTTP Notifier triggers Talkdesk documents
// (../shared/reference/talkdesk-http-notifier.txt), as it spells them.
var notifierTriggers = []string{
	"CSAT score received",
	"A call enters the waiting queue",
	"A call is abandoned",
	"A call is missed",
	"A call is short abandoned",
	"A call leaves the waiting queue",
	"A contact is created",
	"A contact is updated",
	"A note is created",
	"A transferred call is answered",
	"A voicemail is assigned",
	"A voicemail is left",
	"A voicemail transcription is made available",
	"An agent logs in",
	"An agent logs out",
	"An agent status changes",
	"An inbound call ends",
	"An inbound call is ringing",
	"An inbound call starts",
	"An inbound disposition code is set",
	"An outbound disposition code is set",
	"An outbound call ends",
	"An outbound call is missed",
	"An outbound call is ringing",
	"An outbound call starts",
}

// notifierContext is the sample context placeholders are filled from. Its
// names are the ones Talkdesk's HTTP Notifier page documents (the sample
// body and the {{customer_phone_number}} example); Talkdesk's editor lists
// more per trigger, which hookscope cannot know — hence --fill.
func notifierContext(trigger string) map[string]string {
	c := map[string]string{
		"call_id":               "8f2a61c3d0b94e7fa5c1e2d3b4a59687",
		"agent_id":              "6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d",
		"contact_id":            "3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f",
		"customer_phone_number": "+14155550123",
		"contact_phone_number":  "+14155550123",
		"duration":              "245",
		"waiting_time":          "32",
		"holding_time":          "15",
		"total_duration":        "292",
		"in_business_hours":     "true",
	}
	switch trigger {
	case "A call is abandoned", "A call is missed", "A call is short abandoned", "An outbound call is missed":
		// Nobody answered: no talk or hold time.
		c["duration"], c["holding_time"], c["total_duration"] = "0", "0", c["waiting_time"]
		if trigger == "A call is short abandoned" {
			c["waiting_time"], c["total_duration"] = "4", "4"
		}
	case "A call enters the waiting queue", "An inbound call is ringing", "An outbound call is ringing",
		"An inbound call starts", "An outbound call starts":
		// The call has only begun.
		c["duration"], c["holding_time"], c["total_duration"] = "0", "0", "0"
	}
	return c
}

// notifierFlags are the flags of `hookscope send notifier`.
type notifierFlags struct {
	template string
	trigger  string
	to       string
	fills    []string
	asJSON   bool
}

func newSendNotifierCmd(e *env) *cobra.Command {
	f := &notifierFlags{}
	cmd := &cobra.Command{
		Use:   "notifier --template FILE",
		Short: "Fill an HTTP Notifier template from a sample context and send it",
		Long: "notifier checks a Talkdesk HTTP Notifier body template before it is pasted into Talkdesk:\n" +
			"it fills the {{placeholders}} Talkdesk documents from a sample context for --trigger,\n" +
			"reports placeholders it does not know, checks that the result is well-formed JSON or XML\n" +
			"(by the file's extension, else its first character), and sends it (default: the local\n" +
			"listener at /hooks/notifier).\n\n" +
			"A result that is not well-formed is not sent (exit 1). Unknown placeholders are left as\n" +
			"they are, listed on stderr, and the delivery is sent; the exit status is then 1 unless\n" +
			"each has a value from --fill NAME=VALUE (Talkdesk's editor shows more placeholders per\n" +
			"trigger than its documentation names).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runNotifier(cmd, e, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.template, "template", "", "the JSON or XML body template (required)")
	fl.StringVar(&f.trigger, "trigger", "", "the trigger to simulate, as Talkdesk names it (e.g. 'A call is missed'); default: a generic call")
	fl.StringVar(&f.to, "to", "", "target URL (default: the local listener's /hooks/notifier)")
	fl.StringArrayVar(&f.fills, "fill", nil, "a value for a placeholder hookscope does not know: NAME=VALUE (repeatable)")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON object for the delivery")
	return cmd
}

func runNotifier(cmd *cobra.Command, e *env, f *notifierFlags) error {
	if f.template == "" {
		return usagef("--template: required: the JSON or XML body template to fill and send")
	}
	trigger := ""
	if f.trigger != "" {
		t, ok := findTrigger(f.trigger)
		if !ok {
			return usagef("--trigger: %q is not a documented HTTP Notifier trigger; accepted values:\n  %s",
				termsafe.Line(f.trigger), strings.Join(notifierTriggers, "\n  "))
		}
		trigger = t
	}
	if f.to != "" {
		if _, err := capture.ParseTarget(f.to); err != nil {
			return usagef("--to: %v", err)
		}
	}
	ctxVals := notifierContext(trigger)
	for _, fv := range f.fills {
		name, val, ok := strings.Cut(fv, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return usagef("--fill: %q is not NAME=VALUE (e.g. --fill ivr_name=Support)", fv)
		}
		ctxVals[name] = val
	}
	tmpl, err := os.ReadFile(f.template)
	if err != nil {
		return fmt.Errorf("--template: %w", err)
	}
	format := templateFormat(f.template, tmpl)
	body, left := fillTemplate(tmpl, format, ctxVals)
	if len(left) > 0 {
		fmt.Fprintf(e.stderr, "hookscope: placeholders hookscope does not know, left as they are: %s\n  known: %s\n  give them values with --fill NAME=VALUE\n",
			termsafe.Line(strings.Join(left, ", ")), strings.Join(slices.Sorted(maps.Keys(ctxVals)), ", "))
	}
	if err := wellFormed(format, body); err != nil {
		return fmt.Errorf("%s: after filling, the body is not well-formed %s, so it was not sent: %w", f.template, strings.ToUpper(format), err)
	}

	target := f.to
	if target == "" {
		target = e.listenerOrigin() + "/hooks/notifier"
	}
	label := "HTTP Notifier"
	if trigger != "" {
		label += ": " + trigger
	}
	d := &delivery{message: label, method: "POST", url: target, body: body,
		header:   store.Header{{Name: "Content-Type", Value: "application/" + format}},
		unsigned: "Talkdesk documents no signature for HTTP Notifier deliveries"}
	sender := capture.NewSender(capture.SenderOptions{Timeout: sendTimeout})
	a := sender.Send(cmd.Context(), store.Event{Method: d.method, Header: d.header}, d.body, capture.Target{URL: target})
	if err := newSendPrinter(e, f.asJSON).print(d, a); err != nil {
		return err
	}
	if a.Status == 0 {
		return sendError(f.to == "", target, a.Error)
	}
	if len(left) > 0 {
		return fmt.Errorf("%d placeholder(s) left unfilled: %s", len(left), termsafe.Line(strings.Join(left, ", ")))
	}
	return nil
}

// findTrigger matches a --trigger value to a documented trigger: the name
// in any case, with or without its final period, or as a slug
// (a-call-is-missed).
func findTrigger(s string) (string, bool) {
	want := strings.TrimSuffix(strings.TrimSpace(s), ".")
	for _, t := range notifierTriggers {
		if strings.EqualFold(t, want) || triggerSlug(t) == strings.ToLower(want) {
			return t, true
		}
	}
	return "", false
}

func triggerSlug(t string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(t) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// templateFormat is "xml" or "json": the file's extension, else its first
// non-space character.
func templateFormat(name string, b []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xml":
		return "xml"
	case ".json":
		return "json"
	}
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("<")) {
		return "xml"
	}
	return "json"
}

// fillTemplate replaces the placeholders it knows, escaped for the
// format: a value lands inside a JSON string or XML text, and a sample
// value with a quote or an ampersand must not break either.
func fillTemplate(tmpl []byte, format string, vals map[string]string) ([]byte, []string) {
	return verify.FillPlaceholders(tmpl, func(name string) (string, bool) {
		v, ok := vals[name]
		if !ok {
			return "", false
		}
		if format == "xml" {
			var b bytes.Buffer
			xml.EscapeText(&b, []byte(v))
			return b.String(), true
		}
		q, err := encodeJSON(v) // no HTML escaping: & stays &
		if err != nil {
			return "", false
		}
		return string(q[1 : len(q)-1]), true
	})
}

// wellFormed checks that body is one JSON value, or an XML document with
// one root element, and says where it is not.
func wellFormed(format string, body []byte) error {
	if format == "json" {
		var v any
		err := json.Unmarshal(body, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(body, se.Offset)
			return fmt.Errorf("line %d, column %d: %v", line, col, se)
		}
		return err
	}
	return verify.CheckXML(body)
}

func lineCol(b []byte, off int64) (int, int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	pre := b[:off]
	line := bytes.Count(pre, []byte("\n")) + 1
	return line, int(off) - bytes.LastIndexByte(pre, '\n')
}
