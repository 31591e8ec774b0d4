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
// A URL that does not parse (a control character in it, a space in the
// host) still has its password masked, found by the shape
// scheme://user:password@host: such text is quoted back to the user and
// shown in the TUI's header, and must not show the password either. Text
// with no "://" or no password is returned as it is.
//
// It lives here, beside ParseTarget, because capture records and cmd
// prints targets with it and the TUI masks the forward target with it,
// and ui must not import capture.
func RedactURLPassword(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	// The authority ends at the first '/', '?' or '#'; its userinfo ends
	// at its last '@', as url.Parse splits it (a password may hold '@').
	host := rest[:strings.IndexAny(rest+"/", "/?#")]
	at := strings.LastIndex(host, "@")
	user, _, hasPw := strings.Cut(host[:max(at, 0)], ":")
	if at < 0 || !hasPw {
		return raw
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
