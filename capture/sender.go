package capture

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hookscope/hookscope/store"
)

// MaxResponseBody bounds the response body kept for an attempt.
const MaxResponseBody = store.MaxAttemptBody

// MaxResponseHead bounds the head (status line and headers) a target may
// answer with. Without it net/http reads up to 10 MiB of headers, and every
// one is stored with the attempt and returned to the provider when
// forwarding, so one answer could cost more than a hundred capped bodies.
// A larger head is an error, recorded as such.
const MaxResponseHead = store.MaxAttemptHead

// Target says where and how to send a stored delivery.
type Target struct {
	URL string // the exact URL, or the base when KeepPath is set
	// KeepPath appends the delivery's original path and query to URL.
	KeepPath bool
	// Header adds headers, replacing every value of a name the delivery
	// already has.
	Header store.Header
}

// Sender sends stored deliveries (replay) and live ones (forward).
type Sender struct {
	client *http.Client
}

// SenderOptions configure a Sender.
type SenderOptions struct {
	Timeout  time.Duration // per attempt; 0 means 30s
	Insecure bool          // accept any TLS certificate (self-signed dev servers)
}

// NotSent starts the error of an attempt that never left: the request could
// not be built, or net/http refused it as built (a method, a header name or
// a header value that is not valid HTTP, which capture stores from a
// refused request).
const NotSent = "not sent: "

// sendFailure is how an attempt that got no answer failed, for code that
// counts or advises. The attempt's Error says the same for people and is
// stored (its text is part of the JSON interface), so code must not parse
// it: the sentence can be reworded, these fields cannot drift from it.
type sendFailure struct {
	notSent   bool // the request never left: Error starts with NotSent
	headerFix bool // not sent for a header value, which Target.Header can replace
}

