package export

import (
	"bytes"

	"github.com/hookscope/hookscope/store"
)

// Masker hides secrets in what is exported. Export applies it to every
// request header value and body, to the query (through Body, as a form),
// to the path and the raw path as sent (through Body, as text), and to the
// headers and body of a forwarded app's response, unless the caller passes
// nil, which is how --reveal-secrets is implemented. Secret detection is not this package's
// business: the caller adapts its rules (ui/redact's Redactor, for
// instance) to these two methods.
type Masker interface {
	// Header returns the value to export for one header line.
	Header(name, value string) string
	// Body returns the body to export. It must not modify body in place.
	Body(contentType string, body []byte) []byte
}

// maskHeader returns h with masked values, and whether anything changed.
// h itself is left alone: it belongs to the record being exported.
func maskHeader(m Masker, h store.Header) (store.Header, bool) {
	if m == nil || len(h) == 0 {
		return h, false
	}
	out := make(store.Header, len(h))
	changed := false
	for i, f := range h {
		v := m.Header(f.Name, f.Value)
		changed = changed || v != f.Value
		out[i] = store.Field{Name: f.Name, Value: v}
	}
	return out, changed
}

// maskBody returns the body to export, and whether masking changed it.
func maskBody(m Masker, contentType string, body []byte) ([]byte, bool) {
	if m == nil || len(body) == 0 {
		return body, false
	}
	out := m.Body(contentType, body)
	return out, !bytes.Equal(out, body)
}

// maskText is maskBody for one string of text.
func maskText(m Masker, s string) (string, bool) {
	out, changed := maskBody(m, "text/plain", []byte(s))
	return string(out), changed
}

// maskAnalysis returns a with its text masked (the event type, the
// signature's reason, notes, schema errors and reason: verification's
// text quotes the body and headers), and whether anything changed. a
// itself is left alone; nil stays nil.
func maskAnalysis(m Masker, a *store.Analysis) (*store.Analysis, bool) {
	if m == nil {
		return a, false
	}
	return a.MapText(func(s string) (string, bool) { return maskText(m, s) })
}
