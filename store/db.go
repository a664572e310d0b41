package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DB is the daemon's access to the one database file. bbolt locks the file
// for as long as it is open (exclusively for a writer, shared for readers),
// so the daemon never keeps it open while idle: it opens the file when a
// run or a request needs it, shares that handle with whatever else in the
// process needs it meanwhile, and closes it when the last user is done.
// Between uses the command line can read the file (`llmref review`,
// `llmref changes`) and wait at most its open timeout while the daemon
// holds it.
//
// Writers are one at a time: Write waits for the writer's slot, TryWrite
// gives up at once when it is taken (a scheduled run that would overlap
// another is skipped, not queued). Readers share a read-only handle, or the
// writer's handle while a write is in progress.
type DB struct {
	path    string
	timeout time.Duration

	writer chan struct{} // the writer's slot (capacity 1)

	mu      sync.Mutex
	st      *Store
	rw      bool
	refs    int
	waiting int           // writers waiting for readers to finish
	changed chan struct{} // closed and replaced whenever the handle is released
}

// NewDB prepares access to the database at path. lockTimeout bounds each
// open's wait for another process's lock; zero means store's default.
func NewDB(path string, lockTimeout time.Duration) *DB {
	return &DB{path: path, timeout: lockTimeout, writer: make(chan struct{}, 1), changed: make(chan struct{})}
}

// Path is the database file.
func (d *DB) Path() string { return d.path }

// ErrBusy is returned by TryWrite when another writer holds the slot.
var ErrBusy = errors.New("another write to the database is in progress")

// Read runs fn with the database open for reading.
func (d *DB) Read(ctx context.Context, fn func(st *Store) error) error {
	st, err := d.acquire(ctx, false)
	if err != nil {
		return err
	}
	defer d.release()
	return fn(st)
}

// Write waits for the writer's slot (or ctx), then runs fn with the
// database open for writing.
func (d *DB) Write(ctx context.Context, fn func(st *Store) error) error {
	select {
	case d.writer <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("wait for the database: %w", ErrBusy)
	}
	defer func() { <-d.writer }()
	return d.write(ctx, fn)
}

// TryWrite runs fn with the database open for writing, or returns ErrBusy
// at once when another writer holds the slot.
func (d *DB) TryWrite(ctx context.Context, fn func(st *Store) error) error {
	select {
	case d.writer <- struct{}{}:
	default:
		return ErrBusy
	}
	defer func() { <-d.writer }()
	return d.write(ctx, fn)
}

func (d *DB) write(ctx context.Context, fn func(st *Store) error) error {
	st, err := d.acquire(ctx, true)
	if err != nil {
		return err
	}
	defer d.release()
	return fn(st)
}

// acquire returns the shared handle, opening it in the mode needed. A
// writer that finds a read-only handle waits for its readers to finish;
// readers that arrive meanwhile wait behind it.
func (d *DB) acquire(ctx context.Context, write bool) (*Store, error) {
	counted := false
	defer func() {
		if counted {
			d.mu.Lock()
			d.waiting--
			d.mu.Unlock()
		}
	}()
	for {
		d.mu.Lock()
		switch {
		case d.st == nil:
			st, err := Open(d.path, Options{ReadOnly: !write, Timeout: d.timeout})
			if err != nil {
				d.mu.Unlock()
				return nil, err
			}
			d.st, d.rw, d.refs = st, write, 1
			d.mu.Unlock()
			return st, nil
		case d.rw || (!write && d.waiting == 0):
			d.refs++
			st := d.st
			d.mu.Unlock()
			return st, nil
		}
		if write && !counted {
			d.waiting++
			counted = true
		}
		ch := d.changed
		d.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for the database: %w", ctx.Err())
		}
	}
}

func (d *DB) release() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.refs--
	if d.refs == 0 {
		d.st.Close()
		d.st = nil
	}
	close(d.changed)
	d.changed = make(chan struct{})
}

// Open reports whether the file is open in this process right now.
func (d *DB) Open() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st != nil
}
