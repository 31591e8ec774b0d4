package verify

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDuplicateKeys: repeated keys are found in any object, nested ones
// and those in arrays included, with pointers escaped as RFC 6901 says;
// the same key in two different objects is no repeat.
func TestDuplicateKeys(t *testing.T) {
	for _, tt := range []struct {
		body string
		want []string
	}{
		{`{"a":1,"b":2}`, nil},
		{`{"kind":"order.created","kind":"order.deleted"}`, []string{"/kind"}},
		{`{"a":{"x":1},"b":{"x":2}}`, nil},
		{`{"data":{"items":[{"id":1,"id":2}]}}`, []string{"/data/items/0/id"}},
		{`[{"a":1},{"b":1,"b":2}]`, []string{"/1/b"}},
		{`{"a/b":1,"a/b":2,"t~":1,"t~":2}`, []string{"/a~1b", "/t~0"}},
		{`{"a":1,"a":2,"a":3,"a":4,"a":5}`, []string{"/a", "/a", "/a"}},
		{`"just a string"`, nil},
		{`{"type":"a","\u0074ype":"b"}`, []string{"/type"}}, // compared decoded
		{`{"a":"{\"a\":1,\"a\":2}","b":"]}[{"}`, nil},       // brackets and quotes inside strings
		{`{"a":{"b":[{"c":1},{"c":1,"c":2}]},"a":0}`, []string{"/a/b/1/c", "/a"}},
		{`{"a":1,"a":`, []string{"/a"}}, // what was found before the body broke
		// Invalid UTF-8 becomes U+FFFD in encoding/json: one key to it.
		{"{\"\xff\":1,\"\xfe\":2}", []string{"/\ufffd"}},
		{"{\"\\ufffd\":1,\"\xff\":2}", []string{"/\ufffd"}},
		{"{\"\xff\xfe\":1,\"\xff\":2}", nil}, // two bytes, two U+FFFD: another key
	} {
		if got := duplicateKeys([]byte(tt.body)); !slices.Equal(got, tt.want) {
			t.Errorf("duplicateKeys(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

// TestDuplicateKeysNoted: a JSON delivery with a repeated key gets a note
// naming where; one without gets none.
func TestDuplicateKeysNoted(t *testing.T) {
	v := mustNew(t, Config{})
	got := check(v, Request{Path: "/x", Body: []byte(`{"type":"a","type":"b"}`)})
	if !slices.ContainsFunc(got.Notes, func(n string) bool {
		return strings.Contains(n, `the body repeats a key in one object at "/type": hookscope read the last value`)
	}) {
		t.Errorf("notes %q", got.Notes)
	}
	if got := check(v, Request{Path: "/x", Body: []byte(`{"type":"a"}`)}); len(got.Notes) != 0 {
		t.Errorf("notes %q for a body without repeats", got.Notes)
	}
}

// TestShortPointer: a long pointer keeps its last token, the repeated key,
// and loses the middle of the path to it.
func TestShortPointer(t *testing.T) {
	long := "/" + strings.Repeat("k", 200) + "/" + strings.Repeat("j", 100) + "/dupkey"
	got := shortPointer(long)
	if !strings.HasSuffix(got, "…/dupkey") || len(got) > 90 || !strings.HasPrefix(got, "/kkk") {
		t.Errorf("shortPointer = %q", got)
	}
	if got := shortPointer("/a/b"); got != "/a/b" {
		t.Errorf("a short pointer changed: %q", got)
	}
	if got := shortPointer("/" + strings.Repeat("é", 100)); !utf8.ValidString(got) {
		t.Errorf("cut inside a rune: %q", got)
	}
}
