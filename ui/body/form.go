package body

import (
	"bytes"
	"net/url"

	"github.com/hookscope/hookscope/ui/termsafe"
)

// FormSeparator separates a decoded form field's name from its value.
const FormSeparator = " = "

// form lays out an application/x-www-form-urlencoded body one decoded field
// per line, in order. Undecodable escapes are shown as sent.
func (d *Doc) form(b []byte) {
	d.Kind = Form
	var out []byte
	for i, f := range bytes.Split(bytes.TrimSpace(b), []byte("&")) {
		if i > 0 {
			out = append(out, '\n')
		}
		k, v, _ := bytes.Cut(f, []byte("="))
		out = append(out, termsafe.Line(unescape(k))...)
		out = append(out, FormSeparator...)
		out = append(out, termsafe.Line(unescape(v))...)
	}
	d.setText(out)
}

func unescape(b []byte) string {
	s, err := url.QueryUnescape(string(b))
	if err != nil {
		return string(b)
	}
	return s
}
