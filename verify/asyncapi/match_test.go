package asyncapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
)

func TestMatchingRules(t *testing.T) {
	r := mustDefault(t)
	tests := []struct {
		name      string
		d         Delivery
		status    string
		message   string
		channel   string
		bestGuess bool
	}{
		// Rule 1: a configured route decides even against the payload.
		{
			name:    "route wins over payload",
			d:       Delivery{Provider: "talkdesk-events", Path: "/in", RouteChannel: "partner-events/app.updated", Payload: `{"event_id":"e","id":"i","event_type":"app.installed","data":{}}`},
			status:  store.SchemaInvalid,
			message: "AppUpdatedEvent",
			channel: "partner-events/app.updated",
		},
		{
			name:    "route with leading slash",
			d:       Delivery{RouteChannel: "/webhook-trigger/note-created", Payload: `{"x":1}`},
			status:  store.SchemaValid,
			message: "NoteCreatedEvent",
			channel: "webhook-trigger/note-created",
		},
		{
			name:   "route to an unknown channel",
			d:      Delivery{RouteChannel: "nope/nothing", Payload: `{"x":1}`},
			status: store.SchemaUnmatched,
		},
		// Rule 2: the path ends with a channel address.
		{
			name:    "path suffix",
			d:       Delivery{Provider: "talkdesk-trigger", Path: "/hooks/webhook-trigger/contact-created", Payload: `{"id":"c1"}`},
			status:  store.SchemaValid,
			message: "ContactCreatedEvent",
			channel: "webhook-trigger/contact-created",
		},
		{
			name:    "path suffix with trailing slash, unknown provider",
			d:       Delivery{Provider: "unknown", Path: "/x/partner-events/app.trial_extended/", Payload: `{"event_id":"e","id":"i","data":{}}`},
			status:  store.SchemaValid,
			message: "AppTrialExtendedEvent",
			channel: "partner-events/app.trial_extended",
		},
		{
			name:   "path must match whole segments",
			d:      Delivery{Provider: "talkdesk-trigger", Path: "/hooks/xwebhook-trigger/contact-created-v2", Payload: `{"id":"c1"}`},
			status: store.SchemaUnmatched,
		},
		// Rule 3: discriminators.
		{
			name:    "const pin on event_type",
			d:       Delivery{Provider: "talkdesk-events", Path: "/talkdesk", Payload: `{"event_id":"e","id":"i","event_type":"app.trial_ended","data":{}}`},
			status:  store.SchemaValid,
			message: "AppTrialEndedEvent",
			channel: "partner-events/app.trial_ended",
		},
		{
			name:    "type equal to the title",
			d:       Delivery{Provider: "talkdesk-events", Payload: `{"event_id":"e","id":"i","type":"app.credentials_rotated","data":{}}`},
			status:  store.SchemaValid,
			message: "AppCredentialsRotatedEvent",
			channel: "partner-events/app.credentials_rotated",
		},
		{
			// The pin decides the match; the disagreement makes it
			// invalid (TestEventNamesDisagree).
			name:    "const pin beats type",
			d:       Delivery{Provider: "talkdesk-events", Payload: `{"event_id":"e","id":"i","type":"app.installed","event_type":"app.updated","data":{}}`},
			status:  store.SchemaInvalid,
			message: "AppUpdatedEvent",
			channel: "partner-events/app.updated",
		},
		{
			name:    "type names the message although the pin disagrees",
			d:       Delivery{Provider: "talkdesk-events", Payload: `{"event_id":"e","id":"i","type":"user.logout","event_type":"user.login","data":{}}`},
			status:  store.SchemaInvalid,
			message: "UserLogoutEvent",
			channel: "partner-events/user.logout",
		},
		{
			name:    "DCE event_type equal to the title, no path",
			d:       Delivery{Provider: "talkdesk-dce", Payload: `{"event_type":"MESSAGE_CREATED","conversation_id":"c","timestamp":"2024-05-01T10:00:00Z"}`},
			status:  store.SchemaValid,
			message: "DCEMessageCreatedEvent",
			channel: "automated-notifications/bridge/digital-connect",
		},
		{
			name:    "discriminator across providers when provider is unknown",
			d:       Delivery{Payload: `{"event_type":"CONVERSATION_ENDED","conversation_id":"c","timestamp":"2024-05-01T10:00:00Z"}`},
			status:  store.SchemaValid,
			message: "DCEConversationEndedEvent",
			channel: "automated-notifications/bridge/digital-connect",
		},
		// Rule 4: most declared properties, a best guess.
		{
			name:      "Dialpad SMS by shape",
			d:         Delivery{Provider: "dialpad", Payload: `{"id":1,"direction":"inbound","from_number":"+1","to_number":["+2"],"text":"hi","target":{"id":1,"type":"user"}}`},
			status:    store.SchemaValid,
			message:   "SmsEvent",
			channel:   "sms-events",
			bestGuess: true,
		},
		{
			name:      "Dialpad agent status by shape",
			d:         Delivery{Provider: "dialpad", Payload: `{"availability_status":false,"on_duty_status":"Busy","target":{"id":1,"type":"user"},"date":1}`},
			status:    store.SchemaValid,
			message:   "AgentStatusEvent",
			channel:   "agent-status-events",
			bestGuess: true,
		},
		{
			name:      "Dialpad contact event: `event` is no message name",
			d:         Delivery{Provider: "dialpad", Payload: `{"event":"Deleted","contact":{"id":"c1"}}`},
			status:    store.SchemaValid,
			message:   "ContactEvent",
			channel:   "contact-events",
			bestGuess: true,
		},
		{
			name:      "Dialpad change log: tie on target broken by declared count",
			d:         Delivery{Provider: "dialpad", Payload: `{"action":"operator_removed","target":{"id":1,"type":"office"},"date":1}`},
			status:    store.SchemaValid,
			message:   "ChangeLogEvent",
			channel:   "change-log-events",
			bestGuess: true,
		},
		// No candidate.
		{
			name:   "nothing declared",
			d:      Delivery{Provider: "dialpad", Payload: `{"zzz":1}`},
			status: store.SchemaUnmatched,
		},
		{
			name:   "provider without documents",
			d:      Delivery{Provider: verify.ProviderHMAC, Payload: `{"id":"x","event":"call.ended"}`},
			status: store.SchemaUnmatched,
		},
		// TalkifAI: one channel, the envelope's `type` picks the message.
		{
			name:    "TalkifAI documented call.ended",
			d:       Delivery{Provider: "talkifai", Path: "/hooks/talkifai", Payload: `{"id":"evt_def456","type":"call.ended","created":"2024-01-15T10:34:05Z","data":{"callId":"call_xyz","duration":245}}`},
			status:  store.SchemaValid,
			message: "CallEndedEvent",
			channel: "talkifai",
		},
		{
			name:    "TalkifAI by type at any path",
			d:       Delivery{Provider: "talkifai", Path: "/webhooks/ai", Payload: `{"id":"e","type":"credit.low","created":"2024-01-15T10:34:05Z","data":{}}`},
			status:  store.SchemaValid,
			message: "CreditLowEvent",
			channel: "talkifai",
		},
		{
			name:    "TalkifAI duration as text",
			d:       Delivery{Provider: "talkifai", Payload: `{"id":"e","type":"call.ended","created":"2024-01-15T10:34:05Z","data":{"duration":"245"}}`},
			status:  store.SchemaInvalid,
			message: "CallEndedEvent",
			channel: "talkifai",
		},
		{
			// TalkifAI's page shows a duration of 245 and no bounds: the
			// spec types the field after it and claims nothing more.
			name:    "TalkifAI duration without documented bounds",
			d:       Delivery{Provider: "talkifai", Payload: `{"id":"e","type":"call.ended","created":"2024-01-15T10:34:05Z","data":{"duration":-1}}`},
			status:  store.SchemaValid,
			message: "CallEndedEvent",
			channel: "talkifai",
		},
		{
			name:    "TalkifAI event named in the wrong field",
			d:       Delivery{Provider: "talkifai", Payload: `{"id":"x","event":"call.ended"}`},
			status:  store.SchemaInvalid,
			message: "CallEndedEvent",
			channel: "talkifai",
		},
		{
			name:   "array payload without a channel",
			d:      Delivery{Provider: "dialpad", Payload: `[1,2]`},
			status: store.SchemaUnmatched,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.d
			d.Payload = mustJSON(t, d.Payload.(string))
			d.PayloadKind = "json"
			got := r.Check(d)
			if got.Status != tt.status || got.Message != tt.message || got.Channel != tt.channel || got.BestGuess != tt.bestGuess {
				t.Fatalf("got %+v\nwant status %s message %q channel %q best guess %v", got, tt.status, tt.message, tt.channel, tt.bestGuess)
			}
			if got.Errors == nil {
				t.Error("Errors is nil; want [] so the JSON field is a list")
			}
			if (got.Status == store.SchemaUnmatched) != (got.Reason != "") {
				t.Errorf("reason %q for status %s", got.Reason, got.Status)
			}
		})
	}
}

