package asyncapi

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSynthesizeEverySeedMessage: every message of both seed documents
// gets a body its own schema accepts, that matching takes back to the same
// message.
func TestSynthesizeEverySeedMessage(t *testing.T) {
	reg := mustDefault(t)
	msgs := reg.Messages()
	if len(msgs) < 20 {
		t.Fatalf("only %d seed messages", len(msgs))
	}
	for _, m := range msgs {
		t.Run(m.Name(), func(t *testing.T) {
			v, err := Synthesize(m)
			if err != nil {
				t.Fatal(err)
			}
			if errs := m.Validate(v, nil); len(errs) != 0 {
				t.Fatalf("synthesised body invalid: %v", errs)
			}
			if _, ok := v.(map[string]any); !ok {
				t.Fatalf("body is %T, want an object", v)
			}
		})
	}
}

func TestSynthesizeSeedShapes(t *testing.T) {
	reg := mustDefault(t)
	get := func(name string) map[string]any {
		t.Helper()
		m, ok := reg.Message(name)
		if !ok {
			t.Fatalf("no message %s", name)
		}
		v, err := Synthesize(m)
		if err != nil {
			t.Fatal(err)
		}
		return v.(map[string]any)
	}
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)

	ev := get("app.installed")
	if ev["event_type"] != "app.installed" || !hex32.MatchString(ev["event_id"].(string)) || !hex32.MatchString(ev["id"].(string)) {
		t.Errorf("app.installed: %v", ev)
	}
	if _, ok := ev["data"].(map[string]any); !ok {
		t.Errorf("app.installed data: %v", ev["data"])
	}

	// Two messages share the DCE envelope; each keeps its own event type.
	for _, et := range []string{"CONVERSATION_ENDED", "MESSAGE_CREATED"} {
		dce := get(et)
		if dce["event_type"] != et {
			t.Errorf("%s: event_type %v", et, dce["event_type"])
		}
		ts, _ := dce["timestamp"].(string)
		if at, err := time.Parse(time.RFC3339, ts); err != nil || time.Since(at) > time.Minute {
			t.Errorf("%s: timestamp %q is not now in RFC 3339", et, ts)
		}
	}

	// Dialpad's schemas require nothing: the declared properties are
	// filled in so the body looks like a call event.
	call := get("CallEvent")
	if call["state"] != "calling" || call["direction"] != "inbound" {
		t.Errorf("CallEvent: %v", call)
	}
	if id, ok := call["call_id"].(json.Number); !ok || len(id.String()) < 15 {
		t.Errorf("call_id %v", call["call_id"])
	}
	target, _ := call["target"].(map[string]any)
	if target["email"] != "agent@example.com" || target["type"] != "callcenter" {
		t.Errorf("target %v", target)
	}
	if c := get("ContactEvent"); c["event"] != "Created" || c["contact"] == nil {
		t.Errorf("ContactEvent %v", c)
	}
}

const synthSpec = `asyncapi: 2.6.0
info: {title: Synth, version: '1'}
channels:
  things:
    publish:
      message:
        oneOf:
          - $ref: '#/components/messages/Formats'
          - $ref: '#/components/messages/Branches'
          - $ref: '#/components/messages/WithExample'
          - $ref: '#/components/messages/BadExample'
          - $ref: '#/components/messages/Typed'
components:
  messages:
    Formats:
      payload:
        type: object
        additionalProperties: false
        required: [when, day, mail, link, uid, code, count, ratio, tags, flag, even]
        properties:
          when: {type: string, format: date-time}
          day: {type: string, format: date}
          mail: {type: string, format: email}
          link: {type: string, format: uri}
          uid: {type: string, format: uuid}
          code: {type: string, pattern: '^[A-Z]{3}[0-9]{3}$', minLength: 6, maxLength: 6}
          short: {type: string, maxLength: 3}
          count: {type: integer, minimum: 10, maximum: 20}
          ratio: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 1}
          even: {type: integer, minimum: 3, multipleOf: 2}
          tags: {type: array, minItems: 2, items: {type: string, enum: [a, b]}}
          flag: {type: boolean}
          level: {type: string, default: info}
    Branches:
      payload:
        allOf:
          - type: object
            required: [kind]
            properties:
              kind: {type: string}
          - oneOf:
              - type: object
                required: [kind, number]
                properties:
                  kind: {const: num}
                  number: {type: integer}
              - type: object
                required: [kind, text]
                properties:
                  kind: {const: txt}
                  text: {type: string, minLength: 40}
    WithExample:
      examples:
        - payload: {wrong: true}
        - payload: {name: from-example}
      payload:
        type: object
        required: [name]
        properties:
          name: {type: string}
    Typed:
      title: thing.happened
      payload:
        type: object
        required: [type, owner]
        properties:
          type: {type: string}
          owner:
            type: object
            required: [type]
            properties:
              type: {type: string}
    BadExample:
      payload:
        type: object
        required: [level]
        properties:
          level: {type: string, enum: [low, high], default: medium}
`

