package store

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PruneBatch is the most deliveries one pruning transaction removes. Each
// batch is one Delete through the group-commit writer, so a capture waiting
// behind it waits for at most this many deletions, never for the whole
// prune.
const PruneBatch = 256

// PruneOptions say which deliveries Prune removes. Pinned deliveries are
// never removed.
type PruneOptions struct {
	// MaxEvents bounds the deliveries kept, pinned ones included (when more
	// than MaxEvents are pinned, every unpinned delivery goes). 0 means no
	// bound.
	MaxEvents int `json:"max_events"`
	// MaxAge removes deliveries received longer ago than this. 0 means no
	// bound.
	MaxAge time.Duration `json:"max_age"`
	// DryRun counts what would go without removing anything.
	DryRun bool `json:"dry_run"`
	// Now is the clock MaxAge is measured from; zero means the store's clock.
	Now time.Time `json:"now"`
}

// PruneResult says what Prune removed (or, with DryRun, would remove).
type PruneResult struct {
	Removed int `json:"removed"`
	// BodyBytes is the size of the removed bodies.
	BodyBytes int64 `json:"body_bytes"`
	// First and Last are the oldest and newest removed ids ("" when none).
	First string `json:"first"`
	Last  string `json:"last"`
	// PinnedKept counts pinned deliveries that the limits would otherwise
	// have removed.
	PinnedKept int `json:"pinned_kept"`
	// Remaining is how many deliveries the store holds afterwards (as far as
	// prune knows: captures arriving meanwhile are not counted).
	Remaining int  `json:"remaining"`
	DryRun    bool `json:"dry_run"`
}

// Validate reports limits that make no sense.
func (o PruneOptions) Validate() error {
	if o.MaxEvents < 0 {
		return fmt.Errorf("store: prune: max events must be 0 (no bound) or more, got %d", o.MaxEvents)
	}
	if o.MaxAge < 0 {
		return fmt.Errorf("store: prune: max age must be 0 (no bound) or more, got %s", o.MaxAge)
	}
	return nil
}

// Prune removes the oldest unpinned deliveries beyond opts.MaxEvents and
// those older than opts.MaxAge, with their bodies, analyses and attempts.
//
// It works in batches of at most PruneBatch: a short read transaction picks
// the next batch, then one Delete commits it through the writer, where live
// captures share its transaction. Capture therefore never waits behind the
// whole prune, and no long read transaction holds bbolt's remap lock.
func (db *DB) Prune(ctx context.Context, opts PruneOptions) (PruneResult, error) {
	res := PruneResult{DryRun: opts.DryRun}
	if err := opts.Validate(); err != nil {
		return res, err
	}
	now := opts.Now
	if now.IsZero() {
		now = db.now()
	}
	var cutoff uint64 // ids below this are too old; 0: no age bound
	if opts.MaxAge > 0 {
		if t := now.Add(-opts.MaxAge); t.UnixNano() > 0 {
			cutoff = uint64(t.UnixNano())
		}
	}
	var total int
	db.settle() // count what was acknowledged, not only what reached bbolt
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		total = tx.Bucket(bucketEvents).Stats().KeyN
		return nil
	}); err != nil {
		return res, fmt.Errorf("store: prune %s: %w", db.path, err)
	}
	// excess counts down as deliveries are picked; it is computed once so
	// that captures arriving during the prune (always the newest) are left
	// for the next one.
	excess := 0
	if opts.MaxEvents > 0 {
		excess = max(total-opts.MaxEvents, 0)
	}
	after := "" // resume below-the-cursor: pinned ones already passed stay passed
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		batch, done, err := db.pickPrunable(after, cutoff, &excess, &res)
		if err != nil {
			return res, err
		}
		if len(batch) > 0 {
			after = batch[len(batch)-1].id
			if res.First == "" {
				res.First = batch[0].id
			}
			res.Last = after
			if opts.DryRun {
				res.Removed += len(batch)
				for _, p := range batch {
					res.BodyBytes += p.bodyLen
				}
			} else if err := db.removeBatch(ctx, batch, &res); err != nil {
				return res, err
			}
		}
		if done || len(batch) == 0 {
			break
		}
	}
	res.Remaining = total - res.Removed
	return res, nil
}

// prunable is one delivery picked for removal.
type prunable struct {
	id      string
	bodyLen int64
}

// pickPrunable reads the next batch of removable deliveries after the id
// after, oldest first. done reports that nothing further can qualify. Ids
// encode the receive time, so the walk stops at the first delivery that is
// young enough once the count bound is met.
func (db *DB) pickPrunable(after string, cutoff uint64, excess *int, res *PruneResult) (batch []prunable, done bool, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		events, pins := tx.Bucket(bucketEvents), tx.Bucket(bucketPins)
		bodies := tx.Bucket(bucketBodies)
		c := events.Cursor()
		var k []byte
		if after == "" {
			k, _ = c.First()
		} else {
			k, _ = c.Seek([]byte(after))
			if k != nil && string(k) == after {
				k, _ = c.Next()
			}
		}
		for ; k != nil; k, _ = c.Next() {
			aged := false
			if n, ok := DecodeID(string(k)); ok && cutoff > 0 && n < cutoff {
				aged = true
			}
			if !aged && *excess <= 0 {
				done = true
				return nil
			}
			if pins.Get(k) != nil {
				res.PinnedKept++
				continue
			}
			batch = append(batch, prunable{id: string(k), bodyLen: int64(len(bodies.Get(k)))})
			*excess--
			if len(batch) == PruneBatch {
				return nil
			}
		}
		done = true
		return nil
	})
	if err != nil {
		err = fmt.Errorf("store: prune %s: %w", db.path, err)
	}
	return batch, done, err
}

// removeBatch deletes one batch. Delete keeps the duplicate index in the
// same transaction: an event whose first delivery goes passes to the oldest
// one left.
func (db *DB) removeBatch(ctx context.Context, batch []prunable, res *PruneResult) error {
	ids := make([]string, len(batch))
	for i, p := range batch {
		ids[i] = p.id
	}
	removed, err := db.remove(ctx, ids)
	if err != nil {
		return fmt.Errorf("store: prune: %w", err)
	}
	res.Removed += len(removed)
	// Deliveries pinned between the pick and the delete were skipped by
	// Delete: count only bodies that are really gone. Both lists are in
	// id order.
	i := 0
	for _, p := range batch {
		if i < len(removed) && removed[i] == p.id {
			res.BodyBytes += p.bodyLen
			i++
		}
	}
	return nil
}
