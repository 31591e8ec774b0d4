package asyncapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
)

// validPayloads holds a payload for every message of the seed documents
// that its schema accepts.
var validPayloads = map[string]string{
	"AppInstalledEvent":          `{"event_id":"ev-1","id":"8b62e0c6","event_type":"app.installed","data":{"account_id":"a1"}}`,
	"AppUpdatedEvent":            `{"event_id":"ev-2","id":"a1b2c3d4","event_type":"app.updated","data":{}}`,
	"AppUninstalledEvent":        `{"event_id":"ev-3","id":"b2c3d4e5","event_type":"app.uninstalled","data":{}}`,
	"AppTrialStartedEvent":       `{"event_id":"ev-4","id":"c3d4e5f6","event_type":"app.trial_started","data":{}}`,
	"AppTrialExtendedEvent":      `{"event_id":"ev-5","id":"c3d4e5f7","event_type":"app.trial_extended","data":{}}`,
	"AppTrialEndedEvent":         `{"event_id":"ev-6","id":"d4e5f607","event_type":"app.trial_ended","data":{}}`,
	"AppCredentialsRotatedEvent": `{"event_id":"ev-7","id":"d4e5f608","event_type":"app.credentials_rotated","data":{}}`,
	"UserLogoutEvent":            `{"event_id":"ev-8","id":"e5f60718","event_type":"user.logout","data":{"user_id":"u1"}}`,

	"ContactCreatedEvent":                  `{"contact_id":"c1","name":"Ada"}`,
	"ContactUpdatedEvent":                  `{"contact_id":"c1","name":"Ada L."}`,
	"NoteCreatedEvent":                     `{"note":"called back"}`,
	"AgentLoggedInEvent":                   `{"agent_id":"a1"}`,
	"AgentLoggedOutEvent":                  `{"agent_id":"a1"}`,
	"InboundCallReachesContactCenterEvent": `{"call_id":"k1"}`,
	"InboundCallStartsEvent":               `{"call_id":"k1"}`,
	"InboundCallEndsEvent":                 `{"call_id":"k1"}`,
	"OutboundCallEndsEvent":                `{"call_id":"k2"}`,

	"DCEConversationEndedEvent": `{"event_type":"CONVERSATION_ENDED","conversation_id":"cv-1","timestamp":"2024-05-01T10:00:00Z","payload":{"reason":"closed"}}`,
	"DCEMessageCreatedEvent":    `{"event_type":"MESSAGE_CREATED","conversation_id":"cv-1","timestamp":"2024-05-01T10:00:00.123+01:00"}`,

	"CallEvent":        `{"call_id":9007199254740993,"master_call_id":1,"state":"hangup","direction":"inbound","target":{"id":5,"type":"user","name":"Ada","email":"ada@example.com"},"contact":{"id":"c1","type":"local","phones":["+15550100"]},"date_started":1700000000000,"date_ended":1700000060000,"duration":60,"event_timestamp":1700000060001}`,
	"SmsEvent":         `{"id":42,"created_date":1700000000000,"direction":"outbound","target":{"id":5,"type":"user"},"from_number":"+15550100","to_number":["+15550101"],"mms":false,"text":"hello","message_status":"delivered"}`,
	"AgentStatusEvent": `{"availability_status":true,"on_duty_status":"Available","call_center_ids":[1,2],"powerdialer_mode":false,"target":{"id":5,"type":"user"},"date":1700000000000,"event_timestamp":1700000000001}`,
	"ContactEvent":     `{"event":"Created","contact":{"id":"c9","type":"shared","first_name":"Ada","emails":["ada@example.com"]}}`,
	"ChangeLogEvent":   `{"date":1700000000000,"action":"updated_ivr","note":"IVR changed","additional_data":{"ivr":"main"},"target":{"id":1,"type":"office"},"changed_by":{"id":7,"name":"Admin","type":"user"}}`,

	"CallStartedEvent":       `{"id":"evt_abc123","type":"call.started","created":"2024-01-15T10:30:00Z","data":{"callId":"call_xyz","agentId":"agent_abc","direction":"inbound","from":"+12025550123","to":"+18885550100"}}`,
	"CallEndedEvent":         `{"id":"evt_def456","type":"call.ended","created":"2024-01-15T10:34:05Z","data":{"callId":"call_xyz","duration":245,"status":"completed","endReason":"user_hangup","recordingUrl":"https://storage.talkifai.dev/recordings/call_xyz.mp3"}}`,
	"CallFailedEvent":        `{"id":"evt_1","type":"call.failed","created":"2024-01-15T10:30:00Z","data":{"callId":"call_xyz"}}`,
	"TranscriptReadyEvent":   `{"id":"evt_ghi789","type":"transcript.ready","created":"2024-01-15T10:34:30Z","data":{"callId":"call_xyz","transcriptUrl":"https://api.talkifai.dev/v1/calls/call_xyz/transcript"}}`,
	"AnalysisCompletedEvent": `{"id":"evt_2","type":"analysis.completed","created":"2024-01-15T10:40:00Z","data":{}}`,
	"CreditLowEvent":         `{"id":"evt_3","type":"credit.low","created":"2024-01-15T10:40:00Z","data":{"balance":12}}`,
	"CreditDepletedEvent":    `{"id":"evt_4","type":"credit.depleted","created":"2024-01-15T10:40:00Z","data":{}}`,
}

