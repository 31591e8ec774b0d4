// Package jsonscan is a minimal JSON lexer that reports byte spans, so that
// callers can rewrite or re-indent a document while keeping every token's
// original bytes (number spelling, string escapes). It does not check the
// grammar: validate with encoding/json.Valid first.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"iter"
	"strings"
)

// Kind is the kind of a token.
type Kind uint8

// Token kinds.
const (
	Invalid Kind = iota
	BeginObject
	EndObject
	BeginArray
	EndArray
	Colon
	Comma
	String
	Number
	Literal // true, false, null
)

// Token is one lexical token: its kind and the span data[Start:End].
type Token struct {
	Kind       Kind
	Start, End int
}

// Scanner walks the tokens of a JSON document.
type Scanner struct {
	data []byte
	pos  int
}

// New returns a scanner over data.
func New(data []byte) *Scanner { return &Scanner{data: data} }

// Next returns the next token, or a token of kind Invalid at the end of the
// input or on a byte no JSON token starts with.
func (s *Scanner) Next() Token {
	d := s.data
	for s.pos < len(d) && isSpace(d[s.pos]) {
		s.pos++
	}
	if s.pos >= len(d) {
		return Token{Kind: Invalid, Start: s.pos, End: s.pos}
	}
	start := s.pos
	c := d[s.pos]
	s.pos++
	switch c {
	case '{':
		return Token{BeginObject, start, s.pos}
	case '}':
		return Token{EndObject, start, s.pos}
	case '[':
		return Token{BeginArray, start, s.pos}
	case ']':
		return Token{EndArray, start, s.pos}
	case ':':
		return Token{Colon, start, s.pos}
	case ',':
		return Token{Comma, start, s.pos}
	case '"':
		for s.pos < len(d) {
			switch d[s.pos] {
			case '\\':
				s.pos += 2
				continue
			case '"':
				s.pos++
				return Token{String, start, s.pos}
			}
			s.pos++
		}
		s.pos = len(d)
		return Token{Invalid, start, s.pos}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		for s.pos < len(d) && isNumberByte(d[s.pos]) {
			s.pos++
		}
		return Token{Number, start, s.pos}
	case 't', 'f', 'n':
		for s.pos < len(d) && d[s.pos] >= 'a' && d[s.pos] <= 'z' {
			s.pos++
		}
		return Token{Literal, start, s.pos}
	}
	return Token{Invalid, start, s.pos}
}

// Tokens yields the tokens from the scanner's position to the end of the
// data, stepping over bytes no token starts with (the loop body may call
// Next, Peek or SkipValue to take more): callers that mask or rewrite
// damaged documents walk what tokens there are.
func (s *Scanner) Tokens() iter.Seq[Token] {
	return func(yield func(Token) bool) {
		for {
			t := s.Next()
			if t.Kind == Invalid {
				if t.End >= len(s.data) {
					return
				}
				continue
			}
			if !yield(t) {
				return
			}
		}
	}
}

// SkipValue consumes the rest of a value whose first token is first (for an
// object or array, up to its matching end) and returns the offset just after
// it.
func (s *Scanner) SkipValue(first Token) int {
	if first.Kind != BeginObject && first.Kind != BeginArray {
		return first.End
	}
	depth := 1
	for depth > 0 {
		t := s.Next()
		switch t.Kind {
		case BeginObject, BeginArray:
			depth++
		case EndObject, EndArray:
			depth--
		case Invalid:
			return s.pos
		}
	}
	return s.pos
}

// Unquote returns the text of a String token's bytes (with quotes).
func Unquote(raw []byte) string {
	if len(raw) >= 2 && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return strings.Trim(string(raw), `"`)
	}
	return s
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'
}

// Seek moves the scanner to offset off of the data, for a caller that has
// consumed bytes the lexer has no token for (a damaged value it masks up to
// a delimiter): scanning goes on from there, not from inside what the
// caller took.
func (s *Scanner) Seek(off int) { s.pos = min(max(off, 0), len(s.data)) }

// Peek returns the next token without consuming it.
func (s *Scanner) Peek() Token {
	pos := s.pos
	t := s.Next()
	s.pos = pos
	return t
}
