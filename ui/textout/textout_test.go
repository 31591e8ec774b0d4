package textout

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/redact"
)

var hostile = store.Record{
	Event: store.Event{ID: "33l9t6bsac57e\x1b[8m", ReceivedAt: time.Unix(0, 0), Method: "POST\x1b[2J",
		Path: "/a\x1b]8;;http://evil\x07link\u202e", Query: "x=\x9b1m", RemoteAddr: "1.2.3.4:5",
		Header: store.Header{{Name: "X-\x1bEvil", Value: "v\x1b[31m\r\ninjected"}}, ContentType: "text/plain\x1b",
		Trailer: store.Header{{Name: "X-\x1bSig", Value: "t\x1b[2Jrail\x9b"}}},
	Analysis: &store.Analysis{Provider: "unknown", EventType: "t\x1b[0m", Signature: store.Signature{Status: "invalid\x1b[8m", Reason: "r\x1b"},
		DuplicateOf: "d\x1b[8m", ProviderEventID: "e\x1b",
		Schema: &store.SchemaResult{Status: "invalid\x9b", Errors: []store.SchemaError{{Path: "/a\x1b", Keyword: "type", Message: "m\x1b"}}},
		Notes:  []string{"n\x1b"}},
}

func noControl(t *testing.T, what, s string) {
	t.Helper()
	for _, r := range s {
		if r == 0x1b || r == 0x07 || r == 0x9b || r == '\r' || (r >= 0x202a && r <= 0x202e) {
			t.Fatalf("%s: control %U survived in %q", what, r, s)
		}
	}
}

// listing writes the listing of recs as `hookscope ls` does: one page.
func listing(w io.Writer, recs []store.Record, red *redact.Redactor) error {
	t := NewTable(w, red)
	t.Rows(recs)
	return t.Flush()
}

