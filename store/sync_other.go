//go:build !linux

package store

import "os"

// fdatasync flushes f; outside Linux that is File.Sync.
func fdatasync(f *os.File) error { return f.Sync() }
