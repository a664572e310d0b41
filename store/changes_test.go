package store

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

func day(n int) time.Time { return time.Date(2026, 4, 22+n, 2, 0, 0, 0, time.UTC) }

const llama = "meta/llama-3.2-1b-instruct"

var llamaKey = catalog.OfferingKey(llama, "openrouter", "", "")

// priceHold is a held output price of Llama at OpenRouter, as the changes
// stage makes it.
func priceHold(old, next catalog.Money, at time.Time) catalog.Hold {
	o := offering(llama, "openrouter", 27_000, next, at)
	f := o.Output
	op, np := catalog.Fixed(old), catalog.Fixed(next)
	ch := catalog.Change{Kind: catalog.ChangePrice, Model: llama, Provider: "openrouter", Field: "output", OldPrice: &op, NewPrice: &np, Source: f.Source}
	return catalog.Hold{Kind: catalog.HoldPrice, Key: "price:" + llamaKey + "#output", Value: "fixed:" + next.USD(), Status: catalog.HoldPending,
		Reasons: []string{"max_factor: test"}, Changes: []catalog.Change{ch}, Field: "output", Price: &f, FirstSeen: at, LastSeen: at}
}

// commit writes a run publishing snap with the given holds.
func commit(t *testing.T, s *Store, at time.Time, snap *catalog.Snapshot, holds ...catalog.Hold) (uint64, *catalog.ChangeSet, []catalog.Hold) {
	t.Helper()
	cs := &catalog.ChangeSet{At: at}
	for _, h := range holds {
		cs.Changes = append(cs.Changes, catalog.RunChange{Change: h.Changes[0], Status: catalog.ChangeHeld, HoldKey: h.Key, Reasons: h.Reasons})
	}
	id, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: at, FinishedAt: at, Status: catalog.RunOK}, Snapshot: snap, Changes: cs, Holds: holds})
	if err != nil {
		t.Fatal(err)
	}
	return id, cs, holds
}

func TestCommitChangesAndHolds(t *testing.T) {
	s, _ := openTemp(t)
	commit(t, s, day(1), snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(1))))
	id, cs, holds := commit(t, s, day(2), snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(1))), priceHold(200_000, 200_000_000, day(2)))
	if id != 2 || cs.Run != 2 || holds[0].ID != 1 || holds[0].FirstRun != 2 || holds[0].LastRun != 2 || cs.Changes[0].Hold != 1 {
		t.Fatalf("numbering: run %d, set %+v, hold %+v", id, cs, holds[0])
	}
	got, err := s.ChangeSet(2)
	if err != nil || got.Run != 2 || len(got.Changes) != 1 || got.Changes[0].Hold != 1 || got.Changes[0].Status != catalog.ChangeHeld {
		t.Errorf("read back %+v %v", got, err)
	}
	if _, err := s.ChangeSet(9); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing change set: %v", err)
	}
	if sets, _ := s.ChangeSets(day(2)); len(sets) != 1 || sets[0].Run != 2 {
		t.Errorf("since day 2: %+v", sets)
	}
	if sets, _ := s.ChangeSets(time.Time{}); len(sets) != 2 {
		t.Errorf("all change sets: %d", len(sets))
	}
	// The same hold seen again keeps its id and takes the new run.
	h := holds[0]
	h.LastSeen = day(3)
	id3, _, again := commit(t, s, day(3), snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(1))), h)
	if pending, _ := s.Holds(catalog.HoldPending); len(pending) != 1 || pending[0].ID != 1 || pending[0].LastRun != id3 || again[0].FirstRun != 2 {
		t.Errorf("pending after a repeat %+v", pending)
	}
	// A closed hold records its decision with the run.
	closed := again[0]
	closed.Status = catalog.HoldWithdrawn
	closed.Decision = &catalog.Decision{Action: catalog.ActionWithdraw, At: day(4), Holds: []uint64{1}}
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day(4)}, Closed: []catalog.Hold{closed}}); err != nil {
		t.Fatal(err)
	}
	if w, _ := s.Holds(catalog.HoldWithdrawn); len(w) != 1 || w[0].Decision.Run != 4 {
		t.Errorf("withdrawn %+v", w)
	}
	if d, _ := s.Decisions(); len(d) != 1 || d[0].Action != catalog.ActionWithdraw {
		t.Errorf("decisions %+v", d)
	}
}

