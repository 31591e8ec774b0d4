package verify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

const refusedPart = "too many unknown key ids from "

// refusal is the whole verdict reason for an unknown id refused at the
// limit of base, retried at until.
func refusal(id, base string, until time.Time) string {
	return fmt.Sprintf("key %s not fetched: too many unknown key ids from %s (the limit is 10 at once, then one every 6s); retry after %s",
		id, base, until.UTC().Format(time.RFC3339))
}

// deliverer signs every delivery with one key, whatever id it names.
func (f *failureFixture) deliverer(priv *ecdsa.PrivateKey) func(id string) Result {
	return func(id string) Result {
		return check(f.v, talkdeskRequest(f.t, priv, id, []byte(`{"id":"e1"}`)))
	}
}

// remembered reports whether a failure of id is remembered (and so would
// be answered without a fetch).
func (f *failureFixture) remembered(id string) bool {
	f.v.mu.Lock()
	defer f.v.mu.Unlock()
	return f.v.failures.lookup(f.ks.URL, id, f.clock.Now()) != nil
}

// wantRefused asserts a verdict refused by the limit, not remembered.
func wantRefused(t *testing.T, f *failureFixture, got Result, id string) {
	t.Helper()
	wantSig(t, got, store.SigUnverifiable, "key "+id+" not fetched: "+refusedPart+f.ks.URL)
	if strings.Contains(got.Signature.Reason, "cached") {
		t.Fatalf("reason %q says cached for a refused fetch", got.Signature.Reason)
	}
	if f.remembered(id) {
		t.Fatalf("refused id %s is remembered as a failure", id)
	}
}

// TestUnknownKeyFlood: deliveries each naming a new made-up id cost at most
// burst + elapsed/interval fetches, exactly that many when they come faster
// than the rate, and every one of them when they come no faster.
func TestUnknownKeyFlood(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	tests := []struct {
		name string
		n    int
		step time.Duration // between deliveries
		// idleFlood first spends the burst, then waits an hour: the
		// bucket refills to the burst, not to an hour's worth.
		idleFlood bool
	}{
		{"all at once", 100, 0, false},
		{"one a second", 120, time.Second, false},
		{"one every 3s", 100, 3 * time.Second, false},
		{"one every 5.9s", 700, 5900 * time.Millisecond, false},
		{"at the rate", 50, unknownKeyInterval, false},
		{"slower than the rate", 20, time.Minute, false},
		{"all at once after an idle hour", 100, 0, true},
		{"one a second after an idle hour", 60, time.Second, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFailureFixture(t)
			deliver := f.deliverer(priv)
			start := testNow
			if tc.idleFlood {
				for i := range 50 {
					deliver(fmt.Sprintf("early%d", i))
				}
				wantFetches(t, f.tr, unknownKeyBurst)
				f.tr.count.Store(0)
				start = testNow.Add(time.Hour)
			}
			refused := 0
			for i := range tc.n {
				f.clock.Set(start.Add(time.Duration(i) * tc.step))
				id := fmt.Sprintf("ghost%d", i)
				before := f.tr.count.Load()
				got := deliver(id)
				if f.tr.count.Load() > before {
					wantFetched(t, got, "has no key "+id)
					continue
				}
				refused++
				wantRefused(t, f, got, id)
			}
			elapsed := time.Duration(tc.n-1) * tc.step
			want := min(int64(tc.n), unknownKeyBurst+int64(elapsed/unknownKeyInterval))
			wantFetches(t, f.tr, want)
			if int64(refused) != int64(tc.n)-want {
				t.Fatalf("%d refused, want %d", refused, int64(tc.n)-want)
			}
		})
	}
}

