package verify

import (
	"encoding/json"
	"strings"
	"time"
)

// triggerChannels are the Webhook Trigger channel addresses of the Talkdesk
// AsyncAPI document (../shared/specs/talkdesk-webhooks-asyncapi.yml).
var triggerChannels = []string{
	"webhook-trigger/contact-created",
	"webhook-trigger/contact-updated",
	"webhook-trigger/note-created",
	"webhook-trigger/agent-logged-in",
	"webhook-trigger/agent-logged-out",
	"webhook-trigger/inbound-call-reaches-contact-center",
	"webhook-trigger/inbound-call-starts",
	"webhook-trigger/inbound-call-ends",
	"webhook-trigger/outbound-call-ends",
}

// DCEBridgePath ends the path of Automated Notifications bridge deliveries;
// detection by path looks for it, and simulated DCE deliveries are sent to
// it.
const DCEBridgePath = "/automated-notifications/bridge/digital-connect"

// dceEventTypes are the DCE bridge's documented event_type values.
var dceEventTypes = map[string]bool{"CONVERSATION_ENDED": true, "MESSAGE_CREATED": true}

// detection is who sent a delivery and what the rules learnt on the way.
type detection struct {
	provider string
	hmac     *HMACRoute // the matching --hmac route
	channel  string     // Webhook Trigger channel address the path ends with
	// byBody is set when a provider that signs every delivery was named
	// by the body's shape alone: no signature header came.
	byBody bool
}

// detect assigns a provider, most explicit rule first: a configured route
// (--route or --hmac, longest prefix wins, --route on a tie), then signature
// headers, then the shape of the body and path.
func (v *Verifier) detect(r Request, p payload, isJWT bool) detection {
	d := detection{channel: triggerChannel(r.Path)}
	best := -1
	if i := LongestPrefix(v.routes, r.Path, func(rt Route) string { return rt.Prefix }); i >= 0 {
		best, d.provider = len(v.routes[i].Prefix), v.routes[i].Provider
	}
	if h := MatchHMACRoute(v.hmac, r.Path); h != nil && len(h.Prefix) > best {
		d.provider, d.hmac = ProviderHMAC, h
	}
	if d.provider != "" {
		return d
	}
	switch {
	case len(r.Header.Values(HeaderTalkdeskSignature)) > 0 || len(r.Header.Values(HeaderTalkdeskSignatureID)) > 0:
		d.provider = ProviderTalkdeskEvents
	case len(r.Header.Values(HeaderTalkifAISignature)) > 0:
		d.provider = ProviderTalkifAI
	case isJWT:
		d.provider = ProviderDialpad
	case d.channel != "":
		d.provider = ProviderTalkdeskTrigger
	case pathHasSuffix(r.Path, DCEBridgePath) || isDCEBody(p.obj):
		d.provider = ProviderTalkdeskDCE
	case dialpadKind(p.obj) != "":
		d.provider = ProviderDialpad
	case isTalkifAIBody(p.obj):
		// TalkifAI signs every delivery, so an envelope without the header
		// is named TalkifAI's, and its verdict says the signature is
		// missing, rather than passing as an unknown sender's.
		d.provider, d.byBody = ProviderTalkifAI, true
	case isTalkdeskEventsBody(p.obj):
		// Likewise Talkdesk signs every Events API delivery.
		d.provider, d.byBody = ProviderTalkdeskEvents, true
	default:
		d.provider = ProviderUnknown
	}
	return d
}

// isTalkdeskEventsBody recognises the Talkdesk Events API's envelope in
// either of its two descriptions: the payloads Talkdesk documents (an id,
// a type, an RFC 3339 created_at, a data object, and the app_id or
// app_version_id of the partner app the event is for, as strings), or the AsyncAPI document's envelope
// (event_id, id and a data object, with an event_type or type naming the
// event). The app fields and the pair of ids are Talkdesk's own: envelopes
// of other services that share id, type and data carry neither.
func isTalkdeskEventsBody(obj map[string]any) bool {
	str := func(k string) string { s, _ := obj[k].(string); return s }
	_, data := obj["data"].(map[string]any)
	if !data || str("id") == "" {
		return false
	}
	_, stamp := time.Parse(time.RFC3339, str("created_at"))
	documented := str("type") != "" && stamp == nil && (str("app_id") != "" || str("app_version_id") != "")
	described := str("event_id") != "" && (str("event_type") != "" || str("type") != "")
	return documented || described
}

