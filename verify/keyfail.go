package verify

import (
	"container/list"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookscope/hookscope/store"
)

// Failed key fetches are remembered, in memory only, because the key id is
// whatever an untrusted delivery says: without this, deliveries naming keys
// that do not exist would each cost a GET to Talkdesk, and so would every
// delivery during an outage of the key endpoint. A restart forgets them,
// which is also how a user says "ask again now".
const (
	// missingKeyTTL is how long a key the endpoint does not have (404, 410)
	// or answered unusably for is not asked for again. Such an answer most
	// likely means a made-up id or the wrong region, neither of which mends
	// itself in seconds; minutes still let a key that appears later be
	// picked up soon.
	missingKeyTTL = 5 * time.Minute
	// minKeyBackoff and maxKeyBackoff bound how long the key endpoint is left
	// alone after a transient failure (network error, timeout, 5xx, 429):
	// minKeyBackoff after the first, doubling for each consecutive one.
	// Seconds, because an outage usually ends soon and every key fetch
	// waits on it.
	minKeyBackoff = 5 * time.Second
	maxKeyBackoff = time.Minute
	// maxMissingKeys bounds the remembered missing keys, so a flood of
	// made-up ids cannot grow memory; the least recently asked for is
	// forgotten first. An entry is a few hundred bytes.
	maxMissingKeys = 1024
)

// fetchError is a failed key fetch. Its message is a complete reason for an
// unverifiable verdict; transient says the endpoint, not the key, is at
// fault, so asking again soon, for any key, may succeed.
type fetchError struct {
	err        error
	transient  bool
	retryAfter time.Duration // the endpoint's Retry-After, 0 if none
}

func (e *fetchError) Error() string { return e.err.Error() }
func (e *fetchError) Unwrap() error { return e.err }

// permanentFetch marks err as an answer about the key that asking again
// soon will not change.
func permanentFetch(err error) error { return &fetchError{err: err} }

// transientFetch marks err as a failure of the endpoint.
func transientFetch(err error, retryAfter time.Duration) error {
	return &fetchError{err: err, transient: true, retryAfter: retryAfter}
}

// transientStatus reports whether an HTTP status says the endpoint, rather
// than the key, is in trouble: server errors, rate limiting, request
// timeouts. Every other answer (404, 410, 400, ...) is about the key.
func transientStatus(code int) bool {
	return code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout
}

// retryAfter reads a Retry-After header (seconds or an HTTP date), capped at
// maxKeyBackoff so that an endpoint cannot switch key fetching off for long;
// 0 when absent or unreadable. now is the verifier's clock.
func retryAfter(h http.Header, now time.Time) time.Duration {
	s := strings.TrimSpace(h.Get("Retry-After"))
	if s == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > int64(maxKeyBackoff/time.Second) {
			return maxKeyBackoff
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(s); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxKeyBackoff)
}

// expiredAnswer reports whether k, fetched by this process, was served
// already expired less than missingKeyTTL ago. Such an answer is about the
// key, like a 404, and asking again soon will not change it; but k's id is
// known, so the ration of unknown ids does not stop a flood of deliveries
// naming it (an old delivery replayed) from costing a GET each.
func expiredAnswer(k store.CachedKey, now time.Time) bool {
	age := now.Sub(k.FetchedAt)
	return !k.FetchedAt.IsZero() && !fresh(k, k.FetchedAt) && age >= 0 && age < missingKeyTTL
}

// missingKey is a remembered permanent failure for one key at one endpoint.
type missingKey struct {
	k     string // base + "\x00" + id, as for in-flight fetches
	err   error
	until time.Time
}

// endpointBackoff is the state of one key endpoint after transient
// failures. It is per endpoint, not per key, so that an outage costs one
// GET per back-off even when every delivery names a different key.
type endpointBackoff struct {
	failures int // consecutive transient failures
	until    time.Time
	id       string // the key whose fetch failed last
	err      error
}