// TestUnknownKeyLegitWithinLimit: a real new key among made-up ids
// verifies while tokens are left, and is cached as before, so it needs no
// token again.
func TestUnknownKeyLegitWithinLimit(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	f := newFailureFixture(t)
	f.ks.add(t, "k1", &priv.PublicKey, testNow.Add(24*time.Hour))
	deliver := f.deliverer(priv)
	for i := range unknownKeyBurst - 1 {
		wantFetched(t, deliver(fmt.Sprintf("ghost%d", i)), "has no key")
	}
	wantSig(t, deliver("k1"), store.SigValid, "matches Talkdesk key k1")
	wantFetches(t, f.tr, unknownKeyBurst)
	if k := f.cache.keys["k1"]; k.PublicKey == "" || !k.ExpiresAt.Equal(testNow.Add(24*time.Hour)) {
		t.Fatalf("k1 was not saved to the key cache as fetched: %+v", k)
	}
	// The burst is spent: made-up ids are refused, k1 is still known.
	wantRefused(t, f, deliver("ghost-next"), "ghost-next")
	for range 5 {
		wantSig(t, deliver("k1"), store.SigValid, "matches Talkdesk key k1")
	}
	// So is it after a restart, from the key cache.
	f.v = mustNew(t, Config{TalkdeskKeysURL: f.ks.URL, Cache: f.cache, Now: f.clock.Now, Client: f.v.client})
	for i := range unknownKeyBurst {
		deliver(fmt.Sprintf("again%d", i))
	}
	wantRefused(t, f, deliver("ghost-next"), "ghost-next")
	got := deliver("k1")
	wantSig(t, got, store.SigValid, "matches Talkdesk key k1")
	if !strings.Contains(strings.Join(got.Notes, "\n"), "the key cache") {
		t.Fatalf("notes %q: want k1 from the key cache", got.Notes)
	}
	wantFetches(t, f.tr, 2*unknownKeyBurst)
}

// TestUnknownKeyRefusedFetchedLater: a refused id is not remembered, so the
// first delivery (or re-verification) naming it once a token is back
// fetches it, whatever the answer then.
func TestUnknownKeyRefusedFetchedLater(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	tests := []struct {
		name   string
		serve  bool // the endpoint has key k1
		status string
		reason string
	}{
		{"key exists", true, store.SigValid, "matches Talkdesk key k1"},
		{"key missing", false, store.SigUnverifiable, "has no key k1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFailureFixture(t)
			if tc.serve {
				f.ks.add(t, "k1", &priv.PublicKey, time.Time{})
			}
			deliver := f.deliverer(priv)
			for i := range unknownKeyBurst {
				deliver(fmt.Sprintf("ghost%d", i))
			}
			back := testNow.Add(unknownKeyInterval)
			for _, at := range []time.Time{testNow, testNow.Add(time.Second), back.Add(-time.Nanosecond)} {
				f.clock.Set(at)
				got := deliver("k1")
				wantRefused(t, f, got, "k1")
				if want := refusal("k1", f.ks.URL, back); got.Signature.Reason != want {
					t.Fatalf("at %s: reason\n%q, want\n%q", at.Format(time.RFC3339Nano), got.Signature.Reason, want)
				}
			}
			wantFetches(t, f.tr, unknownKeyBurst)

			f.clock.Set(back)
			wantSig(t, deliver("k1"), tc.status, tc.reason)
			wantFetches(t, f.tr, unknownKeyBurst+1)
			// From now on k1 is known, or remembered as missing: either
			// way it is answered without a fetch or a token.
			for range 3 {
				wantSig(t, deliver("k1"), tc.status, tc.reason)
			}
			wantFetches(t, f.tr, unknownKeyBurst+1)
			if !tc.serve {
				wantCached(t, deliver("k1"), tc.reason, back.Add(missingKeyTTL))
			}
			// And the token it took is gone.
			wantRefused(t, f, deliver("ghost-next"), "ghost-next")
		})
	}
}