// TestEventNamesDisagree: a Talkdesk event whose type and event_type name
// different events is invalid, whichever of the two decided the match, with
// an error at /type naming both; agreeing names, or one of them alone, add
// nothing. Before, {"type":"app.installed","event_type":"app.updated"} was
// valid as AppUpdatedEvent while hookscope showed it as app.installed.
func TestEventNamesDisagree(t *testing.T) {
	r := mustDefault(t)
	for _, tt := range []struct {
		name, provider, payload string
		wantErr                 string // "" when no disagreement is reported
	}{
		{"pin decides", "talkdesk-events", `{"event_id":"e","id":"i","type":"app.installed","event_type":"app.updated","data":{}}`,
			`type is 'app.installed' but event_type is 'app.updated': the two name different events (checked as AppUpdatedEvent)`},
		{"unknown sender, Talkdesk message", "", `{"event_id":"e","id":"i","type":"app.uninstalled","event_type":"app.installed","data":{}}`,
			`type is 'app.uninstalled' but event_type is 'app.installed'`},
		{"names agree", "talkdesk-events", `{"event_id":"e","id":"i","type":"app.updated","event_type":"app.updated","data":{}}`, ""},
		{"event_type alone", "talkdesk-events", `{"event_id":"e","id":"i","event_type":"app.updated","data":{}}`, ""},
		{"type alone", "talkdesk-events", `{"event_id":"e","id":"i","type":"app.updated","data":{}}`, ""},
		{"not a Talkdesk message", "talkdesk-dce", `{"event_type":"MESSAGE_CREATED","type":"other","conversation_id":"c","timestamp":"2024-05-01T10:00:00Z"}`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Check(Delivery{Provider: tt.provider, Payload: mustJSON(t, tt.payload), PayloadKind: "json"})
			var found *store.SchemaError
			for i, e := range got.Errors {
				if e.Keyword == "discriminator" {
					found = &got.Errors[i]
				}
			}
			switch {
			case tt.wantErr == "" && found != nil:
				t.Errorf("reported %+v for names that do not disagree", *found)
			case tt.wantErr != "" && found == nil:
				t.Fatalf("no disagreement reported: %+v", got)
			case tt.wantErr != "":
				if got.Status != store.SchemaInvalid || found.Path != "/type" || !strings.Contains(found.Message, tt.wantErr) {
					t.Errorf("got status %s, error %+v; want invalid, /type, %q", got.Status, *found, tt.wantErr)
				}
			}
		})
	}
}

