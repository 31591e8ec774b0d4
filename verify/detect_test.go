package verify

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
)

func TestDetect(t *testing.T) {
	jwt, _ := SignDialpadJWT(dialpadSecret, map[string]any{"event": "Deleted", "contact": map[string]any{}})
	v := mustNew(t, Config{
		Routes: []Route{
			{"/notifier", ProviderTalkdeskNotifier},
			{"/td", ProviderTalkdeskEvents},
			{"/td/trigger", ProviderTalkdeskTrigger},
			{"/quiet", ProviderUnknown},
		},
		HMAC: []HMACRoute{{Prefix: "/td/trigger/gh", Header: "X-Sig", Algo: "sha256", Encoding: "hex"}},
	})
	tests := []struct {
		name     string
		path     string
		header   store.Header
		body     string
		provider string
		evType   string
	}{
		// 1. routes, longest prefix first, whatever the headers and body.
		{"route", "/notifier", hdr(HeaderTalkifAISignature, "sha256=00"), `{"a":"{{x}}"}`, ProviderTalkdeskNotifier, ""},
		{"route sub-path", "/td/x", nil, `{"type":"app.updated"}`, ProviderTalkdeskEvents, "app.updated"},
		{"longer route wins", "/td/trigger/webhook-trigger/note-created", nil, `{}`, ProviderTalkdeskTrigger, "note-created"},
		{"longer hmac route wins", "/td/trigger/gh", nil, `{"type":"push"}`, ProviderHMAC, "push"},
		{"route to unknown silences detection", "/quiet", hdr(HeaderTalkdeskSignature, "00"), `{}`, ProviderUnknown, ""},
		{"route matches whole segments", "/tdx", nil, `{}`, ProviderUnknown, ""},
		// 2. headers.
		{"talkdesk signature header", "/x", hdr("x-hub-ecdsa-signature", "00"), `{"event_type":"app.installed"}`, ProviderTalkdeskEvents, "app.installed"},
		{"talkdesk id header alone", "/x", hdr(HeaderTalkdeskSignatureID, "k1"), `{}`, ProviderTalkdeskEvents, ""},
		{"talkifai header", "/x", hdr(HeaderTalkifAISignature, "sha256=00"), `{"type":"call.started"}`, ProviderTalkifAI, "call.started"},
		{"headers beat shape", "/webhook-trigger/contact-created", hdr(HeaderTalkifAISignature, "x"), jwt, ProviderTalkifAI, ""},
		// 3. shape.
		{"jwt body", "/x", nil, jwt, ProviderDialpad, "Deleted"},
		{"jwt beats trigger path", "/webhook-trigger/contact-created", nil, jwt, ProviderDialpad, "Deleted"},
		{"trigger path", "/hooks/webhook-trigger/contact-created", nil, `{"contact":{}}`, ProviderTalkdeskTrigger, "contact-created"},
		{"trigger path trailing slash", "/webhook-trigger/inbound-call-reaches-contact-center/", nil, ``, ProviderTalkdeskTrigger, "inbound-call-reaches-contact-center"},
		{"trigger needs the whole address", "/hooks/contact-created", nil, `{}`, ProviderUnknown, ""},
		{"trigger needs whole segments", "/xwebhook-trigger/contact-created", nil, `{}`, ProviderUnknown, ""},
		{"dce path", "/a/automated-notifications/bridge/digital-connect", nil, `{"x":1}`, ProviderTalkdeskDCE, ""},
		{"dce body", "/x", nil, `{"event_type":"MESSAGE_CREATED","conversation_id":"c1","timestamp":"2024-01-01T00:00:00Z"}`, ProviderTalkdeskDCE, "MESSAGE_CREATED"},
		{"dce body needs conversation_id", "/x", nil, `{"event_type":"MESSAGE_CREATED"}`, ProviderUnknown, "MESSAGE_CREATED"},
		{"dce body needs a DCE event type", "/x", nil, `{"event_type":"OTHER","conversation_id":"c1"}`, ProviderUnknown, "OTHER"},
		{"dialpad call", "/x", nil, `{"call_id":6543210987654321012,"state":"hangup","direction":"inbound"}`, ProviderDialpad, "hangup"},
		{"dialpad sms", "/x", nil, `{"id":1,"from_number":"+1","to_number":["+2"],"text":"hi"}`, ProviderDialpad, "sms"},
		{"dialpad agent status", "/x", nil, `{"availability_status":true,"on_duty_status":"Available","call_center_ids":[1]}`, ProviderDialpad, "agent_status"},
		{"dialpad contact", "/x", nil, `{"event":"Updated","contact":{"id":"c1"}}`, ProviderDialpad, "Updated"},
		{"dialpad change log", "/x", nil, `{"date":1,"action":"updated_ivr","changed_by":{"id":1}}`, ProviderDialpad, "updated_ivr"},
		{"talkifai envelope", "/hooks/talkifai", nil, `{"id":"evt_1","type":"call.ended","created":"2024-01-15T10:34:05Z","data":{"callId":"c"}}`, ProviderTalkifAI, "call.ended"},
		{"not talkifai: undocumented type", "/x", nil, `{"id":"evt_1","type":"call.held","created":"2024-01-15T10:34:05Z","data":{}}`, ProviderUnknown, "call.held"},
		{"not talkifai: numeric created", "/x", nil, `{"id":"evt_1","type":"call.ended","created":1705315200,"data":{}}`, ProviderUnknown, "call.ended"},
		{"not talkifai: no data", "/x", nil, `{"id":"evt_1","type":"call.ended","created":"2024-01-15T10:34:05Z"}`, ProviderUnknown, "call.ended"},
		{"talkdesk documented payload", "/x", nil, `{"id":"e1","type":"app.installed","created_at":"2024-01-15T10:34:05Z","app_id":"a1","api_version":"1","data":{}}`, ProviderTalkdeskEvents, "app.installed"},
		{"talkdesk AsyncAPI envelope", "/x", nil, `{"event_id":"e1","id":"e1","event_type":"app.installed","data":{}}`, ProviderTalkdeskEvents, "app.installed"},
		{"not talkdesk: app_id null", "/x", nil, `{"id":"e1","type":"app.installed","created_at":"2024-01-15T10:34:05Z","app_id":null,"data":{}}`, ProviderUnknown, "app.installed"},
		{"not talkdesk: created_at not a time", "/x", nil, `{"id":"e1","type":"app.installed","created_at":"yesterday","app_id":"a1","data":{}}`, ProviderUnknown, "app.installed"},
		// Intercom's notification: a numeric created_at, an app_id.
		{"not talkdesk: Intercom", "/x", nil, `{"type":"notification_event","app_id":"abc","data":{"item":{}},"id":"notif_1","topic":"conversation.user.created","created_at":1392731331}`, ProviderUnknown, "notification_event"},
		{"not talkdesk: no app fields", "/x", nil, `{"id":"e1","type":"app.installed","created_at":"2024-01-15T10:34:05Z","data":{}}`, ProviderUnknown, "app.installed"},
		{"not talkdesk: event_id without an event name", "/x", nil, `{"event_id":"e1","id":"e1","data":{}}`, ProviderUnknown, ""},
		{"not talkdesk: data not an object", "/x", nil, `{"event_id":"e1","id":"e1","event_type":"x","data":[]}`, ProviderUnknown, "x"},
		{"not dialpad: state alone", "/x", nil, `{"state":"hangup"}`, ProviderUnknown, ""},
		{"not dialpad: unknown contact event", "/x", nil, `{"event":"Merged","contact":{}}`, ProviderUnknown, "Merged"},
		// Dotted base64 text with a JSON first part is no JWT unless it
		// says so (alg, typ) or carries JSON claims: a signed session
		// cookie, plain or in a JSON string, stays an unknown sender's.
		{"session cookie", "/x", nil, `eyJfZnJlc2giOmZhbHNlfQ.ZdQ8Xw.s4ZqWnJ3b0c4dGZ1YWZz`, ProviderUnknown, ""},
		{"session cookie quoted", "/x", nil, `"eyJfZnJlc2giOmZhbHNlfQ.ZdQ8Xw.s4ZqWnJ3b0c4dGZ1YWZz"`, ProviderUnknown, ""},
		{"std base64 text", "/x", nil, `eyJpZCI6NX0.Zd+8Xw.abc/def`, ProviderUnknown, ""},
		// 4. nothing.
		{"unknown", "/x", nil, `{"hello":"world"}`, ProviderUnknown, ""},
		{"unknown empty", "/", nil, ``, ProviderUnknown, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := check(v, Request{Path: tc.path, Header: tc.header, Body: []byte(tc.body)})
			if got.Provider != tc.provider || got.EventType != tc.evType {
				t.Errorf("provider %q event type %q, want %q %q", got.Provider, got.EventType, tc.provider, tc.evType)
			}
		})
	}
}

