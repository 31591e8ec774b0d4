package body

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"runtime"
	"strings"
	"testing"
)

func TestPrepareKinds(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"a":1}`))
	zw.Close()
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	jwt := seg(`{"alg":"HS256","typ":"JWT"}`) + "." + seg(`{"call_id":1234567890123456789,"state":"hangup"}`) + ".c2ln"

	tests := []struct {
		name string
		in   string
		opts Options
		kind Kind
		want []string
	}{
		{"empty", "", Options{}, Empty, []string{}},
		{"json", `{"a":{"b":[1,{"c":null}],"e":{}},"s":"x"}`, Options{ContentType: "application/json"}, JSON,
			[]string{"{", `  "a": {`, `    "b": [`, "      1,", "      {", `        "c": null`, "      }", "    ],", `    "e": {}`, "  },", `  "s": "x"`, "}"}},
		{"json keeps number spelling", `[1.50e3, -0, "\u00e9"]`, Options{}, JSON, []string{"[", "  1.50e3,", "  -0,", `  "\u00e9"`, "]"}},
		{"invalid json is text", `{"a":`, Options{ContentType: "application/json"}, Text, []string{`{"a":`}},
		{"gzip", gz.String(), Options{ContentEncoding: "gzip"}, JSON, []string{"{", `  "a": 1`, "}"}},
		{"gzip raw is hex", gz.String()[:4], Options{ContentEncoding: "gzip", Raw: true}, Hex, []string{"00000000  1f 8b 08 00                                       |....|"}},
		{"form", "a=1&client%5Fid=x+y&z", Options{ContentType: "application/x-www-form-urlencoded"}, Form, []string{"a = 1", "client_id = x y", "z = "}},
		{"xml", `<?xml version="1.0"?><a x="1"><b>t&amp;u</b><c/></a>`, Options{ContentType: "application/xml"}, XML,
			[]string{`<?xml version="1.0"?>`, `<a x="1">`, `  <b>t&amp;u</b>`, `  <c></c>`, `</a>`}},
		{"jwt", jwt, Options{}, JWT, []string{"JWT header", "{", `  "alg": "HS256",`, `  "typ": "JWT"`, "}", "JWT claims", "{",
			`  "call_id": 1234567890123456789,`, `  "state": "hangup"`, "}", "JWT signature (checked on the Signature tab)", "c2ln"}},
		{"quoted jwt", `"` + jwt + `"`, Options{}, JWT, nil},
		{"escapes made visible", "a\x1b[31mb\u009bc\r\nd\te", Options{}, Text, []string{"a␛[31mb\ufffdc", "d    e"}},
		{"binary", "\x00\x01\x02", Options{}, Hex, []string{"00000000  00 01 02                                          |...|"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Prepare([]byte(tt.in), tt.opts)
			if d.Kind != tt.kind {
				t.Fatalf("kind %v, want %v (notes %q, lines %q)", d.Kind, tt.kind, d.Notes, d.Lines)
			}
			if tt.want != nil && strings.Join(d.Lines, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("lines\n%s\nwant\n%s", strings.Join(d.Lines, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestLineOf(t *testing.T) {
	d := Prepare([]byte(`{"a":{"b":[1,{"c/d":null}]},"t~":"x"}`), Options{})
	tests := map[string]int{"": 0, "/a": 1, "/a/b": 2, "/a/b/1": 4, "/a/b/1/c~1d": 5, "/t~0": 9, "/a/missing": 1}
	for p, want := range tests {
		if got, ok := d.LineOf(p); !ok || got != want {
			t.Errorf("LineOf(%q) = %d, %v; want %d (lines %q)", p, got, ok, want, d.Lines)
		}
	}
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	j := Prepare([]byte(seg(`{"alg":"HS256"}`)+"."+seg(`{"a":1,"state":"x"}`)+"."), Options{})
	if got, _ := j.LineOf("/state"); j.Lines[got] != `  "state": "x"` {
		t.Errorf("JWT pointer line %d = %q", got, j.Lines[got])
	}
}

// TestLineOfDeepKeys: the pointer index grows with the document, not with
// the sum of its paths. A megabyte nested 1,000 deep under 1,000-byte keys
// once built half a gigabyte of pointers (4 MB: gigabytes, seconds) the
// first time a schema error was selected.
func TestLineOfDeepKeys(t *testing.T) {
	const depth, keyLen = 1000, 1000
	key := `"` + strings.Repeat("k", keyLen) + `":`
	d := Prepare([]byte(strings.Repeat("{"+key, depth)+"1"+strings.Repeat("}", depth)), Options{})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	line, ok := d.LineOf(strings.Repeat("/"+strings.Repeat("k", keyLen), depth))
	runtime.ReadMemStats(&after)
	if !ok || line != depth {
		t.Fatalf("deepest value at line %d, %v; want %d", line, ok, depth)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 {
		t.Fatalf("LineOf allocated %d MiB for a %d KiB document", n>>20, d.Size>>10)
	}
}

// TestHugeSingleLine: a 10 MiB body on one line is cut to MaxLineBytes,
// the rest counted as omitted, and its escapes made visible. (How fast is
// BenchmarkPrepareHugeLine's business: a unit test timed against the clock
// fails on a slow machine rather than on slow code.)
func TestHugeSingleLine(t *testing.T) {
	big := hugeLine()
	d := Prepare(big, Options{ContentType: "text/plain"})
	if len(d.Lines) != 1 || len(d.Lines[0]) > MaxLineBytes*3 || d.Omitted[0]+MaxLineBytes != len(big) {
		t.Fatalf("lines %d, first %d bytes, omitted %d", len(d.Lines), len(d.Lines[0]), d.Omitted[0])
	}
	if strings.ContainsRune(d.Lines[0], 0x1b) {
		t.Fatal("ESC survived")
	}
}

func TestHighlightJSONLine(t *testing.T) {
	h := NewHighlighter("monokai")
	d := Prepare([]byte(`{"k":"v","n":1}`), Options{})
	got := h.Line(d, 1)
	if !strings.Contains(got, "\x1b[") || !strings.Contains(got, `"k"`) {
		t.Fatalf("not highlighted: %q", got)
	}
	// A second call must come from the memo, not from chroma again; a
	// new highlighter (a theme change) must not.
	d.hl.lines[1] = "memo"
	if h.Line(d, 1) != "memo" {
		t.Fatal("line highlighted again instead of memoised")
	}
	if NewHighlighter("monokai").Line(d, 1) != got {
		t.Fatal("another highlighter reused the memo")
	}
	var none *Highlighter
	if none.Line(d, 1) != d.Lines[1] {
		t.Fatal("nil highlighter must return the plain line")
	}
}

// hugeLine returns a 10 MiB body on one line, full of ESC.
func hugeLine() []byte { return bytes.Repeat([]byte("A\x1b"), 5<<20) }

func BenchmarkPrepareHugeLine(b *testing.B) {
	big := hugeLine()
	b.SetBytes(int64(len(big)))
	for b.Loop() {
		Prepare(big, Options{ContentType: "text/plain"})
	}
}

func BenchmarkPrepare1MiBJSON(b *testing.B) {
	body := SampleJSON(1 << 20)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		Prepare(body, Options{ContentType: "application/json"})
	}
}
