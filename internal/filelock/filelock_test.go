package filelock

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestExclusive(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("flock(2)")
	}
	path := filepath.Join(t.TempDir(), "x.lock")
	l, err := Exclusive(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := Exclusive(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a second lock while the first is held: %v, want the wait cut short", err)
	}
	got := make(chan error, 1)
	go func() {
		l2, err := Exclusive(context.Background(), path)
		l2.Unlock()
		got <- err
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-got:
		t.Fatalf("the second lock was taken while the first was held (%v)", err)
	default:
	}
	l.Unlock()
	l.Unlock() // twice: a no-op
	if err := <-got; err != nil {
		t.Errorf("the second lock after the first let go: %v", err)
	}
}
