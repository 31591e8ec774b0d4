package export

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/hookscope/hookscope/store"
)

// FuzzDecode feeds arbitrary files to the importer: it must not panic, and
// whatever it accepts must hold as many bodies as events, each delivery
// one the store can take as it is.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"log":{"version":"1.2","entries":[{"request":{"method":"POST","url":"http://h/x?a=1","headers":[{"name":"A","value":"b"}],"postData":{"mimeType":"text/plain","text":"x"}},"startedDateTime":"2026-01-01T00:00:00Z"}]}}`))
	f.Add([]byte(`{"id":"x","received_at":"2026-01-01T00:00:00Z","method":"POST","path":"/a","headers":{"A":["b"]},"body":"hi"}` + "\n"))
	f.Add([]byte(`{"method":"POST","body_base64":"AAE="}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		batch, err := Decode(bytes.NewReader(b))
		if err != nil {
			return
		}
		if len(batch.Events) != len(batch.Bodies) || len(batch.Events) != len(batch.States) {
			t.Fatalf("%d events, %d bodies, %d states", len(batch.Events), len(batch.Bodies), len(batch.States))
		}
		// Each delivery is one ImportAll stores: sized by its body, no
		// id yet, a valid method and header, and encodable as the store
		// encodes it.
		for i, ev := range batch.Events {
			if ev.ID != "" || ev.Size != int64(len(batch.Bodies[i])) || !ev.Imported || !store.ValidHeaderName(ev.Method) {
				t.Fatalf("delivery %d: id %q, size %d of a %d-byte body, imported %v, method %q", i, ev.ID, ev.Size, len(batch.Bodies[i]), ev.Imported, ev.Method)
			}
			for _, f := range ev.Header {
				if !store.ValidHeaderName(f.Name) || !store.ValidHeaderValue(f.Value) {
					t.Fatalf("delivery %d: header %q: %q accepted", i, f.Name, f.Value)
				}
			}
			if _, err := json.Marshal(ev); err != nil {
				t.Fatalf("delivery %d does not encode: %v", i, err)
			}
		}
	})
}
