package capture

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// NgrokAPI is the local ngrok agent's API, which reports the public URL of
// the tunnel. Only this loopback address is ever asked.
const NgrokAPI = "http://127.0.0.1:4040/api/tunnels"

// PublicURL returns a look-up of the https URL of the ngrok tunnel that
// forwards to listenAddr (or of the first https tunnel when none names it),
// asking the agent API at api (NgrokAPI) with a short timeout. The live
// view polls it to show where providers can reach the listener.
func PublicURL(api, listenAddr string) func(ctx context.Context) (string, error) {
	client := &http.Client{
		Timeout: 2 * time.Second,
		// Whatever answers on the agent's port must not send the look-up
		// elsewhere: a redirect is an answer, and not the agent's.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	_, port, _ := net.SplitHostPort(listenAddr)
	return func(ctx context.Context) (string, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", api, nil)
		if err != nil {
			return "", fmt.Errorf("ngrok API: %w", err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return "", fmt.Errorf("ngrok API: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("ngrok API: %s answered %s", api, resp.Status)
		}
		var out struct {
			Tunnels []struct {
				PublicURL string `json:"public_url"`
				Config    struct {
					Addr string `json:"addr"`
				} `json:"config"`
			} `json:"tunnels"`
		}
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
			return "", fmt.Errorf("ngrok API: %w", err)
		}
		first := ""
		for _, t := range out.Tunnels {
			if !strings.HasPrefix(t.PublicURL, "https://") {
				continue
			}
			if port != "" && strings.HasSuffix(t.Config.Addr, ":"+port) {
				return t.PublicURL, nil
			}
			if first == "" {
				first = t.PublicURL
			}
		}
		if first == "" {
			return "", fmt.Errorf("ngrok reports no https tunnel")
		}
		return first, nil
	}
}
