package catalog

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestSameFields: SameButRetrieved and AdoptRetrieved name every field of
// the records they compare. A field added to one of these types fails
// here: add it to the comparisons in same.go (and to this list).
func TestSameFields(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want []string
	}{
		{Model{}, []string{"ID", "Creator", "Name", "Aliases", "Released", "ContextWindow", "MaxOutput", "Parameters", "Architecture",
			"Licence", "KnowledgeCutoff", "InputModalities", "OutputModality", "Capabilities", "Benchmarks"}},
		{Offering{}, []string{"ModelID", "Provider", "ProviderModelID", "Region", "Variant", "Input", "Output", "CachedInput",
			"CacheWrite", "BatchInput", "BatchOutput", "Context", "MaxOutput", "Tiers"}},
		{PriceTier{}, []string{"AboveTokens", "Input", "Output", "CachedInput", "CacheWrite"}},
		{Fact[Price]{}, []string{"Value", "Display", "Raw", "Source", "RetrievedAt", "ChangedAt", "ReviewedAt", "Stale", "notes"}},
		{factNotes{}, []string{"conflicts", "flags"}},
		{Conflict{}, []string{"Display", "Raw", "Source", "RetrievedAt"}},
	} {
		typ := reflect.TypeOf(tc.v)
		var got []string
		for i := range typ.NumField() {
			got = append(got, typ.Field(i).Name)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s has fields %v; same.go compares %v", typ.Name(), got, tc.want)
		}
	}
}

// sameRecords makes a model and an offering with every kind of fact, a
// conflict, a flag, a tier and a benchmark, their retrieval times at.
func sameRecords(at time.Time) (*Model, *Offering) {
	src := SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: AuthorityAggregator}
	changed := time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC)
	conflict := []Conflict{{Display: "60K", Raw: "60000", Source: src, RetrievedAt: at}}
	str := func(v string) Fact[string] {
		return Fact[string]{Value: v, Display: v, Raw: v, Source: SourceOf(src), RetrievedAt: StampOf(at), ChangedAt: StampOf(changed)}
	}
	m := &Model{ID: "meta/llama-3.2-1b-instruct", Creator: "meta", Name: str("Llama 3.2 1B Instruct"),
		Aliases:         []Alias{{Source: "openrouter", ID: "meta-llama/llama-3.2-1b-instruct"}},
		Released:        Fact[Date]{Value: DayDate(2024, 9, 25), Source: SourceOf(src), RetrievedAt: StampOf(at)},
		ContextWindow:   Fact[Tokens]{Value: Tokens{N: 131072, Display: "128K"}, Source: SourceOf(src), RetrievedAt: StampOf(at)}.WithConflicts(conflict),
		MaxOutput:       Fact[Tokens]{Value: Tokens{N: 4096}, Source: SourceOf(src), RetrievedAt: StampOf(at)},
		Parameters:      Fact[Count]{Value: Count{N: 1_230_000_000, Display: "1.23B"}, Source: SourceOf(src), RetrievedAt: StampOf(at)},
		Architecture:    str("decoder-only transformer"),
		Licence:         Fact[Licence]{Value: Licence{Name: "Llama 3.2 Community License", Class: OpenWeights}, Source: SourceOf(src), RetrievedAt: StampOf(at)},
		KnowledgeCutoff: Fact[Date]{Value: MonthDate(2023, 12), Source: SourceOf(src), RetrievedAt: StampOf(at)},
		InputModalities: Fact[[]string]{Value: []string{"text"}, Source: SourceOf(src), RetrievedAt: StampOf(at)},
		OutputModality:  Fact[[]string]{Value: []string{"text"}, Source: SourceOf(src), RetrievedAt: StampOf(at)},
		Capabilities:    map[Capability]Fact[bool]{CapVision: {Value: false, Source: SourceOf(src), RetrievedAt: StampOf(at)}, CapReasoning: {}},
		Benchmarks:      []Fact[BenchmarkResult]{{Value: BenchmarkResult{Benchmark: "MMLU", Score: "49.3"}, Source: SourceOf(src), RetrievedAt: StampOf(at)}},
	}
	price := func(a Money) Fact[Price] {
		return Fact[Price]{Value: Fixed(a), Display: "$", Raw: "x", Source: SourceOf(src), RetrievedAt: StampOf(at), ChangedAt: StampOf(changed)}
	}
	o := &Offering{ModelID: m.ID, Provider: "bedrock", ProviderModelID: "meta.llama3-2-1b-instruct-v1:0", Region: "eu-west-1",
		Variant: "batch", Input: price(130_000), Output: price(130_000), CachedInput: price(1), CacheWrite: price(2),
		BatchInput: price(3), BatchOutput: price(4), Context: Fact[Tokens]{Value: Tokens{N: 131072}, Source: SourceOf(src), RetrievedAt: StampOf(at)},
		MaxOutput: Fact[Tokens]{Value: Tokens{N: 4096}, Source: SourceOf(src), RetrievedAt: StampOf(at)},
		Tiers:     []PriceTier{{AboveTokens: 272000, Input: price(5)}}}
	o.Output.SetFlags([]Flag{{Kind: FlagUnitSlip, Detail: "1000× its siblings"}})
	return m, o
}

