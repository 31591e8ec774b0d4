package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout version this binary writes. A file with a
// higher version is refused rather than misread.
//
// Version 2 added the write-ahead log beside the file (wal.go): a version 1
// binary would ignore deliveries still in it, so it must refuse the file.
//
// The dupes bucket (dedup.go) did not need a new version: an older binary
// ignores it and keeps the dedup bucket as it always did, and this one copes
// with what that leaves (see oldestDelivery and addDupe). Bumping the
// version would have locked older binaries out of the file for an index.
const SchemaVersion = 2

// Bucket names. Event metadata and body bytes live in separate buckets keyed
// by the same id so that listing never reads bodies.
var (
	bucketMeta     = []byte("meta")
	bucketEvents   = []byte("events")
	bucketBodies   = []byte("bodies")
	bucketAnalysis = []byte("analysis")
	bucketReplays  = []byte("replays")  // id + big-endian uint32 attempt
	bucketKeys     = []byte("keys")     // Talkdesk key id -> CachedKey
	bucketDedup    = []byte("dedup")    // provider \x00 provider event id -> owning delivery id (dedup.go)
	bucketDupes    = []byte("dupes")    // uvarint length, dedup key, id -> empty: every delivery of an event
	bucketPins     = []byte("pins")     // id -> empty
	bucketAnswered = []byte("answered") // id -> float64 ms: time to answer, measured after the answer

	allBuckets = [][]byte{bucketMeta, bucketEvents, bucketBodies, bucketAnalysis, bucketReplays, bucketKeys, bucketDedup, bucketPins, bucketSummary, bucketAnswered, bucketDupes}

	keySchemaVersion = []byte("schema_version")
)

// pageSize is the page size of the files Open and Compact create: a commit
// of a batch of 1 KiB deliveries touches and splits a quarter of the pages
// it would with 4 KiB ones. (Only applies to new files; bbolt keeps a file's
// page size.)
const pageSize = 16 << 10

// writerMmap is the address space a writable database maps from the start.
// bbolt otherwise maps the file at its current size and remaps it, doubling,
// as it grows: each remap waits for every open read transaction (a listing
// in the live view) to end, with capture's commits stalled behind it, and
// copies every node the commit holds off the old mapping. Reserving 1 GiB of
// address space (not memory: pages are touched only as the file uses them)
// makes that rare. Only on 64-bit systems, where address space is plentiful,
// and not on Windows, where bbolt grows the file itself to the mapping.
const writerMmap = 1 << 30

func initialMmap(readOnly bool) int {
	if readOnly || strconv.IntSize < 64 || runtime.GOOS == "windows" {
		return 0
	}
	return writerMmap
}

// Options tune Open.
type Options struct {
	// LockTimeout bounds the wait for another process's lock on the file.
	// Zero means one second.
	LockTimeout time.Duration
	// ReadOnly opens the file without taking the writer's lock. It does not
	// replay the write-ahead log, so it misses deliveries a listener that
	// crashed had logged but not yet moved into the file; a read-write Open
	// replays them.
	ReadOnly bool
	// Now is the clock used for ids; nil means time.Now.
	Now func() time.Time
	// MaxBatch bounds how many writes share one transaction (default 4096;
	// a log record of many deliveries counts as one).
	MaxBatch int
}

// DB is an open hookscope database. It is safe for concurrent use; all
// writes go through one writer goroutine (see writer.go).
type DB struct {
	bolt *bolt.DB
	path string
	// readOnly: opened with Options.ReadOnly, no writer runs, and every
	// change fails at once with ErrReadOnly (it would wait for ever).
	readOnly bool
	now      func() time.Time
	ids      idGen

	writes    chan *writeOp
	stop      chan struct{}
	writerWG  sync.WaitGroup
	closeOnce sync.Once
	maxBatch  int

	closeMu sync.RWMutex // held for reading by writers in flight
	closed  bool

	// The write-ahead log (wal.go). walOff and walLSN belong to the log
	// writer goroutine.
	wal      *os.File
	walOff   int64
	walLSN   uint64
	appends  chan *appendOp
	walStop  chan struct{}
	walWG    sync.WaitGroup
	acked    atomic.Uint64 // last LSN acknowledged to its callers
	applied  atomic.Uint64 // last LSN committed to bbolt
	pending  atomic.Int64  // bytes logged, not yet committed to bbolt
	progress progress      // signalled when applied moves or the store breaks
	kick     chan struct{} // asks the writer to commit what it is gathering
	// broken is set when a logged delivery could not be applied to bbolt:
	// from then on nothing is acknowledged (the log keeps what was, and the
	// next Open replays it).
	broken atomic.Pointer[error]
	// filesGone is set when checkFiles first finds the database or its log
	// deleted or replaced: from then on the log writer refuses every Append
	// at once with that error. It is not broken: the records logged and
	// acknowledged before are still applied to bbolt (the log they are in
	// may be the file that is gone, so they would be nowhere else).
	filesGone atomic.Pointer[error]
	// files are the database and its log as opened: before a delivery is
	// acknowledged, the log writer checks that their names still lead to
	// them (see checkFiles).
	files []openedFile
	// warnings are what Open did that the user should hear of (a log set
	// aside); see Warnings.
	warnings []string

	subs    subscribers
	answers answers // SetAnswered's, waiting for a commit
	// failCommit, when set, makes every commit fail: tests use it to check
	// that no delivery is acknowledged without being stored.
	failCommit atomic.Pointer[error]
}

