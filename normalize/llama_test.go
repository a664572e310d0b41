package normalize

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
)

// llamaEverySource is Llama 3.2 1B Instruct as every source gives it, in
// each source's own id form and observation shape.
func llamaEverySource() []catalog.Page {
	const (
		orID  = "meta-llama/llama-3.2-1b-instruct"
		hfID  = "meta-llama/Llama-3.2-1B-Instruct"
		fwID  = "accounts/fireworks/models/llama-v3p2-1b-instruct"
		brID  = "meta.llama3-2-1b-instruct-v1:0"
		nimID = "meta/llama-3.2-1b-instruct"
	)
	hfAPI := ob{source: "huggingface", auth: catalog.AuthorityAggregator, url: "https://huggingface.co/api/models/" + hfID}
	endpoints := ob{source: "openrouter-endpoints", auth: catalog.AuthorityProvider, url: "https://openrouter.ai/api/v1/models/" + orID + "/endpoints"}
	bitdeer := ob{source: "bitdeer", auth: catalog.AuthorityProvider}
	fwTier := func(o catalog.Observation) catalog.Observation { o.Note = "tier: Less than 4B parameters"; return o }
	endpoint := func(o catalog.Observation, tag string) catalog.Observation { o.Variant = tag; return o }
	return []catalog.Page{
		page(orModels.model(orID, catalog.FieldName, "Meta: Llama 3.2 1B Instruct"),
			orModels.model(orID, catalog.FieldInputModalities, "text"),
			orModels.model(orID, catalog.FieldOutputModalities, "text"),
			orModels.model(orID, catalog.FieldSupportedParameters, "frequency_penalty,max_tokens,presence_penalty,repetition_penalty,seed,stop,temperature,top_k,top_p"),
			orModels.model(orID, catalog.FieldKnowledgeCutoff, "2023-12-31"),
			orOffers.offer(orID, "openrouter", "", catalog.FieldListed, orID, ""),
			orOffers.offer(orID, "openrouter", "", catalog.FieldPriceInput, "0.000000027", catalog.PerToken),
			orOffers.offer(orID, "openrouter", "", catalog.FieldPriceOutput, "0.0000002", catalog.PerToken),
			orOffers.offer(orID, "openrouter", "", catalog.FieldOfferingContext, "60000", "")),
		page(endpoint(endpoints.offer(orID, "openrouter", "", catalog.FieldPriceInput, "0.000000027", catalog.PerToken), "deepinfra"),
			endpoint(endpoints.offer(orID, "openrouter", "", catalog.FieldPriceOutput, "0.0000002", catalog.PerToken), "deepinfra"),
			endpoint(endpoints.offer(orID, "openrouter", "", catalog.FieldOfferingContext, "131072", ""), "deepinfra")),
		page(hfCard.model(hfID, catalog.FieldLicence, "Llama 3.2 Community License"),
			hfCard.model(hfID, catalog.FieldReleased, "Sept 25, 2024"),
			hfCard.model(hfID, catalog.FieldArchitecture, "Llama 3.2 is an auto-regressive language model that uses an optimized transformer architecture"),
			hfCard.model(hfID, catalog.FieldParameters, "1B (1.23B)"),
			hfCard.model(hfID, catalog.FieldContext, "128k"),
			hfCard.model(hfID, catalog.FieldKnowledgeCutoff, "December 2023"),
			hfCard.model(hfID, catalog.FieldInputModalities, "Multilingual Text"),
			hfCard.model(hfID, catalog.FieldOutputModalities, "Multilingual Text and code")),
		page(hfAPI.model(hfID, catalog.FieldParameters, "1235814400"), hfAPI.model(hfID, catalog.FieldLicence, "llama3.2")),
		page(fwTier(fireworks.offer(fwID, "fireworks", "", catalog.FieldPriceInput, `\$0.10`, catalog.PerMillion)),
			fwTier(fireworks.offer(fwID, "fireworks", "", catalog.FieldPriceOutput, `\$0.10`, catalog.PerMillion)),
			fwTier(fireworks.offer(fwID, "fireworks", "", catalog.FieldPriceBatchInput, "0.05", catalog.PerMillion)),
			fwTier(fireworks.offer(fwID, "fireworks", "", catalog.FieldPriceBatchOutput, "0.05", catalog.PerMillion))),
		page(bedrock.offer(brID, "bedrock", "us-east-1", catalog.FieldPriceInput, "0.0001000000", catalog.PerThousand),
			bedrock.offer(brID, "bedrock", "us-east-1", catalog.FieldPriceOutput, "0.0001000000", catalog.PerThousand),
			bedrock.offer(brID, "bedrock", "us-east-1", catalog.FieldPriceBatchInput, "0.0000500000", catalog.PerThousand),
			bedrock.offer(brID, "bedrock", "eu-west-1", catalog.FieldPriceInput, "0.0001300000", catalog.PerThousand),
			bedrock.offer(brID, "bedrock", "eu-west-1", catalog.FieldPriceOutput, "0.0001300000", catalog.PerThousand)),
		page(nim.offer(nimID, "nvidia-nim", "", catalog.FieldListed, nimID, ""),
			nim.offer(nimID, "nvidia-nim", "", catalog.FieldPriceInput, "free", catalog.PerMillion),
			nim.offer(nimID, "nvidia-nim", "", catalog.FieldPriceOutput, "free", catalog.PerMillion),
			nim.model(nimID, catalog.FieldReleased, "September 25, 2024"),
			nim.model(nimID, catalog.FieldParameters, "1B (1.23B)"),
			nim.model(nimID, catalog.FieldContext, "128k"),
			nim.model(nimID, catalog.FieldLicence, "Use of Llama 3.2 is governed by the Llama 3.2 Community License (a custom, commercial license agreement).")),
		page(bitdeer.offer(hfID, "bitdeer", "", catalog.FieldPriceInput, "$0.05", catalog.PerMillion),
			bitdeer.offer(hfID, "bitdeer", "", catalog.FieldPriceOutput, "$0.25", catalog.PerMillion)),
		page(litellm.offer(brID, "bedrock", "", catalog.FieldPriceInput, "1e-07", catalog.PerToken),
			litellm.offer("us."+brID, "bedrock", "", catalog.FieldPriceInput, "1e-07", catalog.PerToken),
			litellm.offer("eu."+brID, "bedrock", "", catalog.FieldPriceInput, "1.3e-07", catalog.PerToken),
			litellm.offer("fireworks_ai/"+fwID, "fireworks", "", catalog.FieldPriceInput, "1e-07", catalog.PerToken),
			litellm.model(brID, catalog.FeatureField("supports_function_calling"), "true"),
			litellm.model("fireworks_ai/"+fwID, catalog.FeatureField("supports_function_calling"), "false")),
		page(modelsdev.offer(orID, "openrouter", "", catalog.FieldPriceOutput, "0.201", catalog.PerMillion),
			modelsdev.offer(nimID, "nvidia-nim", "", catalog.FieldPriceInput, "0.00", catalog.PerMillion),
			modelsdev.model(nimID, catalog.FieldReleased, "2024-09-18"),
			modelsdev.model(nimID, catalog.FeatureField("tool_call"), "true"),
			modelsdev.model(orID, catalog.FieldLicence, "open_weights=true")),
	}
}