// TestUndocumentedEventName: a best guess for a payload whose event name
// no document knows says so at that field, listing the known names,
// instead of the guess's "expected 'call.started'", which read as a typo
// of another event. A field of that name that no message pins (Dialpad's
// calls carry no pinned type) is left to the guess, as is a field whose
// schema lists its names in an enum, whose error already names them.
func TestUndocumentedEventName(t *testing.T) {
	r := mustDefault(t)
	for _, tt := range []struct {
		name, provider, payload string
		at, says                string // "" when no such error is expected
	}{
		{"TalkifAI type", "talkifai", `{"id":"evt_1","type":"call.transferred","created":"2024-01-15T10:34:05Z","data":{"callId":"c"}}`,
			"/type", `'call.transferred' is no talkifai event the loaded documents describe (call.started, call.ended`},
		{"Talkdesk event_type", "talkdesk-events", `{"event_id":"e","id":"i","event_type":"app.exploded","data":{}}`,
			"/event_type", `'app.exploded' is no talkdesk-events event`},
		{"Talkdesk type stands for event_type", "talkdesk-events", `{"id":"i","type":"app.exploded","created_at":"x","data":{}}`,
			"/type", `'app.exploded' is no talkdesk-events event`},
		// An enum of several names already says which ones it knows.
		{"Dialpad contact event, an enum", "dialpad", `{"event":"Merged","contact":{"id":"c1"}}`, "", ""},
		{"a type no message pins", "dialpad", `{"call_id":1,"state":"hangup","type":"whatever"}`, "", ""},
		{"a documented name", "talkifai", `{"id":"evt_1","type":"call.ended","created":"2024-01-15T10:34:05Z","data":{}}`, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Check(Delivery{Provider: tt.provider, Payload: mustJSON(t, tt.payload), PayloadKind: "json"})
			var found []store.SchemaError
			for _, e := range got.Errors {
				if e.Keyword == "discriminator" {
					found = append(found, e)
				}
				if tt.at != "" && e.Path == tt.at && (e.Keyword == "const" || e.Keyword == "enum") {
					t.Errorf("the guess's own error at %s is still listed: %+v", tt.at, e)
				}
			}
			if tt.at == "" {
				if len(found) > 0 {
					t.Errorf("reported %+v", found)
				}
				return
			}
			if len(found) != 1 || found[0].Path != tt.at || !strings.Contains(found[0].Message, tt.says) || got.Status != store.SchemaInvalid {
				t.Errorf("got %+v; want one discriminator error at %s saying %q", got, tt.at, tt.says)
			}
		})
	}
}

