package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDaemonLock(t *testing.T) {
	db := filepath.Join(t.TempDir(), "llmref.db")
	if err := RefuseWhenServed(db); err != nil {
		t.Fatalf("never served: %v", err)
	}
	l, err := AcquireDaemonLock(db, DaemonInfo{PID: 4242, Addr: "127.0.0.1:8080", StartedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	err = RefuseWhenServed(db)
	if !errors.Is(err, ErrServed) || !strings.Contains(err.Error(), "pid 4242") || !strings.Contains(err.Error(), "http://127.0.0.1:8080/review") {
		t.Errorf("while served: %v", err)
	}
	if _, err := AcquireDaemonLock(db, DaemonInfo{PID: 1}); err == nil || !strings.Contains(err.Error(), "already served by another `llmref serve` (pid 4242") {
		t.Errorf("second daemon: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	// Released: a writing command goes ahead and holds the lock shared…
	if err := RefuseWhenServed(db); err != nil {
		t.Fatalf("after release: %v", err)
	}
	// …so no daemon starts meanwhile.
	if _, err := AcquireDaemonLock(db, DaemonInfo{PID: 5}); err == nil || !strings.Contains(err.Error(), "being written by another llmref command") {
		t.Errorf("daemon during a command's write: %v", err)
	}
	for _, f := range held {
		f.Close()
	}
	held = nil
	l, err = AcquireDaemonLock(db, DaemonInfo{PID: 6})
	if err != nil {
		t.Fatalf("after the command: %v", err)
	}
	l.Release()
	if b, _ := os.ReadFile(LockFile(db)); len(b) != 0 {
		t.Errorf("a released lock file still names a daemon: %s", b)
	}
}

// TestDaemonLockMakesTheFolder: a first `serve --schedule` whose database
// folder is not there yet starts (it failed: "daemon lock: open
// data/llmref.db.serve: no such file or directory").
func TestDaemonLockMakesTheFolder(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "llmref.db")
	l, err := AcquireDaemonLock(db, DaemonInfo{PID: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if _, err := os.Stat(LockFile(db)); err != nil {
		t.Error(err)
	}
}
