package body

import (
	"strings"
	"testing"
)

// FuzzPrepare feeds arbitrary bodies (every content type, raw and pretty)
// to Prepare: it must not panic, and no line it returns may hold a control
// character that a terminal would obey.
func FuzzPrepare(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"\u001b[31m"}]}`, "<a><b>x</b></a>", "a=1&b=%1b", "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.sig", "\x1f\x8b\x08", "\x00\xff"} {
		f.Add([]byte(s), "application/json", false)
	}
	f.Fuzz(func(t *testing.T, b []byte, ct string, raw bool) {
		for _, ct := range []string{ct, "application/json", "application/xml", "application/x-www-form-urlencoded", "application/jwt"} {
			d := Prepare(b, Options{ContentType: ct, Raw: raw})
			for _, l := range d.Lines {
				if strings.ContainsAny(l, "\x1b\x07\x00\r\x7f") || strings.ContainsRune(l, 0x9b) {
					t.Fatalf("control character in line %q", l)
				}
			}
			d.LineOf("/a/0")
		}
	})
}
