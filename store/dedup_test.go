package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

const dupProvider = "talkdesk-events"

// analyse stores an analysis of delivery id with provider event id eventID.
func analyse(t *testing.T, db *DB, id, eventID string) Analysis {
	t.Helper()
	a, err := db.PutAnalysis(context.Background(), id, Analysis{Provider: dupProvider, ProviderEventID: eventID})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// duplicateOf returns the stored DuplicateOf of delivery id.
func duplicateOf(t *testing.T, db *DB, id string) string {
	t.Helper()
	r, err := db.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Analysis == nil {
		t.Fatalf("%s has no analysis", id)
	}
	return r.Analysis.DuplicateOf
}

// owner returns the delivery the dedup bucket gives eventID to.
func owner(t *testing.T, db *DB, eventID string) string {
	t.Helper()
	var v string
	db.bolt.View(func(tx *bolt.Tx) error {
		v = string(tx.Bucket(bucketDedup).Get(dedupKey(dupProvider, eventID)))
		return nil
	})
	return v
}

// checkOwnerPassed checks that, with the first delivery of event "ev1" gone,
// y (the oldest left) owns the event and is no duplicate any more, w (newer)
// is a duplicate of y, and so is a redelivery arriving now.
func checkOwnerPassed(t *testing.T, db *DB, y, w string) {
	t.Helper()
	if got := duplicateOf(t, db, y); got != "" {
		t.Errorf("oldest delivery left is still a duplicate of %s", got)
	}
	if got := owner(t, db, "ev1"); got != y {
		t.Errorf("dedup owner %q, want %s", got, y)
	}
	if got := duplicateOf(t, db, w); got != y {
		t.Errorf("newer delivery is a duplicate of %q, want %s", got, y)
	}
	z := mustAppend(t, db, "/z", nil)
	if a := analyse(t, db, z.ID, "ev1"); a.DuplicateOf != y {
		t.Errorf("redelivery: DuplicateOf = %q, want %s", a.DuplicateOf, y)
	}
	if _, n, err := db.Count(context.Background(), "dup:yes"); err != nil || n != 2 {
		t.Errorf("dup:yes counts %d (%v), want 2", n, err)
	}
}

// TestDuplicateOwnerPassesOn: when the first delivery of a provider event
// goes, the oldest one left becomes the original, and later redeliveries
// are duplicates of it rather than originals.
func TestDuplicateOwnerPassesOn(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		remove func(t *testing.T, db *DB, x, y, w string)
	}{
		{"prune by count", func(t *testing.T, db *DB, x, y, w string) {
			if res, err := db.Prune(ctx, PruneOptions{MaxEvents: 2}); err != nil || res.Removed != 1 {
				t.Fatalf("prune: %+v %v", res, err)
			}
		}},
		{"prune by age, newer ones pinned", func(t *testing.T, db *DB, x, y, w string) {
			for _, id := range []string{y, w} {
				if err := db.SetPinned(ctx, id, true); err != nil {
					t.Fatal(err)
				}
			}
			res, err := db.Prune(ctx, PruneOptions{MaxAge: time.Minute, Now: time.Now().Add(time.Hour)})
			if err != nil || res.Removed != 1 || res.PinnedKept != 2 {
				t.Fatalf("prune: %+v %v", res, err)
			}
		}},
		{"delete", func(t *testing.T, db *DB, x, y, w string) {
			if n, err := db.Delete(ctx, []string{x}); err != nil || n != 1 {
				t.Fatalf("delete: %d %v", n, err)
			}
		}},
		{"re-analysed as another event", func(t *testing.T, db *DB, x, y, w string) {
			if a := analyse(t, db, x, "ev2"); a.DuplicateOf != "" {
				t.Fatalf("x, alone with ev2, is a duplicate of %s", a.DuplicateOf)
			}
		}},
		{"re-analysed without an event id", func(t *testing.T, db *DB, x, y, w string) {
			if _, err := db.PutAnalysis(ctx, x, Analysis{Provider: dupProvider}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpen(t)
			x := mustAppend(t, db, "/x", nil)
			y := mustAppend(t, db, "/y", nil)
			w := mustAppend(t, db, "/w", nil)
			analyse(t, db, x.ID, "ev1")
			if a := analyse(t, db, y.ID, "ev1"); a.DuplicateOf != x.ID {
				t.Fatalf("y: DuplicateOf = %q, want %s", a.DuplicateOf, x.ID)
			}
			analyse(t, db, w.ID, "ev1")
			tt.remove(t, db, x.ID, y.ID, w.ID)
			checkOwnerPassed(t, db, y.ID, w.ID)
		})
	}
}

// TestDuplicatesAnalysedInAnyOrder: analysis workers run concurrently (and
// re-verify exists), so three deliveries of one event can be analysed in any
// order; the oldest must end up the original and both others its
// duplicates, never one of the middle one.
func TestDuplicatesAnalysedInAnyOrder(t *testing.T) {
	for _, order := range [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}} {
		t.Run(fmt.Sprint(order), func(t *testing.T) {
			db := mustOpen(t)
			var ids []string
			for i := 0; i < 3; i++ {
				ids = append(ids, mustAppend(t, db, "/e", nil).ID)
			}
			for _, i := range order {
				analyse(t, db, ids[i], "ev1")
			}
			want := []string{"", ids[0], ids[0]}
			for i, id := range ids {
				if got := duplicateOf(t, db, id); got != want[i] {
					t.Errorf("delivery %d: DuplicateOf = %q, want %q", i, got, want[i])
				}
			}
			if got := owner(t, db, "ev1"); got != ids[0] {
				t.Errorf("dedup owner %q, want %s", got, ids[0])
			}
		})
	}
}