// TestLlamaFromEverySource is the acceptance test of identities: Llama 3.2
// 1B Instruct from every source resolves to one model, to which every
// provider offering attaches, with nothing unmatched.
func TestLlamaFromEverySource(t *testing.T) {
	res := norm(t, Input{Pages: llamaEverySource()})
	snap := res.Snapshot
	if ids := snap.ModelIDs(); len(ids) != 1 || ids[0] != llamaID {
		t.Fatalf("models %v; want exactly %s", ids, llamaID)
	}
	if len(snap.Unmatched) != 0 || len(res.Warnings) != 0 {
		t.Errorf("unmatched %+v warnings %v", snap.Unmatched, res.Warnings)
	}
	want := []string{
		catalog.OfferingKey(llamaID, "bedrock", "eu-west-1", ""),
		catalog.OfferingKey(llamaID, "bedrock", "us-east-1", ""),
		catalog.OfferingKey(llamaID, "bitdeer", "", ""),
		catalog.OfferingKey(llamaID, "fireworks", "", ""),
		catalog.OfferingKey(llamaID, "nvidia-nim", "", ""),
		catalog.OfferingKey(llamaID, "openrouter", "", ""),
		catalog.OfferingKey(llamaID, "openrouter", "", "deepinfra"),
	}
	if got := snap.OfferingKeys(); !slices.Equal(got, want) {
		t.Errorf("offerings\n%v\nwant\n%v", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	m := snap.Models[llamaID]
	var aliases []string
	for _, a := range m.Aliases {
		aliases = append(aliases, a.Source+":"+a.ID)
	}
	for _, a := range []string{"huggingface:meta-llama/Llama-3.2-1B-Instruct", "openrouter:meta-llama/llama-3.2-1b-instruct",
		"fireworks:accounts/fireworks/models/llama-v3p2-1b-instruct", "bedrock:meta.llama3-2-1b-instruct-v1:0",
		"nvidia-nim:meta/llama-3.2-1b-instruct", "litellm:eu.meta.llama3-2-1b-instruct-v1:0", "bitdeer:meta-llama/Llama-3.2-1B-Instruct"} {
		if !slices.Contains(aliases, a) {
			t.Errorf("alias %s missing from %v", a, aliases)
		}
	}
	checks := []struct {
		name, got, want string
	}{
		{"name", m.Name.String(), "Llama 3.2 1B Instruct"},
		{"released", m.Released.String(), "2024-09-25"},
		{"context", m.ContextWindow.String(), "128K"},
		{"parameters", m.Parameters.String(), "1.23B"},
		{"licence", m.Licence.String(), "Llama 3.2 Community License (open weights)"},
		{"cutoff", m.KnowledgeCutoff.String(), "2023-12"},
		{"architecture", m.Architecture.String(), "decoder-only transformer"},
		{"input", m.InputModalities.String(), "text"},
		{"function calling", string(catalog.TriOf(m.Capabilities[catalog.CapFunctionCalling])), "no"},
		{"vision", string(catalog.TriOf(m.Capabilities[catalog.CapVision])), "no"},
		{"code execution", string(catalog.TriOf(m.Capabilities[catalog.CapCodeExecution])), "not_yet_sourced"},
		{"openrouter", snap.Offerings[want[5]].Input.String() + " " + snap.Offerings[want[5]].Output.String(), "$0.027 / 1M tokens $0.2 / 1M tokens"},
		{"fireworks", snap.Offerings[want[3]].Input.String() + " batch " + snap.Offerings[want[3]].BatchInput.String(), "$0.1 / 1M tokens batch $0.05 / 1M tokens"},
		{"fireworks tier note", snap.Offerings[want[3]].Input.Source.Note(), "tier: Less than 4B parameters"},
		{"bedrock us", snap.Offerings[want[1]].Input.String(), "$0.1 / 1M tokens"},
		{"bedrock eu", snap.Offerings[want[0]].Input.String(), "$0.13 / 1M tokens"},
		{"nim", snap.Offerings[want[4]].Input.String(), "free"},
		{"openrouter context", snap.Offerings[want[5]].Context.String(), "60,000"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
			}
		})
	}
	// The function-calling claims disagree across sources (FACTS.md):
	// OpenRouter (aggregator) says no and wins; LiteLLM's Bedrock yes and
	// models.dev's NVIDIA yes are conflicts.
	if fc := m.Capabilities[catalog.CapFunctionCalling]; len(fc.Conflicts()) != 2 {
		t.Errorf("function calling conflicts %+v", fc.Conflicts())
	}
}

