package coverage_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/coverage"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/internal/fixturetest"
	"github.com/llmref/llmref/internal/golden"
	"github.com/llmref/llmref/store"
)

var at = time.Date(2026, 4, 23, 3, 0, 0, 0, time.UTC)

func src(name string, a catalog.Authority) catalog.SourceRef {
	return catalog.SourceRef{Name: name, URL: "https://example.test/" + name, Authority: a}
}

func fact[T any](v T, s catalog.SourceRef) catalog.Fact[T] {
	return catalog.Fact[T]{Value: v, Display: "x", Raw: "x", Source: catalog.SourceOf(s), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
}

// sample is a catalogue with every kind of source, a model with nothing
// sourced, a variable price that is no price and a free one that is.
func sample() *catalog.Snapshot {
	hf := src("huggingface", catalog.AuthorityCreator)
	or := src("openrouter", catalog.AuthorityAggregator)
	ep := src("openrouter-endpoints", catalog.AuthorityProvider)
	md := src("modelsdev", catalog.AuthorityCrossCheck)
	s := catalog.NewSnapshot()
	llama := &catalog.Model{ID: "meta/llama-3.2-1b-instruct", Creator: "meta",
		Released: fact(catalog.Date{}, hf), ContextWindow: fact(catalog.Tokens{}, or), Parameters: fact(catalog.Count{}, hf),
		Licence: fact(catalog.Licence{}, md), KnowledgeCutoff: fact(catalog.Date{}, hf),
		Capabilities: map[catalog.Capability]catalog.Fact[bool]{catalog.CapVision: fact(false, or), catalog.CapToolUse: fact(true, ep)}}
	guard := &catalog.Model{ID: "meta/llama-guard-3-8b", Creator: "meta", Capabilities: map[catalog.Capability]catalog.Fact[bool]{}}
	codex := &catalog.Model{ID: "openai/gpt-5.3-codex", Creator: "openai", Released: fact(catalog.Date{}, md),
		Architecture: fact("transformer", src("openai", catalog.AuthorityCreator)),
		Capabilities: map[catalog.Capability]catalog.Fact[bool]{catalog.CapReasoning: fact(true, src("openai", catalog.AuthorityCreator))}}
	auto := &catalog.Model{ID: "openrouter/auto", Creator: "openrouter", Capabilities: map[catalog.Capability]catalog.Fact[bool]{}}
	for _, m := range []*catalog.Model{llama, guard, codex, auto} {
		s.Models[m.ID] = m
	}
	for _, o := range []*catalog.Offering{
		{ModelID: llama.ID, Provider: "fireworks", Input: fact(catalog.Fixed(100_000), src("fireworks", catalog.AuthorityProvider))},
		{ModelID: llama.ID, Provider: "openrouter", Variant: ":free", Input: fact(catalog.Price{Kind: catalog.PriceFree}, or)},
		{ModelID: codex.ID, Provider: "openrouter", Output: fact(catalog.Price{Kind: catalog.PriceFree}, or)},
		{ModelID: auto.ID, Provider: "openrouter", Input: fact(catalog.Price{Kind: catalog.PriceVariable}, or), Output: fact(catalog.Price{Kind: catalog.PriceVariable}, or)},
		{ModelID: guard.ID, Provider: "bedrock"}, // an offering with no price
	} {
		s.Offerings[o.Key()] = o
	}
	return s
}

func TestMeasure(t *testing.T) {
	r := coverage.Measure(sample())
	fields := coverage.Fields()
	if len(r.Fields) != len(fields) || len(fields) != 8+len(catalog.Capabilities) {
		t.Fatalf("fields %v", r.Fields)
	}
	cell := func(model string, f coverage.Field) coverage.Cell {
		for _, m := range r.Models {
			for _, c := range m.Cells {
				if m.ID == model && c.Field == f {
					return c
				}
			}
		}
		t.Fatalf("no cell %s %s", model, f)
		return coverage.Cell{}
	}
	for _, tc := range []struct {
		name   string
		model  string
		field  coverage.Field
		by     coverage.Kind
		source string
	}{
		{"creator card", "meta/llama-3.2-1b-instruct", coverage.Parameters, coverage.Creator, "huggingface"},
		{"aggregator", "meta/llama-3.2-1b-instruct", coverage.ContextWindow, coverage.Aggregator, "openrouter"},
		{"cross-check only", "meta/llama-3.2-1b-instruct", coverage.Licence, coverage.CrossCheck, "modelsdev"},
		{"a no is sourced", "meta/llama-3.2-1b-instruct", coverage.CapabilityField(catalog.CapVision), coverage.Aggregator, "openrouter"},
		{"provider capability", "meta/llama-3.2-1b-instruct", coverage.CapabilityField(catalog.CapToolUse), coverage.Provider, "openrouter-endpoints"},
		{"not yet sourced", "meta/llama-3.2-1b-instruct", coverage.Architecture, coverage.None, ""},
		{"price: best kind of source", "meta/llama-3.2-1b-instruct", coverage.Price, coverage.Provider, "fireworks"},
		{"price: free is a price", "openai/gpt-5.3-codex", coverage.Price, coverage.Aggregator, "openrouter"},
		{"price: variable is none", "openrouter/auto", coverage.Price, coverage.None, ""},
		{"price: an offering without a price", "meta/llama-guard-3-8b", coverage.Price, coverage.None, ""},
		{"benchmarks: none in the catalogue", "meta/llama-3.2-1b-instruct", coverage.Benchmarks, coverage.None, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cell(tc.model, tc.field)
			if c.By != tc.by || c.Source != tc.source || c.Sourced != (tc.by != coverage.None) {
				t.Errorf("%s %s: got %+v, want %s by %q", tc.model, tc.field, c, tc.by, tc.source)
			}
		})
	}
	t.Run("totals add up", func(t *testing.T) {
		sum, cells := 0, 0
		for _, ft := range r.Totals {
			by := 0
			for _, k := range coverage.Kinds {
				by += ft.By[k]
			}
			if by != ft.Sourced || ft.Of != len(r.Models) {
				t.Errorf("%s: %+v", ft.Field, ft.Tally)
			}
			sum += ft.Sourced
			cells += ft.Of
		}
		var creators int
		for _, ct := range r.Creators {
			creators += ct.Sourced
		}
		if sum != r.All.Sourced || cells != r.All.Of || creators != sum || r.All.Of != 4*len(fields) {
			t.Errorf("fields %d/%d, creators %d, all %+v", sum, cells, creators, r.All)
		}
		if ct := r.Creators[0]; ct.Creator != "meta" || ct.Models != 2 || ct.Fields[2].Field != coverage.Parameters || ct.Fields[2].Sourced != 1 {
			t.Errorf("meta: %+v", ct)
		}
	})
	t.Run("benchmarks", func(t *testing.T) {
		snap := sample()
		snap.Models["openai/gpt-5.3-codex"].Benchmarks = []catalog.Fact[catalog.BenchmarkResult]{
			fact(catalog.BenchmarkResult{Benchmark: "mmlu"}, src("modelsdev", catalog.AuthorityCrossCheck)),
			fact(catalog.BenchmarkResult{Benchmark: "gpqa"}, src("openai", catalog.AuthorityCreator)),
			{Value: catalog.BenchmarkResult{Benchmark: "swe-bench"}}, // not sourced
		}
		r := coverage.Measure(snap)
		if ft := r.Totals[len(r.Totals)-1]; ft.Field != coverage.Benchmarks || ft.Sourced != 1 || ft.By[coverage.Creator] != 1 {
			t.Errorf("benchmarks: %+v", ft)
		}
	})
}

