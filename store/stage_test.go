package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
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
		n := []*catalog.Snapshot{
			snapshotWith(offering("a/b", "p", 27_000, 200_000, day(1)), offering("x/y", "p", 1, 1, day(1))),
			snapshotWith(offering("a/b", "p", 27_000, 200_000, day(2)), offering("x/y", "p", 1, 1, day(2))),
			snapshotWith(offering("a/b", "p", 27_000, 201_000, day(3))), // x/y leaves
		}
		n[1].Unmatched = []catalog.Unmatched{{Source: "openrouter", ID: "q/r", Reason: "no such model", URL: "https://openrouter.ai/api/v1/models"}}
		return n
	}
	direct, _ := openTemp(t)
	staged, _ := openTemp(t)
	again := nights()
	for i, snap := range nights() {
		if _, err := direct.CommitRun(Commit{Run: catalog.Run{StartedAt: day(i + 1)}, Snapshot: again[i]}); err != nil {
			t.Fatal(err)
		}
		st, err := staged.StageSnapshot(context.Background(), snap, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The commit reads only what was staged: the run lets its
		// catalogue go before it.
		clear(snap.Models)
		clear(snap.Offerings)
		snap.Unmatched = nil
		if _, err := staged.CommitRun(Commit{Run: catalog.Run{StartedAt: day(i + 1)}, Staged: st}); err != nil {
			t.Fatal(err)
		}
		want, _ := direct.Snapshot()
		got, err := staged.Snapshot()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("night %d's published catalogue: %v\n got %+v\nwant %+v", i+1, err, got, want)
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

// TestStagedCommitBatches: a catalogue of several staging batches (each
// encoded while the one before it is written, into the memory of the one
// before that) publishes what a direct commit does.
func TestStagedCommitBatches(t *testing.T) {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	night := func() *catalog.Snapshot {
		var offers []*catalog.Offering
		for i := range stageBatch*2 + stageBatch/2 {
			// Records of many sizes: the third batch is encoded into the
			// first's memory, record by record.
			offers = append(offers, offering(fmt.Sprintf("m/%05d", i), "p"+strings.Repeat("x", (i*7919)%1500), catalog.Money(1000+i), catalog.Money(2000+i), at))
		}
		return snapshotWith(offers...)
	}
	direct, _ := openTemp(t)
	staged, _ := openTemp(t)
	if _, err := direct.CommitRun(Commit{Run: catalog.Run{StartedAt: at}, Snapshot: night()}); err != nil {
		t.Fatal(err)
	}
	snap := night()
	st, err := staged.StageSnapshot(context.Background(), snap, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.offerings) != len(snap.Offerings) {
		t.Fatalf("staged %d offerings of %d", len(st.offerings), len(snap.Offerings))
	}
	clear(snap.Models) // nothing reads the catalogue once it is staged
	clear(snap.Offerings)
	if _, err := staged.CommitRun(Commit{Run: catalog.Run{StartedAt: at}, Staged: st}); err != nil {
		t.Fatal(err)
	}
	want, _ := direct.Snapshot()
	got, err := staged.Snapshot()
	if err != nil || !reflect.DeepEqual(got, want) || len(got.Offerings) != stageBatch*2+stageBatch/2 {
		t.Errorf("published %d offerings (err %v), want the direct commit's %d", len(got.Offerings), err, len(want.Offerings))
	}
}

// TestStagedAndSnapshot: a commit given a staged catalogue and a snapshot
// is refused — which of the two would publish is not for the store to
// guess — and writes nothing.
func TestStagedAndSnapshot(t *testing.T) {
	s, _ := openTemp(t)
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	snap := snapshotWith(offering("a/b", "p", 1, 2, at))
	st, err := s.StageSnapshot(context.Background(), snap, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: at}, Snapshot: snap, Staged: st}); err == nil {
		t.Fatal("a commit with both a staging and a snapshot went through")
	}
	if runs, _ := s.Runs(); len(runs) != 0 {
		t.Errorf("the refused commit wrote %d runs", len(runs))
	}
}

