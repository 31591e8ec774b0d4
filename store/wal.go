package store

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The write-ahead log.
//
// A delivery is acknowledged once it is in the log and the log is fsynced:
// one small sequential write and one fdatasync per group of waiting
// deliveries. The writer goroutine (writer.go) then applies logged groups to
// bbolt, itself durably (bbolt commits are synced as always), many groups per
// transaction. A bbolt commit costs two fsyncs and rewrites the right-hand
// pages of every bucket it touches, so doing it once per several log groups
// instead of once per group is what lets capture keep up with the network.
//
// The log is a file beside the database (path + "-wal"), a sequence of
// records:
//
//	u32 length of what follows the checksum
//	u32 CRC-32C of what follows the checksum
//	u64 log sequence number (LSN), one more than the previous record's
//	u32 number of deliveries, then per delivery:
//	    u16 id length, id, u32 meta length, meta,
//	    u32 summary length, summary, u32 body length, body
//
// The meta bucket records the LSN of the last record applied, in the same
// transaction that applies it. Open replays every intact record after it, in
// order, stopping at the first record that is torn, corrupt, or out of
// sequence (a leftover from before the log last restarted). The log restarts
// at offset 0 only once everything in it has been applied, so a leftover can
// never be mistaken for a record that still matters.
//
// Which database a log belongs to. Every database numbers its log records
// from its own random base (keyWALBase, drawn when the file is created, or
// on the first read-write Open of a file an older hookscope created, whose
// LSNs start at 0), so the LSNs in a log name the database they were written
// for, with no field an older binary would not read: the record format is
// unchanged, and either binary replays the other's log. A log that belongs
// to the file continues it: its first intact record is at most one past the
// applied LSN, and its last is at least that LSN (the log restarts only once
// all of it is applied, and a record is applied only once it is logged). A
// log that does not is from another database (a copy put in this one's
// place), or from an older or newer state of this one with records missing
// in between (a backup restored beside a log that has moved on): Open does
// not replay it, and keeps it under another name (setAsideLog) rather than
// overwrite deliveries that may exist nowhere else. The check cannot tell
// a log from a copy of this very file that went on taking deliveries
// elsewhere when the two copies' LSNs overlap; nor, for files an older
// hookscope created (all numbered from 0), one such file's log from
// another's.

const (
	walSuffix = "-wal"
	// walRestart is the size after which the log starts over at offset 0,
	// once what it holds is applied. Overwriting blocks the file already has
	// makes each fdatasync cheaper than extending the file.
	walRestart = 8 << 20
	// walMaxPending bounds the bytes logged but not yet applied to bbolt,
	// which are held in memory until they are.
	walMaxPending = 64 << 20
	walHeadLen    = 8  // length, checksum
	walFixedLen   = 12 // LSN, count
)

var (
	keyWALApplied = []byte("wal_applied_lsn")
	// keyWALBase holds the random LSN this database's log numbering started
	// from: its identity, as far as logs are concerned. A file without it
	// was created by an older hookscope and still numbers from 0.
	keyWALBase = []byte("wal_lsn_base")
	walCRC     = crc32.MakeTable(crc32.Castagnoli)
)

// logged is one delivery in a log record: the values Append puts in the
// events, summary and bodies buckets.
type logged struct {
	id, meta, summary, body []byte
}

// walRecord is one decoded log record.
type walRecord struct {
	lsn     uint64
	entries []logged
}

// encodeWAL appends the record for entries to buf.
func encodeWAL(buf []byte, lsn uint64, entries []logged) []byte {
	start := len(buf)
	buf = append(buf, make([]byte, walHeadLen)...)
	buf = binary.BigEndian.AppendUint64(buf, lsn)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(entries)))
	for _, e := range entries {
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(e.id)))
		buf = append(buf, e.id...)
		for _, v := range [][]byte{e.meta, e.summary, e.body} {
			buf = binary.BigEndian.AppendUint32(buf, uint32(len(v)))
			buf = append(buf, v...)
		}
	}
	payload := buf[start+walHeadLen:]
	binary.BigEndian.PutUint32(buf[start:], uint32(len(payload)))
	binary.BigEndian.PutUint32(buf[start+4:], crc32.Checksum(payload, walCRC))
	return buf
}

