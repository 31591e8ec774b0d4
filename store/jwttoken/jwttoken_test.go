package jwttoken

import "testing"

func TestUnquoteAndLooks(t *testing.T) {
	const tok = "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2ln"
	for _, tt := range []struct {
		body   string
		want   string
		quoted bool
		looks  bool
	}{
		{tok, tok, false, true},
		{"  " + tok + "\n", tok, false, true},
		{`"` + tok + `"`, tok, true, true},
		{`" ` + tok + ` "`, tok, true, true},
		{`"\u0065yJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2ln"`, tok, true, true},
		{`"unterminated`, `"unterminated`, false, false},
		{`{"a":1}`, `{"a":1}`, false, false},
		{"eyJ.a", "eyJ.a", false, false},
		{"eyJhbGci.e30.sig!", "eyJhbGci.e30.sig!", false, false},
	} {
		got, quoted := Unquote([]byte(tt.body))
		if string(got) != tt.want || quoted != tt.quoted {
			t.Errorf("Unquote(%q) = %q, %v; want %q, %v", tt.body, got, quoted, tt.want, tt.quoted)
		}
		if Looks([]byte(tt.body)) != tt.looks {
			t.Errorf("Looks(%q) = %v, want %v", tt.body, !tt.looks, tt.looks)
		}
	}
}

// TestSegment: a part decodes with or without the padding some senders
// add, and a part that is not base64url is an error.
func TestSegment(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"eyJhIjoxfQ", `{"a":1}`, true},
		{"eyJhIjoxfQ==", `{"a":1}`, true},
		{"eyJhIjoxfQ+/", "", false},
	} {
		got, err := Segment([]byte(tt.in))
		if (err == nil) != tt.ok || tt.ok && string(got) != tt.want {
			t.Errorf("Segment(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
