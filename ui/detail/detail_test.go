package detail

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/body"
	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/ui/verdict"
)

const secretDoc = `{"type":"app.installed","data":{"client_secret":"s3cr3t-value"}}`

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func newModel(secrets ...string) Model {
	m := New(Styles{}, verdict.Styles{}, redact.New(secrets), nil, nil)
	m.SetSize(100, 30)
	return m
}

// TestPrepareMasksInsideGzip checks that secrets inside a gzip body are
// masked: the body is decoded first, in the pretty and in the raw view,
// and only a revealed raw view shows the compressed bytes.
func TestPrepareMasksInsideGzip(t *testing.T) {
	gz := gzipped(t, secretDoc)
	opts := body.Options{ContentType: "application/json", ContentEncoding: "gzip"}
	r := redact.New(nil)

	d := Prepare(gz, opts, r, false)
	text := strings.Join(d.Lines, "\n")
	if d.Kind != body.JSON || strings.Contains(text, "s3cr3t") || !strings.Contains(text, redact.Mask) {
		t.Fatalf("masked pretty body: kind %v\n%s", d.Kind, text)
	}
	if notes := strings.Join(d.Notes, "; "); !strings.Contains(notes, "gzip decoded") || !strings.Contains(notes, "1 secret masked") {
		t.Errorf("notes %q", notes)
	}

	opts.Raw = true
	d = Prepare(gz, opts, r, false)
	text = strings.Join(d.Lines, "\n")
	if d.Kind != body.Text || strings.Contains(text, "s3cr3t") || !strings.Contains(strings.Join(d.Notes, "; "), "only with secrets revealed") {
		t.Fatalf("masked raw body: kind %v notes %q\n%s", d.Kind, d.Notes, text)
	}

	if d = Prepare(gz, opts, r, true); d.Kind != body.Hex {
		t.Errorf("revealed raw body is %v, want the compressed bytes as hex", d.Kind)
	}
	opts.Raw = false
	if d = Prepare(gz, opts, r, true); !strings.Contains(strings.Join(d.Lines, "\n"), "s3cr3t-value") {
		t.Errorf("revealed pretty body hides the secret:\n%s", strings.Join(d.Lines, "\n"))
	}
}

func TestCopyBody(t *testing.T) {
	gz := gzipped(t, secretDoc)
	r := redact.New(nil)
	got, n := CopyBody(gz, "application/json", "gzip", r, false)
	want := strings.Replace(secretDoc, "s3cr3t-value", redact.Mask, 1)
	if string(got) != want || n != 1 {
		t.Errorf("masked copy %q (%d masked), want %q", got, n, want)
	}
	if got, n := CopyBody(gz, "application/json", "gzip", r, true); string(got) != secretDoc || n != 0 {
		t.Errorf("revealed copy %q (%d masked), want the decoded body", got, n)
	}
	// A body the masker cannot read (a gzip body cut short, deflate) is
	// not copied masked: its compressed bytes could hide the secret.
	for _, tt := range []struct {
		enc  string
		data []byte
	}{{"gzip", gz[:20]}, {"deflate", []byte{0x4b, 0x4c, 0x4a, 0x06, 0x00}}} {
		if got, n := CopyBody(tt.data, "application/json", tt.enc, r, false); got != nil || n != 1 {
			t.Errorf("%s cut short: masked copy %q (%d masked), want nothing, 1 masked", tt.enc, got, n)
		}
		if got, _ := CopyBody(tt.data, "application/json", tt.enc, r, true); !bytes.Equal(got, tt.data) {
			t.Errorf("%s: revealed copy %q, want the bytes as stored", tt.enc, got)
		}
	}
}

