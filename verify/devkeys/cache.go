package devkeys

import (
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
)

// Cache is the verify.KeyCache a listener verifies with: it answers key
// look-ups from the dev keys in Dir first, so deliveries `hookscope send`
// signed verify without any network, then from Next (the store's cache of
// fetched Talkdesk keys). Dir is read on every look-up rather than listed
// once, because the first `send` creates a key after the listener started.
type Cache struct {
	Dir Dir
	// Next answers for keys that are not dev keys and keeps fetched ones;
	// nil keeps nothing.
	Next verify.KeyCache
}

var _ verify.KeyCache = Cache{}

// LoadKey returns dev key id as a cached key, else what Next has for id.
func (c Cache) LoadKey(id string) (store.CachedKey, bool, error) {
	if k, err := c.Dir.Get(id); err == nil {
		pub, err := k.Public()
		if err == nil {
			return store.CachedKey{KeyID: k.ID, PublicKey: pub.PublicKey, CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt,
				FetchedAt: time.Now().UTC(), Source: "hookscope dev key " + c.Dir.Path}, true, nil
		}
	}
	if c.Next == nil {
		return store.CachedKey{}, false, nil
	}
	return c.Next.LoadKey(id)
}

// SaveKey keeps a fetched key in Next: dev keys are never fetched.
func (c Cache) SaveKey(k store.CachedKey) error {
	if c.Next == nil {
		return nil
	}
	return c.Next.SaveKey(k)
}