// errWALEnd marks the end of the intact part of the log.
var errWALEnd = errors.New("end of log")

// decodeWALPayload decodes what follows a record's checksum. The entries
// alias p.
func decodeWALPayload(p []byte) (walRecord, error) {
	var r walRecord
	if len(p) < walFixedLen {
		return r, errWALEnd
	}
	r.lsn = binary.BigEndian.Uint64(p)
	n := binary.BigEndian.Uint32(p[8:])
	p = p[walFixedLen:]
	// Each entry takes at least 14 bytes: a count larger than that allows is
	// corrupt, and must not size an allocation.
	if uint64(n)*14 > uint64(len(p)) {
		return r, errWALEnd
	}
	r.entries = make([]logged, 0, n)
	// Sizes are compared as uint64: on a 32-bit system, int of a u32 from
	// the log can be negative.
	take := func(size uint64) ([]byte, bool) {
		if size > uint64(len(p)) {
			return nil, false
		}
		v := p[:size:size]
		p = p[size:]
		return v, true
	}
	for range n {
		var e logged
		if len(p) < 2 {
			return r, errWALEnd
		}
		idLen := uint64(binary.BigEndian.Uint16(p))
		p = p[2:]
		var ok bool
		if e.id, ok = take(idLen); !ok || idLen == 0 {
			return r, errWALEnd
		}
		for _, v := range []*[]byte{&e.meta, &e.summary, &e.body} {
			if len(p) < 4 {
				return r, errWALEnd
			}
			size := binary.BigEndian.Uint32(p)
			p = p[4:]
			if *v, ok = take(uint64(size)); !ok {
				return r, errWALEnd
			}
		}
		r.entries = append(r.entries, e)
	}
	if len(p) != 0 {
		return r, errWALEnd
	}
	return r, nil
}

// readWALRecord reads the record at off. It returns errWALEnd where the
// intact log ends.
func readWALRecord(f io.ReaderAt, off, size int64) (walRecord, int64, error) {
	var head [walHeadLen]byte
	if size-off < walHeadLen {
		return walRecord{}, 0, errWALEnd
	}
	if _, err := f.ReadAt(head[:], off); err != nil {
		return walRecord{}, 0, fmt.Errorf("read log at %d: %w", off, err)
	}
	n := int64(binary.BigEndian.Uint32(head[:]))
	if n < walFixedLen || n > size-off-walHeadLen {
		return walRecord{}, 0, errWALEnd
	}
	payload := make([]byte, n)
	if _, err := f.ReadAt(payload, off+walHeadLen); err != nil {
		return walRecord{}, 0, fmt.Errorf("read log at %d: %w", off, err)
	}
	if crc32.Checksum(payload, walCRC) != binary.BigEndian.Uint32(head[4:]) {
		return walRecord{}, 0, errWALEnd
	}
	r, err := decodeWALPayload(payload)
	if err != nil {
		return walRecord{}, 0, err
	}
	return r, walHeadLen + n, nil
}

// openWAL opens (creating, mode 0600) the log beside the database at path.
func openWAL(path string) (*os.File, error) {
	name := path + walSuffix
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: open log %s: %w", name, err)
	}
	// Like the database, the log holds secrets.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("store: chmod %s: %w", name, err)
	}
	// fdatasync makes the log's bytes durable, not its name in the folder:
	// without this, a crash soon after the log was created could lose the
	// whole file with deliveries already acknowledged from it.
	syncDir(filepath.Dir(name))
	return f, nil
}

// dropStrayLog empties the log beside path when the database has no
// hookscope buckets yet: the file was created just now, so a log there
// belongs to a database that was deleted or replaced, and replaying it would
// bring that database's deliveries back. It runs before init creates the
// buckets, so a crash in between leaves the file bucketless and the next
// Open drops the log again.
func dropStrayLog(bdb *bolt.DB, path string) error {
	fresh := false
	bdb.View(func(tx *bolt.Tx) error { fresh = tx.Bucket(bucketMeta) == nil; return nil })
	if !fresh {
		return nil
	}
	return emptyLog(path)
}

// emptyLog truncates the log beside path, if there is one, and syncs it.
func emptyLog(path string) error {
	name := path + walSuffix
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: open log %s: %w", name, err)
	}
	defer f.Close()
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("store: empty log %s: %w", name, err)
	}
	if err := fdatasync(f); err != nil {
		return fmt.Errorf("store: sync %s: %w", name, err)
	}
	return nil
}

