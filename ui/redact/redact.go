// Package redact masks secrets in captured deliveries before they are shown
// or exported: values of known secret JSON, form and XML fields (keeping the
// body's shape), credential-bearing headers, and configured secret strings
// wherever they appear.
//
// It is pure: no I/O, no rendering. The TUI uses it for the list, the
// detail view and copy-as-curl; ls, show, the headless listener, replay's
// progress lines and exports use it for the same reasons, so there is one
// masking rule.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"slices"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/store/jwttoken"
	"github.com/hookscope/hookscope/ui/internal/jsonscan"
)

// Mask is the default replacement for a secret value.
const Mask = "••••••••"

// DefaultFields are the JSON, form and XML field names whose values are secret,
// matched case-insensitively at any depth. Talkdesk's app.installed event
// carries client_secret and private_key.
var DefaultFields = []string{
	"client_secret", "private_key", "password", "access_token", "refresh_token",
	"id_token", "api_key", "apikey", "secret",
}

// DefaultHeaders are the header names whose values carry credentials,
// matched case-insensitively.
var DefaultHeaders = []string{
	"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "X-Auth-Token",
}

// MinSecretLen is the shortest configured secret that is replaced in text;
// shorter ones would mask ordinary words and are ignored.
const MinSecretLen = 4

// Redactor masks secrets. The zero value masks nothing; use New for the
// defaults. A Redactor is safe for concurrent use once built.
type Redactor struct {
	// Fields are JSON/form field names whose values are masked.
	Fields []string
	// Headers are header names whose values are masked.
	Headers []string
	// Secrets are literal strings replaced wherever they appear, as they
	// are or percent-encoded (bodies, header values, paths, queries).
	// Strings shorter than MinSecretLen are ignored.
	Secrets []string
	// Mask replaces each secret value; "" means the package's Mask.
	Mask string
}

// New returns a Redactor with DefaultFields, DefaultHeaders and the given
// configured secrets.
func New(secrets []string) *Redactor {
	return &Redactor{Fields: DefaultFields, Headers: DefaultHeaders, Secrets: secrets}
}

func (r *Redactor) mask() string {
	if r.Mask == "" {
		return Mask
	}
	return r.Mask
}

func (r *Redactor) isField(name string) bool {
	for _, f := range r.Fields {
		if strings.EqualFold(f, name) {
			return true
		}
	}
	return false
}

