package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"maps"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// The duplicate index.
//
// bucketDedup maps a provider event (dedupKey) to the delivery that owns it;
// bucketDupes lists every analysed delivery of each provider event, so that
// when the owner goes (pruned, deleted, or re-analysed as another event) the
// oldest surviving delivery of the event takes over. Both are changed in the
// transaction that changes the deliveries, and keep to this rule:
//
//   - the owner is the oldest stored delivery of the event, and its analysis
//     has no DuplicateOf;
//   - every newer delivery of the event has DuplicateOf = the owner (up to
//     maxRepoint of them per change of owner, see there).
//
// A duplicate is thus always a duplicate of a delivery the user can still
// open, and re-verifying any delivery gives the answer already stored.
//
// bucketDedup alone could be derived from bucketDupes; it is kept because a
// hookscope from before bucketDupes reads it (see SchemaVersion).

// maxRepoint bounds the newer deliveries of one event whose analyses a change
// of owner rewrites in one transaction, so that an event redelivered
// thousands of times cannot make one prune batch or one analysis rewrite
// thousands of analyses. Providers retry a handful of times; beyond the bound
// a delivery keeps pointing at the old owner until it is re-analysed.
const maxRepoint = 64

// dupesPrefix is the bucketDupes prefix of the deliveries of the provider
// event key: the length of key as a uvarint, then key. The length makes the
// prefix exact: provider event ids are untrusted and may hold any byte, so
// key + separator could be the start of another event's key.
func dupesPrefix(key []byte) []byte {
	p := make([]byte, 0, binary.MaxVarintLen64+len(key)+IDLen)
	p = binary.AppendUvarint(p, uint64(len(key)))
	return append(p, key...)
}

// dupesKey is the bucketDupes key of delivery id of the provider event key.
// Ids sort by time, so the first key with the event's prefix is its oldest
// delivery.
func dupesKey(key []byte, id string) []byte {
	return append(dupesPrefix(key), id...)
}

// eventRef is what the duplicate index reads of a stored analysis: the
// provider event it names and the delivery it says it duplicates. Decoding
// it rather than a whole Analysis skips the signature, schema and notes.
type eventRef struct {
	Provider        string `json:"provider"`
	ProviderEventID string `json:"provider_event_id"`
	DuplicateOf     string `json:"duplicate_of"`
}

// refOf returns the eventRef of analysis a.
func refOf(a *Analysis) eventRef {
	return eventRef{Provider: a.Provider, ProviderEventID: a.ProviderEventID, DuplicateOf: a.DuplicateOf}
}

// key returns the dedupKey of the provider event r names, or nil when it
// names none (no provider event id). It is the one rule for which event an
// analysis belongs to.
func (r eventRef) key() []byte {
	if r.ProviderEventID == "" {
		return nil
	}
	return dedupKey(r.Provider, r.ProviderEventID)
}

// eventKey returns the dedupKey of a stored analysis, or nil when it has no
// provider event id (or v is nil or unreadable).
func eventKey(v []byte) []byte {
	var r eventRef
	if v == nil || json.Unmarshal(v, &r) != nil {
		return nil
	}
	return r.key()
}