// TestEventNameErrorsAreBounded: the errors that quote the payload's event
// names cut them as other schema errors cut values: a 200 KB type made a
// 200 KB line in show and in every stored verdict.
func TestEventNameErrorsAreBounded(t *testing.T) {
	r := mustDefault(t)
	long := strings.Repeat("x", 200_000)
	for _, tt := range []struct{ provider, payload, keyword string }{
		{"talkdesk-events", `{"event_id":"e","id":"i","type":"` + long + `","event_type":"app.updated","data":{}}`, "discriminator"},
		{"talkifai", `{"id":"evt_1","type":"call.` + long + `","created":"2024-01-15T10:34:05Z","data":{}}`, "discriminator"},
	} {
		got := r.Check(Delivery{Provider: tt.provider, Payload: mustJSON(t, tt.payload), PayloadKind: "json"})
		found := false
		for _, e := range got.Errors {
			found = found || e.Keyword == tt.keyword
			if len(e.Message) > 1000 {
				t.Errorf("%s: an error of %d bytes: %.80s…", tt.provider, len(e.Message), e.Message)
			}
		}
		if !found {
			t.Errorf("%s: no %s error: %+v", tt.provider, tt.keyword, got.Errors)
		}
	}
}

func TestSkipped(t *testing.T) {
	r := mustDefault(t)
	tests := []Delivery{
		{PayloadKind: "xml", Path: "/hooks/partner-events/app.installed"},
		{PayloadKind: "form"},
		{PayloadKind: "text"},
		{PayloadKind: "binary"},
		{PayloadKind: "empty"},
		{},
		{PayloadKind: "json", PayloadErr: "unexpected end of JSON input"},
		// Well-formed JSON from the HTTP Notifier is the user's own
		// template, which no loaded document describes: not unmatched.
		{Provider: verify.ProviderTalkdeskNotifier, PayloadKind: "json", Payload: mustJSON(t, `{"id":"x","event":"call.ended"}`)},
	}
	for _, d := range tests {
		got := r.Check(d)
		if got.Status != store.SchemaSkipped || got.Reason == "" {
			t.Errorf("Check(%+v) = %+v; want skipped with a reason", d, got)
		}
	}
	// A Dialpad JWT's claims are validated like JSON.
	got := r.Check(Delivery{Provider: "dialpad", PayloadKind: "jwt", Payload: mustJSON(t, `{"call_id":1,"state":"ringing"}`)})
	if got.Status != store.SchemaValid || got.Message != "CallEvent" {
		t.Errorf("jwt claims: %+v", got)
	}
}

