package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseFilterErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"color:red", "unknown key"},
		{"sig:maybe", "accepted values are valid"},
		{"status:abc", "accepted values are a code"},
		{`"open`, "unterminated quote"},
		{"type:", "needs a value"},
		// Values that could only match nothing: a misspelt provider, a
		// range that goes down, a code that is none.
		{"provider:talkdsk", "provider:talkdsk: accepted values are talkdesk-events, talkdesk-trigger"},
		{"provider:talkdesk", "or a pattern (talkdesk-*)"},
		{"status:499-400", "accepted values are a code"},
		{"status:600-100", "codes 0 or 100 to 999"},
		{"status:1000", "codes 0 or 100 to 999"},
		{"status:-5", "accepted values are a code"},
		{"status:42", "codes 0 or 100 to 999"},
	} {
		_, err := ParseFilter(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseFilter(%q) = %v, want error containing %q", tc.in, err, tc.want)
		}
	}
	for _, ok := range []string{"provider:talkdesk-*", "provider:Dialpad", "provider:unknown", "status:100-599", "status:404", "status:4xx", "status:799", "status:0"} {
		if _, err := ParseFilter(ok); err != nil {
			t.Errorf("ParseFilter(%q): %v", ok, err)
		}
	}
}

// jwtBody is a Dialpad token whose claims are {"call_id":1,"target":{"name":"Jane"}}.
var jwtBody = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." +
	base64.RawURLEncoding.EncodeToString([]byte(`{"call_id":1,"target":{"name":"Jane"}}`)) + ".c2ln"

func TestFilterMatch(t *testing.T) {
	rec := func(method, path string, status int, a *Analysis) Record {
		return Record{Event: Event{Method: method, Path: path, Response: Response{Status: status}}, Analysis: a}
	}
	installed := rec("POST", "/hooks/td", 200, &Analysis{Provider: "talkdesk-events", EventType: "app.installed",
		Signature: Signature{Status: SigValid}, Schema: &SchemaResult{Status: SchemaInvalid}})
	dup := rec("POST", "/hooks/td", 503, &Analysis{Provider: "talkdesk-events", EventType: "app.updated",
		Signature: Signature{Status: SigInvalid}, DuplicateOf: "x"})
	pending := rec("GET", "/other", 404, nil)
	body := func(s string) func() []byte { return func() []byte { return []byte(s) } }

	tests := []struct {
		filter string
		rec    Record
		body   string
		want   bool
	}{
		{"", pending, "", true},
		{"type:app.installed", installed, "", true},
		{"type:app.*", dup, "", true},
		{"type:app.installed", dup, "", false},
		{"sig:valid", installed, "", true},
		{"sig:invalid sig:valid", dup, "", true},
		{"-sig:valid", installed, "", false},
		{"sig:pending", pending, "", true},
		{"schema:invalid", installed, "", true},
		{"schema:none", dup, "", true},
		{"status:5xx", dup, "", true},
		{"status:5xx", installed, "", false},
		{"status:400-499", pending, "", true},
		{"method:post", installed, "", true},
		{"dup:yes", dup, "", true},
		{"dup:no", dup, "", false},
		{"provider:talkdesk-events sig:valid", installed, "", true},
		{"provider:talkdesk-events sig:valid", dup, "", false},
		{"path:/hooks/*", installed, "", true},
		// * crosses '/' in a path: everything under /hooks/.
		{"path:/hooks/*", rec("POST", "/hooks/webhook-trigger/abc", 200, nil), "", true},
		{"path:/stream*", rec("POST", "/stream/a/b", 200, nil), "", true},
		{"path:/hooks/*/abc", rec("POST", "/hooks/x/y/abc", 200, nil), "", true},
		{"path:/hooks/*/abc", rec("POST", "/hooks/x/y/abd", 200, nil), "", false},
		{"path:/h?oks/td", installed, "", true},
		// ? is one character, as in path.Match, though two bytes.
		{"path:/caf?/x", rec("POST", "/café/x", 200, nil), "", true},
		{"path:/caf??/x", rec("POST", "/café/x", 200, nil), "", false},
		{"path:/hooks/*", pending, "", false},
		{"path:/hooks/[tx]d", installed, "", true},
		// A class is one character; * still crosses '/' beside one.
		{"path:/h[o]oks/*/abc", rec("POST", "/hooks/x/y/abc", 200, nil), "", true},
		{"path:/hooks/x[^/]y", rec("POST", "/hooks/x/y", 200, nil), "", false},
		{"path:/caf[é]/x", rec("POST", "/café/x", 200, nil), "", true},
		// \ makes a wildcard literal.
		{`path:/a\*`, rec("POST", "/a*", 200, nil), "", true},
		{`path:/a\*`, rec("POST", "/ab", 200, nil), "", false},
		{`path:/a\?/*`, rec("POST", "/a?/b/c", 200, nil), "", true},
		{"hooks", installed, "", true},
		{"INSTALLED", installed, "", true},
		{"acme", installed, `{"account":"ACME"}`, true},
		{"acme", dup, `{"account":"other"}`, false},
		{"-acme", dup, `{"account":"other"}`, true},
		{`"two words"`, pending, `x Two Words y`, true},
		// A Dialpad JWT body is searched in its claims too, which is
		// what show and the Body tab display of it.
		{"jane", dup, jwtBody, true},
		{"jane", dup, `"` + jwtBody + "\"\n", true},
		{"-jane", dup, jwtBody, false},
		{"bob", dup, jwtBody, false},
	}
	for _, tt := range tests {
		f, err := ParseFilter(tt.filter)
		if err != nil {
			t.Fatalf("%q: %v", tt.filter, err)
		}
		if got := f.Match(tt.rec, body(tt.body)); got != tt.want {
			t.Errorf("%q on %s %s: got %v, want %v", tt.filter, tt.rec.Method, tt.rec.Path, got, tt.want)
		}
	}
}