// TestTriggerChannelsMatchSpec keeps the trigger channel list in step with
// the AsyncAPI document's copy in testdata.
func TestTriggerChannelsMatchSpec(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "talkdesk-channels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "webhook-trigger/") {
			want = append(want, l)
		}
	}
	if strings.Join(want, ",") != strings.Join(triggerChannels, ",") {
		t.Errorf("trigger channels %v, spec has %v", triggerChannels, want)
	}
}

func TestUnsignedProviders(t *testing.T) {
	v := mustNew(t, Config{Routes: []Route{{"/n", ProviderTalkdeskNotifier}}})
	tests := []struct {
		name   string
		path   string
		header store.Header
		body   string
		reason string
		notes  []string
	}{
		{"trigger", "/webhook-trigger/agent-logged-in", nil, `{}`, "Webhook Trigger", nil},
		{"dce bearer", "/automated-notifications/bridge/digital-connect", hdr("Authorization", "Bearer s3cr3t-token"), `{}`, "OAuth bearer token", []string{"Authorization: Bearer token sent"}},
		{"dce lower-case bearer", "/x", hdr("authorization", "bearer abc"), `{"event_type":"CONVERSATION_ENDED","conversation_id":"c"}`, "Digital Connect", []string{"Authorization: Bearer token sent"}},
		{"dce no auth", "/automated-notifications/bridge/digital-connect", nil, `{}`, "Digital Connect", []string{"no Authorization header"}},
		{"dce basic auth", "/automated-notifications/bridge/digital-connect", hdr("Authorization", "Basic dXNlcg=="), `{}`, "Digital Connect", []string{"Authorization header is not a Bearer token"}},
		{"notifier json", "/n", nil, `{"data":{"call_id":"123","agent":"{{agent_id}}","c":"{{ contact_name }}","again":"{{agent_id}}"}}`, "HTTP Notifier",
			[]string{"body is well-formed JSON", "unreplaced placeholders: {{agent_id}}, {{ contact_name }}"}},
		{"notifier xml", "/n", nil, `<?xml version="1.0"?><call><id>{{call_id}}</id></call>`, "HTTP Notifier",
			[]string{"body is well-formed XML", "unreplaced placeholders: {{call_id}}"}},
		{"notifier broken json", "/n", nil, `"data": {"call_id": "{{call_id}}"}`, "HTTP Notifier",
			[]string{"body is neither JSON nor XML (HTTP Notifier sends one of the two)", "unreplaced placeholders: {{call_id}}"}},
		{"notifier json syntax error", "/n", nil, `{"data": {"call_id": "1",}}`, "HTTP Notifier",
			[]string{"body is not valid JSON: invalid character '}' looking for beginning of object key string at offset 25 (line 1, column 26)"}},
		{"notifier clean", "/n", nil, `{"ok":true}`, "HTTP Notifier", []string{"body is well-formed JSON"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := check(v, Request{Path: tc.path, Header: tc.header, Body: []byte(tc.body)})
			wantSig(t, got, store.SigUnsigned, tc.reason)
			if got.Signature.Scheme != SchemeNone {
				t.Errorf("scheme %q", got.Signature.Scheme)
			}
			if strings.Join(got.Notes, "|") != strings.Join(tc.notes, "|") {
				t.Errorf("notes %q, want %q", got.Notes, tc.notes)
			}
			if strings.Contains(strings.Join(got.Notes, ""), "s3cr3t") {
				t.Fatal("bearer token leaked into a note")
			}
		})
	}
}

