package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// CompactResult gives the file size before and after Compact.
type CompactResult struct {
	Before int64 `json:"before"`
	After  int64 `json:"after"`
	// Warnings are as DB.Warnings: a log beside the file that did not
	// belong to it was set aside, not compacted into it. When Compact
	// fails after that, its error says so instead.
	Warnings []string `json:"warnings,omitempty"`
}

// compactTxSize bounds each transaction of the copy, so compacting a large
// file does not hold all of it in memory at once.
const compactTxSize = 64 << 20

// Compact rewrites the database file at path without its free pages: bbolt
// never gives pages back to the file system, so after a large prune the file
// keeps its size until it is compacted. It copies into a temporary file
// beside it, then renames that over the original.
//
// It needs the file to itself: it fails with ErrLocked (within lockTimeout)
// when any process, this one included, has the database open, so a running
// listener must be stopped first.
func Compact(path string, lockTimeout time.Duration) (res CompactResult, err error) {
	if lockTimeout <= 0 {
		lockTimeout = time.Second
	}
	// The real file is replaced, not a link to it (see RealPath).
	path = RealPath(path)
	fi, err := os.Stat(path)
	if err != nil {
		return res, fmt.Errorf("store: compact: %w", err)
	}
	res.Before = fi.Size()
	// Opened for writing, not read-only, so the lock is exclusive: no
	// listener can start on the old file while it is copied.
	// openBolt also makes sure the lock is on the file path names, not on
	// one another compaction replaced while this one waited: emptying the
	// log and the rename below are safe only under the current file's lock.
	src, err := openBolt(path, &bolt.Options{Timeout: lockTimeout, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return res, fmt.Errorf("store: compact %s: %w", path, ErrLocked)
		}
		return res, fmt.Errorf("store: compact: open %s: %w", path, err)
	}
	defer src.Close()
	if err := checkSchema(src, path); err != nil {
		return res, err
	}
	// Deliveries a crashed listener left in the log go into the copy too;
	// a log that does not belong to the file is set aside, untouched.
	_, note, err := claimLog(src, path, nil)
	if err != nil {
		return res, err
	}
	if note != "" {
		res.Warnings = append(res.Warnings, note)
		// The log is under its new name now, and no later Open or
		// Compact will mention it: a failure from here on must carry the
		// note, or a caller that prints only the error strands it.
		defer func() {
			if err != nil {
				err = withWarnings(err, res.Warnings)
				res.Warnings = nil
			}
		}()
	}
	// Everything the log held is now durably in the file, so the log can
	// go: otherwise deliveries deleted before this compaction would stay
	// readable in it. This happens while the file's lock is held, so no
	// listener is writing the log; after the rename below, one that opens
	// the new file finds an empty log.
	if err := emptyLog(path); err != nil {
		return res, fmt.Errorf("store: compact: %w", err)
	}

	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".compact-*")
	if err != nil {
		return res, fmt.Errorf("store: compact: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	renamed := false
	defer func() {
		if !renamed {
			os.Remove(tmpPath)
		}
	}()
	// The copy is synced once at the end rather than per transaction: until
	// the rename, nothing depends on it.
	// The copy is a new file: without PageSize it would get bbolt's
	// default for good.
	dst, err := bolt.Open(tmpPath, 0o600, &bolt.Options{Timeout: lockTimeout, NoSync: true, PageSize: pageSize})
	if err != nil {
		return res, fmt.Errorf("store: compact: open %s: %w", tmpPath, err)
	}
	if err := bolt.Compact(dst, src, compactTxSize); err != nil {
		dst.Close()
		return res, fmt.Errorf("store: compact %s: %w", path, err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return res, fmt.Errorf("store: compact: sync %s: %w", tmpPath, err)
	}
	if err := dst.Close(); err != nil {
		return res, fmt.Errorf("store: compact: close %s: %w", tmpPath, err)
	}
	if err := os.Chmod(tmpPath, 0o600); err != nil {
		return res, fmt.Errorf("store: compact: %w", err)
	}
	if err := os.Rename(tmpPath, path); err != nil {
		return res, fmt.Errorf("store: compact: replace %s: %w", path, err)
	}
	renamed = true
	syncDir(filepath.Dir(path))
	if fi, err := os.Stat(path); err == nil {
		res.After = fi.Size()
	}
	return res, nil
}

// checkSchema refuses to rewrite a file from a newer hookscope: copying
// buckets it does not understand would be fine, but the user should upgrade
// rather than have this binary touch it.
func checkSchema(db *bolt.DB, path string) error {
	return db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("store: compact: %s is not a hookscope database", path)
		}
		return checkSchemaVersion(meta, path)
	})
}

// syncDir makes a new name in dir (a rename, a created file) durable. Errors
// are ignored: some file systems cannot sync directories, and the name
// itself exists.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
