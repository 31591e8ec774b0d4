package asyncapi

import (
	"strconv"

	"github.com/hookscope/hookscope/store"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Message is one AsyncAPI Message Object with its schemas compiled. A
// message referred to by several channels is one Message.
type Message struct {
	name        string
	title       string
	contentType string
	eventType   string
	provider    string
	channels    []string

	set *docSet
	loc location // the Message Object
	// payloadLoc and headersLoc are the schema locations; doc is nil when
	// the message has no such schema.
	payloadLoc location
	headersLoc location
	payload    *jsonschema.Schema
	headers    *jsonschema.Schema
	facts      schemaFacts // of the payload schema
	headerInfo schemaFacts // of the headers schema
}

// Name is the message's `name`, or its key under components/messages when
// it has none.
func (m *Message) Name() string { return m.name }

// Title is the message's `title` ("app.installed", "Call Event"), or "".
func (m *Message) Title() string { return m.title }

// ContentType is the message's contentType, else the document's
// defaultContentType, else "".
func (m *Message) ContentType() string { return m.contentType }

// EventType is the provider event type this message carries: the value its
// schema pins on `event_type`, `type` or `event`; else its title when the
// title is one word (CONVERSATION_ENDED); else the last segment of its
// channel (contact-created, call-events). It is what `send` accepts besides
// the name and title.
func (m *Message) EventType() string { return m.eventType }

// Provider is the hookscope provider name of the message's (first) channel:
// talkdesk-events, talkdesk-trigger, talkdesk-dce, dialpad, talkifai,
// talkdesk-notifier, or "" when the document does not say.
func (m *Message) Provider() string { return m.provider }

// Channels are the channels that carry the message, in document order.
func (m *Message) Channels() []string { return append([]string(nil), m.channels...) }

// PayloadSchema returns the message's payload schema as a generic JSON value
// (map[string]any, []any, string, json.Number, bool, nil) with every $ref
// replaced by a copy of its target, so it can be read without the document
// it came from. A recursive reference is replaced by {}. It returns nil when
// the message declares no payload. The value is a copy the caller may
// change.
func (m *Message) PayloadSchema() any {
	if m.payloadLoc.doc == nil {
		return nil
	}
	return m.set.deref(m.payloadLoc)
}

// HeadersSchema is like PayloadSchema for the message's headers schema.
func (m *Message) HeadersSchema() any {
	if m.headersLoc.doc == nil {
		return nil
	}
	return m.set.deref(m.headersLoc)
}

// Examples returns example payloads, copied: the `payload` of each entry of
// the message's `examples`, then the payload schema's own `examples` and
// `example`. Empty when the document has none.
func (m *Message) Examples() []any {
	var out []any
	v, _ := m.loc.value()
	obj, _ := v.(map[string]any)
	if list, ok := obj["examples"].([]any); ok {
		for i, ex := range list {
			exObj, ok := ex.(map[string]any)
			if !ok {
				continue
			}
			if _, ok := exObj["payload"]; ok {
				out = append(out, m.set.deref(m.loc.child("examples").child(strconv.Itoa(i)).child("payload")))
			}
		}
	}
	if m.payloadLoc.doc != nil {
		if sch, ok := m.set.deref(m.payloadLoc).(map[string]any); ok {
			if list, ok := sch["examples"].([]any); ok {
				out = append(out, list...)
			}
			if ex, ok := sch["example"]; ok {
				out = append(out, ex)
			}
		}
	}
	return out
}

// Validate checks a payload (decoded JSON: map[string]any, []any, string,
// json.Number or float64, bool, nil) and, when the message has a headers
// schema, the HTTP headers, and returns every leaf error, at most the first
// 100 (maxErrors); nil means valid. Header errors have paths under /headers.
func (m *Message) Validate(payload any, header store.Header) []store.SchemaError {
	errs, _ := m.validate(payload, header)
	return errs
}

// validate is Validate that also says how many errors there are in all.
func (m *Message) validate(payload any, header store.Header) ([]store.SchemaError, int) {
	var errs []store.SchemaError
	total, listed := 0, 0 // distinct errors of each validation, in all and listed
	// (schemaErrors lists each validation's without repeats)
	if m.payload != nil {
		e, n := schemaErrors(m.payload.Validate(payload), "")
		errs, total, listed = append(errs, e...), total+n, listed+len(e)
	}
	if m.headers != nil && header != nil {
		e, n := schemaErrors(m.headers.Validate(m.headerValue(header)), "/headers")
		errs, total, listed = append(errs, e...), total+n, listed+len(e)
	}
	errs = sortErrors(errs)
	// A payload error under /headers (a payload with a headers field) can
	// repeat a header error: such a pair listed is one error.
	total -= listed - len(errs)
	if len(errs) > maxErrors {
		errs = errs[:maxErrors]
	}
	return errs, total
}
