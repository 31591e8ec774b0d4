package store

import "testing"

func TestConnectionScoped(t *testing.T) {
	tests := []struct {
		name string
		conn []string
		want bool
	}{
		{"Transfer-Encoding", nil, true},
		{"Keep-Alive", nil, true},
		{"Te", nil, true},
		{"Content-Type", nil, false},
		{"X-Trace", []string{"keep-alive, X-Trace"}, true}, // named by Connection
		{"X-Trace", []string{"close", " x-trace "}, true},  // any case, spaces
		{"X-Trace", []string{"X-Traced"}, false},           // whole names only
		{"Authorization", []string{"close"}, false},
	}
	for _, tt := range tests {
		if got := ConnectionScoped(tt.name, tt.conn); got != tt.want {
			t.Errorf("ConnectionScoped(%q, %q) = %v, want %v", tt.name, tt.conn, got, tt.want)
		}
	}
	for _, name := range []string{"connection", "TRANSFER-ENCODING", "Proxy-Authorization", "upgrade"} {
		if !HopByHop(name) {
			t.Errorf("HopByHop(%q) = false", name)
		}
	}
	if HopByHop("Content-Length") {
		t.Error("Content-Length is end-to-end")
	}
}
