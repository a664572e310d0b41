package normalize

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// realdata is the shared folder of real public data; a user's clone has no
// ../shared, and the tests that read it skip.
const realdata = "../../shared/realdata"

func readReal(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(realdata, rel))
	if os.IsNotExist(err) {
		t.Skipf("%s absent: real-data test skipped", rel)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// orModel is the part of an OpenRouter /api/v1/models entry these tests read.
type orModel struct {
	ID                  string            `json:"id"`
	Name                string            `json:"name"`
	Pricing             map[string]string `json:"pricing"`
	SupportedParameters []string          `json:"supported_parameters"`
	Architecture        struct {
		InputModalities []string `json:"input_modalities"`
	} `json:"architecture"`
}

func realOpenRouter(t testing.TB) []orModel {
	var doc struct {
		Data []orModel `json:"data"`
	}
	if err := json.Unmarshal(readReal(t, "openrouter/from-anomalyco-models.dev/models.json"), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Data) < 300 {
		t.Fatalf("%d models: the real list has 364", len(doc.Data))
	}
	return doc.Data
}

// TestRealOpenRouterIDs resolves every id of the real OpenRouter model list:
// each gets a canonical id or a reasoned unmatched entry, and no two
// different models (ids that are not variants of one another) share a
// canonical id.
func TestRealOpenRouterIDs(t *testing.T) {
	r, _ := NewResolver(nil)
	byCanonical := map[string]string{}
	var unmatched []string
	for _, m := range realOpenRouter(t) {
		got, err := r.Resolve("openrouter", m.ID)
		if err != nil {
			if !strings.Contains(err.Error(), ErrUnmatched.Error()) || len(strings.TrimSuffix(err.Error(), ErrUnmatched.Error())) < 10 {
				t.Errorf("%s: unmatched without a reason: %v", m.ID, err)
			}
			unmatched = append(unmatched, m.ID+" ("+err.Error()+")")
			continue
		}
		base, _, _ := strings.Cut(m.ID, ":")
		if prev, ok := byCanonical[got.ID]; ok && prev != base {
			t.Errorf("%s and %s are different models but both resolve to %s", prev, base, got.ID)
		}
		byCanonical[got.ID] = base
		if got.Variant == "" && strings.Contains(m.ID, ":") {
			t.Errorf("%s: the suffix after ':' was neither kept as a variant nor reported", m.ID)
		}
		author, _, _ := strings.Cut(m.ID, "/")
		if hostPrefixes[author] {
			t.Errorf("%s: OpenRouter author %q is listed as a host prefix and would be stripped", m.ID, author)
		}
	}
	sort.Strings(unmatched)
	t.Logf("real OpenRouter list: %d canonical models, %d unmatched ids: %v", len(byCanonical), len(unmatched), unmatched)
	for _, u := range unmatched {
		// The only ids left are OpenRouter's routers and its moving
		// "latest" aliases: none of them is one model.
		if !strings.HasPrefix(u, "openrouter/") && !strings.HasPrefix(u, "~") {
			t.Errorf("unmatched %s: the rules should place every model id", u)
		}
	}
}

// TestRealOpenRouterNormalize runs the whole real list through Normalize in
// the shapes the OpenRouter source produces: every id is a model (its
// variants folded into it as offering variants) or an unmatched entry,
// never dropped.
// realOpenRouterObservations gives the real OpenRouter list in the shapes
// the OpenRouter source produces, and the set of its ids.
func realOpenRouterObservations(t testing.TB, at time.Time) ([]catalog.Observation, map[string]bool) {
	var obs []catalog.Observation
	ids := map[string]bool{}
	for _, m := range realOpenRouter(t) {
		ids[m.ID] = true
		base := catalog.Observation{Source: "openrouter", URL: "https://openrouter.ai/api/v1/models", RetrievedAt: at, Subject: m.ID, SubjectName: m.Name}
		model := func(f catalog.Field, v string) catalog.Observation {
			o := base
			o.Authority, o.Field, o.Value = catalog.AuthorityAggregator, f, v
			return o
		}
		offer := func(f catalog.Field, v string, u catalog.Unit) catalog.Observation {
			o := base
			o.Authority, o.Provider, o.Field, o.Value, o.Unit = catalog.AuthorityProvider, "openrouter", f, v, u
			return o
		}
		obs = append(obs, model(catalog.FieldName, m.Name), offer(catalog.FieldListed, m.ID, ""),
			model(catalog.FieldSupportedParameters, strings.Join(m.SupportedParameters, ",")))
		if len(m.Architecture.InputModalities) > 0 {
			obs = append(obs, model(catalog.FieldInputModalities, strings.Join(m.Architecture.InputModalities, ",")))
		}
		for _, p := range []struct {
			key   string
			field catalog.Field
		}{{"prompt", catalog.FieldPriceInput}, {"completion", catalog.FieldPriceOutput}, {"input_cache_read", catalog.FieldPriceCachedInput}} {
			if v, ok := m.Pricing[p.key]; ok {
				obs = append(obs, offer(p.field, v, catalog.PerToken))
			}
		}
	}
	return obs, ids
}

func TestRealOpenRouterNormalize(t *testing.T) {
	at := time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC)
	obs, ids := realOpenRouterObservations(t, at)
	res := Normalize(Input{Pages: []catalog.Page{{Source: "openrouter", Observations: obs}}, Now: at})
	snap := res.Snapshot
	seen := map[string]bool{}
	for _, m := range snap.Models {
		for _, a := range m.Aliases {
			seen[a.ID] = true
		}
		if !m.Name.Sourced() {
			t.Errorf("%s: no name", m.ID)
		}
	}
	for _, u := range snap.Unmatched {
		seen[u.ID] = true
		if u.Reason == "" {
			t.Errorf("unmatched %s without a reason", u.ID)
		}
	}
	for id := range ids {
		if !seen[id] {
			t.Errorf("%s dropped: neither a model's alias nor unmatched", id)
		}
	}
	free := 0
	for _, o := range snap.Offerings {
		if o.Variant == "free" {
			free++
			if o.Input.Value.Kind != catalog.PriceFree {
				t.Errorf("%s :free input %v; want the free kind, never $0", o.ModelID, o.Input.Value)
			}
		}
	}
	var flagged []string
	for _, k := range snap.OfferingKeys() {
		o := snap.Offerings[k]
		for _, f := range []catalog.Fact[catalog.Price]{o.Input, o.Output, o.CachedInput} {
			for _, fl := range f.Flags() {
				flagged = append(flagged, o.ModelID+": "+fl.Detail)
			}
		}
	}
	t.Logf("%d ids → %d models, %d offerings (%d :free variants), %d unmatched, %d warnings, %d flagged prices %v",
		len(ids), len(snap.Models), len(snap.Offerings), free, len(snap.Unmatched), len(res.Warnings), len(flagged), flagged)
	if len(res.Warnings) != 0 {
		t.Errorf("warnings on the real list: %v", res.Warnings)
	}
	if len(flagged) != 0 {
		t.Errorf("flags on the real OpenRouter list, whose prices are all consistent per-token strings: %v", flagged)
	}
	m := snap.Models["meta/llama-3.2-1b-instruct"]
	if m == nil {
		t.Fatal("Llama 3.2 1B Instruct missing")
	}
	if m.Name.Value != "Llama 3.2 1B Instruct" || catalog.TriOf(m.Capabilities[catalog.CapFunctionCalling]) != catalog.No {
		t.Errorf("llama: name %q, function calling %v", m.Name.Value, m.Capabilities[catalog.CapFunctionCalling])
	}
	o := snap.Offerings[catalog.OfferingKey("meta/llama-3.2-1b-instruct", "openrouter", "", "")]
	if o == nil || o.Input.Value != catalog.Fixed(27_000) || o.Output.Value != catalog.Fixed(200_000) {
		t.Errorf("llama at openrouter: %+v", o)
	}
	g := snap.Models["openai/gpt-5.3-codex"]
	if g == nil || catalog.TriOf(g.Capabilities[catalog.CapVision]) != catalog.Yes || catalog.TriOf(g.Capabilities[catalog.CapReasoning]) != catalog.Yes {
		t.Errorf("gpt-5.3-codex: %+v", g)
	}
}

