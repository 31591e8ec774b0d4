package asyncapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
)

// benchPayload is Talkdesk's documented app.installed delivery with the
// fields the seed document requires added, padded to exactly 1 KiB with a
// free-text field inside data; valid.
func benchPayload(b *testing.B) (any, int) {
	ex := documentedExamples(b)["app.installed"].(map[string]any)
	ex["event_id"] = "0f8fad5b-d9cb-469f-a165-70867728950e"
	ex["event_type"] = "app.installed"
	data := ex["data"].(map[string]any)
	data["note"] = ""
	raw, err := json.Marshal(ex)
	if err != nil {
		b.Fatal(err)
	}
	data["note"] = strings.Repeat("x", 1024-len(raw))
	if raw, err = json.Marshal(ex); err != nil || len(raw) != 1024 {
		b.Fatalf("payload is %d bytes (%v)", len(raw), err)
	}
	return mustJSON(b, string(raw)), len(raw)
}

func BenchmarkValidate(b *testing.B) {
	r := mustDefault(b)
	m, _ := r.Message("AppInstalledEvent")
	payload, n := benchPayload(b)
	h := store.Header{{Name: "X-Hub-Ecdsa-Signature", Value: "3045"}, {Name: "X-Hub-Ecdsa-Signature-Id", Value: "k1"}}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		if errs := m.Validate(payload, h); len(errs) != 0 {
			b.Fatal(errs)
		}
	}
}

// BenchmarkMatch is the whole Check: matching by discriminator (no path
// help) plus validation.
func BenchmarkMatch(b *testing.B) {
	r := mustDefault(b)
	payload, n := benchPayload(b)
	d := Delivery{Provider: "talkdesk-events", Path: "/webhooks/talkdesk", Payload: payload, PayloadKind: "json",
		Header: store.Header{{Name: "X-Hub-Ecdsa-Signature", Value: "3045"}, {Name: "X-Hub-Ecdsa-Signature-Id", Value: "k1"}}}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		if res := r.Check(d); res.Status != store.SchemaValid || res.Message != "AppInstalledEvent" {
			b.Fatal(res)
		}
	}
}

// BenchmarkMatchBestGuess is Check on a Dialpad payload that only rule 4
// decides, the slowest matching path.
func BenchmarkMatchBestGuess(b *testing.B) {
	r := mustDefault(b)
	d := Delivery{Provider: "dialpad", Payload: mustJSON(b, validPayloads["CallEvent"]), PayloadKind: "json"}
	b.ReportAllocs()
	for b.Loop() {
		if res := r.Check(d); res.Status != store.SchemaValid || res.Message != "CallEvent" {
			b.Fatal(res)
		}
	}
}

func BenchmarkLoadDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}

// namedTieSpec has two messages of one channel that a payload's `type`
// names alike (a user's spec versioning one event): rule 3 finds both and
// rule 4's scoring breaks the tie.
const namedTieSpec = `asyncapi: '2.6.0'
info: {title: Tie, version: '1'}
x-hookscope-provider: acme
channels:
  events:
    publish:
      message:
        oneOf:
          - name: OrderV1
            title: order.created
            payload:
              type: object
              required: [type, id]
              properties:
                type: {type: string}
                id: {type: integer}
          - name: OrderV2
            title: order.created
            payload:
              type: object
              required: [type, id, total]
              properties:
                type: {type: string}
                id: {type: string}
                total: {type: number}
`

// BenchmarkMatchNamedTie is Check where the discriminator names two
// messages and validation breaks the tie.
func BenchmarkMatchNamedTie(b *testing.B) {
	r, _ := mustLoadString(b, namedTieSpec)
	d := Delivery{Provider: "acme", Payload: mustJSON(b, `{"type":"order.created","id":"o-1","total":12.5}`), PayloadKind: "json"}
	b.ReportAllocs()
	for b.Loop() {
		if res := r.Check(d); res.Status != store.SchemaValid || res.Message != "OrderV2" || !res.BestGuess {
			b.Fatal(res)
		}
	}
}
