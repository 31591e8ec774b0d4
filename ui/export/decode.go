package export

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hookscope/hookscope/store"
)

// Batch is a parsed import file: deliveries to store with their bodies, in
// file order. Ids are left empty: the store derives them from ReceivedAt.
type Batch struct {
	Format Format
	Events []*store.Event
	Bodies [][]byte
	// States holds, per delivery, its pin and replay attempts (JSONL; a
	// HAR entry restores only the pin). A live forward is in its Event.
	States []store.ImportState
	// Masked counts the deliveries hookscope's export marked as masked
	// (secrets_masked): not the bytes received, so a signed one fails
	// verification.
	Masked int
}

func (b *Batch) add(ev *store.Event, body []byte, st store.ImportState, masked bool) {
	b.Events, b.Bodies, b.States = append(b.Events, ev), append(b.Bodies, body), append(b.States, st)
	if masked {
		b.Masked++
	}
}

// ParseError locates what is wrong in an import file: a JSONL line or a HAR
// entry, both counted from 1.
type ParseError struct {
	Format Format
	Line   int // JSONL
	Entry  int // HAR
	Err    error
}

// Error names the position first, as a user looks for it.
func (e *ParseError) Error() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	case e.Entry > 0:
		return fmt.Sprintf("HAR entry %d: %v", e.Entry, e.Err)
	}
	return e.Err.Error()
}

// Unwrap returns the underlying problem.
func (e *ParseError) Unwrap() error { return e.Err }

// ErrUnknownFormat means an import file is neither HAR nor hookscope JSONL.
var ErrUnknownFormat = errors.New("not a HAR file or hookscope JSONL export")

// Decode reads a whole import file, HAR or hookscope JSONL (told apart by
// content: a HAR document is one object whose member is "log"), and
// validates every delivery in it. Any problem fails the whole file with a
// *ParseError naming the line or entry, so a caller that stores the Batch
// in one ImportAll imports all of it or nothing.
func Decode(r io.Reader) (*Batch, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	// Skip a UTF-8 byte order mark, which some tools write.
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	isHAR, err := looksLikeHAR(br)
	if err != nil {
		return nil, err
	}
	if isHAR {
		return decodeHAR(br)
	}
	return decodeJSONL(br)
}

// looksLikeHAR reads the start of the file without consuming it: a JSON
// object whose first member is "log" is HAR; any other object starts JSONL,
// whose decoder then reports line by line what is wrong.
func looksLikeHAR(br *bufio.Reader) (bool, error) {
	head, err := peekLine(br)
	if err != nil {
		return false, err
	}
	if t := bytes.TrimSpace(head); len(t) > 0 && t[0] != '{' {
		return false, ErrUnknownFormat
	}
	// A pretty-printed HAR puts "log" on a later line: look further.
	if more, _ := br.Peek(64 << 10); len(more) > len(head) {
		head = more
	}
	dec := json.NewDecoder(bytes.NewReader(head))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false, ErrUnknownFormat
	}
	tok, _ := dec.Token()
	return tok == "log", nil
}

// peekLine returns the first line without consuming it, up to the reader's
// buffer size.
func peekLine(br *bufio.Reader) ([]byte, error) {
	for n := 4096; ; n *= 2 {
		b, err := br.Peek(n)
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			return b[:i], nil
		}
		if err != nil {
			if err == io.EOF || errors.Is(err, bufio.ErrBufferFull) {
				if len(b) == 0 {
					return nil, errors.New("the file is empty")
				}
				return b, nil
			}
			return nil, err
		}
	}
}

// maxLine bounds one JSONL line: a delivery of the largest body the
// listener accepts by default, base64-encoded, fits many times over.
const maxLine = 1 << 30

