package verify

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxPayloadBytes bounds the bodies verify decodes (JSON, XML, form, JWT
// claims). Signatures are still checked over bodies of any size; larger
// bodies are only not decoded.
const MaxPayloadBytes = 8 << 20

// Payload kinds reported in Result.PayloadKind.
const (
	KindJSON   = "json"
	KindJWT    = "jwt"
	KindXML    = "xml"
	KindForm   = "form"
	KindText   = "text"
	KindBinary = "binary"
	KindEmpty  = "empty"
	// KindBadJSON is a body that claims to be JSON (it starts with { or [,
	// or its Content-Type says JSON) but does not parse; the payload's
	// error says where it breaks.
	KindBadJSON = "malformed-json"
)

// payload is a decoded body.
type payload struct {
	value any            // JSON value (numbers as json.Number), or nil
	obj   map[string]any // value when it is a JSON object
	kind  string
	err   string // why the body is not what it looks like, for the user
	// errLine is the 1-based line where a KindBadJSON body breaks.
	errLine int
}

// decodePayload decodes body by its look, using the Content-Type only to
// recognise form bodies and JSON bodies that do not start with { or [.
func decodePayload(body []byte, contentType string) payload {
	if len(body) == 0 {
		return payload{kind: KindEmpty}
	}
	if len(body) > MaxPayloadBytes {
		return payload{kind: textOrBinary(sniffPrefix(body)), err: fmt.Sprintf("body is %d bytes, more than the %d MiB hookscope decodes", len(body), MaxPayloadBytes>>20)}
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(body)
	var first byte
	if len(trimmed) > 0 {
		first = trimmed[0]
	}
	switch {
	case first == '{' || first == '[' || len(trimmed) > 0 && (mt == "application/json" || strings.HasSuffix(mt, "+json")):
		v, err := decodeJSON(body)
		if err != nil {
			p := payload{kind: KindBadJSON, err: "body is not valid JSON: " + err.Error()}
			var at *jsonErrorAt
			if errors.As(err, &at) {
				p.errLine = at.line
			}
			return p
		}
		p := payload{kind: KindJSON, value: v}
		p.obj, _ = v.(map[string]any)
		return p
	case first == '<':
		if err := CheckXML(body); err != nil {
			return payload{kind: textOrBinary(body), err: "body is not well-formed XML: " + err.Error()}
		}
		return payload{kind: KindXML}
	case mt == "application/x-www-form-urlencoded":
		if _, err := url.ParseQuery(string(body)); err == nil {
			return payload{kind: KindForm}
		}
	}
	return payload{kind: textOrBinary(body)}
}

// decodeJSON decodes exactly one JSON value, keeping numbers exact
// (json.Number) because ids such as Dialpad's call_id exceed float64.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			// Offset counts the bytes read, the bad one included; report the
			// bad byte's own 0-based position, which an editor can jump to.
			return nil, errorAt(b, max(se.Offset-1, 0), se.Error())
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return nil, errorAt(b, int64(len(b)), "it ends before the JSON value does,")
		default:
			return nil, err
		}
	}
	end := int(dec.InputOffset())
	if rest := bytes.TrimLeft(b[end:], " \t\r\n"); len(rest) > 0 {
		return nil, errorAt(b, int64(len(b)-len(rest)), "unexpected data after the JSON value")
	}
	return v, nil
}

// jsonErrorAt is a JSON error at a place in the body: what is wrong, at
// byte offset off, on 1-based line and column (in bytes). Its message is
// for people, the line for code (where to jump to).
type jsonErrorAt struct {
	what      string
	off       int64
	line, col int
}

// Error names the place both ways a person looks for it: "what at offset 47
// (line 3, column 18)", the 0-based offset and the line and column an
// editor shows.
func (e *jsonErrorAt) Error() string {
	return fmt.Sprintf("%s at offset %d (line %d, column %d)", e.what, e.off, e.line, e.col)
}

// errorAt is the error what, at byte offset off of b.
func errorAt(b []byte, off int64, what string) error {
	line, col := LineColumn(b, off)
	return &jsonErrorAt{what: what, off: off, line: line, col: col}
}

// CheckJSON reports whether b is one JSON value by the rule verify decodes
// a body with (numbers of any size, nothing but white space after the
// value), and says where it is not as CheckXML does: "line L, column C:
// reason".
func CheckJSON(b []byte) error {
	_, err := decodeJSON(b)
	var at *jsonErrorAt
	if errors.As(err, &at) {
		return fmt.Errorf("line %d, column %d: %s", at.line, at.col, strings.TrimSuffix(at.what, ","))
	}
	return err
}

// LineColumn returns the 1-based line and column (in bytes) of the byte at
// 0-based offset off of b, which is clamped to b: how people find a mistake
// in a text they wrote.
func LineColumn(b []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(b)))
	before := b[:off]
	return bytes.Count(before, []byte{'\n'}) + 1, int(off) - bytes.LastIndexByte(before, '\n')
}

// CheckXML reports whether b is one well-formed XML document: one root
// element and no text outside it.
func CheckXML(b []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	// at says where the decoder stands: just past the character at fault.
	at := func(msg string) error {
		line, col := dec.InputPos()
		return fmt.Errorf("line %d, column %d: %s", line, max(col-1, 1), msg)
	}
	roots, depth := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return at(se.Msg)
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return at("an XML document has one root element; this is a second")
				}
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return at("text outside the root element")
			}
		}
	}
	if roots == 0 {
		return errors.New("no root element")
	}
	return nil
}

// sniffPrefix is the start of a body too large to decode, cut at a rune
// boundary so that the cut alone does not make text look binary.
func sniffPrefix(b []byte) []byte {
	const n = 4096
	if len(b) <= n {
		return b
	}
	s := b[:n]
	for i := 0; i < utf8.UTFMax-1 && !utf8.Valid(s); i++ {
		s = s[:len(s)-1]
	}
	return s
}

// textOrBinary tells printable UTF-8 text from anything else.
func textOrBinary(b []byte) string {
	if !utf8.Valid(b) {
		return KindBinary
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return KindBinary
		}
	}
	return KindText
}
