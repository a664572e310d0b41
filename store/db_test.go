package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestDBSharesOneHandle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "llmref.db")
	db := NewDB(path, 200*time.Millisecond)
	ctx := context.Background()
	if err := db.Read(ctx, func(*Store) error { return nil }); err == nil {
		t.Fatal("read of a missing database: no error")
	}
	inWrite := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- db.Write(ctx, func(st *Store) error {
			close(inWrite)
			<-release
			return nil
		})
	}()
	<-inWrite
	// While this process writes, its readers share the writer's handle…
	if err := db.Read(ctx, func(st *Store) error { _, err := st.Runs(); return err }); err != nil {
		t.Errorf("read during a write: %v", err)
	}
	// …a second writer is refused at once by TryWrite…
	if err := db.TryWrite(ctx, func(*Store) error { return nil }); !errors.Is(err, ErrBusy) {
		t.Errorf("TryWrite during a write: %v, want ErrBusy", err)
	}
	// …and another process cannot open the file.
	if _, err := Open(path, Options{ReadOnly: true, Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("another open during a write: %v, want ErrLocked", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if db.Open() {
		t.Error("the file stays open while idle")
	}
	// Idle: the command line can open it.
	st, err := Open(path, Options{ReadOnly: true, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("open while the daemon is idle: %v", err)
	}
	st.Close()
}