// NewSender returns a Sender that never follows redirects: a 3xx is the
// app's answer and is recorded as such.
func NewSender(opts SenderOptions) *Sender {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// Bodies are sent as stored; decompressing answers would hide what
	// the app really said.
	tr.DisableCompression = true
	tr.MaxResponseHeaderBytes = MaxResponseHead
	// A delivery's Expect: 100-continue is sent as stored, but the body is
	// here already: waiting for the target's 100 Continue (a second with
	// the default transport, for each attempt) would only add that second
	// to every answer, and many servers never send one.
	tr.ExpectContinueTimeout = 0
	if opts.Insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return &Sender{
		client: &http.Client{
			Transport:     locationHider{tr},
			Timeout:       opts.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// hiddenLocation is where locationHider keeps a redirect's Location: not a
// header name, so no answer can carry it.
const hiddenLocation = "Location\x00hidden"

// locationHider keeps a 3xx answer's Location out of http.Client's sight.
// Redirects are never followed (CheckRedirect), but the client parses
// Location before it asks, and turns one it cannot parse ("/%zz") into an
// error: the target's answer would be recorded as no answer at all.
// restoreLocation puts it back on the answer the client returns.
type locationHider struct{ http.RoundTripper }

func (l locationHider) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.RoundTripper.RoundTrip(req)
	if err == nil && resp.StatusCode/100 == 3 {
		if v, ok := resp.Header["Location"]; ok {
			resp.Header[hiddenLocation] = v
			delete(resp.Header, "Location")
		}
	}
	return resp, err
}

// restoreLocation undoes locationHider on an answer.
func restoreLocation(resp *http.Response) {
	if v, ok := resp.Header[hiddenLocation]; ok {
		resp.Header["Location"] = v
		delete(resp.Header, hiddenLocation)
	}
}

// Request builds the HTTP request that re-sends ev with body exactly: same
// method and body bytes, the original headers except hop-by-hop ones, Host
// and Content-Length (recomputed), then the target's extra headers. A
// delivery that came with trailers (and a body) is sent chunked with them.
func Request(ctx context.Context, ev store.Event, body []byte, t Target) (*http.Request, error) {
	u, err := store.ParseTarget(t.URL)
	if err != nil {
		return nil, err
	}
	if t.KeepPath {
		// Both forms, so that an encoded slash (/a%2Fb) is sent as it came.
		u.RawPath = strings.TrimSuffix(u.EscapedPath(), "/") + ev.EscapedPath()
		u.Path = strings.TrimSuffix(u.Path, "/") + ev.Path
		// Appended too: a query the target carries (an app's token)
		// stays, the delivery's follows it.
		switch {
		case u.RawQuery == "":
			u.RawQuery = ev.Query
		case ev.Query != "":
			u.RawQuery += "&" + ev.Query
		}
	}
	req, err := http.NewRequestWithContext(ctx, ev.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		// The error quotes the URL (a control character a refused
		// delivery's query brought, say), password and all: it is
		// stored in the attempt and printed.
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = store.RedactURLPassword(ue.URL)
		}
		return nil, fmt.Errorf("build request: %w", err)
	}
	if t.KeepPath && ev.Path != "" && ev.Path[0] != '/' {
		// Not a path: CONNECT's host:port or OPTIONS's "*" (see
		// capture's handler). Glued to the target's path it would be
		// neither; it goes out as it came, as the request target.
		req.URL.Path, req.URL.RawPath, req.URL.RawQuery, req.URL.Opaque = "", "", ev.Query, ev.Path
	}
	req.ContentLength = int64(len(body))
	if len(body) == 0 {
		req.Body = http.NoBody
	}
	conn := ev.Header.Values("Connection")
	if h := sentFields(ev.Header, conn); h != nil {
		req.Header = h
	}
	if tr := sentFields(ev.Trailer, conn); tr != nil && len(body) > 0 {
		// A length of -1 makes net/http send the body chunked, declare
		// the trailer names in a Trailer header of its own and write
		// the trailers after the last chunk. An empty body is sent with
		// none: net/http sends no chunks, and no trailers, for it.
		req.ContentLength = -1
		req.Trailer = tr
	}
	if _, ok := req.Header["User-Agent"]; !ok {
		// Without this net/http adds its own; a replay should not claim a
		// user agent the provider did not send.
		req.Header["User-Agent"] = []string{""}
	}
	replaced := map[string]bool{}
	for _, f := range t.Header {
		k := http.CanonicalHeaderKey(f.Name)
		if k == "Host" {
			req.Host = f.Value
			continue
		}
		if !replaced[k] {
			delete(req.Header, k)
			replaced[k] = true
		}
		req.Header.Add(k, f.Value)
	}
	return req, nil
}

// sentFields are the stored header or trailer fields h to send again: all
// but Host (the target's) and Content-Length (net/http frames the body),
// and what describes the connection (hop-by-hop, or named by its
// Connection values conn), which is never carried over; nil when none is
// left. net/http also refuses Transfer-Encoding and Trailer in a trailer,
// and connection-scoped names include them.
func sentFields(h store.Header, conn []string) http.Header {
	var out http.Header
	for _, f := range h {
		k := http.CanonicalHeaderKey(f.Name)
		if k == "Host" || k == "Content-Length" || store.ConnectionScoped(k, conn) {
			continue
		}
		if out == nil {
			out = http.Header{}
		}
		out[k] = append(out[k], f.Value)
	}
	return out
}

// Response is what a target answered.
type Response struct {
	Status int
	Header http.Header
	Body   []byte // complete up to the cap used by do
	// Over reports that the body went on past that cap: Body is its
	// beginning only.
	Over bool
}

// Send re-sends ev to t and returns the attempt to store (At, Target,
// Status, DurationMS, Error, the response headers and capped body).
func (s *Sender) Send(ctx context.Context, ev store.Event, body []byte, t Target) store.Attempt {
	a, _, _, _ := s.do(ctx, ev, body, t, MaxResponseBody)
	return a
}

// do sends and returns the attempt plus the full response (body read up to
// keep bytes), or how and why it got none: the sendFailure and the error.
func (s *Sender) do(ctx context.Context, ev store.Event, body []byte, t Target, keep int64) (store.Attempt, *Response, sendFailure, error) {
	start := time.Now()
	// The recorded target never holds a password given in the URL (sent
	// as basic auth): attempts are shown, exported and listed.
	a := store.Attempt{At: start.UTC()}
	req, err := Request(ctx, ev, body, t)
	if err != nil {
		// Only a target Request refused is parsed again here: the usual
		// path (every forwarded delivery) redacts the URL it built.
		a.Target = store.RedactURLPassword(t.URL)
		a.Error = NotSent + err.Error()
		return a, nil, sendFailure{notSent: true}, err
	}
	a.Target = req.URL.Redacted()
	resp, err := s.client.Do(req)
	if err != nil {
		a.DurationMS = ms(time.Since(start))
		var f sendFailure
		a.Error, f = describeSendError(err)
		return a, nil, f, err
	}
	restoreLocation(resp)
	defer resp.Body.Close()
	// One byte more than kept, to tell a body of exactly keep bytes from
	// a longer one.
	rb, rerr := io.ReadAll(io.LimitReader(resp.Body, keep+1))
	over := int64(len(rb)) > keep
	if over {
		rb = rb[:keep]
	}
	a.DurationMS = ms(time.Since(start))
	a.Status = resp.StatusCode
	if rerr != nil {
		a.Error = "reading the response: " + rerr.Error()
	}
	for _, k := range slices.Sorted(maps.Keys(resp.Header)) {
		for _, v := range resp.Header[k] {
			a.RespHeader = append(a.RespHeader, store.Field{Name: k, Value: v})
		}
	}
	a.RespBody = rb
	if int64(len(a.RespBody)) > MaxResponseBody {
		a.RespBody = a.RespBody[:MaxResponseBody]
	}
	return a, &Response{Status: resp.StatusCode, Header: resp.Header, Body: rb, Over: over}, sendFailure{}, nil
}

// describeSendError turns transport errors into sentences, and says which
// of them mean the request never left.
func describeSendError(err error) (string, sendFailure) {
	var ne net.Error
	var cve *tls.CertificateVerificationError
	switch {
	case errors.As(err, &cve):
		return err.Error() + " (a self-signed development certificate? --insecure accepts any)", sendFailure{}
	case errors.Is(err, context.Canceled):
		return "cancelled", sendFailure{}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timed out waiting for the target: " + err.Error(), sendFailure{}
	case strings.Contains(err.Error(), "connection refused"):
		return "connection refused: is the target running? (" + err.Error() + ")", sendFailure{}
	// A delivery stored although net/http refused it (capture's refused
	// requests): its header cannot be sent as it came. --header replaces
	// a value; a name it cannot give (it is not valid HTTP) stays.
	case strings.Contains(err.Error(), "net/http: invalid header field value"):
		return NotSent + err.Error() + " (the delivery's header value is not valid HTTP; --header NAME:VALUE replaces it)", sendFailure{notSent: true, headerFix: true}
	case strings.Contains(err.Error(), "net/http: invalid header field name"):
		return NotSent + err.Error() + " (the delivery has a header name that is not valid HTTP: it cannot be sent as stored; show --raw has it)", sendFailure{notSent: true}
	}
	return err.Error(), sendFailure{}
}
