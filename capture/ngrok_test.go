package capture

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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
