package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
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

const gpt = "openai/gpt-5.3-codex"

var gptKey = catalog.OfferingKey(gpt, "openai", "", "")

// decided is h closed by an operator's action at a time.
func decided(h catalog.Hold, action catalog.Action, note string, at time.Time) catalog.Hold {
	h.Status = catalog.HoldRejected
	if action == catalog.ActionApprove {
		h.Status = catalog.HoldApproved
	}
	h.Decision = &catalog.Decision{Action: action, At: at, Note: note, Holds: []uint64{h.ID}}
	return h
}

// decisionStore has Llama and GPT published by run 1, and two pending
// holds of run 2: Llama's output (hold 1) and input (hold 2).
func decisionStore(t *testing.T) *Store {
	t.Helper()
	s, _ := openTemp(t)
	snap := func() *catalog.Snapshot {
		return snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(1)), offering(gpt, "openai", 1_750_000, 14_000_000, day(1)))
	}
	commit(t, s, day(1), snap())
	in := priceHold(27_000, 30_000, day(2))
	in.Key, in.Field = "price:"+llamaKey+"#input", "input"
	commit(t, s, day(2), snap(), priceHold(200_000, 2_500_000, day(2)), in)
	return s
}

// TestDecideWrites: the store writes what the plan returns, hold by hold;
// each plan reads the published state with the writes of the holds before
// it; the decision is recorded once.
func TestDecideWrites(t *testing.T) {
	s := decisionStore(t)
	at := day(3).Add(5 * time.Hour)
	plan := func(pub catalog.PublishedReader, h catalog.Hold, action catalog.Action, note string, at time.Time) (catalog.HoldMutations, error) {
		if pub.LastRun() != 2 || action != catalog.ActionApprove || note != "checked" {
			t.Errorf("plan of hold %d: last run %d, %s %q", h.ID, pub.LastRun(), action, note)
		}
		o, err := pub.Offering(llamaKey)
		if err != nil {
			return catalog.HoldMutations{}, err
		}
		hist, err := pub.History(llamaKey)
		if err != nil {
			return catalog.HoldMutations{}, err
		}
		m := catalog.HoldMutations{Hold: decided(h, action, note, at)}
		switch h.ID {
		case 1:
			if !pub.HasOffering(gptKey) || !pub.HasModel(gpt) || len(pub.OfferingKeys(gpt)) != 1 || len(hist) != 1 {
				t.Errorf("hold 1 reads GPT as %v %v %v, Llama's history %+v", pub.HasOffering(gptKey), pub.HasModel(gpt), pub.OfferingKeys(gpt), hist)
			}
			o.Output = *h.Price
			p := catalog.PointOf(o, 2, day(2))
			m.PutOfferings = []catalog.Offering{*o}
			m.Points = []catalog.OfferingPoint{{Offering: llamaKey, Point: p}, {Offering: gptKey, Point: catalog.PricePoint{Run: 2, At: day(2), Removed: true}}}
			m.DropOfferings, m.DropModels = []string{gptKey}, []string{gpt}
		case 2:
			// Hold 1's writes are read back.
			if o.Output.Value.Amount != 2_500_000 || len(hist) != 2 || hist[1].Output.Amount != 2_500_000 {
				t.Errorf("hold 2 reads Llama as %+v, history %+v", o.Output, hist)
			}
			if pub.HasOffering(gptKey) || pub.HasModel(gpt) || len(pub.OfferingKeys(gpt)) != 0 {
				t.Error("hold 2 reads GPT as published")
			}
			if _, err := pub.Offering(gptKey); !errors.Is(err, ErrNotFound) {
				t.Errorf("a dropped offering reads as %v", err)
			}
			o.Input = *h.Price
			m.PutOfferings = []catalog.Offering{*o}
		}
		return m, nil
	}
	done, err := s.Decide(catalog.ActionApprove, []uint64{1, 2}, "checked", at, plan)
	if err != nil || len(done) != 2 || done[0].ID != 1 || done[1].Status != catalog.HoldApproved {
		t.Fatalf("decide: %+v %v", done, err)
	}
	snap, _ := s.Snapshot()
	if o := snap.Offerings[llamaKey]; o.Input.Value.Amount != 30_000 || o.Output.Value.Amount != 2_500_000 {
		t.Errorf("published Llama %+v %+v", o.Input, o.Output)
	}
	if snap.Offerings[gptKey] != nil || snap.Models[gpt] != nil {
		t.Error("GPT is still published")
	}
	if h, _ := s.History(gpt, ""); len(h[gptKey]) != 2 || !h[gptKey][1].Removed {
		t.Errorf("GPT history %+v", h)
	}
	if h, _ := s.Holds(catalog.HoldApproved); len(h) != 2 || !h[1].Decision.At.Equal(at) {
		t.Errorf("approved %+v", h)
	}
	if d, _ := s.Decisions(); len(d) != 1 || d[0].Action != catalog.ActionApprove || len(d[0].Holds) != 2 || d[0].Note != "checked" {
		t.Errorf("decisions %+v", d)
	}
	if problems, err := s.Check(); err != nil || len(problems) != 0 {
		t.Errorf("check after the decision: %v %v", problems, err)
	}
}