// TestRealLiteLLMPrices reads every priced entry of the real LiteLLM price
// map as a cross-check source would (per-token JSON numbers, read as text),
// and checks that every id resolves or is reasoned, that every price reads,
// and that the implausible ones the map really holds (per-1M figures in
// per-token fields) are caught.
func TestRealLiteLLMPrices(t *testing.T) {
	dec := json.NewDecoder(bytes.NewReader(readReal(t, "litellm/model_prices_and_context_window.json")))
	dec.UseNumber()
	var doc map[string]map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	r, _ := NewResolver(nil)
	var prices, implausibles, resolved, unresolved int
	var examples []string
	for key, e := range doc {
		if key == "sample_spec" {
			continue
		}
		if _, err := r.Resolve("litellm", key); err == nil {
			resolved++
		} else {
			unresolved++
		}
		for _, f := range []string{"input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost"} {
			n, ok := e[f].(json.Number)
			if !ok {
				continue
			}
			p, ex, err := priceExact(n.String(), catalog.PerToken)
			if err != nil {
				t.Errorf("%s %s %s: %v", key, f, n, err)
				continue
			}
			prices++
			if p.Kind == catalog.PriceFixed {
				if why := implausible(ex); why != "" && (e["mode"] == "chat" || e["mode"] == "responses") {
					implausibles++
					if len(examples) < 5 {
						examples = append(examples, key+" "+f+": "+why)
					}
				}
			}
		}
	}
	sort.Strings(examples)
	t.Logf("LiteLLM: %d keys resolve, %d do not; %d prices read; %d chat prices implausible, e.g. %v", resolved, unresolved, prices, implausibles, examples)
	if prices < 2000 {
		t.Errorf("only %d prices read", prices)
	}
	want := "wandb/deepseek-ai/DeepSeek-R1-0528"
	if e, ok := doc[want]; ok {
		_, ex, _ := priceExact(e["output_cost_per_token"].(json.Number).String(), catalog.PerToken)
		if implausible(ex) == "" {
			t.Errorf("%s output %s per token ($%s per 1M) not caught as implausible", want, e["output_cost_per_token"], ratDecimal(ex))
		}
	}
	// Llama 3.2 1B Instruct's LiteLLM keys all resolve to the one model.
	for _, k := range []string{"meta.llama3-2-1b-instruct-v1:0", "us.meta.llama3-2-1b-instruct-v1:0", "eu.meta.llama3-2-1b-instruct-v1:0",
		"sambanova/Meta-Llama-3.2-1B-Instruct", "watsonx/meta-llama/llama-3-2-1b-instruct"} {
		t.Run(k, func(t *testing.T) {
			if _, ok := doc[k]; !ok {
				t.Fatalf("%s not in the real file", k)
			}
			if got, err := r.Resolve("litellm", k); err != nil || got.ID != "meta/llama-3.2-1b-instruct" {
				t.Errorf("LiteLLM %s → %+v, %v", k, got, err)
			}
		})
	}
}

