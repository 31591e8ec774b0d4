package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
)

func TestJSON(t *testing.T) {
	r := New(nil)
	r.Mask = "X"
	tests := []struct {
		name, in, want string
		n              int
	}{
		{"none", `{"a":1}`, `{"a":1}`, 0},
		{"top", `{"client_secret":"abc","b":2}`, `{"client_secret":"X","b":2}`, 1},
		{"nested and case", `{"data":{"Private_Key":"-----BEGIN"} , "x":[{"password":5}]}`,
			`{"data":{"Private_Key":"X"} , "x":[{"password":"X"}]}`, 2},
		{"object value", `{"secret":{"client_secret":"z","k":[1,2]},"after":"client_secret"}`,
			`{"secret":"X","after":"client_secret"}`, 1},
		{"value named like a field is kept", `["client_secret","private_key"]`, `["client_secret","private_key"]`, 0},
		{"escaped key", `{"client\u005fsecret":"v"}`, `{"client\u005fsecret":"X"}`, 1},
		{"keeps spacing and numbers", "{\n  \"n\": 1.50e3,\n  \"access_token\" : \"t\"\n}",
			"{\n  \"n\": 1.50e3,\n  \"access_token\" : \"X\"\n}", 1},
		{"cut short", `{"client_secret":"abc"`, `{"client_secret":"X"`, 1},
		{"cut inside the secret", `{"a":1,"private_key":"-----BEGIN PRIV`, `{"a":1,"private_key":"X"`, 1},
		{"raw control byte before", "{\"note\":\"a\x01b\",\"client_secret\":\"abc\"}", "{\"note\":\"a\x01b\",\"client_secret\":\"X\"}", 1},
		{"bare word value", "{\"secret\": hunter2 ,\"b\":2}", "{\"secret\": \"X\",\"b\":2}", 1},
		{"stray bytes skipped", `{"a": @@, "api_key": "k"}`, `{"a": @@, "api_key": "X"}`, 1},
		{"field inside a bare-word value", `{"secret": a "api_key": "k"}`, `{"secret": "X"}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := r.JSON([]byte(tt.in))
			if string(got) != tt.want || n != tt.n {
				t.Fatalf("JSON(%s) = %s, %d; want %s, %d", tt.in, got, n, tt.want, tt.n)
			}
			if json.Valid([]byte(tt.in)) && !json.Valid(got) {
				t.Fatalf("result is not valid JSON: %s", got)
			}
		})
	}
}

func TestForm(t *testing.T) {
	r := New(nil)
	r.Mask = "X"
	got, n := r.Form([]byte("a=1&client_secret=s%20x&b&private%5Fkey=k"))
	if string(got) != "a=1&client_secret=X&b&private%5Fkey=X" || n != 2 {
		t.Fatalf("Form = %s, %d", got, n)
	}
}

func TestBody(t *testing.T) {
	r := New([]string{"sup3rs3cret", "abc", "ab/cd+ef=="})
	r.Mask = "X"
	tests := []struct {
		name, ct, in, want string
		n                  int
	}{
		{"json with configured secret", "application/json", `{"private_key":"k","note":"sup3rs3cret!"}`, `{"private_key":"X","note":"X!"}`, 2},
		{"xml", "application/xml", `<r><client_secret>cs</client_secret><a:Private_Key x="1"><![CDATA[k]]></a:Private_Key><secret> <n>kept</n> <password>p</password></secret></r>`, `<r><client_secret>X</client_secret><a:Private_Key x="1">X</a:Private_Key><secret> <n>kept</n> <password>X</password></secret></r>`, 3},
		{"xml value split by a comment or CDATA", "application/xml", `<r><password>hun<!-- c -->ter2</password><api_key><!-- rotated -->k1<![CDATA[k2]]><?pi x?></api_key></r>`, `<r><password>X</password><api_key>X<?pi x?></api_key></r>`, 2},
		{"xml sniffed, cut short", "", "<?xml version=\"1.0\"?>\n<r><password>p</password><x>sup3rs3cret</x><api_key>", "<?xml version=\"1.0\"?>\n<r><password>X</password><x>X</x><api_key>", 2},
		{"form", "application/x-www-form-urlencoded; charset=utf-8", "client_secret=1&x=sup3rs3cret", "client_secret=X&x=X", 2},
		// curl -d labels a JSON body a form; the detail view and show
		// still show it as JSON, so its secret fields are masked as JSON.
		{"json labelled a form", "application/x-www-form-urlencoded", `{"client_secret":"cs","x":"sup3rs3cret"}`, `{"client_secret":"X","x":"X"}`, 2},
		{"json labelled xml", "text/xml", ` [{"private_key":"k"}]`, ` [{"private_key":"X"}]`, 1},
		{"json labelled a form, a string like a form", "application/x-www-form-urlencoded", `{"a":"x&client_secret=y","b":1}`, `{"a":"x&client_secret=y","b":1}`, 0},
		{"empty form", "application/x-www-form-urlencoded", ``, ``, 0},
		{"empty", "", ``, ``, 0},
		{"form that starts like json", "application/x-www-form-urlencoded", `{x}=1&client_secret=cs`, `{x}=1&client_secret=X`, 1},
		{"text", "text/plain", "abc sup3rs3cret", "abc X", 1},
		{"short secret ignored", "text/plain", "abc", "abc", 0},
		{"secret behind JSON escapes", "application/json", `{"a":"sup3r\/s3cret","b":"sup\u0033rs3cret!","c":"x\/y"}`, `{"a":"sup3r\/s3cret","b":"X!","c":"x\/y"}`, 1},
		{"jwt claims", "application/jwt", jwtOf(`{"alg":"HS256"}`, `{"client_secret":"cs","note":"sup3rs3cret","n":1}`), jwtOf(`{"alg":"HS256"}`, `{"client_secret":"X","note":"X","n":1}`), 2},
		{"jwt quoted, secret in the header", "application/json", "\"" + jwtOf(`{"alg":"HS256","kid":"sup3rs3cret"}`, `{"a":1}`) + "\"\n", "\"" + jwtOf(`{"alg":"HS256","kid":"X"}`, `{"a":1}`) + "\"\n", 1},
		// Quoted with an escape and spaces: the view decodes and shows it,
		// so it is masked too.
		{"jwt quoted with an escape", "application/json", "\"\\u0065" + jwtOf(`{"alg":"HS256"}`, `{"client_secret":"cs"}`)[1:] + " \"", "\"" + jwtOf(`{"alg":"HS256"}`, `{"client_secret":"X"}`) + "\"", 1},
		{"jwt without secrets", "application/jwt", jwtOf(`{"alg":"HS256"}`, `{"a":"b"}`), jwtOf(`{"alg":"HS256"}`, `{"a":"b"}`), 0},
		{"base64 secret with an escaped slash", "application/json", `{"k":"ab\/cd+ef==","j":"ab/cd+ef=="}`, `{"k":"X","j":"X"}`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := r.Body([]byte(tt.in), tt.ct)
			if string(got) != tt.want || n != tt.n {
				t.Fatalf("Body = %q, %d; want %q, %d", got, n, tt.want, tt.n)
			}
		})
	}
}

// jwtOf is a compact JWT of the given header and claims with a fixed
// signature part.
func jwtOf(header, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + ".c2ln"
}

func TestHeader(t *testing.T) {
	r := New([]string{"hmac-secret-1"})
	r.Mask = "X"
	in := store.Header{
		{Name: "authorization", Value: "Bearer eyJabc.def"},
		{Name: "Proxy-Authorization", Value: "opaque"},
		{Name: "Cookie", Value: "a=1; session=abc"},
		{Name: "X-Debug", Value: "key=hmac-secret-1"},
		{Name: "Content-Type", Value: "application/json"},
		{Name: "Authorization", Value: ""},
	}
	got, n := r.Header(in)
	want := store.Header{
		{Name: "authorization", Value: "Bearer X"},
		{Name: "Proxy-Authorization", Value: "X"},
		{Name: "Cookie", Value: "a=X; session=X"},
		{Name: "X-Debug", Value: "key=X"},
		{Name: "Content-Type", Value: "application/json"},
		{Name: "Authorization", Value: ""},
	}
	if n != 4 {
		t.Errorf("n = %d, want 4", n)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if in[0].Value != "Bearer eyJabc.def" {
		t.Error("Header modified its input")
	}
}

func TestTarget(t *testing.T) {
	r := New([]string{"tok-12345", "a b/c"})
	r.Mask = "X"
	tests := []struct {
		name                 string
		ev                   store.Event
		path, rawPath, query string
		n                    int
	}{
		{"none", store.Event{Path: "/hooks/a", Query: "x=1"}, "/hooks/a", "", "x=1", 0},
		{"path and query", store.Event{Path: "/hooks/tok-12345", Query: "t=tok-12345&u=tok-12345"}, "/hooks/X", "", "t=X&u=X", 3},
		{"raw path masked alike", store.Event{Path: "/h/tok-12345/a/b", RawPath: "/h/tok-12345/a%2Fb"}, "/h/X/a/b", "/h/X/a%2Fb", "", 1},
		{"raw path holding it encoded is dropped", store.Event{Path: "/h/tok-12345", RawPath: "/h/tok-%312345"}, "/h/X", "", "", 1},
		{"decoded only", store.Event{Path: "/h/a b/c", RawPath: "/h/a%20b%2Fc"}, "/h/X", "", "", 1},
		{"id and host untouched", store.Event{ID: "tok-12345", Host: "tok-12345", Path: "/"}, "/", "", "", 0},
		{"query holding it percent-encoded", store.Event{Path: "/", Query: "t=tok%2D12345&u=%74ok-12345"}, "/", "", "t=X&u=X", 2},
		{"query holding it with a plus for a space", store.Event{Path: "/", Query: "q=a+b%2Fc"}, "/", "", "q=X", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, rp, q, n := r.Target(tt.ev)
			if p != tt.path || rp != tt.rawPath || q != tt.query || n != tt.n {
				t.Fatalf("Target = %q, %q, %q, %d; want %q, %q, %q, %d", p, rp, q, n, tt.path, tt.rawPath, tt.query, tt.n)
			}
		})
	}
}

func TestAttempt(t *testing.T) {
	r := New([]string{"tok-12345"})
	r.Mask = "X"
	in := store.Attempt{Seq: 2, Target: "http://app:3000/hooks/tok-12345?t=tok-12345",
		Error: `Post "http://app:3000/hooks/tok-12345": connection refused`, Status: 0}
	got, n := r.Attempt(in)
	if got.Target != "http://app:3000/hooks/X?t=X" || got.Error != `Post "http://app:3000/hooks/X": connection refused` ||
		got.Seq != 2 || n != 3 {
		t.Fatalf("Attempt = %+v, %d", got, n)
	}
	if in.Target != "http://app:3000/hooks/tok-12345?t=tok-12345" {
		t.Fatal("Attempt modified its input")
	}
}

// TestAttemptTargets: a forward or --keep-path replay appends the path as
// sent and the query, so an attempt's target and the error quoting it hold
// the query's secret fields and secrets the sender percent-encoded. A
// target with a password is recorded as user:xxxxx@ (url.Redacted) but
// net/http's error quotes it as user:***@; it is masked in that quotation
// too.
func TestAttemptTargets(t *testing.T) {
	for _, tt := range []struct {
		name                string
		secrets             []string
		in                  store.Attempt
		wantTarget, wantErr string
		n                   int
	}{
		{
			name: "query fields", secrets: []string{"tok-12345"},
			in: store.Attempt{Target: "http://app/hooks?client_secret=QSECRET&t=tok-12345",
				Error: `Post "http://app/hooks?client_secret=QSECRET&t=tok-12345": connection refused`},
			wantTarget: "http://app/hooks?client_secret=X&t=X",
			wantErr:    `Post "http://app/hooks?client_secret=X&t=X": connection refused`,
			n:          3,
		},
		{
			name: "query fields with a password",
			in: store.Attempt{Target: "http://dev:xxxxx@app/hooks/down?client_secret=QSECRET",
				Error: `connection refused: is the target running? (Post "http://dev:***@app/hooks/down?client_secret=QSECRET": dial tcp: connection refused)`},
			wantTarget: "http://dev:xxxxx@app/hooks/down?client_secret=X",
			wantErr:    `connection refused: is the target running? (Post "http://dev:***@app/hooks/down?client_secret=X": dial tcp: connection refused)`,
			n:          1,
		},
		{
			name: "percent-encoded", secrets: []string{"s3cr3t+Tok/en=="},
			in: store.Attempt{Target: "http://app/p/s3cr3t%2BTok%2Fen%3D%3D?t=s3cr3t%2bTok%2Fen==",
				Error: `Get "http://app/p/s3cr3t%2BTok%2Fen%3D%3D": connection refused`},
			wantTarget: "http://app/p/X?t=X",
			wantErr:    `Get "http://app/p/X": connection refused`,
			n:          3,
		},
	} {
		r := New(tt.secrets)
		r.Mask = "X"
		got, n := r.Attempt(tt.in)
		if got.Target != tt.wantTarget || got.Error != tt.wantErr || n != tt.n {
			t.Errorf("%s: Attempt = %+v, %d", tt.name, got, n)
		}
	}
}

// TestStringEncoded: a configured secret is masked however much of it is
// percent-encoded, and text that only looks encoded is left alone.
func TestStringEncoded(t *testing.T) {
	r := New([]string{"tok-12345"})
	r.Mask = "X"
	tests := []struct {
		in, want string
		n        int
	}{
		{"a=tok%2d12345&b=%74%6F%6B%2D%31%32%33%34%35", "a=X&b=X", 2},
		{"tok-12345 and tok%2D12345", "X and X", 2},
		{"100% tok-1234 %zz %2", "100% tok-1234 %zz %2", 0},
		{"%tok-12345%", "%X%", 1},
	}
	for _, tt := range tests {
		if got, n := r.String(tt.in); got != tt.want || n != tt.n {
			t.Errorf("String(%q) = %q, %d; want %q, %d", tt.in, got, n, tt.want, tt.n)
		}
		if got, n := r.Bytes([]byte(tt.in)); string(got) != tt.want || n != tt.n {
			t.Errorf("Bytes(%q) = %q, %d; want %q, %d", tt.in, got, n, tt.want, tt.n)
		}
	}
}

func TestZeroRedactorMasksNothing(t *testing.T) {
	var r Redactor
	if got, n := r.Body([]byte(`{"client_secret":"x"}`), "application/json"); n != 0 || string(got) != `{"client_secret":"x"}` {
		t.Fatalf("got %s %d", got, n)
	}
}

// FuzzJSON: masking never panics, keeps valid JSON valid, and leaves a
// document it masked nothing in byte for byte as it was.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"client_secret":"abc","b":2}`, `{"a":1,"private_key":"-----BEGIN`, `{"secret": x}`, `["secret":]`, `{"a":"\u0001"}`} {
		f.Add([]byte(s))
	}
	r := New(nil)
	f.Fuzz(func(t *testing.T, in []byte) {
		got, n := r.JSON(in)
		if json.Valid(in) && !json.Valid(got) {
			t.Fatalf("valid %q masked into invalid %q", in, got)
		}
		if n == 0 && !bytes.Equal(got, in) {
			t.Fatalf("nothing masked but %q became %q", in, got)
		}
	})
}

// FuzzBodySecret: whatever escapes a valid JSON body uses, no string in it
// (key or value) holds a configured secret once masked, and it stays valid.
func FuzzBodySecret(f *testing.F) {
	const secret = "s3/cr3t"
	for _, s := range []string{`{"a":"xs3/cr3tx"}`, `{"a":"s3\/cr3t"}`, `["s\u0033\/cr3t",1]`, `{"s3/cr3t":true}`, `"s3\u002fcr3t"`} {
		f.Add([]byte(s))
	}
	r := New([]string{secret})
	f.Fuzz(func(t *testing.T, in []byte) {
		if !json.Valid(in) {
			return
		}
		got, _ := r.Body(in, "application/json")
		if !json.Valid(got) {
			t.Fatalf("valid %q masked into invalid %q", in, got)
		}
		dec := json.NewDecoder(bytes.NewReader(got))
		dec.UseNumber() // 1E700 is valid JSON, not a float64
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		var walk func(any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				if strings.Contains(v, secret) {
					t.Fatalf("%q masked into %q still holds the secret in %q", in, got, v)
				}
			case []any:
				for _, e := range v {
					walk(e)
				}
			case map[string]any:
				for k, e := range v {
					walk(k)
					walk(e)
				}
			}
		}
		walk(v)
	})
}

