package normalize

import (
	"errors"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

func TestPrice(t *testing.T) {
	tests := []struct {
		raw     string
		unit    catalog.Unit
		kind    catalog.PriceKind
		micros  catalog.Money
		rounded bool
	}{
		{"0.000000027", catalog.PerToken, catalog.PriceFixed, 27_000, false},
		{"0.0000002", catalog.PerToken, catalog.PriceFixed, 200_000, false},
		{"0.000000201", catalog.PerToken, catalog.PriceFixed, 201_000, false},
		{"1.75e-06", catalog.PerToken, catalog.PriceFixed, 1_750_000, false},
		{"0.00000008333333333333334", catalog.PerToken, catalog.PriceFixed, 83_333, true},
		{"0.0001000000", catalog.PerThousand, catalog.PriceFixed, 100_000, false},
		{"0.00013", catalog.PerThousand, catalog.PriceFixed, 130_000, false},
		{"$1.75", catalog.PerMillion, catalog.PriceFixed, 1_750_000, false},
		{"$14.00", catalog.PerMillion, catalog.PriceFixed, 14_000_000, false},
		{`\$0.10`, catalog.PerMillion, catalog.PriceFixed, 100_000, false},
		{"$1,250.50 / 1M tokens", catalog.PerMillion, catalog.PriceFixed, 1_250_500_000, false},
		{"0.0006000000000000001", catalog.PerMillion, catalog.PriceFixed, 600, true},
		{"USD 0.2 per 1M tokens", catalog.PerMillion, catalog.PriceFixed, 200_000, false},
		{"-1", catalog.PerToken, catalog.PriceVariable, 0, false},
		{"Variable", catalog.PerMillion, catalog.PriceVariable, 0, false},
		{"Free", catalog.PerMillion, catalog.PriceFree, 0, false},
		{"0", catalog.PerToken, catalog.PriceFree, 0, false},
		{"0.0000000000001", catalog.PerToken, catalog.PriceFixed, 1, true},
	}
	for _, tt := range tests {
		p, err := Price(tt.raw, tt.unit)
		if err != nil {
			t.Errorf("Price(%q, %s): %v", tt.raw, tt.unit, err)
			continue
		}
		if p.Kind != tt.kind || p.Amount != tt.micros || p.Rounded != tt.rounded {
			t.Errorf("Price(%q, %s) = %+v, want %s %d rounded=%v", tt.raw, tt.unit, p, tt.kind, tt.micros, tt.rounded)
		}
	}
	for _, bad := range []string{"", "n/a", "—", "abc", "-0.5", "1.2.3", "$", "1e999999"} {
		if _, err := Price(bad, catalog.PerMillion); !errors.Is(err, ErrPrice) {
			t.Errorf("Price(%q) error %v, want ErrPrice", bad, err)
		}
	}
	if _, err := Price("1", "usd/furlong"); err == nil {
		t.Error("unknown unit accepted")
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		raw     string
		n       int64
		display string
	}{
		{"128k", 131_072, "128K"},
		{"128K", 131_072, "128K"},
		{"131,072", 131_072, "131,072"},
		{"400,000", 400_000, "400,000"},
		{"60000", 60_000, "60,000"},
		{"400K", 400_000, "400K"},
		{"8k", 8_192, "8K"},
		{"1M", 1_000_000, "1M"},
		{"16,384 tokens", 16_384, "16,384"},
	}
	for _, tt := range tests {
		got, err := Tokens(tt.raw)
		if err != nil || got.N != tt.n || got.Display != tt.display {
			t.Errorf("Tokens(%q) = %+v, %v; want %d %q", tt.raw, got, err, tt.n, tt.display)
		}
	}
	for _, bad := range []string{"0", "", "lots", "-5", "1.5"} {
		if _, err := Tokens(bad); err == nil {
			t.Errorf("Tokens(%q) accepted", bad)
		}
	}
}

func TestParameters(t *testing.T) {
	tests := []struct {
		raw     string
		n       int64
		display string
	}{
		{"1.23B", 1_230_000_000, "1.23B"},
		{"1B (1.23B)", 1_230_000_000, "1.23B"},
		{"1B", 1_000_000_000, "1B"},
		{"70.6B", 70_600_000_000, "70.6B"},
		{"405 billion", 405_000_000_000, "405B"},
		{"1235814400", 1_235_814_400, "1,235,814,400"},
	}
	for _, tt := range tests {
		got, err := Parameters(tt.raw)
		if err != nil || got.N != tt.n || got.Display != tt.display {
			t.Errorf("Parameters(%q) = %+v, %v; want %d %q", tt.raw, got, err, tt.n, tt.display)
		}
	}
	if _, err := Parameters("not disclosed"); err == nil {
		t.Error("Parameters(not disclosed) accepted")
	}
}

func TestDate(t *testing.T) {
	tests := map[string]string{
		"Sept 25, 2024":        "2024-09-25",
		"September 25, 2024":   "2024-09-25",
		"Sep 25 2024":          "2024-09-25",
		"25 September 2024":    "2024-09-25",
		"2024-09-25":           "2024-09-25",
		"December 2023":        "2023-12",
		"2023-12":              "2023-12",
		"2023-12-31":           "2023-12-31",
		"Aug 31, 2025":         "2025-08-31",
		"1727222400":           "2024-09-25",
		"2026-02-24T18:52:44Z": "2026-02-24",
		"2024":                 "2024",
	}
	for raw, want := range tests {
		d, err := Date(raw)
		if err != nil || d.String() != want {
			t.Errorf("Date(%q) = %v, %v; want %s", raw, d, err, want)
		}
	}
	for _, bad := range []string{"Smarch 3, 2024", "2024-02-30", "soon", "", "13/01/2024"} {
		if _, err := Date(bad); err == nil {
			t.Errorf("Date(%q) accepted", bad)
		}
	}
	a, _ := Date("2023-12")
	b, _ := Date("2023-12-31")
	c, _ := Date("2024-01-01")
	if !SameDate(a, b) || SameDate(a, c) {
		t.Error("SameDate: 2023-12 agrees with 2023-12-31 and not with 2024-01-01")
	}
}

func TestLicence(t *testing.T) {
	tests := map[string]catalog.Licence{
		"llama3.2":                    {Name: "Llama 3.2 Community License", Class: catalog.OpenWeights},
		"Llama 3.2 Community License": {Name: "Llama 3.2 Community License", Class: catalog.OpenWeights},
		"apache-2.0":                  {Name: "Apache-2.0", Class: catalog.OpenSource},
		"MIT":                         {Name: "MIT", Class: catalog.OpenSource},
		"proprietary":                 {Name: "Proprietary", Class: catalog.Proprietary},
	}
	for raw, want := range tests {
		if got, err := Licence(raw); err != nil || got != want {
			t.Errorf("Licence(%q) = %+v, %v; want %+v", raw, got, err, want)
		}
	}
	if _, err := Licence("who knows"); err == nil {
		t.Error("unknown licence accepted")
	}
}

func TestResolve(t *testing.T) {
	r, err := NewResolver(map[string]string{"bitdeer:llama-3.2-1b": "meta/llama-3.2-1b-instruct"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		source, id, want, variant string
	}{
		{"openrouter", "meta-llama/llama-3.2-1b-instruct", "meta/llama-3.2-1b-instruct", ""},
		{"huggingface", "meta-llama/Llama-3.2-1B-Instruct", "meta/llama-3.2-1b-instruct", ""},
		{"fireworks", "accounts/fireworks/models/llama-v3p2-1b-instruct", "meta/llama-3.2-1b-instruct", ""},
		{"bedrock", "meta.llama3-2-1b-instruct-v1:0", "meta/llama-3.2-1b-instruct", ""},
		{"bedrock", "us.meta.llama3-2-1b-instruct-v1:0", "meta/llama-3.2-1b-instruct", ""},
		{"cloudflare", "@cf/meta/llama-3.2-1b-instruct", "meta/llama-3.2-1b-instruct", ""},
		{"nvidia-nim", "meta/llama-3.2-1b-instruct", "meta/llama-3.2-1b-instruct", ""},
		{"openrouter", "openai/gpt-5.3-codex", "openai/gpt-5.3-codex", ""},
		{"openrouter", "meta-llama/llama-3.2-3b-instruct:free", "meta/llama-3.2-3b-instruct", "free"},
		{"openrouter", "qwen/qwen-plus-2025-07-28:thinking", "qwen/qwen-plus-2025-07-28", "thinking"},
		{"bitdeer", "llama-3.2-1b", "meta/llama-3.2-1b-instruct", ""},
		{"huggingface", "meta-llama/Meta-Llama-3-8B-Instruct", "meta/llama-3-8b-instruct", ""},
	}
	for _, tt := range tests {
		got, err := r.Resolve(tt.source, tt.id)
		if err != nil || got.ID != tt.want || got.Variant != tt.variant {
			t.Errorf("Resolve(%s, %q) = %+v, %v; want %s %q", tt.source, tt.id, got, err, tt.want, tt.variant)
		}
	}
	for _, id := range []string{"openrouter/auto", "~anthropic/claude-opus-latest", "", "mystery-model"} {
		if _, err := r.Resolve("openrouter", id); !errors.Is(err, ErrUnmatched) {
			t.Errorf("Resolve(%q) error %v, want ErrUnmatched", id, err)
		}
	}
	// Two different models never collapse.
	a, _ := r.Resolve("openrouter", "meta-llama/llama-3.2-1b-instruct")
	b, _ := r.Resolve("openrouter", "meta-llama/llama-3.2-3b-instruct")
	if a.ID == b.ID {
		t.Error("1B and 3B resolved to one id")
	}
	if _, err := NewResolver(map[string]string{"x": "Not An Id"}); err == nil {
		t.Error("bad alias target accepted")
	}
}

func obs(source string, auth catalog.Authority, subject string, f catalog.Field, v string) catalog.Observation {
	return catalog.Observation{Source: source, URL: "https://" + source + ".example/x", Authority: auth, Subject: subject, Field: f, Value: v,
		RetrievedAt: time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)}
}

func TestNormalizePrecedenceAndConflicts(t *testing.T) {
	day1 := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	pages := []catalog.Page{
		{Source: "huggingface", Observations: []catalog.Observation{
			obs("huggingface", catalog.AuthorityCreator, "meta-llama/Llama-3.2-1B-Instruct", catalog.FieldReleased, "Sept 25, 2024"),
			obs("huggingface", catalog.AuthorityCreator, "meta-llama/Llama-3.2-1B-Instruct", catalog.FieldContext, "128k"),
			obs("huggingface", catalog.AuthorityCreator, "meta-llama/Llama-3.2-1B-Instruct", catalog.FieldKnowledgeCutoff, "December 2023"),
		}},
		{Source: "openrouter", Observations: []catalog.Observation{
			obs("openrouter", catalog.AuthorityAggregator, "meta-llama/llama-3.2-1b-instruct", catalog.FieldReleased, "2024-10-24"),
			obs("openrouter", catalog.AuthorityAggregator, "meta-llama/llama-3.2-1b-instruct", catalog.FieldKnowledgeCutoff, "2023-12-31"),
			obs("openrouter", catalog.AuthorityAggregator, "meta-llama/llama-3.2-1b-instruct", catalog.FieldSupportedParameters, "max_tokens,temperature"),
			{Source: "openrouter", Authority: catalog.AuthorityProvider, Subject: "meta-llama/llama-3.2-1b-instruct", Provider: "openrouter", Field: catalog.FieldPriceInput, Value: "0.000000027", Unit: catalog.PerToken, RetrievedAt: day1},
			{Source: "openrouter", Authority: catalog.AuthorityProvider, Subject: "meta-llama/llama-3.2-1b-instruct", Provider: "openrouter", Field: catalog.FieldPriceOutput, Value: "not a price", Unit: catalog.PerToken, RetrievedAt: day1},
			obs("openrouter", catalog.AuthorityAggregator, "openrouter/auto", catalog.FieldName, "Auto Router"),
		}},
		{Source: "litellm", Observations: []catalog.Observation{
			obs("litellm", catalog.AuthorityCrossCheck, "some/cross-check-only", catalog.FieldContext, "1000"),
		}},
	}
	res := Normalize(Input{Pages: pages, Now: day1})
	snap := res.Snapshot
	if len(snap.Models) != 1 {
		t.Fatalf("models %v; want only Llama (cross-checks never make a model)", snap.ModelIDs())
	}
	m := snap.Models["meta/llama-3.2-1b-instruct"]
	if m.Released.Value.String() != "2024-09-25" || m.Released.Source.Name != "huggingface" {
		t.Errorf("released %+v; the creator's card must win", m.Released)
	}
	if len(m.Released.Conflicts) != 1 || m.Released.Conflicts[0].Display != "2024-10-24" {
		t.Errorf("the aggregator's date must be kept as a conflict: %+v", m.Released.Conflicts)
	}
	if len(m.KnowledgeCutoff.Conflicts) != 0 {
		t.Errorf("2023-12 and 2023-12-31 agree, yet: %+v", m.KnowledgeCutoff.Conflicts)
	}
	if catalog.TriOf(m.Capabilities[catalog.CapFunctionCalling]) != catalog.No || catalog.TriOf(m.Capabilities[catalog.CapCodeExecution]) != catalog.Unknown {
		t.Errorf("capabilities %+v", m.Capabilities)
	}
	if m.Parameters.Sourced() {
		t.Error("parameters sourced from nowhere")
	}
	o := snap.Offerings[catalog.OfferingKey("meta/llama-3.2-1b-instruct", "openrouter", "", "")]
	if o == nil || o.Input.Value != catalog.Fixed(27_000) || o.Output.Sourced() {
		t.Errorf("offering %+v; the unreadable output must be left out, not zero", o)
	}
	if len(res.Warnings) != 1 {
		t.Errorf("warnings %v; want the unreadable price named", res.Warnings)
	}
	if len(snap.Unmatched) != 1 || snap.Unmatched[0].ID != "openrouter/auto" {
		t.Errorf("unmatched %+v", snap.Unmatched)
	}

	// The next day: same values keep changed_at; a new price changes it.
	day2 := day1.Add(24 * time.Hour)
	m.Released.ReviewedAt = day1
	for i := range pages[1].Observations {
		o := &pages[1].Observations[i]
		o.RetrievedAt = day2
		if o.Field == catalog.FieldPriceInput {
			o.Value = "0.00000003"
		}
	}
	next := Normalize(Input{Pages: pages, Previous: snap, Now: day2}).Snapshot
	m2 := next.Models["meta/llama-3.2-1b-instruct"]
	if !m2.Released.ChangedAt.Equal(day1) || !m2.Released.ReviewedAt.Equal(day1) {
		t.Errorf("unchanged fact: changed %v reviewed %v; want both kept", m2.Released.ChangedAt, m2.Released.ReviewedAt)
	}
	o2 := next.Offerings[catalog.OfferingKey("meta/llama-3.2-1b-instruct", "openrouter", "", "")]
	if !o2.Input.ChangedAt.Equal(day2) || !o2.Input.RetrievedAt.Equal(day2) || o2.Input.Value.Amount != 30_000 {
		t.Errorf("changed price: %+v", o2.Input)
	}
}

func FuzzPrice(f *testing.F) {
	for _, s := range []string{"0.000000027", "1.75e-06", "$1,250.50 / 1M tokens", "-1", "Free", "0.0006000000000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, u := range []catalog.Unit{catalog.PerToken, catalog.PerThousand, catalog.PerMillion} {
			p, err := Price(s, u)
			if err != nil {
				continue
			}
			if p.Kind == catalog.PriceFixed && p.Amount <= 0 {
				t.Fatalf("Price(%q, %s) = %+v: a fixed price must be positive", s, u, p)
			}
			if p.Kind != catalog.PriceFixed && p.Amount != 0 {
				t.Fatalf("Price(%q) = %+v: only fixed prices carry an amount", s, p)
			}
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"Sept 25, 2024", "2023-12", "1727222400", "December 2023"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Date(s)
		if err != nil {
			return
		}
		back, err := catalog.ParseISODate(d.String())
		if err != nil || back != d {
			t.Fatalf("Date(%q) = %v does not round-trip: %v", s, d, err)
		}
	})
}

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"128k", "131,072", "400,000", "1M"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tk, err := Tokens(s); err == nil && tk.N <= 0 {
			t.Fatalf("Tokens(%q) = %+v", s, tk)
		}
		if c, err := Parameters(s); err == nil && c.N <= 0 {
			t.Fatalf("Parameters(%q) = %+v", s, c)
		}
	})
}

func FuzzResolve(f *testing.F) {
	for _, s := range []string{"meta-llama/llama-3.2-1b-instruct", "accounts/fireworks/models/llama-v3p2-1b-instruct", "us.meta.llama3-2-1b-instruct-v1:0", "x:free"} {
		f.Add(s)
	}
	r, _ := NewResolver(nil)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := r.Resolve("fuzz", s)
		if err != nil {
			return
		}
		if _, _, err := catalog.SplitID(got.ID); err != nil {
			t.Fatalf("Resolve(%q) = %q, not a canonical id: %v", s, got.ID, err)
		}
	})
}
