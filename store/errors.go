package store

import "errors"

// Sentinel errors returned by the store. Callers test them with errors.Is.
var (
	// ErrNotFound means no delivery has the given id or id prefix.
	ErrNotFound = errors.New("no such delivery")
	// ErrAmbiguous means an id prefix matches more than one delivery.
	ErrAmbiguous = errors.New("id prefix matches more than one delivery")
	// ErrClosed means the store was closed.
	ErrClosed = errors.New("store is closed")
	// ErrNewerSchema means the file was written by a newer hookscope.
	ErrNewerSchema = errors.New("database was written by a newer hookscope")
	// ErrLocked means another process holds the database.
	ErrLocked = errors.New("database is locked by another process")
	// ErrReadOnly means a change was asked of a database opened for
	// reading only (Options.ReadOnly).
	ErrReadOnly = errors.New("database is open for reading only: changes cannot be stored")
	// ErrGone means the listener a client reaches the database through
	// (store/remote) no longer answers, so the request was not received.
	// A restarted listener may answer again.
	ErrGone = errors.New("listener gone")
)
