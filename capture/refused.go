package capture

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hookscope/hookscope/store"
)

// net/http answers some requests itself, before any handler runs: a header
// line with a control character or no colon, a missing Host, an unknown
// transfer coding, a head over the size limit. The sender gets a 4xx or 5xx
// and, without more, hookscope would show nothing — exactly the delivery a
// user debugging a broken sender needs to see. The connection recorded the
// request's bytes (rawconn.go); when net/http writes its own answer, the
// request is stored from them, marked Refused.

// refusalHeaders is what net/http writes after the status line of every
// answer it makes itself (server.go, "errorHeaders"). A handler's answer
// never has it there: net/http writes a handler's headers sorted, and
// Connection comes before Content-Type.
const refusalHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// expectationFailed is how net/http's answer to an Expect header it does
// not support (anything but 100-continue) starts; it goes out through the
// normal response path, so it has none of refusalHeaders. A handler's
// answer starts so too with --status 417 and a Connection header, and a
// small one is written once the handler has returned, when recording has
// resumed and may already hold a pipelined next request: such an answer
// is a refusal only when the recorded request has an unsupported Expect
// (expectAnswer).
const expectationFailed = "HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\n"

// unsupportedExpect reports whether the head at the start of raw has an
// Expect header net/http answers with 417: its first Expect line holds a
// value without the 100-continue token.
func unsupportedExpect(raw []byte) bool {
	head, _, _ := cutHead(raw)
	for l := range strings.SplitSeq(string(head), "\n") {
		name, value, ok := strings.Cut(strings.TrimSuffix(l, "\r"), ":")
		if ok && strings.EqualFold(name, "Expect") {
			return unsupportedExpectValue(value)
		}
	}
	return false
}

// unsupportedExpectValue reports whether net/http refuses an Expect header
// of value v: one not empty and without the 100-continue token.
func unsupportedExpectValue(v string) bool {
	v = strings.TrimSpace(v)
	if v == "" {
		return false
	}
	for t := range strings.SplitSeq(v, ",") {
		if strings.EqualFold(strings.TrimSpace(t), "100-continue") {
			return false
		}
	}
	return true
}

// answerKind is what an answer written to the connection says of who
// wrote it, as far as its first bytes tell (answerOf).
type answerKind int

const (
	// handlerAnswer is not net/http's own answer.
	handlerAnswer answerKind = iota
	// refusalAnswer is net/http's own answer, whatever was asked: it has
	// refusalHeaders after its status line.
	refusalAnswer
	// expectAnswer starts as expectationFailed: net/http's answer to an
	// unsupported Expect, or a handler's answer made to look so (see
	// there). The recorded request decides (refuses).
	expectAnswer
)

// answerOf classifies p, the start of an answer, by its bytes alone, so
// that a handler's answer (the usual case) is told apart without the
// connection's record or its lock.
func answerOf(p []byte) answerKind {
	if !bytes.HasPrefix(p, []byte("HTTP/1.1 ")) {
		return handlerAnswer
	}
	if bytes.HasPrefix(p, []byte(expectationFailed)) {
		return expectAnswer
	}
	if i := bytes.Index(p, []byte("\r\n")); i > 0 && bytes.HasPrefix(p[i:], []byte(refusalHeaders)) {
		return refusalAnswer
	}
	return handlerAnswer
}

// refuses reports whether an answer of kind k is net/http refusing the
// request recorded in raw. This and answerOf are the one place that
// decides it; the connection only supplies raw.
func (k answerKind) refuses(raw []byte) bool {
	switch k {
	case refusalAnswer:
		return true
	case expectAnswer:
		return unsupportedExpect(raw)
	}
	return false
}

// maxRefusedReason bounds the stored reason: it quotes nothing of the
// request, but net/http's texts are not ours.
const maxRefusedReason = 300

// refusedRequest is a request net/http refused, rebuilt from the bytes read
// off the connection.
type refusedRequest struct {
	ev   *store.Event
	body []byte
}

