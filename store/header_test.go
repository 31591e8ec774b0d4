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

// TestHeaderWithout: every field of the name goes, in any case, from a
// copy; the other fields keep their order, and h is left as it was.
func TestHeaderWithout(t *testing.T) {
	h := Header{{Name: "A", Value: "1"}, {Name: "content-encoding", Value: "gzip"}, {Name: "B", Value: "2"}, {Name: "Content-Encoding", Value: "br"}}
	got := h.Without("Content-Encoding")
	if len(got) != 2 || got[0].Name != "A" || got[1].Name != "B" {
		t.Errorf("Without = %v", got)
	}
	if len(h) != 4 || h[1].Value != "gzip" {
		t.Errorf("h changed: %v", h)
	}
	if got := (Header{{Name: "Content-Encoding", Value: "gzip"}, {Name: "content-encoding", Value: "br"}}).Codings(); got != "gzip, br" {
		t.Errorf("Codings = %q, want every line", got)
	}
}