// TestDuplicatesPrunedInOneBatch: a prune batch that removes an event's
// owner and the deliveries that would inherit it hands the event to the one
// left after the batch.
func TestDuplicatesPrunedInOneBatch(t *testing.T) {
	db := mustOpen(t)
	var ids []string
	for i := 0; i < 5; i++ {
		id := mustAppend(t, db, "/e", nil).ID
		analyse(t, db, id, "ev1")
		ids = append(ids, id)
	}
	if res, err := db.Prune(context.Background(), PruneOptions{MaxEvents: 2}); err != nil || res.Removed != 3 {
		t.Fatalf("prune: %+v %v", res, err)
	}
	checkOwnerPassed(t, db, ids[3], ids[4])
}

// dropDupes removes the dupes bucket from the closed database at path,
// leaving it as a hookscope from before the bucket wrote it; remove, when
// not nil, then changes the file as such a hookscope would have.
func dropDupes(t *testing.T, path string, remove func(tx *bolt.Tx) error) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketDupes); err != nil {
			return err
		}
		if remove != nil {
			return remove(tx)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestOpenBackfillsDuplicateIndex: a file from before the dupes bucket gets
// it filled on open, so its older deliveries take part (and an event whose
// first delivery an older hookscope pruned is repaired).
func TestOpenBackfillsDuplicateIndex(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// before runs on the file without the bucket, as an older
		// hookscope; after runs once it is reopened.
		before func(tx *bolt.Tx, x string) error
		after  func(t *testing.T, db *DB, x string)
	}{
		{"pruned after the upgrade", nil, func(t *testing.T, db *DB, x string) {
			if n, err := db.Delete(ctx, []string{x}); err != nil || n != 1 {
				t.Fatalf("delete: %d %v", n, err)
			}
		}},
		{"pruned before the upgrade", func(tx *bolt.Tx, x string) error {
			// What Delete and prune did then: the delivery goes, and
			// so does the index entry it owned.
			for _, b := range [][]byte{bucketEvents, bucketBodies, bucketAnalysis, bucketSummary} {
				if err := tx.Bucket(b).Delete([]byte(x)); err != nil {
					return err
				}
			}
			return tx.Bucket(bucketDedup).Delete(dedupKey(dupProvider, "ev1"))
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h.db")
			db, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			x := mustAppend(t, db, "/x", nil).ID
			y := mustAppend(t, db, "/y", nil).ID
			w := mustAppend(t, db, "/w", nil).ID
			for _, id := range []string{x, y, w} {
				analyse(t, db, id, "ev1")
			}
			db.Close()
			dropDupes(t, path, func(tx *bolt.Tx) error {
				if tt.before != nil {
					return tt.before(tx, x)
				}
				return nil
			})
			db, err = Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if tt.after != nil {
				tt.after(t, db, x)
			}
			checkOwnerPassed(t, db, y, w)
		})
	}
}

// dupesEntries lists the dupes bucket of the closed database at path.
func dupesEntries(t *testing.T, path string) []string {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	var out []string
	bdb.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDupes)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			out = append(out, fmt.Sprintf("%q", k))
			return nil
		})
	})
	return out
}