// TestBytesNoSecretsNoCopy: with no configured secret, Bytes returns a body
// holding "%" and "+" as it is, without copying it to look for encoded ones.
func TestBytesNoSecretsNoCopy(t *testing.T) {
	b := bytes.Repeat([]byte("a=100%25+b "), 1000)
	// "abc" is shorter than MinSecretLen: not looked for.
	for _, r := range []*Redactor{New(nil), New([]string{"abc"})} {
		allocs := testing.AllocsPerRun(10, func() {
			if out, n := r.Bytes(b); n != 0 || &out[0] != &b[0] {
				t.Fatalf("Bytes changed a body holding no secret")
			}
		})
		if allocs != 0 {
			t.Errorf("Bytes with secrets %q: %v allocations, want 0", r.Secrets, allocs)
		}
	}
}

// FuzzXML: masking never panics, keeps a well-formed document well-formed,
// and leaves a document it masked nothing in byte for byte as it was.
func FuzzXML(f *testing.F) {
	for _, s := range []string{`<r><client_secret>a&amp;b</client_secret></r>`, `<secret><![CDATA[x]]></secret>`, `<a><password>`, `<p:secret a="1">x<!-- c --></p:secret>`} {
		f.Add([]byte(s))
	}
	r := New(nil)
	wellFormed := func(b []byte) bool {
		d := xml.NewDecoder(bytes.NewReader(b))
		for {
			if _, err := d.Token(); err != nil {
				return err == io.EOF
			}
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, n := r.XML(in)
		if wellFormed(in) && !wellFormed(got) {
			t.Fatalf("well-formed %q masked into %q", in, got)
		}
		if n == 0 && !bytes.Equal(got, in) {
			t.Fatalf("nothing masked but %q became %q", in, got)
		}
	})
}

