package simulate

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/asyncapi"
)

// Set is one override of a synthesised body: the value at Path (a JSON
// pointer, /data/account_id, or a dotted path, data.account_id) becomes
// Value, read as JSON when it parses and as a string otherwise.
type Set struct{ Path, Value string }

// ParseSet reads PATH=VALUE.
func ParseSet(s string) (Set, error) {
	path, value, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(path) == "" {
		return Set{}, fmt.Errorf("%q is not PATH=VALUE (e.g. data.account_id=acc-1 or /data/account_id=acc-1)", s)
	}
	return Set{Path: strings.TrimSpace(path), Value: value}, nil
}

// SetError is a Set that cannot be applied to the body (its path runs
// through a value that is not an object or array). It is the user's
// mistake rather than a failure, so callers can tell it apart.
type SetError struct {
	Path string
	Err  error
}

// Error names the path and says why it cannot be set.
func (e *SetError) Error() string { return fmt.Sprintf("set %s: %v", e.Path, e.Err) }

// Unwrap returns the reason, without the path.
func (e *SetError) Unwrap() error { return e.Err }

// Builder makes the bodies of deliveries of one message.
type Builder struct {
	Message *asyncapi.Message
	// Origin is the local listener's base URL, for Talkdesk's
	// _links.root.href: a partner app that fetches keys from there gets
	// hookscope's dev keys.
	Origin string
	Sets   []Set
	Now    func() time.Time
	// IDFields is the config's event_id_fields, read as the listener
	// reads them, so the event id reported is the one duplicate detection
	// will see.
	IDFields map[string][]string
}

// Build synthesises a body for the message, gives it the provider's event
// id (eventID, or a new one when ""), applies the Sets, and encodes it.
// A Set that cannot be applied is a *SetError.
func (b *Builder) Build(eventID string) (*Delivery, error) {
	m := b.Message
	v, err := asyncapi.Synthesize(m)
	if err != nil {
		return nil, err
	}
	if eventID == "" {
		eventID = newEventID(m.Provider())
	}
	if obj, ok := v.(map[string]any); ok {
		v = b.providerShape(obj, eventID)
	}
	for _, s := range b.Sets {
		if v, err = asyncapi.SetPath(v, s.Path, s.Value); err != nil {
			return nil, &SetError{Path: s.Path, Err: err}
		}
	}
	d := b.newDelivery()
	if len(b.Sets) > 0 {
		d.SchemaErrors = revalidate(m, v)
	}
	if d.Body, err = encodeJSON(v); err != nil {
		return nil, fmt.Errorf("send: encode body: %w", err)
	}
	d.EventID = b.eventIDOf(v)
	d.Header = store.Header{{Name: "Content-Type", Value: contentType(m)}}
	return d, nil
}

// FromBody makes a delivery of body, sent as is (a file the user wrote).
// Its content type follows the bytes rather than the message: JSON, XML,
// a Dialpad message's JWT, else the message's own.
func (b *Builder) FromBody(body []byte) *Delivery {
	d := b.newDelivery()
	d.Body = body
	ct := contentType(b.Message)
	trimmed := bytes.TrimSpace(body)
	var v any
	if dec := json.NewDecoder(bytes.NewReader(trimmed)); json.Valid(trimmed) {
		dec.UseNumber()
		if dec.Decode(&v) == nil {
			d.EventID = b.eventIDOf(v)
		}
		ct = "application/json"
	} else if bytes.HasPrefix(trimmed, []byte("<")) {
		ct = "application/xml"
	} else if b.Message.Provider() == verify.ProviderDialpad && isDialpadToken(body) {
		// A token is the whole request, as Sign sends the ones it makes.
		ct = "application/jwt"
	}
	d.Header = store.Header{{Name: "Content-Type", Value: ct}}
	return d
}

func (b *Builder) newDelivery() *Delivery {
	return &Delivery{Message: b.Message.Name(), Method: "POST"}
}

// providerShape makes a synthesised body look like the provider's real
// deliveries where the schema leaves room, and puts the event id where the
// provider carries it. If the message's schema refuses the additions (a
// user's stricter spec), only the event id is set.
func (b *Builder) providerShape(obj map[string]any, eventID string) any {
	switch b.Message.Provider() {
	case verify.ProviderTalkdeskEvents:
		plain := maps.Clone(obj)
		plain["event_id"], plain["id"] = eventID, eventID
		shaped := talkdeskShape(maps.Clone(plain), b.Message.EventType(), b.Origin, b.Now().UTC())
		if len(revalidate(b.Message, shaped)) == 0 {
			return shaped
		}
		return plain
	case verify.ProviderTalkifAI:
		obj["id"] = eventID
		// The envelope says when the event happened: now, not the date
		// of the documented example the body may come from.
		if _, ok := obj["created"]; ok {
			obj["created"] = b.Now().UTC().Format(time.RFC3339)
		}
	}
	return obj
}

// newEventID returns a fresh event id in the provider's style: Talkdesk's
// 32 hex digits, TalkifAI's evt_ prefix; "" for providers that carry none.
func newEventID(provider string) string {
	var b [16]byte
	rand.Read(b[:])
	switch provider {
	case verify.ProviderTalkdeskEvents:
		return hex.EncodeToString(b[:])
	case verify.ProviderTalkifAI:
		return "evt_" + hex.EncodeToString(b[:12])
	}
	return ""
}

// eventIDOf reads the provider's event id from a body exactly as the
// listener's duplicate detection does (verify.ConfiguredEventID, with the
// config's event_id_fields).
func (b *Builder) eventIDOf(v any) string {
	obj, _ := v.(map[string]any)
	return verify.ConfiguredEventID(b.IDFields, b.Message.Provider(), obj)
}

func contentType(m *asyncapi.Message) string {
	if ct := m.ContentType(); ct != "" {
		return ct
	}
	return "application/json"
}

// revalidate checks v against m as the listener would see it once encoded.
func revalidate(m *asyncapi.Message, v any) []string {
	b, err := encodeJSON(v)
	if err != nil {
		return []string{err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var back any
	if err := dec.Decode(&back); err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, e := range m.Validate(back, nil) {
		out = append(out, e.Message)
	}
	return out
}

// encodeJSON writes v compactly, without HTML escaping: Talkdesk asks
// receivers to verify the exact bytes, so what is signed is what is sent.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
