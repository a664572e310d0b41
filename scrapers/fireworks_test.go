package scrapers

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/golden"
)

const fwLlama = "accounts/fireworks/models/llama-v3p2-1b-instruct"

var fwTracked = []FireworksModel{{ID: fwLlama, Parameters: 1_230_000_000}}

func fwParse(t *testing.T, models []FireworksModel, body []byte) []catalog.Observation {
	t.Helper()
	s := &Fireworks{Models: models}
	p, err := s.Parse("pricing", Response{URL: s.PricingURL(), Status: 200, Body: body, RetrievedAt: fixtureTime})
	if err != nil {
		t.Fatal(err)
	}
	return p.Observations
}

func TestParseFireworksPricingGolden(t *testing.T) {
	for _, day := range []string{"2026-04-23", "2026-04-24"} {
		obs := fwParse(t, fwTracked, fixtureBody(t, day, "docs.fireworks.ai/serverless/pricing.md"))
		golden.Assert(t, filepath.Join("testdata", "fireworks_pricing_"+day+".golden.json"), observationsJSON(t, obs))
		for f, v := range map[catalog.Field]string{
			catalog.FieldPriceInput: "$0.10", catalog.FieldPriceOutput: "$0.10",
			catalog.FieldPriceBatchInput: "$0.05", catalog.FieldPriceBatchOutput: "$0.05",
		} {
			got := find(obs, fwLlama, f)
			if len(got) != 1 || got[0].Value != v || got[0].Unit != catalog.PerMillion || got[0].Provider != "fireworks" ||
				!strings.HasPrefix(got[0].Note, "tier: Less than 4B parameters") {
				t.Errorf("%s: Llama 3.2 1B %s = %+v; want %s per 1M from the tier, named in the note", day, f, got, v)
			}
		}
		if b := find(obs, fwLlama, catalog.FieldPriceBatchInput); len(b) == 1 && !strings.Contains(b[0].Note, "batch: 50% of serverless pricing") {
			t.Errorf("%s: batch price without its reason: %+v", day, b)
		}
		if c := find(obs, fwLlama, catalog.FieldPriceCachedInput); len(c) != 0 {
			t.Errorf("%s: the tier has no cached-input rate, got %+v", day, c)
		}
		oss := "accounts/fireworks/models/gpt-oss-20b"
		for f, v := range map[catalog.Field]string{catalog.FieldPriceInput: "$0.07", catalog.FieldPriceCachedInput: "$0.035", catalog.FieldPriceOutput: "$0.30", catalog.FieldPriceBatchInput: "$0.035", catalog.FieldPriceBatchOutput: "$0.15"} {
			if got := find(obs, oss, f); len(got) != 1 || got[0].Value != v || got[0].Variant != "" {
				t.Errorf("%s: GPT OSS 20B %s = %+v, want %s", day, f, got, v)
			}
		}
	}
}

