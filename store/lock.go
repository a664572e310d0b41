package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/llmref/llmref/internal/filelock"
)

// The one-writer rule between the daemon and the command line.
//
// While `llmref serve --schedule` runs, it is the database's one writer: its
// schedules refresh it and operators decide held changes through its API.
// It says so with a lock file beside the database (FILE.serve), locked
// exclusively for the daemon's lifetime and naming its pid and address. A
// command that wants to write (`llmref refresh`, `approve`, `reject`) first
// takes that lock shared, for its own lifetime: while a daemon holds it,
// the command is refused at once with a message that names the daemon;
// while a command holds it, a daemon refuses to start. Reading commands do
// not take it: they share the database file with the daemon between its
// uses.

// DaemonInfo is what the lock file says about the daemon holding it.
type DaemonInfo struct {
	PID       int       `json:"pid"`
	Addr      string    `json:"addr"`
	StartedAt time.Time `json:"started_at"`
}

// DaemonLock is the daemon's hold on the lock file.
type DaemonLock struct{ f *os.File }

// LockFile is the daemon's lock file for the database at dbPath.
func LockFile(dbPath string) string { return dbPath + ".serve" }

// ErrServed is wrapped by the error a writing command gets while a daemon
// serves the database.
var ErrServed = errors.New("the database is served by `llmref serve`, its one writer")

// AcquireDaemonLock makes this process the database's daemon, or says who
// holds the database.
func AcquireDaemonLock(dbPath string, info DaemonInfo) (*DaemonLock, error) {
	path := LockFile(dbPath)
	// The daemon is the writer that makes the database: its folder may not
	// be there yet (a first `serve --schedule` with data/llmref.db), as
	// Open makes it for a writer.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("daemon lock: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("daemon lock: %w", err)
	}
	if err := flock(f, true); err != nil {
		var other DaemonInfo
		f.Close()
		if b, rerr := os.ReadFile(path); rerr == nil && json.Unmarshal(b, &other) == nil && other.PID > 0 {
			return nil, fmt.Errorf("database %s is already served by another `llmref serve` (pid %d, %s)", dbPath, other.PID, other.Addr)
		}
		return nil, fmt.Errorf("database %s is being written by another llmref command; start the daemon when it has finished", dbPath)
	}
	b, _ := json.Marshal(info)
	if err := f.Truncate(0); err == nil {
		f.WriteAt(append(b, '\n'), 0)
	}
	return &DaemonLock{f: f}, nil
}

// Release gives the database back to the command line.
func (l *DaemonLock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0) // a stale file names no daemon
	err := l.f.Close()
	l.f = nil
	return err
}

// held keeps writing commands' shared locks open for the process's life.
var held []*os.File

// RefuseWhenServed is called by every command that writes the database:
// it fails with ErrServed while a daemon serves the file, and otherwise
// holds the lock shared until the process exits, so that no daemon starts
// meanwhile. A database no daemon ever served has no lock file: nothing
// to check.
func RefuseWhenServed(dbPath string) error {
	f, err := os.Open(LockFile(dbPath))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("daemon lock: %w", err)
	}
	if err := flock(f, false); err != nil {
		var info DaemonInfo
		b, _ := os.ReadFile(LockFile(dbPath))
		f.Close()
		if json.Unmarshal(b, &info) == nil && info.PID > 0 {
			return fmt.Errorf("%w (pid %d, http://%s): it refreshes on its schedules, and held changes are decided at http://%s/review; stop it to write from the command line: %s",
				ErrServed, info.PID, info.Addr, info.Addr, dbPath)
		}
		return fmt.Errorf("%w: %s", ErrServed, dbPath)
	}
	held = append(held, f)
	return nil
}

// flock locks f without waiting: exclusively or shared (a no-op where
// flock(2) does not exist: bbolt's own lock still keeps two writers apart,
// only the clearer message is lost).
func flock(f *os.File, exclusive bool) error { return filelock.TryLock(f, exclusive) }

// lockShared takes a shared lock on f, the database file, waiting up to
// timeout for a writer to let go (bbolt holds its file exclusively while a
// writer has it open); ErrLocked when none does.
func lockShared(f *os.File, timeout time.Duration) error {
	ctx, cancel := context.WithTimeoutCause(context.Background(), timeout, ErrLocked)
	defer cancel()
	return filelock.Wait(ctx, f, false)
}
