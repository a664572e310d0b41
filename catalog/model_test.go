package catalog

import (
	"slices"
	"testing"
)

// TestOfferingsByModel: one pass groups every model's offerings in key
// order, the lists OfferingsOf gives model by model; a model without
// offerings has none.
func TestOfferingsByModel(t *testing.T) {
	s := NewSnapshot()
	for _, id := range []string{"openai/gpt-4o", "meta/llama-3-70b", "acme/lonely"} {
		s.Models[id] = &Model{ID: id}
	}
	for _, o := range []*Offering{
		{ModelID: "openai/gpt-4o", Provider: "openai"},
		{ModelID: "meta/llama-3-70b", Provider: "together"},
		{ModelID: "openai/gpt-4o", Provider: "azure", Region: "eu"},
		{ModelID: "meta/llama-3-70b", Provider: "bedrock", Region: "us-east-1"},
		{ModelID: "openai/gpt-4o", Provider: "openrouter", Variant: ":free"},
		{ModelID: "openai/gpt-4o", Provider: "azure", Region: "us"},
	} {
		s.Offerings[o.Key()] = o
	}
	by := s.OfferingsByModel()
	if len(by) != 2 {
		t.Errorf("%d models grouped; want the 2 with offerings", len(by))
	}
	if _, ok := by["acme/lonely"]; ok {
		t.Errorf("a model without offerings has an entry")
	}
	for _, id := range s.ModelIDs() {
		want := s.OfferingsOf(id)
		if !slices.Equal(by[id], want) {
			t.Errorf("%s: %v; want %v", id, offeringKeyList(by[id]), offeringKeyList(want))
		}
	}
	if got := offeringKeyList(by["openai/gpt-4o"]); !slices.IsSorted(got) || len(got) != 4 {
		t.Errorf("openai/gpt-4o: %v; want its 4 offerings in key order", got)
	}
}

func offeringKeyList(offers []*Offering) []string {
	var out []string
	for _, o := range offers {
		out = append(out, o.Key())
	}
	return out
}
