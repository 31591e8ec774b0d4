package store

import (
	"fmt"
	"net/url"
	"strings"
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
		// A password given in the URL is not repeated, even when the URL
		// does not parse: the error is printed and logged.
		return nil, fmt.Errorf("%q is not an http:// or https:// URL", RedactURLPassword(raw))
	}
	return u, nil
}

// RedactURLPassword is URL raw as recorded and shown: a password in its
// userinfo (sent as basic auth) written as xxxxx, as url.Redacted writes
// it, the rest as it was (a query's secrets are the redactor's to mask).
// Text that is not a URL with a host (one that does not parse: a control
// character in it, a space in the host; or a typo: http//…, http:/…, no
// scheme) still has its password masked, found by the shape
// user:password@host after the first "//" or ":/" (else from the start):
// such text is quoted back to the user and shown in the TUI's header, and
// must not show the password either. Text with no password in that place
// is returned as it is.
//
// It lives here, beside ParseTarget, because capture records and cmd
// prints targets with it and the TUI masks the forward target with it,
// and ui must not import capture.
func RedactURLPassword(raw string) string {
	if u, err := url.Parse(raw); err == nil && (u.User != nil || u.Host != "") {
		return u.Redacted()
	}
	start := 0
	if i := strings.Index(raw, "//"); i >= 0 {
		start = i + 2
	} else if i := strings.Index(raw, ":/"); i >= 0 {
		start = i + 2
	}
	// The authority ends at the first '/', '?' or '#'; its userinfo ends
	// at its last '@', as url.Parse splits it (a password may hold '@').
	rest := raw[start:]
	host := rest[:strings.IndexAny(rest+"/", "/?#")]
	at := strings.LastIndex(host, "@")
	user, _, hasPw := strings.Cut(host[:max(at, 0)], ":")
	if at < 0 || !hasPw {
		return raw
	}
	return raw[:start] + user + ":xxxxx" + rest[at:]
}
