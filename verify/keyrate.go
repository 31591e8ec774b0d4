package verify

import (
	"fmt"
	"time"
)

// Remembering failed fetches (keyFailures) stops a made-up key id from
// costing more than one GET, but a flood of deliveries each naming a new
// made-up id would still cost one GET each while the key endpoint is up and
// answers 404. Fetches of ids hookscope has never seen are therefore
// rationed per key endpoint. Ids it holds a key for, even an expired one,
// are never rationed: refreshing them is how rotation is noticed, and an
// attacker cannot make up ids that are already known.
const (
	// unknownKeyBurst is how many unknown ids may be fetched at once from
	// one endpoint. Talkdesk rotates its signing keys rarely, so a listener
	// meets a handful of real ids in its life; ten covers a first start
	// with an empty key cache that re-verifies deliveries signed with
	// several past keys, or several accounts sharing one listener.
	unknownKeyBurst = 10
	// unknownKeyInterval is how often, once the burst is spent, one more
	// unknown id may be fetched: ten a minute per endpoint, about 14,400 a
	// day, however many deliveries arrive. While a flood goes on, a real
	// new key competes with the made-up ids for those tokens, so its
	// deliveries may be unverifiable for a while; a refusal is not
	// remembered as missing, so any later delivery or re-verification that
	// gets a token fetches the key, which is then known and never refused.
	unknownKeyInterval = 6 * time.Second
)

// unknownKeyLimiter is a token bucket per key endpoint, of capacity burst
// and refilled one token per interval, for fetches of unknown key ids. It
// keeps, per endpoint, only the time at which the bucket is full again (the
// "theoretical arrival time" of the generic cell rate algorithm): with k
// tokens spent that is k intervals from now, so no fractional tokens and no
// refill timer are needed. It is not safe for concurrent use: the Verifier
// guards it with its mutex.
type unknownKeyLimiter struct {
	burst    int
	interval time.Duration
	// tat has one entry per key endpoint base URL, which are the
	// configured one and Talkdesk's documented gateways, so it stays
	// small.
	tat map[string]time.Time
}

func newUnknownKeyLimiter(burst int, interval time.Duration) *unknownKeyLimiter {
	return &unknownKeyLimiter{burst: burst, interval: interval, tat: map[string]time.Time{}}
}

// take spends a token of base's bucket on fetching id, or returns the
// reason for an unverifiable verdict when none is left, with the time the
// next one is.
func (l *unknownKeyLimiter) take(base, id string, now time.Time) error {
	window := time.Duration(l.burst) * l.interval
	tat := l.tat[base]
	if tat.Before(now) {
		// The bucket has been full since tat; idle time earns no more
		// than burst tokens.
		tat = now
	} else if tat.Sub(now) > window {
		// Only a clock that went backwards gets here; without this the
		// bucket would stay empty for as long as the clock went back.
		tat = now.Add(window)
		l.tat[base] = tat
	}
	next := tat.Add(l.interval)
	if allowed := next.Add(-window); now.Before(allowed) {
		return fmt.Errorf("key %s not fetched: too many unknown key ids from %s (the limit is %d at once, then one every %s); retry after %s",
			id, base, l.burst, l.interval, retryTime(allowed))
	}
	l.tat[base] = next
	return nil
}