// TestParseFireworksPricingCaptureA reads the newer layout: Priority
// prices, a Fast row sharing its model's link, a (US) row, and a tracked
// model that has a row of its own (no tier then).
func TestParseFireworksPricingCaptureA(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "fireworks_pricing_capture_a.md"))
	if err != nil {
		t.Fatal(err)
	}
	models := []FireworksModel{
		{ID: fwLlama, Parameters: 1_230_000_000},
		{ID: "accounts/fireworks/models/qwen3-8b", Parameters: 8_190_000_000},
		{ID: "accounts/fireworks/models/mixtral-8x7b-instruct", Parameters: 46_700_000_000, MoE: true},
		{ID: "accounts/fireworks/models/llama-v3p1-405b-instruct", Parameters: 405_000_000_000},
		{ID: "accounts/fireworks/models/gpt-oss-20b", Parameters: 20_900_000_000, MoE: true},
	}
	obs := fwParse(t, models, body)
	golden.Assert(t, filepath.Join("testdata", "fireworks_pricing_capture_a.golden.json"), observationsJSON(t, obs))
	k3 := "accounts/fireworks/models/kimi-k3"
	cases := []struct {
		subject, region, variant string
		field                    catalog.Field
		want                     string
	}{
		{k3, "", "", catalog.FieldPriceCachedInput, "$0.30"},
		{k3, "", "priority", catalog.FieldPriceOutput, "$18.75"},
		{k3, "", "fast", catalog.FieldPriceInput, "$4.50"},
		{k3, "us", "", catalog.FieldPriceInput, "$4.50"},
		{k3, "us", "priority", catalog.FieldPriceCachedInput, "$0.5625"},
		{k3, "", "", catalog.FieldPriceBatchOutput, "$7.5"},
		{"accounts/fireworks/models/qwen3-8b", "", "", catalog.FieldPriceInput, "$0.20"},
		{"accounts/fireworks/models/mixtral-8x7b-instruct", "", "", catalog.FieldPriceOutput, "$0.50"},
		{"accounts/fireworks/models/llama-v3p1-405b-instruct", "", "", catalog.FieldPriceInput, "$0.90"},
		{"accounts/fireworks/models/gpt-oss-20b", "", "", catalog.FieldPriceInput, "$0.07"},
	}
	for _, c := range cases {
		var got []catalog.Observation
		for _, o := range find(obs, c.subject, c.field) {
			if o.Region == c.region && o.Variant == c.variant {
				got = append(got, o)
			}
		}
		if len(got) != 1 || got[0].Value != c.want {
			t.Errorf("%s [%s/%s] %s = %+v, want %s", c.subject, c.region, c.variant, c.field, got, c.want)
		}
	}
	for _, o := range find(obs, k3, catalog.FieldPriceBatchInput) {
		if o.Variant != "" || o.Region != "" {
			t.Errorf("batch price read for a Fast, Priority or US serving path: %+v", o)
		}
	}
	for _, o := range find(obs, "accounts/fireworks/models/gpt-oss-20b", catalog.FieldPriceInput) {
		if strings.HasPrefix(o.Note, "tier:") {
			t.Errorf("a model with its own row was priced by its tier: %+v", o)
		}
	}
	if mix := find(obs, "accounts/fireworks/models/mixtral-8x7b-instruct", catalog.FieldPriceInput); len(mix) != 1 || mix[0].Note != "tier: MoE up to 56B parameters (e.g. Mixtral 8x7B); batch: 50% of serverless pricing, as the page states" && mix[0].Note != "tier: MoE up to 56B parameters (e.g. Mixtral 8x7B)" {
		t.Errorf("MoE tier note: %+v", mix)
	}
}

func TestFireworksTierLabels(t *testing.T) {
	for label, want := range map[string]struct {
		moe    bool
		in     []int64
		out    []int64
		parsed bool
	}{
		"Less than 4B parameters":     {false, []int64{1_230_000_000, 3_999_999_999}, []int64{4_000_000_000}, true},
		"4B – 16B parameters":         {false, []int64{4_000_000_000, 16_000_000_000}, []int64{3_999_999_999, 16_000_000_001}, true},
		"4B - 16B parameters":         {false, []int64{8_000_000_000}, nil, true},
		"More than 16B parameters":    {false, []int64{16_000_000_001}, []int64{16_000_000_000}, true},
		"up to 16B":                   {false, []int64{16_000_000_000, 1}, []int64{16_000_000_001}, true},
		"16.1B - 80B":                 {false, []int64{16_100_000_000, 80_000_000_000}, []int64{16_050_000_000}, true},
		"MoE 0B - 56B (Mixtral 8x7B)": {true, []int64{46_700_000_000}, []int64{56_100_000_000}, true},
		"MoE 56.1B – 176B parameters (e.g. DBRX, Mixtral 8x22B)": {true, []int64{141_000_000_000}, []int64{56_000_000_000}, true},
		"up to 150M":       {parsed: false},
		"Vision models":    {parsed: false},
		"2B to 9B and 12B": {parsed: false},
	} {
		tier, ok := fwTierLabel(label)
		if ok != want.parsed {
			t.Errorf("%q: parsed %v, want %v", label, ok, want.parsed)
			continue
		}
		for _, n := range want.in {
			if !tier.holds(n, want.moe) {
				t.Errorf("%q does not hold %d", label, n)
			}
			if tier.holds(n, !want.moe) {
				t.Errorf("%q holds %d of the other architecture", label, n)
			}
		}
		for _, n := range want.out {
			if tier.holds(n, want.moe) {
				t.Errorf("%q holds %d", label, n)
			}
		}
	}
}

