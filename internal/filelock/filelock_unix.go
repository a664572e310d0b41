//go:build unix

package filelock

import (
	"errors"
	"os"
	"syscall"
)

// TryLock locks f without waiting, exclusively or shared; ErrWouldBlock
// when another open of the file holds a lock that excludes it (another
// process's, or another open of the file in this one). On a file system
// that has no locks it does nothing.
func TryLock(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
	switch {
	case errors.Is(err, syscall.EWOULDBLOCK):
		return ErrWouldBlock
	case errors.Is(err, syscall.ENOLCK), errors.Is(err, syscall.EOPNOTSUPP), errors.Is(err, syscall.ENOTSUP):
		// A file system without locks (some network and FUSE mounts): as
		// where flock(2) does not exist, nothing is kept apart, and
		// nothing that worked there before fails now.
		return nil
	}
	return err
}