// TestTitleMasksConfiguredSecret checks that a configured secret in the
// path or query is masked in the title and overview until revealed.
func TestTitleMasksConfiguredSecret(t *testing.T) {
	m := newModel("tok-12345")
	m.SetRecord(store.Record{Event: store.Event{ID: "a", Method: "POST", Path: "/hooks/tok-12345", Query: "k=tok-12345"}})
	out := m.View()
	if strings.Contains(out, "tok-12345") || !strings.Contains(out, "POST /hooks/"+redact.Mask+"?k="+redact.Mask) {
		t.Fatalf("masked view:\n%s", out)
	}
	m.SetReveal(true)
	if out := m.View(); !strings.Contains(out, "POST /hooks/tok-12345?k=tok-12345") {
		t.Fatalf("revealed view:\n%s", out)
	}
}

// TestAnalysisTextMasked: a configured secret the sender put in the
// event type, a note or a schema error (all quote the body) is masked in
// the Overview, Notes and Schema tabs until revealed.
func TestAnalysisTextMasked(t *testing.T) {
	m := newModel("tok-12345")
	m.SetRecord(store.Record{Event: store.Event{ID: "a", Method: "POST", Path: "/"},
		Analysis: &store.Analysis{Provider: "talkdesk-events", EventType: "call.tok-12345",
			Notes:  []string{`the body repeats a key in one object at "/tok-12345"`},
			Schema: &store.SchemaResult{Status: store.SchemaInvalid, Errors: []store.SchemaError{{Path: "/type", Keyword: "discriminator", Message: `type is "call.tok-12345"`}}}}})
	for _, tab := range []Tab{Overview, Schema} {
		m.SetTab(tab)
		if out := m.View(); strings.Contains(out, "tok-12345") || !strings.Contains(out, redact.Mask) {
			t.Errorf("tab %v, masked:\n%s", tab, out)
		}
	}
	m.SetReveal(true)
	m.SetTab(Schema)
	if out := m.View(); !strings.Contains(out, "tok-12345") {
		t.Errorf("revealed:\n%s", out)
	}
}

// TestPrepareHidesBodiesItCannotMask: the Body tab does not lay out a body
// compressed in a way hookscope cannot decode until secrets are revealed,
// not even as a hex dump, as show, the copies and the exports do; a gzip
// body cut short counts too. Revealed, its bytes are shown.
func TestPrepareHidesBodiesItCannotMask(t *testing.T) {
	r := redact.New(nil)
	for _, tt := range []struct {
		enc  string
		data []byte
	}{{"deflate", []byte{0x4b, 0x4c, 0x4a, 0x06, 0x00}}, {"gzip", gzipped(t, secretDoc)[:20]}, {"identity, deflate", []byte{0x4b, 0x4c, 0x4a, 0x06, 0x00}}} {
		opts := body.Options{ContentType: "application/json", ContentEncoding: tt.enc}
		d := Prepare(tt.data, opts, r, false)
		if len(d.Lines) != 1 || d.Lines[0] != hiddenBody || !strings.Contains(strings.Join(d.Notes, " "), "not shown: compressed") {
			t.Errorf("%s, masked: lines %q notes %q", tt.enc, d.Lines, d.Notes)
		}
		if d := Prepare(tt.data, opts, r, true); len(d.Lines) == 0 || d.Lines[0] == hiddenBody {
			t.Errorf("%s, revealed: nothing shown (notes %q)", tt.enc, d.Notes)
		}
	}
}

// TestPrepareMasksWhatTheLayoutDecodes: the Body tab masks a configured
// secret the XML layout decodes from a character reference.
func TestPrepareMasksWhatTheLayoutDecodes(t *testing.T) {
	doc := []byte(`<a><b>Super&#83;ecretTalk123</b></a>`)
	r := redact.New([]string{"SuperSecretTalk123"})
	opts := body.Options{ContentType: "application/xml"}
	if d := Prepare(doc, opts, r, false); strings.Contains(strings.Join(d.Lines, "\n"), "SuperSecretTalk123") {
		t.Errorf("masked layout:\n%s", strings.Join(d.Lines, "\n"))
	}
	if d := Prepare(doc, opts, r, true); !strings.Contains(strings.Join(d.Lines, "\n"), "SuperSecretTalk123") {
		t.Skipf("the layout does not decode the reference; nothing to mask:\n%s", strings.Join(d.Lines, "\n"))
	}
}

