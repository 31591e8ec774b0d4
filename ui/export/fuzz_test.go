package export

import (
	"bytes"
	"testing"
)

// FuzzDecode feeds arbitrary files to the importer: it must not panic, and
// whatever it accepts must hold as many bodies as events.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"log":{"version":"1.2","entries":[{"request":{"method":"POST","url":"http://h/x?a=1","headers":[{"name":"A","value":"b"}],"postData":{"mimeType":"text/plain","text":"x"}},"startedDateTime":"2026-01-01T00:00:00Z"}]}}`))
	f.Add([]byte(`{"id":"x","received_at":"2026-01-01T00:00:00Z","method":"POST","path":"/a","headers":{"A":["b"]},"body":"hi"}` + "\n"))
	f.Add([]byte(`{"method":"POST","body_base64":"AAE="}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		batch, err := Decode(bytes.NewReader(b))
		if err != nil {
			return
		}
		if len(batch.Events) != len(batch.Bodies) {
			t.Fatalf("%d events, %d bodies", len(batch.Events), len(batch.Bodies))
		}
	})
}