// TestQuery: a query's secret fields are masked by name, configured secrets
// anywhere in it, and nothing else changes.
func TestQuery(t *testing.T) {
	r := New([]string{"sup3rs3cret"})
	r.Mask = "X"
	for _, tt := range []struct {
		in, want string
		n        int
	}{
		{"a=1&client_secret=abc&b=2", "a=1&client_secret=X&b=2", 1},
		{"Client%5FSecret=abc", "Client%5FSecret=X", 1},
		{"note=sup3rs3cret&x", "note=X&x", 1},
		{"private_key=k&access=sup3rs3cret", "private_key=X&access=X", 2},
		{"plain=1&flag", "plain=1&flag", 0},
		{"", "", 0},
	} {
		got, n := r.Query(tt.in)
		if got != tt.want || n != tt.n {
			t.Errorf("Query(%q) = %q, %d; want %q, %d", tt.in, got, n, tt.want, tt.n)
		}
	}
	// The default mask goes in as it is, as a configured secret's does:
	// the query is shown as sent, and %E2%80%A2… would not read as masked.
	d := New([]string{"sup3rs3cret"})
	if got, _ := d.Query("client_secret=abc&t=sup3rs3cret"); got != "client_secret="+Mask+"&t="+Mask {
		t.Errorf("Query with the default mask = %q", got)
	}
}