// parseRefused rebuilds what it can of the request in raw (the bytes read
// since the previous request) and the answer net/http gave it. It never
// fails: whatever does not parse is kept as it came, since showing it is
// the point. The body is what arrived with the head (net/http reads no
// more of a request it refuses), cut at Content-Length and maxBody.
func parseRefused(raw, answer []byte, maxBody int64) refusedRequest {
	ev := &store.Event{}
	if isTLSHandshake(raw) {
		// No HTTP at all: keep the bytes as the body, to be looked at in
		// hex, and say what they are.
		body := raw[:min(int64(len(raw)), maxBody)]
		ev.Size, ev.Truncated = int64(len(body)), len(body) < len(raw)
		ev.Response.Status, ev.Refused = refusalReason(answer)
		ev.Refused += "; the bytes are a TLS handshake: the sender speaks HTTPS to this plain-HTTP listener"
		return refusedRequest{ev: ev, body: bytes.Clone(body)}
	}
	head, rest, complete := cutHead(raw)
	lines := strings.Split(string(head), "\n")
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}
	ev.Method, ev.Path, ev.RawPath, ev.Query, ev.Proto = parseRequestLine(lines[0])
	for _, l := range lines[1:] {
		name, value, _ := strings.Cut(l, ":")
		ev.Header = append(ev.Header, store.Field{Name: name, Value: strings.Trim(value, " \t")})
	}
	ev.Host = ev.Header.Get("Host")
	ev.ContentType = ev.Header.Get("Content-Type")
	ev.ContentEncoding = ev.Header.Get("Content-Encoding")

	var body []byte
	if complete {
		body, ev.Truncated = refusedBody(ev.Header, rest)
	}
	if int64(len(body)) > maxBody {
		body, ev.Truncated = body[:maxBody], true
	}
	ev.Size = int64(len(body))

	status, reason := refusalReason(answer)
	ev.Response.Status = status
	if why := diagnoseHead(lines, complete); why != "" {
		reason += "; " + why
	}
	if len(reason) > maxRefusedReason {
		reason = strings.ToValidUTF8(reason[:maxRefusedReason], "") + "…"
	}
	ev.Refused = reason
	return refusedRequest{ev: ev, body: bytes.Clone(body)}
}

// isTLSHandshake reports whether raw starts like a TLS record carrying a
// handshake (a ClientHello): content type 22, version 3.x.
func isTLSHandshake(raw []byte) bool {
	return len(raw) >= 3 && raw[0] == 0x16 && raw[1] == 0x03
}

// cutHead splits raw at the blank line that ends a head (CRLF or bare LF
// line ends, as net/http accepts both). complete is false when none was
// read: net/http refused a head before its end (one too large).
func cutHead(raw []byte) (head, rest []byte, complete bool) {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\n' {
			continue
		}
		switch {
		case bytes.HasPrefix(raw[i+1:], []byte("\r\n")):
			return bytes.TrimSuffix(raw[:i], []byte("\r")), raw[i+3:], true
		case bytes.HasPrefix(raw[i+1:], []byte("\n")):
			return bytes.TrimSuffix(raw[:i], []byte("\r")), raw[i+2:], true
		}
	}
	return bytes.TrimRight(raw, "\r\n"), nil, false
}

// parseRequestLine splits "METHOD target PROTO" as far as it goes. A
// target net/url refuses whole (a raw control byte in its query, often why
// net/http refused the request) still has its path decoded when the path
// alone parses, so the path goes back on the wire as it was sent rather
// than encoded twice (EscapePath of an undecoded "%1b" is "%251b").
//
// A line whose three parts are separated otherwise than by single spaces
// (a tab, two spaces: net/http refuses it) is split at any run of blanks,
// so that the method, target and version are each where they belong.
func parseRequestLine(line string) (method, path, rawPath, query, proto string) {
	method, rest, _ := strings.Cut(line, " ")
	target, proto, _ := strings.Cut(rest, " ")
	if f := strings.Fields(line); len(f) == 3 && strings.Count(line, " ") != 2 {
		method, target, proto = f[0], f[1], f[2]
	}
	if u, err := url.ParseRequestURI(target); err == nil {
		return method, u.Path, u.RawPath, u.RawQuery, proto
	}
	path, query, _ = strings.Cut(target, "?")
	if u, err := url.ParseRequestURI(path); err == nil && u.RawQuery == "" {
		return method, u.Path, u.RawPath, query, proto
	}
	return method, path, "", query, proto
}

// refusedBody is the body as far as it arrived with the head, and whether
// it is known to be cut short.
func refusedBody(h store.Header, rest []byte) ([]byte, bool) {
	if te := h.Get("Transfer-Encoding"); te != "" {
		if strings.EqualFold(strings.TrimSpace(te), "chunked") {
			if b, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(rest))); err == nil {
				return b, false
			}
		}
		// Chunks cut short, or a coding net/http does not know: the
		// bytes as they came, which may not be all of them.
		return rest, true
	}
	if distinctValues(h.Values("Content-Length")) > 1 {
		// Which one counts? net/http refused to guess: keep what came.
		return rest, false
	}
	if cl := h.Get("Content-Length"); cl != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(cl), 10, 64)
		switch {
		case err != nil || n < 0:
			return rest, false
		case int64(len(rest)) >= n:
			return rest[:n], false
		default:
			return rest, true
		}
	}
	return rest, false
}

// refusalReason is the status net/http answered and its words, with the
// answer's body when that adds to them ("501 Not Implemented: Unsupported
// transfer encoding").
func refusalReason(answer []byte) (int, string) {
	line, rest, _ := bytes.Cut(answer, []byte("\r\n"))
	line = bytes.TrimPrefix(line, []byte("HTTP/1.1 "))
	status, _ := strconv.Atoi(string(line[:min(3, len(line))]))
	reason := string(line)
	if _, body, ok := bytes.Cut(rest, []byte("\r\n\r\n")); ok && len(body) > 0 && !bytes.Equal(body, line) {
		reason += ": " + string(body)
	}
	return status, reason
}

