package termsafe

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", `{"a":"b"}`, `{"a":"b"}`},
		{"c1 nel", "{\"a\":\"x\u0085y\"}", `{"a":"x\u0085y"}`},
		{"c1 csi", "[\"\u009b31m\"]", `["\u009b31m"]`},
		{"bidi override", "\"a\u202eb\"", `"a\u202eb"`},
		{"bidi isolate", "\"\u2066x\u2069\"", `"\u2066x\u2069"`},
		{"bidi marks", "\"\u200e\u200f\u061c\"", `"\u200e\u200f\u061c"`},
		{"invisible", "\"\u200b\ufeff\u2060\"", `"\u200b\ufeff\u2060"`},
		{"tag characters and soft hyphen", "\"a\U000E0041b\u00ad\u3164\"", `"a\udb40\udc41b\u00ad\u3164"`},
		{"del", "\"a\x7fb\"", `"a\u007fb"`},
		{"invalid utf8", "\"a\xffb\"", `"a\ufffdb"`},
		{"after an escape", "\"\\\\\u0085\"", `"\\\u0085"`},
		{"whitespace kept", "{\n  \"a\": \"\u202e\"\n}\n", "{\n  \"a\": \"\\u202e\"\n}\n"},
		{"unicode kept", `{"é":"✓ 👩` + "\u200d" + `💻"}`, `{"é":"✓ 👩` + "\u200d" + `💻"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := JSON([]byte(tt.in))
			if string(got) != tt.want {
				t.Fatalf("JSON(%q) = %s, want %s", tt.in, got, tt.want)
			}
			if !json.Valid([]byte(tt.in)) {
				return
			}
			var before, after any
			if err := json.Unmarshal([]byte(tt.in), &before); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(got, &after); err != nil {
				t.Fatalf("output %s: %v", got, err)
			}
			if !reflect.DeepEqual(before, after) {
				t.Fatalf("decodes to %q, want %q", after, before)
			}
		})
	}
}

// TestJSONRecordDecodesIdentically: the runes of the brief escaped in an
// encoding/json object decode to the very same string.
func TestJSONRecordDecodesIdentically(t *testing.T) {
	type rec struct {
		Path  string `json:"path"`
		Query string `json:"query"`
	}
	in := rec{Path: "/hooks/\u0085a\u202egpj.exe\u2066x\u2069", Query: "q=\u200e\u2028"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := JSON(b)
	for _, esc := range []string{`\u0085`, `\u202e`, `\u2066`, `\u2069`, `\u200e`, `\u2028`} {
		if !bytes.Contains(out, []byte(esc)) {
			t.Errorf("%s lacks %s", out, esc)
		}
	}
	var back rec
	if err := json.Unmarshal(out, &back); err != nil || back != in {
		t.Fatalf("decoded %+v (%v), want %+v", back, err, in)
	}
}

func TestJSONDoesNotAllocateWhenSafe(t *testing.T) {
	src := []byte(`{"id":"01jq","path":"/hooks/talkdesk","headers":{"Content-Type":["application/json"]},"é":"✓"}`)
	if n := testing.AllocsPerRun(100, func() { JSON(src) }); n != 0 {
		t.Fatalf("%v allocations for safe JSON", n)
	}
	if got := JSON(src); &got[0] != &src[0] {
		t.Fatal("safe JSON was copied")
	}
}

// FuzzJSON: for any string, the encoding/json encoding passed through JSON
// is valid JSON, decodes to the same value and holds no unsafe rune; any
// valid JSON document passed through it decodes to the same value.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{"ok", "\u0085", "a\u202eb", "\u2066\u2069", "\x1b[2J", "\xc2\x9b", "\xff", `{"a":"\u0085"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := json.Marshal(map[string]any{"s": s, "l": []string{s, s + "\n"}})
		if err != nil {
			t.Fatal(err)
		}
		checkJSON(t, b)
		if json.Valid([]byte(s)) {
			checkJSON(t, []byte(s))
		}
	})
}

func checkJSON(t *testing.T, in []byte) {
	t.Helper()
	out := JSON(in)
	if !json.Valid(out) {
		t.Fatalf("JSON(%q) = %q: not valid JSON", in, out)
	}
	var before, after any
	if err := json.Unmarshal(in, &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &after); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("JSON(%q) = %q decodes differently", in, out)
	}
	if !utf8.Valid(out) {
		t.Fatalf("JSON(%q) = %q: invalid UTF-8", in, out)
	}
	for _, r := range string(out) {
		if Unsafe(r) && !strings.ContainsRune(" \t\n\r", r) {
			t.Fatalf("JSON(%q) = %q: raw %U", in, out, r)
		}
	}
}