func TestProviderEventID(t *testing.T) {
	body := `{"event_id":"ev-1","id":"id-1","data":{"id":42,"big":6543210987654321012}}`
	tests := []struct {
		name     string
		provider string
		fields   map[string][]string
		body     string
		want     string
	}{
		{"talkdesk event_id first", ProviderTalkdeskEvents, nil, body, "ev-1"},
		{"talkdesk falls back to id", ProviderTalkdeskEvents, nil, `{"id":"id-1"}`, "id-1"},
		{"talkdesk empty event_id falls back", ProviderTalkdeskEvents, nil, `{"event_id":"","id":"id-1"}`, "id-1"},
		{"talkifai id", ProviderTalkifAI, nil, `{"id":"evt_1","type":"call.ended"}`, "evt_1"},
		{"override with dotted path", ProviderTalkdeskEvents, map[string][]string{ProviderTalkdeskEvents: {"data.id"}}, body, "42"},
		{"numbers stay exact", ProviderTalkdeskDCE, map[string][]string{ProviderTalkdeskDCE: {"data.big"}}, body, "6543210987654321012"},
		{"missing", ProviderTalkdeskDCE, nil, body, ""},
		{"object is not an id", ProviderTalkdeskEvents, map[string][]string{ProviderTalkdeskEvents: {"data"}}, body, ""},
		{"too long", ProviderTalkifAI, nil, `{"id":"` + strings.Repeat("x", 300) + `"}`, ""},
		{"configured as none", ProviderTalkifAI, map[string][]string{ProviderTalkifAI: {}}, `{"id":"evt_1"}`, ""},
		{"configured as null", ProviderTalkifAI, map[string][]string{ProviderTalkifAI: nil}, `{"id":"evt_1"}`, ""},
		{"another provider configured", ProviderTalkifAI, map[string][]string{ProviderDialpad: {}}, `{"id":"evt_1"}`, "evt_1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := mustNew(t, Config{Routes: []Route{{"/", tc.provider}}, EventIDFields: tc.fields})
			got := check(v, Request{Path: "/x", Body: []byte(tc.body)})
			if got.ProviderEventID != tc.want {
				t.Errorf("id %q, want %q", got.ProviderEventID, tc.want)
			}
			// The Verifier's reading and the exported one simulate uses
			// agree.
			obj := decodePayload([]byte(tc.body), "application/json").obj
			if id := ConfiguredEventID(tc.fields, tc.provider, obj); id != tc.want {
				t.Errorf("ConfiguredEventID %q, want %q", id, tc.want)
			}
		})
	}
}