// PathHasPrefix matches whole segments: /td matches /td and /td/x, not /tdx.
// Every path-prefix option (--route, --hmac, --channel-route) matches so.
func PathHasPrefix(path, prefix string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return len(path) == len(prefix) || strings.HasSuffix(prefix, "/") || path[len(prefix)] == '/'
}

// MatchHMACRoute returns the route of routes with the longest prefix
// covering path (the first of equal ones), or nil. It is how verification
// picks the --hmac route that checks a delivery, so whoever signs for a
// path picks the same one.
func MatchHMACRoute(routes []HMACRoute, path string) *HMACRoute {
	if i := LongestPrefix(routes, path, func(h HMACRoute) string { return h.Prefix }); i >= 0 {
		return &routes[i]
	}
	return nil
}

// LongestPrefix returns the index of the item whose prefix (prefixOf) is
// the longest that covers path by PathHasPrefix, the first of equal ones;
// -1 when none does. Every path-prefix option picks its rule so.
func LongestPrefix[T any](items []T, path string, prefixOf func(T) string) int {
	best := -1
	for i, it := range items {
		p := prefixOf(it)
		if (best < 0 || len(p) > len(prefixOf(items[best]))) && PathHasPrefix(path, p) {
			best = i
		}
	}
	return best
}

// pathHasSuffix matches whole trailing segments, ignoring one trailing slash.
func pathHasSuffix(path, suffix string) bool {
	path = strings.TrimSuffix(path, "/")
	return path == strings.TrimPrefix(suffix, "/") || strings.HasSuffix(path, "/"+strings.TrimPrefix(suffix, "/"))
}

// triggerChannel returns the Webhook Trigger channel address the path ends
// with, or "".
func triggerChannel(path string) string {
	for _, c := range triggerChannels {
		if pathHasSuffix(path, c) {
			return c
		}
	}
	return ""
}

func isDCEBody(obj map[string]any) bool {
	et, _ := obj["event_type"].(string)
	_, conv := obj["conversation_id"]
	return dceEventTypes[et] && conv
}

// talkifaiEventTypes are the event types TalkifAI documents
// (../shared/reference/talkifai-webhooks.txt).
var talkifaiEventTypes = map[string]bool{
	"call.started": true, "call.ended": true, "call.failed": true,
	"transcript.ready": true, "analysis.completed": true,
	"credit.low": true, "credit.depleted": true,
}

// isTalkifAIBody recognises TalkifAI's envelope: a string id, one of its
// documented types, a created time as a string and a data object. All four
// are needed: Stripe-like envelopes share the field names but carry a
// numeric created and other types.
func isTalkifAIBody(obj map[string]any) bool {
	id, _ := obj["id"].(string)
	typ, _ := obj["type"].(string)
	created, _ := obj["created"].(string)
	_, data := obj["data"].(map[string]any)
	return id != "" && talkifaiEventTypes[typ] && created != "" && data
}

// Dialpad payload kinds, named after Dialpad's subscription types.
const (
	dialpadCall        = "call"
	dialpadSMS         = "sms"
	dialpadAgentStatus = "agent_status"
	dialpadContact     = "contact"
	dialpadChangeLog   = "change_log"
)

