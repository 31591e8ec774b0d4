package capture

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hookscope/hookscope/store"
)

// DefaultMaxBody is the largest body stored whole (10 MiB).
const DefaultMaxBody = 10 << 20

// MaxMaxBody is the largest --max-body accepted (1 GiB): bbolt cannot hold a
// value near 2 GiB, and a delivery is held in memory while it is stored.
const MaxMaxBody = 1 << 30

// Appender durably stores a delivery; it returns only once the delivery is
// committed (store.DB implements it).
type Appender interface {
	Append(ctx context.Context, ev *store.Event, body []byte) error
}

// Policy is how the listener answers deliveries.
type Policy struct {
	Status int           // 0 means 200
	Body   []byte        // nil means {"ok":true}; empty is no body
	Header store.Header  // extra response headers (--response-header)
	Delay  time.Duration // wait before answering (--delay)
}

// DefaultPolicy answers 200 {"ok":true}.
func DefaultPolicy() Policy {
	return Policy{Status: http.StatusOK, Body: []byte(`{"ok":true}`)}
}

// Options configure a Handler.
type Options struct {
	MaxBody int64 // default DefaultMaxBody
	Policy  Policy
	Logger  *slog.Logger
	// Stored is called after each delivery is committed, off the response
	// path's critical section but before the answer: it must not block.
	Stored func(ev *store.Event, body []byte)
	// Intercept may answer a request itself (the dev key endpoint); it
	// returns false to let the request be captured.
	Intercept func(w http.ResponseWriter, r *http.Request) bool
	// Forward, when set, sends each stored delivery to the app under
	// development and answers with the app's response.
	Forward *Forwarder
	// Unavailable, when set, hears that deliveries are being answered 503
	// because the store failed: at most once per refusalReportInterval,
	// with how many more were refused since the last call. The headless
	// printer says so on stderr, so that a store that broke is not silent.
	Unavailable func(err error, more int)
}

// Handler captures every request it serves.
type Handler struct {
	store Appender
	opts  Options
	// header is the policy's response header, its Content-Type given or
	// sniffed from the body, worked out once: net/http only reads the
	// values a handler sets, so every answer can share them.
	header http.Header
	// stopping is done when the server begins shutting down (endWaits): a
	// --delay still being waited out ends then, so a delivery in flight is
	// answered (it is stored already) instead of cut off when the shutdown
	// grace runs out.
	stopping context.Context
	endWaits context.CancelFunc
	// forwardGrace is how long a forward in flight may still run once the
	// server begins shutting down: a part of the shutdown grace, so that
	// the forward is then cut, recorded and answered before the grace ends.
	forwardGrace time.Duration
	// refusals paces the reports of 503s: a store that fails refuses every
	// delivery, thousands a second, and one line each would flood the log.
	// lostRefused paces those of requests net/http refused that the store
	// could not keep (storeRefused), for the same reason.
	refusals, lostRefused pacer
}

// refusalReportInterval is the least time between two reports of 503s.
const refusalReportInterval = 5 * time.Second

// pacer lets an event through at most once per refusalReportInterval and
// counts those held back.
type pacer struct {
	mu      sync.Mutex
	last    time.Time
	skipped int
}

// note records an event at now. It reports whether to report it, and how
// many were held back since the last one reported.
func (p *pacer) note(now time.Time) (skipped int, report bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.last.IsZero() && now.Sub(p.last) < refusalReportInterval {
		p.skipped++
		return 0, false
	}
	skipped, p.skipped, p.last = p.skipped, 0, now
	return skipped, true
}

