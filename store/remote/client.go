package remote

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hookscope/hookscope/store"
)

// Client reaches a running listener's database through its unix socket. It
// implements store.Store.
type Client struct {
	sock   string
	dbPath string
	http   *http.Client
	// stream has no overall timeout: subscriptions stay open.
	stream *http.Client

	mu      sync.Mutex
	cancels []context.CancelFunc
	// What the listener last said (Dial, Ping) of where it captures and
	// forwards.
	listenURL, forwardTo string
}

var _ store.Store = (*Client)(nil)

// ErrGone means the listener a Client was dialled to no longer answers on
// its socket. It is store.ErrGone, so that callers that know only the
// store.Store interface (the TUI) can tell it from other errors.
var ErrGone = store.ErrGone

// dialFailed reports whether err is a failure to reach the socket at all,
// so that the request cannot have been received.
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// Dial connects to the socket at sock and checks that a listener answers
// within timeout.
func Dial(sock string, timeout time.Duration) (*Client, error) {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}
	c := &Client{sock: sock, http: &http.Client{Transport: tr, Timeout: 5 * time.Minute}, stream: &http.Client{Transport: tr}}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	p, err := c.ping(ctx)
	if err != nil {
		return nil, fmt.Errorf("remote: no hookscope answered on %s: %w", sock, err)
	}
	c.dbPath = p.DB
	return c, nil
}

// pingAnswer is what GET /v1/ping says.
type pingAnswer struct{ DB, URL, Forward string }

// ping asks the listener for its database and where it captures and
// forwards, and remembers the last two.
func (c *Client) ping(ctx context.Context) (pingAnswer, error) {
	var p pingAnswer
	if err := c.do(ctx, "GET", "/v1/ping", nil, &p); err != nil {
		return p, err
	}
	c.mu.Lock()
	c.listenURL, c.forwardTo = p.URL, p.Forward
	c.mu.Unlock()
	return p, nil
}

// Ping asks the listener again where it captures deliveries and where it
// forwards them (see ListenURL and ForwardTo, which it updates): a view
// attached before the listener bound its port, or across a restart of the
// listener, learns them late.
func (c *Client) Ping(ctx context.Context) (listenURL, forwardTo string, err error) {
	p, err := c.ping(ctx)
	return p.URL, p.Forward, err
}

// Path is the database file of the listener.
func (c *Client) Path() string { return c.dbPath }

// ListenURL is where the listener captures deliveries, as it last said
// (Dial, Ping): "" when it had not bound its port yet.
func (c *Client) ListenURL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.listenURL
}

// ForwardTo is where the listener forwards each delivery, password masked,
// as it last said (Dial, Ping): "" when it does not forward.
func (c *Client) ForwardTo() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.forwardTo
}

// List implements store.Store.
func (c *Client) List(ctx context.Context, q store.Query) ([]store.Record, error) {
	v := url.Values{}
	v.Set("filter", q.Filter)
	v.Set("before", q.Before)
	v.Set("after", q.After)
	v.Set("limit", strconv.Itoa(q.Limit))
	if q.Oldest {
		v.Set("oldest", "1")
	}
	var wire []wireRecord
	if err := c.do(ctx, "GET", "/v1/events?"+v.Encode(), nil, &wire); err != nil {
		return nil, err
	}
	out := make([]store.Record, len(wire))
	for i, w := range wire {
		out[i] = fromWire(w)
	}
	return out, nil
}

// Count implements store.Store.
func (c *Client) Count(ctx context.Context, filter string) (int, int, error) {
	var n [2]int
	err := c.do(ctx, "GET", "/v1/count?filter="+url.QueryEscape(filter), nil, &n)
	return n[0], n[1], err
}

// Get implements store.Store.
func (c *Client) Get(ctx context.Context, id string) (store.Record, error) {
	var w wireRecord
	if err := c.do(ctx, "GET", "/v1/events/"+url.PathEscape(id), nil, &w); err != nil {
		return store.Record{}, err
	}
	return fromWire(w), nil
}

// Body implements store.Store.
func (c *Client) Body(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := c.do(ctx, "GET", "/v1/events/"+url.PathEscape(id)+"/body", nil, &b)
	return b, err
}

