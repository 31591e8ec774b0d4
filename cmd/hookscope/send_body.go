package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/asyncapi"
)

// delivery is one simulated delivery on its way out.
type delivery struct {
	message string // the AsyncAPI message name
	method  string
	url     string
	header  store.Header
	body    []byte
	eventID string
	// signedWith says how the body was signed ("talkdesk-ecdsa:KEYID",
	// "talkifai-hmac", "dialpad-jwt"), "" when it was not; unsigned says why.
	signedWith string
	unsigned   string
	tampered   string // what --tamper changed, "" when it did not
	warnings   []string
}

// setFlag is one parsed --set PATH=VALUE.
type setFlag struct{ path, value string }

func parseSet(s string) (setFlag, error) {
	path, value, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(path) == "" {
		return setFlag{}, usagef("--set: %q is not PATH=VALUE (e.g. data.account_id=acc-1 or /data/account_id=acc-1)", s)
	}
	return setFlag{path: strings.TrimSpace(path), value: value}, nil
}

// builder makes the bodies of one `send` run.
type builder struct {
	msg    *asyncapi.Message
	origin string // the local listener, for _links.root.href
	sets   []setFlag
	now    func() time.Time
	// idFields is the config's event_id_fields, read like the listener.
	idFields map[string][]string
}

// build synthesises a body for the message, gives it the provider's event
// id (eventID, or a new one when ""), applies --set, and encodes it.
func (b *builder) build(eventID string) (*delivery, error) {
	m := b.msg
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
	for _, s := range b.sets {
		if v, err = asyncapi.SetPath(v, s.path, s.value); err != nil {
			return nil, usagef("--set %s: %v", s.path, err)
		}
	}
	d := b.newDelivery()
	if len(b.sets) > 0 {
		if errs := revalidate(m, v); len(errs) > 0 {
			d.warnings = append(d.warnings, fmt.Sprintf("after --set the body does not match %s (sent anyway): %s", m.Name(), strings.Join(errs, "; ")))
		}
	}
	if d.body, err = encodeJSON(v); err != nil {
		return nil, fmt.Errorf("send: encode body: %w", err)
	}
	d.eventID = b.eventIDOf(v)
	d.header = store.Header{{Name: "Content-Type", Value: contentType(m)}}
	return d, nil
}

// fromFile makes a delivery of a --body file, sent as is.
func (b *builder) fromFile(body []byte) (*delivery, error) {
	d := b.newDelivery()
	d.body = body
	ct := contentType(b.msg)
	trimmed := bytes.TrimSpace(body)
	var v any
	if dec := json.NewDecoder(bytes.NewReader(trimmed)); json.Valid(trimmed) {
		dec.UseNumber()
		if dec.Decode(&v) == nil {
			d.eventID = b.eventIDOf(v)
		}
		ct = "application/json"
	} else if bytes.HasPrefix(trimmed, []byte("<")) {
		ct = "application/xml"
	}
	d.header = store.Header{{Name: "Content-Type", Value: ct}}
	return d, nil
}

func (b *builder) newDelivery() *delivery {
	return &delivery{message: b.msg.Name(), method: "POST"}
}

// providerShape makes a synthesised body look like the provider's real
// deliveries where the schema leaves room, and puts the event id where the
// provider carries it. If the message's schema refuses the additions (a
// user's stricter spec), only the event id is set.
func (b *builder) providerShape(obj map[string]any, eventID string) any {
	switch b.msg.Provider() {
	case verify.ProviderTalkdeskEvents:
		plain := maps.Clone(obj)
		plain["event_id"], plain["id"] = eventID, eventID
		shaped := talkdeskShape(maps.Clone(plain), b.msg.EventType(), b.origin, b.now().UTC())
		if len(revalidate(b.msg, shaped)) == 0 {
			return shaped
		}
		return plain
	case verify.ProviderTalkifAI:
		obj["id"] = eventID
	}
	return obj
}

// talkdeskShape adds the fields of Talkdesk's documented Events API
// payloads (../shared/reference/talkdesk-events-examples.json): `type`
// besides the seed document's `event_type`, created_at, api_version,
// app_id, app_version_id, event data, and _links.root.href. The sample ids
// are the documented examples' own, so one installation reads the same
// across events. _links.root.href points at the local listener: a partner
// app that fetches keys from there gets hookscope's dev keys.
func talkdeskShape(obj map[string]any, eventType, origin string, now time.Time) map[string]any {
	if eventType != "" {
		obj["type"] = eventType
		if _, ok := obj["event_type"]; ok {
			obj["event_type"] = eventType
		}
	}
	obj["created_at"] = now.Format(time.RFC3339)
	obj["api_version"] = "1"
	obj["app_id"] = "f918e2623486417791f3b5a18ca746ce"
	obj["app_version_id"] = "970d6643b6604a9d8ec77d470a3903cf"
	data, _ := obj["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	for k, v := range talkdeskSampleData(eventType, now) {
		if _, set := data[k]; !set {
			data[k] = v
		}
	}
	obj["data"] = data
	obj["_links"] = map[string]any{"root": map[string]any{"href": origin}}
	return obj
}

