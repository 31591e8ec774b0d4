package store

import (
	"net/url"
	"testing"
)

// TestEscapePath: the path goes back on the wire as it was sent, an
// encoded slash kept, even when the raw form holds bytes a URL path may not
// (net/url's EscapedPath then drops it whole and sends /a/b).
func TestEscapePath(t *testing.T) {
	for _, tt := range []struct{ name, path, raw, want string }{
		{"plain", "/hooks/a", "", "/hooks/a"},
		{"encoded slash", "/a/b", "/a%2Fb", "/a%2Fb"},
		{"encoded slash beside braces", "/a/b/{id}|x", "/a%2Fb/{id}|x", "/a%2Fb/%7Bid%7D%7Cx"},
		{"encoded slash beside a quote", "/a/b/\"q\"", "/a%2Fb/\"q\"", "/a%2Fb/%22q%22"},
		{"non-ASCII beside it", "/a/b/é", "/a%2Fb/é", "/a%2Fb/%C3%A9"},
		{"raw no longer the path's", "/x/y", "/a%2Fb", "/x/y"},
		{"a path needing escapes", "/a b", "", "/a%20b"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := EscapePath(tt.path, tt.raw)
			if got != tt.want {
				t.Fatalf("EscapePath(%q, %q) = %q, want %q", tt.path, tt.raw, got, tt.want)
			}
			// net/url takes it as the raw path of the same path, so
			// requests built from it (replay) send it unchanged.
			u := url.URL{Path: tt.path, RawPath: got}
			if u.EscapedPath() != got {
				t.Fatalf("net/url sends %q for %q", u.EscapedPath(), got)
			}
		})
	}
}

// TestRawPathFor: a raw path stands for its path only while it decodes to it.
func TestRawPathFor(t *testing.T) {
	for _, tt := range []struct{ path, raw, want string }{
		{"/a/b", "/a%2Fb", "/a%2Fb"},
		{"/a/b", "", ""},
		{"/h/X", "/h/tok-%312345", ""}, // the path masked, the raw form not
		{"/bad%zz", "/bad%zz", ""},     // not an encoding at all
	} {
		if got := RawPathFor(tt.path, tt.raw); got != tt.want {
			t.Errorf("RawPathFor(%q, %q) = %q, want %q", tt.path, tt.raw, got, tt.want)
		}
	}
}

// TestTruncatedBy: why a body is not whole follows what the listener
// answered (413 over the size limit, 400 when it did not arrive whole) or
// that its head was refused; a whole body has no reason, whatever the
// status (--status 413 with a body that fitted).
func TestTruncatedBy(t *testing.T) {
	for _, tt := range []struct {
		ev   Event
		want string
	}{
		{Event{}, ""},
		{Event{Response: Response{Status: 413}}, ""},
		{Event{Truncated: true, Response: Response{Status: 413}}, CutBySizeLimit},
		{Event{Truncated: true, Response: Response{Status: 400}}, CutInTransit},
		{Event{Truncated: true, Refused: "400 Bad Request", Response: Response{Status: 400}}, CutWithHead},
	} {
		if got := tt.ev.TruncatedBy(); got != tt.want {
			t.Errorf("%+v: TruncatedBy() = %q, want %q", tt.ev, got, tt.want)
		}
	}
}