// IsSecretHeader reports whether the values of header name are masked.
func (r *Redactor) IsSecretHeader(name string) bool {
	for _, h := range r.Headers {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

// Body masks a body the way the detail view decides what it is: the header
// and claims of a compact JWT (decoded, masked, encoded again), secret
// fields of a JSON document (one that starts with '{' or '[', whatever its
// content type says: curl -d labels JSON a form), a form or an XML document
// (by its content type, or a body that starts with '<'), then configured
// secrets anywhere. Any other body is masked as JSON, which finds nothing
// in text that is not, and has its configured secrets replaced. It returns
// the masked bytes (body itself when nothing changed) and how many values
// were masked.
func (r *Redactor) Body(body []byte, contentType string) ([]byte, int) {
	out, n := body, 0
	ct := strings.ToLower(contentType)
	form := strings.Contains(ct, "x-www-form-urlencoded")
	trimmed := bytes.TrimLeft(out, " \t\r\n")
	startsJSON := len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
	tok, quoted, isJWT := jwttoken.Find(out)
	switch {
	case isJWT:
		out, n = r.jwt(out, tok, quoted)
	case form && !startsJSON:
		out, n = r.Form(out)
	case !startsJSON && (strings.Contains(ct, "xml") || bytes.HasPrefix(trimmed, []byte("<"))):
		out, n = r.XML(out)
	default:
		out, n = r.JSON(out)
		var e int
		out, e = r.escapedJSON(out)
		n += e
		if form && !json.Valid(body) {
			// Not JSON after all (the view shows it as text): its form
			// fields are masked too.
			var f int
			out, f = r.Form(out)
			n += f
		}
	}
	out, m := r.Bytes(out)
	return out, n + m
}

// jwt masks secret fields and configured secrets in the JSON of a compact
// JWT's header and claims, which a viewer decodes and shows, and encodes
// them again. The signature then no longer matches the masked token: the
// stored bytes are what replay and verification use.
// tok and quoted are what jwttoken.Find found in body.
func (r *Redactor) jwt(body, tok []byte, quoted bool) ([]byte, int) {
	parts := bytes.SplitN(tok, []byte("."), 3)
	n := 0
	for i := range 2 {
		seg, err := jwttoken.Segment(parts[i])
		if err != nil || !json.Valid(seg) {
			continue
		}
		masked, k := r.JSON(seg)
		var e, m int
		masked, e = r.escapedJSON(masked)
		masked, m = r.Bytes(masked)
		if k+e+m == 0 {
			continue
		}
		parts[i] = []byte(base64.RawURLEncoding.EncodeToString(masked))
		n += k + e + m
	}
	if n == 0 {
		return body, 0
	}
	masked := bytes.Join(parts, []byte("."))
	// What surrounds the token stays; a quoted token (which may have held
	// escapes or spaces inside its quotes) is given back quoted plainly.
	at := bytes.TrimSpace(body)
	if quoted {
		masked = append(append([]byte{'"'}, masked...), '"')
	} else {
		at = tok
	}
	start := bytes.Index(body, at)
	out := append([]byte{}, body[:start]...)
	out = append(out, masked...)
	return append(out, body[start+len(at):]...), n
}

// escapedJSON masks configured secrets that a JSON string holds only once
// its escapes are decoded: PHP's encoder writes every "/" as "\/", Go's
// writes "<", ">" and "&" as \u escapes, and any encoder may escape any
// character, so a base64 secret can reach a body as "ab\/cd". A string
// holding one is written again, JSON-encoded, with the secret masked;
// every other byte stays as it was.
func (r *Redactor) escapedJSON(doc []byte) ([]byte, int) {
	if bytes.IndexByte(doc, '\\') < 0 || !r.hasSecrets() {
		return doc, 0
	}
	var out []byte
	last, n := 0, 0
	for t := range jsonscan.New(doc).Tokens() {
		raw := doc[t.Start:t.End]
		if t.Kind != jsonscan.String || bytes.IndexByte(raw, '\\') < 0 {
			continue
		}
		masked, k := r.literal(jsonscan.Unquote(raw))
		if k == 0 {
			continue
		}
		enc, err := json.Marshal(masked)
		if err != nil {
			continue
		}
		out = append(append(out, doc[last:t.Start]...), enc...)
		last = t.End
		n += k
	}
	if n == 0 {
		return doc, 0
	}
	return append(out, doc[last:]...), n
}

// JSON masks the values of secret fields in a JSON document, keeping every
// other byte as it was. Each masked value, whatever its type, becomes a JSON
// string holding the mask, so valid JSON stays valid JSON of the same shape.
//
// Invalid JSON is masked too, as far as its tokens go: a body cut by
// --max-body, or one with a raw control character in a string, still holds
// secrets. A key is a string followed by a colon; a value that is not a
// JSON token is masked up to the next ',', '}', ']' or line break.
func (r *Redactor) JSON(doc []byte) ([]byte, int) {
	if len(r.Fields) == 0 {
		return doc, 0
	}
	maskJSON, _ := json.Marshal(r.mask())
	var out []byte
	last, n := 0, 0
	s := jsonscan.New(doc)
	for t := range s.Tokens() {
		if t.Kind != jsonscan.String || !r.isField(jsonscan.Unquote(doc[t.Start:t.End])) {
			continue
		}
		if c := s.Next(); c.Kind != jsonscan.Colon {
			continue // a value that reads like a field name
		}
		v := s.Next()
		end := s.SkipValue(v)
		if v.Kind == jsonscan.Invalid {
			end = v.Start
			for end < len(doc) && strings.IndexByte(",}]\n", doc[end]) < 0 {
				end++
			}
			// Go on after what was masked: a field name inside it is
			// masked already, and writing its value would go back
			// before last.
			s.Seek(end)
		}
		out = append(out, doc[last:v.Start]...)
		out = append(out, maskJSON...)
		last = end
		n++
	}
	if n == 0 {
		return doc, 0
	}
	return append(out, doc[last:]...), n
}

// Form masks the values of secret fields in an
// application/x-www-form-urlencoded body, keeping field order and every
// other byte. The mask goes in percent-encoded, as a form value is.
func (r *Redactor) Form(body []byte) ([]byte, int) {
	out, n := r.fields(string(body), url.QueryEscape(r.mask()))
	if n == 0 {
		return body, 0
	}
	return []byte(out), n
}

// Query masks a raw query string: configured secrets anywhere, then the
// values of secret fields (?client_secret=…), found by name as Form finds
// them in a body. Unlike Form, it writes the mask as it is rather than
// percent-encoded: the query is shown as sent, where an encoded mask reads
// as 72 characters of %E2%80%A2 beside the configured secrets' mask.
func (r *Redactor) Query(q string) (string, int) {
	q, n := r.String(q)
	q, f := r.queryFields(q)
	return q, n + f
}

// queryFields masks the values of the secret fields of raw query q, the
// mask written as it is.
func (r *Redactor) queryFields(q string) (string, int) { return r.fields(q, r.mask()) }

// fields writes mask for the value of each secret field of s, name=value
// pairs joined by "&" (a form body or a raw query), a field found by its
// percent-decoded name. It returns s itself when no field is secret.
func (r *Redactor) fields(s, mask string) (string, int) {
	if s == "" || len(r.Fields) == 0 {
		return s, 0
	}
	parts := strings.Split(s, "&")
	n := 0
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		if name, err := url.QueryUnescape(k); err != nil || !r.isField(name) {
			continue
		}
		parts[i] = k + "=" + mask
		n++
	}
	if n == 0 {
		return s, 0
	}
	return strings.Join(parts, "&"), n
}

// XML masks the text of elements whose local name is a secret field
// (<client_secret>…</client_secret>, a CDATA section included), keeping
// every other byte. A value split by a comment, a processing instruction
// or a CDATA section is masked whole, from the start tag to its last text.
// An element holding other elements is left alone. A document that stops
// parsing is masked up to where it breaks.
func (r *Redactor) XML(doc []byte) ([]byte, int) {
	if len(r.Fields) == 0 {
		return doc, 0
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	// in is where the content of an open secret element starts (-1:
	// none); text is where the last of its text read so far ends (-1: no
	// text yet).
	var spans [][2]int64
	in, text := int64(-1), int64(-1)
	for {
		tok, err := d.RawToken()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.CharData:
			if in >= 0 {
				text = d.InputOffset()
			}
		case xml.EndElement:
			if in >= 0 && text >= 0 {
				spans = append(spans, [2]int64{in, text})
			}
			in, text = -1, -1
		case xml.StartElement:
			in, text = -1, -1
			if r.isField(t.Name.Local) {
				in = d.InputOffset()
			}
		}
		// Comments, processing instructions and directives leave an
		// open secret element open: text after them is still its value.
	}
	if len(spans) == 0 {
		return doc, 0
	}
	out := make([]byte, 0, len(doc))
	last := int64(0)
	for _, sp := range spans {
		out = append(append(out, doc[last:sp[0]]...), r.mask()...)
		last = sp[1]
	}
	return append(out, doc[last:]...), len(spans)
}

// Header returns a copy of h with the values of secret headers masked and
// configured secrets replaced in every value. An Authorization value keeps
// its scheme ("Bearer ••••••••"); a Cookie keeps its cookie names. The
// second result counts masked values.
func (r *Redactor) Header(h store.Header) (store.Header, int) {
	out := make(store.Header, len(h))
	n := 0
	for i, f := range h {
		v := f.Value
		if r.IsSecretHeader(f.Name) && v != "" {
			v = r.headerValue(f.Name, v)
			n++
		} else if w, m := r.String(v); m > 0 {
			v = w
			n += m
		}
		out[i] = store.Field{Name: f.Name, Value: v}
	}
	return out, n
}

func (r *Redactor) headerValue(name, v string) string {
	switch {
	case strings.EqualFold(name, "Cookie"):
		cookies := strings.Split(v, ";")
		for i, c := range cookies {
			k, _, ok := strings.Cut(c, "=")
			if ok {
				cookies[i] = k + "=" + r.mask()
			} else {
				cookies[i] = r.mask()
			}
		}
		return strings.Join(cookies, ";")
	case strings.EqualFold(name, "Set-Cookie"):
		k, _, ok := strings.Cut(v, "=")
		if ok && !strings.ContainsAny(k, ";") {
			return k + "=" + r.mask()
		}
		return r.mask()
	case strings.EqualFold(name, "Authorization"), strings.EqualFold(name, "Proxy-Authorization"):
		scheme, _, ok := strings.Cut(v, " ")
		if ok && scheme != "" && isToken(scheme) {
			return scheme + " " + r.mask()
		}
	}
	return r.mask()
}

func isToken(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// String replaces every configured secret in s with the mask and returns
// how many replacements were made. A secret is found however much of it is
// percent-encoded (a "+" standing for a space too): a sender may encode any
// of its characters in a path or query, and attempt targets, errors quoting
// them and form bodies carry it that way. Only the encoded stretch that
// holds the secret is replaced; the rest of s is left as it was.
func (r *Redactor) String(s string) (string, int) {
	s, n := r.literal(s)
	s, m := r.encoded(s)
	return s, n + m
}

// literal replaces the configured secrets where they appear as they are.
func (r *Redactor) literal(s string) (string, int) {
	n := 0
	for _, sec := range r.Secrets {
		if len(sec) < MinSecretLen {
			continue
		}
		if c := strings.Count(s, sec); c > 0 {
			s = strings.ReplaceAll(s, sec, r.mask())
			n += c
		}
	}
	return s, n
}

// encoded replaces the configured secrets that appear in s once it is
// percent-decoded, mapping each one found back to the bytes of s that
// encode it. Literal ones are replaced first, by literal: decoding could
// change a secret that holds a "%" itself.
func (r *Redactor) encoded(s string) (string, int) {
	if !r.hasSecrets() {
		return s, 0
	}
	n := 0
	for _, plus := range []bool{false, true} {
		// A "+" only matters for a secret with a space: skipping the pass
		// otherwise spares large bodies (base64 is full of "+") a copy.
		if plus && !(strings.Contains(s, "+") && r.spaced()) || !plus && !strings.Contains(s, "%") {
			continue
		}
		dec := percentDecode(s, plus, nil)
		var spans [][2]int // in dec, then in s
		for _, sec := range r.Secrets {
			if len(sec) < MinSecretLen {
				continue
			}
			for i := 0; ; {
				j := strings.Index(dec[i:], sec)
				if j < 0 {
					break
				}
				spans = append(spans, [2]int{i + j, i + j + len(sec)})
				i += j + len(sec)
			}
		}
		if len(spans) == 0 {
			continue
		}
		n += len(spans)
		at := make([]int, 0, len(dec)+1)
		percentDecode(s, plus, &at)
		for i := range spans {
			spans[i] = [2]int{at[spans[i][0]], at[spans[i][1]]}
		}
		slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
		var b strings.Builder
		last := 0
		for _, sp := range spans {
			if sp[0] < last { // overlaps the one before: already masked
				last = max(last, sp[1])
				continue
			}
			b.WriteString(s[last:sp[0]])
			b.WriteString(r.mask())
			last = sp[1]
		}
		b.WriteString(s[last:])
		s = b.String()
	}
	return s, n
}

// hasSecrets reports whether a configured secret is long enough to be
// looked for.
func (r *Redactor) hasSecrets() bool {
	return slices.ContainsFunc(r.Secrets, func(sec string) bool { return len(sec) >= MinSecretLen })
}

// spaced reports whether a configured secret holds a space, which a query
// or form may send as "+".
func (r *Redactor) spaced() bool {
	for _, sec := range r.Secrets {
		if len(sec) >= MinSecretLen && strings.Contains(sec, " ") {
			return true
		}
	}
	return false
}

// percentDecode decodes the %XX escapes of s (and a "+" as a space when
// plus), leaving anything else, a malformed escape included, as it is.
// When at is not nil, it gets where the encoding of each byte of the
// result starts in s, and len(s) last.
func percentDecode(s string, plus bool, at *[]int) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if at != nil {
			*at = append(*at, i)
		}
		switch {
		case s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 3
		case s[i] == '+' && plus:
			b = append(b, ' ')
			i++
		default:
			b = append(b, s[i])
			i++
		}
	}
	if at != nil {
		*at = append(*at, len(s))
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// Target returns ev's request target with configured secrets replaced (and
// secret fields of the query masked, see Query):
// the percent-decoded path, the path as sent (ev.RawPath) and the raw
// query, and how many secrets were replaced. A raw path that no longer
// decodes to the masked path (one holding a secret with some of its
// characters encoded, so that it never appears literally) comes back empty
// (store.RawPathFor): masked, it is not the path as sent anyway, and the
// masked path is encoded instead when there is no raw path.
func (r *Redactor) Target(ev store.Event) (path, rawPath, query string, n int) {
	path, np := r.String(ev.Path)
	// Literal only: a raw path holding a secret encoded is dropped below
	// rather than masked, so that it stays an encoding of the path.
	rawPath, nr := r.literal(ev.RawPath)
	query, nq := r.Query(ev.Query)
	rawPath = store.RawPathFor(path, rawPath)
	// An occurrence in both forms of the path is one secret in the target.
	return path, rawPath, query, max(np, nr) + nq
}

// PathQuery is a decoded path and a raw query as the list and the detail
// show them, "path?query" (path alone when query is empty), with
// configured secrets and the query's secret fields masked as Target masks
// them; Target's raw-path work is for what is sent again. A nil Redactor
// masks nothing: the TUI passes nil for a delivery whose secrets are
// revealed.
func (r *Redactor) PathQuery(path, query string) string {
	if r != nil {
		path, _ = r.String(path)
		query, _ = r.Query(query)
	}
	if query == "" {
		return path
	}
	return path + "?" + query
}

// RequestTarget masks a request target or URL as sent, "…?query": the
// secret fields of its query (see Query), then configured secrets anywhere
// in it, so that one spanning the "?" is masked whole. It returns how many
// were masked. Attempt masks an attempt's target by the same rule.
func (r *Redactor) RequestTarget(t string) (string, int) {
	t, nf := r.targetFields(t)
	t, ns := r.String(t)
	return t, nf + ns
}

// targetFields masks the secret fields of the query of target t, the
// part after its first "?", and returns how many.
func (r *Redactor) targetFields(t string) (string, int) {
	base, query, ok := strings.Cut(t, "?")
	if !ok {
		return t, 0
	}
	masked, n := r.queryFields(query)
	if n == 0 {
		return t, 0
	}
	return base + "?" + masked, n
}

// Attempt returns a with configured secrets replaced in its target and
// error, and how many were. Both can hold the delivery's path and query: a
// live forward or a replay with --keep-path appends them to the URL, and a
// transport error quotes the URL. The query's secret fields are masked too
// (see Query), in the target and where the error quotes it. The response is
// masked with Header and Body.
func (r *Redactor) Attempt(a store.Attempt) (store.Attempt, int) {
	var nt, ne int
	masked, nf := r.targetFields(a.Target)
	if nf > 0 {
		a.Error = strings.ReplaceAll(a.Error, a.Target, masked)
		// A password is recorded in the target as url.Redacted writes
		// it and quoted in net/http's errors as user:***@.
		if quoted := strings.Replace(a.Target, ":xxxxx@", ":***@", 1); quoted != a.Target {
			a.Error = strings.ReplaceAll(a.Error, quoted, strings.Replace(masked, ":xxxxx@", ":***@", 1))
		}
		a.Target = masked
	}
	a.Target, nt = r.String(a.Target)
	a.Error, ne = r.String(a.Error)
	return a, nf + nt + ne
}

// Bytes is String for byte slices; b is returned unchanged when it holds no
// configured secret.
func (r *Redactor) Bytes(b []byte) ([]byte, int) {
	n := 0
	for _, sec := range r.Secrets {
		if len(sec) < MinSecretLen {
			continue
		}
		if c := bytes.Count(b, []byte(sec)); c > 0 {
			b = bytes.ReplaceAll(b, []byte(sec), []byte(r.mask()))
			n += c
		}
	}
	// encoded needs a string copy of b: not made when it has nothing to do.
	if !r.hasSecrets() || bytes.IndexByte(b, '%') < 0 && !(bytes.IndexByte(b, '+') >= 0 && r.spaced()) {
		return b, n
	}
	s, m := r.encoded(string(b))
	if m == 0 {
		return b, n
	}
	return []byte(s), n + m
}

// Analysis returns a with configured secrets replaced in the text that
// verification built from the delivery (the event type, the signature's
// reason, notes such as the repeated-key one, schema errors and reason),
// and how many were: that text quotes the body and headers, where a
// sender may have put a secret. a itself is not changed; nil stays nil.
func (r *Redactor) Analysis(a *store.Analysis) (*store.Analysis, int) {
	if a == nil || r == nil || !r.hasSecrets() {
		return a, 0
	}
	total := 0
	out, _ := a.MapText(func(s string) (string, bool) {
		v, n := r.String(s)
		total += n
		return v, n > 0
	})
	return out, total
}
