// Package filelock holds advisory locks on files (flock(2)) between
// processes, so that two llmref processes do not do at once what must be
// done by one at a time. Where flock(2) does not exist the locks are
// no-ops.
package filelock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrWouldBlock is TryLock's answer when another open of the file holds a
// lock that excludes the one asked for.
var ErrWouldBlock = errors.New("the file is locked")

// Lock is an exclusive lock held on a lock file.
type Lock struct{ f *os.File }

// Exclusive takes an exclusive lock on the file at path (made when absent),
// waiting while another process holds it, until ctx is done.
func Exclusive(ctx context.Context, path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := Wait(ctx, f, true); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Wait locks the open file f, exclusively or shared, waiting while another
// open of it holds a lock that excludes this one, until ctx is done (its
// cause is the error then). Closing f lets the lock go.
func Wait(ctx context.Context, f *os.File, exclusive bool) error {
	for {
		err := TryLock(f, exclusive)
		if !errors.Is(err, ErrWouldBlock) {
			return err
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return context.Cause(ctx)
		case <-t.C:
		}
	}
}

// Unlock lets the lock go; a nil Lock, or one let go, is a no-op.
func (l *Lock) Unlock() {
	if l != nil && l.f != nil {
		l.f.Close() // closing the file drops its lock
		l.f = nil
	}
}
