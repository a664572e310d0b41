package compare_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
)

var at = time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)

func price(p catalog.Price) catalog.Fact[catalog.Price] {
	return catalog.Fact[catalog.Price]{Value: p, Display: p.String(), Raw: p.String(),
		Source: catalog.SourceOf(catalog.SourceRef{Name: "src", URL: "https://src.example", Authority: catalog.AuthorityProvider}), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
}

func model(id string) *catalog.Model {
	return &catalog.Model{ID: id, Creator: strings.Split(id, "/")[0], Capabilities: map[catalog.Capability]catalog.Fact[bool]{}}
}

func offer(id, provider, variant string, in, out catalog.Fact[catalog.Price]) *catalog.Offering {
	return &catalog.Offering{ModelID: id, Provider: provider, Variant: variant, ProviderModelID: id, Input: in, Output: out}
}

var (
	free     = catalog.Price{Kind: catalog.PriceFree}
	variable = catalog.Price{Kind: catalog.PriceVariable}
	fixed    = catalog.Fixed
)

func TestCheapest(t *testing.T) {
	tests := []struct {
		name     string
		offers   []*catalog.Offering
		provider string // "" = no cheapest
		states   []catalog.PriceState
	}{
		{"free and variable never win", []*catalog.Offering{
			offer("a/m", "nvidia-nim", "", price(free), price(free)),
			offer("a/m", "openrouter", "", price(variable), price(variable)),
			offer("a/m", "openrouter", "x", price(fixed(100_000)), price(fixed(100_000))),
		}, "openrouter", []catalog.PriceState{catalog.PriceStateFree, catalog.PriceStateVariable, catalog.PriceStateFixed}},
		{"lowest blend, not lowest input", []*catalog.Offering{
			offer("a/m", "p1", "", price(fixed(10_000)), price(fixed(1_000_000))),
			offer("a/m", "p2", "", price(fixed(100_000)), price(fixed(100_000))),
		}, "p2", []catalog.PriceState{catalog.PriceStateFixed, catalog.PriceStateFixed}},
		{"tie goes to the first in offering order", []*catalog.Offering{
			offer("a/m", "p1", "", price(fixed(1)), price(fixed(1))),
			offer("a/m", "p2", "", price(fixed(1)), price(fixed(1))),
		}, "p1", []catalog.PriceState{catalog.PriceStateFixed, catalog.PriceStateFixed}},
		{"an input price alone makes no blend", []*catalog.Offering{
			offer("a/m", "p1", "", price(fixed(1)), catalog.Fact[catalog.Price]{}),
			offer("a/m", "p2", "", catalog.Fact[catalog.Price]{}, catalog.Fact[catalog.Price]{}),
			offer("a/m", "p3", "", price(fixed(1)), price(free)),
		}, "", []catalog.PriceState{catalog.PriceStateIncomplete, catalog.PriceStateUnsourced, catalog.PriceStateIncomplete}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := compare.NewSide(model("a/m"), tt.offers, compare.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if s.Pricing.Cheapest != nil {
				got = s.Pricing.Cheapest.Provider
			} else if s.Pricing.Note == "" {
				t.Errorf("%s: no cheapest and no note", tt.name)
			}
			if got != tt.provider {
				t.Errorf("%s: cheapest %q, want %q", tt.name, got, tt.provider)
			}
			for i, st := range tt.states {
				if s.Pricing.Offerings[i].State != st {
					t.Errorf("%s: offering %d state %s, want %s", tt.name, i, s.Pricing.Offerings[i].State, st)
				}
			}
		})
	}
}

func TestPriceComparison(t *testing.T) {
	side := func(id string, in, out catalog.Money) *compare.Side {
		s, err := compare.NewSide(model(id), []*catalog.Offering{offer(id, "p", "", price(fixed(in)), price(fixed(out)))}, compare.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Equal prices: no one is cheaper, ratios 1.0.
	c := compare.Build(side("a/x", 100, 200), side("b/y", 100, 200), compare.DefaultOptions())
	if c.Pricing.Cheaper != catalog.SideEqual || *c.Pricing.Ratios[2].Times != "1.0" || c.Pricing.Difference.USD() != "0" {
		t.Errorf("equal: %+v", c.Pricing)
	}
	// A zero fixed input price: no ratio on input, but one on output.
	c = compare.Build(side("a/x", 0, 200), side("b/y", 100, 200), compare.DefaultOptions())
	if c.Pricing.Ratios[0].Times != nil || c.Pricing.Ratios[0].Cheaper != catalog.SideA || c.Pricing.Ratios[1].Cheaper != catalog.SideEqual {
		t.Errorf("zero input: %+v", c.Pricing.Ratios)
	}
	// Cheaper on input, pricier on output: each ratio names its own side.
	c = compare.Build(side("a/x", 100, 900), side("b/y", 300, 100), compare.DefaultOptions())
	r := c.Pricing.Ratios
	if r[0].Cheaper != catalog.SideA || *r[0].Times != "3.0" || r[1].Cheaper != catalog.SideB || *r[1].Times != "9.0" || c.Pricing.Cheaper != catalog.SideB {
		t.Errorf("mixed: cheaper %s, ratios %+v", c.Pricing.Cheaper, r)
	}
	if !strings.Contains(c.Text.Summary, "on input") {
		t.Errorf("summary %q does not say the input ratio", c.Text.Summary)
	}
	// No prices on one side: unknown, and the text says why.
	none, _ := compare.NewSide(model("c/z"), nil, compare.DefaultOptions())
	c = compare.Build(side("a/x", 100, 200), none, compare.DefaultOptions())
	if c.Pricing.Cheaper != catalog.SideUnknown || c.Pricing.Difference != nil || len(c.Pricing.Ratios) != 0 ||
		!strings.Contains(c.Text.Summary, "no tracked provider offers") {
		t.Errorf("unknown: %+v, %q", c.Pricing, c.Text.Summary)
	}
}

func TestCompareErrors(t *testing.T) {
	snap := synthetic(3)
	ids := snap.ModelIDs()
	if _, err := compare.Compare(snap, ids[0], "x/nope", compare.DefaultOptions()); !errors.Is(err, compare.ErrUnknownModel) {
		t.Errorf("unknown model: %v", err)
	}
	if _, err := compare.Compare(snap, ids[0], ids[0], compare.DefaultOptions()); err == nil {
		t.Error("a model compared with itself")
	}
	if _, err := compare.Compare(snap, ids[0], ids[1], compare.Options{Blend: catalog.Blend{InputPct: 60, OutputPct: 60}}); !errors.Is(err, catalog.ErrBlend) {
		t.Errorf("bad blend: %v", err)
	}
}

// TestTextClaimsOnlyTheData: with nothing sourced, the text says so and
// claims no capability, licence or price.
func TestTextClaimsOnlyTheData(t *testing.T) {
	a, _ := compare.NewSide(model("a/x"), nil, compare.DefaultOptions())
	b, _ := compare.NewSide(model("b/y"), nil, compare.DefaultOptions())
	c := compare.Build(a, b, compare.DefaultOptions())
	all := c.Text.Summary + " " + strings.Join(c.Text.DeepDive, " ")
	for _, q := range c.Text.FAQ {
		all += " " + q.Answer
	}
	for _, claim := range []string{"supports function calling (source", "supports tool use (source", " is released under ", "× cheaper", "$", " lacks", "Both have"} {
		if strings.Contains(all, claim) {
			t.Errorf("text claims %q with nothing sourced:\n%s", claim, all)
		}
	}
	if !strings.Contains(all, "not yet sourced") {
		t.Errorf("text does not say what is not yet sourced:\n%s", all)
	}
}

// TestFingerprintIgnoresRetrieval: a side's fingerprint covers what a record
// shows — values, changed and reviewed dates, sources — and nothing a
// scraper moves by seeing the same value again; the given records are never
// edited.
func TestFingerprintIgnoresRetrieval(t *testing.T) {
	later := at.Add(24 * time.Hour)
	base := func() (*catalog.Model, []*catalog.Offering) {
		m := model("a/m")
		m.Name = catalog.Fact[string]{Value: "M", Display: "M", Source: catalog.SourceOf(catalog.SourceRef{Name: "src", URL: "https://src.example"}), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}.
			WithConflicts([]catalog.Conflict{{Display: "M2", Raw: "M2", Source: catalog.SourceRef{Name: "x", URL: "https://x.example"}, RetrievedAt: at}})
		m.Capabilities[catalog.CapVision] = catalog.Fact[bool]{Value: true, Display: "yes", Source: catalog.SourceOf(catalog.SourceRef{Name: "src"}), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		return m, []*catalog.Offering{offer("a/m", "p", "", price(fixed(10)), price(fixed(20)))}
	}
	fp := func(m *catalog.Model, offers []*catalog.Offering) string {
		t.Helper()
		s, err := compare.NewSide(m, offers, compare.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		return s.Fingerprint
	}
	m0, o0 := base()
	want := fp(m0, o0)
	if m0.Name.RetrievedAt != catalog.StampOf(at) || m0.Name.Conflicts()[0].RetrievedAt != at || o0[0].Input.RetrievedAt != catalog.StampOf(at) {
		t.Fatal("NewSide edited the records it was given")
	}
	tests := []struct {
		name string
		edit func(m *catalog.Model, o []*catalog.Offering)
		same bool
	}{
		{"retrieved later", func(m *catalog.Model, o []*catalog.Offering) {
			m.Name.RetrievedAt, m.Name.Conflicts()[0].RetrievedAt, o[0].Input.RetrievedAt, o[0].Output.RetrievedAt = catalog.StampOf(later), later, catalog.StampOf(later), catalog.StampOf(later)
			f := m.Capabilities[catalog.CapVision]
			f.RetrievedAt = catalog.StampOf(later)
			m.Capabilities[catalog.CapVision] = f
		}, true},
		{"a field no record shows", func(m *catalog.Model, o []*catalog.Offering) {
			m.Aliases = []catalog.Alias{{Source: "x", ID: "m"}}
			o[0].CachedInput = price(fixed(1))
		}, true},
		{"a price", func(m *catalog.Model, o []*catalog.Offering) { o[0].Input = price(fixed(11)) }, false},
		{"changed_at", func(m *catalog.Model, o []*catalog.Offering) { m.Name.ChangedAt = catalog.StampOf(later) }, false},
		{"reviewed_at", func(m *catalog.Model, o []*catalog.Offering) { o[0].Output.ReviewedAt = catalog.StampOf(later) }, false},
		{"a source", func(m *catalog.Model, o []*catalog.Offering) {
			r := m.Name.Source.Ref()
			r.URL = "https://elsewhere.example"
			m.Name.Source = catalog.SourceOf(r)
		}, false},
		{"a capability", func(m *catalog.Model, o []*catalog.Offering) { delete(m.Capabilities, catalog.CapVision) }, false},
		{"stale", func(m *catalog.Model, o []*catalog.Offering) { m.Name.Stale = true }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, o := base()
			tt.edit(m, o)
			if got := fp(m, o); (got == want) != tt.same {
				t.Errorf("fingerprint unchanged: %v, want %v", got == want, tt.same)
			}
		})
	}
}
