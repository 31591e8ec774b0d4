package store

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// appendOp is one Append waiting for the log writer.
type appendOp struct {
	logged
	done chan error
}

// size is what the delivery takes in a log record and in memory.
func (e *logged) size() int64 {
	return int64(len(e.id) + len(e.meta) + len(e.summary) + len(e.body))
}

// logAppend queues a delivery for the log writer and waits until it is in
// the log and the log is fsynced (or the write failed).
func (db *DB) logAppend(ctx context.Context, e logged) error {
	op := &appendOp{logged: e, done: make(chan error, 1)}
	if err := enqueue(db, ctx, db.appends, op); err != nil {
		return err
	}
	// As in update: once queued, the outcome is reported, not abandoned.
	return <-op.done
}

// walWriter is the goroutine that owns the log: it takes every Append
// waiting (up to maxBatch), writes them as one record with one fdatasync,
// hands the record to the bbolt writer and acknowledges them.
func (db *DB) walWriter() {
	defer db.walWG.Done()
	batch := make([]*appendOp, 0, db.maxBatch)
	var buf []byte
	for {
		var first *appendOp
		select {
		case first = <-db.appends:
		case <-db.walStop:
			// Close has stopped new Appends: log what is queued, then stop.
			select {
			case first = <-db.appends:
			default:
				return
			}
		}
		batch = db.gatherAppends(append(batch[:0], first))
		err := db.logBatch(batch, &buf)
		for _, op := range batch {
			op.done <- err
		}
		clear(batch)
	}
}

// maxYields bounds how often gatherAppends yields for one record.
const maxYields = 4

// maxRecord bounds the bytes gathered into one log record (one more
// delivery may take it past): logBatch copies a record into one buffer, so
// several large bodies arriving together are logged in turn, not at once.
const maxRecord = 16 << 20

// gatherAppends adds the Appends waiting to batch. When none is waiting it
// yields the processor, so that handlers which are already runnable (their
// delivery read, about to Append) join this fsync instead of waiting for the
// next one; it stops at the first yield that brings nothing, or after
// maxYields. This is not a delay: with nothing else runnable, Gosched
// returns at once.
func (db *DB) gatherAppends(batch []*appendOp) []*appendOp {
	size := batch[0].size()
	take := func(op *appendOp) {
		batch = append(batch, op)
		size += op.size()
	}
	yields := 0
	for len(batch) < db.maxBatch && size < maxRecord {
		select {
		case op := <-db.appends:
			take(op)
			continue
		default:
		}
		if yields == maxYields {
			break
		}
		yields++
		n := len(batch)
		runtime.Gosched()
		select {
		case op := <-db.appends:
			take(op)
		default:
		}
		if len(batch) == n {
			break
		}
	}
	return batch
}

// logBatch writes batch to the log as one record, fsyncs it, and queues the
// record for bbolt. buf is reused between calls.
func (db *DB) logBatch(batch []*appendOp, buf *[]byte) error {
	if f := db.failCommit.Load(); f != nil {
		return fmt.Errorf("store: log to %s: %w", db.path, *f)
	}
	if err := db.brokenErr(); err != nil {
		return err
	}
	if p := db.filesGone.Load(); p != nil {
		return *p
	}
	entries := make([]logged, len(batch))
	var size int64
	for i, op := range batch {
		entries[i] = op.logged
		size += op.size()
	}
	lsn := db.walLSN + 1
	rec := encodeWAL((*buf)[:0], lsn, entries)
	*buf = rec
	if cap(rec) > walRestart {
		*buf = nil // do not keep a huge body's buffer
	}

	restart := db.walOff > 0 && db.walOff+int64(len(rec)) > walRestart
	if restart || db.pending.Load() > walMaxPending {
		// Rare (every few thousand deliveries): wait until bbolt has all
		// the log holds. Only then may the log start over, and only then
		// is the memory of what it held released.
		if err := db.waitApplied(db.walLSN); err != nil {
			return err
		}
		if restart {
			db.walOff = 0
		}
	}
	if _, err := db.wal.WriteAt(rec, db.walOff); err != nil {
		return fmt.Errorf("store: write log %s: %w", db.wal.Name(), err)
	}
	if err := fdatasync(db.wal); err != nil {
		return fmt.Errorf("store: sync log %s: %w", db.wal.Name(), err)
	}
	// Checked after the sync, so that a file deleted at any moment before
	// the acknowledgement is noticed. The record stays where it was written,
	// unacknowledged (walOff does not move), and nothing more is logged:
	// every later Append fails at once with the same error instead of
	// writing and syncing a record first.
	if err := db.checkFiles(); err != nil {
		db.filesGone.CompareAndSwap(nil, &err)
		return *db.filesGone.Load()
	}
	db.walOff += int64(len(rec))
	db.walLSN = lsn
	db.pending.Add(size)

	// Queued before the acknowledgement: whatever a caller does with the
	// delivery afterwards (analysis, pin, delete) is queued after it.
	db.writes <- &writeOp{
		fn:  func(tx *bolt.Tx) error { return applyLogged(tx, lsn, entries, false) },
		lsn: lsn, size: size,
		notices: func() []Notice {
			out := make([]Notice, len(entries))
			for i, e := range entries {
				out[i] = Notice{ID: string(e.id), Kind: Captured}
			}
			return out
		},
	}
	db.acked.Store(lsn)
	return nil
}