// Open opens (creating if needed, with mode 0600) the database at path. It
// fails within opts.LockTimeout with ErrLocked when another process holds
// the file, and with ErrNewerSchema when the file is from a newer version.
// A path through symbolic links opens the file they lead to (see RealPath).
// A write-ahead log beside the file that does not belong to it is set
// aside, not replayed (see Warnings).
func Open(path string, opts Options) (*DB, error) {
	path = RealPath(path)
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 4096
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("store: create folder for %s: %w", path, err)
		}
	}
	bdb, err := openBolt(path, &bolt.Options{
		Timeout:  opts.LockTimeout,
		ReadOnly: opts.ReadOnly,
		// The freelist is rebuilt on open instead of written on every
		// commit: fewer pages per commit.
		NoFreelistSync:  true,
		FreelistType:    bolt.FreelistMapType,
		PageSize:        pageSize,
		InitialMmapSize: initialMmap(opts.ReadOnly),
	})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("store: open %s: %w", path, ErrLocked)
		}
		return nil, openError(path, err)
	}
	// bbolt applies the mode only when it creates the file; a file created
	// by something else keeps its mode, so enforce 0600: deliveries hold
	// secrets.
	if !opts.ReadOnly {
		if err := os.Chmod(path, 0o600); err != nil {
			bdb.Close()
			return nil, fmt.Errorf("store: chmod %s: %w", path, err)
		}
	}
	if !opts.ReadOnly {
		if err := dropStrayLog(bdb, path); err != nil {
			bdb.Close()
			return nil, err
		}
	}
	db := &DB{bolt: bdb, path: path, now: opts.Now, maxBatch: opts.MaxBatch, readOnly: opts.ReadOnly,
		writes: make(chan *writeOp, 4096), stop: make(chan struct{}),
		appends: make(chan *appendOp, 4096), walStop: make(chan struct{}), kick: make(chan struct{}, 1)}
	if err := db.init(opts.ReadOnly); err != nil {
		bdb.Close()
		return nil, err
	}
	if !opts.ReadOnly {
		// A log recover set aside is under its new name whatever happens
		// next, and the next Open will not mention it: an error from here
		// on carries the warning, since the caller gets no DB to ask.
		if err := db.recover(); err != nil {
			bdb.Close()
			return nil, withWarnings(err, db.warnings)
		}
		if err := db.noteFiles(); err != nil {
			db.wal.Close()
			bdb.Close()
			return nil, withWarnings(err, db.warnings)
		}
		db.writerWG.Add(1)
		go db.writer()
		db.walWG.Add(1)
		go db.walWriter()
	}
	return db, nil
}

// openError says why the file at path could not be opened, naming it once
// (an *fs.PathError names it again) and saying in plain words when the file
// is not a bbolt database at all.
func openError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		if errors.Is(pe.Err, syscall.EISDIR) {
			return fmt.Errorf("store: open %s: is a folder, not a database file", path)
		}
		return fmt.Errorf("store: open %s: %w", path, pe.Err)
	}
	if errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrVersionMismatch) ||
		errors.Is(err, berrors.ErrChecksum) || strings.Contains(err.Error(), "file size too small") {
		return fmt.Errorf("store: open %s: not a hookscope database, or a damaged one (%w)", path, err)
	}
	return fmt.Errorf("store: open %s: %w", path, err)
}

