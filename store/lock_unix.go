//go:build unix

package store

import (
	"os"
	"syscall"
)

// flock locks f without waiting: exclusively or shared.
func flock(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	return syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
}