// TestPathQuery: the target the TUI shows has configured secrets masked in
// path and query and the query's secret fields masked, "?" only before a
// query; a nil Redactor (a revealed delivery) shows it as stored.
func TestPathQuery(t *testing.T) {
	r := New([]string{"sup3rs3cret"})
	r.Mask = "X"
	for _, tt := range []struct{ path, query, want string }{
		{"/hooks/sup3rs3cret", "", "/hooks/X"},
		{"/hooks", "a=1&client_secret=abc&t=sup3rs3cret", "/hooks?a=1&client_secret=X&t=X"},
		{"/hooks", "a=1", "/hooks?a=1"},
	} {
		if got := r.PathQuery(tt.path, tt.query); got != tt.want {
			t.Errorf("PathQuery(%q, %q) = %q, want %q", tt.path, tt.query, got, tt.want)
		}
	}
	var none *Redactor
	if got := none.PathQuery("/hooks/sup3rs3cret", "client_secret=abc"); got != "/hooks/sup3rs3cret?client_secret=abc" {
		t.Errorf("a nil Redactor gives %q", got)
	}
}

// FuzzJWTBody: whatever a body holds, masking it as a token neither panics
// nor loses what surrounds the token.
func FuzzJWTBody(f *testing.F) {
	f.Add([]byte(" \"" + jwtOf(`{"alg":"HS256"}`, `{"client_secret":"cs"}`) + "\"\n"))
	f.Add([]byte(jwtOf(`{"kid":"sup3rs3cret"}`, `{}`)))
	r := New([]string{"sup3rs3cret"})
	f.Fuzz(func(t *testing.T, body []byte) {
		out, n := r.Body(body, "application/jwt")
		if n == 0 && !bytes.Equal(out, body) {
			t.Fatalf("nothing masked but %q became %q", body, out)
		}
	})
}