func TestOutputsNeutraliseEscapes(t *testing.T) {
	noControl(t, "Line", Line(hostile, nil))
	var b bytes.Buffer
	if err := listing(&b, []store.Record{hostile}, nil); err != nil {
		t.Fatal(err)
	}
	noControl(t, "Table", b.String())
	b.Reset()
	Show(&b, hostile, []byte("body \x1b[2J\x9b\x07"), ShowOptions{})
	noControl(t, "Show", b.String())
	if !strings.Contains(b.String(), "␛[2J") {
		t.Errorf("ESC not shown visibly:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "\nTrailers\n  X-␛Sig: t␛[2Jrail") {
		t.Errorf("trailer not listed, escaped, under Trailers:\n%s", b.String())
	}
}

// TestShowTrailers: the readable view lists trailers under their own
// heading, masked like headers, and has no such heading without any.
func TestShowTrailers(t *testing.T) {
	ev := store.Event{Method: "POST", Path: "/c", Header: store.Header{{Name: "Transfer-Encoding", Value: "chunked"}}}
	tests := []struct {
		name    string
		trailer store.Header
		red     *redact.Redactor
		want    []string
		not     []string
	}{
		{"none", nil, nil, nil, []string{"Trailers"}},
		{"listed", store.Header{{Name: "X-Sig", Value: "abc"}, {Name: "X-Sig", Value: "def"}}, nil,
			[]string{"  Transfer-Encoding: chunked\n\nTrailers\n  X-Sig: abc\n  X-Sig: def\n\nBody"}, nil},
		{"masked", store.Header{{Name: "Authorization", Value: "Bearer abc"}, {Name: "X-Sig", Value: "k=tok-12345"}}, redact.New([]string{"tok-12345"}),
			[]string{"Trailers\n  Authorization: Bearer " + redact.Mask + "\n  X-Sig: k=" + redact.Mask + "\n"}, []string{"Bearer abc", "tok-12345"}},
		{"revealed", store.Header{{Name: "Authorization", Value: "Bearer abc"}}, nil, []string{"Trailers\n  Authorization: Bearer abc\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := store.Record{Event: ev}
			r.Trailer = tt.trailer
			var b bytes.Buffer
			if err := Show(&b, r, []byte("{}"), ShowOptions{Redactor: tt.red}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("lacks %q:\n%s", w, b.String())
				}
			}
			for _, n := range tt.not {
				if strings.Contains(b.String(), n) {
					t.Errorf("holds %q:\n%s", n, b.String())
				}
			}
		})
	}
}

// TestRawChunked: show --raw writes a body that came chunked as one chunk
// again, then the stored trailers; anything else as stored.
func TestRawChunked(t *testing.T) {
	const line = "POST /c HTTP/1.1\r\n"
	chunked := store.Header{{Name: "Host", Value: "x"}, {Name: "Transfer-Encoding", Value: "chunked"}, {Name: "Trailer", Value: "X-Sig"}}
	sig := store.Header{{Name: "X-Sig", Value: "abc"}, {Name: "X-Other", Value: "1"}}
	tests := []struct {
		name    string
		ev      store.Event
		body    string
		want    string
		chunked bool
	}{
		{"chunked with trailers", store.Event{Header: chunked, Trailer: sig}, `{"a":1}`,
			line + "Host: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sig\r\n\r\n7\r\n{\"a\":1}\r\n0\r\nX-Sig: abc\r\nX-Other: 1\r\n\r\n", true},
		{"chunked without trailers", store.Event{Header: store.Header{{Name: "transfer-encoding", Value: "Chunked"}}}, strings.Repeat("z", 300),
			line + "transfer-encoding: Chunked\r\n\r\n12c\r\n" + strings.Repeat("z", 300) + "\r\n0\r\n\r\n", true},
		{"chunked, empty body", store.Event{Header: chunked, Trailer: sig}, "",
			line + "Host: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sig\r\n\r\n0\r\nX-Sig: abc\r\nX-Other: 1\r\n\r\n", true},
		{"chunked last of several codings", store.Event{Header: store.Header{{Name: "Transfer-Encoding", Value: "gzip"}, {Name: "Transfer-Encoding", Value: " chunked "}}}, "ab",
			line + "Transfer-Encoding: gzip\r\nTransfer-Encoding:  chunked \r\n\r\n2\r\nab\r\n0\r\n\r\n", true},
		{"chunked not last", store.Event{Header: store.Header{{Name: "Transfer-Encoding", Value: "chunked, gzip"}}}, "ab",
			line + "Transfer-Encoding: chunked, gzip\r\n\r\nab", false},
		// Cut (over --max-body, or the chunks broke off): the text stops
		// where the stored body does, with no last chunk.
		{"chunked, stored cut", store.Event{Header: chunked, Truncated: true}, `{"a":`,
			line + "Host: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sig\r\n\r\n5\r\n{\"a\":\r\n", true},
		{"content length", store.Event{Header: store.Header{{Name: "Content-Length", Value: "2"}}}, "{}",
			line + "Content-Length: 2\r\n\r\n{}", false},
		{"no body", store.Event{}, "", line + "\r\n", false},
		// A request net/http refused is stored from the bytes that came:
		// de-chunked only when chunked alone and whole.
		{"refused, de-chunked", store.Event{Header: store.Header{{Name: "Transfer-Encoding", Value: "chunked"}}, Refused: "400 Bad Request"}, "ab",
			line + "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n", true},
		// De-chunked by capture (the first value is chunked alone) although
		// a second value names another coding: framed again all the same.
		{"refused, chunked first of two values", store.Event{Header: store.Header{{Name: "Transfer-Encoding", Value: "chunked"}, {Name: "Transfer-Encoding", Value: "gzip"}}, Refused: "501 Not Implemented"}, "hello",
			line + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n", true},
		{"refused, kept as it came", store.Event{Header: store.Header{{Name: "Transfer-Encoding", Value: "gzip, chunked"}}, Refused: "501 Not Implemented", Truncated: true},
			"2\r\nab\r\n0\r\n\r\n", line + "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.ev.Method, tt.ev.Path = "POST", "/c"
			if got := chunkedBody(tt.ev); got != tt.chunked {
				t.Errorf("chunkedBody = %v", got)
			}
			var b bytes.Buffer
			if err := Raw(&b, store.Record{Event: tt.ev}, []byte(tt.body)); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Fatalf("raw\n got %q\nwant %q", b.String(), tt.want)
			}
			if !tt.chunked || len(tt.ev.Header.Values("Transfer-Encoding")) > 1 {
				return // net/http reads only chunked alone
			}
			req, err := http.ReadRequest(bufio.NewReader(&b))
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(req.Body)
			if tt.ev.Truncated {
				// Read back as what it is: a body that stops short.
				if !errors.Is(err, io.ErrUnexpectedEOF) || string(body) != tt.body {
					t.Fatalf("read back cut body %q (%v), want %q and an unexpected EOF", body, err, tt.body)
				}
				return
			}
			if err != nil || string(body) != tt.body {
				t.Fatalf("read back body %q (%v)", body, err)
			}
			for _, f := range tt.ev.Trailer {
				if got := req.Trailer.Get(f.Name); got != f.Value {
					t.Errorf("read back trailer %s = %q, want %q", f.Name, got, f.Value)
				}
			}
		})
	}
}

