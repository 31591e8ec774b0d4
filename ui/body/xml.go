package body

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// xml lays out a well-formed XML document re-indented, one element per
// line with its text. It reports false, leaving d untouched, when the
// document does not parse.
func (d *Doc) xml(b []byte) bool {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	dec.AutoClose = nil
	var out bytes.Buffer
	depth := 0
	indent := func() {
		if out.Len() > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(strings.Repeat("  ", depth))
	}
	// inline is true right after a start tag or the text that follows it,
	// where text and the end tag stay on the same line.
	inline := false
	for {
		if out.Len() > MaxDisplayBytes {
			break
		}
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			indent()
			out.WriteByte('<')
			out.WriteString(qname(t.Name))
			for _, a := range t.Attr {
				out.WriteByte(' ')
				out.WriteString(qname(a.Name))
				out.WriteString(`="`)
				out.WriteString(escapeXML(a.Value, true))
				out.WriteByte('"')
			}
			out.WriteByte('>')
			depth++
			inline = true
		case xml.EndElement:
			depth--
			if !inline {
				indent()
			}
			out.WriteString("</" + qname(t.Name) + ">")
			inline = false
		case xml.CharData:
			text := bytes.TrimSpace(t)
			if len(text) == 0 {
				continue
			}
			if !inline {
				indent()
			}
			out.WriteString(escapeXML(string(text), false))
		case xml.Comment:
			indent()
			out.WriteString("<!--" + string(t) + "-->")
			inline = false
		case xml.ProcInst:
			indent()
			out.WriteString("<?" + t.Target + " " + string(t.Inst) + "?>")
			inline = false
		case xml.Directive:
			indent()
			out.WriteString("<!" + string(t) + ">")
			inline = false
		}
	}
	if depth != 0 {
		return false
	}
	d.Kind = XML
	d.setText(out.Bytes())
	return true
}

func qname(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// escapeXML escapes the characters that would change the markup.
func escapeXML(s string, attr bool) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	if attr {
		r = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	}
	return r.Replace(s)
}
