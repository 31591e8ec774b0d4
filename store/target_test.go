package store

import "testing"

func TestParseTarget(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:3000/hooks", "https://app.example/in?x=1", "http://[::1]:8080"} {
		if _, err := ParseTarget(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ftp://x", "localhost:3000", "http://", "/hooks", "http://a b",
		"http://:3000", // no host name: net/http would dial this machine (RFC 9110 §4.2.1: invalid)
	} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
