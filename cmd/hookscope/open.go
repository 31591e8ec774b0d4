package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/store/remote"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// dialTimeout and lockTimeout bound how long a command waits for a
// database: a clear error within two seconds, never a hang. openBudget is
// the whole of openStore's wait (a dial, the lock, a second dial): the
// second dial gets what is left of it.
const (
	dialTimeout = 500 * time.Millisecond
	lockTimeout = 900 * time.Millisecond
	openBudget  = 1600 * time.Millisecond
)

// lockHolderHint says who holds a database without serving it: only a
// listener answers on the socket, so the holder is a command with the
// file open itself, most often a `hookscope ui` started while no listener
// ran (it reads the file directly until it quits).
const lockHolderHint = "another hookscope command has the file open itself (a `hookscope ui` started with no listener running, an import, a prune --compact); quit it and run this again"

// openStore reaches the database at path: through the running listener's
// socket when one holds it, else by opening the file.
func (e *env) openStore(path string) (store.Store, error) {
	start := time.Now()
	sock := store.SocketPath(path)
	if _, err := os.Stat(sock); err == nil {
		if c, err := remote.Dial(sock, dialTimeout); err == nil {
			return c, nil
		}
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s (run `hookscope listen` first, or pass --db)", path)
	}
	db, err := store.Open(path, store.Options{LockTimeout: lockTimeout})
	if errors.Is(err, store.ErrLocked) {
		// A listener that is starting holds the lock a moment before its
		// socket answers: look once more.
		if left := openBudget - time.Since(start); left > 0 {
			if c, err := remote.Dial(sock, min(left, dialTimeout/2)); err == nil {
				return c, nil
			}
		}
		return nil, fmt.Errorf("database %s is locked by another process and no hookscope answered on %s: %s", path, sock, lockHolderHint)
	}
	if err != nil && notWritable(err) {
		// A backup on read-only media, a folder of someone else's: it can
		// still be read. Writes (verify, pin, prune) then fail with the
		// store's error.
		if ro, rerr := store.Open(path, store.Options{LockTimeout: lockTimeout, ReadOnly: true}); rerr == nil {
			fmt.Fprintf(e.stderr, "hookscope: warning: %s cannot be written here (%s): opened for reading only; deliveries a listener logged but had not moved into the file before it stopped abruptly are not shown\n",
				termsafe.Line(path), termsafe.Line(err.Error()))
			return ro, nil
		}
	}
	if err != nil {
		return nil, err
	}
	e.openWarnings(db.Warnings())
	return db, nil
}

// notWritable reports whether err is the refusal of a write: a read-only
// file system, or no permission on the file or its folder.
func notWritable(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// openWarnings says on stderr what opening a database did that the user
// must hear of (a write-ahead log set aside: see store.DB.Warnings).
func (e *env) openWarnings(warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "hookscope: warning: %s\n", termsafe.Line(w))
	}
}
