//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// flock locks f without waiting: exclusively or shared.
func flock(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	return syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
}

// lockShared takes a shared lock on f, the database file, waiting up to
// timeout for a writer to let go (bbolt holds its file exclusively while a
// writer has it open); ErrLocked when none does.
func lockShared(f *os.File, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := flock(f, false)
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		if time.Now().After(deadline) {
			return ErrLocked
		}
		time.Sleep(50 * time.Millisecond)
	}
}