func TestEveryMessageAcceptsAValidPayload(t *testing.T) {
	r := mustDefault(t)
	msgs := r.Messages()
	if len(msgs) != len(validPayloads) {
		t.Errorf("seed documents have %d messages, table has %d payloads", len(msgs), len(validPayloads))
	}
	for _, m := range msgs {
		t.Run(m.Name(), func(t *testing.T) {
			src, ok := validPayloads[m.Name()]
			if !ok {
				t.Fatalf("no valid payload for %s", m.Name())
			}
			payload := mustJSON(t, src)
			if errs := m.Validate(payload, nil); len(errs) > 0 {
				t.Fatalf("Validate: %v", errs)
			}
			// Through matching too, with the path naming its channel.
			ch := m.Channels()[0]
			got := r.Check(Delivery{Provider: m.Provider(), Path: "/hooks/" + ch, Payload: payload, PayloadKind: "json"})
			if got.Status != store.SchemaValid || got.Message != m.Name() || got.Channel != ch {
				t.Fatalf("Check = %+v; want valid %s on %s", got, m.Name(), ch)
			}
		})
	}
}

// TestDocumentedTalkdeskExamples: Talkdesk's documented payloads carry
// `type` and `id` but no `event_id`, which the seed document requires. They
// must match their message by `type` and report exactly that.
func TestDocumentedTalkdeskExamples(t *testing.T) {
	r := mustDefault(t)
	want := map[string]string{
		"app.installed":     "AppInstalledEvent",
		"app.updated":       "AppUpdatedEvent",
		"app.uninstalled":   "AppUninstalledEvent",
		"app.trial_started": "AppTrialStartedEvent",
		"app.trial_ended":   "AppTrialEndedEvent",
		"user.logout":       "UserLogoutEvent",
	}
	examples := documentedExamples(t)
	if len(examples) != len(want) {
		t.Fatalf("examples file has %d events, test expects %d", len(examples), len(want))
	}
	for typ, payload := range examples {
		for _, provider := range []string{"talkdesk-events", "unknown"} {
			t.Run(typ+"/"+provider, func(t *testing.T) {
				got := r.Check(Delivery{Provider: provider, Path: "/webhooks/talkdesk", Payload: payload, PayloadKind: "json"})
				if got.Message != want[typ] || got.BestGuess {
					t.Fatalf("matched %q (best guess %v); want %q by discriminator", got.Message, got.BestGuess, want[typ])
				}
				wantErrs := []store.SchemaError{{Path: "/event_id", Keyword: "required", Message: "/event_id: required property is missing"}}
				if got.Status != store.SchemaInvalid || !reflect.DeepEqual(got.Errors, wantErrs) {
					t.Fatalf("got %s %v; want invalid %v", got.Status, got.Errors, wantErrs)
				}
			})
		}
	}
}

