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
)

// payload is a decoded body.
type payload struct {
	value any            // JSON value (numbers as json.Number), or nil
	obj   map[string]any // value when it is a JSON object
	kind  string
	err   string // why the body is not what it looks like, for the user
}

// decodePayload decodes body by its look, using the Content-Type only to
// recognise form bodies and JSON bodies that do not start with { or [.
func decodePayload(body []byte, contentType string) payload {
	if len(body) == 0 {
		return payload{kind: KindEmpty}
	}
	if len(body) > MaxPayloadBytes {
		return payload{kind: textOrBinary(body[:4096]), err: fmt.Sprintf("body is %d bytes, more than the %d MiB hookscope decodes", len(body), MaxPayloadBytes>>20)}
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
			return payload{kind: textOrBinary(body), err: "body is not valid JSON: " + err.Error()}
		}
		p := payload{kind: KindJSON, value: v}
		p.obj, _ = v.(map[string]any)
		return p
	case first == '<':
		if err := checkXML(body); err != nil {
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
			return nil, fmt.Errorf("%s at offset %d", se.Error(), se.Offset)
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return nil, fmt.Errorf("it ends before the JSON value does (offset %d)", len(b))
		default:
			return nil, err
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the JSON value at offset %d", dec.InputOffset())
	}
	return v, nil
}

// checkXML reports whether b is one well-formed XML document.
func checkXML(b []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	roots, depth := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	switch {
	case roots == 0:
		return errors.New("no root element")
	case roots > 1:
		return errors.New("more than one root element")
	}
	return nil
}

// textOrBinary tells printable UTF-8 text from anything else.
func textOrBinary(b []byte) string {
	if !utf8.Valid(b) {
		// A cut at the sniffing limit may split a rune; judge what is whole.
		if len(b) < 4 || !utf8.Valid(b[:len(b)-3]) {
			return KindBinary
		}
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return KindBinary
		}
	}
	return KindText
}
