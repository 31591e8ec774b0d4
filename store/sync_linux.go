package store

import (
	"os"
	"syscall"
)

// fdatasync flushes f's data (not its timestamps: the log is overwritten in
// place, so a full fsync would also journal an mtime change every time).
func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}