// TestUnknownKeyLimitSparesKnownKeys: ids hookscope holds a key for are
// never refused, even with no token left: fresh ones need no fetch, and
// expired ones are refreshed whatever the number.
func TestUnknownKeyLimitSparesKnownKeys(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	pub, _ := EncodePublicKey(&priv.PublicKey)
	expired := testNow.Add(-time.Hour)
	renewed := testNow.Add(24 * time.Hour)
	const many = 3 * unknownKeyBurst
	ids := func(prefix string, n int) []string {
		var s []string
		for i := range n {
			s = append(s, fmt.Sprintf("%s%d", prefix, i))
		}
		return s
	}
	tests := []struct {
		name string
		// setup gives hookscope its keys and returns the ids to deliver.
		setup   func(f *failureFixture) []string
		fetches int64 // beyond the spent burst
		note    string
	}{
		{"fresh in the key cache (a dev key)", func(f *failureFixture) []string {
			f.cache.keys["dev1"] = store.CachedKey{KeyID: "dev1", PublicKey: pub, Source: "hookscope dev key"}
			return []string{"dev1"}
		}, 0, "the key cache"},
		{"fresh in memory", func(f *failureFixture) []string {
			f.v.memory["m1"] = memKey{key: store.CachedKey{KeyID: "m1", PublicKey: pub, ExpiresAt: renewed, Source: "earlier"}, pub: &priv.PublicKey}
			return []string{"m1"}
		}, 0, "fetched from earlier"},
		{"many expired in the key cache", func(f *failureFixture) []string {
			for _, id := range ids("c", many) {
				f.cache.keys[id] = store.CachedKey{KeyID: id, PublicKey: pub, ExpiresAt: expired, Source: "old"}
				f.ks.add(t, id, &priv.PublicKey, renewed)
			}
			return ids("c", many)
		}, many, "fetched from http"},
		{"many expired in memory", func(f *failureFixture) []string {
			for _, id := range ids("m", many) {
				f.v.memory[id] = memKey{key: store.CachedKey{KeyID: id, PublicKey: pub, ExpiresAt: expired, Source: "old"}, pub: &priv.PublicKey}
				f.ks.add(t, id, &priv.PublicKey, renewed)
			}
			return ids("m", many)
		}, many, "fetched from http"},
		{"expired, gone from the endpoint", func(f *failureFixture) []string {
			f.cache.keys["gone"] = store.CachedKey{KeyID: "gone", PublicKey: pub, ExpiresAt: expired, Source: "old"}
			return []string{"gone"}
		}, 1, "could not refresh the expired cached key: key endpoint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFailureFixture(t)
			deliver := f.deliverer(priv)
			for i := range unknownKeyBurst {
				deliver(fmt.Sprintf("ghost%d", i))
			}
			wantRefused(t, f, deliver("ghost-next"), "ghost-next")
			for _, id := range tc.setup(f) {
				// Delivered before the key expired, so the expired ones
				// still verify when the refresh fails.
				r := talkdeskRequest(t, priv, id, []byte(`{}`))
				r.ReceivedAt = expired.Add(-time.Hour)
				got := check(f.v, r)
				wantSig(t, got, store.SigValid, "matches Talkdesk key "+id)
				notes := strings.Join(got.Notes, "\n")
				if !strings.Contains(notes, tc.note) || strings.Contains(notes, refusedPart) {
					t.Fatalf("%s: notes %q, want %q", id, got.Notes, tc.note)
				}
			}
			wantFetches(t, f.tr, unknownKeyBurst+tc.fetches)
			// Refreshes took no token from unknown ids either.
			wantRefused(t, f, deliver("ghost-next"), "ghost-next")
			f.clock.Set(testNow.Add(unknownKeyInterval))
			wantFetched(t, deliver("ghost-next"), "has no key ghost-next")
		})
	}
}

// TestUnknownKeyTokensOnlyForRequests: an id answered without a request (a
// remembered failure, an endpoint backing off, a fetch under way) spends no
// token.
func TestUnknownKeyTokensOnlyForRequests(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	t.Run("remembered missing", func(t *testing.T) {
		f := newFailureFixture(t)
		deliver := f.deliverer(priv)
		for range 5 * unknownKeyBurst {
			deliver("ghost")
		}
		for i := range unknownKeyBurst - 1 {
			wantFetched(t, deliver(fmt.Sprintf("other%d", i)), "has no key")
		}
		wantFetches(t, f.tr, unknownKeyBurst)
	})
	t.Run("endpoint backing off", func(t *testing.T) {
		f := newFailureFixture(t)
		deliver := f.deliverer(priv)
		f.ks.configure(503, "", 0)
		wantFetched(t, deliver("first"), "answered 503")
		for i := range 5 * unknownKeyBurst {
			wantSig(t, deliver(fmt.Sprintf("held%d", i)), store.SigUnverifiable, "the last fetch from")
		}
		wantFetches(t, f.tr, 1)
		f.ks.configure(0, "", 0)
		f.clock.Set(testNow.Add(minKeyBackoff))
		for i := range unknownKeyBurst - 1 {
			wantFetched(t, deliver(fmt.Sprintf("held%d", i)), "has no key")
		}
		wantFetches(t, f.tr, unknownKeyBurst)
	})
}