// talkdeskSampleData is the `data` of Talkdesk's documented example for
// each event type; events without a documented example get the ids every
// example carries.
func talkdeskSampleData(eventType string, now time.Time) map[string]any {
	d := map[string]any{
		"installation_id": "9514148a170c4d4aaa344a540cec08c5",
		"account_id":      "052c3763ee0745c68a1f65f25b0bf273",
	}
	switch eventType {
	case "app.installed":
		d["account_name"] = "starship"
		d["client_id"] = "23de1fee7658490f8021465553402546"
		d["client_secret"] = "CLIENT_SECRET"
		d["private_key"] = "PRIVATE_KEY"
		d["public_key"] = "PUBLIC_KEY"
		d["key_id"] = "78a574781e434d0b9991edd0994fbeed"
		d["key_algorithm"] = "ES256"
	case "app.updated":
		d["users"] = map[string]any{"adding": []any{"5f0c1e2d3b4a59687766554433221100"}, "removing": []any{}}
		d["subscription"] = map[string]any{"adding": map[string]any{"name": "standard", "licenses": "10"}}
	case "app.uninstalled":
		d["reason"] = map[string]any{"type": "other", "message": "no longer needed"}
	case "app.trial_started", "app.trial_extended":
		d["expires_at"] = now.Add(30 * 24 * time.Hour).Format(time.RFC3339)
	case "app.trial_ended":
		d["ended_at"] = now.Format(time.RFC3339)
		d["ended_reason"] = "expired"
		d["ended_by"] = "system"
	case "user.logout":
		d["user_id"] = "6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d"
		d["user_email"] = "agent@example.com"
	}
	return d
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
// listener's duplicate detection does (verify.EventID, with the config's
// event_id_fields).
func (b *builder) eventIDOf(v any) string {
	obj, _ := v.(map[string]any)
	fields, ok := b.idFields[b.msg.Provider()]
	if ok && fields == nil {
		fields = []string{}
	}
	return verify.EventID(b.msg.Provider(), obj, fields)
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

// stringValueRE finds "key":"value" pairs in a JSON text; --tamper only
// needs a plausible place to change, not a parser.
var stringValueRE = regexp.MustCompile(`"([^"\\]*)"\s*:\s*"([^"\\]*[A-Za-z0-9][^"\\]*)"`)

// tamper changes one character of the body after signing, keeping it
// well-formed, so that only the signature check can notice: in a JWT the
// claims segment is changed and the signature kept.
func (d *delivery) tamper() {
	if parts := strings.Split(string(d.body), "."); d.signedWith == "dialpad-jwt" && len(parts) == 3 {
		claims, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err == nil {
			changed, what := tamperText(claims)
			parts[1] = base64.RawURLEncoding.EncodeToString(changed)
			d.body, d.tampered = []byte(strings.Join(parts, ".")), what+" in the JWT claims"
			return
		}
	}
	d.body, d.tampered = tamperText(d.body)
}

// tamperText flips the last letter or digit of a JSON string value —
// preferably an *_id other than the event id, so the event still reads the
// same — else of the body; an empty body gets a space.
func tamperText(b []byte) ([]byte, string) {
	out := append([]byte(nil), b...)
	matches := stringValueRE.FindAllSubmatchIndex(out, -1)
	pick := -1
	for i, m := range matches {
		key := string(out[m[2]:m[3]])
		if strings.HasSuffix(key, "_id") && key != "event_id" {
			pick = i
			break
		}
	}
	if pick < 0 && len(matches) > 0 {
		pick = 0
	}
	if pick >= 0 {
		m := matches[pick]
		for i := m[5] - 1; i >= m[4]; i-- {
			if isAlnum(out[i]) {
				out[i] = flip(out[i])
				return out, fmt.Sprintf("one character of %q", string(out[m[2]:m[3]]))
			}
		}
	}
	for i := len(out) - 1; i >= 0; i-- {
		if isAlnum(out[i]) {
			out[i] = flip(out[i])
			return out, fmt.Sprintf("byte %d", i)
		}
	}
	return append(out, ' '), "a space appended"
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// flip changes a letter or digit to another of the same kind.
func flip(c byte) byte {
	switch {
	case c == 'a':
		return 'b'
	case 'a' <= c && c <= 'z':
		return 'a'
	case c == 'A':
		return 'B'
	case 'A' <= c && c <= 'Z':
		return 'A'
	case c == '0':
		return '1'
	}
	return '0'
}