// keyFailures remembers failed key fetches: with the ration of fetches of
// unknown key ids (unknownKeyLimiter), it is the Verifier's defence of the
// key endpoint against what deliveries name. It is not safe for concurrent
// use: the Verifier guards it with its mutex.
type keyFailures struct {
	max     int
	missing map[string]*list.Element // values are *missingKey
	lru     *list.List               // front: most recently asked for
	// endpoints has one entry per key endpoint base URL, and those are the
	// configured one and Talkdesk's documented gateways, so it stays small.
	endpoints map[string]*endpointBackoff
}

func newKeyFailures(size int) *keyFailures {
	return &keyFailures{max: size, missing: map[string]*list.Element{}, lru: list.New(), endpoints: map[string]*endpointBackoff{}}
}

// lookup returns the cached failure for id at base, if any, as a reason
// that says it is cached and when the endpoint will be asked again.
func (kf *keyFailures) lookup(base, id string, now time.Time) error {
	k := base + "\x00" + id
	if el, ok := kf.missing[k]; ok {
		m := el.Value.(*missingKey)
		if now.Before(m.until) {
			kf.lru.MoveToFront(el)
			return fmt.Errorf("%w (cached, retry after %s)", m.err, retryTime(m.until))
		}
		kf.remove(el)
	}
	if b, ok := kf.endpoints[base]; ok && now.Before(b.until) {
		if b.id == id {
			return fmt.Errorf("%w (cached, retry after %s)", b.err, retryTime(b.until))
		}
		return fmt.Errorf("key %s not fetched: the last fetch from %s failed: %w (cached, retry after %s)", id, base, b.err, retryTime(b.until))
	}
	return nil
}

// retryTime writes t for a verdict, rounded up to the whole second: rounded
// down, it would name a moment at which asking is still refused.
func retryTime(t time.Time) string {
	if r := t.Truncate(time.Second); !r.Equal(t) {
		t = r.Add(time.Second)
	}
	return t.UTC().Format(time.RFC3339)
}

// failed records a failed fetch of id from base at now. Errors that are not
// fetchErrors are taken as transient: the shorter wait is the safe guess.
func (kf *keyFailures) failed(base, id string, err error, now time.Time) {
	var fe *fetchError
	if !errors.As(err, &fe) || fe.transient {
		kf.failedTransient(base, id, err, fe, now)
		return
	}
	// The endpoint answered, so it is up.
	delete(kf.endpoints, base)
	k := base + "\x00" + id
	m := &missingKey{k: k, err: err, until: now.Add(missingKeyTTL)}
	if el, ok := kf.missing[k]; ok {
		el.Value = m
		kf.lru.MoveToFront(el)
		return
	}
	kf.missing[k] = kf.lru.PushFront(m)
	for kf.lru.Len() > kf.max {
		kf.remove(kf.lru.Back())
	}
}

func (kf *keyFailures) failedTransient(base, id string, err error, fe *fetchError, now time.Time) {
	b := kf.endpoints[base]
	if b == nil || now.Sub(b.until) > maxKeyBackoff {
		// No failure recently: this is a new outage, not the same one
		// going on, so the back-off starts over.
		b = &endpointBackoff{}
		kf.endpoints[base] = b
	}
	b.failures++
	wait := maxKeyBackoff
	if b.failures <= 8 { // 5s << 8 is far past the cap; avoids overflow
		wait = min(minKeyBackoff<<(b.failures-1), maxKeyBackoff)
	}
	if fe != nil && fe.retryAfter > wait {
		// The endpoint said how long it needs; retryAfter is already
		// capped at maxKeyBackoff.
		wait = fe.retryAfter
	}
	b.until, b.id, b.err = now.Add(wait), id, err
}

// succeeded forgets failures of id at base, and the endpoint's back-off.
func (kf *keyFailures) succeeded(base, id string) {
	if el, ok := kf.missing[base+"\x00"+id]; ok {
		kf.remove(el)
	}
	delete(kf.endpoints, base)
}

func (kf *keyFailures) remove(el *list.Element) {
	delete(kf.missing, el.Value.(*missingKey).k)
	kf.lru.Remove(el)
}