// TestLlamaPricesUnflagged: every price of Llama 3.2 1B Instruct's
// offerings agrees with its cross-checks and its siblings, so none is
// flagged.
func TestLlamaPricesUnflagged(t *testing.T) {
	snap := norm(t, Input{Pages: llamaEverySource()}).Snapshot
	for _, k := range snap.OfferingKeys() {
		t.Run(k, func(t *testing.T) {
			o := snap.Offerings[k]
			for _, f := range []catalog.Fact[catalog.Price]{o.Input, o.Output, o.BatchInput} {
				if len(f.Flags()) != 0 {
					t.Errorf("flags %+v: every price here agrees with its cross-checks", f.Flags())
				}
			}
		})
	}
}

// TestRealModelsDevLlama reads the real models.dev files for Llama 3.2 1B
// Instruct (cross-checks) next to the provider values FACTS.md records, and
// checks the traps: the gateway file's `input = 27000`, the `context = 0`
// placeholders, Puter's float noise, the EU Bedrock 0.10 vs 0.13 conflict.
func TestRealModelsDevLlama(t *testing.T) {
	files := []struct{ rel, provider, id string }{
		{"models.dev/history/providers/amazon-bedrock/models/eu.meta.llama3-2-1b-instruct-v1:0.toml", "bedrock", "eu.meta.llama3-2-1b-instruct-v1:0"},
		{"models.dev/history/providers/amazon-bedrock/models/us.meta.llama3-2-1b-instruct-v1:0.toml", "bedrock", "us.meta.llama3-2-1b-instruct-v1:0"},
		{"models.dev/history/providers/amazon-bedrock/models/meta.llama3-2-1b-instruct-v1:0.toml", "bedrock", "meta.llama3-2-1b-instruct-v1:0"},
		{"models.dev/history/providers/amazon-bedrock/models/meta.llama3-2-1b-instruct-v1:0:128k.toml", "bedrock", "meta.llama3-2-1b-instruct-v1:0:128k"},
		{"models.dev/history/providers/cloudflare-ai-gateway/models/workers-ai/llama-3.2-1b-instruct.toml", "cloudflare", "workers-ai/llama-3.2-1b-instruct"},
		{"models.dev/history/providers/cloudflare-ai-gateway/models/aws-bedrock/meta.llama3-2-1b-instruct-v1:0.toml", "cloudflare", "aws-bedrock/meta.llama3-2-1b-instruct-v1:0"},
		{"models.dev/providers/cloudflare-workers-ai/models/@cf/meta/llama-3.2-1b-instruct.toml", "cloudflare", "@cf/meta/llama-3.2-1b-instruct"},
		{"models.dev/history/providers/puter/models/togetherai/meta-llama/llama-3.2-1b-instruct.toml", "together", "togetherai/meta-llama/llama-3.2-1b-instruct"},
		{"models.dev/providers/nvidia/models/meta/llama-3.2-1b-instruct.toml", "nvidia-nim", "meta/llama-3.2-1b-instruct"},
		{"models.dev/providers/openrouter/models/meta-llama/llama-3.2-1b-instruct.toml", "openrouter", "meta-llama/llama-3.2-1b-instruct"},
		{"models.dev/providers/kilo/models/meta-llama/llama-3.2-1b-instruct.toml", "kilo", "meta-llama/llama-3.2-1b-instruct"},
		{"models.dev/providers/vercel/models/meta/llama-3.2-1b.toml", "vercel", "meta/llama-3.2-1b"},
	}
	var xc []catalog.Observation
	for _, f := range files {
		xc = append(xc, modelsDevObservations(t, f.rel, f.provider, f.id, day1)...)
	}
	cf := ob{source: "cloudflare", auth: catalog.AuthorityProvider}
	together := ob{source: "together", auth: catalog.AuthorityProvider}
	pages := append(llamaEverySource(),
		page(xc...),
		page(cf.offer("@cf/meta/llama-3.2-1b-instruct", "cloudflare", "", catalog.FieldPriceInput, "0.027", catalog.PerMillion)),
		page(together.offer("meta-llama/Llama-3.2-1B-Instruct", "together", "", catalog.FieldListed, "meta-llama/Llama-3.2-1B-Instruct", "")),
	)
	res := norm(t, Input{Pages: pages})
	snap := res.Snapshot
	if ids := snap.ModelIDs(); len(ids) != 1 {
		t.Fatalf("models %v: cross-checks never make a model (Vercel's meta/llama-3.2-1b is another id)", ids)
	}
	// Vercel's base-model id names a model nobody defines (an alias fixes
	// it): a cross-check's, so counted, not listed.
	if len(snap.Unmatched) != 0 || res.Untracked["models.dev"] != 1 {
		t.Errorf("unmatched %v, untracked %v; want only Vercel's base-model id counted", snap.Unmatched, res.Untracked)
	}
	offer := func(provider, region string) *catalog.Offering {
		o := snap.Offerings[catalog.OfferingKey(llamaID, provider, region, "")]
		if o == nil {
			t.Fatalf("no offering %s %s in %v", provider, region, snap.OfferingKeys())
		}
		return o
	}
	eu := offer("bedrock", "eu-west-1").Input
	if eu.Value != catalog.Fixed(130_000) || !hasFlag(eu, catalog.FlagDiscrepancy, "models.dev (cross-check) has $0.10 per 1M, -23.1% from bedrock's $0.13") {
		t.Errorf("EU Bedrock: %+v", eu)
	}
	c := offer("cloudflare", "").Input
	if !hasFlag(c, catalog.FlagUnitSlip, "models.dev says $27000.00 per 1M") {
		t.Errorf("Cloudflare gateway input = 27000 not flagged: %+v", c)
	}
	tg := offer("together", "")
	if tg.Input.Value.Amount != 600 || !tg.Input.Value.Rounded || !hasFlag(tg.Input, catalog.FlagUnitSlip, "$0.0006 per 1M tokens is implausibly low") {
		t.Errorf("Puter's 0.0006000000000000001: %+v %+v", tg.Input.Value, tg.Input.Flags())
	}
	if tg.Input.Source.Authority() != catalog.AuthorityCrossCheck {
		t.Errorf("an offering the provider only lists takes the cross-check's price, as such: %+v", tg.Input.Source)
	}
	joined := strings.Join(res.Warnings, "\n")
	if n := strings.Count(joined, "not positive (a placeholder?)"); n < 2 {
		t.Errorf("context = 0 placeholders: %d warnings in %q", n, joined)
	}
	m := snap.Models[llamaID]
	if m.ContextWindow.Value.N != 131_072 {
		t.Errorf("context %+v", m.ContextWindow)
	}
	if len(m.Licence.Conflicts()) == 0 {
		t.Error("models.dev's open_weights = false for Llama (several gateway files) must be a licence conflict")
	}
	t.Logf("models.dev cross-checks: %d observations, %d warnings, untracked %v", len(xc), len(res.Warnings), res.Untracked)
}