// NewHandler returns a capturing handler that stores into a.
func NewHandler(a Appender, opts Options) *Handler {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Policy.Status == 0 {
		opts.Policy.Status = http.StatusOK
	}
	if opts.Policy.Body == nil {
		opts.Policy.Body = DefaultPolicy().Body
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	hdr := http.Header{}
	for _, f := range opts.Policy.Header {
		hdr.Add(f.Name, f.Value)
	}
	if hdr["Content-Type"] == nil {
		hdr["Content-Type"] = []string{sniffContentType(opts.Policy.Body)}
	}
	stopping, endWaits := context.WithCancel(context.Background())
	return &Handler{store: a, opts: opts, header: hdr, stopping: stopping, endWaits: endWaits, forwardGrace: shutdownGrace / 2}
}

// ServeHTTP records the request, then answers. A 2xx is never written for a
// delivery that is not committed: a store failure answers 503.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rc, _ := r.Context().Value(connKey{}).(*recordingConn)
	var head []byte // r's head as read off the connection; nil when not known
	if rc != nil {
		head = recordedHead(rc.take(), r)
		defer func() { rc.resume(requestEnd(head, r)) }()
	}
	if h.opts.Intercept != nil && h.opts.Intercept(w, r) {
		return
	}

	body, truncated, readErr := readBody(r.Body, r.ContentLength, h.opts.MaxBody)
	ev := &store.Event{
		ReceivedAt:      start.UTC(),
		Method:          r.Method,
		Path:            r.URL.Path,
		RawPath:         r.URL.RawPath,
		Query:           r.URL.RawQuery,
		Host:            r.Host,
		RemoteAddr:      r.RemoteAddr,
		Proto:           r.Proto,
		Header:          receivedHeader(r, head),
		Size:            int64(len(body)),
		Truncated:       truncated || readErr != nil,
		ContentType:     r.Header.Get("Content-Type"),
		ContentEncoding: r.Header.Get("Content-Encoding"),
	}
	if len(r.Trailer) > 0 { // only a chunked body has trailers: no work on the common path
		ev.Trailer = receivedTrailer(r, ev.Header.Values("Trailer"), readErr == nil && !truncated)
	}
	switch {
	case r.URL.Path == "" && r.URL.Opaque != "":
		ev.Path = r.URL.Opaque
	case r.URL.Path == "" && r.Method == http.MethodConnect:
		// The authority form ("CONNECT host:443"): net/http puts the
		// target in URL.Host, and without it the stored request line
		// would have no target at all.
		ev.Path = r.RequestURI
	}

	status := h.opts.Policy.Status
	switch {
	case truncated:
		status = http.StatusRequestEntityTooLarge
	case readErr != nil:
		status = http.StatusBadRequest
	}
	forward := h.opts.Forward != nil && !truncated && readErr == nil
	if !forward {
		// A forwarded delivery is stored with status 0 until the app has
		// answered.
		ev.Response = store.Response{Status: status, DurationMS: ms(time.Since(start) + h.opts.Policy.Delay)}
	}
	// Stored before forwarding too: if the app or hookscope dies then,
	// the delivery is not lost.
	if err := h.store.Append(r.Context(), ev, body); err != nil {
		if ctxErr := r.Context().Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			// The sender hung up while the delivery waited for room in
			// the store's queue: nothing failed, and nobody hears an
			// answer. A failure of the store's own is reported below
			// even when the sender has gone meanwhile.
			h.opts.Logger.Debug("sender left before its delivery was queued", "from", ev.RemoteAddr)
			return
		}
		h.unavailable(w, ev, err)
		return
	}
	if h.opts.Stored != nil {
		h.opts.Stored(ev, body)
	}
	if forward {
		h.forward(w, r, ev, body, start)
		return
	}
	if readErr != nil {
		h.opts.Logger.Warn("body read failed; stored what arrived", "id", ev.ID, "err", readErr)
	}
	if d := h.opts.Policy.Delay; d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
		case <-h.stopping.Done():
		}
	}
	h.writePolicy(w, status, truncated, readErr != nil)
	if a, ok := h.store.(answerRecorder); ok {
		a.SetAnswered(ev.ID, time.Since(start))
	}
}

// answerRecorder is implemented by stores that can record, after the fact,
// how long the answer took (the stored duration is otherwise measured just
// before the commit, without it).
type answerRecorder interface {
	SetAnswered(id string, d time.Duration)
}

// unavailable answers 503 for a delivery that could not be stored. The log
// line names the sender, not the path: a path may carry a configured secret
// (hookscope.log must never hold one), and masking it needs secrets this
// package does not know.
func (h *Handler) unavailable(w http.ResponseWriter, ev *store.Event, err error) {
	if n, ok := h.refusals.note(time.Now()); ok {
		h.opts.Logger.Error("delivery not stored; answered 503", "method", ev.Method, "from", ev.RemoteAddr, "bytes", ev.Size, "err", err, "also_refused_since_last_line", n)
		if h.opts.Unavailable != nil {
			h.opts.Unavailable(err, n)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusServiceUnavailable)
	io.WriteString(w, `{"ok":false,"error":"hookscope could not store this delivery"}`)
}

// writePolicy answers by the policy: its status, headers and body, except
// for a body too large (truncated, a 413) or not received whole
// (bodyFailed, a 400), which are answered with an error of their own rather
// than the policy's body, {"ok":true} by default. A policy whose own status
// is 413 (--status 413) keeps its body: the delivery fitted.
func (h *Handler) writePolicy(w http.ResponseWriter, status int, truncated, bodyFailed bool) {
	hdr := w.Header()
	for k, v := range h.header {
		hdr[k] = v
	}
	body := h.opts.Policy.Body
	switch {
	case truncated:
		body = []byte(`{"ok":false,"error":"body larger than ` + strconv.FormatInt(h.opts.MaxBody, 10) + ` bytes; stored truncated"}`)
		hdr["Content-Type"] = []string{"application/json"}
	case bodyFailed:
		body = []byte(`{"ok":false,"error":"body not received whole (cut off, or malformed chunks or trailers); stored as far as it arrived"}`)
		hdr["Content-Type"] = []string{"application/json"}
	}
	w.WriteHeader(status)
	w.Write(body)
}

// maxPrealloc bounds what readBody allocates on the client's word (its
// Content-Length) before the bytes arrive: without it, clients announcing
// large bodies and sending nothing would hold --max-body each.
const maxPrealloc = 64 << 10

// readBody reads at most limit bytes. truncated reports that more was sent;
// the rest is discarded so the connection can be answered.
func readBody(r io.Reader, contentLength, limit int64) (body []byte, truncated bool, err error) {
	size := int64(4096)
	if contentLength >= 0 {
		// The common case: one allocation of the announced size (plus one
		// byte to see that nothing more follows).
		size = min(contentLength, limit, maxPrealloc) + 1
	}
	body = make([]byte, 0, size)
	lr := io.LimitReader(r, limit+1)
	for {
		if len(body) == cap(body) {
			body = append(body, 0)[:len(body)]
		}
		n, rerr := lr.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if rerr != nil {
			err = rerr
			break
		}
	}
	if int64(len(body)) > limit {
		body = body[:limit]
		truncated = true
		err = nil
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return body, truncated, err
}

func sniffContentType(b []byte) string {
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
		return "application/json"
	}
	if strings.HasPrefix(s, "<") {
		return "application/xml"
	}
	return "text/plain; charset=utf-8"
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