func TestSynthesizeKeywords(t *testing.T) {
	reg, _ := mustLoadString(t, synthSpec)
	for _, name := range []string{"Formats", "Branches", "WithExample", "BadExample", "Typed"} {
		m, ok := reg.Message(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		v, err := Synthesize(m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if errs := m.Validate(v, nil); len(errs) != 0 {
			t.Fatalf("%s: %v", name, errs)
		}
		obj := v.(map[string]any)
		switch name {
		case "Formats":
			if obj["mail"] != "agent@example.com" || !strings.HasPrefix(obj["link"].(string), "https://") ||
				len(obj["uid"].(string)) != 36 || obj["count"] != json.Number("10") || obj["even"] != json.Number("4") ||
				len(obj["tags"].([]any)) != 2 {
				t.Errorf("Formats: %v", obj)
			}
			if _, ok := obj["level"]; ok {
				t.Errorf("optional property with a default included: %v", obj)
			}
		case "Branches":
			if obj["kind"] != "num" {
				t.Errorf("Branches: first valid branch not taken: %v", obj)
			}
		case "WithExample":
			if obj["name"] != "from-example" {
				t.Errorf("the first example that validates should win: %v", obj)
			}
		case "Typed":
			// A free-text type at the top names the event; deeper ones do not.
			if obj["type"] != "thing.happened" || obj["owner"].(map[string]any)["type"] != "example" {
				t.Errorf("Typed: %v", obj)
			}
		case "BadExample":
			if obj["level"] != "low" {
				t.Errorf("invalid default should fall back to the enum: %v", obj)
			}
		}
	}
}

func TestSetPath(t *testing.T) {
	base := func() any {
		return mustJSON(t, `{"id":"x","data":{"account_id":"a","list":[1,2]},"n":null}`)
	}
	tests := []struct {
		path, value string
		want        string // JSON of the result, or "" when an error is wanted
		errHas      string
	}{
		{"/data/account_id", "acc-1", `{"data":{"account_id":"acc-1","list":[1,2]},"id":"x","n":null}`, ""},
		{"data.account_id", "acc-2", `{"data":{"account_id":"acc-2","list":[1,2]},"id":"x","n":null}`, ""},
		{"id", "42", `{"data":{"account_id":"a","list":[1,2]},"id":42,"n":null}`, ""},
		{"id", `"42"`, `{"data":{"account_id":"a","list":[1,2]},"id":"42","n":null}`, ""},
		{"id", "true", `{"data":{"account_id":"a","list":[1,2]},"id":true,"n":null}`, ""},
		{"id", "null", `{"data":{"account_id":"a","list":[1,2]},"id":null,"n":null}`, ""},
		{"/data", `{"k":[1]}`, `{"data":{"k":[1]},"id":"x","n":null}`, ""},
		{"new.deep.key", "v", `{"data":{"account_id":"a","list":[1,2]},"id":"x","n":null,"new":{"deep":{"key":"v"}}}`, ""},
		{"n.k", "1.5", `{"data":{"account_id":"a","list":[1,2]},"id":"x","n":{"k":1.5}}`, ""},
		{"/data/list/1", "9", `{"data":{"account_id":"a","list":[1,9]},"id":"x","n":null}`, ""},
		{"/data/list/-", "3", `{"data":{"account_id":"a","list":[1,2,3]},"id":"x","n":null}`, ""},
		{"/a~1b/c~0d", "v", `{"a/b":{"c~d":"v"},"data":{"account_id":"a","list":[1,2]},"id":"x","n":null}`, ""},
		{"id", "not json {", `{"data":{"account_id":"a","list":[1,2]},"id":"not json {","n":null}`, ""},
		{"id", "1 2", `{"data":{"account_id":"a","list":[1,2]},"id":"1 2","n":null}`, ""},
		{"/id/x", "v", "", "/id is a string"},
		{"/data/list/7", "v", "", "not an index"},
		{"data..x", "v", "", "empty segment"},
		{"", "v", "", "empty path"},
		{"/bad~2", "v", "", "JSON pointer"},
	}
	for _, tt := range tests {
		t.Run(tt.path+"="+tt.value, func(t *testing.T) {
			got, err := SetPath(base(), tt.path, tt.value)
			if tt.want == "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("err %v, want one mentioning %q", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(got)
			if string(b) != tt.want {
				t.Fatalf("got  %s\nwant %s", b, tt.want)
			}
		})
	}
	// A nil document becomes an object; the root pointer "/" is the key "".
	got, err := SetPath(nil, "a.b", "1")
	if b, _ := json.Marshal(got); err != nil || string(b) != `{"a":{"b":1}}` {
		t.Fatalf("nil doc: %s %v", b, err)
	}
}