// TestApproveHistory: the approved price takes effect from the run that
// first gave it; a point written while it waited gets it too; dates never
// go back.
func TestApproveHistory(t *testing.T) {
	s, _ := openTemp(t)
	commit(t, s, day(1), snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(1))))
	_, _, holds := commit(t, s, day(2), snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(1))), priceHold(200_000, 2_500_000, day(2)))
	// Run 3: the input price moves (published) while the output waits.
	h := holds[0]
	h.LastSeen = day(3)
	commit(t, s, day(3), snapshotWith(offering(llama, "openrouter", 30_000, 200_000, day(1))), h)
	approvedAt := day(3).Add(5 * time.Hour)
	done, err := s.Approve([]uint64{h.ID}, "checked on the provider's page", approvedAt)
	if err != nil || len(done) != 1 || done[0].Status != catalog.HoldApproved || done[0].Decision.Note != "checked on the provider's page" {
		t.Fatalf("approve: %+v %v", done, err)
	}
	snap, _ := s.Snapshot()
	f := snap.Offerings[llamaKey].Output
	if f.Value.Amount != 2_500_000 || !f.ReviewedAt.Equal(approvedAt) || !f.ChangedAt.Equal(day(2)) || snap.Offerings[llamaKey].Input.Value.Amount != 30_000 {
		t.Errorf("published after approval: output %+v input %+v", f, snap.Offerings[llamaKey].Input)
	}
	hist, _ := s.History(llama, "openrouter")
	pts := hist[llamaKey]
	want := []struct {
		run     uint64
		in, out catalog.Money
	}{{1, 27_000, 200_000}, {2, 27_000, 2_500_000}, {3, 30_000, 2_500_000}}
	if len(pts) != len(want) {
		t.Fatalf("history %+v", pts)
	}
	for i, w := range want {
		p := pts[i]
		if p.Run != w.run || p.Input.Amount != w.in || p.Output.Amount != w.out || !p.At.Equal(day(int(w.run))) {
			t.Errorf("point %d: %+v; want run %d in %d out %d", i, p, w.run, w.in, w.out)
		}
	}
	// The database stays consistent for `llmref check`.
	if problems, err := s.Check(); err != nil || len(problems) != 0 {
		t.Errorf("check after approval: %v %v", problems, err)
	}
	// A decided hold cannot be decided again; nothing changes.
	if _, err := s.Reject([]uint64{h.ID}, "no", approvedAt); !errors.Is(err, ErrNotPending) {
		t.Errorf("reject an approved hold: %v", err)
	}
}

// TestDecideAllOrNothing: one unknown id among good ones changes nothing.
func TestDecideAllOrNothing(t *testing.T) {
	s, _ := openTemp(t)
	commit(t, s, day(1), snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(1))))
	_, _, holds := commit(t, s, day(2), snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(1))), priceHold(200_000, 0, day(2)))
	for _, ids := range [][]uint64{{holds[0].ID, 99}, {holds[0].ID, holds[0].ID}, nil} {
		if _, err := s.Approve(ids, "x", day(3)); err == nil {
			t.Errorf("approve %v accepted", ids)
		} else if len(ids) == 2 && ids[1] == 99 && (!errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "hold 99")) {
			t.Errorf("unknown id: %v", err)
		}
	}
	if p, _ := s.Holds(catalog.HoldPending); len(p) != 1 {
		t.Errorf("a failed decision changed holds: %+v", p)
	}
	if d, _ := s.Decisions(); len(d) != 0 {
		t.Errorf("a failed decision was recorded: %+v", d)
	}
	snap, _ := s.Snapshot()
	if snap.Offerings[llamaKey].Output.Value.Amount != 200_000 {
		t.Error("a failed approval published its value")
	}
	if _, err := s.Reject([]uint64{holds[0].ID}, "a unit slip", day(3)); err != nil {
		t.Fatal(err)
	}
	if h, _ := s.Holds(catalog.HoldRejected); len(h) != 1 || h[0].Decision.Note != "a unit slip" || !h[0].Decision.At.Equal(day(3)) {
		t.Errorf("rejected %+v", h)
	}
}