func TestBodyText(t *testing.T) {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(`{"a":[1,2]}`))
	w.Close()
	tests := []struct {
		name, enc string
		body      []byte
		want      []string
	}{
		{"json pretty", "", []byte(`{"a":{"b":1}}`), []string{"{\n  \"a\": {\n    \"b\": 1\n  }\n}"}},
		{"gzip", "gzip", gz.Bytes(), []string{"gzip decoded", `"a": [`}},
		{"broken gzip", "gzip", []byte("nope"), []string{"could not be decoded"}},
		{"binary hex", "", []byte{0, 1, 2, 0xff, 0xfe}, []string{"00 01 02 ff fe"}},
		{"empty", "", nil, []string{"(empty)"}},
		{"large", "", bytes.Repeat([]byte("x"), MaxShownBody+10), []string{"… 10 more bytes"}},
	}
	for _, tt := range tests {
		got := BodyText("", tt.enc, tt.body)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tt.name, got[:min(len(got), 200)], w)
			}
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 1023: "1023B", 1536: "1.5KiB", 3 << 20: "3.0MiB", 1 << 30: "1.0GiB", 1<<20 - 1: "1.0MiB", 5 << 40: "5.0TiB"} {
		if got := Size(n, false); got != want {
			t.Errorf("Size(%d) = %s, want %s", n, got, want)
		}
	}
	if Size(10, true) != "10B+" {
		t.Error("truncated mark missing")
	}
}

// TestShowMasks checks that the readable view masks what the TUI masks:
// secret fields of a gzip body too large to lay out whole (masking a cut
// prefix would find no JSON, and no field), secret headers, and a
// configured secret in the path and query.
func TestShowMasks(t *testing.T) {
	doc := `{"client_secret":"TOPSECRET","pad":"` + strings.Repeat("x", MaxShownBody) + `"}`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(doc))
	zw.Close()
	r := store.Record{Event: store.Event{Method: "POST", Path: "/hooks/tok-12345", Query: "t=tok-12345&client_secret=QSECRET",
		ContentType: "application/json", ContentEncoding: "gzip",
		Header: store.Header{{Name: "Authorization", Value: "Bearer abc"}},
		// A live forward and a replay with --keep-path sent the path on.
		Forward: &store.Attempt{Target: "http://app/hooks/tok-12345", Error: `Post "http://app/hooks/tok-12345": refused`}},
		Replays: []store.Attempt{{Seq: 1, Target: "http://app/hooks/tok-12345?t=tok-12345", Status: 200}}}
	var b bytes.Buffer
	if err := Show(&b, r, gz.Bytes(), ShowOptions{Redactor: redact.New([]string{"tok-12345"})}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, secret := range []string{"TOPSECRET", "tok-12345", "Bearer abc", "QSECRET"} {
		if strings.Contains(out, secret) {
			t.Errorf("%q shown:\n%s", secret, out[:min(len(out), 600)])
		}
	}
	for _, want := range []string{"POST /hooks/" + redact.Mask + "?t=" + redact.Mask + "&client_secret=" + redact.Mask, `"client_secret":"` + redact.Mask + `"`, "gzip decoded",
		"http://app/hooks/" + redact.Mask + " → no response", `Post "http://app/hooks/` + redact.Mask + `": refused`,
		"http://app/hooks/" + redact.Mask + "?t=" + redact.Mask + " → 200"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out[:min(len(out), 600)])
		}
	}
}