func TestParseFireworksPricingOtherLayouts(t *testing.T) {
	// The earlier HTML-era columns, and free-text cells.
	body := []byte("| Model | Input | Cached input | Output |\n|---|---|---|---|\n| Kimi K2.6 | $0.95 | $0.16 | $4.00 |\n| Llama 3.1 8B | $0.20 | — | $0.20 |\n\n" +
		"| Model | Price |\n|---|---|\n| DeepSeek V3 | $0.56 input, $0.28 cached, $1.68 output |\n\n" +
		"| Base model parameter count | $/1M tokens |\n|---|---|\n| up to 16B | $0.20 |\n| 16.1B - 80B | $0.90 |\n| MoE 0B - 56B (Mixtral 8x7B) | $0.50 |\n")
	obs := fwParse(t, []FireworksModel{{ID: fwLlama, Parameters: 1_230_000_000}}, body)
	for _, c := range []struct {
		subject string
		field   catalog.Field
		want    string
	}{
		{"kimi-k2.6", catalog.FieldPriceCachedInput, "$0.16"},
		{"llama-3.1-8b", catalog.FieldPriceOutput, "$0.20"},
		{fwLlama, catalog.FieldPriceInput, "$0.20"},
	} {
		if got := find(obs, c.subject, c.field); len(got) != 1 || got[0].Value != c.want {
			t.Errorf("%s %s = %+v, want %s", c.subject, c.field, got, c.want)
		}
	}
	if got := find(obs, "llama-3.1-8b", catalog.FieldPriceCachedInput); len(got) != 0 {
		t.Errorf("a — cell gave a cached price: %+v", got)
	}
	if got := find(obs, fwLlama, catalog.FieldPriceBatchInput); len(got) != 0 {
		t.Errorf("batch prices without the page saying so: %+v", got)
	}
	if n := find(obs, fwLlama, catalog.FieldPriceInput); len(n) != 1 || n[0].Note != "tier: up to 16B" {
		t.Errorf("older tier wording: %+v", n)
	}
}

func TestParseFireworksPricingErrors(t *testing.T) {
	page := string(fixtureBody(t, "2026-04-24", "docs.fireworks.ai/serverless/pricing.md"))
	tierStart := strings.Index(page, "| Less than 4B")
	tierEnd := strings.Index(page, "## Embeddings")
	for name, c := range map[string]struct {
		body   string
		models []FireworksModel
		markup bool
	}{
		"html challenge":    {`<html><head><title>Just a moment...</title></head></html>`, fwTracked, true},
		"no tier table":     {page[:tierStart] + page[tierEnd:], fwTracked, true},
		"no model table":    {strings.Replace(page, "| Model | Standard | Priority |", "| Name | Cost | Fast cost |", 1), fwTracked, true},
		"tier falls apart":  {strings.Replace(page, "| Less than 4B parameters |", "| Small models |", 1), fwTracked, true},
		"no tier fits":      {page, []FireworksModel{{ID: "y", Parameters: 500_000_000_000, MoE: true}}, true},
		"bad cell":          {strings.Replace(page, `\$0.07 / \$0.035 / \$0.30`, "call us", 1), fwTracked, true},
		"four prices":       {strings.Replace(page, `\$0.07 / \$0.035 / \$0.30`, `\$1 / \$2 / \$3 / \$4`, 1), fwTracked, true},
		"row twice":         {strings.Replace(page, "| [Kimi K2.6]", "| [OpenAI GPT OSS 20B](https://app.fireworks.ai/models/fireworks/gpt-oss-20b) | \\$1 | — |\n| [Kimi K2.6]", 1), fwTracked, false},
		"overlapping tiers": {strings.Replace(page, "| 4B – 16B parameters |", "| up to 16B |", 1), fwTracked, false},
	} {
		_, err := ParseFireworksPricing(c.models, Response{Body: []byte(c.body)})
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if c.markup && !errors.Is(err, ErrMarkup) {
			t.Errorf("%s: %v does not wrap ErrMarkup", name, err)
		}
	}
}

