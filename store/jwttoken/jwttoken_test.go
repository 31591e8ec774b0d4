package jwttoken

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

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

// TestUnquoteWithoutCopyAgrees: Unquote's copy-free paths (a quoted
// string without escapes, and Looks ruling a quoted body out before
// unquoting it) answer as strconv.Unquote would, on random bodies built
// from the bytes that matter.
func TestUnquoteWithoutCopyAgrees(t *testing.T) {
	ref := func(body []byte) ([]byte, bool) {
		b := bytes.TrimSpace(body)
		if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
			if s, err := strconv.Unquote(string(b)); err == nil {
				return bytes.TrimSpace([]byte(s)), true
			}
		}
		return b, false
	}
	// The shape rule is compact's; what is checked against strconv is
	// how Looks gets to the token (maybeToken, Unquote without copying).
	refLooks := func(body []byte) bool {
		b, _ := ref(body)
		return compact(b)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	atoms := []string{`"`, `\`, `\"`, `\n`, "\n", " ", "\u00a0", "\xff", "e", "eyJ", ".", "=", "u0065", `\u0065`, "{", "a", "\t", `\\`}
	for range 20000 {
		var b strings.Builder
		if rng.IntN(4) > 0 {
			b.WriteString(`"`)
		}
		for range rng.IntN(12) {
			b.WriteString(atoms[rng.IntN(len(atoms))])
		}
		if rng.IntN(4) > 0 {
			b.WriteString(`"`)
		}
		body := []byte(b.String())
		gt, gq := Unquote(body)
		wt, wq := ref(body)
		if !bytes.Equal(gt, wt) || gq != wq {
			t.Fatalf("Unquote(%q) = %q, %v; strconv: %q, %v", body, gt, gq, wt, wq)
		}
		if Looks(body) != refLooks(body) {
			t.Fatalf("Looks(%q) = %v", body, !refLooks(body))
		}
		if ft, fq, ok := Find(body); ok && (!bytes.Equal(ft, wt) || fq != wq) {
			t.Fatalf("Find(%q) = %q, %v; strconv: %q, %v", body, ft, fq, wt, wq)
		}
	}
}