// TestAnalysisTextMasked: a configured secret in text verification built
// from the body (event type, notes, schema errors) is masked in the
// headless line, ls's table, show and the JSON object, and kept without a
// redactor (--reveal-secrets).
func TestAnalysisTextMasked(t *testing.T) {
	const sec = "tok-12345"
	r := store.Record{Event: store.Event{ID: "a", Method: "POST", Path: "/h"},
		Analysis: &store.Analysis{Provider: "talkdesk-events", EventType: "call." + sec,
			Notes:  []string{`the body repeats a key in one object at "/` + sec + `"`},
			Schema: &store.SchemaResult{Status: store.SchemaInvalid, Errors: []store.SchemaError{{Path: "/type", Message: `type is "call.` + sec + `"`}}}}}
	outputs := func(red *redact.Redactor) map[string]string {
		var show, js, table bytes.Buffer
		Show(&show, r, nil, ShowOptions{Redactor: red})
		Delivery(&js, r, true, red)
		tw := NewTable(&table, red)
		tw.Rows([]store.Record{r})
		tw.Flush()
		return map[string]string{"line": Line(r, red), "show": show.String(), "json": js.String(), "table": table.String()}
	}
	for what, out := range outputs(redact.New([]string{sec})) {
		if strings.Contains(out, sec) {
			t.Errorf("%s shows the secret:\n%s", what, out)
		}
	}
	for what, out := range outputs(nil) {
		if !strings.Contains(out, sec) {
			t.Errorf("%s without a redactor hides it:\n%s", what, out)
		}
	}
	if r.Analysis.EventType != "call."+sec {
		t.Errorf("the record itself was changed")
	}
}

// TestShowMasksWhatTheLayoutDecodes: an XML body that writes a configured
// secret with a character reference, or splits it over two CDATA
// sections, is laid out decoded; the secret is masked there too.
func TestShowMasksWhatTheLayoutDecodes(t *testing.T) {
	const sec = "SuperSecretTalk123"
	for _, doc := range []string{
		`<a><b>Super&#83;ecretTalk123</b><c x="Super&#x53;ecretTalk123"/></a>`,
		`<a><![CDATA[SuperSecret]]><![CDATA[Talk123]]></a>`,
	} {
		r := store.Record{Event: store.Event{Method: "POST", Path: "/x", ContentType: "application/xml"}}
		var masked, revealed bytes.Buffer
		if err := Show(&masked, r, []byte(doc), ShowOptions{Redactor: redact.New([]string{sec})}); err != nil {
			t.Fatal(err)
		}
		Show(&revealed, r, []byte(doc), ShowOptions{})
		if strings.Contains(masked.String(), sec) {
			t.Errorf("%s shown with the secret:\n%s", doc, masked.String())
		}
		if !strings.Contains(revealed.String(), sec) {
			t.Skipf("the layout does not decode %s here; nothing to mask", doc)
		}
	}
}

// TestShowHidesBodiesItCannotMask: a body compressed in a way hookscope
// cannot decode (deflate, a gzip body cut short) is not shown masked, not
// even as a hex dump, since its secrets could not be masked; revealed, it
// is shown as before.
func TestShowHidesBodiesItCannotMask(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"client_secret":"TOPSECRET"}`))
	zw.Close()
	for _, tt := range []struct {
		name, encoding string
		data           []byte
	}{
		{"deflate", "deflate", []byte("\x4b\x4c\x4a\x06\x00")},
		{"gzip cut short", "gzip", gz.Bytes()[:15]},
	} {
		r := store.Record{Event: store.Event{Method: "POST", Path: "/h", ContentType: "application/json", ContentEncoding: tt.encoding}}
		var masked, revealed bytes.Buffer
		if err := Show(&masked, r, tt.data, ShowOptions{Redactor: redact.New(nil)}); err != nil {
			t.Fatal(err)
		}
		if err := Show(&revealed, r, tt.data, ShowOptions{}); err != nil {
			t.Fatal(err)
		}
		dump := fmt.Sprintf("%02x %02x", tt.data[0], tt.data[1]) // the hex dump's first bytes
		if !strings.Contains(masked.String(), "(not shown: compressed in a way hookscope cannot decode") || strings.Contains(masked.String(), dump) {
			t.Errorf("%s, masked:\n%s", tt.name, masked.String())
		}
		if strings.Contains(revealed.String(), "not shown") || !strings.Contains(revealed.String(), dump) {
			t.Errorf("%s, revealed:\n%s", tt.name, revealed.String())
		}
	}
}

// TestShowSaysRefused: a request the HTTP server refused says so and why,
// and its cut body is not blamed on the size limit.
func TestShowSaysRefused(t *testing.T) {
	r := store.Record{Event: store.Event{Method: "POST", Path: "/h", Truncated: true, Size: 5,
		Response: store.Response{Status: 400}, Refused: "400 Bad Request; header line 3 (X): control character 0x1b in the value\x1b[2J"}}
	var b bytes.Buffer
	if err := Show(&b, r, []byte("short"), ShowOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"refused", "before hookscope's handler", "control character 0x1b", "only what arrived with the refused head"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "size limit") || strings.Contains(out, "\x1b") {
		t.Errorf("blames the size limit or passes an escape through:\n%q", out)
	}
}

// TestRawRequestLineAsSent: show --raw gives the target as it came: an
// encoded slash, and bytes net/url would escape to send them again ({, |,
// "), are not re-encoded.
func TestRawRequestLineAsSent(t *testing.T) {
	for _, tt := range []struct {
		ev   store.Event
		want string
	}{
		{store.Event{Method: "POST", Path: "/a/bA", RawPath: "/a%2Fb%41", Query: "x=1"}, "POST /a%2Fb%41?x=1 HTTP/1.1"},
		{store.Event{Method: "POST", Path: `/{id}/|"x`, RawPath: `/{id}/|"x`, Query: "q=1"}, `POST /{id}/|"x?q=1 HTTP/1.1`},
		{store.Event{Method: "GET", Path: "/plain"}, "GET /plain HTTP/1.1"},
		{store.Event{Method: "GET", Path: "/sp ace"}, "GET /sp%20ace HTTP/1.1"},
	} {
		var b bytes.Buffer
		if err := Raw(&b, store.Record{Event: tt.ev}, nil); err != nil {
			t.Fatal(err)
		}
		if line, _, _ := strings.Cut(b.String(), "\r\n"); line != tt.want {
			t.Errorf("request line %q, want %q", line, tt.want)
		}
	}
}

