package store

import (
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// TestStagedCommit commits the same nights through the staging bucket and
// directly: the published catalogue and the price history come out the
// same, and no staging bucket is left.
func TestStagedCommit(t *testing.T) {
	day := func(n int) time.Time { return time.Date(2026, 4, 22+n, 2, 0, 0, 0, time.UTC) }
	nights := func() []*catalog.Snapshot {
		return []*catalog.Snapshot{
			snapshotWith(offering("a/b", "p", 27_000, 200_000, day(1)), offering("x/y", "p", 1, 1, day(1))),
			snapshotWith(offering("a/b", "p", 27_000, 200_000, day(2)), offering("x/y", "p", 1, 1, day(2))),
			snapshotWith(offering("a/b", "p", 27_000, 201_000, day(3))), // x/y leaves
		}
	}
	direct, _ := openTemp(t)
	staged, _ := openTemp(t)
	for i, snap := range nights() {
		if _, err := direct.CommitRun(Commit{Run: catalog.Run{StartedAt: day(i + 1)}, Snapshot: snap}); err != nil {
			t.Fatal(err)
		}
	}
	for i, snap := range nights() {
		st, err := staged.StageSnapshot(snap)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := staged.CommitRun(Commit{Run: catalog.Run{StartedAt: day(i + 1)}, Snapshot: snap, Staged: st}); err != nil {
			t.Fatal(err)
		}
	}
	for _, model := range []string{"a/b", "x/y"} {
		want, _ := direct.History(model, "")
		got, err := staged.History(model, "")
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("history of %s: %v\n got %+v\nwant %+v", model, err, got, want)
		}
	}
	want, _ := direct.Snapshot()
	got, err := staged.Snapshot()
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("published catalogue: %v\n got %+v\nwant %+v", err, got, want)
	}
	if err := staged.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bStage) != nil {
			t.Error("the staging bucket outlived the commit")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestStagedStale: a staging replaced by a later one cannot be committed
// (nothing of the run is written), and a staging left behind by a run that
// never committed is no damage.
func TestStagedStale(t *testing.T) {
	s, _ := openTemp(t)
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	first := snapshotWith(offering("a/b", "p", 1, 2, at))
	old, err := s.StageSnapshot(first)
	if err != nil {
		t.Fatal(err)
	}
	second := snapshotWith(offering("c/d", "p", 3, 4, at))
	if _, err := s.StageSnapshot(second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: at}, Snapshot: first, Staged: old}); err == nil {
		t.Fatal("a replaced staging was committed")
	}
	if runs, _ := s.Runs(); len(runs) != 0 {
		t.Errorf("the refused commit wrote %d runs", len(runs))
	}
	if problems, err := s.Check(); err != nil || len(problems) > 0 {
		t.Errorf("check with a staging left behind: %v %v", err, problems)
	}
	if snap, _ := s.Snapshot(); len(snap.Models) != 0 {
		t.Errorf("a staged catalogue is visible before its commit: %d models", len(snap.Models))
	}
}
