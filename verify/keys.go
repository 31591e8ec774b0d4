package verify

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hookscope/hookscope/store"
)

// maxKeyResponseBytes bounds the key endpoint's answer.
const maxKeyResponseBytes = 64 << 10

// KeyResponse is the body of Talkdesk's GET /events/signature-keys/{id}:
// public_key is base64 of a PEM SubjectPublicKeyInfo, dates are UTC
// RFC 3339. hookscope parses it, and serves it for its own dev keys.
type KeyResponse struct {
	PublicKey string `json:"public_key"`
	KeyID     string `json:"key_id"`
	CreatedAt string `json:"created_at,omitempty"`
	ExpiresAt string `json:"expires_at,omitempty"`
}

// NewKeyResponse builds the key endpoint's answer for pub. Zero times are
// left out.
func NewKeyResponse(id string, pub *ecdsa.PublicKey, created, expires time.Time) (KeyResponse, error) {
	enc, err := EncodePublicKey(pub)
	if err != nil {
		return KeyResponse{}, err
	}
	kr := KeyResponse{PublicKey: enc, KeyID: id}
	if !created.IsZero() {
		kr.CreatedAt = created.UTC().Format(time.RFC3339)
	}
	if !expires.IsZero() {
		kr.ExpiresAt = expires.UTC().Format(time.RFC3339)
	}
	return kr, nil
}

// CheckKeyID enforces the only key ids ever put into a URL (or, for dev
// keys, a file name):
// [A-Za-z0-9._-]{1,128}, and not a dot segment that a server could resolve
// to another path.
func CheckKeyID(id string) error {
	if id == "" {
		return errors.New("key id is empty")
	}
	if len(id) > 128 {
		return fmt.Errorf("key id is %d characters; at most 128 are allowed", len(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return errors.New("key id may only hold letters, digits, '.', '_' and '-'")
		}
	}
	if id == "." || id == ".." {
		return errors.New("key id is a path segment ('.' or '..')")
	}
	return nil
}

// resolvedKey is a public key ready to verify with, and where it came from.
type resolvedKey struct {
	pub       *ecdsa.PublicKey
	expiresAt time.Time
	source    string // a sentence fragment for the notes
	notes     []string
}

type memKey struct {
	key store.CachedKey
	pub *ecdsa.PublicKey
}

// fresh reports whether a fetched key may be used without asking the
// endpoint again: keys are cached until they expire.
func fresh(k store.CachedKey, now time.Time) bool {
	return k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt)
}

// keysBase picks the key endpoint's base URL: the explicit override, else
// the region a delivery's _links.root.href names when it is exactly one of
// Talkdesk's three documented gateways (hrefGateways; a trailing slash
// allowed), else the configured region. The href comes from an unverified
// body, so any other value is ignored, and ignored says so.
func (v *Verifier) keysBase(rootHref string) (base string, ignored bool) {
	if v.keysURL != "" {
		return v.keysURL, false
	}
	for _, gw := range hrefGateways {
		if rootHref == gw || rootHref == gw+"/" {
			return gw, false
		}
	}
	// An href naming the configured gateway itself (one of the others,
	// with --talkdesk-region au or uk) was not ignored in effect.
	return v.regionGateway, rootHref != "" && strings.TrimSuffix(rootHref, "/") != v.regionGateway
}

