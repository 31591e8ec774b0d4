package export

import (
	"bufio"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/hookscope/hookscope/store"
)

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): the types below
// carry every field the spec requires, in its names and types. Fields that
// start with an underscore are custom, which the spec allows; hookscope's
// verdicts travel under "_hookscope", a request's trailers under the
// request's "_trailers".

type harLog struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Entries []harEntry `json:"entries"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string        `json:"startedDateTime"`
	Time            float64       `json:"time"`
	Request         harRequest    `json:"request"`
	Response        harResponse   `json:"response"`
	Cache           struct{}      `json:"cache"`
	Timings         harTimings    `json:"timings"`
	Hookscope       *harHookscope `json:"_hookscope,omitempty"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harNV      `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int64        `json:"headersSize"`
	BodySize    int64        `json:"bodySize"`
	// Trailers are the trailer fields of a chunked request, in order, which
	// HAR 1.2 has no member for: custom, so "_trailers"; left out when
	// there are none.
	Trailers []harNV `json:"_trailers,omitempty"`
}

// harNV is a name/value pair: a header, query parameter or cookie.
type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// harPostData is the request body. "encoding" is not in HAR 1.2's postData
// (only in response content), but tools that save binary request bodies
// use it the same way, and without it such a body cannot be carried
// exactly.
type harPostData struct {
	MimeType string  `json:"mimeType"`
	Text     string  `json:"text"`
	Encoding string  `json:"encoding,omitempty"`
	Params   []harNV `json:"params,omitempty"` // read on import only
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int64      `json:"headersSize"`
	BodySize    int64      `json:"bodySize"`
	Comment     string     `json:"comment,omitempty"`
}

type harContent struct {
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
}

type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// harHookscope is what hookscope knows beyond HTTP. received_at keeps the
// nanoseconds that startedDateTime (milliseconds, which every HAR reader
// parses) drops.
type harHookscope struct {
	ID            string              `json:"id"`
	ReceivedAt    string              `json:"received_at"`
	RemoteAddr    string              `json:"remote_addr"`
	Provider      string              `json:"provider"`
	EventType     string              `json:"event_type"`
	Signature     store.Signature     `json:"signature"`
	Schema        *store.SchemaResult `json:"schema"`
	DuplicateOf   string              `json:"duplicate_of"`
	Pinned        bool                `json:"pinned"`
	Imported      bool                `json:"imported"`
	Truncated     bool                `json:"truncated"`
	SecretsMasked bool                `json:"secrets_masked"`
	// BodyWithheld: masking left the body out (see jsonl.go).
	BodyWithheld bool `json:"body_withheld,omitempty"`
}

// harTime is startedDateTime's layout: ISO 8601 with milliseconds.
const harTime = "2006-01-02T15:04:05.000Z07:00"

// harEncoder streams the HAR document: the envelope is written around the
// entries by hand so that entries are encoded one at a time.
type harEncoder struct {
	w       *bufio.Writer
	version string
	n       int
}

func (e *harEncoder) begin() error {
	creator, err := marshalNoEscape(harCreator{Name: "hookscope", Version: orDefault(e.version, "dev")})
	if err != nil {
		return err
	}
	_, err = e.w.WriteString("{\n  \"log\": {\n    \"version\": \"1.2\",\n    \"creator\": " + string(creator) + ",\n    \"entries\": [")
	return err
}

func (e *harEncoder) end() error {
	if e.n > 0 {
		e.w.WriteString("\n    ")
	}
	_, err := e.w.WriteString("]\n  }\n}\n")
	return err
}

func (e *harEncoder) entry(d delivery) error {
	b, err := marshalIndentNoEscape(harEntryOf(d), "      ", "  ")
	if err != nil {
		return err
	}
	if e.n > 0 {
		e.w.WriteByte(',')
	}
	e.n++
	e.w.WriteString("\n      ")
	_, err = e.w.Write(b)
	return err
}

func harEntryOf(d delivery) harEntry {
	r := d.rec
	proto := orDefault(r.Proto, "HTTP/1.1")
	req := harRequest{
		Method:      r.Method,
		URL:         requestURL(r.Event),
		HTTPVersion: proto,
		Cookies:     []harNV{},
		Headers:     headerNV(r.Header),
		QueryString: queryNV(r.Query),
		HeadersSize: -1,
		BodySize:    int64(len(d.body)),
	}
	if len(r.Trailer) > 0 {
		req.Trailers = headerNV(r.Trailer)
	}
	if len(d.body) > 0 {
		pd := &harPostData{MimeType: r.ContentType}
		pd.Text, pd.Encoding = bodyText(d.body)
		req.PostData = pd
	}
	resp := harResponse{
		Status:      r.Response.Status,
		StatusText:  http.StatusText(r.Response.Status),
		HTTPVersion: proto,
		Cookies:     []harNV{},
		Headers:     []harNV{},
		// hookscope records its answer's status and timing, not its body.
		Content:     harContent{Size: 0, MimeType: "x-unknown"},
		HeadersSize: -1,
		BodySize:    -1,
		Comment:     "the answer hookscope sent; its headers and body are not recorded",
	}
	if f := d.forward; f != nil && f.Status != 0 {
		// Forwarded: the provider was given the app's answer.
		resp.Status, resp.StatusText = f.Status, http.StatusText(f.Status)
		resp.Headers = headerNV(f.RespHeader)
		resp.Content = harContent{Size: int64(len(f.RespBody)), MimeType: orDefault(f.RespHeader.Get("Content-Type"), "x-unknown")}
		resp.Content.Text, resp.Content.Encoding = bodyText(f.RespBody)
		resp.BodySize = int64(len(f.RespBody))
		resp.Comment = "the forwarded app's answer, returned to the sender (body capped)"
	}
	h := &harHookscope{
		ID: r.ID, ReceivedAt: r.ReceivedAt.UTC().Format(store.TimeFormat), RemoteAddr: r.RemoteAddr,
		Signature: r.SignatureOrPending(), Pinned: r.Pinned, Imported: r.Imported, Truncated: r.Truncated,
		SecretsMasked: d.masked, BodyWithheld: d.withheld,
	}
	if a := r.Analysis; a != nil {
		h.Provider, h.EventType, h.Schema, h.DuplicateOf = a.Provider, a.EventType, a.Schema, a.DuplicateOf
	}
	wait := r.Response.DurationMS
	return harEntry{
		StartedDateTime: r.ReceivedAt.UTC().Format(harTime),
		Time:            wait,
		Request:         req,
		Response:        resp,
		Timings:         harTimings{Send: 0, Wait: wait, Receive: 0},
		Hookscope:       h,
	}
}

// requestURL rebuilds the URL the sender used. The scheme is http, what
// the listener spoke (a tunnel in front may have used https). The host is
// the request's, else the Host header's; url.URL escapes what could not be
// in a URL.
func requestURL(ev store.Event) string {
	host := ev.Host
	if host == "" {
		host = ev.Header.Get("Host")
	}
	if host == "" {
		host = "localhost"
	}
	// The path as sent (an encoded slash kept), not url.URL's: it drops a
	// raw path holding a byte it would escape, encoded slash and all.
	p := ev.EscapedPath()
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	u := url.URL{Scheme: "http", Host: host}
	s := u.String() + p
	if ev.Query != "" {
		s += "?" + ev.Query
	}
	return s
}

// bodyText is a body as HAR text: the body itself when it is valid UTF-8,
// otherwise its standard base64 with encoding "base64".
func bodyText(b []byte) (text, encoding string) {
	if utf8.Valid(b) {
		return string(b), ""
	}
	return base64.StdEncoding.EncodeToString(b), "base64"
}

func headerNV(h store.Header) []harNV {
	out := make([]harNV, len(h))
	for i, f := range h {
		out[i] = harNV{Name: f.Name, Value: f.Value}
	}
	return out
}

// queryNV splits a raw query into its parameters in order, decoded where
// they decode (url.ParseQuery would lose the order).
func queryNV(raw string) []harNV {
	out := []harNV{}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		out = append(out, harNV{Name: k, Value: v})
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
