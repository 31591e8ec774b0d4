package simulate

import (
	"bytes"
	"encoding/xml"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hookscope/hookscope/store"
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

// NotifierContext is the sample context placeholders are filled from, for
// trigger ("" for a generic call); the caller may add to it. Its names are
// the ones Talkdesk's HTTP Notifier page documents (the sample body and
// the {{customer_phone_number}} example); Talkdesk's editor lists more per
// trigger, which hookscope cannot know — hence `send notifier --fill`.
func NotifierContext(trigger string) map[string]string {
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

// NotifierTriggers returns the HTTP Notifier triggers Talkdesk documents,
// spelt as Talkdesk spells them, for telling the user what is accepted.
func NotifierTriggers() []string { return slices.Clone(notifierTriggers) }

// NotifierDelivery is a filled template on its way to the listener:
// format ("json" or "xml") gives its content type. Talkdesk signs none of
// these, so it goes out unsigned.
func NotifierDelivery(trigger, format string, body []byte) *Delivery {
	label := "HTTP Notifier"
	if trigger != "" {
		label += ": " + trigger
	}
	return &Delivery{Message: label, Method: "POST", Body: body,
		Header:   store.Header{{Name: "Content-Type", Value: "application/" + format}},
		Unsigned: "Talkdesk documents no signature for HTTP Notifier deliveries"}
}

// FindTrigger matches what a user typed to a documented trigger: the name
// in any case, with or without its final period, or as a slug
// (a-call-is-missed), since trigger names are awkward to quote in a shell.
func FindTrigger(s string) (string, bool) {
	want := strings.TrimSuffix(strings.TrimSpace(s), ".")
	for _, t := range notifierTriggers {
		if strings.EqualFold(t, want) || triggerSlug(t) == strings.ToLower(want) {
			return t, true
		}
	}
	return "", false
}

// triggerSlug is t lower-cased with every run of other characters made
// one hyphen: "A call is missed" is a-call-is-missed.
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

// TemplateFormat is "xml" or "json": the file's extension, else its first
// non-space character.
func TemplateFormat(name string, b []byte) string {
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

// FillTemplate replaces the placeholders vals has a value for and returns
// the names of those it left as they are. Values are escaped for the
// format: a value lands inside a JSON string or XML text, and a sample
// value with a quote or an ampersand must not break either.
func FillTemplate(tmpl []byte, format string, vals map[string]string) ([]byte, []string) {
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

// WellFormed checks that body is one JSON value, or an XML document with
// one root element, by the rules verify reads a delivery's body with, and
// says where it is not.
func WellFormed(format string, body []byte) error {
	if format == "json" {
		return verify.CheckJSON(body)
	}
	return verify.CheckXML(body)
}
