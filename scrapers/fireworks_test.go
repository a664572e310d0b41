package scrapers

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/fixtures"
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
		t.Run(day, func(t *testing.T) {
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
		})
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
		t.Run(strings.Join(strings.Fields(path.Base(c.subject)+" "+c.region+" "+c.variant+" "+string(c.field)), " "), func(t *testing.T) {
			var got []catalog.Observation
			for _, o := range find(obs, c.subject, c.field) {
				if o.Region == c.region && o.Variant == c.variant {
					got = append(got, o)
				}
			}
			if len(got) != 1 || got[0].Value != c.want {
				t.Errorf("%s [%s/%s] %s = %+v, want %s", c.subject, c.region, c.variant, c.field, got, c.want)
			}
		})
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

// TestParseFireworksPricingLiveLayout reads the page in the layout the
// live page has now (the layout day 2026-12-04): a documentation-index
// preamble, padded cells, serving-path words after names that share the
// base row's link ("Kimi K3 Fast", "Kimi K3 US", "GLM 5.2 Fast US",
// "OpenAI GPT OSS 20B (EU)"), dated and labelled suffixes with links of
// their own, a named model in the embeddings table. Every row is placed,
// and Llama 3.2 1B Instruct gets its size tier's price.
func TestParseFireworksPricingLiveLayout(t *testing.T) {
	p, err := ParseFireworksPricing(fwTracked, Response{URL: "https://docs.fireworks.ai/serverless/pricing.md", Status: 200,
		Body: fixtureBody(t, "2026-12-04", "docs.fireworks.ai/serverless/pricing.md"), RetrievedAt: fixtureTime})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %q; every row of the live layout has a place", p.Warnings)
	}
	golden.Assert(t, filepath.Join("testdata", "fireworks_pricing_2026-12-04.golden.json"), observationsJSON(t, p.Observations))
	const m = "accounts/fireworks/models/"
	type offering struct{ subject, region, variant string }
	want := map[offering]string{ // input price of every offering the page lists
		{m + "kimi-k3", "", ""}: "$3.00", {m + "kimi-k3", "", "priority"}: "$3.75", {m + "kimi-k3", "", "fast"}: "$4.50",
		{m + "kimi-k3", "us", ""}: "$4.50", {m + "kimi-k3", "us", "priority"}: "$5.625",
		{m + "kimi-k3-preview", "", ""}: "$2.40", {m + "kimi-k2p6", "", ""}: "$0.95",
		{m + "glm-5p2", "", ""}: "$1.00", {m + "glm-5p2", "", "priority"}: "$1.25", {m + "glm-5p2", "", "fast"}: "$1.50",
		{m + "glm-5p2", "us", "fast"}:     "$1.50",
		{m + "deepseek-v4-flash", "", ""}: "$0.30", {m + "deepseek-v4-flash-0731", "", ""}: "$0.28",
		{m + "gpt-oss-20b", "", ""}: "$0.07", {m + "gpt-oss-20b", "eu", ""}: "$0.077",
		{m + "qwen3-embedding-8b", "", ""}: "$0.10",
		{fwLlama, "", ""}:                  "$0.10",
	}
	got := map[offering]string{}
	for _, o := range p.Observations {
		if o.Field == catalog.FieldPriceInput {
			k := offering{o.Subject, o.Region, o.Variant}
			if _, dup := got[k]; dup {
				t.Errorf("%+v priced twice", k)
			}
			got[k] = o.Value
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%+v input = %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected offering %+v", k)
		}
	}
	if o := find(p.Observations, fwLlama, catalog.FieldPriceOutput); len(o) != 1 || o[0].Value != "$0.10" || o[0].Note != "tier: Less than 4B parameters" {
		t.Errorf("Llama 3.2 1B output %+v, want $0.10 from the tier", o)
	}
	for _, o := range find(p.Observations, m+"qwen3-embedding-8b", catalog.FieldPriceOutput) {
		t.Errorf("an embedding model priced for output: %+v", o)
	}
	for _, o := range p.Observations {
		if (o.Region != "" || o.Variant != "") && (o.Field == catalog.FieldPriceBatchInput || o.Field == catalog.FieldPriceBatchOutput) {
			t.Errorf("batch price for a serving path: %+v", o)
		}
		if o.Subject == m+"kimi-k3" && o.SubjectName != "Kimi K3" {
			t.Errorf("Kimi K3's offering named %q", o.SubjectName)
		}
	}
}

