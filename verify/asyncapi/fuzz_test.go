package asyncapi

import (
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the spec loader: it must refuse or load,
// never panic or hang, and a loaded registry must survive being used.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"talkdesk-webhooks-asyncapi.yml", "dialpad-asyncapi.yml"} {
		b, err := seedFS.ReadFile("specs/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{tieSpec, oneOfSpec, headersSpec, refDoc("#/components/messages/Thing"), refDoc("x.yml#/a"),
		`{"asyncapi":"2.6.0","channels":{"a":{"publish":{"message":{"payload":{"type":"object"}}}}}}`,
		"asyncapi: 2.6.0\nx: &a {b: 1}\ny: {<<: *a, c: 2}\n", "asyncapi: 2.0.0\nchannels: {a: {$ref: '#/channels/a'}}\n",
		cycleSpec("{$ref: '#/components/schemas/A'}", "A: {$ref: '#/components/schemas/B'}", "B: {anyOf: [{type: string}, {$ref: '#/components/schemas/A'}]}"),
		cycleSpec("{$ref: '#/components/schemas/N'}", "N: {type: object, properties: {c: {$ref: '#/components/schemas/N'}}}")} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, _, err := loadBytes("fuzz.yml", data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			return
		}
		_ = r.Channels()
		for _, m := range r.Messages() {
			_ = m.PayloadSchema()
			_ = m.HeadersSchema()
			_ = m.Examples()
			r.Message(m.Name())
		}
		r.Check(Delivery{Payload: map[string]any{"type": "x", "event_type": "y"}, PayloadKind: "json", Path: "/a/b"})
	})
}