// TestSchemaErrorInHeaders checks that enter on a schema error pointing at
// a header ("/headers/Name") opens the Headers tab scrolled to that header.
func TestSchemaErrorInHeaders(t *testing.T) {
	m := newModel()
	var h store.Header
	for i := 0; i < 60; i++ {
		h = append(h, store.Field{Name: fmt.Sprintf("X-Filler-%02d", i), Value: "v"})
	}
	h = append(h, store.Field{Name: "X-Signature", Value: "bad"})
	m.SetRecord(store.Record{Event: store.Event{ID: "a", Method: "POST", Path: "/", Header: h},
		Analysis: &store.Analysis{Schema: &store.SchemaResult{Status: store.SchemaInvalid,
			Errors: []store.SchemaError{{Path: "/headers/x-signature", Keyword: "pattern", Message: "bad header"}}}}})
	m.SetTab(Schema)
	m.Activate()
	if m.Tab() != Headers {
		t.Fatalf("tab %v, want Headers", m.Tab())
	}
	if out := m.View(); !strings.Contains(out, "X-Signature: bad") {
		t.Fatalf("the header is not on screen:\n%s", out)
	}
}

// TestHeadersTabListsTrailers: the Headers tab lists a chunked request's
// trailers under a Trailers heading, after the headers, control characters
// made visible and secret values masked as headers are, unless revealed.
func TestHeadersTabListsTrailers(t *testing.T) {
	tests := []struct {
		name    string
		trailer store.Header
		reveal  bool
		want    []string
		not     []string
	}{
		{"none", nil, false, []string{"X-Head: h", "1 header"}, []string{"Trailers", "trailer"}},
		{"listed after the headers", store.Header{{Name: "X-Sig", Value: "abc"}}, false,
			[]string{"X-Head: h", "Trailers", "X-Sig: abc", "1 header · 1 trailer"}, nil},
		{"escaped", store.Header{{Name: "X-Sig\x1b[2J", Value: "a\x1b]8;;http://evil\x07b"}}, false,
			[]string{"Trailers", "X-Sig␛[2J: a␛]8;;http://evil"}, []string{"\x1b[2J", "\x1b]8", "\x07"}},
		{"masked", store.Header{{Name: "Authorization", Value: "Bearer s3cr3t"}, {Name: "X-Sig", Value: "k=tok-12345"}}, false,
			[]string{"Trailers", "Authorization: Bearer " + redact.Mask, "X-Sig: k=" + redact.Mask, "2 values masked"}, []string{"s3cr3t", "tok-12345"}},
		{"revealed", store.Header{{Name: "Authorization", Value: "Bearer s3cr3t"}}, true,
			[]string{"Trailers", "Authorization: Bearer s3cr3t"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newModel("tok-12345")
			m.SetRecord(store.Record{Event: store.Event{ID: "a", Method: "POST", Path: "/",
				Header: store.Header{{Name: "X-Head", Value: "h"}}, Trailer: tt.trailer}})
			m.SetReveal(tt.reveal)
			m.SetTab(Headers)
			out := m.View()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("holds %q:\n%q", n, out)
				}
			}
			if h, tr := strings.Index(out, "X-Head"), strings.Index(out, "Trailers"); tr >= 0 && tr < h {
				t.Errorf("trailers before the headers:\n%s", out)
			}
		})
	}
}

// TestOverviewMasksLastReplayError: a replay error quotes the target, which
// carries the delivery's path, so the Overview masks configured secrets in
// it as the Replays tab does, unless revealed.
func TestOverviewMasksLastReplayError(t *testing.T) {
	m := newModel("tok-9f8e7d")
	r := store.Record{Event: store.Event{ID: "01A", Method: "POST", Path: "/hooks"}}
	r.Replays = []store.Attempt{{Seq: 1, Target: "http://localhost:3000/hooks", Error: `Post "http://h/?k=tok-9f8e7d": refused`}}
	m.SetRecord(r)
	out := m.View()
	if !strings.Contains(out, "refused") {
		t.Fatalf("the overview does not show the last replay's error:\n%s", out)
	}
	if strings.Contains(out, "tok-9f8e7d") {
		t.Fatalf("the overview shows a configured secret in the last replay's error:\n%s", out)
	}
	m.SetReveal(true)
	if out := m.View(); !strings.Contains(out, "tok-9f8e7d") {
		t.Fatalf("revealed, the overview still masks the last replay's error:\n%s", out)
	}
}