// TestRealLlamaCards reads the release dates of the real Llama 3.2 model
// card before and after its October 2024 update: two creator-authority
// observations, Sept 25 and Oct 24, 2024.
func TestRealLlamaCards(t *testing.T) {
	re := regexp.MustCompile(`\*\*Model Release Date:\*\*\s*([^\n]+)`)
	var obs []catalog.Observation
	for _, rel := range []string{"llama-models/models/llama3_2/MODEL_CARD.md", "llama-models/history/models/llama3_2/MODEL_CARD.md"} {
		m := re.FindSubmatch(readReal(t, rel))
		if m == nil {
			t.Fatalf("%s: no release date line", rel)
		}
		card := ob{source: "llama-models", auth: catalog.AuthorityCreator, url: "https://github.com/meta-llama/llama-models/" + rel}
		obs = append(obs, card.model("meta-llama/Llama-3.2-1B-Instruct", catalog.FieldReleased, strings.TrimSpace(string(m[1]))))
	}
	r := norm(t, Input{Pages: []catalog.Page{page(obs...)}}).Snapshot.Models[llamaID].Released
	if r.Value.String() != "2024-09-25" || len(r.Conflicts()) != 1 || r.Conflicts()[0].Display != "2024-10-24" {
		t.Errorf("released %+v", r)
	}
}
