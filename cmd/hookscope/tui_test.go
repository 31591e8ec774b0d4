package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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
		got, err := publicURL(srv.URL, tt.addr)(context.Background())
		if err != nil || got != tt.want {
			t.Errorf("%s: %q %v, want %q", tt.addr, got, err, tt.want)
		}
	}
	body = `{"tunnels":[]}`
	if _, err := publicURL(srv.URL, "127.0.0.1:8080")(context.Background()); err == nil {
		t.Error("no tunnel: want an error (the header then shows no public URL)")
	}
	srv.Close()
	if _, err := publicURL(srv.URL, "127.0.0.1:8080")(context.Background()); err == nil {
		t.Error("no agent: want an error")
	}
}

func TestUINeedsATerminal(t *testing.T) {
	code, _, errs := run(t, "ui", "--db", t.TempDir()+"/h.db")
	if code != 1 || !strings.Contains(errs, "terminal") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// TestSendVerifiesInListenerStartedBefore is issue 7's promise: with no
// network, the first `send` creates a dev key after the listener started,
// and the listener still judges the delivery valid and schema-valid.
func TestSendVerifiesInListenerStartedBefore(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	l := startListen(t)
	code, _, errs := run(t, "send", "app.installed", "--to", l.url+"/hooks/talkdesk")
	if code != 0 {
		t.Fatalf("send: %d %s", code, errs)
	}
	rec := waitAnalysed(t, l.db, 1)[0]
	sig := rec["signature"].(map[string]any)
	if sig["status"] != "valid" || rec["schema"].(map[string]any)["status"] != "valid" {
		t.Fatalf("signature %v schema %v", sig, rec["schema"])
	}
}