// resolveKey finds the public key for id: local keys, then the in-process
// memory and the cache, then the key endpoint unless a fetch failed recently
// or, for an id with no key even an expired one, too many unknown ids were
// fetched lately (the cache comes first so that a dev key created since is
// found). The error is a reason for an unverifiable verdict.
func (v *Verifier) resolveKey(ctx context.Context, id, rootHref string) (resolvedKey, error) {
	if pub, ok := v.localKeys[id]; ok {
		return resolvedKey{pub: pub, source: "a local key (--talkdesk-key)"}, nil
	}
	now := v.now()
	var notes []string
	v.mu.Lock()
	m, ok := v.memory[id]
	v.mu.Unlock()
	// A key the endpoint served already expired (expiredAnswer) is not
	// answered from here: the cache is read first, because another process
	// sharing it (`hookscope verify` beside a listener) may have fetched
	// it renewed since. fetchOnce then returns the copy in memory without
	// asking the endpoint.
	if ok && fresh(m.key, now) {
		return resolvedKey{pub: m.pub, expiresAt: m.key.ExpiresAt, source: "fetched from " + m.key.Source}, nil
	}
	var stale *memKey
	if ok {
		stale = &m
	}
	if v.cache != nil {
		k, found, err := v.cache.LoadKey(id)
		switch {
		case err != nil:
			notes = append(notes, fmt.Sprintf("key cache could not be read: %v", err))
		case found:
			if pub, perr := ParsePublicKey([]byte(k.PublicKey)); perr == nil {
				mk := memKey{key: k, pub: pub}
				if fresh(k, now) {
					v.remember(id, mk)
					return resolvedKey{pub: pub, expiresAt: k.ExpiresAt, source: "the key cache (fetched from " + k.Source + ")", notes: notes}, nil
				}
				stale = &mk
			}
		}
	}
	base, ignored := v.keysBase(rootHref)
	if ignored {
		notes = append(notes, fmt.Sprintf("the body's _links.root.href %q is none of Talkdesk's documented gateways, so the key was asked of %s (--talkdesk-region)", truncate(rootHref, 80), base))
	}
	f, err := v.fetchOnce(ctx, base, id, stale != nil)
	if err != nil {
		if stale != nil {
			// The endpoint no longer answers for an expired key; the copy we
			// have is still the key that id named.
			notes = append(notes, "could not refresh the expired cached key: "+err.Error())
			return resolvedKey{pub: stale.pub, expiresAt: stale.key.ExpiresAt, source: "the key cache (fetched from " + stale.key.Source + ")", notes: notes}, nil
		}
		return resolvedKey{}, err
	}
	notes = append(notes, f.notes...)
	return resolvedKey{pub: f.pub, expiresAt: f.key.ExpiresAt, source: "fetched from " + f.key.Source, notes: notes}, nil
}

func (v *Verifier) remember(id string, mk memKey) {
	v.mu.Lock()
	v.memory[id] = mk
	v.mu.Unlock()
}

// keyFetch is one in-flight fetch of a key; concurrent Checks for the same
// key wait on done instead of asking the endpoint again.
type keyFetch struct {
	done  chan struct{}
	key   store.CachedKey
	pub   *ecdsa.PublicKey
	notes []string
	err   error
}

// fetchOnce fetches id from base, sharing one request among all concurrent
// callers and answering from the remembered failures (see keyFailures), or
// a key recently served already expired (see expiredAnswer), instead of
// asking again too soon. Unless known (hookscope holds a key for
// id, if expired), a new request needs a token of base's unknownKeyLimiter.
// The request runs on its own goroutine with its own timeout, so a caller
// that gives up does not fail the others.
func (v *Verifier) fetchOnce(ctx context.Context, base, id string, known bool) (*keyFetch, error) {
	k := base + "\x00" + id
	v.mu.Lock()
	now := v.now()
	if m, ok := v.memory[id]; ok && (fresh(m.key, now) || expiredAnswer(m.key, now)) {
		// Another caller finished fetching between our lookup and now,
		// or the endpoint served the key already expired a moment ago.
		v.mu.Unlock()
		return &keyFetch{key: m.key, pub: m.pub}, nil
	}
	f, ok := v.inflight[k]
	if !ok {
		// Joining a fetch under way costs nothing and gets a fresher
		// answer, so remembered failures are only consulted before
		// starting one.
		if err := v.failures.lookup(base, id, now); err != nil {
			v.mu.Unlock()
			return nil, err
		}
		// Only a request actually made spends a token: not joining one,
		// not a remembered failure. A refusal is not remembered as a
		// failure, so the id is fetched as soon as a token is back.
		if !known {
			if err := v.unknown.take(base, id, now); err != nil {
				v.mu.Unlock()
				return nil, err
			}
		}
		f = &keyFetch{done: make(chan struct{})}
		v.inflight[k] = f
		go v.runFetch(context.WithoutCancel(ctx), k, base, id, f)
	}
	v.mu.Unlock()
	select {
	case <-f.done:
		return f, f.err
	case <-ctx.Done():
		return nil, fmt.Errorf("verification was cancelled while fetching key %s: %w", id, ctx.Err())
	}
}

func (v *Verifier) runFetch(ctx context.Context, k, base, id string, f *keyFetch) {
	f.key, f.pub, f.err = v.fetchKey(ctx, base, id)
	if f.err == nil {
		if v.cache != nil {
			if err := v.cache.SaveKey(f.key); err != nil {
				f.notes = append(f.notes, fmt.Sprintf("key %s could not be cached: %v", id, err))
			}
		}
	}
	v.mu.Lock()
	if f.err == nil {
		v.memory[id] = memKey{key: f.key, pub: f.pub}
		v.failures.succeeded(base, id)
	} else {
		v.failures.failed(base, id, f.err, v.now())
	}
	delete(v.inflight, k)
	v.mu.Unlock()
	close(f.done)
}