// TestSameButRetrieved: records that differ only in when their facts were
// seen are the same, and adopting the other's retrieval times makes their
// records byte for byte equal; any other difference is not the same.
func TestSameButRetrieved(t *testing.T) {
	seen, later := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC), time.Date(2026, 4, 24, 2, 0, 0, 0, time.UTC)
	m, o := sameRecords(seen)
	m2, o2 := sameRecords(later)
	if !m.SameButRetrieved(m2) || !o.SameButRetrieved(o2) {
		t.Fatal("records differing in retrieval times only are not the same")
	}
	shared := m.ContextWindow.Conflicts()
	m.AdoptRetrieved(m2)
	o.AdoptRetrieved(o2)
	for _, pair := range [][2]interface{ AppendJSON([]byte) ([]byte, error) }{{m, m2}, {o, o2}} {
		a, _ := pair[0].AppendJSON(nil)
		b, _ := pair[1].AppendJSON(nil)
		if !bytes.Equal(a, b) {
			t.Errorf("after AdoptRetrieved:\n%s\n%s", a, b)
		}
	}
	if shared[0].RetrievedAt != seen {
		t.Error("AdoptRetrieved edited a conflict list the record may share")
	}

	for name, change := range map[string]func(m *Model, o *Offering){
		"model name":        func(m *Model, _ *Offering) { m.Name.Value = "Llama" },
		"model raw":         func(m *Model, _ *Offering) { m.Architecture.Raw = "decoder" },
		"changed_at":        func(m *Model, _ *Offering) { m.Released.ChangedAt = StampOf(seen) },
		"reviewed_at":       func(m *Model, _ *Offering) { m.Parameters.ReviewedAt = StampOf(seen) },
		"stale":             func(m *Model, _ *Offering) { m.MaxOutput.Stale = true },
		"source":            func(m *Model, _ *Offering) { r := m.Licence.Source.Ref(); r.Note = "n"; m.Licence.Source = SourceOf(r) },
		"alias":             func(m *Model, _ *Offering) { m.Aliases = nil },
		"modalities":        func(m *Model, _ *Offering) { m.InputModalities.Value = []string{"text", "image"} },
		"capability":        func(m *Model, _ *Offering) { m.Capabilities[CapVision] = Fact[bool]{Value: true} },
		"a capability more": func(m *Model, _ *Offering) { m.Capabilities[CapMultimodal] = Fact[bool]{} },
		"benchmark":         func(m *Model, _ *Offering) { m.Benchmarks[0].Value.Score = "49.4" },
		"conflict":          func(m *Model, _ *Offering) { m.ContextWindow.SetConflicts(nil) },
		"price":             func(_ *Model, o *Offering) { o.Input.Value = Fixed(130_001) },
		"display":           func(_ *Model, o *Offering) { o.CachedInput.Display = "$0" },
		"flag":              func(_ *Model, o *Offering) { o.Output.SetFlags(nil) },
		"provider id":       func(_ *Model, o *Offering) { o.ProviderModelID = "x" },
		"tier":              func(_ *Model, o *Offering) { o.Tiers[0].AboveTokens = 1 },
		"a tier more":       func(_ *Model, o *Offering) { o.Tiers = append(o.Tiers, PriceTier{}) },
		"context":           func(_ *Model, o *Offering) { o.Context.Value.N = 1 },
	} {
		m, o := sameRecords(seen)
		m2, o2 := sameRecords(later)
		change(m2, o2)
		if m.SameButRetrieved(m2) && o.SameButRetrieved(o2) {
			t.Errorf("%s changed, and the records are still the same", name)
		}
	}
}

// TestAdoptRetrievedKeepsCapabilities: adopting another run's retrieval
// times rewrites a model's capabilities in place: the map does not grow
// (a key put back into a full map while ranging over it grew it), and
// each capability's fact takes the other's times.
func TestAdoptRetrievedKeepsCapabilities(t *testing.T) {
	src := SourceOf(SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: AuthorityAggregator})
	day1, day2 := StampOf(time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)), StampOf(time.Date(2026, 4, 24, 2, 0, 0, 0, time.UTC))
	model := func(at Stamp) *Model {
		m := &Model{ID: "a/b", Capabilities: map[Capability]Fact[bool]{}}
		for _, c := range []Capability{CapVision, CapMultimodal, CapReasoning, "tools", "json_mode", "streaming", "caching", "audio"} {
			m.Capabilities[c] = Fact[bool]{Value: true, Source: src, RetrievedAt: at}
		}
		return m
	}
	m, b := model(day1), model(day2)
	if !m.SameButRetrieved(b) {
		t.Fatal("the two models differ but for retrieval times")
	}
	m.AdoptRetrieved(b)
	for c, f := range m.Capabilities {
		if f.RetrievedAt != day2 {
			t.Errorf("%s retrieved %v, want %v", c, f.RetrievedAt, day2)
		}
	}
	// Each run adopts into a model that has not adopted before (the map
	// grew the first time only).
	fresh := make([]*Model, 21)
	for i := range fresh {
		fresh[i] = model(day1)
	}
	i := 0
	if n := testing.AllocsPerRun(20, func() { fresh[i].AdoptRetrieved(b); i++ }); n > 2 {
		t.Errorf("AdoptRetrieved allocated %v times for eight capabilities; want at most 2", n)
	}
}