const tieSpec = `asyncapi: 2.6.0
info: {title: Tie, version: '1'}
channels:
  first:
    subscribe:
      message:
        name: NumberShape
        payload:
          type: object
          properties:
            a: {type: integer}
  second:
    subscribe:
      message:
        name: StringShape
        payload:
          type: object
          properties:
            a: {type: string}
`

func TestBestGuessTieBrokenByFewestErrors(t *testing.T) {
	r, _ := mustLoadString(t, tieSpec)
	for payload, want := range map[string]string{`{"a":"x"}`: "StringShape", `{"a":1}`: "NumberShape", `{"a":true}`: "NumberShape"} {
		got := r.Check(Delivery{Payload: mustJSON(t, payload), PayloadKind: "json"})
		if got.Message != want || !got.BestGuess {
			t.Errorf("%s: got %+v; want best guess %s", payload, got, want)
		}
	}
}

const oneOfSpec = `asyncapi: '2.6.0'
info: {title: OneOf, version: '1'}
x-hookscope-provider: acme
channels:
  /acme/{tenant}/events:
    publish:
      message:
        oneOf:
          - $ref: '#/components/messages/Created'
          - name: Deleted
            title: thing.deleted
            payload:
              type: object
              required: [kind, id]
              properties:
                kind: {const: deleted}
                id: {type: string}
components:
  messages:
    Created:
      title: thing.created
      payload:
        type: object
        required: [kind, id, created_at]
        properties:
          kind: {enum: [created]}
          id: {type: string}
          created_at: {type: string, format: date-time}
`

func TestOneOfMessages(t *testing.T) {
	r, _ := mustLoadString(t, oneOfSpec)
	ch := r.Channels()
	if len(ch) != 1 || len(ch[0].Messages) != 2 || ch[0].Messages[0].Name != "Created" || ch[0].Messages[1].Name != "Deleted" {
		t.Fatalf("channels = %+v", ch)
	}
	if ch[0].Provider != "acme" {
		t.Errorf("provider = %q; want acme from x-hookscope-provider", ch[0].Provider)
	}
	tests := []struct {
		payload, message, status string
		guess                    bool
	}{
		{`{"kind":"created","id":"1","created_at":"2024-01-01T00:00:00Z"}`, "Created", store.SchemaValid, false},
		{`{"kind":"deleted","id":"1"}`, "Deleted", store.SchemaValid, false},
		{`{"kind":"created","id":"1","created_at":"soon"}`, "Created", store.SchemaInvalid, false},
		{`{"id":"1"}`, "Deleted", store.SchemaInvalid, true}, // fewer errors: only kind missing
	}
	for _, tt := range tests {
		// Rule 2 with a {parameter} segment decides the channel; the
		// oneOf list is then decided by discriminator or best guess.
		got := r.Check(Delivery{Provider: "acme", Path: "/in/acme/t-42/events", Payload: mustJSON(t, tt.payload), PayloadKind: "json"})
		if got.Message != tt.message || got.Status != tt.status || got.BestGuess != tt.guess || got.Channel != "/acme/{tenant}/events" {
			t.Errorf("%s: got %+v; want %s %s guess=%v", tt.payload, got, tt.status, tt.message, tt.guess)
		}
	}
	if m, ok := r.Message("thing.deleted"); !ok || m.Name() != "Deleted" {
		t.Errorf("Message(thing.deleted) = %v %v", m, ok)
	}
}