func decodeJSONL(r *bufio.Reader) (*Batch, error) {
	b := &Batch{Format: JSONL}
	for line := 1; ; line++ {
		raw, err := readLine(r)
		if err != nil && err != io.EOF {
			return nil, &ParseError{Format: JSONL, Line: line, Err: err}
		}
		if len(bytes.TrimSpace(raw)) > 0 {
			ev, body, st, masked, perr := decodeJSONLine(raw)
			if perr != nil {
				return nil, &ParseError{Format: JSONL, Line: line, Err: perr}
			}
			b.add(ev, body, st, masked)
		}
		if err == io.EOF {
			break
		}
	}
	if len(b.Events) == 0 {
		return nil, errors.New("the file holds no deliveries")
	}
	return b, nil
}

func readLine(r *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		chunk, err := r.ReadSlice('\n')
		out = append(out, chunk...)
		if len(out) > maxLine {
			return nil, fmt.Errorf("line longer than %d bytes", maxLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return out, err
	}
}

// decodeJSONLine decodes one line of a JSONL export: the delivery (its
// live forward included), its body, its pin and replays, and its
// secrets_masked flag.
func decodeJSONLine(raw []byte) (*store.Event, []byte, store.ImportState, bool, error) {
	var none store.ImportState
	var rec store.Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, nil, none, false, fmt.Errorf("invalid JSON: %w", err)
	}
	var extra jsonlExtra
	if err := json.Unmarshal(raw, &extra); err != nil {
		return nil, nil, none, false, fmt.Errorf("invalid JSON: %w", err)
	}
	var body []byte
	switch {
	case extra.Body != nil && extra.BodyBase64 != nil:
		return nil, nil, none, false, errors.New("has both body and body_base64")
	case extra.Body != nil:
		body = []byte(*extra.Body)
	case extra.BodyBase64 != nil:
		var err error
		if body, err = base64.StdEncoding.DecodeString(*extra.BodyBase64); err != nil {
			return nil, nil, none, false, fmt.Errorf("body_base64: %w", err)
		}
	case rec.Size > 0:
		// An `ls --json` line: importing it would store an empty body
		// for a delivery that had one.
		return nil, nil, none, false, fmt.Errorf("has no body or body_base64 for its %d-byte body (make the file with `hookscope export`)", rec.Size)
	default:
		body = []byte{}
	}
	ev := rec.Event
	if rec.ReceivedAt.IsZero() {
		return nil, nil, none, false, errors.New("received_at is missing")
	}
	if extra.RawHeaders != nil {
		ev.Header = make(store.Header, len(extra.RawHeaders))
		for i, nv := range extra.RawHeaders {
			ev.Header[i] = store.Field{Name: nv.Name, Value: nv.Value}
		}
	}
	st := store.ImportState{Pinned: rec.Pinned, Replays: rec.Replays}
	if err := attachAnswers(ev.Forward, st.Replays, extra.AttemptAnswers); err != nil {
		return nil, nil, none, false, err
	}
	if err := finishEvent(&ev, body); err != nil {
		return nil, nil, none, false, err
	}
	if ev.Forward != nil {
		if err := validAttempt("forward", ev.Forward); err != nil {
			return nil, nil, none, false, err
		}
		if ev.Forward.Seq != 0 {
			return nil, nil, none, false, fmt.Errorf("forward: seq %d: the live forward is attempt 0", ev.Forward.Seq)
		}
	}
	if len(st.Replays) > maxImportedReplays {
		return nil, nil, none, false, fmt.Errorf("replays: %d of one delivery, more than the %d an import takes", len(st.Replays), maxImportedReplays)
	}
	prev := 0
	for i := range st.Replays {
		a := &st.Replays[i]
		if err := store.CheckReplaySeq(a.Seq, prev); err != nil {
			return nil, nil, none, false, fmt.Errorf("replays: %w", err)
		}
		prev = a.Seq
		if err := validAttempt(fmt.Sprintf("replay %d", a.Seq), a); err != nil {
			return nil, nil, none, false, err
		}
	}
	return &ev, body, st, extra.SecretsMasked, nil
}