func TestMarkReviewed(t *testing.T) {
	s, _ := openTemp(t)
	snap := snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(1)), offering(llama, "bedrock", 100_000, 100_000, day(1)))
	snap.Models[llama].Name = catalog.Fact[string]{Value: "Llama 3.2 1B Instruct", Display: "Llama 3.2 1B Instruct", Source: catalog.SourceRef{Name: "huggingface"}}
	commit(t, s, day(1), snap)
	if err := s.MarkReviewed([]string{llama, "meta/nope"}, "", day(2)); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "meta/nope") {
		t.Errorf("unknown model: %v", err)
	}
	got, _ := s.Snapshot()
	if !got.Models[llama].Name.ReviewedAt.IsZero() {
		t.Error("a failed mark-reviewed changed a fact")
	}
	if err := s.MarkReviewed([]string{llama}, "read the card", day(2)); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Snapshot()
	m := got.Models[llama]
	if !m.Name.ReviewedAt.Equal(day(2)) || !m.Released.ReviewedAt.IsZero() {
		t.Errorf("model facts: name %v, unsourced released %v", m.Name.ReviewedAt, m.Released.ReviewedAt)
	}
	for _, o := range got.OfferingsOf(llama) {
		if !o.Input.ReviewedAt.Equal(day(2)) || !o.Output.ReviewedAt.Equal(day(2)) {
			t.Errorf("%s not marked", o.Key())
		}
	}
	if d, _ := s.Decisions(); len(d) != 1 || d[0].Action != catalog.ActionMarkReviewed || d[0].Note != "read the card" || d[0].Models[0] != llama {
		t.Errorf("decision %+v", d)
	}
}

// TestMissingBucketsReadEmpty: a database written before these buckets
// existed reads as having no changes, holds, decisions or deliveries.
func TestMissingBucketsReadEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bMeta)
		if err != nil {
			return err
		}
		return b.Put(keySchema, u64(SchemaVersion))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if h, err := s.Holds(); err != nil || len(h) != 0 {
		t.Errorf("holds %v %v", h, err)
	}
	if c, err := s.ChangeSets(time.Time{}); err != nil || len(c) != 0 {
		t.Errorf("change sets %v %v", c, err)
	}
	if d, err := s.Decisions(); err != nil || len(d) != 0 {
		t.Errorf("decisions %v %v", d, err)
	}
	if m, err := s.HistoryModels(); err != nil || len(m) != 0 {
		t.Errorf("history models %v %v", m, err)
	}
	if _, err := s.ChangeSet(1); !errors.Is(err, ErrNotFound) {
		t.Errorf("change set: %v", err)
	}
	if _, err := s.Delivery(1); !errors.Is(err, ErrNotFound) {
		t.Errorf("delivery: %v", err)
	}
}

func TestDeliveriesAndHistoryModels(t *testing.T) {
	s, _ := openTemp(t)
	commit(t, s, day(1), snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(1)), offering("openai/gpt-5.3-codex", "openai", 1_750_000, 14_000_000, day(1))))
	commit(t, s, day(2), snapshotWith(offering("openai/gpt-5.3-codex", "openai", 1_750_000, 14_000_000, day(1))))
	if m, _ := s.HistoryModels(); len(m) != 2 || m[0] != llama || m[1] != "openai/gpt-5.3-codex" {
		t.Errorf("history models %v (a removed model keeps its history)", m)
	}
	d := catalog.Delivery{Run: 2, URL: "http://127.0.0.1:1/hook", At: day(2), Attempts: 3, Status: 503, Error: "webhook: HTTP 503"}
	if err := s.RecordDelivery(d); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Delivery(2); err != nil || got.Attempts != 3 || got.OK {
		t.Errorf("delivery %+v %v", got, err)
	}
}