func TestTargetedViolations(t *testing.T) {
	r := mustDefault(t)
	dce := "/automated-notifications/bridge/digital-connect"
	tests := []struct {
		name     string
		d        Delivery
		message  string
		path     string
		keyword  string
		sentence string
	}{
		{
			name:     "missing event_id",
			d:        Delivery{Provider: "talkdesk-events", Path: "/hooks/partner-events/app.installed", Payload: `{"id":"i","event_type":"app.installed","data":{}}`},
			message:  "AppInstalledEvent",
			path:     "/event_id",
			keyword:  "required",
			sentence: "/event_id: required property is missing",
		},
		{
			name:     "wrong const",
			d:        Delivery{Provider: "talkdesk-events", Path: "/hooks/partner-events/app.installed", Payload: `{"event_id":"e","id":"i","event_type":"app.updated","data":{}}`},
			message:  "AppInstalledEvent",
			path:     "/event_type",
			keyword:  "const",
			sentence: "/event_type: expected 'app.installed', got 'app.updated'",
		},
		{
			name:     "data not an object",
			d:        Delivery{Provider: "talkdesk-events", Payload: `{"event_id":"e","id":"i","event_type":"user.logout","data":[1]}`},
			message:  "UserLogoutEvent",
			path:     "/data",
			keyword:  "type",
			sentence: "/data: expected object, got an array",
		},
		{
			name:     "DCE event_type outside its enum",
			d:        Delivery{Provider: "talkdesk-dce", Path: dce, Payload: `{"event_type":"CONVERSATION_STARTED","conversation_id":"c","timestamp":"2024-05-01T10:00:00Z"}`},
			message:  "DCEConversationEndedEvent",
			path:     "/event_type",
			keyword:  "enum",
			sentence: "/event_type: 'CONVERSATION_STARTED' is not one of 'CONVERSATION_ENDED', 'MESSAGE_CREATED'",
		},
		{
			name:     "long value cut on a rune boundary",
			d:        Delivery{Provider: "talkdesk-dce", Path: dce, Payload: `{"event_type":"` + strings.Repeat("é", 40) + `","conversation_id":"c","timestamp":"2024-05-01T10:00:00Z"}`},
			message:  "DCEConversationEndedEvent",
			path:     "/event_type",
			keyword:  "enum",
			sentence: "/event_type: '" + strings.Repeat("é", 28) + "...' is not one of 'CONVERSATION_ENDED', 'MESSAGE_CREATED'",
		},
		{
			name:     "bad date-time",
			d:        Delivery{Provider: "talkdesk-dce", Path: dce, Payload: `{"event_type":"MESSAGE_CREATED","conversation_id":"c","timestamp":"yesterday"}`},
			message:  "DCEMessageCreatedEvent",
			path:     "/timestamp",
			keyword:  "format",
			sentence: "/timestamp: 'yesterday' is not a valid date-time",
		},
		{
			name:     "Dialpad state outside its enum",
			d:        Delivery{Provider: "dialpad", Path: "/dialpad", Payload: `{"call_id":1,"state":"exploded","direction":"inbound"}`},
			message:  "CallEvent",
			path:     "/state",
			keyword:  "enum",
			sentence: "/state: 'exploded' is not one of 'calling', 'ringing', 'preanswer', 'connected', 'merged', 'hold', 'parked', 'voicemail', … (12 more)",
		},
		{
			name:    "Dialpad nested enum",
			d:       Delivery{Provider: "dialpad", Payload: `{"call_id":1,"state":"hangup","target":{"id":1,"type":"robot"}}`},
			message: "CallEvent",
			path:    "/target/type",
			keyword: "enum",
		},
		{
			name:     "Dialpad call id as string",
			d:        Delivery{Provider: "dialpad", Payload: `{"call_id":"123","state":"hangup"}`},
			message:  "CallEvent",
			path:     "/call_id",
			keyword:  "type",
			sentence: "/call_id: expected integer, got a string",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.d
			d.Payload = mustJSON(t, d.Payload.(string))
			d.PayloadKind = "json"
			got := r.Check(d)
			if got.Status != store.SchemaInvalid || got.Message != tt.message {
				t.Fatalf("got %s %s %v; want invalid %s", got.Status, got.Message, got.Errors, tt.message)
			}
			if len(got.Errors) != 1 {
				t.Fatalf("errors = %v; want exactly one", got.Errors)
			}
			e := got.Errors[0]
			if e.Path != tt.path || e.Keyword != tt.keyword {
				t.Fatalf("error = %+v; want path %s keyword %s", e, tt.path, tt.keyword)
			}
			if tt.sentence != "" && e.Message != tt.sentence {
				t.Fatalf("message = %q; want %q", e.Message, tt.sentence)
			}
		})
	}
}