// openedFile is a file the store holds open, as it was when opened.
type openedFile struct {
	name string
	info os.FileInfo
}

// noteFiles records which files the database and its log are, for
// checkFiles.
func (db *DB) noteFiles() error {
	for _, name := range []string{db.path, db.wal.Name()} {
		fi, err := os.Stat(name)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		db.files = append(db.files, openedFile{name, fi})
	}
	return nil
}

// checkFiles fails when the database or its log was deleted or replaced
// since Open (its folder removed, say, while a listener runs). The store
// still writes to the files it has open, but whatever goes there is lost
// when it closes, and nobody else can reach it: acknowledging a delivery
// then would be a promise it cannot keep. Two stats per log record, which
// costs next to nothing beside the fsync. The first failure is final (see
// filesGone).
func (db *DB) checkFiles() error {
	for _, f := range db.files {
		fi, err := os.Stat(f.name)
		if err == nil && os.SameFile(fi, f.info) {
			continue
		}
		return fmt.Errorf("store: %s was deleted or replaced while open; deliveries cannot be stored until hookscope opens it again", f.name)
	}
	return nil
}

// recover replays the log into bbolt (deliveries a crashed listener had
// acknowledged), or sets it aside when it does not belong to the database
// (see claimLog), and readies a log for writing.
func (db *DB) recover() error {
	lsn, note, err := claimLog(db.bolt, db.path, func(id []byte) { db.ids.observe(string(id)) })
	if err != nil {
		return err
	}
	if note != "" {
		db.warnings = append(db.warnings, note)
	}
	if lsn, err = assignLogBase(db.bolt, db.path, lsn); err != nil {
		return err
	}
	f, err := openWAL(db.path)
	if err != nil {
		return err
	}
	db.wal, db.walLSN = f, lsn
	db.acked.Store(lsn)
	db.applied.Store(lsn)
	return nil
}

// applyDone records that the record lsn (size bytes) is committed to bbolt.
func (db *DB) applyDone(lsn uint64, size int64) {
	db.applied.Store(lsn)
	db.pending.Add(-size)
	db.progress.signal()
}

// breakStore stops acknowledging deliveries after a logged one could not be
// applied to bbolt.
func (db *DB) breakStore(err error) {
	err = fmt.Errorf("store: %s cannot take more deliveries until reopened: %w", db.path, err)
	db.broken.CompareAndSwap(nil, &err)
	db.progress.signal()
}

func (db *DB) brokenErr() error {
	if p := db.broken.Load(); p != nil {
		return *p
	}
	return nil
}

// waitApplied waits until bbolt has every record up to lsn.
func (db *DB) waitApplied(lsn uint64) error {
	for {
		ch := db.progress.wait()
		if db.applied.Load() >= lsn {
			return nil
		}
		if err := db.brokenErr(); err != nil {
			return err
		}
		// The writer may be letting logged deliveries gather: ask it to
		// commit now (again after each commit that fell short).
		select {
		case db.kick <- struct{}{}:
		default:
		}
		<-ch
	}
}

// settle makes a read see every delivery acknowledged before it started:
// they are in the log, and may be a moment away from bbolt.
func (db *DB) settle() {
	if lsn := db.acked.Load(); db.applied.Load() < lsn {
		db.waitApplied(lsn) // a broken store reads what bbolt has
	}
}

// progress lets goroutines wait for the next change of a condition without
// polling: wait returns a channel that signal closes.
type progress struct {
	mu sync.Mutex
	ch chan struct{}
}

func (p *progress) wait() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ch == nil {
		p.ch = make(chan struct{})
	}
	return p.ch
}

func (p *progress) signal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ch != nil {
		close(p.ch)
		p.ch = nil
	}
}
