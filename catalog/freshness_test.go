package catalog

import (
	"testing"
	"time"
)

func TestFreshness(t *testing.T) {
	t1 := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	t2 := t1.Add(24 * time.Hour)
	or1 := SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models"}
	or2 := SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models/a/m/endpoints"}
	hf := SourceRef{Name: "huggingface", URL: "https://huggingface.co/api/models/a/m"}
	lite := SourceRef{Name: "litellm", URL: "https://litellm.example/prices.json"}
	s := NewSnapshot()
	s.Models["a/m"] = &Model{ID: "a/m", Creator: "a",
		Name:       Fact[string]{Value: "M", Source: SourceOf(or1), RetrievedAt: StampOf(t2), ChangedAt: StampOf(t1)},
		Parameters: Fact[Count]{Value: Count{N: 1}, Source: SourceOf(hf), RetrievedAt: StampOf(t1), ChangedAt: StampOf(t1), Stale: true},
		Capabilities: map[Capability]Fact[bool]{
			CapVision: {Value: true, Source: SourceOf(or1), RetrievedAt: StampOf(t2), ChangedAt: StampOf(t1)},
		}}
	o := &Offering{ModelID: "a/m", Provider: "openrouter",
		Input: Fact[Price]{Value: Fixed(1), Source: SourceOf(or2), RetrievedAt: StampOf(t1), ChangedAt: StampOf(t1)}.
			WithConflicts([]Conflict{{Display: "$2", Source: lite, RetrievedAt: t2}})}
	s.Offerings[o.Key()] = o
	got := s.Freshness()
	want := []struct {
		source                         string
		pages, facts, conflicts, stale int
		newest, oldest                 time.Time
	}{
		{"huggingface", 1, 1, 0, 1, t1, t1},
		{"litellm", 1, 0, 1, 0, t2, t2},
		{"openrouter", 2, 3, 0, 0, t2, t1},
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		t.Run(w.source, func(t *testing.T) {
			g := got[i]
			if g.Source != w.source || g.Pages != w.pages || g.Facts != w.facts || g.Conflicts != w.conflicts || g.StaleFacts != w.stale {
				t.Errorf("got %+v, want %+v", g, w)
			}
			at := func(p *time.Time) time.Time {
				if p == nil {
					return time.Time{}
				}
				return *p
			}
			if !at(g.RetrievedAt).Equal(w.newest) || !at(g.OldestRetrievedAt).Equal(w.oldest) {
				t.Errorf("retrieved %v .. %v, want %v .. %v", at(g.OldestRetrievedAt), at(g.RetrievedAt), w.oldest, w.newest)
			}
		})
	}
}