// attachAnswers gives the forward (seq 0) and the replays their full
// answers from attempt_answers. An answer for no attempt, or two for one,
// is refused: the file was not written by an export.
func attachAnswers(forward *store.Attempt, replays []store.Attempt, answers []jsonlAnswer) error {
	seen := map[int]bool{}
	for _, ans := range answers {
		var a *store.Attempt
		if ans.Seq == 0 {
			a = forward
		} else {
			for i := range replays {
				if replays[i].Seq == ans.Seq {
					a = &replays[i]
				}
			}
		}
		what := fmt.Sprintf("attempt_answers: seq %d", ans.Seq)
		switch {
		case a == nil && ans.Seq == 0:
			return fmt.Errorf("%s: there is no forward", what)
		case a == nil:
			return fmt.Errorf("%s: there is no such replay", what)
		case seen[ans.Seq]:
			return fmt.Errorf("%s: given twice", what)
		}
		seen[ans.Seq] = true
		for _, nv := range ans.Headers {
			a.RespHeader = append(a.RespHeader, store.Field{Name: nv.Name, Value: nv.Value})
		}
		switch {
		case ans.Body != nil && ans.BodyBase64 != nil:
			return fmt.Errorf("%s: has both body and body_base64", what)
		case ans.Body != nil:
			a.RespBody = []byte(*ans.Body)
		case ans.BodyBase64 != nil:
			b, err := base64.StdEncoding.DecodeString(*ans.BodyBase64)
			if err != nil {
				return fmt.Errorf("%s: body_base64: %w", what, err)
			}
			a.RespBody = b
		}
	}
	return nil
}

// validAttempt checks an imported attempt (what names it) as capture would
// have recorded it: an HTTP status or none, a duration, a target and error
// without control characters (they are shown, and a live target is a
// URL), answer header lines as net/http reads them, and no more answer than
// capture keeps. A masked target is taken as it is.
func validAttempt(what string, a *store.Attempt) error {
	if a.Status != 0 && (a.Status < 100 || a.Status > 999) {
		return fmt.Errorf("%s: status %d is not an HTTP status", what, a.Status)
	}
	if a.DurationMS < 0 {
		return fmt.Errorf("%s: duration_ms %v is negative", what, a.DurationMS)
	}
	// Hookscope writes both on one line, with no control character or
	// bidi override (tab, C1 and U+202E included): a file's may only be
	// text of that kind, of a length hookscope could have written.
	for _, f := range []struct{ name, v string }{{"target", a.Target}, {"error", a.Error}} {
		name, v := f.name, f.v
		if !plainText(v) {
			return fmt.Errorf("%s: %s holds control characters", what, name)
		}
		if len(v) > maxAttemptText {
			return fmt.Errorf("%s: %s of %d bytes, over the %d an attempt holds", what, name, len(v), maxAttemptText)
		}
	}
	if err := validFields(what+" answer header", a.RespHeader); err != nil {
		return err
	}
	head := len("HTTP/1.1 000 \r\n\r\n")
	for _, f := range a.RespHeader {
		head += len(f.Name) + len(": ") + len(f.Value) + len("\r\n") // as net/http counts the head
	}
	if head > store.MaxAttemptHead {
		return fmt.Errorf("%s: answer header lines of %d bytes, over the %d kept", what, head, store.MaxAttemptHead)
	}
	if len(a.RespBody) > store.MaxAttemptBody {
		return fmt.Errorf("%s: answer body of %d bytes, over the %d kept", what, len(a.RespBody), store.MaxAttemptBody)
	}
	return nil
}

// maxImportedReplays bounds the replays one imported delivery may carry:
// far more than a person replays one delivery, and a bound on what a
// hostile file makes every listing of it carry.
const maxImportedReplays = 10_000

// maxAttemptText bounds an imported attempt's target and error: a target
// is a URL (net/http reads at most a few KiB of one), an error quotes it.
const maxAttemptText = 64 << 10