func TestFireworksQualifiers(t *testing.T) {
	for _, c := range []struct{ name, base, region, variant string }{
		{"Kimi K3", "Kimi K3", "", ""},
		{"Kimi K3 Fast", "Kimi K3", "", "fast"},
		{"Kimi K3 US", "Kimi K3", "us", ""},
		{"Kimi K3 (US)", "Kimi K3", "us", ""},
		{"GLM 5.2 Fast US", "GLM 5.2", "us", "fast"},
		{"GLM 5.2 US Fast", "GLM 5.2", "us", "fast"},
		{"GLM 5.2 (Fast, US)", "GLM 5.2", "us", "fast"},
		{"GLM 5.2 Fast (EU)", "GLM 5.2", "eu", "fast"},
		{"DeepSeek V4 Flash (0731)", "DeepSeek V4 Flash (0731)", "", ""},
		{"Kimi K3 (Preview) US", "Kimi K3 (Preview)", "us", ""},
		{"Kimi K3 Turbo", "Kimi K3 Turbo", "", ""},
		{"Fast", "Fast", "", ""},
		{"Kimi K3 US EU", "Kimi K3 US", "eu", ""},
		{"Kimi K3 Fast Fast", "Kimi K3 Fast", "", "fast"},
		{"Kimi K3 ()", "Kimi K3 ()", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, r, v := fwQualifiers(c.name)
			if b != c.base || r != c.region || v != c.variant {
				t.Errorf("fwQualifiers(%q) = %q, %q, %q; want %q, %q, %q", c.name, b, r, v, c.base, c.region, c.variant)
			}
		})
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
		t.Run(label, func(t *testing.T) {
			tier, ok := fwTierLabel(label)
			if ok != want.parsed {
				t.Errorf("%q: parsed %v, want %v", label, ok, want.parsed)
				return
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
		})
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
		t.Run(path.Base(c.subject)+" "+string(c.field), func(t *testing.T) {
			if got := find(obs, c.subject, c.field); len(got) != 1 || got[0].Value != c.want {
				t.Errorf("%s %s = %+v, want %s", c.subject, c.field, got, c.want)
			}
		})
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
	}{
		"html challenge": {`<html><head><title>Just a moment...</title></head></html>`, fwTracked},
		"no tier table":  {page[:tierStart] + page[tierEnd:], fwTracked},
		"no model table": {strings.Replace(page, "| Model | Standard | Priority |", "| Name | Cost | Fast cost |", 1), fwTracked},
		"most rows unreadable": {strings.NewReplacer(`\$0.07 / \$0.035 / \$0.30`, "call us", `\$0.95 / \$0.16 / \$4.00`, "ask",
			"| 4B – 16B parameters |", "| Mid-size |", "| More than 16B parameters |", "| Large |", "| MoE up to 56B", "| Mixture up to 56B").Replace(page), fwTracked},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseFireworksPricing(c.models, Response{Body: []byte(c.body)})
			if !errors.Is(err, ErrMarkup) {
				t.Errorf("error %v, want one wrapping ErrMarkup", err)
			}
		})
	}
}