// TestDecideAllOrNothing: an unknown id, an id named twice, a plan's
// refusal, each changes nothing, not even what the plans of the holds
// before it returned.
func TestDecideAllOrNothing(t *testing.T) {
	// plan publishes 9 as Llama's output, and refuses hold 2.
	plan := func(pub catalog.PublishedReader, h catalog.Hold, action catalog.Action, note string, at time.Time) (catalog.HoldMutations, error) {
		if h.ID == 2 {
			return catalog.HoldMutations{}, fmt.Errorf("hold 2 was approved: %w", catalog.ErrNotPending)
		}
		o, err := pub.Offering(llamaKey)
		if err != nil {
			return catalog.HoldMutations{}, err
		}
		o.Output.Value = catalog.Fixed(9)
		return catalog.HoldMutations{PutOfferings: []catalog.Offering{*o}, Hold: decided(h, action, note, at)}, nil
	}
	otherHold := func(pub catalog.PublishedReader, h catalog.Hold, action catalog.Action, note string, at time.Time) (catalog.HoldMutations, error) {
		h.ID++
		return catalog.HoldMutations{Hold: decided(h, action, note, at)}, nil
	}
	tests := []struct {
		name string
		ids  []uint64
		plan Planner
		want string
		is   error
	}{
		{"no ids", nil, plan, "no hold ids given", nil},
		{"an unknown id", []uint64{1, 99}, plan, "approve: hold 99: not found (see `llmref review`)", ErrNotFound},
		{"an id twice", []uint64{1, 1}, plan, "approve: hold 1 is named twice", nil},
		{"the plan refuses", []uint64{1, 2}, plan, "approve: hold 2 was approved: not pending", ErrNotPending},
		{"the plan decides another hold", []uint64{1}, otherHold, "approve: hold 1: the plan returned hold 2", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := decisionStore(t)
			_, err := s.Decide(catalog.ActionApprove, tt.ids, "x", day(3), tt.plan)
			if err == nil || err.Error() != tt.want || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if p, _ := s.Holds(catalog.HoldPending); len(p) != 2 {
				t.Errorf("a failed decision changed holds: %+v", p)
			}
			if d, _ := s.Decisions(); len(d) != 0 {
				t.Errorf("a failed decision was recorded: %+v", d)
			}
			if snap, _ := s.Snapshot(); snap.Offerings[llamaKey].Output.Value.Amount != 200_000 {
				t.Error("a failed decision published a value")
			}
		})
	}
}

func TestMarkReviewed(t *testing.T) {
	s, _ := openTemp(t)
	snap := snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(1)), offering(llama, "bedrock", 100_000, 100_000, day(1)))
	snap.Models[llama].Name = catalog.Fact[string]{Value: "Llama 3.2 1B Instruct", Display: "Llama 3.2 1B Instruct", Source: catalog.SourceOf(catalog.SourceRef{Name: "huggingface"})}
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
	if !m.Name.ReviewedAt.Equal(catalog.StampOf(day(2))) || !m.Released.ReviewedAt.IsZero() {
		t.Errorf("model facts: name %v, unsourced released %v", m.Name.ReviewedAt, m.Released.ReviewedAt)
	}
	for _, o := range got.OfferingsOf(llama) {
		if !o.Input.ReviewedAt.Equal(catalog.StampOf(day(2))) || !o.Output.ReviewedAt.Equal(catalog.StampOf(day(2))) {
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
	if err := s.EachChangeSet(context.Background(), func(StoredChangeSet) error { return errors.New("called") }); err != nil {
		t.Errorf("each change set: %v", err)
	}
	if h, err := s.HoldsByID([]uint64{1}); err != nil || len(h) != 0 {
		t.Errorf("holds by id %v %v", h, err)
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

// TestFailedDeliveries: the runs before one whose delivery failed since
// the last that went through, the newest max of them, oldest first.
func TestFailedDeliveries(t *testing.T) {
	s, _ := openTemp(t)
	if got, err := s.FailedDeliveries(5, 5); err != nil || len(got) != 0 {
		t.Fatalf("no records: %v %v", got, err)
	}
	for run, ok := range map[uint64]bool{1: false, 2: true, 3: false, 4: false, 5: false, 6: false} {
		if err := s.RecordDelivery(catalog.Delivery{Run: run, URL: "https://hooks.example.org/x", OK: ok}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		before uint64
		max    int
		want   []uint64
	}{
		{6, 5, []uint64{3, 4, 5}}, // run 2 went through: nothing before it
		{6, 2, []uint64{4, 5}},    // the newest two
		{3, 5, nil},               // run 2 went through
		{2, 5, []uint64{1}},
		{9, 5, []uint64{3, 4, 5, 6}}, // a run with no record: from the last one
	} {
		got, err := s.FailedDeliveries(c.before, c.max)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("FailedDeliveries(%d, %d) = %v %v, want %v", c.before, c.max, got, err, c.want)
		}
	}
}