func TestGolden(t *testing.T) {
	r := coverage.Measure(sample())
	var text bytes.Buffer
	if err := coverage.WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "sample.golden.txt"), text.Bytes())
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "sample.golden.json"), append(b, '\n'))
}

// TestDemoDays measures the bundled days as published: the figures the
// README quotes hold (the sample page's model fully specified by its
// creator's card) and the text names every model.
func TestDemoDays(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "llmref.db")
	for _, day := range fixtures.Days() {
		fixturetest.Replay(t, db, "", day)
	}
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	snap, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := coverage.Measure(snap)
	if len(r.Models) != len(snap.Models) || len(r.Models) == 0 {
		t.Fatalf("%d rows for %d models", len(r.Models), len(snap.Models))
	}
	for _, m := range r.Models {
		if m.ID != "meta/llama-3.2-1b-instruct" {
			continue
		}
		for _, f := range []int{0, 1, 2, 3, 4, 5} { // the specs, from Meta's card
			if c := m.Cells[f]; c.By != coverage.Creator || c.Source != "huggingface" {
				t.Errorf("%s %s: %+v", m.ID, c.Field, c)
			}
		}
	}
	var text bytes.Buffer
	if err := coverage.WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	for _, id := range snap.ModelIDs() {
		if !bytes.Contains(text.Bytes(), []byte("\n"+id+" ")) {
			t.Errorf("the text does not name %s", id)
		}
	}
}