// TestCompactKeepsDuplicateIndex: the compacted copy has the dupes bucket as
// it was (not rebuilt by the next Open), and the owner still passes on.
func TestCompactKeepsDuplicateIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := 0; i < 3; i++ {
		id := mustAppend(t, db, "/e", nil).ID
		analyse(t, db, id, "ev1")
		ids = append(ids, id)
	}
	db.Close()
	before := dupesEntries(t, path)
	if len(before) != 3 {
		t.Fatalf("dupes bucket holds %v, want 3 entries", before)
	}
	if _, err := Compact(path, time.Second); err != nil {
		t.Fatal(err)
	}
	if after := dupesEntries(t, path); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("after compaction the dupes bucket holds %v, want %v", after, before)
	}
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.Delete(context.Background(), ids[:1]); err != nil || n != 1 {
		t.Fatalf("delete: %d %v", n, err)
	}
	checkOwnerPassed(t, db, ids[1], ids[2])
}

// TestDupesKeyIsExact: an event id that extends another with a NUL byte is
// another event; the dupes prefix of one must not take in the other.
func TestDupesKeyIsExact(t *testing.T) {
	db := mustOpen(t)
	a := mustAppend(t, db, "/a", nil).ID
	b := mustAppend(t, db, "/b", nil).ID
	analyse(t, db, a, "ev\x000000000000000")
	if got := analyse(t, db, b, "ev").DuplicateOf; got != "" {
		t.Fatalf("another event's delivery counted: DuplicateOf = %q", got)
	}
}

// BenchmarkBackfillDupes times filling the dupes index for 8,000 and 32,000
// analyses whose event ids come in reverse order; per analysis the two
// should be about the same. (bbolt splits no node before the commit, so
// keys put into the new bucket out of order each moved every key after
// them: four times the analyses took fifty times as long, minutes for a
// few hundred thousand.) Each run is rolled back, and checks the index is
// complete. A benchmark, not a test: the brief keeps timing out of tests.
func BenchmarkBackfillDupes(b *testing.B) {
	path := filepath.Join(b.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer bdb.Close()
	const small, large = 8000, 32000
	base := uint64(time.Now().UnixNano())
	// Each delivery is the first of its own event, and each event id sorts
	// before the previous one's.
	if err := bdb.Update(func(tx *bolt.Tx) error {
		for i := range large {
			id := []byte(EncodeID(base + uint64(i)))
			v, err := json.Marshal(Analysis{Provider: dupProvider, ProviderEventID: fmt.Sprintf("ev%08d", large-i)})
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketEvents).Put(id, []byte("{}")); err != nil {
				return err
			}
			if err := tx.Bucket(bucketAnalysis).Put(id, v); err != nil {
				return err
			}
		}
		return tx.DeleteBucket(bucketDupes)
	}); err != nil {
		b.Fatal(err)
	}
	rollback := errors.New("rollback")
	backfill := func(n int) time.Duration {
		best := time.Duration(math.MaxInt64)
		for range 2 {
			err := bdb.Update(func(tx *bolt.Tx) error {
				// Only the oldest n analyses.
				c := tx.Bucket(bucketAnalysis).Cursor()
				k, _ := c.Seek([]byte(EncodeID(base + uint64(n))))
				for k != nil {
					if err := c.Delete(); err != nil {
						return err
					}
					k, _ = c.Seek([]byte(EncodeID(base + uint64(n))))
				}
				if _, err := tx.CreateBucket(bucketDupes); err != nil {
					return err
				}
				start := time.Now()
				if err := backfillDupes(tx); err != nil {
					return err
				}
				best = min(best, time.Since(start))
				got := 0
				tx.Bucket(bucketDupes).ForEach(func(k, v []byte) error { got++; return nil })
				if got != n {
					return fmt.Errorf("%d dupes entries, want %d", got, n)
				}
				return rollback
			})
			if !errors.Is(err, rollback) {
				b.Fatal(err)
			}
		}
		return best
	}
	for _, n := range []int{small, large} {
		b.Run(fmt.Sprintf("analyses=%d", n), func(b *testing.B) {
			var total time.Duration
			for range b.N {
				total += backfill(n)
			}
			b.ReportMetric(float64(total.Microseconds())/float64(b.N)/float64(n)*1000, "ns/analysis")
		})
	}
}
