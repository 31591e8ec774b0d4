package verify

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestPayloadKinds(t *testing.T) {
	tests := []struct {
		name, ct, body, kind, errPart string
	}{
		{"empty", "", "", KindEmpty, ""},
		{"json object", "", `{"a":1}`, KindJSON, ""},
		{"json array with spaces", "text/plain", "  [1, 2]\n", KindJSON, ""},
		{"json scalar by content type", "application/json; charset=utf-8", `"hi"`, KindJSON, ""},
		{"vendor json type", "application/vnd.x+json", `42`, KindJSON, ""},
		{"bad json", "", `{"a": x}`, KindBadJSON, "body is not valid JSON: invalid character 'x' looking for beginning of value at offset 6 (line 1, column 7)"},
		{"bad json on a later line", "", "{\n  \"a\": 1,\n  \"b\": }", KindBadJSON, "at offset 19 (line 3, column 8)"},
		{"truncated json", "", `{"a": [1, 2`, KindBadJSON, "body is not valid JSON: it ends before the JSON value does, at offset 11 (line 1, column 12)"},
		{"trailing data", "", `{"a":1} {"b":2}`, KindBadJSON, "unexpected data after the JSON value at offset 8 (line 1, column 9)"},
		{"bad json by content type", "application/json", `nope`, KindBadJSON, "body is not valid JSON: invalid character 'o' in literal null"},
		{"xml", "", `<?xml version="1.0"?><a><b>1</b></a>`, KindXML, ""},
		{"bad xml", "", `<a><b></a>`, KindText, "body is not well-formed XML"},
		{"two xml roots", "", `<a/><b/>`, KindText, "body is not well-formed XML: line 1, column 8: an XML document has one root element; this is a second"},
		{"form", "application/x-www-form-urlencoded", "a=1&b=2", KindForm, ""},
		{"text", "", "hello world\n", KindText, ""},
		{"binary", "", "\x00\x01\x02", KindBinary, ""},
		{"invalid utf-8", "", "ab\xffcd", KindBinary, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := decodePayload([]byte(tc.body), tc.ct)
			if p.kind != tc.kind || !strings.Contains(p.err, tc.errPart) || (tc.errPart == "" && p.err != "") {
				t.Errorf("kind %q err %q, want %q %q", p.kind, p.err, tc.kind, tc.errPart)
			}
			if (p.kind == KindJSON) != (p.value != nil) {
				t.Errorf("value %v for kind %s", p.value, p.kind)
			}
		})
	}
}

func TestPayloadNumbersExact(t *testing.T) {
	v := mustNew(t, Config{})
	got := check(v, Request{Path: "/", Body: []byte(`{"call_id":6543210987654321012,"f":1.5}`)})
	m := got.Payload.(map[string]any)
	if m["call_id"] != json.Number("6543210987654321012") || m["f"] != json.Number("1.5") {
		t.Fatalf("payload %v", m)
	}
}

func TestPayloadTooLarge(t *testing.T) {
	body := append([]byte(`{"a":"`), bytes.Repeat([]byte("x"), MaxPayloadBytes)...)
	body = append(body, `"}`...)
	v := mustNew(t, Config{})
	got := check(v, Request{Path: "/", Body: body})
	if got.Payload != nil || got.PayloadKind != KindText || !strings.Contains(got.PayloadErr, "more than the 8 MiB") {
		t.Fatalf("kind %q err %q", got.PayloadKind, got.PayloadErr)
	}
}

