package store

import (
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Field is one HTTP header line as received: the name in its original case
// and one value. A header sent twice is two Fields, in received order.
type Field struct {
	Name  string
	Value string
}

// Header is the ordered list of header lines of a delivery. Unlike
// http.Header it keeps the order in which different names arrived.
type Header []Field

// Values returns every value of the header name (case-insensitive), in
// received order.
func (h Header) Values(name string) []string {
	var out []string
	for _, f := range h {
		if equalFoldASCII(f.Name, name) {
			out = append(out, f.Value)
		}
	}
	return out
}

// Get returns the first value of name (case-insensitive), or "".
func (h Header) Get(name string) string {
	for _, f := range h {
		if equalFoldASCII(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Canonical groups the values by canonical header name, keeping the order in
// which each name first appeared. It is the shape of the "headers" JSON field.
func (h Header) Canonical() []NamedValues {
	var out []NamedValues
	index := map[string]int{}
	for _, f := range h {
		k := textproto.CanonicalMIMEHeaderKey(f.Name)
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, NamedValues{Name: k})
		}
		out[i].Values = append(out[i].Values, f.Value)
	}
	return out
}

// hopByHop are the headers that describe one connection, not the message
// (RFC 9110 §7.6.1), by canonical name.
var hopByHop = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Proxy-Authenticate": true,
	"Proxy-Authorization": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
}

// HopByHop reports whether the header named name (any case) describes one
// connection rather than the message (RFC 9110 §7.6.1).
func HopByHop(name string) bool { return hopByHop[textproto.CanonicalMIMEHeaderKey(name)] }

// ConnectionScoped reports whether the header named k (canonical) belongs
// to one connection rather than the message: it is hop-by-hop, or the
// message's Connection header (whose values are conn) names it. Replay,
// forwarding and copies never carry such headers from a stored delivery to a
// new request, nor from the app's answer to the provider.
func ConnectionScoped(k string, conn []string) bool {
	if hopByHop[k] {
		return true
	}
	for _, v := range conn {
		for v != "" {
			var name string
			name, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(name), k) {
				return true
			}
		}
	}
	return false
}

// ValidHeaderName reports whether name is an HTTP token (RFC 9110), the only
// thing that may stand before a header's colon.
func ValidHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// ValidHeaderValue reports whether v holds no control characters but tab: a
// line break would let a value add header lines of its own.
func ValidHeaderValue(v string) bool { return HeaderValueFault(v) < 0 }

// HeaderValueFault is the index of the first byte of v that ValidHeaderValue
// refuses, or -1.
func HeaderValueFault(v string) int {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return i
		}
	}
	return -1
}

