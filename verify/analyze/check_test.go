package analyze

import "testing"

// Path prefixes match whole segments everywhere, as verify matches --route
// and --hmac: /hooks/x covers /hooks/x and /hooks/x/y, never /hooks/xy.
// (The --hmac half is verify/simulate's TestHMACRouteMatchesWholeSegments.)
func TestPrefixOptionsMatchWholeSegments(t *testing.T) {
	routes := []ChannelRoute{{"/hooks/x", "a"}, {"/hooks/x/deep", "b"}}
	tests := []struct{ path, channel string }{
		{"/hooks/x", "a"},
		{"/hooks/x/y", "a"},
		{"/hooks/x/deep/1", "b"},
		{"/hooks/xy", ""},
		{"/gh/one", ""},
		{"/gh/app", ""},
		{"/gh/apple", ""},
		{"/ghx", ""},
	}
	for _, tt := range tests {
		if got := routeChannel(routes, tt.path); got != tt.channel {
			t.Errorf("channel for %s = %q, want %q", tt.path, got, tt.channel)
		}
	}
}
