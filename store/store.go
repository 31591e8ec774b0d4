package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
)

// Store is what hookscope's commands need from a database, whether it is
// open in this process (*DB) or held by a running listener and reached over
// its unix socket (store/remote).
type Store interface {
	Path() string
	List(ctx context.Context, q Query) ([]Record, error)
	Count(ctx context.Context, filter string) (total, matched int, err error)
	Get(ctx context.Context, id string) (Record, error)
	Body(ctx context.Context, id string) ([]byte, error)
	Attempt(ctx context.Context, id string, seq int) (Attempt, error)
	PutAnalysis(ctx context.Context, id string, a Analysis) (Analysis, error)
	AddAttempt(ctx context.Context, id string, a *Attempt) error
	SetPinned(ctx context.Context, id string, pinned bool) error
	Delete(ctx context.Context, ids []string) (int, error)
	Prune(ctx context.Context, opts PruneOptions) (PruneResult, error)
	Stats(ctx context.Context) (Stats, error)
	ImportAll(ctx context.Context, evs []*Event, bodies [][]byte, states []ImportState) error
	LoadKey(id string) (CachedKey, bool, error)
	SaveKey(k CachedKey) error
	Subscribe(buffer int) (<-chan Notice, func())
	Close() error
}

var _ Store = (*DB)(nil)

// SocketPath is where the listener holding the database at dbPath serves
// its local API: beside the database (its RealPath), or in the temporary
// folder under a name derived from the path when that would exceed the
// length a unix socket address allows.
func SocketPath(dbPath string) string {
	abs := RealPath(dbPath)
	p := abs + ".sock"
	if len(p) <= 100 {
		return p
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(os.TempDir(), "hookscope-"+hex.EncodeToString(sum[:8])+".sock")
}