// NamedValues is one canonical header name with all its values.
type NamedValues struct {
	Name   string
	Values []string
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Response is what hookscope answered to a delivery.
type Response struct {
	Status     int     `json:"status"`
	DurationMS float64 `json:"duration_ms"`
}

// Event is the metadata of one captured delivery. Its body bytes are stored
// separately (see DB.Body) so that listing never reads bodies.
type Event struct {
	ID         string    // time-ordered, unique; see NewID
	ReceivedAt time.Time // UTC
	Method     string
	Path       string // without query, percent-decoded
	// RawPath is the path as it was sent, percent-encoding included, when
	// that differs from the default encoding of Path (net/url's RawPath
	// rule: /a%2Fb, or %41 for A); empty otherwise. See EscapedPath.
	RawPath    string
	Query      string // raw query string
	Host       string
	RemoteAddr string
	Proto      string
	Header     Header
	// Trailer is the trailer section of a chunked request, the fields
	// sent after the last chunk, names canonical; nil when there were
	// none. The body is stored de-chunked, so this is the only place they
	// are kept. Events stored before trailers were recorded have none.
	Trailer   Header `json:",omitempty"`
	Size      int64  // body bytes received (stored; see Truncated)
	Truncated bool   // the body is not whole (see TruncatedBy)
	// ContentType and ContentEncoding are copied from the headers for
	// convenience; a gzip body is stored as received, flagged by
	// ContentEncoding, and decoded only for display.
	ContentType     string
	ContentEncoding string
	Response        Response
	// Imported marks deliveries that came from an import rather than the
	// listener.
	Imported bool
	// Forward is the answer of the app under development when the listener
	// forwards live traffic; nil when not forwarded.
	Forward *Attempt
	// Refused says why the HTTP server answered the request itself,
	// before hookscope's handler saw it (a header line it could not
	// parse); "" for a request that was handled. Such a request is stored
	// from the bytes read off the connection, as far as they go.
	Refused string `json:",omitempty"`
}

// EscapedPath is the path to put back on the wire (show --raw, replay,
// exports): as it was sent when RawPath holds that, else Path encoded. See
// EscapePath.
func (e *Event) EscapedPath() string {
	return EscapePath(e.Path, e.RawPath)
}

// EscapePath returns a path as it goes on the wire: rawPath, the form it
// was sent in, when that decodes to path, with only the bytes a URL path
// may not hold ({, |, ", a space…) percent-encoded; else path encoded by
// net/url. net/url's own EscapedPath drops such a rawPath whole, and with
// it an encoded slash: /a%2Fb/{id} would go back out as /a/b/%7Bid%7D, a
// different path to a router.
func EscapePath(path, rawPath string) string {
	if raw := RawPathFor(path, rawPath); raw != "" {
		return escapePathBytes(raw)
	}
	return (&url.URL{Path: path}).EscapedPath()
}

// RawPathFor returns rawPath when it is a form of path as sent (it decodes
// to path), else "". A raw path is only ever an encoding of its path: one
// that no longer decodes to it (the path masked since, while the raw form
// held the secret percent-encoded) must be dropped, not shown or sent.
func RawPathFor(path, rawPath string) string {
	if rawPath == "" {
		return ""
	}
	if dec, err := url.PathUnescape(rawPath); err != nil || dec != path {
		return ""
	}
	return rawPath
}

// escapePathBytes percent-encodes the bytes of p that RFC 3986 does not
// allow in a path (pchar and "/"; "%" is kept, p's escapes being valid),
// so that net/url accepts the result as a RawPath.
func escapePathBytes(p string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(p); i++ {
		c := p[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~!$&'()*+,;=:@[]%/", c) >= 0 {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(p)+8), p[:i]...)
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	if b == nil {
		return p
	}
	return string(b)
}

// Signature is the verdict on a delivery's signature.
type Signature struct {
	Status    string `json:"status"` // SigValid, SigInvalid, SigUnverifiable, SigUnsigned, SigPending
	Scheme    string `json:"scheme"`
	KeyID     string `json:"key_id"`
	Algorithm string `json:"algorithm"`
	Reason    string `json:"reason"`
}

// Signature statuses.
const (
	SigValid        = "valid"
	SigInvalid      = "invalid"
	SigUnverifiable = "unverifiable"
	SigUnsigned     = "unsigned"
	// SigPending is never stored: it is what output shows before a verdict
	// is known.
	SigPending = "pending"
)

// SchemaError is one place where a payload departs from its message schema.
type SchemaError struct {
	Path    string `json:"path"`    // JSON pointer into the payload (or /headers/Name)
	Keyword string `json:"keyword"` // schema keyword that failed, e.g. "required"
	Message string `json:"message"` // a sentence a person understands
	// Line is, for a KeywordSyntax error, the 1-based line of the body
	// where the JSON breaks (there is no pointer into a body that does not
	// parse); 0 otherwise.
	Line int `json:"line,omitempty"`
}

// MapText returns a copy of a with f applied to the text verification
// built from the delivery (the event type, the signature's reason and key
// id, notes, schema errors' paths and messages, the schema's reason), and
// whether f changed any; a itself when it did not, nil for nil. Masking
// uses it: that text quotes the body and headers.
func (a *Analysis) MapText(f func(string) (string, bool)) (*Analysis, bool) {
	if a == nil {
		return nil, false
	}
	out, any := *a, false
	apply := func(s *string) {
		v, c := f(*s)
		*s, any = v, any || c
	}
	apply(&out.EventType)
	apply(&out.Signature.Reason)
	apply(&out.Signature.KeyID)
	out.Notes = slices.Clone(a.Notes)
	for i := range out.Notes {
		apply(&out.Notes[i])
	}
	if a.Schema != nil {
		sc := *a.Schema
		sc.Errors = slices.Clone(sc.Errors)
		for i := range sc.Errors {
			apply(&sc.Errors[i].Path)
			apply(&sc.Errors[i].Message)
		}
		apply(&sc.Reason)
		out.Schema = &sc
	}
	if !any {
		return a, false
	}
	return &out, true
}

// Without returns a copy of h without its fields called name (any case).
func (h Header) Without(name string) Header {
	return slices.DeleteFunc(slices.Clone(h), func(f Field) bool { return strings.EqualFold(f.Name, name) })
}

// Codings returns the codings h's Content-Encoding lines name, all of
// them, joined as one list (", "), in the order applied: a sender may split
// them over several lines, and Get would see only the first.
func (h Header) Codings() string {
	return strings.Join(h.Values("Content-Encoding"), ", ")
}

// Codings is the delivery's content codings: every Content-Encoding line
// of its header (Header.Codings), or ContentEncoding when the header has
// none (an event built without its header lines).
func (e *Event) Codings() string {
	if c := e.Header.Codings(); c != "" {
		return c
	}
	return e.ContentEncoding
}

// KeywordSyntax is the keyword of the one error a body gets that claims to be
// JSON but does not parse; its message says where it breaks ("… at offset
// 47 (line 3, column 18)"), its Line says it too, and its Path is the root.
const KeywordSyntax = "syntax"

// KeywordSpec is the keyword of an error that is the spec's fault, not the
// payload's: the message's schema could not be applied (a reference cycle
// the loader did not catch). Its message says so.
const KeywordSpec = "spec"

// SchemaResult is the outcome of matching a delivery to an AsyncAPI message
// and validating it.
type SchemaResult struct {
	Status    string        `json:"status"` // SchemaValid, SchemaInvalid, SchemaUnmatched, SchemaSkipped
	Message   string        `json:"message"`
	Channel   string        `json:"channel"`
	BestGuess bool          `json:"best_guess"`
	Errors    []SchemaError `json:"errors"`
	// Reason says why the result is unmatched or skipped.
	Reason string `json:"reason,omitempty"`
}

// Schema statuses.
const (
	SchemaValid     = "valid"
	SchemaInvalid   = "invalid"
	SchemaUnmatched = "unmatched"
	SchemaSkipped   = "skipped"
)

// Analysis is everything hookscope concluded about a delivery after it was
// stored: who sent it, whether the signature holds, which message it is.
type Analysis struct {
	Provider  string `json:"provider"`
	EventType string `json:"event_type"`
	// ProviderEventID is the provider's own event id (Talkdesk event_id/id,
	// TalkifAI id), used for duplicate detection; empty when none.
	ProviderEventID string        `json:"provider_event_id,omitempty"`
	DuplicateOf     string        `json:"duplicate_of"`
	Signature       Signature     `json:"signature"`
	Schema          *SchemaResult `json:"schema,omitempty"`
	// Notes are extra findings in words (DCE bearer token present, unreplaced
	// HTTP Notifier placeholders, …).
	Notes      []string  `json:"notes,omitempty"`
	AnalyzedAt time.Time `json:"analyzed_at"`
}

// Attempt is one sending of a stored delivery to a target: a replay, or the
// live forward of the listener.
type Attempt struct {
	Seq        int       `json:"seq"` // 1-based attempt number per event
	At         time.Time `json:"at"`
	Target     string    `json:"target"`
	Status     int       `json:"status"` // 0 when no response
	DurationMS float64   `json:"duration_ms"`
	Error      string    `json:"error"`
	// RespHeader and RespBody are the target's answer; the body is capped.
	RespHeader Header `json:"-"`
	RespBody   []byte `json:"-"`
	// Edited marks a replay of a modified copy of the body.
	Edited bool `json:"edited,omitempty"`
}

// MaxAttemptBody bounds the answer body kept with an attempt: capture
// keeps no more, and an import refuses more.
const MaxAttemptBody = 64 << 10

// MaxAttemptHead bounds the head (status line and header lines) of an
// attempt's answer: capture treats a larger one as an error, and an import
// refuses header lines that add up to more.
const MaxAttemptHead = 64 << 10

// Why a truncated delivery's body is not whole (TruncatedBy).
const (
	CutBySizeLimit = "size limit" // larger than --max-body: answered 413
	CutInTransit   = "in transit" // cut off, or chunks or trailers malformed: answered 400
	CutWithHead    = "with head"  // a head net/http refused: only what came with it
)

// TruncatedBy says why the body of a truncated delivery is not whole, ""
// when it is whole. The listener answers each case with its own status,
// which is how it is told apart: a body over --max-body gets 413, one that
// did not arrive whole 400.
func (e Event) TruncatedBy() string {
	switch {
	case !e.Truncated:
		return ""
	case e.Refused != "":
		return CutWithHead
	case e.Response.Status == 400:
		return CutInTransit
	}
	return CutBySizeLimit
}
