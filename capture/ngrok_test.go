package capture

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

func TestPublicURLFromNgrokAgent(t *testing.T) {
	body := `{"tunnels":[
		{"public_url":"http://plain.ngrok.app","config":{"addr":"http://localhost:8080"}},
		{"public_url":"https://other.ngrok.app","config":{"addr":"http://localhost:9999"}},
		{"public_url":"https://mine.ngrok.app","config":{"addr":"http://localhost:8080"}}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
	defer srv.Close()
	tests := []struct {
		addr, want string
	}{
		{"127.0.0.1:8080", "https://mine.ngrok.app"},  // the tunnel to our port
		{"127.0.0.1:7000", "https://other.ngrok.app"}, // none names us: the first https one
	}
	for _, tt := range tests {
		got, err := PublicURL(srv.URL, tt.addr)(context.Background())
		if err != nil || got != tt.want {
			t.Errorf("%s: %q %v, want %q", tt.addr, got, err, tt.want)
		}
	}
	body = `{"tunnels":[]}`
	if _, err := PublicURL(srv.URL, "127.0.0.1:8080")(context.Background()); err == nil {
		t.Error("no tunnel: want an error (the header then shows no public URL)")
	}
	srv.Close()
	if _, err := PublicURL(srv.URL, "127.0.0.1:8080")(context.Background()); err == nil {
		t.Error("no agent: want an error")
	}
}

// TestPublicURLAsksOnlyTheAgent: whatever answers on the agent's address
// cannot send the look-up elsewhere: a redirect is not followed, and an
// answer that is not 200 gives no URL.
func TestPublicURLAsksOnlyTheAgent(t *testing.T) {
	var asked atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Store(true)
		io.WriteString(w, `{"tunnels":[{"public_url":"https://elsewhere.example","config":{"addr":"http://localhost:8080"}}]}`)
	}))
	defer elsewhere.Close()
	agent := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusFound))
	defer agent.Close()
	if got, err := PublicURL(agent.URL, "127.0.0.1:8080")(context.Background()); err == nil || asked.Load() {
		t.Errorf("redirected: %q %v (followed: %v), want an error", got, err, asked.Load())
	}
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"tunnels":[{"public_url":"https://stale.example","config":{"addr":"http://localhost:8080"}}]}`)
	}))
	defer failing.Close()
	if got, err := PublicURL(failing.URL, "127.0.0.1:8080")(context.Background()); err == nil {
		t.Errorf("500: %q, want an error", got)
	}
}
