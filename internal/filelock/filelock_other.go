//go:build !unix

package filelock

import "os"

// TryLock is a no-op where flock(2) does not exist.
func TryLock(f *os.File, exclusive bool) error { return nil }