// openBolt opens the bbolt file at path (creating it with mode 0600) and
// makes sure the lock it took is on the file path names once it has it.
// bbolt opens the file, then waits for its lock; Compact renames a new file
// over the one whose lock it holds, so whoever was waiting meanwhile would
// get the lock of a file nobody else can reach any more: a listener would
// capture into a file that vanishes when it stops, beside a second writer
// on the new one. It then opens again, within what is left of opts.Timeout
// (which must be positive: zero would mean waiting for ever).
func openBolt(path string, opts *bolt.Options) (*bolt.DB, error) {
	o := *opts
	deadline := time.Now().Add(o.Timeout)
	for {
		var held *os.File
		o.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, perm)
			if held == nil {
				held = f // the database file; later calls are copies
			}
			return f, err
		}
		bdb, err := bolt.Open(path, 0o600, &o)
		if err != nil {
			return nil, err
		}
		same, err := sameFile(held, path)
		if err != nil {
			bdb.Close()
			return nil, err
		}
		if same {
			return bdb, nil
		}
		bdb.Close()
		if o.Timeout = time.Until(deadline); o.Timeout <= 0 {
			return nil, berrors.ErrTimeout
		}
	}
}

// sameFile reports whether path names the open file f.
func sameFile(f *os.File, path string) (bool, error) {
	held, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("store: stat %s: %w", path, err)
	}
	now, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil // removed meanwhile: open (create) it again
	}
	if err != nil {
		return false, fmt.Errorf("store: stat %s: %w", path, err)
	}
	return os.SameFile(held, now), nil
}

// init creates the buckets on a new file and checks the schema version.
func (db *DB) init(readOnly bool) error {
	check := func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return nil
		}
		if err := checkSchemaVersion(meta, db.path); err != nil {
			return err
		}
		if c := tx.Bucket(bucketEvents); c != nil {
			if k, _ := c.Cursor().Last(); k != nil {
				db.ids.observe(string(k))
			}
		}
		return nil
	}
	if readOnly {
		return db.bolt.View(check)
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if err := check(tx); err != nil {
			return err
		}
		hadDupes := tx.Bucket(bucketDupes) != nil
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("store: create bucket %s: %w", name, err)
			}
		}
		if err := backfillSummaries(tx); err != nil {
			return err
		}
		if !hadDupes {
			if err := backfillDupes(tx); err != nil {
				return fmt.Errorf("store: index duplicates: %w", err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keySchemaVersion); len(v) != 8 || binary.BigEndian.Uint64(v) < SchemaVersion {
			// New file, or an older layout upgraded in place (version 1
			// needs nothing but the number).
			var v [8]byte
			binary.BigEndian.PutUint64(v[:], SchemaVersion)
			return meta.Put(keySchemaVersion, v[:])
		}
		return nil
	})
}

// checkSchemaVersion refuses a file whose meta bucket says a newer
// hookscope wrote it.
func checkSchemaVersion(meta *bolt.Bucket, path string) error {
	if v := meta.Get(keySchemaVersion); len(v) == 8 {
		if got := binary.BigEndian.Uint64(v); got > SchemaVersion {
			return fmt.Errorf("store: %s has schema version %d, this hookscope understands up to %d: %w",
				path, got, SchemaVersion, ErrNewerSchema)
		}
	}
	return nil
}

// Warnings returns what Open did that the user should be told about, one
// sentence each: a write-ahead log beside the file that did not belong to it
// and was set aside instead of replayed, say. Open does not print them: the
// caller says them where the user is looking.
func (db *DB) Warnings() []string { return db.warnings }

// withWarnings adds to err what the caller would otherwise never hear of
// (see Warnings) when the operation that did it then failed.
func withWarnings(err error, warnings []string) error {
	if len(warnings) == 0 {
		return err
	}
	return fmt.Errorf("%w; also, %s", err, strings.Join(warnings, "; "))
}

// Path returns the file the database lives in.
func (db *DB) Path() string { return db.path }

// Close stops the writer after it has committed every write already queued,
// then closes the file. It is safe to call more than once.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		db.closeMu.Lock()
		db.closed = true
		db.closeMu.Unlock()
		// The log writer first: what it logs last, the bbolt writer applies.
		close(db.walStop)
		db.walWG.Wait()
		close(db.stop)
		db.writerWG.Wait()
		db.subs.closeAll()
		if db.wal != nil {
			if cerr := db.wal.Close(); cerr != nil {
				err = fmt.Errorf("store: close log: %w", cerr)
			}
		}
		if cerr := db.bolt.Close(); cerr != nil {
			err = cerr
		}
	})
	return err
}

// SetSchemaVersionForTest overwrites the stored schema version. It exists so
// tests can check that newer files are refused.
func (db *DB) SetSchemaVersionForTest(v uint64) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], v)
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, b[:])
	})
}

// FailCommitsForTest makes every later write fail with err (nil restores
// normal writes): appends fail before reaching the log, other changes fail
// their bbolt commit. Tests use it to inject store failures.
func (db *DB) FailCommitsForTest(err error) {
	if err == nil {
		db.failCommit.Store(nil)
		return
	}
	db.failCommit.Store(&err)
}