// Attempt implements store.Store.
func (c *Client) Attempt(ctx context.Context, id string, seq int) (store.Attempt, error) {
	var w wireAttempt
	if err := c.do(ctx, "GET", fmt.Sprintf("/v1/events/%s/attempts/%d", url.PathEscape(id), seq), nil, &w); err != nil {
		return store.Attempt{}, err
	}
	a := w.Attempt
	a.RespHeader, a.RespBody = w.RespHeader, w.RespBody
	return a, nil
}

// PutAnalysis implements store.Store.
func (c *Client) PutAnalysis(ctx context.Context, id string, a store.Analysis) (store.Analysis, error) {
	var out store.Analysis
	err := c.do(ctx, "POST", "/v1/events/"+url.PathEscape(id)+"/analysis", a, &out)
	return out, err
}

// AddAttempt implements store.Store.
func (c *Client) AddAttempt(ctx context.Context, id string, a *store.Attempt) error {
	return c.do(ctx, "POST", "/v1/events/"+url.PathEscape(id)+"/attempts",
		wireAttempt{Attempt: *a, RespHeader: a.RespHeader, RespBody: a.RespBody}, &a.Seq)
}

// SetPinned implements store.Store.
func (c *Client) SetPinned(ctx context.Context, id string, pinned bool) error {
	return c.do(ctx, "POST", "/v1/events/"+url.PathEscape(id)+"/pin", pinned, nil)
}

// Settings decodes into out what the listener verifies and masks with (see
// Hooks.Settings). A listener that shares none (an older one) leaves out
// as it was and is not an error: ok says whether it answered with some.
func (c *Client) Settings(ctx context.Context, out any) (ok bool, err error) {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://hookscope/v1/settings", nil)
	if err != nil {
		return false, fmt.Errorf("remote: settings: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return false, c.transportError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusNotImplemented {
		return false, nil
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return false, fmt.Errorf("remote: settings: %s", strings.TrimSpace(string(msg)))
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return false, fmt.Errorf("remote: decode settings: %w", err)
	}
	return true, nil
}

// Reverify asks the listener to verify delivery id again.
func (c *Client) Reverify(ctx context.Context, id string) error {
	return c.do(ctx, "POST", "/v1/events/"+url.PathEscape(id)+"/reverify", true, nil)
}

// Delete implements store.Store.
func (c *Client) Delete(ctx context.Context, ids []string) (int, error) {
	var n int
	err := c.do(ctx, "POST", "/v1/delete", ids, &n)
	return n, err
}

// Prune implements store.Store: the listener prunes its own database, in
// the same bounded batches as in-process.
func (c *Client) Prune(ctx context.Context, opts store.PruneOptions) (store.PruneResult, error) {
	var res store.PruneResult
	err := c.do(ctx, "POST", "/v1/prune", opts, &res)
	return res, err
}

// Stats implements store.Store.
func (c *Client) Stats(ctx context.Context) (store.Stats, error) {
	var st store.Stats
	err := c.do(ctx, "GET", "/v1/stats", nil, &st)
	return st, err
}

// ImportAll implements store.Store; the ids assigned by the listener are
// written back into evs. A listener older than this client, which would
// drop the pins and attempts, is told apart by its 404 and refused.
func (c *Client) ImportAll(ctx context.Context, evs []*store.Event, bodies [][]byte, states []store.ImportState) error {
	in := wireImport{Events: evs, Bodies: bodies, Forwards: make([]*wireAttempt, len(evs))}
	for i, ev := range evs {
		if ev.Forward != nil {
			f := toWireAttempt(*ev.Forward)
			in.Forwards[i] = &f
		}
	}
	if states != nil {
		in.States = make([]wireState, len(states))
		for i, st := range states {
			in.States[i].Pinned = st.Pinned
			for _, a := range st.Replays {
				in.States[i].Replays = append(in.States[i].Replays, toWireAttempt(a))
			}
		}
	}
	var ids []string
	if err := c.do(ctx, "POST", "/v1/imports", in, &ids); err != nil {
		if strings.HasPrefix(err.Error(), "404 ") {
			return fmt.Errorf("the listener holding %s is older than this hookscope and cannot import pins and attempts: restart it", c.dbPath)
		}
		return err
	}
	for i := range evs {
		if i < len(ids) {
			evs[i].ID = ids[i]
			evs[i].Imported = true
		}
	}
	return nil
}

// LoadKey implements store.Store.
func (c *Client) LoadKey(id string) (store.CachedKey, bool, error) {
	var k store.CachedKey
	err := c.do(context.Background(), "GET", "/v1/keys/"+url.PathEscape(id), nil, &k)
	if errors.Is(err, store.ErrNotFound) {
		return k, false, nil
	}
	return k, err == nil, err
}

// SaveKey implements store.Store.
func (c *Client) SaveKey(k store.CachedKey) error {
	return c.do(context.Background(), "POST", "/v1/keys", k, nil)
}

// Subscribe streams the listener's notices. When the listener goes away
// the channel gets a Lost notice and the client dials again, backing off
// from resubscribeFirst to resubscribeMax; when a listener answers again
// (restarted, possibly elsewhere), a Resync notice says what was missed
// must be re-read, and its notices follow. The channel closes only when
// cancel is called or the client is closed.
func (c *Client) Subscribe(buffer int) (<-chan store.Notice, func()) {
	if buffer < 1 {
		buffer = 1
	}
	ch := make(chan store.Notice, buffer)
	ctx, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	c.cancels = append(c.cancels, cancel)
	c.mu.Unlock()
	go func() {
		defer close(ch)
		// Lost and Resync are sent even when the channel is full: without
		// them a subscriber never learns to re-read.
		must := func(n store.Notice) bool {
			select {
			case ch <- n:
				return true
			case <-ctx.Done():
				return false
			}
		}
		delay := resubscribeFirst
		lost := false // Lost was sent, and no stream has begun since
		for {
			c.streamOnce(ctx, ch, func() bool {
				delay = resubscribeFirst
				if !lost {
					return true
				}
				lost = false
				return must(store.Notice{Kind: store.Resync})
			})
			if ctx.Err() != nil {
				return
			}
			// The stream ended, or nobody answered (the listener went away
			// between Dial and now, or is still away).
			if !lost {
				if !must(store.Notice{Kind: store.Lost}) {
					return
				}
				lost = true
			}
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return
			}
			delay = min(2*delay, resubscribeMax)
		}
	}()
	return ch, cancel
}