// diagnoseHead says what in the head net/http most likely refused, as
// net/http's own answer rarely does ("400 Bad Request"). It names the first
// header line that is not "token: value" with no control character, by its
// number counting the request line as 1.
//
// A head without its blank line is one net/http stopped reading early:
// too large, cut off, or refused at a bad line before the rest arrived
// (net/http checks each line as it reads it). Its complete lines (all but
// the last, which may be cut) are checked first, so a bad line early in a
// long head is still named.
func diagnoseHead(lines []string, complete bool) string {
	if !complete {
		if why := diagnoseLines(lines[:len(lines)-1]); why != "" {
			return why
		}
		return "the head ended before its blank line (too large, or cut off)"
	}
	return diagnoseLines(lines)
}

// diagnoseLines names what is wrong in the request line (lines[0]), else
// the first header line that is not "token: value" with no control
// character, else Content-Length values that disagree.
func diagnoseLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	if why := diagnoseRequestLine(lines[0]); why != "" {
		return why
	}
	var lengths []string
	for i, l := range lines[1:] {
		n := i + 2
		name, value, ok := strings.Cut(l, ":")
		switch {
		case !ok:
			return fmt.Sprintf("header line %d has no colon", n)
		case !store.ValidHeaderName(name):
			return fmt.Sprintf("header line %d: the name %q is not an HTTP token", n, name)
		}
		if j := store.HeaderValueFault(value); j >= 0 {
			return fmt.Sprintf("header line %d (%s): control character 0x%02x in the value", n, name, value[j])
		}
		if strings.EqualFold(name, "Expect") && unsupportedExpectValue(value) {
			return fmt.Sprintf("header line %d: Expect %q is not supported (only 100-continue is)", n, strings.TrimSpace(value))
		}
		if strings.EqualFold(name, "Content-Length") {
			lengths = append(lengths, strings.TrimSpace(value))
		}
	}
	if distinctValues(lengths) > 1 {
		return fmt.Sprintf("Content-Length is sent %d times with different values (%s): the body's end is ambiguous", len(lengths), strings.Join(lengths, ", "))
	}
	return ""
}

// diagnoseRequestLine says what net/http refuses in a request line: parts
// not separated by single spaces, a method that is not a token, a control
// character or space in the target, a version that is not HTTP/x.y.
func diagnoseRequestLine(line string) string {
	parts := strings.Split(line, " ")
	if len(parts) != 3 {
		if strings.ContainsAny(line, "\t") {
			return "the request line separates its parts with a tab; HTTP wants single spaces"
		}
		return fmt.Sprintf("the request line has %d space-separated parts; HTTP wants 3 (method, target, version)", len(parts))
	}
	method, target, proto := parts[0], parts[1], parts[2]
	if !store.ValidHeaderName(method) {
		return fmt.Sprintf("the method %q is not an HTTP token", method)
	}
	if i := strings.IndexFunc(target, func(r rune) bool { return r < 0x21 || r == 0x7f }); i >= 0 {
		return fmt.Sprintf("the request target holds control character 0x%02x", target[i])
	}
	if _, _, ok := http.ParseHTTPVersion(proto); !ok {
		return fmt.Sprintf("the version %q is not HTTP/x.y", proto)
	}
	return ""
}

// distinctValues counts the different values among vs, each trimmed.
func distinctValues(vs []string) int {
	seen := map[string]bool{}
	for _, v := range vs {
		seen[strings.TrimSpace(v)] = true
	}
	return len(seen)
}

// refusedStoreTimeout bounds storing a refused request: net/http's answer
// waits for it, and the sender has been refused anyway.
const refusedStoreTimeout = 10 * time.Second

// storeRefused stores a request net/http refused (see above) before its
// answer goes out, and hands it to the Stored hook like any delivery; it is
// never forwarded, net/http having answered.
func (h *Handler) storeRefused(remoteAddr string, raw, answer []byte) {
	start := time.Now()
	r := parseRefused(raw, answer, h.opts.MaxBody)
	r.ev.ReceivedAt = start.UTC()
	r.ev.RemoteAddr = remoteAddr
	r.ev.Response.DurationMS = ms(time.Since(start))
	ctx, cancel := context.WithTimeout(context.Background(), refusedStoreTimeout)
	defer cancel()
	if err := h.store.Append(ctx, r.ev, r.body); err != nil {
		if n, ok := h.lostRefused.note(time.Now()); ok {
			h.opts.Logger.Error("request refused by the HTTP server not stored", "from", remoteAddr, "reason", r.ev.Refused, "err", err, "also_lost_since_last_line", n)
		}
		return
	}
	h.opts.Logger.Warn("request refused by the HTTP server; stored", "id", r.ev.ID, "reason", r.ev.Refused)
	if h.opts.Stored != nil {
		h.opts.Stored(r.ev, r.body)
	}
}