// fetchKey asks the key endpoint for id. Every error is a complete reason for
// an unverifiable verdict, and a *fetchError that says whether the key or the
// endpoint is at fault.
func (v *Verifier) fetchKey(ctx context.Context, base, id string) (store.CachedKey, *ecdsa.PublicKey, error) {
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	u := base + "/events/signature-keys/" + url.PathEscape(id)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return store.CachedKey{}, nil, permanentFetch(fmt.Errorf("key endpoint URL %s is not usable: %w", u, err))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "hookscope")
	resp, err := v.client.Do(req)
	if err != nil {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			return store.CachedKey{}, nil, transientFetch(fmt.Errorf("key endpoint %s did not answer within %s", u, v.timeout), 0)
		}
		return store.CachedKey{}, nil, transientFetch(fmt.Errorf("could not fetch key %s: %w", id, err), 0)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return store.CachedKey{}, nil, permanentFetch(fmt.Errorf("key endpoint %s answered 404 Not Found: Talkdesk has no key %s there (wrong --talkdesk-region?)", u, id))
	}
	if resp.StatusCode != http.StatusOK {
		// The reason phrase is the endpoint's own text, as long as it
		// likes; a failure is remembered (keyFailures) and repeated in
		// every verdict until it is retried.
		err := fmt.Errorf("key endpoint %s answered %s", u, truncate(resp.Status, 64))
		if transientStatus(resp.StatusCode) {
			return store.CachedKey{}, nil, transientFetch(err, retryAfter(resp.Header, v.now()))
		}
		return store.CachedKey{}, nil, permanentFetch(err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxKeyResponseBytes+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return store.CachedKey{}, nil, transientFetch(fmt.Errorf("key endpoint %s did not finish answering within %s", u, v.timeout), 0)
		}
		return store.CachedKey{}, nil, transientFetch(fmt.Errorf("reading key %s from %s: %w", id, u, err), 0)
	}
	if len(body) > maxKeyResponseBytes {
		return store.CachedKey{}, nil, permanentFetch(fmt.Errorf("key endpoint %s answered more than %d KiB; a key is far smaller", u, maxKeyResponseBytes>>10))
	}
	key, pub, err := parseKeyResponse(body, id)
	if err != nil {
		return store.CachedKey{}, nil, permanentFetch(fmt.Errorf("key endpoint %s %w", u, err))
	}
	key.Source = u
	key.FetchedAt = v.now().UTC()
	return key, pub, nil
}

// parseKeyResponse reads the key endpoint's JSON. Errors complete the
// sentence "key endpoint URL ...".
func parseKeyResponse(body []byte, id string) (store.CachedKey, *ecdsa.PublicKey, error) {
	var kr KeyResponse
	if err := json.Unmarshal(body, &kr); err != nil {
		return store.CachedKey{}, nil, fmt.Errorf("answered with something that is not a key document: %v", err)
	}
	if kr.PublicKey == "" {
		return store.CachedKey{}, nil, errors.New("answered without a public_key")
	}
	if kr.KeyID != "" && kr.KeyID != id {
		return store.CachedKey{}, nil, fmt.Errorf("answered with key_id %q for key %s", truncate(kr.KeyID, 64), id)
	}
	pub, err := ParsePublicKey([]byte(kr.PublicKey))
	if err != nil {
		return store.CachedKey{}, nil, fmt.Errorf("served a public_key hookscope cannot use: %w", err)
	}
	k := store.CachedKey{KeyID: id, PublicKey: kr.PublicKey}
	if k.CreatedAt, err = parseKeyTime(kr.CreatedAt); err != nil {
		return store.CachedKey{}, nil, fmt.Errorf("answered with created_at %q, which is not a date", truncate(kr.CreatedAt, 64))
	}
	if k.ExpiresAt, err = parseKeyTime(kr.ExpiresAt); err != nil {
		return store.CachedKey{}, nil, fmt.Errorf("answered with expires_at %q, which is not a date", truncate(kr.ExpiresAt, 64))
	}
	return k, pub, nil
}

// parseKeyTime reads a UTC date as the key endpoint writes it; RFC 3339 is
// documented, the other layouts are common renderings of "UTC date".
func parseKeyTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("not a date")
}