// plainText reports whether s is one line of text with no control
// character and no bidi override or isolate (U+202A–U+202E,
// U+2066–U+2069), which could reorder what a terminal shows.
func plainText(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return false
		}
	}
	return utf8.ValidString(s)
}

// validFields checks the names and values of an imported delivery's header
// or trailer fields (what says which) as net/http would read them.
func validFields(what string, h store.Header) error {
	for _, f := range h {
		if !store.ValidHeaderName(f.Name) {
			return fmt.Errorf("%s name %q is not valid HTTP", what, f.Name)
		}
		if !store.ValidHeaderValue(f.Value) {
			return fmt.Errorf("%s %s: value holds control characters", what, f.Name)
		}
	}
	return nil
}

// finishEvent validates an imported delivery and derives what the store
// expects from the rest. Verdicts are not carried over: an import is
// verified again like a live delivery, and a file's claim that a signature
// was valid is not evidence. The live forward (ev.Forward) is history, kept
// as it is.
func finishEvent(ev *store.Event, body []byte) error {
	if ev.Method == "" || !store.ValidHeaderName(ev.Method) {
		return fmt.Errorf("method %q is not an HTTP method", ev.Method)
	}
	if y := ev.ReceivedAt.Year(); y < 1970 || y > 2261 {
		// Ids are nanoseconds since 1970 in 64 bits.
		return fmt.Errorf("received time %s is out of range", ev.ReceivedAt.Format(time.RFC3339))
	}
	if err := validFields("header", ev.Header); err != nil {
		return err
	}
	if err := validFields("trailer", ev.Trailer); err != nil {
		return err
	}
	if ev.Proto == "" {
		ev.Proto = "HTTP/1.1"
	}
	if ev.Host == "" {
		ev.Host = ev.Header.Get("Host")
	}
	if ct := ev.Header.Get("Content-Type"); ct != "" {
		ev.ContentType = ct
	}
	if ce := ev.Header.Get("Content-Encoding"); ce != "" {
		ev.ContentEncoding = ce
	}
	ev.ID = ""
	ev.ReceivedAt = ev.ReceivedAt.UTC()
	ev.Size = int64(len(body))
	ev.Imported = true
	return nil
}

// harIn is a HAR document as read on import: only what hookscope uses, with
// pointers where the spec requires a member so that its absence is seen.
type harIn struct {
	Log *struct {
		Entries *[]json.RawMessage `json:"entries"`
	} `json:"log"`
}

type harEntryIn struct {
	StartedDateTime string `json:"startedDateTime"`
	Time            float64
	Request         *struct {
		Method      string       `json:"method"`
		URL         string       `json:"url"`
		HTTPVersion string       `json:"httpVersion"`
		Headers     []harNV      `json:"headers"`
		PostData    *harPostData `json:"postData"`
		Trailers    []harNV      `json:"_trailers"` // hookscope's extension
	} `json:"request"`
	Response *struct {
		Status int `json:"status"`
	} `json:"response"`
	Hookscope *struct {
		ReceivedAt string `json:"received_at"`
		RemoteAddr string `json:"remote_addr"`
		Truncated  bool   `json:"truncated"`
		Pinned     bool   `json:"pinned"`
		// SecretsMasked is set when masking changed the entry.
		SecretsMasked bool `json:"secrets_masked"`
	} `json:"_hookscope"`
}

func decodeHAR(r io.Reader) (*Batch, error) {
	var doc harIn
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return nil, &ParseError{Format: HAR, Err: fmt.Errorf("invalid HAR JSON: %w", err)}
	}
	if doc.Log == nil || doc.Log.Entries == nil {
		return nil, &ParseError{Format: HAR, Err: errors.New("invalid HAR: no log.entries")}
	}
	b := &Batch{Format: HAR}
	for i, raw := range *doc.Log.Entries {
		ev, body, pinned, masked, err := decodeHAREntry(raw)
		if err != nil {
			return nil, &ParseError{Format: HAR, Entry: i + 1, Err: err}
		}
		b.add(ev, body, store.ImportState{Pinned: pinned}, masked)
	}
	if len(b.Events) == 0 {
		return nil, errors.New("the HAR file holds no entries")
	}
	return b, nil
}

