package jsonpointer

import "testing"

func TestEscapeRoundTrip(t *testing.T) {
	for _, tt := range []struct{ key, token string }{
		{"plain", "plain"},
		{"a/b", "a~1b"},
		{"t~", "t~0"},
		{"~1", "~01"}, // escaped in order: the ~ first, so it is not read back as /
		{"/~/", "~1~0~1"},
		{"", ""},
	} {
		if got := Escape(tt.key); got != tt.token {
			t.Errorf("Escape(%q) = %q, want %q", tt.key, got, tt.token)
		}
		if got, ok := Unescape(tt.token); !ok || got != tt.key {
			t.Errorf("Unescape(%q) = %q, %v; want %q", tt.token, got, ok, tt.key)
		}
	}
	for _, bad := range []string{"~", "a~", "~2", "~a"} {
		if _, ok := Unescape(bad); ok {
			t.Errorf("Unescape(%q) accepted a malformed token", bad)
		}
	}
}