const headersSpec = `asyncapi: 2.6.0
info: {title: Headers, version: '1'}
channels:
  signed:
    publish:
      message:
        name: Signed
        headers:
          type: object
          required: [X-Signature]
          properties:
            X-Signature: {type: string, pattern: '^[0-9a-f]+$'}
            X-Attempt: {type: integer, minimum: 1}
        payload: {type: object}
`

func TestHeadersSchema(t *testing.T) {
	r, _ := mustLoadString(t, headersSpec)
	tests := []struct {
		name   string
		header store.Header
		errs   []string // paths
	}{
		{"case-insensitive names", store.Header{{Name: "x-signature", Value: "abc123"}, {Name: "X-ATTEMPT", Value: "2"}, {Name: "User-Agent", Value: "curl"}}, nil},
		{"missing", store.Header{{Name: "Content-Type", Value: "application/json"}}, []string{"/headers/X-Signature"}},
		{"bad value", store.Header{{Name: "X-Signature", Value: "zz"}, {Name: "X-Attempt", Value: "0"}}, []string{"/headers/X-Attempt", "/headers/X-Signature"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Check(Delivery{Path: "/signed", Header: tt.header, Payload: map[string]any{}, PayloadKind: "json"})
			var paths []string
			for _, e := range got.Errors {
				paths = append(paths, e.Path)
			}
			if len(paths) != len(tt.errs) {
				t.Fatalf("errors %v; want paths %v", got.Errors, tt.errs)
			}
			for i := range paths {
				if paths[i] != tt.errs[i] {
					t.Fatalf("errors %v; want paths %v", got.Errors, tt.errs)
				}
			}
		})
	}
}

// TestConcurrentUse: a Registry is shared by the capture path and the UI;
// run with -race.
func TestConcurrentUse(t *testing.T) {
	r := mustDefault(t)
	examples := documentedExamples(t)
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for _, ex := range examples {
				if got := r.Check(Delivery{Provider: "talkdesk-events", Payload: ex, PayloadKind: "json"}); got.Status != store.SchemaInvalid {
					t.Errorf("got %+v", got)
				}
			}
			for _, m := range r.Messages() {
				_ = m.PayloadSchema()
				_ = m.Examples()
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}

// TestMalformedJSON: a body that claims to be JSON but does not parse is the
// delivery's error when a provider's messages apply, and says where it
// breaks; from an unknown sender it is skipped with the same words.
func TestMalformedJSON(t *testing.T) {
	r := mustDefault(t)
	const why = "body is not valid JSON: invalid character '}' looking for beginning of object key string at offset 39 (line 1, column 40)"
	tests := []struct {
		name             string
		d                Delivery
		status           string
		message, channel string
	}{
		{"provider and path name the channel",
			Delivery{Provider: "talkdesk-events", Path: "/hooks/partner-events/app.installed"},
			store.SchemaInvalid, "AppInstalledEvent", "partner-events/app.installed"},
		{"provider only", Delivery{Provider: "talkdesk-events", Path: "/talkdesk"}, store.SchemaInvalid, "", ""},
		{"route names the channel", Delivery{RouteChannel: "partner-events/app.updated", Path: "/in"},
			store.SchemaInvalid, "AppUpdatedEvent", "partner-events/app.updated"},
		{"unknown sender", Delivery{Provider: "unknown", Path: "/hooks/x"}, store.SchemaSkipped, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.d.PayloadKind, tc.d.PayloadErr, tc.d.PayloadErrLine = verify.KindBadJSON, why, 1
			got := r.Check(tc.d)
			if got.Status != tc.status || got.Message != tc.message || got.Channel != tc.channel {
				t.Fatalf("Check = %+v; want %s %q %q", got, tc.status, tc.message, tc.channel)
			}
			switch got.Status {
			case store.SchemaInvalid:
				if len(got.Errors) != 1 || got.Errors[0].Message != why || got.Errors[0].Path != "" || got.Errors[0].Keyword != "syntax" || got.Errors[0].Line != 1 {
					t.Errorf("errors %+v; want one syntax error at the root saying %q", got.Errors, why)
				}
			case store.SchemaSkipped:
				if got.Reason != "the "+why || got.Errors == nil {
					t.Errorf("reason %q errors %v; want %q and []", got.Reason, got.Errors, "the "+why)
				}
			}
		})
	}

	// A body too large to decode is skipped saying so, not "text, not JSON".
	got := r.Check(Delivery{Provider: "talkdesk-events", PayloadKind: verify.KindText, PayloadErr: "body is 9000000 bytes, more than the 8 MiB hookscope decodes"})
	if got.Status != store.SchemaSkipped || !strings.Contains(got.Reason, "more than the 8 MiB") {
		t.Errorf("large body: %+v", got)
	}
}