// oldestDelivery returns the oldest stored delivery of the provider event
// key, or nil when none is left. Entries of deliveries that no longer exist
// (a hookscope from before bucketDupes deleted them) are dropped on the way.
func oldestDelivery(tx *bolt.Tx, key []byte) ([]byte, error) {
	events := tx.Bucket(bucketEvents)
	prefix := dupesPrefix(key)
	c := tx.Bucket(bucketDupes).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		id := k[len(prefix):]
		if events.Get(id) != nil {
			return bytes.Clone(id), nil
		}
		if err := c.Delete(); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// addDupe lists delivery id under the provider event key and returns what
// its DuplicateOf must be: "" when it is the oldest delivery of the event, and
// then owns it; otherwise the owner. changed lists other deliveries whose
// analyses were rewritten to point at id.
func addDupe(tx *bolt.Tx, key []byte, id string) (dupOf string, changed []string, err error) {
	dupes, dd := tx.Bucket(bucketDupes), tx.Bucket(bucketDedup)
	if err := dupes.Put(dupesKey(key, id), nil); err != nil {
		return "", nil, err
	}
	// An owner recorded by a hookscope from before bucketDupes is not
	// listed there yet: list it, so it is not passed over.
	if f := dd.Get(key); f != nil && string(f) != id && dupes.Get(dupesKey(key, string(f))) == nil &&
		tx.Bucket(bucketEvents).Get(f) != nil && bytes.Equal(eventKey(tx.Bucket(bucketAnalysis).Get(f)), key) {
		if err := dupes.Put(dupesKey(key, string(f)), nil); err != nil {
			return "", nil, err
		}
	}
	owner, err := oldestDelivery(tx, key)
	if err != nil {
		return "", nil, err
	}
	if string(owner) != id {
		if !bytes.Equal(dd.Get(key), owner) {
			if err := dd.Put(key, owner); err != nil {
				return "", nil, err
			}
		}
		return string(owner), nil, nil
	}
	// id is the oldest: it owns the event, and newer deliveries analysed
	// before it (workers run concurrently; or a re-verify) now point at it.
	changed, err = claim(tx, key, owner, id)
	return "", changed, err
}

// dropDupe removes delivery id from the deliveries of the provider event
// key, and reports whether it owned the event: then the caller must call
// handOver once it has removed what else it removes.
func dropDupe(tx *bolt.Tx, key []byte, id string) (owned bool, err error) {
	if err := tx.Bucket(bucketDupes).Delete(dupesKey(key, id)); err != nil {
		return false, err
	}
	return string(tx.Bucket(bucketDedup).Get(key)) == id, nil
}

// handOver gives the provider event key, whose owner is gone, to its oldest
// surviving delivery, or drops its index entry when none survives. It
// returns the deliveries whose analyses it rewrote.
func handOver(tx *bolt.Tx, key []byte) ([]string, error) {
	owner, err := oldestDelivery(tx, key)
	if err != nil {
		return nil, err
	}
	if owner == nil {
		return nil, tx.Bucket(bucketDedup).Delete(key)
	}
	return claim(tx, key, owner, "")
}

// claim makes owner, the oldest stored delivery of the provider event key,
// its owner: it records it in bucketDedup, clears its own DuplicateOf, and
// points up to maxRepoint newer deliveries at it. self is left alone (its
// analysis is being written by the caller). It returns the deliveries whose
// analyses it rewrote.
func claim(tx *bolt.Tx, key, owner []byte, self string) (changed []string, err error) {
	if err := tx.Bucket(bucketDedup).Put(key, owner); err != nil {
		return nil, err
	}
	if string(owner) != self {
		ok, err := setDuplicateOf(tx, owner, key, "")
		if err != nil {
			return nil, err
		}
		if ok {
			changed = append(changed, string(owner))
		}
	}
	prefix := dupesPrefix(key)
	from := dupesKey(key, string(owner))
	c := tx.Bucket(bucketDupes).Cursor()
	k, _ := c.Seek(from)
	if bytes.Equal(k, from) {
		k, _ = c.Next()
	}
	for n := 0; k != nil && bytes.HasPrefix(k, prefix) && n < maxRepoint; k, _ = c.Next() {
		n++
		id := bytes.Clone(k[len(prefix):])
		if string(id) == self {
			continue
		}
		ok, err := setDuplicateOf(tx, id, key, string(owner))
		if err != nil {
			return nil, err
		}
		if ok {
			changed = append(changed, string(id))
		}
	}
	return changed, nil
}

// setDuplicateOf sets the DuplicateOf of the stored analysis of delivery id,
// if it is one of the provider event key, and reports whether it changed.
func setDuplicateOf(tx *bolt.Tx, id, key []byte, dupOf string) (bool, error) {
	b := tx.Bucket(bucketAnalysis)
	v := b.Get(id)
	if v == nil {
		return false, nil
	}
	var a Analysis
	if err := json.Unmarshal(v, &a); err != nil {
		return false, err
	}
	if k := refOf(&a).key(); k == nil || !bytes.Equal(k, key) || a.DuplicateOf == dupOf {
		return false, nil
	}
	a.DuplicateOf = dupOf
	nv, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	if err := b.Put(id, nv); err != nil {
		return false, err
	}
	return true, putSummary(tx, id)
}

// backfillDupes fills a bucketDupes just created in a file written before it
// existed, from the stored analyses, and gives each event to its oldest
// delivery: this repairs what the old index got wrong (duplicates of pruned
// deliveries, chains left by analyses made newest first).
//
// It runs once per file, in Open's transaction, as one pass over the
// analyses in id order, that is oldest first: the first delivery of an event
// met is its owner. Each analysis is decoded once (three fields), and only
// analyses whose DuplicateOf is wrong are rewritten. The dupes and dedup
// keys are put at the end, in key order: bbolt splits no node before the
// commit, so a new bucket is one node until then, and a key put in the
// middle of it moves every key after it (in analysis order, which is not
// key order, filling it took minutes for a few hundred thousand
// deliveries). That is about 10µs a delivery, and the transaction holds one
// small key per delivery with a provider event id: cheap enough, once, even
// for a file never pruned, so it is not split over transactions (which
// would need a marker to resume from after a crash).
func backfillDupes(tx *bolt.Tx) error {
	type fix struct {
		id, key []byte
		dupOf   string
	}
	var fixes []fix
	var keys [][]byte
	owners := map[string]string{} // dedup key -> its oldest delivery
	dupes, dd, events := tx.Bucket(bucketDupes), tx.Bucket(bucketDedup), tx.Bucket(bucketEvents)
	c := tx.Bucket(bucketAnalysis).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var a eventRef
		if json.Unmarshal(v, &a) != nil {
			continue
		}
		key := a.key()
		if key == nil || events.Get(k) == nil {
			continue
		}
		dupOf, met := owners[string(key)]
		if !met {
			owners[string(key)] = string(k)
			dupOf = ""
		}
		keys = append(keys, dupesKey(key, string(k)))
		if a.DuplicateOf != dupOf {
			// Not while the cursor walks the bucket it would change.
			fixes = append(fixes, fix{bytes.Clone(k), key, dupOf})
		}
	}
	slices.SortFunc(keys, bytes.Compare)
	for _, k := range keys {
		if err := dupes.Put(k, nil); err != nil {
			return err
		}
	}
	for _, key := range slices.Sorted(maps.Keys(owners)) {
		if owner := owners[key]; string(dd.Get([]byte(key))) != owner {
			if err := dd.Put([]byte(key), []byte(owner)); err != nil {
				return err
			}
		}
	}
	for _, f := range fixes {
		if _, err := setDuplicateOf(tx, f.id, f.key, f.dupOf); err != nil {
			return err
		}
	}
	return nil
}