func TestListWithFilterAndCount(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		body := `{"n":"plain"}`
		if i%3 == 0 {
			body = `{"n":"needle"}`
		}
		mustAppend(t, db, "/x", []byte(body))
	}
	recs, err := db.List(ctx, Query{Filter: "needle"})
	if err != nil || len(recs) != 4 {
		t.Fatalf("got %d, %v", len(recs), err)
	}
	total, matched, err := db.Count(ctx, "needle")
	if err != nil || total != 10 || matched != 4 {
		t.Fatalf("count %d %d %v", total, matched, err)
	}
	if _, err := db.List(ctx, Query{Filter: "bogus:1"}); err == nil {
		t.Fatal("bad filter accepted")
	}
}

// FuzzPathGlob holds pathGlob to a regular expression with the same
// meaning (* any run, ? any one character, \ makes the next one literal,
// everything else literal). Classes are left to the table tests.
func FuzzPathGlob(f *testing.F) {
	f.Add("/hooks/*", "/hooks/a/b")
	f.Add("*a*b?", "xxaxxbyz")
	f.Add("/caf?/*?", "/café/é")
	f.Add(`/a\*b\?`, "/a*b?")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if strings.Contains(pattern, "[") || len(pattern) > 64 || len(s) > 256 || !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			return // invalid UTF-8 reads differently in a regexp
		}
		var re strings.Builder
		re.WriteString(`(?s)\A`)
		escaped, want := false, true
		for _, r := range pattern {
			switch {
			case escaped:
				re.WriteString(regexp.QuoteMeta(string(r)))
				escaped = false
			case r == '\\':
				escaped = true
			case r == '*':
				re.WriteString(`.*`)
			case r == '?':
				re.WriteString(`.`)
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString(`\z`)
		if escaped {
			want = false // a \ at the end: malformed, matches nothing
		} else {
			want = regexp.MustCompile(re.String()).MatchString(s)
		}
		if got := pathGlob(pattern, s); got != want {
			t.Fatalf("pathGlob(%q, %q) = %v, want %v", pattern, s, got, want)
		}
	})
}

// TestJWTBodySearchedWithoutCopies: the free-text filter runs over every
// stored body, and a body that is a compact JWT (or a sender's 10 MiB body
// that merely looks like one) is searched in its decoded claims without
// copying or decoding the body whole for each delivery. A match across
// the windows the claims are decoded in is still found.
func TestJWTBodySearchedWithoutCopies(t *testing.T) {
	claims := `{"pad":"` + strings.Repeat("x", 1<<20) + `","target":{"name":"Jane"}}`
	tok := "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".c2ln"
	for i := range 7 {
		// The name at each offset against the windows' edges.
		c := strings.Repeat(" ", i*113) + claims
		tok := "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(c)) + ".c2ln"
		if !bodyContainsFold([]byte(tok), "jane") || bodyContainsFold([]byte(tok), "bob") {
			t.Fatalf("offset %d: claims not searched right", i*113)
		}
	}
	for _, body := range []string{tok, `"` + tok + `"`, " " + tok + "\n", `"` + strings.Repeat("x", 1<<20) + `"`, strconv.Quote(`{"a":"` + strings.Repeat("x", 1<<20) + `"}`)} {
		b := []byte(body)
		if !bodyContainsFold(b, "jane") && body[1] != 'x' && body[1] != '{' {
			t.Fatalf("%.30q: claims not searched", body)
		}
		if n := testing.AllocsPerRun(5, func() { bodyContainsFold(b, "nomatch-anywhere") }); n != 0 {
			t.Errorf("%.30q: %v allocations per search", body, n)
		}
	}
}

// TestFreeTextSearchesGzipBodies: free text finds a word inside a gzip
// body, as the views show it decoded; before, only the compressed bytes
// were searched and the word was never found.
func TestFreeTextSearchesGzipBodies(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"animal":"ZebraWord"}`))
	zw.Close()
	r := Record{Event: Event{Method: "POST", Path: "/h", ContentEncoding: "gzip"}}
	for _, tt := range []struct {
		filter string
		body   []byte
		want   bool
	}{
		{"zebraword", buf.Bytes(), true},
		{"-zebraword", buf.Bytes(), false},
		{"giraffe", buf.Bytes(), false},
		{"zebraword", buf.Bytes()[:12], false}, // cut short: nothing decoded, nothing found
	} {
		f, err := ParseFilter(tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Match(r, func() []byte { return tt.body }); got != tt.want {
			t.Errorf("%s over %d bytes: %v, want %v", tt.filter, len(tt.body), got, tt.want)
		}
	}
}
