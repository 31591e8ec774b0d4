package simulate

import (
	"testing"

	"github.com/hookscope/hookscope/verify"
)

// Path prefixes match whole segments, as verify matches --hmac: /gh/app
// covers /gh/app and /gh/app/x, never /gh/apple. (The --channel-route half
// is verify/analyze's TestPrefixOptionsMatchWholeSegments.)
func TestHMACRouteMatchesWholeSegments(t *testing.T) {
	kr := Keyring{HMAC: []verify.HMACRoute{{Prefix: "/gh/"}, {Prefix: "/gh/app"}}}
	for path, want := range map[string]string{
		"/hooks/x":        "",
		"/hooks/x/y":      "",
		"/hooks/x/deep/1": "",
		"/hooks/xy":       "",
		"/gh/one":         "/gh/",
		"/gh/app":         "/gh/app",
		"/gh/apple":       "/gh/",
		"/ghx":            "",
	} {
		h, ok := kr.hmacRoute(path)
		if ok != (want != "") || h.Prefix != want {
			t.Errorf("hmac route for %s = %q (%v), want %q", path, h.Prefix, ok, want)
		}
	}
}