// TestUnknownKeyLimitConcurrent: under -race, many deliveries at once of
// distinct made-up ids and of known keys due a refresh: exactly the burst of
// unknown ids is fetched, every known key is refreshed once and verifies.
func TestUnknownKeyLimitConcurrent(t *testing.T) {
	priv := mustKey(t, elliptic.P256())
	pub, _ := EncodePublicKey(&priv.PublicKey)
	f := newFailureFixture(t)
	const ghosts, known, perKnown = 64, 8, 4
	for i := range known {
		id := fmt.Sprintf("known%d", i)
		f.cache.keys[id] = store.CachedKey{KeyID: id, PublicKey: pub, ExpiresAt: testNow.Add(-time.Hour), Source: "old"}
		f.ks.add(t, id, &priv.PublicKey, testNow.Add(time.Hour))
	}
	type delivery struct {
		id  string
		got Result
	}
	var ds []*delivery
	for i := range ghosts {
		ds = append(ds, &delivery{id: fmt.Sprintf("ghost%d", i)})
	}
	for i := range known * perKnown {
		ds = append(ds, &delivery{id: fmt.Sprintf("known%d", i%known)})
	}
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Go(func() { d.got = check(f.v, talkdeskRequest(t, priv, d.id, []byte(`{}`))) })
	}
	wg.Wait()
	fetched, refused := 0, 0
	for _, d := range ds {
		s := d.got.Signature
		switch {
		case strings.HasPrefix(d.id, "known"):
			if s.Status != store.SigValid {
				t.Errorf("%s: %+v", d.id, s)
			}
		case strings.Contains(s.Reason, "has no key "+d.id):
			fetched++
		case strings.Contains(s.Reason, "key "+d.id+" not fetched: "+refusedPart):
			refused++
		default:
			t.Errorf("%s: %+v", d.id, s)
		}
	}
	if fetched != unknownKeyBurst || refused != ghosts-unknownKeyBurst {
		t.Errorf("%d made-up ids fetched and %d refused, want %d and %d", fetched, refused, unknownKeyBurst, ghosts-unknownKeyBurst)
	}
	wantFetches(t, f.tr, unknownKeyBurst+known)
	f.v.mu.Lock()
	defer f.v.mu.Unlock()
	if n := f.v.failures.size(); n != unknownKeyBurst {
		t.Errorf("%d failures remembered, want the %d fetched", n, unknownKeyBurst)
	}
}

// TestUnknownKeyLimiter steps one limiter through time: the burst, one
// token per interval, no banking beyond the burst, separate endpoints, a
// clock that goes backwards, and the exact reason.
func TestUnknownKeyLimiter(t *testing.T) {
	const a, b = "https://a", "https://b"
	l := newUnknownKeyLimiter(3, 10*time.Second)
	type step struct {
		at   time.Duration // after testNow
		base string
		n    int    // takes
		want string // "" when all are allowed; else the last one's retry time
	}
	allowed := func(at time.Duration, base string, n int) step { return step{at, base, n, ""} }
	refused := func(at time.Duration, base string, retry time.Duration) step {
		return step{at, base, 1, testNow.Add(retry).Format(time.RFC3339)}
	}
	steps := []step{
		allowed(0, a, 3),
		refused(0, a, 10*time.Second),
		refused(9*time.Second, a, 10*time.Second),
		allowed(0, b, 3), // each endpoint has its own bucket
		allowed(10*time.Second, a, 1),
		refused(10*time.Second, a, 20*time.Second),
		allowed(25*time.Second, a, 1), // the token of 20s; the next is at 30s
		refused(25*time.Second, a, 30*time.Second),
		allowed(time.Hour, a, 3), // an idle hour is worth the burst only
		refused(time.Hour, a, time.Hour+10*time.Second),
		// The clock went back a day: the bucket is empty for one
		// interval, not for a day.
		refused(-24*time.Hour, a, -24*time.Hour+10*time.Second),
		allowed(-24*time.Hour+10*time.Second, a, 1),
		refused(-24*time.Hour+10*time.Second, a, -24*time.Hour+20*time.Second),
		// A fraction of a second is rounded up, never promising a retry
		// that would be refused.
		allowed(2*time.Hour+500*time.Millisecond, a, 3),
		refused(2*time.Hour+500*time.Millisecond, a, 2*time.Hour+11*time.Second),
	}
	for i, s := range steps {
		now := testNow.Add(s.at)
		for j := range s.n {
			err := l.take(s.base, "k", now)
			last := j == s.n-1
			switch {
			case s.want == "" && err != nil:
				t.Fatalf("step %d, take %d at %s: refused: %v", i, j, s.at, err)
			case s.want != "" && last && err == nil:
				t.Fatalf("step %d at %s: allowed, want refused until %s", i, s.at, s.want)
			case s.want != "" && last:
				want := "key k not fetched: too many unknown key ids from " + s.base + " (the limit is 3 at once, then one every 10s); retry after " + s.want
				if err.Error() != want {
					t.Fatalf("step %d: reason\n%q, want\n%q", i, err, want)
				}
			}
		}
	}
}
