package store

import (
	"os"
	"path/filepath"
)

// maxLinks bounds the symbolic links RealPath follows, as the kernel does
// (ELOOP), so a link cycle ends.
const maxLinks = 40

// RealPath returns path made absolute, with its symbolic links resolved:
// those in its folders and the file's own, even when the link points to a
// file that does not exist yet (bbolt would create the target).
//
// Why: a database's companions (its log, path + "-wal", and its socket) are
// named after the path, and Compact renames a new file over it. Through an
// unresolved link, the log would sit beside the link, so the same database
// opened by its real name would miss deliveries a crash left in the log, and
// Compact would replace the link with a regular file. Open, Compact and
// SocketPath all resolve first, so every name of a file means one database.
func RealPath(path string) string {
	p, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	for range maxLinks {
		dir, base := filepath.Split(p)
		if d, err := filepath.EvalSymlinks(dir); err == nil {
			dir = d
		}
		p = filepath.Join(dir, base)
		target, err := os.Readlink(p)
		if err != nil {
			return p // not a link (or not there yet): this is the file
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(dir, target)
		}
		p = filepath.Clean(target)
	}
	return p
}
