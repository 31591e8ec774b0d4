package capture

import "testing"

// TestValidPort: the ports --addr accepts are the decimal numbers net.Listen
// binds, and empty for a free one; anything else is the user's mistake.
func TestValidPort(t *testing.T) {
	for _, tt := range []struct {
		port string
		want bool
	}{
		{"", true}, // "127.0.0.1:": a free port, like 0
		{"0", true},
		{"1", true},
		{"8080", true},
		{"080", true}, // leading zeros: net.Listen reads 80
		{"65535", true},
		{"65536", false},
		{"99999", false},
		{"-1", false},
		{"+80", false},
		{"http", false}, // a service name: net.Listen would look it up, --addr wants a number
		{"0x50", false},
		{"8_080", false},
		{" 80", false},
		{"80 ", false},
		{"18446744073709551616", false},
	} {
		if got := ValidPort(tt.port); got != tt.want {
			t.Errorf("ValidPort(%q) = %v, want %v", tt.port, got, tt.want)
		}
	}
}
