//go:build !unix

package store

import (
	"os"
	"time"
)

// flock is a no-op where flock(2) does not exist: bbolt's own lock still
// keeps two writers apart, only the clearer message is lost.
func flock(f *os.File, exclusive bool) error { return nil }

// lockShared is a no-op where flock(2) does not exist (see flock).
func lockShared(f *os.File, timeout time.Duration) error { return nil }
