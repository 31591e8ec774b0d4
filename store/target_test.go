package store

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:3000/hooks", "https://app.example/in?x=1", "http://[::1]:8080"} {
		if _, err := ParseTarget(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ftp://x", "localhost:3000", "http://", "/hooks", "http://a b",
		"http://:3000", // no host name: net/http would dial this machine (RFC 9110 §4.2.1: invalid)
	} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// The error quotes the URL back, without its password, whether the
	// URL parses (the scheme is wrong) or not (a space in the host).
	for _, bad := range []string{"ftp://dev:hunter22@x/in", "http://dev:hunter22@a b/in", "http//dev:hunter22@app/in", "dev:hunter22@app/in"} {
		_, err := ParseTarget(bad)
		if err == nil || strings.Contains(err.Error(), "hunter22") || !strings.Contains(err.Error(), ":xxxxx@") {
			t.Errorf("ParseTarget(%q) = %v, want an error with the password masked", bad, err)
		}
	}
}

// TestRedactURLPassword: only a userinfo password is masked, as
// url.Redacted masks it, also in a URL that does not parse; the rest of
// the URL (a query's secrets included) is left to the redactor.
func TestRedactURLPassword(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no userinfo", "http://127.0.0.1:3000/hooks", "http://127.0.0.1:3000/hooks"},
		{"user only", "https://dev@app.example/in", "https://dev@app.example/in"},
		{"user and password", "https://dev:hunter22@app.example/in", "https://dev:xxxxx@app.example/in"},
		{"empty password", "http://dev:@app/in", "http://dev:xxxxx@app/in"},
		// url.Parse splits userinfo at the last '@': all of p@ss:w is the password.
		{"password with @ and :", "http://dev:p@ss:w@app/in", "http://dev:xxxxx@app/in"},
		{"query secrets untouched", "http://dev:pw@app/in?client_secret=s3cr3t&token=t", "http://dev:xxxxx@app/in?client_secret=s3cr3t&token=t"},
		{"empty", "", ""},
		// A control character: url.Parse fails, the password is still found.
		{"unparsable", "http://dev:hunter22@127.0.0.1:3000/a\x1b]0;x?q=1", "http://dev:xxxxx@127.0.0.1:3000/a\x1b]0;x?q=1"},
		{"unparsable, @ and : in the password", "http://dev:p@ss:w@app/\x7f", "http://dev:xxxxx@app/\x7f"},
		{"unparsable, @ after the host", "http://app/\x7f?to=dev:pw@x", "http://app/\x7f?to=dev:pw@x"},
		{"unparsable, user only", "http://dev@app/\x7f", "http://dev@app/\x7f"},
		{"unparsable, no scheme", "dev:pw@app/\x7f", "dev:xxxxx@app/\x7f"},
		// Typos url.Parse takes as a path or an opaque URL, with no host.
		{"typo, a colon missing", "http//dev:hunter22@app/in", "http//dev:xxxxx@app/in"},
		{"typo, a slash missing", "http:/dev:hunter22@app/in", "http:/dev:xxxxx@app/in"},
		{"typo, no slashes", "http:dev:hunter22@app/in", "http:xxxxx@app/in"},
		{"typo, no scheme", "dev:hunter22@app/in?x=1", "dev:xxxxx@app/in?x=1"},
		{"not a URL, no password", "/hooks/a:b@c", "/hooks/a:b@c"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Those cases are the fallback's only if url.Parse refuses them.
			if _, err := url.Parse(tc.in); strings.HasPrefix(tc.name, "unparsable") && err == nil {
				t.Fatalf("url.Parse(%q) succeeded", tc.in)
			}
			if got := RedactURLPassword(tc.in); got != tc.want {
				t.Errorf("RedactURLPassword(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzRedactURLPassword: whatever the text, a password that url.Parse
// finds in it (and that appears nowhere else in it) is not in the result.
func FuzzRedactURLPassword(f *testing.F) {
	for _, s := range []string{"http://dev:hunter22@app/in", "http//dev:pw@app", "dev:pw@app/\x7f", "http://a b:c@d", "https://u:p@[::1]:80/x?y=u:p@z#f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := RedactURLPassword(raw)
		u, err := url.Parse(raw)
		if err != nil || u.User == nil {
			return
		}
		pw, ok := u.User.Password()
		if !ok || len(pw) < 3 || strings.Count(raw, pw) != 1 {
			return
		}
		if strings.Contains(got, pw) {
			t.Fatalf("RedactURLPassword(%q) = %q still holds the password %q", raw, got, pw)
		}
	})
}
