package verify

import (
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// testClock is a clock the test moves by hand, so TTLs are crossed without
// sleeping.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// switchTransport counts every key fetch that leaves the Verifier and,
// while err is set, fails it as the network would; otherwise it forwards to
// the test server.
type switchTransport struct {
	next  http.RoundTripper
	count atomic.Int64
	mu    sync.Mutex
	err   error
}

func (st *switchTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	st.count.Add(1)
	st.mu.Lock()
	err := st.err
	st.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return st.next.RoundTrip(r)
}

func (st *switchTransport) fail(err error) {
	st.mu.Lock()
	st.err = err
	st.mu.Unlock()
}

// timeoutError is a network timeout, as net.Error reports one.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// failureFixture is a Verifier on a settable clock whose key fetches all go
// through a switchTransport to a keyServer.
type failureFixture struct {
	t     *testing.T
	ks    *keyServer
	tr    *switchTransport
	clock *testClock
	cache *memCache
	v     *Verifier
}

func newFailureFixture(t *testing.T) *failureFixture {
	ks := newKeyServer(t)
	tr := &switchTransport{next: ks.Client().Transport}
	clock := &testClock{t: testNow}
	cache := newMemCache()
	v := mustNew(t, Config{TalkdeskKeysURL: ks.URL, Cache: cache, Now: clock.Now, Client: &http.Client{Transport: tr}})
	return &failureFixture{t: t, ks: ks, tr: tr, clock: clock, cache: cache, v: v}
}

func cachedUntil(until time.Time) string {
	return "(cached, retry after " + until.UTC().Format(time.RFC3339) + ")"
}

// wantFetched asserts a failure that was just fetched, not remembered.
func wantFetched(t *testing.T, got Result, reasonPart string) {
	t.Helper()
	wantSig(t, got, store.SigUnverifiable, reasonPart)
	if strings.Contains(got.Signature.Reason, "cached") {
		t.Fatalf("reason %q says cached for a fresh fetch", got.Signature.Reason)
	}
}

// wantCached asserts a remembered failure and when it is retried.
func wantCached(t *testing.T, got Result, reasonPart string, until time.Time) {
	t.Helper()
	wantSig(t, got, store.SigUnverifiable, reasonPart)
	wantSig(t, got, store.SigUnverifiable, cachedUntil(until))
}

func wantFetches(t *testing.T, tr *switchTransport, n int64) {
	t.Helper()
	if got := tr.count.Load(); got != n {
		t.Fatalf("%d key fetches, want %d", got, n)
	}
}

// TestKeyMissingCached: an answer saying the key does not exist or cannot
// be used is fetched once per key for missingKeyTTL, then asked again; a
// key served by then verifies and is cached positively as before.
func TestKeyMissingCached(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	pub, _ := EncodePublicKey(&priv.PublicKey)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	edDER, _ := x509.MarshalPKIXPublicKey(edPub)
	edKey := base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: edDER}))
	tests := []struct {
		name   string
		setup  func(ks *keyServer)
		reason string
	}{
		{"404", func(ks *keyServer) {}, "answered 404 Not Found: Talkdesk has no key k1 there"},
		{"410", func(ks *keyServer) { ks.configure(http.StatusGone, "", 0) }, "answered 410 Gone"},
		{"400", func(ks *keyServer) { ks.configure(http.StatusBadRequest, "", 0) }, "answered 400 Bad Request"},
		{"not a key document", func(ks *keyServer) { ks.configure(0, "<html>hello</html>", 0) }, "not a key document"},
		{"wrong key type", func(ks *keyServer) { ks.addRaw("k1", edKey, time.Time{}) }, "served a public_key hookscope cannot use: public key is ed25519.PublicKey, not ECDSA"},
		{"other key_id", func(ks *keyServer) { ks.configure(0, `{"key_id":"k2","public_key":"`+pub+`"}`, 0) }, `key_id "k2" for key k1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFailureFixture(t)
			tc.setup(f.ks)
			deliver := func(id string) Result {
				return check(f.v, talkdeskRequest(t, priv, id, []byte(`{"id":"e1"}`)))
			}
			until := testNow.Add(missingKeyTTL)

			wantFetched(t, deliver("k1"), tc.reason)
			for range 5 {
				wantCached(t, deliver("k1"), tc.reason, until)
			}
			wantFetches(t, f.tr, 1)

			// The answer was about k1: another key is still asked for
			// (whatever the answer; "other key_id" serves k2).
			deliver("k2")
			wantFetches(t, f.tr, 2)

			// The failure is not saved to the persistent cache.
			f.clock.Set(until.Add(-time.Second))
			wantCached(t, deliver("k1"), tc.reason, until)
			wantFetches(t, f.tr, 2)
			if _, saved := f.cache.keys["k1"]; saved {
				t.Fatalf("a failed fetch was saved to the key cache")
			}

			// Talkdesk serves the key now: after the TTL it is fetched and
			// verifies, and from then on it is cached positively.
			f.ks.configure(0, "", 0)
			f.ks.add(t, "k1", &priv.PublicKey, time.Time{})
			f.clock.Set(until)
			wantSig(t, deliver("k1"), store.SigValid, "matches Talkdesk key k1")
			wantFetches(t, f.tr, 3)
			f.clock.Set(until.Add(time.Hour))
			wantSig(t, deliver("k1"), store.SigValid, "matches Talkdesk key k1")
			wantFetches(t, f.tr, 3)
			if k := f.cache.keys["k1"]; k.PublicKey == "" {
				t.Fatalf("the fetched key was not saved to the key cache")
			}
		})
	}
}

// TestKeyTransientBackoff: a failing endpoint is left alone for a back-off
// that doubles per consecutive failure (or follows Retry-After), for every
// key, and a success resets it.
func TestKeyTransientBackoff(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	tests := []struct {
		name   string
		fail   func(f *failureFixture)
		reason string
		// waits are the back-offs after the first and the second
		// consecutive failure.
		waits [2]time.Duration
	}{
		{"500", func(f *failureFixture) { f.ks.configure(500, "", 0) }, "answered 500 Internal Server Error", [2]time.Duration{5 * time.Second, 10 * time.Second}},
		{"429", func(f *failureFixture) { f.ks.configure(429, "", 0) }, "answered 429 Too Many Requests", [2]time.Duration{5 * time.Second, 10 * time.Second}},
		{"503 with Retry-After", func(f *failureFixture) {
			f.ks.configure(503, "", 0)
			f.ks.setHeader("Retry-After", "30")
		}, "answered 503 Service Unavailable", [2]time.Duration{30 * time.Second, 30 * time.Second}},
		{"Retry-After capped", func(f *failureFixture) {
			f.ks.configure(503, "", 0)
			f.ks.setHeader("Retry-After", "86400")
		}, "answered 503 Service Unavailable", [2]time.Duration{time.Minute, time.Minute}},
		{"network error", func(f *failureFixture) { f.tr.fail(errors.New("connection refused")) }, "could not fetch key k1: ", [2]time.Duration{5 * time.Second, 10 * time.Second}},
		{"timeout", func(f *failureFixture) { f.tr.fail(timeoutError{}) }, "did not answer within 5s", [2]time.Duration{5 * time.Second, 10 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFailureFixture(t)
			f.ks.add(t, "k1", &priv.PublicKey, time.Time{})
			heal := func() {
				f.tr.fail(nil)
				f.ks.configure(0, "", 0)
			}
			deliver := func(id string) Result {
				return check(f.v, talkdeskRequest(t, priv, id, []byte(`{"id":"e1"}`)))
			}
			tc.fail(f)

			wantFetched(t, deliver("k1"), tc.reason)
			until := testNow.Add(tc.waits[0])
			f.clock.Set(until.Add(-time.Second))
			for range 5 {
				wantCached(t, deliver("k1"), tc.reason, until)
			}
			// The endpoint, not the key, failed: other keys wait too.
			got := deliver("k2")
			wantCached(t, got, "key k2 not fetched: the last fetch from "+f.ks.URL+" failed: ", until)
			wantSig(t, got, store.SigUnverifiable, tc.reason)
			wantFetches(t, f.tr, 1)

			// Still failing: the back-off grows.
			f.clock.Set(until)
			wantFetched(t, deliver("k1"), tc.reason)
			wantFetches(t, f.tr, 2)
			until = until.Add(tc.waits[1])
			f.clock.Set(until.Add(-time.Second))
			wantCached(t, deliver("k1"), tc.reason, until)
			wantFetches(t, f.tr, 2)

			// Recovered: the next fetch after the back-off succeeds.
			heal()
			f.clock.Set(until)
			wantSig(t, deliver("k1"), store.SigValid, "matches Talkdesk key k1")
			wantFetches(t, f.tr, 3)

			// A new failure starts the back-off over.
			tc.fail(f)
			reason3 := strings.ReplaceAll(tc.reason, "k1", "k3")
			wantFetched(t, deliver("k3"), reason3)
			wantFetches(t, f.tr, 4)
			wantCached(t, deliver("k3"), reason3, until.Add(tc.waits[0]))
			wantFetches(t, f.tr, 4)
		})
	}
}

// TestKeyMissingEviction: the remembered missing keys are bounded, and the
// least recently asked for is forgotten first.
func TestKeyMissingEviction(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	f := newFailureFixture(t)
	f.v.failures = newKeyFailures(3)
	steps := []struct {
		id      string
		fetched bool
	}{
		{"a", true}, {"b", true}, {"c", true}, // LRU: c b a
		{"a", false}, // a c b
		{"d", true},  // d a c; b forgotten
		{"b", true},  // b d a; c forgotten
		{"a", false}, // a b d
		{"c", true},  // c a b; d forgotten
		{"d", true},
	}
	var fetches int64
	for i, s := range steps {
		got := check(f.v, talkdeskRequest(t, priv, s.id, []byte(`{}`)))
		if s.fetched {
			fetches++
			wantFetched(t, got, "has no key "+s.id)
		} else {
			wantCached(t, got, "has no key "+s.id, testNow.Add(missingKeyTTL))
		}
		if n := f.tr.count.Load(); n != fetches {
			t.Fatalf("step %d (%s): %d fetches, want %d", i, s.id, n, fetches)
		}
		if n := f.v.failures.size(); n > 3 {
			t.Fatalf("step %d: %d missing keys remembered, bound is 3", i, n)
		}
	}

	t.Run("New bounds at maxMissingKeys", func(t *testing.T) {
		v := mustNew(t, Config{})
		notFound := permanentFetch(errors.New("not found"))
		for i := range 2 * maxMissingKeys {
			v.failures.failed("https://x", fmt.Sprintf("k%d", i), notFound, testNow)
		}
		if n := v.failures.size(); n != maxMissingKeys {
			t.Fatalf("%d missing keys remembered, want the bound %d", n, maxMissingKeys)
		}
		if v.failures.lookup("https://x", "k0", testNow) != nil {
			t.Error("the oldest key is still remembered")
		}
		if v.failures.lookup("https://x", fmt.Sprintf("k%d", 2*maxMissingKeys-1), testNow) == nil {
			t.Error("the newest key was forgotten")
		}
	})
}

// TestKeyMissingConcurrent: many deliveries at once naming the same missing
// key cost one fetch, whether they join it or find it remembered.
func TestKeyMissingConcurrent(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	t.Run("same id", func(t *testing.T) {
		f := newFailureFixture(t)
		const n = 64
		results := make([]Result, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				results[i] = check(f.v, talkdeskRequest(t, priv, "ghost", fmt.Appendf(nil, `{"id":"e%d"}`, i)))
			})
		}
		wg.Wait()
		for i, r := range results {
			if r.Signature.Status != store.SigUnverifiable || !strings.Contains(r.Signature.Reason, "has no key ghost") {
				t.Fatalf("check %d: %+v", i, r.Signature)
			}
		}
		wantFetches(t, f.tr, 1)
	})
	t.Run("distinct ids stay bounded", func(t *testing.T) {
		f := newFailureFixture(t)
		f.v.failures = newKeyFailures(8)
		// This is about the bound, not about rationing unknown ids: let
		// every delivery fetch (evicted ids are fetched again).
		f.v.unknown = newUnknownKeyLimiter(64, unknownKeyInterval)
		var wg sync.WaitGroup
		for i := range 64 {
			wg.Go(func() {
				id := fmt.Sprintf("ghost%d", i%32)
				wantSig(t, check(f.v, talkdeskRequest(t, priv, id, []byte(`{}`))), store.SigUnverifiable, "has no key "+id)
			})
		}
		wg.Wait()
		if n := f.v.failures.size(); n != 8 {
			t.Fatalf("%d missing keys remembered, want the bound 8", n)
		}
	})
}

// TestKeyMissingThenCached: the key cache is read before remembered
// failures, so a key that appears there (a dev key created after the
// listener started) is used at once.
func TestKeyMissingThenCached(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	pub, _ := EncodePublicKey(&priv.PublicKey)
	f := newFailureFixture(t)
	r := talkdeskRequest(t, priv, "k1", []byte(`{}`))
	wantFetched(t, check(f.v, r), "has no key k1")
	f.cache.SaveKey(store.CachedKey{KeyID: "k1", PublicKey: pub, Source: "hookscope dev key"})
	got := check(f.v, r)
	wantSig(t, got, store.SigValid, "matches")
	if !strings.Contains(strings.Join(got.Notes, "\n"), "the key cache") {
		t.Errorf("notes %q", got.Notes)
	}
	wantFetches(t, f.tr, 1)
}

// TestKeyStaleRefreshThrottled: an expired key the endpoint no longer has
// is still used, and the endpoint is not asked again for every delivery.
func TestKeyStaleRefreshThrottled(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	pub, _ := EncodePublicKey(&priv.PublicKey)
	f := newFailureFixture(t)
	f.cache.keys["k1"] = store.CachedKey{KeyID: "k1", PublicKey: pub, ExpiresAt: testNow.Add(24 * time.Hour), Source: "old"}
	r := talkdeskRequest(t, priv, "k1", []byte(`{}`))
	r.ReceivedAt = testNow
	f.clock.Set(testNow.Add(48 * time.Hour)) // the key has expired since
	for i := range 5 {
		got := check(f.v, r)
		wantSig(t, got, store.SigValid, "matches")
		notes := strings.Join(got.Notes, "\n")
		if !strings.Contains(notes, "could not refresh the expired cached key") || (i > 0) != strings.Contains(notes, "cached, retry after") {
			t.Fatalf("delivery %d: notes %q", i, got.Notes)
		}
	}
	wantFetches(t, f.tr, 1)
}

func TestKeyFailuresBackoffGrowth(t *testing.T) {
	base := "https://x"
	boom := transientFetch(errors.New("boom"), 0)
	kf := newKeyFailures(4)
	now := testNow
	// Each failure happens as soon as the previous back-off ends.
	for i, want := range []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute, time.Minute} {
		kf.failed(base, "k1", boom, now)
		if kf.lookup(base, "k1", now.Add(want-time.Nanosecond)) == nil {
			t.Fatalf("failure %d: not backing off just before %s", i+1, want)
		}
		if err := kf.lookup(base, "k1", now.Add(want)); err != nil {
			t.Fatalf("failure %d: still backing off at %s: %v", i+1, want, err)
		}
		now = now.Add(want)
	}
	// After a quiet spell, a new failure is a new outage.
	now = now.Add(2 * maxKeyBackoff)
	kf.failed(base, "k1", boom, now)
	if kf.lookup(base, "k1", now.Add(minKeyBackoff)) != nil {
		t.Fatal("back-off did not start over after a quiet spell")
	}
	// An answer about a key means the endpoint is up again.
	kf.failed(base, "k1", boom, now)
	kf.failed(base, "k2", permanentFetch(errors.New("404")), now)
	if err := kf.lookup(base, "k3", now); err != nil {
		t.Fatalf("endpoint still backing off after it answered: %v", err)
	}
	// Errors of unknown kind get the short wait.
	kf.failed("https://y", "k1", errors.New("odd"), now)
	if kf.lookup("https://y", "k1", now.Add(minKeyBackoff)) != nil {
		t.Fatal("an unclassified error was remembered past the transient back-off")
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"12", 12 * time.Second},
		{" 7 ", 7 * time.Second},
		{"0", 0},
		{"-5", 0},
		{"86400", maxKeyBackoff},
		{"99999999999999999999", 0}, // overflows ParseInt, and is no date
		{testNow.Add(20 * time.Second).Format(http.TimeFormat), 20 * time.Second},
		{testNow.Add(time.Hour).Format(http.TimeFormat), maxKeyBackoff},
		{testNow.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"soon", 0},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			if got := retryAfter(http.Header{"Retry-After": {tc.value}}, testNow); got != tc.want {
				t.Errorf("retryAfter(%q) = %s, want %s", tc.value, got, tc.want)
			}
		})
	}
}

func TestRetryTime(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{testNow, "2026-03-01T12:00:00Z"},
		{testNow.Add(time.Nanosecond), "2026-03-01T12:00:01Z"},
		{testNow.Add(5*time.Second + 700*time.Millisecond), "2026-03-01T12:00:06Z"},
		{testNow.In(time.FixedZone("UTC+2", 2*60*60)).Add(-time.Millisecond), "2026-03-01T12:00:00Z"},
	}
	for _, tc := range tests {
		if got := retryTime(tc.t); got != tc.want {
			t.Errorf("retryTime(%s) = %s, want %s", tc.t.Format(time.RFC3339Nano), got, tc.want)
		}
	}
}

// TestKeyServedExpiredNotRefetched: a key the endpoint serves already
// expired is an answer about the key too. Its id is known from then on, so
// the ration of unknown ids does not apply; without remembering the answer,
// every delivery naming it (an old one replayed, or re-verified) would cost
// a GET. It is asked for again after missingKeyTTL, when a renewed key is
// picked up.
func TestKeyServedExpiredNotRefetched(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	f := newFailureFixture(t)
	f.ks.add(t, "k1", &priv.PublicKey, testNow.Add(-time.Hour))
	deliver := f.deliverer(priv)
	for range 3 * unknownKeyBurst {
		got := deliver("k1")
		wantSig(t, got, store.SigInvalid, "Talkdesk does not sign with expired keys")
		if !strings.Contains(strings.Join(got.Notes, "\n"), "key k1: fetched from "+f.ks.URL) {
			t.Fatalf("notes %q: want the fetched key", got.Notes)
		}
	}
	wantFetches(t, f.tr, 1)

	f.ks.add(t, "k1", &priv.PublicKey, testNow.Add(24*time.Hour))
	f.clock.Set(testNow.Add(missingKeyTTL - time.Second))
	wantSig(t, deliver("k1"), store.SigInvalid, "Talkdesk does not sign with expired keys")
	wantFetches(t, f.tr, 1)
	f.clock.Set(testNow.Add(missingKeyTTL))
	wantSig(t, deliver("k1"), store.SigValid, "matches Talkdesk key k1")
	wantFetches(t, f.tr, 2)
}

// TestKeyServedExpiredCacheRenewed: while this process remembers a key the
// endpoint served expired, another one sharing the key cache (`hookscope
// verify` beside a listener) may fetch it renewed and cache it. The next
// delivery must verify with the cache's fresh copy rather than the expired
// one in memory until missingKeyTTL runs out.
func TestKeyServedExpiredCacheRenewed(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	f := newFailureFixture(t)
	f.ks.add(t, "k1", &priv.PublicKey, testNow.Add(-time.Hour))
	deliver := f.deliverer(priv)
	wantSig(t, deliver("k1"), store.SigInvalid, "Talkdesk does not sign with expired keys")

	renewed, ok, _ := f.cache.LoadKey("k1")
	if !ok {
		t.Fatal("the fetched key was not cached")
	}
	renewed.ExpiresAt = testNow.Add(24 * time.Hour)
	renewed.FetchedAt = testNow.Add(time.Second)
	if err := f.cache.SaveKey(renewed); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(testNow.Add(2 * time.Second))
	wantSig(t, deliver("k1"), store.SigValid, "matches Talkdesk key k1")
	wantFetches(t, f.tr, 1)
}

// statusTransport answers every request with status, whatever its length.
type statusTransport struct {
	code   int
	status string
}

func (st statusTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: st.code, Status: st.status, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

// TestKeyEndpointStatusBounded: the endpoint's reason phrase is its own
// text; the verdict, and the failure remembered for missingKeyTTL, keep
// only the start of it.
func TestKeyEndpointStatusBounded(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	for _, code := range []int{http.StatusGone, http.StatusServiceUnavailable} {
		status := strconv.Itoa(code) + " " + strings.Repeat("x", 1<<20)
		v := mustNew(t, Config{TalkdeskKeysURL: "https://keys.example", Now: func() time.Time { return testNow },
			Client: &http.Client{Transport: statusTransport{code, status}}})
		for range 2 { // fetched, then remembered
			got := check(v, talkdeskRequest(t, priv, "k1", []byte(`{"id":"e1"}`)))
			wantSig(t, got, store.SigUnverifiable, "answered "+strconv.Itoa(code)+" xxx")
			if n := len(got.Signature.Reason); n > 400 {
				t.Fatalf("%d: reason is %d bytes: %.120q…", code, n, got.Signature.Reason)
			}
		}
	}
}

// size is the number of remembered missing keys.
func (kf *keyFailures) size() int { return kf.lru.Len() }
