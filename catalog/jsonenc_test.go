package catalog

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// reference is the reflective encoding the hand-written one replaces.
func reference[T any](f Fact[T]) []byte {
	if !f.Sourced() {
		b, _ := json.Marshal(factJSON[T]{Status: StatusNotYetSourced})
		return b
	}
	ptr := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		u := t.UTC()
		return &u
	}
	b, err := json.Marshal(factJSON[T]{Status: StatusSourced, Value: &f.Value, Display: f.Display, Raw: f.Raw,
		Source: ptrRef(f.Source.Ref()), RetrievedAt: ptr(f.RetrievedAt.Time()), ChangedAt: ptr(f.ChangedAt.Time()), ReviewedAt: ptr(f.ReviewedAt.Time()),
		Stale: f.Stale, Conflicts: f.Conflicts(), Flags: f.Flags()})
	if err != nil {
		panic(err)
	}
	return b
}

// sameJSON decodes both documents and compares the values.
func sameJSON(t *testing.T, what string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %s does not decode: %v", what, got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

func TestFactJSONMatchesReference(t *testing.T) {
	at := time.Date(2026, 4, 23, 2, 0, 0, 5, time.FixedZone("x", 3600))
	src := SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models?a=<b>&c", Authority: AuthorityProvider, Note: "via \"DeepInfra\"\n\u2028"}
	check := func(name string, got []byte, err error, want []byte) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, name, got, want)
	}
	p := Fact[Price]{Value: Price{Kind: PriceFixed, Amount: 27_000, Rounded: true}, Display: "$0.027", Raw: "0.000000027", Source: SourceOf(src),
		RetrievedAt: StampOf(at), ChangedAt: StampOf(at), ReviewedAt: StampOf(at), Stale: true}.
		WithConflicts([]Conflict{{Display: "$0.03", Raw: "0.03", Source: src, RetrievedAt: at}}).WithFlags([]Flag{{Kind: FlagUnitSlip, Detail: "1000×"}})
	b, err := p.MarshalJSON()
	check("price", b, err, reference(p))
	free := Fact[Price]{Value: Price{Kind: PriceFree}, Display: "free", Source: SourceOf(src), RetrievedAt: StampOf(at)}
	b, err = free.MarshalJSON()
	check("free", b, err, reference(free))
	tok := Fact[Tokens]{Value: Tokens{N: 131072, Display: "128K"}, Display: "128K", Source: SourceOf(src), RetrievedAt: StampOf(at)}
	b, err = tok.MarshalJSON()
	check("tokens", b, err, reference(tok))
	cnt := Fact[Count]{Value: Count{N: 1_230_000_000, Display: "1.23B"}, Display: "1.23B", Source: SourceOf(src)}
	b, err = cnt.MarshalJSON()
	check("count", b, err, reference(cnt))
	d := Fact[Date]{Value: MonthDate(2023, 12), Display: "2023-12", Source: SourceOf(src)}
	b, err = d.MarshalJSON()
	check("date", b, err, reference(d))
	l := Fact[Licence]{Value: Licence{Name: "Llama 3.2 Community License", Class: OpenWeights}, Display: "x", Source: SourceOf(src)}
	b, err = l.MarshalJSON()
	check("licence", b, err, reference(l))
	mods := Fact[[]string]{Value: []string{"text", "image"}, Source: SourceOf(src)}
	b, err = mods.MarshalJSON()
	check("list", b, err, reference(mods))
	yes := Fact[bool]{Value: true, Display: "yes", Source: SourceOf(src)}
	b, err = yes.MarshalJSON()
	check("bool", b, err, reference(yes))
	var none Fact[string]
	b, err = none.MarshalJSON()
	check("not sourced", b, err, reference(none))

	// And back.
	var back Fact[Price]
	pb, _ := p.MarshalJSON()
	if err := json.Unmarshal(pb, &back); err != nil || back.Value != p.Value || !back.RetrievedAt.Equal(StampOf(at)) || back.Source.Ref() != src || len(back.Conflicts()) != 1 {
		t.Errorf("round trip: %+v %v", back, err)
	}
}