func TestPayloadSchemaIsSelfContained(t *testing.T) {
	r := mustDefault(t)
	for _, m := range r.Messages() {
		sch := m.PayloadSchema()
		b, err := json.Marshal(sch)
		if err != nil {
			t.Fatalf("%s: %v", m.Name(), err)
		}
		if strings.Contains(string(b), `"$ref"`) {
			t.Errorf("%s: payload schema still has $ref: %s", m.Name(), b)
		}
	}
	m, ok := r.Message("app.installed")
	if !ok {
		t.Fatal("app.installed not found")
	}
	sch := m.PayloadSchema().(map[string]any)
	allOf := sch["allOf"].([]any)
	if req := allOf[0].(map[string]any)["required"]; !reflect.DeepEqual(req, []any{"event_id", "id", "data"}) {
		t.Errorf("dereferenced envelope required = %v", req)
	}
	// The copy is the caller's: changing it must not change the registry.
	allOf[0].(map[string]any)["required"] = nil
	if again := m.PayloadSchema().(map[string]any)["allOf"].([]any)[0].(map[string]any)["required"]; again == nil {
		t.Error("PayloadSchema returned the registry's own value")
	}
}

func TestMessageLookup(t *testing.T) {
	r := mustDefault(t)
	tests := map[string]string{
		"AppInstalledEvent":            "AppInstalledEvent",
		"app.installed":                "AppInstalledEvent",
		"APP.INSTALLED":                "AppInstalledEvent",
		"contact-created":              "ContactCreatedEvent",
		"webhook-trigger/note-created": "NoteCreatedEvent",
		"CONVERSATION_ENDED":           "DCEConversationEndedEvent",
		"MESSAGE_CREATED":              "DCEMessageCreatedEvent",
		"CallEvent":                    "CallEvent",
		"Call Event":                   "CallEvent",
		"sms-events":                   "SmsEvent",
	}
	for q, want := range tests {
		m, ok := r.Message(q)
		if !ok || m.Name() != want {
			t.Errorf("Message(%q) = %v, %v; want %s", q, m, ok, want)
		}
	}
	if _, ok := r.Message("recording_available"); ok {
		t.Error("found a message the seed documents do not have")
	}
	m, _ := r.Message("app.installed")
	if m.Provider() != "talkdesk-events" || m.EventType() != "app.installed" || m.Title() != "app.installed" || m.ContentType() != "application/json" {
		t.Errorf("AppInstalledEvent fields: provider %q event type %q title %q content type %q", m.Provider(), m.EventType(), m.Title(), m.ContentType())
	}
	if m.HeadersSchema() == nil {
		t.Error("AppInstalledEvent has no headers schema")
	}
}