// TestNamedTieKeepsTheWinnersErrors: when the discriminator names several
// messages, the one rule 4 picks is reported with its own validation
// errors (which the tie-break computed), as a best guess.
func TestNamedTieKeepsTheWinnersErrors(t *testing.T) {
	r, _ := mustLoadString(t, namedTieSpec)
	for _, tt := range []struct {
		payload, message, status string
		errPath                  string
	}{
		{`{"type":"order.created","id":"o-1","total":12.5}`, "OrderV2", store.SchemaValid, ""},
		{`{"type":"order.created","id":7}`, "OrderV1", store.SchemaValid, ""},
		{`{"type":"order.created","id":"o-1","total":"12"}`, "OrderV2", store.SchemaInvalid, "/total"},
	} {
		got := r.Check(Delivery{Provider: "acme", Payload: mustJSON(t, tt.payload), PayloadKind: "json"})
		if got.Message != tt.message || got.Status != tt.status || !got.BestGuess {
			t.Errorf("%s: got %+v; want %s %s as a best guess", tt.payload, got, tt.status, tt.message)
			continue
		}
		if tt.errPath == "" && len(got.Errors) != 0 || tt.errPath != "" && (len(got.Errors) != 1 || got.Errors[0].Path != tt.errPath) {
			t.Errorf("%s: errors %+v; want one at %q", tt.payload, got.Errors, tt.errPath)
		}
	}
}

const titledLikeSpec = `asyncapi: 2.6.0
info: {title: Titled, version: '1'}
channels:
  first:
    subscribe:
      message:
        name: Alpha
        title: Beta
        payload:
          type: object
          properties:
            event_type: {const: alpha.happened}
  second:
    subscribe:
      message:
        name: Beta
        payload:
          type: object
          properties:
            event_type: {const: beta.happened}
`

// TestMessageOf: the message a result names is found by channel and name
// only, not by a title that happens to equal its name (which Message, the
// lenient lookup for `send`, prefers when it comes first).
func TestMessageOf(t *testing.T) {
	r, _ := mustLoadString(t, titledLikeSpec)
	got := r.Check(Delivery{Provider: "unknown", Path: "/second", PayloadKind: "json", Payload: mustJSON(t, `{"event_type":"beta.happened"}`)})
	if got.Message != "Beta" || got.Channel != "second" {
		t.Fatalf("Check = %+v; want Beta on second", got)
	}
	m, ok := r.MessageOf(got.Channel, got.Message)
	if !ok || m.EventType() != "beta.happened" {
		t.Errorf("MessageOf(%s, %s) = %v, %v; want the message with event type beta.happened", got.Channel, got.Message, m, ok)
	}
	for _, tt := range [][2]string{{"first", "Beta"}, {"second", "Alpha"}, {"third", "Beta"}} {
		if m, ok := r.MessageOf(tt[0], tt[1]); ok {
			t.Errorf("MessageOf(%s, %s) = %s; want none", tt[0], tt[1], m.Name())
		}
	}
}