func TestScaleUSD(t *testing.T) {
	for in, want := range map[string]string{"$0.10": "$0.05", "$3.00": "$1.5", "$0.035": "$0.0175", "$0.000001": "$0.0000005", "$1,200": "$600"} {
		if got, err := scaleUSD(in, 50); err != nil || got != want {
			t.Errorf("scaleUSD(%s, 50) = %s, %v; want %s", in, got, err, want)
		}
	}
}

func FuzzParseFireworksPricing(f *testing.F) {
	f.Add(fixtureBody(f, "2026-04-23", "docs.fireworks.ai/serverless/pricing.md"))
	if b, err := os.ReadFile(filepath.Join("testdata", "fireworks_pricing_capture_a.md")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("| Model | Input | Output |\n|-|-|\n| [A](/models/a/b) | 1 | 2 |\n| Model | $/1M |\n| up to 9B | $1, $0.5 cached |\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		obs, err := ParseFireworksPricing(fwTracked, Response{URL: "https://docs.fireworks.ai/serverless/pricing.md", Body: body})
		if err != nil {
			return
		}
		if len(obs) == 0 {
			t.Fatal("no error and no observations")
		}
		tracked := false
		for _, o := range obs {
			if o.Provider != "fireworks" || o.Value == "" {
				t.Fatalf("observation %+v", o)
			}
			tracked = tracked || o.Subject == fwLlama
		}
		if !tracked {
			t.Fatal("the tracked model was neither in a row nor priced by a tier, and no error said so")
		}
	})
}

// TestFireworksMissingTierTableInRunStats replays a page whose tier table
// is gone through the real collector: the run stats name the parse error.
func TestFireworksMissingTierTableInRunStats(t *testing.T) {
	page := string(fixtureBody(t, "2026-04-24", "docs.fireworks.ai/serverless/pricing.md"))
	page = page[:strings.Index(page, "| Model | \\$ / 1M tokens |")] + page[strings.Index(page, "## Embeddings"):]
	day := fstest.MapFS{
		"manifest.json": {Data: []byte(`{"day":"t","recorded_at":"2026-04-25T02:00:00Z","responses":[
			{"url":"https://docs.fireworks.ai/serverless/pricing.md","status":200,"headers":{"Content-Type":"text/markdown"},"body":"pricing.md"}]}`)},
		"pricing.md": {Data: []byte(page)},
	}
	rt, err := NewReplay(day)
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions()
	o.Transport = rt
	out, err := Crawl(context.Background(), o, []Source{&Fireworks{Models: fwTracked}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := statsOf(out, "fireworks")
	if s.Status != catalog.SourceFailed || len(s.Errors) != 1 || !strings.Contains(s.Errors[0], "parameter-size tier table not found: expected markup not found") {
		t.Errorf("stats %+v; want the missing tier table named", s)
	}
}

func BenchmarkParseFireworksPricing(b *testing.B) {
	body := fixtureBody(b, "2026-04-24", "docs.fireworks.ai/serverless/pricing.md")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFireworksPricing(fwTracked, Response{Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}