func TestNewRequestAndAnalysis(t *testing.T) {
	e := store.Event{Method: "POST", Path: "/x", Query: "a=1", Header: hdr("A", "b"), ReceivedAt: testNow}
	r := NewRequest(e, []byte("{}"))
	if r.Path != "/x" || r.Query != "a=1" || !r.ReceivedAt.Equal(testNow) || string(r.Body) != "{}" || r.Header.Get("a") != "b" {
		t.Fatalf("request %+v", r)
	}
	res := Result{Provider: ProviderTalkifAI, EventType: "call.ended", ProviderEventID: "e1", Signature: store.Signature{Status: store.SigValid}, Notes: []string{"n"}}
	a := res.Analysis()
	if a.Provider != res.Provider || a.EventType != res.EventType || a.ProviderEventID != "e1" || a.Signature != res.Signature || len(a.Notes) != 1 {
		t.Fatalf("analysis %+v", a)
	}
}

func TestLongestPrefix(t *testing.T) {
	prefixes := []string{"/hooks", "/hooks/td", "/hooks/td", "/h", "/"}
	id := func(s string) string { return s }
	tests := []struct {
		path string
		want int
	}{
		{"/hooks/td/x", 1}, // the longest; the first of two equal ones
		{"/hooks/tdx", 0},  // whole segments only
		{"/hooks", 0},
		{"/hx", 4}, // only "/" covers it
	}
	for _, tt := range tests {
		if got := LongestPrefix(prefixes, tt.path, id); got != tt.want {
			t.Errorf("LongestPrefix(%s) = %d, want %d", tt.path, got, tt.want)
		}
	}
	if got := LongestPrefix(prefixes[:4], "/other", id); got != -1 {
		t.Errorf("LongestPrefix(/other) = %d, want -1", got)
	}
}

// TestProvidersInStepWithStore: the provider names a provider: filter
// accepts (store.Providers, which cannot import verify) are the names
// analysis gives.
func TestProvidersInStepWithStore(t *testing.T) {
	want := []string{ProviderTalkdeskEvents, ProviderTalkdeskTrigger, ProviderTalkdeskDCE, ProviderTalkdeskNotifier,
		ProviderTalkifAI, ProviderDialpad, ProviderHMAC, ProviderUnknown}
	if !slices.Equal(store.Providers, want) {
		t.Errorf("store.Providers %q, verify's %q", store.Providers, want)
	}
	for _, p := range RoutableProviders() {
		if !slices.Contains(store.Providers, p) {
			t.Errorf("--route accepts %q, which a provider: filter refuses", p)
		}
	}
}
