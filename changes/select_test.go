package changes

import (
	"slices"
	"testing"

	"github.com/llmref/llmref/catalog"
)

func TestSelector(t *testing.T) {
	or := catalog.SourceOf(catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityAggregator})
	fw := catalog.SourceOf(catalog.SourceRef{Name: "fireworks", URL: "https://fireworks.ai/pricing", Authority: catalog.AuthorityProvider})
	price := func(id uint64, run uint64, model, provider string, src catalog.Source) catalog.Hold {
		return catalog.Hold{ID: id, Kind: catalog.HoldPrice, FirstRun: run, Field: "input",
			Changes: []catalog.Change{{Kind: catalog.ChangePrice, Model: model, Provider: provider, Field: "input", Source: src}}}
	}
	holds := []catalog.Hold{
		price(1, 4, "meta/llama-3.2-1b-instruct", "openrouter", or),
		price(2, 4, "openai/gpt-oss-20b", "fireworks", fw),
		price(3, 5, "meta/llama-3.2-1b-instruct", "fireworks", fw),
		{ID: 4, Kind: catalog.HoldOfferingAdded, FirstRun: 5, Changes: []catalog.Change{{Kind: catalog.ChangeOfferingAdded, Model: "qwen/qwen3-coder", Provider: "fireworks", Source: fw}}},
		{ID: 5, Kind: catalog.HoldBreakage, FirstRun: 5, Source: "fireworks", Changes: []catalog.Change{
			{Kind: catalog.ChangeOfferingRemoved, Model: "meta/llama-3.2-1b-instruct", Provider: "fireworks", Source: fw},
			{Kind: catalog.ChangeOfferingRemoved, Model: "openai/gpt-oss-20b", Provider: "fireworks", Source: fw}}},
		{ID: 6, Kind: catalog.HoldSurge, FirstRun: 6, Source: "openrouter"},
	}
	for _, tt := range []struct {
		name string
		sel  Selector
		want []uint64
	}{
		{"nothing set picks nothing", Selector{}, nil},
		{"all", Selector{All: true}, []uint64{1, 2, 3, 4, 5, 6}},
		{"a run", Selector{Run: 5}, []uint64{3, 4, 5}},
		{"a kind", Selector{Kind: catalog.HoldPrice}, []uint64{1, 2, 3}},
		{"a provider: every change there", Selector{Provider: "fireworks"}, []uint64{2, 3, 4, 5}},
		{"a model: a breakage of two models is not", Selector{Model: "meta/llama-3.2-1b-instruct"}, []uint64{1, 3}},
		{"a source: the changes' source, or a breakage's or surge's", Selector{Source: "openrouter"}, []uint64{1, 6}},
		{"every field set must match", Selector{Run: 5, Provider: "fireworks", Kind: catalog.HoldPrice}, []uint64{3}},
		{"no match", Selector{Run: 5, Source: "openrouter"}, nil},
	} {
		var got []uint64
		for _, h := range tt.sel.Select(holds) {
			got = append(got, h.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, bad := range []Selector{{All: true, Run: 4}, {Kind: "prices"}} {
		if err := bad.Check(); err == nil {
			t.Errorf("%+v passed its check", bad)
		}
	}
	if err := (Selector{Run: 4, Kind: catalog.HoldBreakage}).Check(); err != nil {
		t.Error(err)
	}
}
