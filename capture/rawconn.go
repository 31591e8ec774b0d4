package capture

import (
	"bytes"
	"context"
	"maps"
	"net"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"sync"

	"github.com/hookscope/hookscope/store"
)

// net/http hands handlers an http.Header map, which forgets the order in
// which different header names arrived and drops Host and Transfer-Encoding.
// To store headers as received, each connection records the bytes read from
// it between requests; the handler parses the header block out of them and
// checks it against what net/http parsed before trusting it.

type connKey struct{}

// maxRecord bounds what a connection records while waiting for a request
// head: a little more than the largest head the server accepts.
const maxRecord = 1<<20 + 64<<10

// recordingConn tees reads into buf while recording is on. Recording is on
// between requests (when the next head is being read) and off while a
// handler reads the body, so bodies are never copied twice.
type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	on  bool
	buf []byte
	// read counts the bytes read since the current request began,
	// recorded or not; skip is how many bytes of the previous request
	// are still to come off the connection (a body its handler left
	// unread, which net/http discards after it): they are not recorded.
	read, skip int64
	// refused, when not nil, stores a request net/http answered itself
	// (refused.go) from what was recorded of it, before the answer goes
	// out.
	refused func(raw, answer []byte)
}

// Write sends p, first handing a request net/http refused to refused: its
// own answer is the only sign of it. Recording is on then (no handler took
// the request) and holds the request's bytes.
func (c *recordingConn) Write(p []byte) (int, error) {
	if c.refused == nil {
		return c.Conn.Write(p)
	}
	if kind := answerOf(p); kind != handlerAnswer {
		c.mu.Lock()
		var raw []byte
		if c.on && len(c.buf) > 0 && kind.refuses(c.buf) {
			raw = bytes.Clone(c.buf)
			c.buf = c.buf[:0]
		}
		c.mu.Unlock()
		if raw != nil {
			c.refused(raw, p)
		}
	}
	return c.Conn.Write(p)
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		b := p[:n]
		if c.skip > 0 {
			k := min(c.skip, int64(len(b)))
			c.skip -= k
			b = b[k:]
		}
		c.read += int64(len(b))
		if c.on {
			if len(c.buf)+len(b) <= maxRecord {
				c.buf = append(c.buf, b...)
			} else {
				c.on = false // a head this large was refused anyway
			}
		}
		c.mu.Unlock()
	}
	return n, err
}

// take returns what was recorded and stops recording. The slice stays
// valid until resume: the buffer is reused across requests on the
// connection, so a keep-alive connection does not allocate per request.
func (c *recordingConn) take() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.buf
}

// resume starts recording for the next request on this connection. end is
// where the request just handled ends, counted from the start of what take
// returned (its head and its Content-Length body), or -1 when unknown.
// Knowing it, the rest of a body the handler left unread is skipped rather
// than taken for the start of the next head, and a next request already
// read (pipelined) is kept.
func (c *recordingConn) resume(end int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on, c.skip = true, 0
	switch {
	case end < 0:
		c.buf = c.buf[:0]
	case end >= c.read:
		c.skip = end - c.read
		c.buf = c.buf[:0]
	case int64(len(c.buf)) == c.read:
		// Every byte read was recorded: what follows end is the next
		// request's.
		c.buf = c.buf[:copy(c.buf, c.buf[end:])]
	default:
		c.buf = c.buf[:0]
	}
	c.read = int64(len(c.buf))
}