// TestRequestTarget: a target is masked over its whole length, so a secret
// spanning the "?" goes whole, and its query's secret fields are masked.
func TestRequestTarget(t *testing.T) {
	r := New([]string{"span?ning", "tok-12345"})
	r.Mask = "X"
	for _, tt := range []struct {
		target, want string
		n            int
	}{
		{"/h/a?x=1", "/h/a?x=1", 0},
		{"/h/tok%2D12345?t=tok-12345", "/h/X?t=X", 2},
		{"/h/span?ning=1&client_secret=cs&x=2", "/h/X=1&client_secret=X&x=2", 2},
		{"/h/client_secret=cs", "/h/client_secret=cs", 0},
	} {
		if got, n := r.RequestTarget(tt.target); got != tt.want || n != tt.n {
			t.Errorf("RequestTarget(%q) = %q, %d; want %q, %d", tt.target, got, n, tt.want, tt.n)
		}
	}
}

// TestAnalysis: configured secrets are masked in every text field of an
// analysis, on a copy; an analysis without one is returned as it is.
func TestAnalysis(t *testing.T) {
	r := New([]string{"tok-12345"})
	a := &store.Analysis{EventType: "x.tok-12345", Signature: store.Signature{Reason: "r tok-12345", KeyID: "tok-12345"},
		Notes:  []string{"n tok-12345", "plain"},
		Schema: &store.SchemaResult{Reason: "tok-12345", Errors: []store.SchemaError{{Path: "/tok-12345", Message: "m tok-12345"}}}}
	got, n := r.Analysis(a)
	if n != 7 || strings.Contains(fmt.Sprint(*got, *got.Schema), "tok-12345") {
		t.Fatalf("masked %d: %+v %+v", n, *got, *got.Schema)
	}
	if a.EventType != "x.tok-12345" || a.Notes[0] != "n tok-12345" || a.Schema.Errors[0].Message != "m tok-12345" {
		t.Fatalf("the original was changed: %+v", *a)
	}
	clean := &store.Analysis{EventType: "app.installed", Notes: []string{"plain"}}
	if got, n := r.Analysis(clean); got != clean || n != 0 {
		t.Errorf("an analysis without secrets: %p %d, want the same %p", got, n, clean)
	}
	if got, _ := (*Redactor)(nil).Analysis(a); got != a {
		t.Errorf("a nil redactor changed it")
	}
}
