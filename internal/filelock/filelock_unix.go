//go:build unix

package filelock

import (
	"errors"
	"os"
	"syscall"
)

// TryLock locks f without waiting, exclusively or shared; ErrWouldBlock
// when another open of the file holds a lock that excludes it (another
// process's, or another open of the file in this one).
func TryLock(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrWouldBlock
	}
	return err
}
