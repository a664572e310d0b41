package store

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// TestBackup: the copy opens as the database it was made from (the same
// run and catalogue; check finds nothing), readable while the database is
// open; an existing file or a missing folder is refused, and a copy
// stopped on the way leaves nothing behind.
func TestBackup(t *testing.T) {
	s, path := openTemp(t)
	day1 := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	snap := snapshotWith(offering("meta/llama-3.2-1b-instruct", "openrouter", 27_000, 200_000, day1))
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day1, FinishedAt: day1, Status: catalog.RunOK}, Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	to := filepath.Join(dir, "llmref-2026-04-23.db")
	bs, err := s.Backup(context.Background(), to)
	if err != nil || bs.Run != 1 || bs.Bytes == 0 || bs.To != to || bs.Path != path {
		t.Fatalf("backup: %+v %v", bs, err)
	}
	c, err := Open(to, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := s.Snapshot()
	got, err := c.Snapshot()
	last, _ := c.LastRun()
	problems, cerr := c.Check()
	c.Close()
	if err != nil || !reflect.DeepEqual(got.Offerings, want.Offerings) || last.ID != 1 || cerr != nil || len(problems) != 0 {
		t.Errorf("the copy: run %d, check %v %v, offerings equal %v (%v)", last.ID, problems, cerr, reflect.DeepEqual(got.Offerings, want.Offerings), err)
	}
	if fi, err := os.Stat(to); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the copy's mode: %v %v, want 0600 (it holds everything)", fi.Mode(), err)
	}

	// Refused: a file that exists (left as it was), a folder that does not.
	os.WriteFile(filepath.Join(dir, "taken.db"), []byte("keep"), 0o600)
	for _, c := range []struct{ to, want string }{
		{filepath.Join(dir, "taken.db"), "exists: give a new file"},
		{filepath.Join(dir, "no", "such", "x.db"), "no folder"},
	} {
		if _, err := s.Backup(context.Background(), c.to); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("backup to %s: %v, want %q", c.to, err, c.want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "taken.db")); string(b) != "keep" {
		t.Error("a refused backup touched the file there")
	}

	// Stopped: nothing at the target, no copy left beside it.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stopped := filepath.Join(dir, "stopped.db")
	if _, err := s.Backup(ctx, stopped); err == nil || !strings.Contains(err.Error(), "backup stopped") {
		t.Errorf("a stopped backup: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*stopped*")); len(left) != 0 {
		t.Errorf("a stopped backup left %v", left)
	}
}