// scanWAL calls fn for every intact, in-sequence record of the log, in order.
func scanWAL(f *os.File, fn func(walRecord) error) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store: log %s: %w", f.Name(), err)
	}
	var off int64
	var prev uint64
	for {
		r, n, err := readWALRecord(f, off, fi.Size())
		if errors.Is(err, errWALEnd) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: log %s: %w", f.Name(), err)
		}
		if prev != 0 && r.lsn != prev+1 {
			return nil // a leftover from before the log restarted
		}
		if err := fn(r); err != nil {
			return err
		}
		prev = r.lsn
		off += n
	}
}

// walApplied returns the LSN of the last log record applied to bbolt.
func walApplied(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bucketMeta).Get(keyWALApplied); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// applyLogged puts a log record's deliveries into bbolt and records its LSN,
// in tx. Both land in one transaction, so replay never applies a record
// twice. Replay (check set) still leaves a delivery already present alone,
// so an id is never overwritten whatever the log holds; live, Append has
// made sure each id is new.
func applyLogged(tx *bolt.Tx, lsn uint64, entries []logged, check bool) error {
	events, bodies, summary := appendOnly(tx, bucketEvents), appendOnly(tx, bucketBodies), appendOnly(tx, bucketSummary)
	for _, e := range entries {
		if check && events.Get(e.id) != nil {
			continue
		}
		if err := events.Put(e.id, e.meta); err != nil {
			return fmt.Errorf("store: put event %s: %w", e.id, err)
		}
		if err := summary.Put(e.id, e.summary); err != nil {
			return fmt.Errorf("store: put summary %s: %w", e.id, err)
		}
		if err := bodies.Put(e.id, e.body); err != nil {
			return fmt.Errorf("store: put body %s: %w", e.id, err)
		}
	}
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], lsn)
	return tx.Bucket(bucketMeta).Put(keyWALApplied, v[:])
}

// replayChunk bounds the log records replayed in one bbolt transaction.
const replayChunk = 16 << 20

// foreignLogError means the log beside a database does not continue it (see
// "Which database a log belongs to" above): nothing of it was applied.
type foreignLogError struct {
	gap         bool   // the log starts after a gap (else it ends too early)
	first, last uint64 // the log's first intact record; its last, unless gap
	applied     uint64 // the database's applied LSN
}

func (e *foreignLogError) Error() string {
	if e.gap {
		return fmt.Sprintf("its records start at LSN %d, after a gap: the database has applied up to %d", e.first, e.applied)
	}
	return fmt.Sprintf("its records (LSN %d to %d) end before LSN %d, which the database has applied", e.first, e.last, e.applied)
}

// replayWAL applies the records of the log f that bbolt does not have yet,
// several to a transaction, and returns the LSN of the last record bbolt
// has. onApplied, when not nil, sees each delivery replayed. A log that does
// not belong to the database fails with a *foreignLogError before anything
// of it is applied.
func replayWAL(bdb *bolt.DB, f *os.File, onApplied func(id []byte)) (uint64, error) {
	var applied uint64
	if err := bdb.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return fmt.Errorf("store: %s is not a hookscope database", bdb.Path())
		}
		applied = walApplied(tx)
		return nil
	}); err != nil {
		return 0, err
	}
	start := applied
	var chunk []walRecord
	var size int64
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		last := chunk[len(chunk)-1].lsn
		if err := bdb.Update(func(tx *bolt.Tx) error {
			for _, r := range chunk {
				if err := applyLogged(tx, r.lsn, r.entries, true); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("store: replay log records up to %d into %s: %w", last, bdb.Path(), err)
		}
		applied = last
		if onApplied != nil {
			for _, r := range chunk {
				for _, e := range r.entries {
					onApplied(e.id)
				}
			}
		}
		chunk, size = nil, 0
		return nil
	}
	var first, last uint64
	seen := false
	err := scanWAL(f, func(r walRecord) error {
		if !seen {
			// Checked before anything is applied: a log that starts
			// past the record after the applied one skips records
			// this database never had.
			if r.lsn > start+1 {
				return &foreignLogError{gap: true, first: r.lsn, applied: start}
			}
			first, seen = r.lsn, true
		}
		last = r.lsn
		if r.lsn <= applied {
			return nil
		}
		chunk = append(chunk, r)
		for _, e := range r.entries {
			size += e.size()
		}
		if size >= replayChunk {
			return flush()
		}
		return nil
	})
	if err != nil {
		return applied, err
	}
	if seen && last < start {
		// Nothing of it applied (every record is at or below start): a
		// log that ends before the database's applied LSN was not
		// written for this state of it.
		return applied, &foreignLogError{first: first, last: last, applied: start}
	}
	return applied, flush()
}

