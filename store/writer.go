package store

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// writeOp is one caller's change, applied inside a shared transaction.
type writeOp struct {
	fn      func(tx *bolt.Tx) error
	notices func() []Notice // evaluated after fn ran; may be nil
	done    chan error      // nil for a logged record: its callers were answered already

	later bool // queued by updateLater: nobody waits for it

	lsn  uint64 // for a logged record (walwriter.go): its LSN
	size int64  // and its size
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
	if err := enqueue(db, ctx, db.writes, op); err != nil {
		return err
	}
	// Once queued, the op will be committed or failed promptly; waiting for
	// it (rather than for ctx) means a caller never reports failure for a
	// write that then lands.
	return <-op.done
}

// enqueue sends op to a writer goroutine's queue unless the store is closed
// or ctx ends first. Close waits for senders holding closeMu, so an op sent
// here is always taken by its writer.
func enqueue[T any](db *DB, ctx context.Context, queue chan<- T, op T) error {
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return ErrClosed
	}
	if db.readOnly {
		return fmt.Errorf("store: %s: %w", db.path, ErrReadOnly)
	}
	select {
	case queue <- op: // the common case: room in the queue
		return nil
	default:
	}
	select {
	case queue <- op:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// updateLater queues fn without waiting for it: it rides along with the next
// group commit. When the queue is full it is dropped and false returned, so
// a caller on the capture path never blocks for a non-essential write.
func (db *DB) updateLater(fn func(tx *bolt.Tx) error) bool {
	op := &writeOp{fn: fn, done: make(chan error, 1), later: true}
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed || db.readOnly {
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
// ops are waiting (up to maxBatch; logged deliveries come as one op per log
// record), applies them in one synced transaction, and acknowledges them all.
func (db *DB) writer() {
	defer db.writerWG.Done()
	batch := make([]*writeOp, 0, db.maxBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		var first *writeOp
		select {
		case first = <-db.writes:
		case <-db.stop:
			// Close waits for writers in flight to enqueue (and for the
			// log writer to stop), so what is in the channel now is
			// everything: commit it, then stop.
			for {
				batch = batch[:0]
			drain:
				for len(batch) < db.maxBatch {
					select {
					case op := <-db.writes:
						batch = append(batch, op)
					default:
						break drain
					}
				}
				if len(batch) == 0 {
					return
				}
				db.commit(batch)
				clear(batch)
			}
		}
		batch = db.gather(append(batch[:0], first), timer)
		db.commit(batch)
		clear(batch)
	}
}

// Logged deliveries are durable already, so nobody waits for their bbolt
// commit: the writer lets them gather until applyDelay has passed since the
// first or applyBytes are waiting, and commits many log records in one
// transaction. That is the point of the log: each bbolt commit costs two
// fsyncs and rewrites the right-hand pages of every bucket it touches.
// Anyone who needs bbolt to have them (a read, a change waiting for its
// commit, Close) makes the writer commit at once.
const (
	applyDelay = 50 * time.Millisecond
	applyBytes = 4 << 20
)

// gather adds to batch what is waiting. A batch with an op whose caller
// waits is committed at once; one of logged deliveries only (and of writes
// no one waits for) waits as described above.
func (db *DB) gather(batch []*writeOp, timer *time.Timer) []*writeOp {
	urgent, size := false, int64(0)
	note := func(op *writeOp) {
		urgent = urgent || (op.done != nil && !op.later)
		size += op.size
	}
	note(batch[0])
	armed := false
	defer timer.Stop()
	for len(batch) < db.maxBatch {
		select {
		case op := <-db.writes:
			batch = append(batch, op)
			note(op)
			continue
		default:
		}
		if urgent || size >= applyBytes {
			return batch
		}
		if !armed {
			timer.Reset(applyDelay)
			armed = true
		}
		select {
		case op := <-db.writes:
			batch = append(batch, op)
			note(op)
		case <-timer.C:
			return batch
		case <-db.kick:
			urgent = true
		case <-db.stop:
			return batch
		}
	}
	return batch
}

// commit applies a batch in one transaction. If one op fails, the others
// must not fail with it: the batch is retried one op per transaction.
func (db *DB) commit(batch []*writeOp) {
	failedAt := -1
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for i, op := range batch {
			if f := db.failCommit.Load(); f != nil && op.lsn == 0 {
				failedAt = i
				return *f
			}
			// Once a logged record failed, no later one may be applied:
			// its LSN would be recorded as applied, and the next Open
			// would skip the failed record, acknowledged and still in
			// the log. They all wait in the log for that Open.
			if err := db.brokenErr(); err != nil && op.lsn != 0 {
				failedAt = i
				return err
			}
			if err := op.fn(tx); err != nil {
				failedAt = i
				return err
			}
		}
		return db.writeAnswers(tx)
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
		switch {
		case op.done != nil:
			op.done <- err
		case err != nil:
			db.breakStore(err)
		default:
			db.applyDone(op.lsn, op.size)
		}
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