// Pace of Subscribe's dialling after the listener went away: the first
// try soon (a restart takes a moment), then doubling, so that a view left
// open costs one dial every few seconds while nothing listens.
const (
	resubscribeFirst = 100 * time.Millisecond
	resubscribeMax   = 3 * time.Second
)

// streamOnce reads one notice stream into ch until it ends. connected runs
// once the listener has answered; false from it (ctx ended) stops at once.
func (c *Client) streamOnce(ctx context.Context, ch chan<- store.Notice, connected func() bool) {
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://hookscope/v1/subscribe", nil)
	resp, err := c.stream.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !connected() {
		return
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var n store.Notice
		if json.Unmarshal(sc.Bytes(), &n) != nil {
			continue
		}
		select {
		case ch <- n:
		default: // like in-process subscriptions: never block the source
		}
	}
}

// Close ends subscriptions and idle connections.
func (c *Client) Close() error {
	c.mu.Lock()
	for _, cancel := range c.cancels {
		cancel()
	}
	c.cancels = nil
	c.mu.Unlock()
	c.http.CloseIdleConnections()
	return nil
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://hookscope"+path, body)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		text := strings.TrimSpace(string(msg))
		switch resp.Header.Get("X-Hookscope-Error") {
		case codeNotFound:
			return &remoteError{text, store.ErrNotFound}
		case codeAmbiguous:
			return &remoteError{text, store.ErrAmbiguous}
		}
		return errors.New(text)
	}
	if out == nil {
		return nil
	}
	if b, ok := out.(*[]byte); ok {
		*b, err = io.ReadAll(resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("remote: decode %s: %w", path, err)
	}
	return nil
}

// transportError is the error of a request that got no answer.
func (c *Client) transportError(err error) error {
	if dialFailed(err) {
		// Nothing to do with the request: the listener is gone (an
		// attached view outlives it), and Go's words do not say so.
		return fmt.Errorf("the listener holding %s stopped (nothing answers on %s): start it again, or run the command again to read the file directly: %w",
			c.dbPath, c.sock, ErrGone)
	}
	return fmt.Errorf("remote: %s: %w", c.sock, err)
}

// remoteError carries the listener's message and the sentinel it wrapped.
type remoteError struct {
	msg      string
	sentinel error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.sentinel }
