package body

import (
	"strings"
	"testing"

	"github.com/hookscope/hookscope/ui/termsafe"
)

// FuzzPrepare feeds arbitrary bodies (every content type, raw and pretty)
// to Prepare: it must not panic, and every line it returns must be one
// terminal-safe line (no control, bidi or invisible format character, no
// newline).
func FuzzPrepare(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"\u001b[31m"}]}`, "<a><b>x</b></a>", "a=1&b=%1b", "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.sig", "\x1f\x8b\x08", "\x00\xff"} {
		f.Add([]byte(s), "application/json", false)
	}
	f.Fuzz(func(t *testing.T, b []byte, ct string, raw bool) {
		for _, ct := range []string{ct, "application/json", "application/xml", "application/x-www-form-urlencoded", "application/jwt"} {
			d := Prepare(b, Options{ContentType: ct, Raw: raw})
			for _, l := range d.Lines {
				// IsSafe refuses C0 (ESC included), DEL, C1 and the bidi
				// and invisible format characters; it allows a newline.
				if !termsafe.IsSafe(l) || strings.Contains(l, "\n") {
					t.Fatalf("content type %q: unsafe line %q", ct, l)
				}
			}
			d.LineOf("/a/0")
		}
	})
}