// claimLog replays the log beside the database at path into bdb when it
// belongs to it (see replayWAL), and returns the LSN bbolt has. A log that
// does not belong is set aside rather than replayed or overwritten: note
// then says so, naming the file it now is.
func claimLog(bdb *bolt.DB, path string, onApplied func(id []byte)) (applied uint64, note string, err error) {
	f, err := openWAL(path)
	if err != nil {
		return 0, "", err
	}
	applied, err = replayWAL(bdb, f, onApplied)
	f.Close()
	var foreign *foreignLogError
	if !errors.As(err, &foreign) {
		return applied, "", err
	}
	aside, err := setAsideLog(path, time.Now())
	if err != nil {
		return 0, "", err
	}
	note = fmt.Sprintf("store: the log %s does not belong to the database %s (%v): it was not replayed, and is kept as %s. "+
		"It may hold deliveries that are in no database: to get them back, put it beside the database file it was written for, named %s, and open that; otherwise delete it",
		path+walSuffix, path, foreign, aside, filepath.Base(path)+walSuffix)
	return applied, note, nil
}

// setAsideLog renames the log beside path to <log>.orphan-<UTC time>
// (numbered if that name is taken: an earlier orphan is never replaced) and
// returns the new name. The file keeps its bytes and mode 0600.
func setAsideLog(path string, now time.Time) (string, error) {
	name := path + walSuffix
	stamp := now.UTC().Format("20060102T150405Z")
	aside := name + ".orphan-" + stamp
	for i := 2; ; i++ {
		_, err := os.Lstat(aside)
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("store: set aside log %s: %w", name, err)
		}
		aside = fmt.Sprintf("%s.orphan-%s-%d", name, stamp, i)
	}
	if err := os.Rename(name, aside); err != nil {
		return "", fmt.Errorf("store: set aside log %s: %w", name, err)
	}
	syncDir(filepath.Dir(name))
	if err := os.Chmod(aside, 0o600); err != nil {
		return "", fmt.Errorf("store: chmod %s: %w", aside, err)
	}
	return aside, nil
}

// assignLogBase gives a database that has no log identity yet (a new file,
// or one an older hookscope created, numbered from 0) its random LSN base,
// and returns the LSN bbolt has from then on. It runs once the log is
// replayed or set aside: what the log still holds is applied, so it is
// emptied first (its old numbers would not continue the new ones). A crash
// in between leaves an applied, empty log and no base, and the next Open
// assigns one then.
func assignLogBase(bdb *bolt.DB, path string, applied uint64) (uint64, error) {
	has := false
	if err := bdb.View(func(tx *bolt.Tx) error { has = tx.Bucket(bucketMeta).Get(keyWALBase) != nil; return nil }); err != nil {
		// Emptying the log on a failed read could lose what it holds.
		return 0, fmt.Errorf("store: read the log base of %s: %w", bdb.Path(), err)
	}
	if has {
		return applied, nil
	}
	if err := emptyLog(path); err != nil {
		return 0, err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, fmt.Errorf("store: draw a log base for %s: %w", path, err)
	}
	// From 2^62 to 2^62+2^61: never near an older file's numbers (from 0),
	// and more numbers ahead than any database will use.
	base := 1<<62 | binary.BigEndian.Uint64(b[:])>>3
	if base <= applied {
		return applied, nil // cannot happen; never go back
	}
	err := bdb.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		binary.BigEndian.PutUint64(b[:], base)
		if err := meta.Put(keyWALBase, b[:]); err != nil {
			return err
		}
		return meta.Put(keyWALApplied, b[:])
	})
	if err != nil {
		return 0, fmt.Errorf("store: record the log base of %s: %w", path, err)
	}
	return base, nil
}