// decodeHAREntry decodes one HAR entry, and hookscope's _hookscope.pinned
// and _hookscope.secrets_masked flags. HAR has no place for replays, nor for
// the live forward beyond the response: neither is restored from it.
func decodeHAREntry(raw json.RawMessage) (ev *store.Event, body []byte, pinned, masked bool, err error) {
	var e harEntryIn
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, nil, false, false, fmt.Errorf("invalid entry: %w", err)
	}
	if e.Request == nil {
		return nil, nil, false, false, errors.New("missing request")
	}
	req := e.Request
	if req.URL == "" {
		return nil, nil, false, false, errors.New("request has no url")
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, nil, false, false, fmt.Errorf("request url: %w", err)
	}
	ev = &store.Event{Method: req.Method, Path: u.Path, RawPath: u.RawPath, Query: u.RawQuery, Host: u.Host, Proto: req.HTTPVersion}
	if ev.Path == "" {
		ev.Path = "/"
	}
	if strings.HasPrefix(strings.ToLower(ev.Proto), "http/") {
		ev.Proto = strings.ToUpper(ev.Proto)
	}
	for _, h := range req.Headers {
		// HTTP/2 pseudo-headers (":authority", ":path") describe the
		// request line, which the URL already gives.
		if strings.HasPrefix(h.Name, ":") {
			continue
		}
		ev.Header = append(ev.Header, store.Field{Name: h.Name, Value: h.Value})
	}
	for _, h := range req.Trailers {
		// Stored trailer names are canonical.
		ev.Trailer = append(ev.Trailer, store.Field{Name: http.CanonicalHeaderKey(h.Name), Value: h.Value})
	}
	when := e.StartedDateTime
	if e.Hookscope != nil && e.Hookscope.ReceivedAt != "" {
		when = e.Hookscope.ReceivedAt
		ev.RemoteAddr, ev.Truncated = e.Hookscope.RemoteAddr, e.Hookscope.Truncated
	}
	if when == "" {
		return nil, nil, false, false, errors.New("missing startedDateTime")
	}
	if ev.ReceivedAt, err = time.Parse(time.RFC3339Nano, when); err != nil {
		return nil, nil, false, false, fmt.Errorf("startedDateTime: %w", err)
	}
	if e.Response != nil {
		ev.Response = store.Response{Status: e.Response.Status, DurationMS: e.Time}
	}
	body, err = harBody(req.PostData)
	if err != nil {
		return nil, nil, false, false, err
	}
	if ev.Header.Get("Content-Type") == "" && req.PostData != nil {
		ev.ContentType = req.PostData.MimeType
	}
	if err := finishEvent(ev, body); err != nil {
		return nil, nil, false, false, err
	}
	if e.Hookscope != nil {
		pinned, masked = e.Hookscope.Pinned, e.Hookscope.SecretsMasked
	}
	return ev, body, pinned, masked, nil
}

// harBody returns the request body bytes: text (base64-decoded when
// encoding says so), or for tools that give form fields only, the fields
// encoded as a form.
func harBody(pd *harPostData) ([]byte, error) {
	if pd == nil {
		return []byte{}, nil
	}
	switch strings.ToLower(pd.Encoding) {
	case "":
		if pd.Text == "" && len(pd.Params) > 0 {
			v := make([]string, len(pd.Params))
			for i, p := range pd.Params {
				v[i] = url.QueryEscape(p.Name) + "=" + url.QueryEscape(p.Value)
			}
			return []byte(strings.Join(v, "&")), nil
		}
		return []byte(pd.Text), nil
	case "base64":
		b, err := base64.StdEncoding.DecodeString(pd.Text)
		if err != nil {
			return nil, fmt.Errorf("postData: invalid base64: %w", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("postData: unknown encoding %q (accepted: base64)", pd.Encoding)
}