// dialpadKind recognises Dialpad's payload shapes (see the Dialpad AsyncAPI
// document). Each rule needs two fields that only that kind carries together,
// so that other providers' JSON is not taken for Dialpad's.
func dialpadKind(obj map[string]any) string {
	if obj == nil {
		return ""
	}
	has := func(k string) bool { _, ok := obj[k]; return ok }
	str := func(k string) string { s, _ := obj[k].(string); return s }
	switch {
	case has("call_id") && str("state") != "":
		return dialpadCall
	case has("from_number") && has("to_number"):
		return dialpadSMS
	case (has("on_duty_status") || has("availability_status")) && (has("call_center_ids") || has("target")):
		return dialpadAgentStatus
	case (str("event") == "Created" || str("event") == "Updated" || str("event") == "Deleted") && has("contact"):
		return dialpadContact
	case str("action") != "" && has("date") && (has("changed_by") || has("note") || has("additional_data") || has("target")):
		return dialpadChangeLog
	}
	return ""
}

// eventType takes the event type where the provider carries one.
func eventType(provider string, d detection, obj map[string]any) string {
	str := func(k string) string { s, _ := obj[k].(string); return s }
	first := func(keys ...string) string {
		for _, k := range keys {
			if s := str(k); s != "" {
				return s
			}
		}
		return ""
	}
	var et string
	switch provider {
	case ProviderTalkdeskEvents:
		// Talkdesk's documented payloads carry type; the AsyncAPI document
		// names event_type.
		et = first("type", "event_type")
	case ProviderTalkdeskTrigger:
		if d.channel != "" {
			et = d.channel[strings.LastIndexByte(d.channel, '/')+1:]
		} else {
			et = first("event_type", "type")
		}
	case ProviderTalkdeskDCE:
		et = str("event_type")
	case ProviderTalkifAI:
		et = str("type")
	case ProviderDialpad:
		// Calls carry state, contact events carry event, change log events an
		// action code; SMS and agent status events carry no type, so their
		// kind stands in.
		switch k := dialpadKind(obj); k {
		case dialpadCall:
			et = str("state")
		case dialpadContact:
			et = str("event")
		case dialpadChangeLog:
			et = str("action")
		default:
			et = k
		}
	case ProviderHMAC, ProviderUnknown:
		et = first("type", "event_type", "event")
	}
	return truncate(et, 128)
}

// defaultEventIDFields are where each provider puts its own event id:
// Talkdesk documents event_id but its examples carry only id.
var defaultEventIDFields = map[string][]string{
	ProviderTalkdeskEvents: {"event_id", "id"},
	ProviderTalkifAI:       {"id"},
}

// maxEventIDLen bounds an event id taken from an untrusted body; longer ids
// are ignored rather than cut, so two different ids never collide.
const maxEventIDLen = 256

// providerEventID returns the provider's event id in obj, at the fields
// configured for it or else its default ones.
func (v *Verifier) providerEventID(provider string, obj map[string]any) string {
	return ConfiguredEventID(v.eventIDFields, provider, obj)
}

// ConfiguredEventID returns the provider's event id in obj as duplicate
// detection reads it with configured (Config.EventIDFields, the config's
// event_id_fields): at the provider's configured fields when it has an
// entry, none at all when that entry is empty, else at its default ones.
func ConfiguredEventID(configured map[string][]string, provider string, obj map[string]any) string {
	fields, ok := configured[provider]
	if ok && fields == nil {
		fields = []string{} // configured as none: no duplicate detection
	}
	return EventID(provider, obj, fields)
}

// EventID returns the first non-empty string or number at one of fields in
// obj (dotted paths reach into objects), or at the provider's default event
// id fields when fields is nil. Ids longer than 256 bytes are ignored.
func EventID(provider string, obj map[string]any, fields []string) string {
	if fields == nil {
		fields = defaultEventIDFields[provider]
	}
	for _, f := range fields {
		var cur any = obj
		for _, part := range strings.Split(f, ".") {
			m, isObj := cur.(map[string]any)
			if !isObj {
				cur = nil
				break
			}
			cur = m[part]
		}
		var s string
		switch x := cur.(type) {
		case string:
			s = x
		case json.Number:
			s = x.String()
		}
		if s != "" && len(s) <= maxEventIDLen {
			return s
		}
	}
	return ""
}