// TestContentEncoding: a gzip body's payload is read decoded (schema,
// event type), while the note says the signature was checked over the
// bytes as received; a body that says gzip but is not is read as it came,
// and the note says that instead of claiming it was encoded; an encoding
// hookscope does not decode leaves the payload unread, with the reason.
// Before, every gzip-encoded JSON delivery was a JSON syntax error at byte
// 0 for the schema check.
func TestContentEncoding(t *testing.T) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	doc := []byte(`{"event_type":"app.installed","type":"app.installed","event_id":"e1"}`)
	bomb := gz(bytes.Repeat([]byte(" "), MaxPayloadBytes+1))
	for _, tt := range []struct {
		name, encoding string
		body           []byte
		kind, event    string
		note, err      string
	}{
		{"gzip JSON", "gzip", gz(doc), KindJSON, "app.installed", fmt.Sprintf("checked on the %d bytes as received, the payload on the %d bytes", len(gz(doc)), len(doc)), ""},
		{"x-gzip, any case", " X-GZIP ", gz(doc), KindJSON, "app.installed", "the payload on the", ""},
		{"says gzip, is plain JSON", "gzip", doc, KindJSON, "app.installed", "does not decode as gzip", ""},
		{"says gzip, cut short", "gzip", []byte{0x1f, 0x8b}, KindBinary, "", "does not decode as gzip (unexpected EOF)", ""},
		{"inflates past the bound", "gzip", bomb, KindBinary, "", "too large to read", "more than 8 MiB once gzip-decoded"},
		{"brotli", "br", []byte{0x0b, 0x02, 0x80}, KindBinary, "", "hookscope does not decode", "br-encoded, which hookscope does not decode"},
		{"identity", "identity", doc, KindJSON, "app.installed", "", ""},
		{"gzip, identity", "gzip, identity", gz(doc), KindJSON, "app.installed", "the payload on the", ""},
		{"two members", "gzip", append(gz(doc[:20]), gz(doc[20:])...), KindJSON, "app.installed", fmt.Sprintf("the payload on the %d bytes they decode to", len(doc)), ""},
		{"a newline after the data", "gzip", append(gz(doc), '\n'), KindJSON, "app.installed", "; 1 byte after the gzip data were ignored", ""},
		{"padding after the data", "gzip", append(gz(doc), 0, 0, 0, 0), KindJSON, "app.installed", "; 4 bytes after the gzip data were ignored", ""},
		{"empty body", "gzip", nil, KindEmpty, "", "", ""},
		{"gzip twice", "gzip, gzip", gz(gz(doc)), KindBinary, "", "hookscope does not decode", "gzip, gzip-encoded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := mustNew(t, Config{})
			got := check(v, Request{Path: "/", Header: hdr("Content-Encoding", tt.encoding), Body: tt.body})
			if got.PayloadKind != tt.kind || got.EventType != tt.event {
				t.Errorf("payload %q, event type %q; want %q, %q (err %q)", got.PayloadKind, got.EventType, tt.kind, tt.event, got.PayloadErr)
			}
			if tt.err != "" && !strings.Contains(got.PayloadErr, tt.err) {
				t.Errorf("payload error %q, want it to say %q", got.PayloadErr, tt.err)
			}
			notes := strings.Join(got.Notes, "\n")
			if tt.note == "" && notes != "" || !strings.Contains(notes, tt.note) {
				t.Errorf("notes %q, want %q", notes, tt.note)
			}
		})
	}
}

// TestLineColumn: lines and columns count from 1, a newline ends its own
// line, and an offset outside the text is clamped to it.
func TestLineColumn(t *testing.T) {
	b := []byte("ab\ncd\n")
	for _, tc := range []struct {
		off       int64
		line, col int
	}{{-5, 1, 1}, {0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {4, 2, 2}, {6, 3, 1}, {99, 3, 1}} {
		if line, col := LineColumn(b, tc.off); line != tc.line || col != tc.col {
			t.Errorf("offset %d: line %d, column %d; want %d, %d", tc.off, line, col, tc.line, tc.col)
		}
	}
}

// TestBadJSONLine: a body that claims JSON but does not parse carries the
// line where it breaks, for the UI to jump to; other bodies carry none.
func TestBadJSONLine(t *testing.T) {
	tests := []struct {
		body, ct string
		line     int
	}{
		{"{\n  \"a\": 1,\n  \"b\": }", "", 3},
		{`{"a": [1, 2`, "", 1},
		{"{\"a\":1}\n\n{\"b\":2}", "", 3},
		{"\n\nplain text sent as JSON", "application/json", 3},
		{`{"a":1}`, "", 0},
		{"plain text", "text/plain", 0},
	}
	for _, tt := range tests {
		if p := decodePayload([]byte(tt.body), tt.ct); p.errLine != tt.line {
			t.Errorf("%q: errLine %d, want %d (err %q)", tt.body, p.errLine, tt.line, p.err)
		}
	}
}
