package export

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// secret is what the test masker hides, in a header and in bodies.
const secret = "s3cr3t-value"

// testMasker masks the Authorization header and the secret wherever it
// appears in a body: enough to see that masking is applied, without the
// real rules (ui/redact).
type testMasker struct{}

func (testMasker) Header(name, value string) string {
	if strings.EqualFold(name, "Authorization") {
		return "[masked]"
	}
	return value
}

func (testMasker) Body(_ string, body []byte) []byte {
	return bytes.ReplaceAll(body, []byte(secret), []byte("[masked]"))
}

func mustOpen(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fixture is one delivery of the test set.
type fixture struct {
	name string
	ev   store.Event
	body []byte
}

// fixtures covers the shapes an export must carry exactly: JSON with a
// secret, binary, invalid UTF-8 with escape sequences, a body with quotes
// and a trailing newline, an empty GET with a query, and headers with
// original case, repeats, interleaving, and C1 controls, a bidi override
// and a tab in a value.
func fixtures() []fixture {
	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	hdr := func(kv ...string) store.Header {
		var h store.Header
		for i := 0; i+1 < len(kv); i += 2 {
			h = append(h, store.Field{Name: kv[i], Value: kv[i+1]})
		}
		return h
	}
	return []fixture{
		{"json with secret", store.Event{Method: "POST", Path: "/hooks/talkdesk", Host: "abc.ngrok.app", Proto: "HTTP/1.1", RemoteAddr: "1.2.3.4:5",
			Header: hdr("Host", "abc.ngrok.app", "content-type", "application/json", "Authorization", "Bearer "+secret,
				"X-Talkdesk-Signature", "sig=", "x-custom-Case", "1", "X-Talkdesk-Signature", "second")},
			[]byte(`{"event":"app.installed","client_secret":"` + secret + `","n":1}`)},
		{"binary", store.Event{Method: "PUT", Path: "/bin", Host: "localhost:8080", Proto: "HTTP/1.1",
			Header: hdr("Host", "localhost:8080", "Content-Type", "application/octet-stream", "User-Agent", "sender/1")}, bin},
		{"invalid utf8", store.Event{Method: "POST", Path: "/raw", Host: "localhost", Proto: "HTTP/1.1",
			Header: hdr("Host", "localhost", "X-Empty", "", "X-Hostile", "v\u009b2J\u202e\ttab")}, []byte("a\xff\xfe\x1b[2J\x00z")},
		{"quotes and newline", store.Event{Method: "PATCH", Path: "/it's", Host: "localhost", Proto: "HTTP/1.1",
			Header: hdr("Content-Type", "text/plain; charset=utf-8", "Accept", "*/*")}, []byte("it's a \"body\"\n$(rm -rf /) `x` \\n\n")},
		{"get with query", store.Event{Method: "GET", Path: "/q", Query: "a=1&b=two%20words&a=3", Host: "example.test", Proto: "HTTP/1.1",
			Header: hdr("Host", "example.test")}, nil},
	}
}

// seed stores the fixtures with a second between them and returns their
// ids in order.
func seed(t testing.TB, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2025, 6, 1, 10, 0, 0, 123456789, time.UTC)
	var ids []string
	for i, f := range fixtures() {
		ev := f.ev
		ev.ReceivedAt = base.Add(time.Duration(i) * time.Second)
		ev.Size = int64(len(f.body))
		ev.ContentType = ev.Header.Get("Content-Type")
		ev.Response = store.Response{Status: 200, DurationMS: 1.5}
		if err := db.Append(ctx, &ev, f.body); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.ID)
	}
	if _, err := db.PutAnalysis(ctx, ids[0], store.Analysis{Provider: "talkdesk", EventType: "app.installed",
		Signature: store.Signature{Status: store.SigValid}, Schema: &store.SchemaResult{Status: store.SchemaValid}}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPinned(ctx, ids[1], true); err != nil {
		t.Fatal(err)
	}
	return ids
}

func exportString(t testing.TB, db store.Store, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := Export(context.Background(), &buf, db, opts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