// recordedHead is r's head at the start of recorded (what take returned):
// its request line and header lines, through the blank line that ends them.
// It is nil when recorded does not start with r's request line or holds no
// blank line, or when a line of the head ends in a bare LF: net/http
// accepts those, so the first CRLF CRLF could lie past the head's end (in
// the body) and turn body bytes into a header value; net/http's own
// parse is trusted then. Worked out once per request: the header
// (parseHead) and where the request ends (requestEnd) both follow from it.
func recordedHead(recorded []byte, r *http.Request) []byte {
	end := -1
	for i := 0; ; {
		j := bytes.IndexByte(recorded[i:], '\n')
		if j < 0 {
			return nil
		}
		i += j
		if i == 0 || recorded[i-1] != '\r' {
			return nil // a bare LF
		}
		if i >= 3 && recorded[i-3] == '\r' && recorded[i-2] == '\n' {
			end = i - 3
			break
		}
		i++
	}
	line, _, _ := bytes.Cut(recorded[:end+2], []byte("\r\n"))
	if string(line) != r.Method+" "+r.RequestURI+" "+r.Proto {
		return nil
	}
	return recorded[:end+4]
}

// requestEnd is where request r ends in what take returned (see resume):
// after its head (recordedHead) and its Content-Length body. It is -1 when
// the head is not known (nil) or the body's length is not (chunked).
func requestEnd(head []byte, r *http.Request) int64 {
	if head == nil || r.ContentLength < 0 || len(r.TransferEncoding) > 0 {
		return -1
	}
	return int64(len(head)) + r.ContentLength
}

// recordingListener wraps every accepted connection in a recordingConn.
// refused, when not nil, stores the requests net/http refuses.
type recordingListener struct {
	net.Listener
	refused func(remoteAddr string, raw, answer []byte)
}

func (l recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	// Room for a typical head (and the start of its body, which arrives in
	// the same read) from the start, so recording rarely grows the buffer.
	rc := &recordingConn{Conn: c, on: true, buf: make([]byte, 0, 4096)}
	if l.refused != nil {
		remote := c.RemoteAddr().String()
		rc.refused = func(raw, answer []byte) { l.refused(remote, raw, answer) }
	}
	return rc, nil
}

// connContext makes the recordingConn reachable from the handler.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if rc, ok := c.(*recordingConn); ok {
		return context.WithValue(ctx, connKey{}, rc)
	}
	return ctx
}

// receivedHeader returns the request's header lines in received order with
// their original case. It uses head, r's head as recorded (recordedHead),
// when that is certainly this request's; otherwise it falls back to
// net/http's map in name order, plus Host.
func receivedHeader(r *http.Request, head []byte) store.Header {
	if h, ok := parseHead(head, r); ok {
		return h
	}
	return headerFromMap(r)
}

// maxTrailerBytes bounds the trailer section kept, counted as header
// lines ("Name: value" and CRLF), as MaxHeaderBytes bounds the head.
// net/http bounds it well below already: it refuses a trailer section
// longer than its read buffer (4 KiB; the body read then fails and the
// delivery is answered 400), and that is what holds the bound in practice.
// This one keeps it should net/http ever allow more.
const maxTrailerBytes = maxHeaderBytes

// receivedTrailer returns the trailer fields of a chunked request whose
// body was read to its end (whole; net/http fills r.Trailer only then),
// else nil. net/http hands them over as a map, canonical names and no
// order: those the request's Trailer header declares (in declared, its
// Trailer values as received: net/http takes the header out of r.Header)
// come first in the order declared, then any others by name. A declared
// name that was not sent is left out, and fields past maxTrailerBytes are
// dropped.
func receivedTrailer(r *http.Request, declared []string, whole bool) store.Header {
	if !whole || len(r.Trailer) == 0 {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	for _, v := range declared {
		for name := range strings.SplitSeq(v, ",") {
			k := textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))
			if _, ok := r.Trailer[k]; ok && !seen[k] {
				seen[k] = true
				names = append(names, k)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Trailer)) {
		if !seen[k] {
			names = append(names, k)
		}
	}
	var h store.Header
	size := 0
	for _, k := range names {
		for _, v := range r.Trailer[k] {
			if size += len(k) + len(v) + 4; size > maxTrailerBytes {
				return h
			}
			h = append(h, store.Field{Name: k, Value: v})
		}
	}
	return h
}

