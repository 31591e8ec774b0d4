package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// writeOp is one caller's change, applied inside a shared transaction.
type writeOp struct {
	fn      func(tx *bolt.Tx) error
	notices func() []Notice // evaluated after fn ran; may be nil
	done    chan error
}

// update queues fn for the writer and waits until the transaction holding it
// has been committed and fsynced (or has failed). Notices are published to
// subscribers only after the commit.
//
// Deliberately not db.Batch: Batch waits a fixed delay to gather callers,
// while this writer commits as soon as it is free, so under load callers
// gather naturally while the previous fsync runs and an idle system pays no
// delay at all.
func (db *DB) update(ctx context.Context, fn func(tx *bolt.Tx) error, notices func() []Notice) error {
	op := &writeOp{fn: fn, notices: notices, done: make(chan error, 1)}
	db.closeMu.RLock()
	if db.closed {
		db.closeMu.RUnlock()
		return ErrClosed
	}
	select {
	case db.writes <- op:
	case <-ctx.Done():
		db.closeMu.RUnlock()
		return ctx.Err()
	}
	db.closeMu.RUnlock()
	// Once queued, the op will be committed or failed promptly; waiting for
	// it (rather than for ctx) means a caller never reports failure for a
	// write that then lands.
	return <-op.done
}

// updateLater queues fn without waiting for it: it rides along with the next
// group commit. When the queue is full it is dropped and false returned, so
// a caller on the capture path never blocks for a non-essential write.
func (db *DB) updateLater(fn func(tx *bolt.Tx) error) bool {
	op := &writeOp{fn: fn, done: make(chan error, 1)}
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return false
	}
	select {
	case db.writes <- op:
		return true
	default:
		return false
	}
}

// writer is the single goroutine that writes to bbolt. It takes whatever
// ops are waiting (up to maxBatch), applies them in one transaction with one
// fsync, and acknowledges them all.
func (db *DB) writer() {
	defer db.writerWG.Done()
	batch := make([]*writeOp, 0, db.maxBatch)
	for {
		var first *writeOp
		select {
		case first = <-db.writes:
		case <-db.stop:
			// Close waits for writers in flight to enqueue, so what is in
			// the channel now is everything: commit it, then stop.
			for {
				select {
				case op := <-db.writes:
					db.commit([]*writeOp{op})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	gather:
		for len(batch) < db.maxBatch {
			select {
			case op := <-db.writes:
				batch = append(batch, op)
			default:
				break gather
			}
		}
		db.commit(batch)
		clear(batch)
	}
}

// commit applies a batch in one transaction. If one op fails, the others
// must not fail with it: the batch is retried one op per transaction.
func (db *DB) commit(batch []*writeOp) {
	failedAt := -1
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if f := db.failCommit.Load(); f != nil {
			return *f
		}
		for i, op := range batch {
			if err := op.fn(tx); err != nil {
				failedAt = i
				return err
			}
		}
		return nil
	})
	if err != nil && failedAt >= 0 && len(batch) > 1 {
		for _, op := range batch {
			db.commit([]*writeOp{op})
		}
		return
	}
	if err != nil {
		err = fmt.Errorf("store: commit to %s: %w", db.path, err)
	}
	for _, op := range batch {
		op.done <- err
	}
	if err == nil {
		for _, op := range batch {
			if op.notices != nil {
				for _, n := range op.notices() {
					db.subs.publish(n)
				}
			}
		}
	}
}