const manyErrorsSpec = `asyncapi: '2.6.0'
info: {title: Many, version: '1'}
channels:
  many:
    publish:
      message:
        name: Many
        payload:
          type: object
          properties:
            list: {type: array, items: {type: string}}
            props: {type: object, additionalProperties: {type: string}}
            twice: {type: array, items: {allOf: [{type: string}, {type: string}]}}
`

// TestErrorsAreBounded: a body of a few megabytes can violate a schema
// millions of times; the result lists the first maxErrors, says how many
// there are, and lists the same ones however the validator walked the
// payload's objects.
func TestErrorsAreBounded(t *testing.T) {
	r, _ := mustLoadString(t, manyErrorsSpec)
	list := `{"list":[1` + strings.Repeat(",1", 4999) + `]}`
	got := r.Check(Delivery{Path: "/many", Payload: mustJSON(t, list), PayloadKind: "json"})
	if got.Status != store.SchemaInvalid || len(got.Errors) != maxErrors {
		t.Fatalf("got %s with %d errors; want invalid with %d", got.Status, len(got.Errors), maxErrors)
	}
	if got.Errors[0].Path != "/list/0" || got.Reason != "5000 errors found; the first 100 are listed" {
		t.Fatalf("first error %+v, reason %q", got.Errors[0], got.Reason)
	}
	// The first items' errors, in item order: /list/2 before /list/10.
	for i, e := range got.Errors {
		if want := fmt.Sprintf("/list/%d", i); e.Path != want {
			t.Fatalf("error %d at %s, want %s", i, e.Path, want)
		}
	}

	var b strings.Builder
	b.WriteString(`{"props":{`)
	for i := 0; i < 300; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"p%03d":%d`, i, i)
	}
	b.WriteString(`}}`)
	var first []store.SchemaError
	for range 5 { // map order differs from run to run
		got := r.Check(Delivery{Path: "/many", Payload: mustJSON(t, b.String()), PayloadKind: "json"})
		if len(got.Errors) != maxErrors || got.Errors[0].Path != "/props/p000" || got.Errors[maxErrors-1].Path != "/props/p099" {
			t.Fatalf("got %d errors, %+v … %+v", len(got.Errors), got.Errors[0], got.Errors[len(got.Errors)-1])
		}
		if first == nil {
			first = got.Errors
		} else if !slices.Equal(first, got.Errors) {
			t.Fatalf("errors differ between runs")
		}
	}

	// Two schemas that fail an item alike make one error, listed once:
	// the total counts errors as listed, not the validator's leaves.
	twice := `{"twice":[1` + strings.Repeat(",1", 149) + `]}`
	got = r.Check(Delivery{Path: "/many", Payload: mustJSON(t, twice), PayloadKind: "json"})
	if len(got.Errors) != maxErrors || got.Errors[1].Path != "/twice/1" || got.Reason != "150 errors found; the first 100 are listed" {
		t.Fatalf("got %d errors, %+v, reason %q", len(got.Errors), got.Errors[1], got.Reason)
	}

	// Below the bound nothing is cut and no reason is given.
	got = r.Check(Delivery{Path: "/many", Payload: mustJSON(t, `{"list":[1,2]}`), PayloadKind: "json"})
	if len(got.Errors) != 2 || got.Reason != "" {
		t.Fatalf("got %+v", got)
	}
}
