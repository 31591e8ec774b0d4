package devkeys

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
)

// mapCache is a verify.KeyCache in memory: the store's part in Cache.
type mapCache map[string]store.CachedKey

func (m mapCache) LoadKey(id string) (store.CachedKey, bool, error) {
	k, ok := m[id]
	return k, ok, nil
}

func (m mapCache) SaveKey(k store.CachedKey) error { m[k.KeyID] = k; return nil }

// TestCacheAnswersDevKeysFirst: a dev key created after the cache was
// built is found (the first `send` creates one while a listener runs);
// other ids and saves go to Next, and without Next nothing is kept.
func TestCacheAnswersDevKeysFirst(t *testing.T) {
	d := Dir{Path: filepath.Join(t.TempDir(), "keys")}
	next := mapCache{"fetched": {KeyID: "fetched", Source: "https://api.talkdeskapp.com"}}
	var c verify.KeyCache = Cache{Dir: d, Next: next}
	k, err := d.New("p256", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := c.LoadKey(k.ID)
	pub, _ := k.Public()
	if err != nil || !ok || got.KeyID != k.ID || got.PublicKey != pub.PublicKey || !got.ExpiresAt.Equal(k.ExpiresAt) ||
		!strings.HasPrefix(got.Source, "hookscope dev key ") {
		t.Fatalf("dev key: %+v %v %v", got, ok, err)
	}
	if got, ok, _ := c.LoadKey("fetched"); !ok || got.Source != "https://api.talkdeskapp.com" {
		t.Fatalf("fetched key: %+v %v", got, ok)
	}
	if err := c.SaveKey(store.CachedKey{KeyID: "new"}); err != nil || next["new"].KeyID != "new" {
		t.Fatalf("save: %v %v", err, next)
	}
	alone := Cache{Dir: d}
	if _, ok, err := alone.LoadKey("fetched"); ok || err != nil {
		t.Fatalf("no Next: %v %v", ok, err)
	}
	if err := alone.SaveKey(store.CachedKey{KeyID: "x"}); err != nil {
		t.Fatal(err)
	}
}