// TestListingsMaskConfiguredSecrets: the headless line and the ls table
// mask a configured secret in the path and query (one spanning both
// included; before clipping a long path, so no part of it shows), and show
// it with no redactor.
func TestListingsMaskConfiguredSecrets(t *testing.T) {
	const secret = "tok-12345"
	red := redact.New([]string{secret, "a b/c", "span?ning"})
	long := "/" + strings.Repeat("p", 55) + "/" + secret
	tests := []struct {
		name        string
		ev          store.Event
		masked      string // in both outputs when masked
		revealed    string // in both outputs with no redactor
		notInMasked string
	}{
		{"path and query", store.Event{Path: "/hooks/" + secret, Query: "t=" + secret},
			"/hooks/" + redact.Mask + "?t=" + redact.Mask, "/hooks/" + secret + "?t=" + secret, secret},
		{"raw path", store.Event{Path: "/h/" + secret + "/a/b", RawPath: "/h/" + secret + "/a%2Fb"},
			"/h/" + redact.Mask + "/a%2Fb", "/h/" + secret + "/a%2Fb", secret},
		{"sent percent-encoded", store.Event{Path: "/h/a b/c", RawPath: "/h/a%20b%2Fc"},
			"/h/" + redact.Mask, "/h/a%20b%2Fc", "a%20b"},
		// A secret that spans the "?" is masked whole, as one stretch of
		// the target.
		{"across the query mark", store.Event{Path: "/h/span", Query: "ning=1&x=2"},
			"/h/" + redact.Mask + "=1&x=2", "/h/span?ning=1&x=2", "span"},
		{"across the query mark, then a secret field", store.Event{Path: "/h/span", Query: "ning=1&client_secret=cs1"},
			"/h/" + redact.Mask + "=1&client_secret=" + redact.Mask, "/h/span?ning=1&client_secret=cs1", "cs1"},
		{"cut by the table", store.Event{Path: long}, "/" + redact.Mask[:3], "/to", "/to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.ev.ID, tt.ev.Method = "33l9t6bsac57e", "POST"
			rec := store.Record{Event: tt.ev}
			for _, red := range []*redact.Redactor{red, nil} {
				var table bytes.Buffer
				if err := listing(&table, []store.Record{rec}, red); err != nil {
					t.Fatal(err)
				}
				for what, out := range map[string]string{"line": Line(rec, red), "table": table.String()} {
					switch {
					case red != nil && (strings.Contains(out, tt.notInMasked) || !strings.Contains(out, tt.masked)):
						t.Errorf("%s masked: %q, want %q and no %q", what, out, tt.masked, tt.notInMasked)
					case red == nil && !strings.Contains(out, tt.revealed):
						t.Errorf("%s revealed: %q, want %q", what, out, tt.revealed)
					}
				}
			}
		})
	}
}