func headerFromMap(r *http.Request) store.Header {
	h := store.Header{{Name: "Host", Value: r.Host}}
	for _, nv := range slices.Sorted(maps.Keys(r.Header)) {
		for _, v := range r.Header[nv] {
			h = append(h, store.Field{Name: nv, Value: v})
		}
	}
	for _, te := range r.TransferEncoding {
		h = append(h, store.Field{Name: "Transfer-Encoding", Value: te})
	}
	return h
}

// parseHead parses the header lines of head, r's head from recordedHead
// (nil when not known), and checks them against what net/http parsed.
func parseHead(head []byte, r *http.Request) (store.Header, bool) {
	if head == nil {
		return nil, false
	}
	// One copy; names and values below share it. The request line,
	// checked by recordedHead, and the blank line are left out.
	_, rest, _ := strings.Cut(string(head[:len(head)-4]), "\r\n")
	h := make(store.Header, 0, strings.Count(rest, "\r\n")+1)
	// folded holds the value of the last line while obsolete folded lines
	// continue it: built once, not copied again for each line (a 1 MiB
	// head can fold one value a quarter of a million times).
	var folded []byte
	for rest != "" {
		var l string
		l, rest, _ = strings.Cut(rest, "\r\n")
		if l != "" && (l[0] == ' ' || l[0] == '\t') && len(h) > 0 {
			// A folded line continues the previous value, joined as
			// net/http joins it: one space, then the line without its
			// blanks; the value's leading blanks are dropped, so a
			// value empty so far takes no space.
			if folded == nil {
				folded = append(make([]byte, 0, len(h[len(h)-1].Value)+len(l)), h[len(h)-1].Value...)
			}
			if len(folded) > 0 {
				folded = append(folded, ' ')
			}
			folded = append(folded, strings.Trim(l, " \t")...)
			continue
		}
		if folded != nil {
			h[len(h)-1].Value, folded = string(folded), nil
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, false // malformed lines: trust net/http instead
		}
		h = append(h, store.Field{Name: name, Value: strings.Trim(value, " \t")})
	}
	if folded != nil {
		h[len(h)-1].Value = string(folded)
	}
	// Every value net/http parsed must be in what we parsed, in the same
	// order per name; extra lines (Host, Transfer-Encoding) are fine.
	if len(h) > maxScannedHeader {
		return h, sameHeader(h, r.Header)
	}
	for name, vals := range r.Header {
		if !sameValues(h, name, vals) {
			return nil, false
		}
	}
	return h, true
}

// maxScannedHeader is the most header lines parseHead checks with
// sameValues, which scans them all once per name: a head of many
// distinct names (a 1 MiB head holds over 100,000 "x:" lines) would cost
// their square, minutes of CPU per request. Longer ones go through
// sameHeader, which reads each line once but allocates.
const maxScannedHeader = 64

// sameHeader reports whether every name of want has exactly its values in
// h, in order, reading h once. want's names are canonical (net/http's),
// and a name net/http accepted canonicalises to its own key, so an exact
// lookup of the canonical form finds it.
func sameHeader(h store.Header, want http.Header) bool {
	seen := make(map[string]int, len(want))
	for _, f := range h {
		name := textproto.CanonicalMIMEHeaderKey(f.Name)
		vals, ok := want[name]
		if !ok {
			continue
		}
		n := seen[name]
		if n >= len(vals) || f.Value != vals[n] {
			return false
		}
		seen[name] = n + 1
	}
	for name, vals := range want {
		if seen[name] != len(vals) {
			return false
		}
	}
	return true
}

// sameValues reports whether the values of name in h are exactly vals, in
// order. It is Header.Values compared in place: it runs for every header of
// every delivery, so it does not allocate.
func sameValues(h store.Header, name string, vals []string) bool {
	n := 0
	for _, f := range h {
		if len(f.Name) != len(name) || !strings.EqualFold(f.Name, name) {
			continue
		}
		if n >= len(vals) || f.Value != vals[n] {
			return false
		}
		n++
	}
	return n == len(vals)
}
