package store

import (
	"fmt"
	"net/url"
)

// ParseTarget checks the URL a delivery is sent to (an Attempt's Target
// before the path is appended): an absolute http or https URL with a host
// name. An empty one (http://:3000) is invalid (RFC 9110 §4.2.1), and
// net/http would send it to this machine rather than refuse it. It lives
// here, beside Attempt, because both the sender (capture) and the live
// view's replay prompt (ui) check targets by it, and ui must not import
// capture.
func ParseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		shown := raw
		if err == nil {
			shown = u.Redacted() // a password given in the URL is not repeated
		}
		return nil, fmt.Errorf("%q is not an http:// or https:// URL", shown)
	}
	return u, nil
}