// TestStagedStale: a staging replaced by a later one cannot be committed
// (nothing of the run is written), and a staging left behind by a run that
// never committed is no damage.
func TestStagedStale(t *testing.T) {
	s, _ := openTemp(t)
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	first := snapshotWith(offering("a/b", "p", 1, 2, at))
	old, err := s.StageSnapshot(context.Background(), first, nil)
	if err != nil {
		t.Fatal(err)
	}
	second := snapshotWith(offering("c/d", "p", 3, 4, at))
	if _, err := s.StageSnapshot(context.Background(), second, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: at}, Staged: old}); err == nil {
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

// TestStagedPageObservations: the nights of a run that read mostly new
// pages stage every current page's observation records (a new page's as
// read, a reused page's copied) and swap them in at the commit; a run that
// read few new pages writes them in its commit. Either way the stored
// records are those a plain commit stores. A staging the commit does not
// publish is refused, writing nothing.
// nightDay is night n's date.
func nightDay(n int) time.Time { return time.Date(2026, 4, 22+n, 2, 0, 0, 0, time.UTC) }

// nightPages is night n's pages: URLs 0..total-1; those below fresh are
// new this night (their values name the night), the rest reused.
func nightPages(n, total, fresh int) []catalog.Page {
	var pages []catalog.Page
	for i := range total {
		p := catalog.Page{Source: "openai", URL: fmt.Sprintf("https://x.example/%04d", i), Kind: "model", Status: 200, FetchedAt: nightDay(n), CheckedAt: nightDay(n)}
		if i < fresh {
			// Records of many sizes, over two staging batches: the
			// second batch's are encoded into the first's memory.
			p.Observations = []catalog.Observation{{Source: "openai", URL: p.URL, Subject: fmt.Sprintf("openai/m-%04d", i), Field: catalog.FieldContext,
				Value: fmt.Sprint(n*10000+i) + strings.Repeat(" ", (i*7919)%700)}}
		} else {
			p.Reused, p.Count = true, 1
		}
		pages = append(pages, p)
	}
	return pages
}

func TestStagedPageObservations(t *testing.T) {
	day, pagesOf := nightDay, nightPages
	nights := []struct {
		total, fresh int
		staged       bool
	}{
		{stageBatch + 700, stageBatch + 700, true}, // the first night: every page new
		{stageBatch + 700, 10, false},              // a quiet night: the commit writes ten
		{stageBatch + 650, stageBatch + 600, true}, // most pages new, 50 gone
	}
	plain, _ := openTemp(t)
	staged, _ := openTemp(t)
	for n, night := range nights {
		snap := snapshotWith(offering("a/b", "p", 1, catalog.Money(n+2), day(n+1)))
		if _, err := plain.CommitRun(Commit{Run: catalog.Run{StartedAt: day(n + 1), Status: catalog.RunOK}, Pages: pagesOf(n+1, night.total, night.fresh), Snapshot: snap}); err != nil {
			t.Fatal(err)
		}
		pages := pagesOf(n+1, night.total, night.fresh)
		prepared := staged.PrepareEach(context.Background(), pages, nil)
		st, err := staged.StageSnapshot(context.Background(), snap, prepared)
		if err != nil {
			t.Fatal(err)
		}
		if st.pages != night.staged {
			t.Fatalf("night %d: observations staged %v, want %v", n+1, st.pages, night.staged)
		}
		if night.staged {
			other, err := staged.StageSnapshot(context.Background(), snap, nil) // a staging of its own: not the pages'
			if err != nil {
				t.Fatal(err)
			}
			if _, err := staged.CommitRun(Commit{Run: catalog.Run{StartedAt: day(n + 1), Status: catalog.RunOK}, Pages: pages, Staged: other, Prepared: prepared}); err == nil {
				t.Fatalf("night %d: a commit published another staging than its pages'", n+1)
			}
			if runs, _ := staged.Runs(); len(runs) != n {
				t.Fatalf("night %d: the refused commit wrote: %d runs", n+1, len(runs))
			}
			// A run that stops here leaves no staged copy behind.
			dropStaging(t, staged, prepared)
			pages = pagesOf(n+1, night.total, night.fresh)
			prepared = staged.PrepareEach(context.Background(), pages, nil)
			if st, err = staged.StageSnapshot(context.Background(), snap, prepared); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := staged.CommitRun(Commit{Run: catalog.Run{StartedAt: day(n + 1), Status: catalog.RunOK}, Pages: pages, Staged: st, Prepared: prepared}); err != nil {
			t.Fatalf("night %d: %v", n+1, err)
		}
		want, got := pageObsRecords(t, plain), pageObsRecords(t, staged)
		if len(got) != night.total || !reflect.DeepEqual(got, want) {
			t.Fatalf("night %d: %d observation records stored, want the plain commit's %d", n+1, len(got), len(want))
		}
	}
	if problems, err := staged.Check(); err != nil || len(problems) > 0 {
		t.Errorf("check: %v %v", err, problems)
	}
}

// pageObsRecords is every stored page observation record, by URL.
func pageObsRecords(t *testing.T, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bPageObs).ForEach(func(k, v []byte) error {
			out[string(k)] = string(v)
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAppendHistoryRecords: a first commit's points, carved from shared
// chunks (pointBuf), each read back as its own record — records of many
// lengths, past a chunk's room too, none overwriting another — and a
// second run's unchanged prices add none.
func TestAppendHistoryRecords(t *testing.T) {
	s, _ := openTemp(t)
	at := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	var keys []string
	var points []catalog.PricePoint
	for i := range 3000 {
		keys = append(keys, fmt.Sprintf("m/model-%04d|p%s||", i, strings.Repeat("x", i%7*(i%500))))
		in := catalog.Fixed(catalog.Money(1000 + i))
		points = append(points, catalog.PricePoint{Input: &in, Source: "https://example.test/" + strings.Repeat("u", i%3000)})
	}
	write := func(run uint64) {
		t.Helper()
		if err := s.update(func(tx *bolt.Tx) error {
			return appendHistory(tx.Bucket(bHistory), keys, points, nil, run, at)
		}); err != nil {
			t.Fatal(err)
		}
	}
	write(1)
	write(2) // the same prices: no point
	if err := s.db.View(func(tx *bolt.Tx) error {
		hist := tx.Bucket(bHistory)
		if n := hist.Stats().KeyN; n != len(keys) {
			t.Errorf("%d history records, want %d", n, len(keys))
		}
		for i, k := range keys {
			p := points[i]
			p.Run, p.At = 1, at
			want := p.AppendJSON(nil)
			if got := hist.Get(historyKey(k, 1)); string(got) != string(want) {
				t.Fatalf("point %d: %s, want %s", i, got, want)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestPrepareEachStops: a preparation whose context is done stops (both
// ways: staging the pages' observations, and encoding them for the
// commit) with the context's error; the commit refuses it, and dropping
// the staging leaves the database as it was.
func TestPrepareEachStops(t *testing.T) {
	for _, tc := range []struct {
		name         string
		total, fresh int
	}{
		{"staged", stageBatch + 700, stageBatch + 700},
		{"encoded for the commit", stageBatch + 700, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openTemp(t)
			day, pagesOf := nightDay, nightPages
			snap := snapshotWith(offering("a/b", "p", 1, 2, day(1)))
			if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day(1), Status: catalog.RunOK}, Pages: pagesOf(1, tc.total, tc.total), Snapshot: snap}); err != nil {
				t.Fatal(err)
			}
			before := pageObsRecords(t, s)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			pages := pagesOf(2, tc.total, tc.fresh)
			encoded := 0
			prepared := s.PrepareEach(ctx, pages, func(int) { encoded++ })
			prepared.Wait()
			if !errors.Is(prepared.err, context.Canceled) || encoded != 0 {
				t.Fatalf("stopped preparation: err %v, %d pages encoded", prepared.err, encoded)
			}
			if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day(2), Status: catalog.RunOK}, Pages: pages, Snapshot: snap, Prepared: prepared}); !errors.Is(err, context.Canceled) {
				t.Fatalf("commit with a stopped preparation: %v", err)
			}
			dropStaging(t, s, prepared)
			if runs, _ := s.Runs(); len(runs) != 1 || !reflect.DeepEqual(pageObsRecords(t, s), before) {
				t.Fatalf("the stopped run wrote: %d runs", len(runs))
			}
		})
	}
}

// stopAfter is a context done from its calls+1'th look at Err on.
type stopAfter struct {
	context.Context
	calls, looked int
}

func (c *stopAfter) Err() error {
	if c.looked++; c.looked > c.calls {
		return context.Canceled
	}
	return nil
}

// TestStageSnapshotStops: staging stops between two batches once its
// context is done, with the context's error; the staging it began is
// dropped whole, and nothing is published.
func TestStageSnapshotStops(t *testing.T) {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	var offers []*catalog.Offering
	for i := range stageBatch*2 + stageBatch/2 {
		offers = append(offers, offering(fmt.Sprintf("m/%05d", i), "p", catalog.Money(1000+i), catalog.Money(2000+i), at))
	}
	s, _ := openTemp(t)
	ctx := &stopAfter{Context: context.Background(), calls: 4} // a few batches staged, then stopped
	if _, err := s.StageSnapshot(ctx, snapshotWith(offers...), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("staging stopped: %v", err)
	}
	if ctx.looked != ctx.calls+1 {
		t.Fatalf("the context was looked at %d times, want %d (once a batch, stopped at the %dth)", ctx.looked, ctx.calls+1, ctx.calls+1)
	}
	if err := s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bStage) == nil {
			t.Error("nothing was staged before the stop")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	dropStaging(t, s, nil)
	if snap, err := s.Snapshot(); err != nil || len(snap.Offerings) != 0 {
		t.Fatalf("published after a stopped staging: %d offerings (%v)", len(snap.Offerings), err)
	}
}

// dropStaging drops s's staging (see DropStaging) and fails unless none is
// left.
func dropStaging(t *testing.T, s *Store, prepared *Prepared) {
	t.Helper()
	if err := s.DropStaging(prepared); err != nil {
		t.Fatal(err)
	}
	if err := s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bStage) != nil {
			t.Error("a staging outlived DropStaging")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
