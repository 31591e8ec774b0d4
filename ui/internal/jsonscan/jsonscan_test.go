package jsonscan

import (
	"slices"
	"testing"
)

func TestTokens(t *testing.T) {
	doc := []byte(`{"a": 1} ? ["b",true]`)
	var got []string
	for tok := range New(doc).Tokens() {
		got = append(got, string(doc[tok.Start:tok.End]))
	}
	want := []string{"{", `"a"`, ":", "1", "}", "[", `"b"`, ",", "true", "]"}
	if !slices.Equal(got, want) {
		t.Errorf("Tokens = %q, want %q (the stray ? stepped over)", got, want)
	}

	// The loop body may take tokens itself, and may stop early.
	s := New(doc)
	var keys []string
	for tok := range s.Tokens() {
		if tok.Kind == String && s.Peek().Kind == Colon {
			keys = append(keys, Unquote(doc[tok.Start:tok.End]))
			s.Next()
			s.SkipValue(s.Next())
		}
		if tok.Kind == EndObject {
			break
		}
	}
	if !slices.Equal(keys, []string{"a"}) {
		t.Errorf("keys = %q, want [a]", keys)
	}
	if rest := s.Next(); rest.Kind != Invalid || doc[rest.Start] != '?' {
		t.Errorf("after break Next = %+v, want the stray ? (Invalid): the scanner stopped where the loop did", rest)
	}
}