// TestRecordJSONMatchesReference holds the hand-written model and offering
// encoders to encoding/json's: a field added to Model or Offering and not
// to AppendJSON fails here.
func TestRecordJSONMatchesReference(t *testing.T) {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	src := SourceRef{Name: "huggingface", URL: "https://huggingface.co/x", Authority: AuthorityCreator}
	str := func(v string) Fact[string] {
		return Fact[string]{Value: v, Display: v, Source: SourceOf(src), RetrievedAt: StampOf(at)}
	}
	m := &Model{ID: "meta/llama-3.2-1b-instruct", Creator: "meta", Name: str("Llama 3.2 1B Instruct"),
		Aliases:         []Alias{{Source: "openrouter", ID: "meta-llama/llama-3.2-1b-instruct"}},
		Released:        Fact[Date]{Value: DayDate(2024, 9, 25), Source: SourceOf(src)},
		ContextWindow:   Fact[Tokens]{Value: Tokens{N: 131072, Display: "128K"}, Source: SourceOf(src)},
		MaxOutput:       Fact[Tokens]{Value: Tokens{N: 4096, Display: "4,096"}, Source: SourceOf(src)},
		Parameters:      Fact[Count]{Value: Count{N: 1_230_000_000, Display: "1.23B"}, Source: SourceOf(src)},
		Architecture:    str("decoder-only transformer"),
		Licence:         Fact[Licence]{Value: Licence{Name: "x", Class: OpenWeights}, Source: SourceOf(src)},
		KnowledgeCutoff: Fact[Date]{Value: MonthDate(2023, 12), Source: SourceOf(src)},
		InputModalities: Fact[[]string]{Value: []string{"text"}, Source: SourceOf(src)},
		OutputModality:  Fact[[]string]{Value: []string{"text"}, Source: SourceOf(src)},
		Capabilities:    map[Capability]Fact[bool]{CapVision: {Value: false, Source: SourceOf(src)}, CapReasoning: {}},
	}
	type plainModel Model
	got, err := m.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal((*plainModel)(m))
	sameJSON(t, "model", got, want)
	empty := &Model{}
	got, _ = empty.AppendJSON(nil)
	want, _ = json.Marshal((*plainModel)(empty))
	sameJSON(t, "empty model", got, want)

	price := func(m Money) Fact[Price] {
		return Fact[Price]{Value: Fixed(m), Source: SourceOf(src), RetrievedAt: StampOf(at)}
	}
	o := &Offering{ModelID: "meta/llama-3.2-1b-instruct", Provider: "bedrock", ProviderModelID: "meta.llama3-2-1b-instruct-v1:0",
		Region: "eu-west-1", Variant: "batch", Input: price(130_000), Output: price(130_000), CachedInput: price(1),
		CacheWrite: price(2), BatchInput: price(3), BatchOutput: price(4),
		Context: Fact[Tokens]{Value: Tokens{N: 131072}, Source: SourceOf(src)}, MaxOutput: Fact[Tokens]{Value: Tokens{N: 4096}, Source: SourceOf(src)},
		Tiers: []PriceTier{{AboveTokens: 272000, Input: price(5)}}}
	type plainOffering Offering
	got, err = o.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ = json.Marshal((*plainOffering)(o))
	sameJSON(t, "offering", got, want)
	bare := &Offering{ModelID: "a/b", Provider: "p"}
	got, _ = bare.AppendJSON(nil)
	want, _ = json.Marshal((*plainOffering)(bare))
	sameJSON(t, "bare offering", got, want)
}

func TestPricePointJSONMatchesReference(t *testing.T) {
	in, out := Fixed(27_000), Price{Kind: PriceFixed, Amount: 201_000, Rounded: true}
	free := Price{Kind: PriceFree}
	type plain PricePoint
	for _, p := range []PricePoint{
		{Run: 1, At: time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC), Input: &in, Output: &out, Source: "https://openrouter.ai/api/v1/models?a=<b>&c"},
		{Run: 2, At: time.Date(2026, 4, 24, 2, 0, 0, 5, time.FixedZone("x", 3600)), Input: &free, CachedInput: &in},
		{Run: 3, At: time.Date(2026, 4, 25, 2, 0, 0, 0, time.UTC), Removed: true},
		{},
	} {
		t.Run(fmt.Sprintf("run %d", p.Run), func(t *testing.T) {
			want, err := json.Marshal(plain(p))
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "price point", p.AppendJSON(nil), want)
		})
	}
}

// TestRunChangeJSONMatchesReference: a change of a run's report is written
// byte for byte as json.Marshal writes it, every field set or not.
func TestRunChangeJSONMatchesReference(t *testing.T) {
	src := SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models?a=1&b=<2>", Authority: AuthorityAggregator, Note: "tier \"x\" \u2028 é"}
	old, nw := Fixed(27_000), Fixed(30_000)
	delta := Money(3_000)
	neg := Money(-1_234_567)
	cases := []RunChange{
		{},
		{Change: Change{Kind: ChangeModelAdded, Model: "meta/llama-3.2-1b-instruct", Source: SourceOf(src)}, Status: ChangePublished},
		{Change: Change{Kind: ChangePrice, Model: "meta/llama-3.2-1b-instruct", Provider: "openrouter", Region: "us-east-1", Variant: ":free",
			Field: "output", Old: "$0.027", New: "$0.03", OldPrice: &old, NewPrice: &nw, Delta: &delta, DeltaPct: "+11.1%",
			Source: SourceOf(src), Detail: "a <b> & \"c\"\n\t\x01 \xff"},
			ModelName: "Meta: Llama 3.2 1B Instruct", Status: ChangeHeld, Hold: 42, Reasons: []string{"jump > 50%", "<script>"}, HoldKey: "k"},
		{Change: Change{Kind: ChangeOfferingRemoved, Delta: &neg, OldPrice: &Price{Kind: PriceFree}}, Reasons: []string{}},
	}
	for i, c := range cases {
		got := c.AppendJSON(nil)
		want, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("change %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func ptrRef(r SourceRef) *SourceRef { return &r }
