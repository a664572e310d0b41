package catalog

import (
	"testing"
	"time"
)

// TestWalksReachEveryFact: StampRetrieved and MarkReviewed reach a model's
// capabilities and an offering's tier prices, and leave facts no source
// gave untouched.
func TestWalksReachEveryFact(t *testing.T) {
	day1 := time.Date(2026, 4, 23, 6, 0, 0, 0, time.UTC)
	day2 := day1.Add(24 * time.Hour)
	const card, prices = "https://example.test/card", "https://example.test/prices"
	sourced := func(url string) Fact[Price] {
		return Fact[Price]{Display: "$1", Source: SourceOf(SourceRef{Name: "src", URL: url}), RetrievedAt: StampOf(day1)}.
			WithConflicts([]Conflict{{Display: "$2", Source: SourceRef{Name: "other", URL: url}, RetrievedAt: day1}})
	}
	m := &Model{ID: "meta/x", Name: Fact[string]{Display: "X", Source: SourceOf(SourceRef{Name: "src", URL: card}), RetrievedAt: StampOf(day1)},
		Capabilities: map[Capability]Fact[bool]{"vision": {Value: true, Display: "yes", Source: SourceOf(SourceRef{Name: "src", URL: card}), RetrievedAt: StampOf(day1)}}}
	o := &Offering{ModelID: "meta/x", Provider: "p", Input: sourced(prices),
		Tiers: []PriceTier{{AboveTokens: 200_000, Input: sourced(prices)}}}
	s := &Snapshot{Models: map[string]*Model{m.ID: m}, Offerings: map[string]*Offering{o.Key(): o}}

	s.StampRetrieved(map[string]time.Time{card: day2, prices: day2})
	for name, got := range map[string]time.Time{
		"name": m.Name.RetrievedAt.Time(), "capability": m.Capabilities["vision"].RetrievedAt.Time(),
		"input": o.Input.RetrievedAt.Time(), "input conflict": o.Input.Conflicts()[0].RetrievedAt,
		"tier input": o.Tiers[0].Input.RetrievedAt.Time(), "tier input conflict": o.Tiers[0].Input.Conflicts()[0].RetrievedAt,
	} {
		if !got.Equal(day2) {
			t.Errorf("%s retrieved_at = %v, want %v", name, got, day2)
		}
	}
	if !o.Output.RetrievedAt.IsZero() || !o.Tiers[0].Output.RetrievedAt.IsZero() {
		t.Errorf("an unsourced fact was stamped: %v %v", o.Output.RetrievedAt, o.Tiers[0].Output.RetrievedAt)
	}

	m.MarkReviewed(day2)
	o.MarkReviewed(day2)
	for name, got := range map[string]time.Time{
		"name": m.Name.ReviewedAt.Time(), "capability": m.Capabilities["vision"].ReviewedAt.Time(),
		"input": o.Input.ReviewedAt.Time(), "tier input": o.Tiers[0].Input.ReviewedAt.Time(),
	} {
		if !got.Equal(day2) {
			t.Errorf("%s reviewed_at = %v, want %v", name, got, day2)
		}
	}
	if !o.Output.ReviewedAt.IsZero() || !o.Tiers[0].Output.ReviewedAt.IsZero() || !m.Released.ReviewedAt.IsZero() {
		t.Error("an unsourced fact was marked reviewed")
	}
}