// TestOverviewSaysPinnedAndImported: the overview says when a delivery is
// pinned (p in the list toggles it) or came from an import, and says
// nothing of either otherwise.
func TestOverviewSaysPinnedAndImported(t *testing.T) {
	m := newModel()
	r := store.Record{Event: store.Event{ID: "01A", Method: "POST", Path: "/hooks"}}
	m.SetRecord(r)
	if out := m.View(); strings.Contains(out, "Pinned") || strings.Contains(out, "Imported") {
		t.Fatalf("the overview of a plain delivery mentions pinning or importing:\n%s", out)
	}
	r.Pinned = true
	r.Imported = true
	m.SetRecord(r)
	out := m.View()
	for _, want := range []string{"Pinned", "p unpins", "Imported"} {
		if !strings.Contains(out, want) {
			t.Errorf("the overview of a pinned, imported delivery lacks %q:\n%s", want, out)
		}
	}
}

// TestTargetMasksQuerySecretFields: a secret field in the query is masked
// in the title and the overview, and shown when revealed.
func TestTargetMasksQuerySecretFields(t *testing.T) {
	m := newModel()
	m.SetRecord(store.Record{Event: store.Event{ID: "01A", Method: "POST", Path: "/hooks", Query: "a=1&client_secret=QSECRET"}})
	if out := m.View(); strings.Contains(out, "QSECRET") || !strings.Contains(out, "client_secret=") {
		t.Fatalf("the query's client_secret is not masked:\n%s", out)
	}
	m.SetReveal(true)
	if out := m.View(); !strings.Contains(out, "QSECRET") {
		t.Fatalf("revealed, the query's client_secret is still masked:\n%s", out)
	}
}

// TestOverviewSaysRefused: the overview says the HTTP server refused the
// request, and why.
func TestOverviewSaysRefused(t *testing.T) {
	m := newModel()
	m.SetRecord(store.Record{Event: store.Event{ID: "01A", Method: "POST", Path: "/hooks",
		Response: store.Response{Status: 400}, Refused: "400 Bad Request; header line 3 (X-Bad): control character 0x07 in the value"}})
	out := m.View()
	for _, want := range []string{"Refused", "before hookscope's handler", "header line 3 (X-Bad)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the overview lacks %q:\n%s", want, out)
		}
	}
}

// TestSyntaxErrorMarksItsLine: a body that claims JSON but does not parse
// has one "syntax" error at the root; enter opens the body (shown as text)
// marked at the line the error names, not at the top.
func TestSyntaxErrorMarksItsLine(t *testing.T) {
	m := newModel()
	b := []byte("{\n  \"event\": \"app.installed\",\n  \"data\": {\"a\":1,}\n}")
	m.SetRecord(store.Record{Event: store.Event{ID: "a", Method: "POST", Path: "/", ContentType: "application/json", Size: int64(len(b))},
		Analysis: &store.Analysis{Schema: &store.SchemaResult{Status: store.SchemaInvalid, Errors: []store.SchemaError{{
			Keyword: store.KeywordSyntax, Line: 3,
			Message: "body is not valid JSON: invalid character '}' looking for beginning of object key string at offset 47 (line 3, column 18)"}}}}})
	if cmd := m.SetBody("a", b, nil); cmd != nil {
		if msg, ok := cmd().(DocMsg); ok {
			m.SetDoc(msg)
		}
	}
	m.SetTab(Schema)
	m.Activate()
	if m.Tab() != Body {
		t.Fatalf("tab %v, want Body", m.Tab())
	}
	if m.Mark() != 2 {
		t.Errorf("mark at line %d, want 2 (the third line, where the JSON breaks)", m.Mark())
	}
}