// TestParseFireworksPricingRowWarnings: a row the parser cannot place is
// left out with a warning naming it, and the rest of the page stands.
func TestParseFireworksPricingRowWarnings(t *testing.T) {
	page := string(fixtureBody(t, "2026-04-24", "docs.fireworks.ai/serverless/pricing.md"))
	oss := "accounts/fireworks/models/gpt-oss-20b"
	k26 := "accounts/fireworks/models/kimi-k2p6"
	ossRow := "| [OpenAI GPT OSS 20B](https://app.fireworks.ai/models/fireworks/gpt-oss-20b) | \\$0.07 / \\$0.035 / \\$0.30 | — |\n"
	for name, c := range map[string]struct {
		body    string
		models  []FireworksModel
		warning string
		gone    string // a subject the page no longer prices
	}{
		"bad cell":    {strings.Replace(page, `\$0.07 / \$0.035 / \$0.30`, "call us", 1), fwTracked, `row "OpenAI GPT OSS 20B": standard: price "call us" unreadable`, oss},
		"four prices": {strings.Replace(page, `\$0.07 / \$0.035 / \$0.30`, `\$1 / \$2 / \$3 / \$4`, 1), fwTracked, "want input / cached input / output", oss},
		"no id":       {strings.Replace(page, "| [Kimi K2.6](https://app.fireworks.ai/models/fireworks/kimi-k2p6)", "| Kimi/K2.6", 1), fwTracked, "no model id", k26},
		"same row twice": {strings.Replace(page, ossRow, ossRow+ossRow, 1), fwTracked,
			`row "OpenAI GPT OSS 20B" lists accounts/fireworks/models/gpt-oss-20b again with the same prices: the second row dropped`, ""},
		"conflicting row": {strings.Replace(page, ossRow, ossRow+strings.Replace(ossRow, "0.07", "0.08", 1), 1), fwTracked,
			`again with other prices ($0.08 / $0.035 / $0.30, against $0.07 / $0.035 / $0.30 in row "OpenAI GPT OSS 20B"): the first row kept`, ""},
		"unknown variant word": {strings.Replace(page, ossRow, ossRow+strings.Replace(ossRow, "GPT OSS 20B]", "GPT OSS 20B Turbo]", 1), 1), fwTracked,
			`row "OpenAI GPT OSS 20B Turbo" shares the link of "OpenAI GPT OSS 20B", and "Turbo" names no serving path llmref knows`, ""},
		"tier falls apart": {strings.Replace(page, "| Less than 4B parameters |", "| Small models |", 1), fwTracked,
			"falls in no size tier of the page: not priced", fwLlama},
		"no tier fits": {page, append([]FireworksModel{{ID: "y", Parameters: 500_000_000_000, MoE: true}}, fwTracked...),
			"y (MoE, 500B parameters) has no row and falls in no size tier of the page", "y"},
		"overlapping tiers": {strings.Replace(page, "| 4B – 16B parameters |", "| up to 16B |", 1), fwTracked, "falls in 2 size tiers", fwLlama},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := ParseFireworksPricing(c.models, Response{Body: []byte(c.body)})
			if err != nil {
				t.Fatalf("a page with one bad row failed: %v", err)
			}
			if !slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, c.warning) }) {
				t.Errorf("warnings %q, want one saying %q", p.Warnings, c.warning)
			}
			for _, s := range []string{oss, k26, fwLlama} {
				if s == c.gone {
					continue
				}
				if got := find(p.Observations, s, catalog.FieldPriceInput); len(got) != 1 {
					t.Errorf("%s: input prices %+v, want the one its row or tier gives", s, got)
				}
			}
			if c.gone != "" {
				if got := find(p.Observations, c.gone, catalog.FieldPriceInput); len(got) != 0 {
					t.Errorf("%s priced from a row it cannot place: %+v", c.gone, got)
				}
			}
			if got := find(p.Observations, oss, catalog.FieldPriceInput); c.gone != oss && (len(got) != 1 || got[0].Value != "$0.07") {
				t.Errorf("GPT OSS 20B input %+v, want the first row's $0.07", got)
			}
		})
	}
}

func TestScaleUSD(t *testing.T) {
	for in, want := range map[string]string{"$0.10": "$0.05", "$3.00": "$1.5", "$0.035": "$0.0175", "$0.000001": "$0.0000005", "$1,200": "$600"} {
		t.Run(in, func(t *testing.T) {
			if got, err := scaleUSD(in, 50); err != nil || got != want {
				t.Errorf("scaleUSD(%s, 50) = %s, %v; want %s", in, got, err, want)
			}
		})
	}
}

