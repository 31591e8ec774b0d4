package body

import (
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/formatters"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"

	"github.com/hookscope/hookscope/ui/internal/jsonscan"
)

// Highlighter colours document lines with a chroma style. Lines are
// tokenised one at a time (pretty-printed JSON never spans lines, so its
// tokens are exact; XML uses chroma's lexer per line) so that only what is
// on screen is ever highlighted, and results are memoised per document.
type Highlighter struct {
	style *chroma.Style
}

// NewHighlighter returns a highlighter using the named chroma style, or nil
// (no colour) when name is "".
func NewHighlighter(name string) *Highlighter {
	if name == "" {
		return nil
	}
	return &Highlighter{style: styles.Get(name)}
}

var (
	xmlLexerOnce sync.Once
	xmlLexer     chroma.Lexer
)

// lexXML returns the memoised chroma XML lexer.
func lexXML() chroma.Lexer {
	xmlLexerOnce.Do(func() { xmlLexer = chroma.Coalesce(lexers.Get("xml")) })
	return xmlLexer
}

type hlCache struct {
	h     *Highlighter
	lines map[int]string
}

// maxCachedLines bounds a document's highlight cache.
const maxCachedLines = 4096

// Line returns line i of d highlighted; with a nil highlighter, the plain
// line.
func (h *Highlighter) Line(d *Doc, i int) string {
	line := d.Lines[i]
	if h == nil || line == "" || d.Headings[i] {
		return line
	}
	if d.hl == nil || d.hl.h != h || len(d.hl.lines) > maxCachedLines {
		d.hl = &hlCache{h: h, lines: map[int]string{}}
	}
	if s, ok := d.hl.lines[i]; ok {
		return s
	}
	var toks []chroma.Token
	switch d.Kind {
	case JSON, JWT:
		toks = jsonLineTokens(line)
	case Form:
		k, v, ok := strings.Cut(line, FormSeparator)
		if ok {
			toks = []chroma.Token{{Type: chroma.NameAttribute, Value: k}, {Type: chroma.Operator, Value: FormSeparator}, {Type: chroma.LiteralString, Value: v}}
		}
	case XML:
		if it, err := lexXML().Tokenise(nil, line); err == nil {
			toks = it.Tokens()
		}
	case Hex:
		if len(line) > 10 {
			toks = []chroma.Token{{Type: chroma.Comment, Value: line[:10]}, {Type: chroma.LiteralNumber, Value: line[10:]}}
		}
	}
	out := line
	if toks != nil {
		var sb strings.Builder
		if err := formatters.TTY16m.Format(&sb, h.style, chroma.Literator(toks...)); err == nil {
			out = sb.String()
		}
	}
	d.hl.lines[i] = out
	return out
}

// jsonLineTokens tokenises one line of pretty-printed JSON, telling object
// keys from string values.
func jsonLineTokens(line string) []chroma.Token {
	b := []byte(line)
	s := jsonscan.New(b)
	var toks []chroma.Token
	last := 0
	for {
		t := s.Next()
		if t.Kind == jsonscan.Invalid {
			break
		}
		if t.Start > last {
			toks = append(toks, chroma.Token{Type: chroma.Text, Value: line[last:t.Start]})
		}
		typ := chroma.Punctuation
		switch t.Kind {
		case jsonscan.String:
			typ = chroma.LiteralStringDouble
			if s.Peek().Kind == jsonscan.Colon {
				typ = chroma.NameTag
			}
		case jsonscan.Number:
			typ = chroma.LiteralNumber
		case jsonscan.Literal:
			typ = chroma.KeywordConstant
		}
		toks = append(toks, chroma.Token{Type: typ, Value: line[t.Start:t.End]})
		last = t.End
	}
	if last < len(line) {
		toks = append(toks, chroma.Token{Type: chroma.Text, Value: line[last:]})
	}
	return toks
}