// TestRealCloudflareMixedUnits reads the real Cloudflare AI Gateway model
// list of models.dev, whose cost_in / cost_out are per token except for
// entries that give the per-1M figure (workers-ai/llama-3.2-1b-instruct:
// 0.027). Read as per token, those are caught: implausible on their face
// and a million times the same offering's other entries.
func TestRealCloudflareMixedUnits(t *testing.T) {
	dec := json.NewDecoder(bytes.NewReader(readReal(t, "models.dev/providers/cloudflare-ai-gateway/data/api_response.json")))
	dec.UseNumber()
	var doc struct {
		Data []struct {
			ID      string      `json:"id"`
			CostIn  json.Number `json:"cost_in"`
			CostOut json.Number `json:"cost_out"`
		} `json:"data"`
	}
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 12, 23, 0, 0, 0, 0, time.UTC)
	var obs []catalog.Observation
	perM := 0
	for _, e := range doc.Data {
		if e.CostIn == "" {
			continue
		}
		if _, ex, err := priceExact(e.CostIn.String(), catalog.PerToken); err != nil {
			t.Errorf("%s cost_in %s: %v", e.ID, e.CostIn, err)
		} else if implausible(ex) != "" {
			perM++
		}
		if strings.Contains(e.ID, "llama-3.2-1b-instruct") && !strings.Contains(e.ID, ":free") {
			obs = append(obs, catalog.Observation{Source: "cf-gateway", URL: "https://gateway.ai.cloudflare.com/v1/models", Authority: catalog.AuthorityProvider,
				RetrievedAt: at, Subject: e.ID, Provider: "cloudflare", Field: catalog.FieldPriceInput, Value: e.CostIn.String(), Unit: catalog.PerToken})
		}
	}
	t.Logf("Cloudflare AI Gateway list: %d entries, %d cost_in figures implausible as per token (per-1M figures mixed in)", len(doc.Data), perM)
	if perM == 0 {
		t.Error("the per-1M entries mixed into the per-token list were not caught")
	}
	obs = append(obs, catalog.Observation{Source: "openrouter", Authority: catalog.AuthorityAggregator, RetrievedAt: at,
		Subject: "meta-llama/llama-3.2-1b-instruct", Field: catalog.FieldName, Value: "Meta: Llama 3.2 1B Instruct"})
	snap := Normalize(Input{Pages: []catalog.Page{{Observations: obs}}, Now: at}).Snapshot
	o := snap.Offerings[catalog.OfferingKey("meta/llama-3.2-1b-instruct", "cloudflare", "", "")]
	if o == nil {
		t.Fatalf("no cloudflare offering; offerings %v unmatched %v", snap.OfferingKeys(), snap.Unmatched)
	}
	if !hasFlag(o.Input, catalog.FlagUnitSlip, "1,000,000×") {
		t.Errorf("cloudflare input %s flags %v; want the 0.027-per-token entry flagged a million times off the 2.7e-08 one", o.Input.Display, o.Input.Flags())
	}
}