func FuzzParseFireworksPricing(f *testing.F) {
	f.Add(fixtureBody(f, "2026-04-23", "docs.fireworks.ai/serverless/pricing.md"))
	if b, err := os.ReadFile(filepath.Join("testdata", "fireworks_pricing_capture_a.md")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("| Model | Input | Output |\n|-|-|\n| [A](/models/a/b) | 1 | 2 |\n| Model | $/1M |\n| up to 9B | $1, $0.5 cached |\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseFireworksPricing(fwTracked, Response{URL: "https://docs.fireworks.ai/serverless/pricing.md", Body: body})
		if err != nil {
			return
		}
		checkParsed(t, p)
		tracked := false
		for _, o := range p.Observations {
			if o.Provider != "fireworks" || o.Value == "" {
				t.Fatalf("observation %+v", o)
			}
			tracked = tracked || o.Subject == fwLlama
		}
		if !tracked && !slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.HasPrefix(w, fwLlama+" ") }) {
			t.Fatal("the tracked model was neither in a row nor priced by a tier, and no warning said so")
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

// TestFireworksLiveLayoutCrawl replays the live-layout day through the
// real collector: the source is ok with every row placed; with one row it
// cannot place, the source is still ok, the rest of the page is read, and
// the run stats carry the warning after the page's URL, again in a run
// that finds the page unchanged.
func TestFireworksLiveLayoutCrawl(t *testing.T) {
	const page = "docs.fireworks.ai/serverless/pricing.md"
	src := []Source{&Fireworks{Models: fwTracked}}
	crawl := func(t *testing.T, fsys fs.FS, prev map[string]catalog.Page) *Outcome {
		t.Helper()
		rt, err := NewReplay(fsys)
		if err != nil {
			t.Fatal(err)
		}
		o := testOptions()
		o.Transport = rt
		out, err := Crawl(context.Background(), o, src, prev)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Run("live layout", func(t *testing.T) {
		day, err := fixtures.Day("2026-12-04")
		if err != nil {
			t.Fatal(err)
		}
		s := statsOf(crawl(t, day, nil), "fireworks")
		if s.Status != catalog.SourceOK || s.Observations != 81 || len(s.Errors) != 0 || s.WarningCount() != 0 {
			t.Errorf("stats %+v; want ok, 81 observations, no error or warning", s)
		}
	})
	t.Run("one row it cannot place", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "day")
		err := fixtures.CopyDay("2026-12-04", dir, func(p string, b []byte) ([]byte, error) {
			if p != page {
				return b, nil
			}
			row := []byte("| [GLM 5.2 Fast US](https://app.fireworks.ai/models/fireworks/glm-5p2) ")
			if !bytes.Contains(b, row) {
				return nil, errors.New("the GLM 5.2 Fast US row is gone")
			}
			return bytes.Replace(b, row, []byte("| [GLM 5.2 Turbo US](https://app.fireworks.ai/models/fireworks/glm-5p2) "), 1), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		out := crawl(t, os.DirFS(dir), nil)
		s := statsOf(out, "fireworks")
		want := `https://docs.fireworks.ai/serverless/pricing.md: row "GLM 5.2 Turbo US" shares the link of "GLM 5.2", and "Turbo" names no serving path llmref knows (Fast, US, EU): left out`
		if s.Status != catalog.SourceOK || s.Observations != 77 || len(s.Errors) != 0 || len(s.Warnings) != 1 || s.Warnings[0] != want {
			t.Fatalf("stats %+v; want ok, 77 observations and the warning %q", s, want)
		}
		again := statsOf(crawl(t, os.DirFS(dir), pagesByURL(out.Pages)), "fireworks")
		if again.Status != catalog.SourceUnchanged || len(again.Warnings) != 1 || again.Warnings[0] != want {
			t.Errorf("a run that finds the page unchanged: stats %+v; want the warning again", again)
		}
	})
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