// tomlFacts reads the flat subset of TOML that models.dev's model files use
// (key = value lines, [section] headers, no arrays of tables) into
// "section.key" → raw value text, strings unquoted.
func tomlFacts(t *testing.T, rel string) map[string]string {
	out := map[string]string{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(readReal(t, rel)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[["):
			section = "-" // arrays of tables (benchmarks) are not read
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]") + "."
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "-" {
				continue
			}
			v = strings.TrimSpace(v)
			if strings.HasPrefix(v, "[") {
				v = strings.NewReplacer("[", "", "]", "", `"`, "", "'", "", " ", "").Replace(v)
			}
			out[section+strings.TrimSpace(k)] = strings.Trim(v, `"`)
		}
	}
	return out
}

// modelsDevObservations turns a models.dev provider model file into the
// cross-check observations a models.dev source would produce.
func modelsDevObservations(t *testing.T, rel, provider, id string, at time.Time) []catalog.Observation {
	f := tomlFacts(t, rel)
	base := catalog.Observation{Source: "models.dev", URL: "https://models.dev/" + rel, Authority: catalog.AuthorityCrossCheck, RetrievedAt: at, Subject: id}
	var out []catalog.Observation
	model := func(field catalog.Field, v string) {
		if v != "" {
			o := base
			o.Field, o.Value = field, v
			out = append(out, o)
		}
	}
	offer := func(field catalog.Field, v string, u catalog.Unit) {
		if v != "" {
			o := base
			o.Provider, o.Field, o.Value, o.Unit = provider, field, v, u
			out = append(out, o)
		}
	}
	model(catalog.FieldReleased, f["release_date"])
	model(catalog.FieldKnowledgeCutoff, f["knowledge"])
	model(catalog.FieldContext, f["limit.context"])
	model(catalog.FieldInputModalities, f["modalities.input"])
	if v := f["open_weights"]; v != "" {
		model(catalog.FieldLicence, "open_weights="+v)
	}
	for _, flag := range []string{"tool_call", "reasoning", "structured_output", "attachment"} {
		model(catalog.FeatureField(flag), f[flag])
	}
	offer(catalog.FieldPriceInput, f["cost.input"], catalog.PerMillion)
	offer(catalog.FieldPriceOutput, f["cost.output"], catalog.PerMillion)
	offer(catalog.FieldPriceCachedInput, f["cost.cache_read"], catalog.PerMillion)
	offer(catalog.FieldOfferingContext, f["limit.context"], "")
	return out
}

func hasFlag(f catalog.Fact[catalog.Price], kind, detail string) bool {
	for _, fl := range f.Flags() {
		if fl.Kind == kind && strings.Contains(fl.Detail, detail) {
			return true
		}
	}
	return false
}

// BenchmarkNormalizeRealOpenRouter measures one normalisation of the real
// OpenRouter list (364 ids, about 2,600 observations) in the source's
// shapes.
func BenchmarkNormalizeRealOpenRouter(b *testing.B) {
	at := time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC)
	obs, _ := realOpenRouterObservations(b, at)
	pages := []catalog.Page{{Source: "openrouter", Observations: obs}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Normalize(Input{Pages: pages, Now: at})
	}
	b.ReportMetric(float64(len(obs)), "observations")
}
