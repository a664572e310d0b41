package normalize

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

var day1 = time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)

const llamaID = "meta/llama-3.2-1b-instruct"

// ob builds observations in the shapes sources produce.
type ob struct {
	source string
	auth   catalog.Authority
	url    string
}

func (s ob) model(subject string, f catalog.Field, v string) catalog.Observation {
	url := s.url
	if url == "" {
		url = "https://" + s.source + ".example/" + subject
	}
	return catalog.Observation{Source: s.source, URL: url, Authority: s.auth, RetrievedAt: day1, Subject: subject, Field: f, Value: v}
}

func (s ob) offer(subject, provider, region string, f catalog.Field, v string, u catalog.Unit) catalog.Observation {
	o := s.model(subject, f, v)
	o.Provider, o.Region, o.Unit = provider, region, u
	return o
}

var (
	hfCard     = ob{source: "huggingface", auth: catalog.AuthorityCreator}
	orModels   = ob{source: "openrouter", auth: catalog.AuthorityAggregator}
	orOffers   = ob{source: "openrouter", auth: catalog.AuthorityProvider}
	nim        = ob{source: "nvidia-nim", auth: catalog.AuthorityProvider}
	bedrock    = ob{source: "bedrock", auth: catalog.AuthorityProvider}
	fireworks  = ob{source: "fireworks", auth: catalog.AuthorityProvider}
	litellm    = ob{source: "litellm", auth: catalog.AuthorityCrossCheck}
	modelsdev  = ob{source: "models.dev", auth: catalog.AuthorityCrossCheck}
	openaiDocs = ob{source: "openai", auth: catalog.AuthorityCreator}
)

func page(obs ...catalog.Observation) catalog.Page {
	return catalog.Page{Source: obs[0].Source, URL: obs[0].URL, Observations: obs}
}

func norm(t *testing.T, in Input) Result {
	t.Helper()
	if in.Now.IsZero() {
		in.Now = day1
	}
	if in.Previous == nil || in.Published != nil {
		return Normalize(in)
	}
	// Built against the same published catalogue read a batch at a time
	// (Input.Published, as a refresh reads it from the store), the run
	// comes out the same.
	batched := in
	batched.Previous, batched.Published = nil, publishedOf(t, in.Previous)
	alt := Normalize(batched)
	res := Normalize(in)
	got, err1 := json.Marshal(alt.Snapshot)
	want, err2 := json.Marshal(res.Snapshot)
	if err1 != nil || err2 != nil || string(got) != string(want) {
		t.Fatalf("built against Published:\n%s\nagainst Previous:\n%s", got, want)
	}
	for k, o := range alt.Previous.Offerings {
		if res.Snapshot.Offerings[k] == nil || in.Previous.Offerings[k] == nil {
			t.Fatalf("Result.Previous holds offering %s, which the run did not build or was not published", k)
		}
		if (alt.Snapshot.Offerings[k] == o) != (res.Snapshot.Offerings[k] == in.Previous.Offerings[k]) {
			t.Fatalf("offering %s: kept against Published %v, against Previous %v", k, alt.Snapshot.Offerings[k] == o, res.Snapshot.Offerings[k] == in.Previous.Offerings[k])
		}
	}
	return res
}

// publishedOf is an Input.Published that reads a copy of snap (its JSON
// read back, as the store holds it), a batch of at most PublishedBatch
// ids or keys at a time.
func publishedOf(t *testing.T, snap *catalog.Snapshot) func(ids, keys []string) *catalog.Snapshot {
	t.Helper()
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	var stored catalog.Snapshot
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	return func(ids, keys []string) *catalog.Snapshot {
		if len(ids) > PublishedBatch || len(keys) > PublishedBatch || (ids != nil) == (keys != nil) {
			t.Fatalf("asked for %d ids and %d keys at once", len(ids), len(keys))
		}
		out := catalog.NewSnapshot()
		for _, id := range ids {
			if m := stored.Models[id]; m != nil {
				out.Models[id] = m
			}
		}
		for _, k := range keys {
			if o := stored.Offerings[k]; o != nil {
				out.Offerings[k] = o
			}
		}
		return out
	}
}

// settings are an operator's settings for a test.
func settings(t *testing.T, aliases map[string]string, bound Percent) Settings {
	t.Helper()
	s, err := NewSettings(aliases, bound)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPrecedenceAndConflicts(t *testing.T) {
	const hf = "meta-llama/Llama-3.2-1B-Instruct"
	res := norm(t, Input{Pages: []catalog.Page{
		page(hfCard.model(hf, catalog.FieldContext, "128k"), hfCard.model(hf, catalog.FieldKnowledgeCutoff, "December 2023"),
			hfCard.model(hf, catalog.FieldParameters, "1B (1.23B)"), hfCard.model(hf, catalog.FieldLicence, "llama3.2")),
		page(nim.model("meta/llama-3.2-1b-instruct", catalog.FieldContext, "128k"), nim.model("meta/llama-3.2-1b-instruct", catalog.FieldParameters, "1B (1.23B)")),
		page(orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldName, "Meta: Llama 3.2 1B Instruct"),
			orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldKnowledgeCutoff, "2023-12-31")),
		page(modelsdev.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldContext, "131_000"),
			modelsdev.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldLicence, "open_weights=false"),
			modelsdev.model("meta/llama-3.2-1b-instruct", catalog.FieldLicence, "open_weights=true")),
		page(litellm.model("meta.llama3-2-1b-instruct-v1:0", catalog.FieldContext, "128000")),
		page(ob{source: "hf-api", auth: catalog.AuthorityAggregator}.model(hf, catalog.FieldParameters, "1235814400")),
	}})
	m := res.Snapshot.Models[llamaID]
	if m == nil {
		t.Fatalf("models %v", res.Snapshot.ModelIDs())
	}
	// Creator > provider > aggregator > cross-check; losing values that
	// disagree are kept, each with its source.
	if m.ContextWindow.Value.N != 131_072 || m.ContextWindow.Source.Name() != "huggingface" || m.ContextWindow.Source.Authority() != catalog.AuthorityCreator {
		t.Errorf("context %+v; the creator's card must win", m.ContextWindow)
	}
	if len(m.ContextWindow.Conflicts()) != 1 || m.ContextWindow.Conflicts()[0].Source.Name != "models.dev" || m.ContextWindow.Conflicts()[0].Display != "131,000" {
		t.Errorf("context conflicts %+v; want only models.dev's 131,000 (128,000 and 131,072 are one value)", m.ContextWindow.Conflicts())
	}
	if m.Parameters.Display != "1.23B" || len(m.Parameters.Conflicts()) != 0 {
		t.Errorf("parameters %+v; the card's 1.23B wins and HF's 1,235,814,400 agrees", m.Parameters)
	}
	if len(m.KnowledgeCutoff.Conflicts()) != 0 || m.KnowledgeCutoff.Value.String() != "2023-12" {
		t.Errorf("cutoff %+v: December 2023 and 2023-12-31 agree", m.KnowledgeCutoff)
	}
	if m.Licence.Value.Name != "Llama 3.2 Community License" || m.Licence.Value.Class != catalog.OpenWeights {
		t.Errorf("licence %+v", m.Licence.Value)
	}
	if len(m.Licence.Conflicts()) != 1 || m.Licence.Conflicts()[0].Raw != "open_weights=false" {
		t.Errorf("licence conflicts %+v; models.dev's open_weights=false disagrees, open_weights=true agrees", m.Licence.Conflicts())
	}
	if m.Name.Value != "Llama 3.2 1B Instruct" {
		t.Errorf("name %q", m.Name.Value)
	}
	if m.Released.Sourced() || m.MaxOutput.Sourced() {
		t.Error("facts sourced from nowhere")
	}
}

// TestReleaseDateConflict is FACTS.md's trap: the Llama 3.2 card said
// "Sept 25, 2024" and now says "Oct 24, 2024" (the quantized models'
// update). Both are the creator's word; the release is the first date, the
// later one is kept as a conflict. OpenRouter's created (when it listed the
// model) is never a release date.
func TestReleaseDateConflict(t *testing.T) {
	const hf = "meta-llama/Llama-3.2-1B-Instruct"
	current := ob{source: "llama-models", auth: catalog.AuthorityCreator, url: "https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/MODEL_CARD.md"}
	history := ob{source: "llama-models", auth: catalog.AuthorityCreator, url: "https://github.com/meta-llama/llama-models/blob/e2e67cd/models/llama3_2/MODEL_CARD.md"}
	for _, tt := range []struct {
		name  string
		order [2]catalog.Observation
	}{
		{"current card first", [2]catalog.Observation{current.model(hf, catalog.FieldReleased, "Oct 24, 2024"), history.model(hf, catalog.FieldReleased, "Sept 25, 2024")}},
		{"history first", [2]catalog.Observation{history.model(hf, catalog.FieldReleased, "Sept 25, 2024"), current.model(hf, catalog.FieldReleased, "Oct 24, 2024")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := norm(t, Input{Pages: []catalog.Page{
				page(tt.order[0]), page(tt.order[1]),
				page(nim.model("meta/llama-3.2-1b-instruct", catalog.FieldReleased, "September 25, 2024")),
				page(modelsdev.model("meta/llama-3.2-1b-instruct", catalog.FieldReleased, "2024-09-18")),
				page(orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldReleased, "1727222400")),
			}})
			r := res.Snapshot.Models[llamaID].Released
			if r.Value.String() != "2024-09-25" || r.Raw != "Sept 25, 2024" {
				t.Errorf("released %s (%q); want the card's first date, 2024-09-25", r.Value, r.Raw)
			}
			var got []string
			for _, c := range r.Conflicts() {
				got = append(got, c.Source.Name+"="+c.Display)
			}
			if strings.Join(got, " ") != "llama-models=2024-10-24 models.dev=2024-09-18" {
				t.Errorf("conflicts %v", got)
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "OpenRouter's created is when OpenRouter added the model") {
				t.Errorf("warnings %v; OpenRouter's created must be refused as a release date, and said so", res.Warnings)
			}
		})
	}
}

func TestPlaceholdersAreNotValues(t *testing.T) {
	res := norm(t, Input{Pages: []catalog.Page{
		page(orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldName, "Meta: Llama 3.2 1B Instruct")),
		// models.dev's context = 0 placeholders, NIM's created, HF's createdAt.
		page(modelsdev.model("meta.llama3-2-1b-instruct-v1:0:128k", catalog.FieldContext, "0"),
			modelsdev.offer("meta.llama3-2-1b-instruct-v1:0", "bedrock", "", catalog.FieldOfferingContext, "0", "")),
		page(nim.model("meta/llama-3.2-1b-instruct", catalog.FieldReleased, "735790403")),
		page(ob{source: "hf-api", auth: catalog.AuthorityAggregator}.model("meta-llama/Llama-3.2-1B-Instruct", catalog.FieldReleased, "2022-03-02T23:29:04.000Z")),
		page(nim.model("meta/llama-3.2-1b-instruct", catalog.FieldParameters, "not disclosed")),
	}})
	m := res.Snapshot.Models[llamaID]
	if m.ContextWindow.Sourced() || m.Released.Sourced() || m.Parameters.Sourced() {
		t.Errorf("a placeholder became a value: context %+v released %+v parameters %+v", m.ContextWindow, m.Released, m.Parameters)
	}
	joined := strings.Join(res.Warnings, "\n")
	for _, want := range []string{"not positive (a placeholder?)", "placeholder created 735790403", "placeholder createdAt"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings %q lack %q", joined, want)
		}
	}
	if strings.Contains(joined, "not disclosed") {
		t.Errorf("an explicit \"not disclosed\" is no error: %q", joined)
	}
}

// TestModelExistence: a model exists only when a creator or aggregator
// source speaks of it; provider pages and cross-checks attach to models
// that exist. A provider's ids for other models are reported unmatched; a
// cross-check's are counted (its map covers far more than the catalogue).
func TestModelExistence(t *testing.T) {
	res := norm(t, Input{Pages: []catalog.Page{
		page(orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldName, "Meta: Llama 3.2 1B Instruct")),
		page(nim.offer("meta/llama-3.2-1b-instruct", "nvidia-nim", "", catalog.FieldPriceInput, "free", catalog.PerMillion),
			nim.offer("meta/llama-3.3-70b-instruct", "nvidia-nim", "", catalog.FieldPriceInput, "free", catalog.PerMillion),
			nim.model("meta/llama-3.3-70b-instruct", catalog.FieldContext, "128k")),
		page(litellm.offer("meta.llama3-1-8b-instruct-v1:0", "bedrock", "", catalog.FieldPriceInput, "2.2e-07", catalog.PerToken),
			litellm.model("cross/check-only", catalog.FieldContext, "1000")),
		page(litellm.offer("meta.llama3-2-1b-instruct-v1:0", "bedrock", "", catalog.FieldPriceInput, "1e-07", catalog.PerToken)),
		page(orModels.model("openrouter/auto", catalog.FieldName, "Auto Router")),
	}})
	snap := res.Snapshot
	if ids := snap.ModelIDs(); len(ids) != 1 || ids[0] != llamaID {
		t.Fatalf("models %v; only the one an aggregator defines exists", ids)
	}
	if keys := snap.OfferingKeys(); len(keys) != 1 || keys[0] != catalog.OfferingKey(llamaID, "nvidia-nim", "", "") {
		t.Errorf("offerings %v; a cross-check never makes an offering (no bedrock one)", keys)
	}
	reasons := map[string]string{}
	for _, u := range snap.Unmatched {
		reasons[u.Source+" "+u.ID] = u.Reason
	}
	for k, want := range map[string]string{
		"nvidia-nim meta/llama-3.3-70b-instruct": "resolves to meta/llama-3.3-70b-instruct, which no creator or aggregator source defines (provider sources only attach",
		"openrouter openrouter/auto":             "OpenRouter router",
	} {
		t.Run("unmatched "+k, func(t *testing.T) {
			if !strings.Contains(reasons[k], want) {
				t.Errorf("reason %q, want %q", reasons[k], want)
			}
		})
	}
	if len(snap.Unmatched) != 2 {
		t.Errorf("unmatched %+v", snap.Unmatched)
	}
	if u := snap.Unmatched[0]; u.Provider != "nvidia-nim" || u.URL == "" || u.Resolves != "meta/llama-3.3-70b-instruct" {
		t.Errorf("unmatched entries carry provider, URL and the id they resolve to: %+v", u)
	}
	if res.Untracked["litellm"] != 2 {
		t.Errorf("untracked %v; want litellm's two ids of models nobody defines counted", res.Untracked)
	}
}

// TestVariantsAreOfferingParts: ":free" and ":thinking" are variants of an
// offering of one model; the variant entry's own model facts (its name
// "(free)", its endpoint's context) never conflict with the model's.
func TestVariantsAreOfferingParts(t *testing.T) {
	const id, free = "meta-llama/llama-3.2-3b-instruct", "meta-llama/llama-3.2-3b-instruct:free"
	res := norm(t, Input{Pages: []catalog.Page{page(
		orModels.model(id, catalog.FieldName, "Meta: Llama 3.2 3B Instruct"),
		orModels.model(id, catalog.FieldSupportedParameters, "tools,max_tokens"),
		orModels.model(free, catalog.FieldName, "Meta: Llama 3.2 3B Instruct (free)"),
		orModels.model(free, catalog.FieldSupportedParameters, "max_tokens"),
		orModels.model(free, catalog.FieldInputModalities, "text"),
		orOffers.offer(id, "openrouter", "", catalog.FieldPriceInput, "0.00000002", catalog.PerToken),
		orOffers.offer(free, "openrouter", "", catalog.FieldPriceInput, "0", catalog.PerToken),
		orOffers.offer(free, "openrouter", "", catalog.FieldOfferingContext, "131072", ""),
		orOffers.offer(id, "openrouter", "", catalog.FieldOfferingContext, "80000", ""),
		// OpenRouter endpoints: Variant is the endpoint's tag.
		ob{source: "openrouter-endpoints", auth: catalog.AuthorityProvider}.offer(id, "openrouter", "", catalog.FieldPriceInput, "0.00000003", catalog.PerToken),
	)}})
	snap := res.Snapshot
	if len(snap.Models) != 1 {
		t.Fatalf("models %v: a variant is never another model", snap.ModelIDs())
	}
	m := snap.Models["meta/llama-3.2-3b-instruct"]
	if m.Name.Value != "Llama 3.2 3B Instruct" || len(m.Name.Conflicts()) != 0 {
		t.Errorf("name %+v", m.Name)
	}
	if catalog.TriOf(m.Capabilities[catalog.CapFunctionCalling]) != catalog.Yes || len(m.Capabilities[catalog.CapFunctionCalling].Conflicts()) != 0 {
		t.Errorf("function calling %+v; the plain entry speaks for the model", m.Capabilities[catalog.CapFunctionCalling])
	}
	if catalog.TriOf(m.Capabilities[catalog.CapVision]) != catalog.No {
		t.Errorf("vision %+v; a variant's facts count when the plain entry says nothing", m.Capabilities[catalog.CapVision])
	}
	fo := snap.Offerings[catalog.OfferingKey("meta/llama-3.2-3b-instruct", "openrouter", "", "free")]
	po := snap.Offerings[catalog.OfferingKey("meta/llama-3.2-3b-instruct", "openrouter", "", "")]
	if fo == nil || po == nil {
		t.Fatalf("offerings %v", snap.OfferingKeys())
	}
	if fo.Input.Value.Kind != catalog.PriceFree || fo.Context.Value.N != 131_072 || fo.ProviderModelID != free {
		t.Errorf("free variant %+v", fo)
	}
	if po.Input.Value != catalog.Fixed(20_000) || po.Context.Value.N != 80_000 {
		t.Errorf("plain offering input %v context %v", po.Input.Value, po.Context.Value)
	}
	if c := po.Input.Conflicts(); len(c) != 1 || c[0].Source.Name != "openrouter-endpoints" {
		t.Errorf("plain offering conflicts %+v", c)
	}
}

// TestOfferingParts: cached input, cache write, batch, context-length
// tiers and regional prices are parts of one model's offerings, never
// extra models.
func TestOfferingParts(t *testing.T) {
	const bid = "meta.llama3-2-1b-instruct-v1:0"
	const codex = "gpt-5.3-codex"
	tier := catalog.TierField(272_000, catalog.FieldPriceInput)
	res := norm(t, Input{Pages: []catalog.Page{
		page(orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldName, "Meta: Llama 3.2 1B Instruct")),
		page(bedrock.offer(bid, "bedrock", "us-east-1", catalog.FieldPriceInput, "0.0001000000", catalog.PerThousand),
			bedrock.offer(bid, "bedrock", "us-east-1", catalog.FieldPriceOutput, "0.0001000000", catalog.PerThousand),
			bedrock.offer(bid, "bedrock", "us-east-1", catalog.FieldPriceBatchInput, "0.0000500000", catalog.PerThousand),
			bedrock.offer(bid, "bedrock", "us-east-1", catalog.FieldPriceBatchOutput, "N/A", catalog.PerThousand),
			bedrock.offer(bid, "bedrock", "eu-west-1", catalog.FieldPriceInput, "0.00013", catalog.PerThousand),
			bedrock.offer("us.meta.llama3-2-1b-instruct-v1:0", "bedrock", "", catalog.FieldListed, "us.meta.llama3-2-1b-instruct-v1:0", "")),
		page(openaiDocs.model(codex, catalog.FieldName, "GPT-5.3-Codex"),
			openaiDocs.offer(codex, "openai", "", catalog.FieldPriceInput, "$1.75", catalog.PerMillion),
			openaiDocs.offer(codex, "openai", "", catalog.FieldPriceCachedInput, "$0.175", catalog.PerMillion),
			openaiDocs.offer(codex, "openai", "", catalog.FieldPriceCacheWrite, "$2.1875", catalog.PerMillion),
			openaiDocs.offer(codex, "openai", "", catalog.FieldPriceOutput, "$14.00", catalog.PerMillion),
			openaiDocs.offer(codex, "openai", "", tier, "$3.50", catalog.PerMillion),
			openaiDocs.offer(codex, "openai", "", catalog.TierField(272_000, catalog.FieldPriceOutput), "$21.00", catalog.PerMillion)),
		page(modelsdev.offer("openai/gpt-5.3-codex", "openai", "", tier, "3.5", catalog.PerMillion)),
	}})
	snap := res.Snapshot
	if len(snap.Models) != 2 {
		t.Fatalf("models %v", snap.ModelIDs())
	}
	want := []string{
		catalog.OfferingKey(llamaID, "bedrock", "eu-west-1", ""),
		catalog.OfferingKey(llamaID, "bedrock", "us-east-1", ""),
		catalog.OfferingKey(llamaID, "bedrock", "us", ""),
		catalog.OfferingKey("openai/gpt-5.3-codex", "openai", "", ""),
	}
	if got := snap.OfferingKeys(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("offerings %v, want %v", got, want)
	}
	us := snap.Offerings[want[1]]
	if us.Input.Value != catalog.Fixed(100_000) || us.BatchInput.Value != catalog.Fixed(50_000) || us.BatchOutput.Sourced() {
		t.Errorf("us-east-1: input %v batch %v / %+v", us.Input.Value, us.BatchInput.Value, us.BatchOutput)
	}
	if eu := snap.Offerings[want[0]]; eu.Input.Value != catalog.Fixed(130_000) {
		t.Errorf("eu-west-1 input %v", eu.Input.Value)
	}
	if p := snap.Offerings[want[2]]; p.ProviderModelID != "us.meta.llama3-2-1b-instruct-v1:0" || p.Input.Sourced() {
		t.Errorf("us profile %+v", p)
	}
	o := snap.Offerings[want[3]]
	if o.CachedInput.Value != catalog.Fixed(175_000) || o.CacheWrite.Value != catalog.Fixed(2_187_500) {
		t.Errorf("cached %v write %v", o.CachedInput.Value, o.CacheWrite.Value)
	}
	if len(o.Tiers) != 1 || o.Tiers[0].AboveTokens != 272_000 || o.Tiers[0].Input.Value != catalog.Fixed(3_500_000) ||
		o.Tiers[0].Output.Value != catalog.Fixed(21_000_000) || o.Tiers[0].CachedInput.Sourced() {
		t.Errorf("tiers %+v", o.Tiers)
	}
	if len(o.Tiers[0].Input.Conflicts()) != 0 || len(o.Tiers[0].Input.Flags()) != 0 {
		t.Errorf("the cross-check agrees: %+v", o.Tiers[0].Input)
	}
	b, _ := json.Marshal(o)
	if !bytes.Contains(b, []byte(`"tiers":[{"above_tokens":272000,"input":{"status":"sourced"`)) {
		t.Errorf("offering JSON %s", b)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %v; N/A is no value, not an error", res.Warnings)
	}
}

// TestEUBedrockConflict is FACTS.md's trap: the EU profile costs $0.13 per
// 1M (LiteLLM's eu. key) while models.dev's EU file says $0.10. The
// provider's own price wins; the cross-check that disagrees is a conflict
// and, 30% away, a discrepancy.
func TestEUBedrockConflict(t *testing.T) {
	const bid = "meta.llama3-2-1b-instruct-v1:0"
	pages := []catalog.Page{
		page(orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldName, "Meta: Llama 3.2 1B Instruct")),
		page(bedrock.offer(bid, "bedrock", "us-east-1", catalog.FieldPriceInput, "0.0001000000", catalog.PerThousand),
			bedrock.offer(bid, "bedrock", "eu-west-1", catalog.FieldPriceInput, "0.0001300000", catalog.PerThousand)),
		page(litellm.offer(bid, "bedrock", "", catalog.FieldPriceInput, "1e-07", catalog.PerToken),
			litellm.offer("us."+bid, "bedrock", "", catalog.FieldPriceInput, "1e-07", catalog.PerToken),
			litellm.offer("eu."+bid, "bedrock", "", catalog.FieldPriceInput, "1.3e-07", catalog.PerToken)),
		page(modelsdev.offer("eu."+bid, "amazon-bedrock", "", catalog.FieldPriceInput, "0.10", catalog.PerMillion),
			modelsdev.offer("eu."+bid, "bedrock", "", catalog.FieldPriceInput, "0.10", catalog.PerMillion)),
	}
	snap := norm(t, Input{Pages: pages}).Snapshot
	eu := snap.Offerings[catalog.OfferingKey(llamaID, "bedrock", "eu-west-1", "")].Input
	us := snap.Offerings[catalog.OfferingKey(llamaID, "bedrock", "us-east-1", "")].Input
	if eu.Value != catalog.Fixed(130_000) || eu.Source.Name() != "bedrock" {
		t.Fatalf("eu %+v", eu)
	}
	if len(eu.Conflicts()) != 1 || eu.Conflicts()[0].Source.Name != "models.dev" || eu.Conflicts()[0].Display != "$0.1 / 1M tokens" {
		t.Errorf("eu conflicts %+v; want models.dev's 0.10 (litellm's eu. 0.13 agrees; its bare 0.10 is for the plain region)", eu.Conflicts())
	}
	if len(eu.Flags()) != 1 || eu.Flags()[0].Kind != catalog.FlagDiscrepancy ||
		eu.Flags()[0].Detail != "models.dev (cross-check) has $0.10 per 1M, -23.1% from bedrock's $0.13 (bound 20%)" {
		t.Errorf("eu flags %+v", eu.Flags())
	}
	if len(us.Conflicts()) != 0 || len(us.Flags()) != 0 {
		t.Errorf("us %+v: litellm's us. and bare keys agree", us)
	}
	// A wider bound, or none, and the discrepancy is not flagged; the
	// conflict stays.
	for name, bound := range map[string]Percent{"bound 50%": 5000, "check off": -1} {
		t.Run(name, func(t *testing.T) {
			eu := norm(t, Input{Pages: pages, Settings: settings(t, nil, bound)}).Snapshot.Offerings[catalog.OfferingKey(llamaID, "bedrock", "eu-west-1", "")].Input
			if len(eu.Flags()) != 0 || len(eu.Conflicts()) != 1 {
				t.Errorf("flags %+v conflicts %d", eu.Flags(), len(eu.Conflicts()))
			}
		})
	}
}

func TestDiscrepancyFreeAndFixed(t *testing.T) {
	const nimID = "meta/llama-3.2-1b-instruct"
	pages := []catalog.Page{
		page(orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldName, "Meta: Llama 3.2 1B Instruct")),
		page(nim.offer(nimID, "nvidia-nim", "", catalog.FieldPriceInput, "free", catalog.PerMillion),
			nim.offer(nimID, "nvidia-nim", "", catalog.FieldPriceOutput, "free", catalog.PerMillion),
			fireworks.offer("accounts/fireworks/models/llama-v3p2-1b-instruct", "fireworks", "", catalog.FieldPriceInput, `\$0.10`, catalog.PerMillion)),
		page(modelsdev.offer(nimID, "nvidia-nim", "", catalog.FieldPriceInput, "0.00", catalog.PerMillion),
			litellm.offer(nimID, "nvidia-nim", "", catalog.FieldPriceOutput, "1e-07", catalog.PerToken),
			litellm.offer("fireworks_ai/accounts/fireworks/models/llama-v3p2-1b-instruct", "fireworks", "", catalog.FieldPriceInput, "0", catalog.PerToken)),
	}
	snap := norm(t, Input{Pages: pages}).Snapshot
	n := snap.Offerings[catalog.OfferingKey(llamaID, "nvidia-nim", "", "")]
	if n.Input.Value.Kind != catalog.PriceFree || len(n.Input.Flags()) != 0 || len(n.Input.Conflicts()) != 0 {
		t.Errorf("nim input %+v: free agrees with models.dev's 0.00", n.Input)
	}
	if !hasFlag(n.Output, catalog.FlagDiscrepancy, "litellm (cross-check) has $0.10 per 1M; nvidia-nim says free") {
		t.Errorf("nim output flags %+v", n.Output.Flags())
	}
	f := snap.Offerings[catalog.OfferingKey(llamaID, "fireworks", "", "")]
	if !hasFlag(f.Input, catalog.FlagDiscrepancy, "litellm (cross-check) says free; fireworks says $0.10 per 1M") {
		t.Errorf("fireworks input flags %+v", f.Input.Flags())
	}
}

// TestUnitSlips: a price about 1000× (or 1e6×) off the same offering's
// previous value, another source's value for it, or the same model at the
// same provider elsewhere, or implausible on its face, is flagged.
func TestUnitSlips(t *testing.T) {
	const bid = "meta.llama3-2-1b-instruct-v1:0"
	name := page(orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldName, "Meta: Llama 3.2 1B Instruct"))
	key := catalog.OfferingKey(llamaID, "openrouter", "", "")

	// History: yesterday $0.027, today a per-1K figure read as per token.
	prev := norm(t, Input{Pages: []catalog.Page{name, page(orOffers.offer("meta-llama/llama-3.2-1b-instruct", "openrouter", "", catalog.FieldPriceInput, "0.000000027", catalog.PerToken))}}).Snapshot
	if f := prev.Offerings[key].Input; len(f.Flags()) != 0 {
		t.Fatalf("day 1 flags %+v", f.Flags())
	}
	day2 := day1.Add(24 * time.Hour)
	next := norm(t, Input{Now: day2, Previous: prev, Pages: []catalog.Page{name, page(orOffers.offer("meta-llama/llama-3.2-1b-instruct", "openrouter", "", catalog.FieldPriceInput, "0.000027", catalog.PerToken))}}).Snapshot
	in := next.Offerings[key].Input
	if in.Value != catalog.Fixed(27_000_000) || !hasFlag(in, catalog.FlagUnitSlip, "$27.00 per 1M is 1,000× the previous value $0.027 per 1M (openrouter)") {
		t.Errorf("history slip: %+v", in)
	}
	// A normal move is no slip.
	calm := norm(t, Input{Now: day2, Previous: prev, Pages: []catalog.Page{name, page(orOffers.offer("meta-llama/llama-3.2-1b-instruct", "openrouter", "", catalog.FieldPriceInput, "0.00000003", catalog.PerToken))}}).Snapshot
	if f := calm.Offerings[key].Input; len(f.Flags()) != 0 {
		t.Errorf("0.027 → 0.03 flagged: %+v", f.Flags())
	}

	// Other sources: models.dev's cloudflare gateway file says input = 27000
	// (per 1M) where the provider says $0.027.
	snap := norm(t, Input{Pages: []catalog.Page{name,
		page(ob{source: "cloudflare", auth: catalog.AuthorityProvider}.offer("@cf/meta/llama-3.2-1b-instruct", "cloudflare", "", catalog.FieldPriceInput, "0.027", catalog.PerMillion)),
		page(modelsdev.offer("workers-ai/llama-3.2-1b-instruct", "cloudflare", "", catalog.FieldPriceInput, "27000", catalog.PerMillion)),
	}}).Snapshot
	cf := snap.Offerings[catalog.OfferingKey(llamaID, "cloudflare", "", "")].Input
	if cf.Value != catalog.Fixed(27_000) || !hasFlag(cf, catalog.FlagUnitSlip, "cloudflare says $0.027 per 1M, models.dev says $27000.00 per 1M: 1,000,000× apart") {
		t.Errorf("cross-source slip: %+v", cf)
	}
	if hasFlag(cf, catalog.FlagDiscrepancy, "") {
		t.Errorf("a slip is not also a discrepancy: %+v", cf.Flags())
	}

	// Face value: a lone per-1M figure read as per token.
	lone := norm(t, Input{Pages: []catalog.Page{name,
		page(orOffers.offer("meta-llama/llama-3.2-1b-instruct", "openrouter", "", catalog.FieldPriceInput, "0.027", catalog.PerToken))}}).Snapshot
	if f := lone.Offerings[key].Input; !hasFlag(f, catalog.FlagUnitSlip, "$27000.00 per 1M tokens is implausibly high") {
		t.Errorf("implausible: %+v", f.Flags())
	}

	// Same model at the same provider in another region: 1000× apart.
	reg := norm(t, Input{Pages: []catalog.Page{name, page(
		bedrock.offer(bid, "bedrock", "us-east-1", catalog.FieldPriceInput, "0.0001", catalog.PerThousand),
		bedrock.offer(bid, "bedrock", "eu-west-1", catalog.FieldPriceInput, "0.00013", catalog.PerToken),
	)}}).Snapshot
	us := reg.Offerings[catalog.OfferingKey(llamaID, "bedrock", "us-east-1", "")].Input
	eu := reg.Offerings[catalog.OfferingKey(llamaID, "bedrock", "eu-west-1", "")].Input
	if !hasFlag(us, catalog.FlagUnitSlip, "$0.10 per 1M here, $130.00 per 1M at bedrock eu-west-1: 1,000× apart") ||
		!hasFlag(eu, catalog.FlagUnitSlip, "$130.00 per 1M here, $0.10 per 1M at bedrock us-east-1") {
		t.Errorf("sibling slip: us %+v eu %+v", us.Flags(), eu.Flags())
	}
	// The next day the EU price slips again while the US one holds steady
	// near its own previous value: the slip is the EU's, not the US's.
	regPrev := norm(t, Input{Pages: []catalog.Page{name, page(
		bedrock.offer(bid, "bedrock", "us-east-1", catalog.FieldPriceInput, "0.0001", catalog.PerThousand),
		bedrock.offer(bid, "bedrock", "eu-west-1", catalog.FieldPriceInput, "0.00013", catalog.PerThousand),
	)}}).Snapshot
	reg2 := norm(t, Input{Now: day2, Previous: regPrev, Pages: []catalog.Page{name, page(
		bedrock.offer(bid, "bedrock", "us-east-1", catalog.FieldPriceInput, "0.000101", catalog.PerThousand),
		bedrock.offer(bid, "bedrock", "eu-west-1", catalog.FieldPriceInput, "0.00013", catalog.PerToken),
	)}}).Snapshot
	us2 := reg2.Offerings[catalog.OfferingKey(llamaID, "bedrock", "us-east-1", "")].Input
	eu2 := reg2.Offerings[catalog.OfferingKey(llamaID, "bedrock", "eu-west-1", "")].Input
	if hasFlag(us2, catalog.FlagUnitSlip, "") || !hasFlag(eu2, catalog.FlagUnitSlip, "at bedrock us-east-1") {
		t.Errorf("steady sibling flagged: us %+v eu %+v", us2.Flags(), eu2.Flags())
	}

	// Siblings are compared at their exact amounts, not their rounded
	// Money: $0.1000004 rounds to $0.10, and is 1000× $100.0004 exactly.
	// Their context-length tiers' prices are compared too.
	fine := norm(t, Input{Pages: []catalog.Page{name, page(
		bedrock.offer(bid, "bedrock", "us-east-1", catalog.FieldPriceInput, "0.1000004", catalog.PerMillion),
		bedrock.offer(bid, "bedrock", "eu-west-1", catalog.FieldPriceInput, "100.0004", catalog.PerMillion),
		bedrock.offer(bid, "bedrock", "us-east-1", catalog.TierField(200_000, catalog.FieldPriceOutput), "0.2", catalog.PerMillion),
		bedrock.offer(bid, "bedrock", "eu-west-1", catalog.TierField(200_000, catalog.FieldPriceOutput), "200", catalog.PerMillion),
		bedrock.offer(bid, "bedrock", "ap-south-1", catalog.FieldPriceInput, "0.1000004", catalog.PerMillion),
	)}}).Snapshot
	fus := fine.Offerings[catalog.OfferingKey(llamaID, "bedrock", "us-east-1", "")]
	if fus.Input.Value != (catalog.Price{Kind: catalog.PriceFixed, Amount: 100_000, Rounded: true}) ||
		!hasFlag(fus.Input, catalog.FlagUnitSlip, "$0.1000004 per 1M here, $100.0004 per 1M at bedrock eu-west-1: 1,000× apart") {
		t.Errorf("rounded sibling slip: %+v", fus.Input)
	}
	if len(fus.Tiers) != 1 || !hasFlag(fus.Tiers[0].Output, catalog.FlagUnitSlip, "$0.20 per 1M here, $200.00 per 1M at bedrock eu-west-1") {
		t.Errorf("tier sibling slip: %+v", fus.Tiers)
	}
	if ap := fine.Offerings[catalog.OfferingKey(llamaID, "bedrock", "ap-south-1", "")].Input; !hasFlag(ap, catalog.FlagUnitSlip, "at bedrock eu-west-1") ||
		hasFlag(ap, catalog.FlagUnitSlip, "at bedrock us-east-1") {
		t.Errorf("ap-south-1: %+v; 1000× off eu-west-1, the same as us-east-1", ap.Flags())
	}
}

func TestCapabilitiesPrecedence(t *testing.T) {
	const codex = "gpt-5.3-codex"
	snap := norm(t, Input{Pages: []catalog.Page{
		page(openaiDocs.model(codex, catalog.FeatureField("Function calling"), "true"),
			openaiDocs.model(codex, catalog.FeatureField("tool web search"), "false"),
			openaiDocs.model(codex, catalog.FeatureField("tool code interpreter"), "true"),
			openaiDocs.model(codex, catalog.FieldInputModalities, "text,image")),
		page(orModels.model("openai/gpt-5.3-codex", catalog.FieldSupportedParameters, "max_tokens,temperature")),
		page(modelsdev.model("openai/gpt-5.3-codex", catalog.FeatureField("structured_output"), "true"),
			litellm.model("gpt-5.3-codex", catalog.FeatureField("supports_prompt_caching"), "true")),
	}}).Snapshot
	m := snap.Models["openai/gpt-5.3-codex"]
	want := map[catalog.Capability]catalog.Tri{
		catalog.CapFunctionCalling: catalog.Yes, catalog.CapToolUse: catalog.Yes, catalog.CapCodeExecution: catalog.Yes,
		catalog.CapVision: catalog.Yes, catalog.CapMultimodal: catalog.Yes, catalog.CapReasoning: catalog.No,
		catalog.CapStructuredOutputs: catalog.No, catalog.CapPromptCaching: catalog.Yes,
	}
	for c, w := range want {
		t.Run(string(c), func(t *testing.T) {
			if got := catalog.TriOf(m.Capabilities[c]); got != w {
				t.Errorf("%s = %s, want %s (%+v)", c, got, w, m.Capabilities[c])
			}
		})
	}
	fc := m.Capabilities[catalog.CapFunctionCalling]
	if fc.Source.Name() != "openai" || len(fc.Conflicts()) != 1 || fc.Conflicts()[0].Source.Name != "openrouter" || fc.Conflicts()[0].Raw != "supported_parameters lacks tools and tool_choice" {
		t.Errorf("function calling %+v; the creator wins, the aggregator's no is a conflict", fc)
	}
	so := m.Capabilities[catalog.CapStructuredOutputs]
	if so.Source.Name() != "openrouter" || len(so.Conflicts()) != 1 || so.Conflicts()[0].Source.Name != "models.dev" {
		t.Errorf("structured outputs %+v", so)
	}
}

func TestStaleLosesToFresh(t *testing.T) {
	stale := page(orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldContext, "60000"))
	stale.Stale = true
	snap := norm(t, Input{Pages: []catalog.Page{stale,
		page(ob{source: "zz-fresh", auth: catalog.AuthorityAggregator}.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldContext, "128000"))}}).Snapshot
	c := snap.Models[llamaID].ContextWindow
	if c.Source.Name() != "zz-fresh" || c.Stale || len(c.Conflicts()) != 1 {
		t.Errorf("context %+v", c)
	}
}

func TestChangedAndReviewedAt(t *testing.T) {
	pages := []catalog.Page{
		page(hfCard.model("meta-llama/Llama-3.2-1B-Instruct", catalog.FieldReleased, "Sept 25, 2024")),
		page(orOffers.offer("meta-llama/llama-3.2-1b-instruct", "openrouter", "", catalog.FieldPriceInput, "0.000000027", catalog.PerToken),
			orOffers.offer("meta-llama/llama-3.2-1b-instruct", "openrouter", "", catalog.FieldPriceOutput, "not a price", catalog.PerToken)),
	}
	res := norm(t, Input{Pages: pages})
	snap := res.Snapshot
	o := snap.Offerings[catalog.OfferingKey(llamaID, "openrouter", "", "")]
	if o == nil || o.Input.Value != catalog.Fixed(27_000) || o.Output.Sourced() {
		t.Fatalf("offering %+v; the unreadable output must be left out, not zero", o)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "openrouter meta-llama/llama-3.2-1b-instruct price.output") {
		t.Errorf("warnings %v; want the unreadable price named with its source", res.Warnings)
	}
	m := snap.Models[llamaID]
	m.Released.ReviewedAt = catalog.StampOf(day1)
	day2 := day1.Add(24 * time.Hour)
	for i := range pages[1].Observations {
		o := &pages[1].Observations[i]
		o.RetrievedAt = day2
		if o.Field == catalog.FieldPriceInput {
			o.Value = "0.00000003"
		}
	}
	next := norm(t, Input{Pages: pages, Previous: snap, Now: day2}).Snapshot
	r := next.Models[llamaID].Released
	if !r.ChangedAt.Equal(catalog.StampOf(day1)) || !r.ReviewedAt.Equal(catalog.StampOf(day1)) {
		t.Errorf("unchanged fact: changed %v reviewed %v; want both kept", r.ChangedAt, r.ReviewedAt)
	}
	in := next.Offerings[catalog.OfferingKey(llamaID, "openrouter", "", "")].Input
	if !in.ChangedAt.Equal(catalog.StampOf(day2)) || !in.RetrievedAt.Equal(catalog.StampOf(day2)) || in.Value.Amount != 30_000 || !in.ReviewedAt.IsZero() {
		t.Errorf("changed price: %+v", in)
	}
}

// TestDeterministic: the same observations in any order give the same
// snapshot, byte for byte.
func TestDeterministic(t *testing.T) {
	pages := llamaEverySource()
	want, err := json.Marshal(norm(t, Input{Pages: pages}))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20; i++ {
		shuffled := make([]catalog.Page, len(pages))
		for j, p := range pages {
			p.Observations = append([]catalog.Observation(nil), p.Observations...)
			rng.Shuffle(len(p.Observations), func(a, b int) { p.Observations[a], p.Observations[b] = p.Observations[b], p.Observations[a] })
			shuffled[j] = p
		}
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		got, _ := json.Marshal(norm(t, Input{Pages: shuffled}))
		if !bytes.Equal(got, want) {
			t.Fatalf("order %d gives a different snapshot", i)
		}
	}
}

// TestDoneLetsPagesGo: Input.Done is called once per page, in order, after
// the page's observations were read for the last time: a caller that lets
// each page's observations go when told gets the same snapshot.
func TestDoneLetsPagesGo(t *testing.T) {
	pages := func() []catalog.Page {
		return []catalog.Page{
			page(orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldName, "Llama 3.2 1B"),
				orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldHFRepo, "meta-llama/Llama-3.2-1B-Instruct")),
			page(hfCard.model("meta-llama/Llama-3.2-1B-Instruct", catalog.FieldContext, "131072")),
			page(nim.offer("meta/llama-3.2-1b-instruct", "nvidia-nim", "", catalog.FieldPriceInput, "0.10", catalog.PerMillion)),
		}
	}
	want := norm(t, Input{Pages: pages()})
	in := pages()
	var calls []int
	got := norm(t, Input{Pages: in, Done: func(i int) {
		calls = append(calls, i)
		in[i].Observations = nil
	}})
	if len(calls) != len(in) {
		t.Fatalf("Done called for %v, want every one of %d pages", calls, len(in))
	}
	for i, c := range calls {
		if c != i {
			t.Fatalf("Done called for %v, want each page in order", calls)
		}
	}
	a, _ := json.Marshal(want.Snapshot)
	b, _ := json.Marshal(got.Snapshot)
	if !bytes.Equal(a, b) {
		t.Fatalf("pages let go as told: a different snapshot\n got %s\nwant %s", b, a)
	}
	if len(got.Snapshot.Models) == 0 || len(got.Snapshot.Offerings) == 0 {
		t.Fatalf("the test's pages made no model or offering: %s", b)
	}
}

// TestKeepsUnchangedRecords: a model or offering that comes out of a
// nightly run as it was published, but for when its facts were seen, is
// the published record itself, its retrieval times moved to this run's;
// a changed one is a new record and the published one is left as it was.
func TestKeepsUnchangedRecords(t *testing.T) {
	pages := llamaEverySource()
	prev := norm(t, Input{Pages: pages}).Snapshot
	before, err := json.Marshal(prev)
	if err != nil {
		t.Fatal(err)
	}
	day2 := day1.Add(24 * time.Hour)
	changedKey := ""
	for i := range pages {
		for j := range pages[i].Observations {
			o := &pages[i].Observations[j]
			o.RetrievedAt = day2
			if changedKey == "" && o.Field == catalog.FieldPriceOutput && o.Source == "openrouter" {
				changedKey = catalog.OfferingKey(llamaID, o.Provider, o.Region, o.Variant)
				o.Value = "0.0000009"
			}
		}
	}
	if changedKey == "" || prev.Offerings[changedKey] == nil {
		t.Fatalf("no OpenRouter output price to change (%q)", changedKey)
	}
	oldChanged := *prev.Offerings[changedKey]
	next := norm(t, Input{Pages: pages, Previous: prev, Now: day2}).Snapshot

	if next.Models[llamaID] != prev.Models[llamaID] {
		t.Error("the unchanged model is a new record")
	}
	kept := 0
	for k, o := range next.Offerings {
		switch {
		case k == changedKey:
			if o == prev.Offerings[k] || o.Output.Raw != "0.0000009" || !o.Output.ChangedAt.Equal(catalog.StampOf(day2)) {
				t.Errorf("the changed offering: %+v", o.Output)
			}
		case o == prev.Offerings[k]:
			kept++
			if o.Input.Sourced() && !o.Input.RetrievedAt.Equal(catalog.StampOf(day2)) {
				t.Errorf("kept offering %s: retrieved_at %v, want this run's %v", k, o.Input.RetrievedAt, day2)
			}
		}
	}
	if kept == 0 {
		t.Error("no unchanged offering was kept")
	}
	if r := next.Models[llamaID].Released; r.Sourced() && (!r.RetrievedAt.Equal(catalog.StampOf(day2)) || !r.ChangedAt.Equal(catalog.StampOf(day1))) {
		t.Errorf("kept model's release date: retrieved %v changed %v", r.RetrievedAt, r.ChangedAt)
	}
	if !reflect.DeepEqual(*prev.Offerings[changedKey], oldChanged) {
		t.Error("the published record of the changed offering was edited")
	}
	// Apart from the records it kept, Previous is as it was.
	var after catalog.Snapshot
	if err := json.Unmarshal(before, &after); err != nil {
		t.Fatal(err)
	}
	for k, o := range after.Offerings {
		if next.Offerings[k] == prev.Offerings[k] {
			continue // kept: its retrieval times moved
		}
		if !reflect.DeepEqual(o, prev.Offerings[k]) {
			t.Errorf("Previous's offering %s was changed", k)
		}
	}
}

// TestCandidatesShareProvenance holds that the candidates of a page's
// observations share one provenance, and that an observation whose source,
// page, authority, note or retrieval time differs gets its own: the
// facts built from them keep each one's.
func TestCandidatesShareProvenance(t *testing.T) {
	m := newMerger(Settings{})
	a := orOffers.offer("meta-llama/llama-3.2-1b-instruct", "together", "", catalog.FieldPriceInput, "0.06", "")
	b := orOffers.offer("meta-llama/llama-3.2-1b-instruct", "together", "", catalog.FieldPriceOutput, "0.06", "")
	first, second := m.originOf(a), m.originOf(b)
	if first.provenance != second.provenance {
		t.Fatal("two observations of one page got two provenances")
	}
	for name, change := range map[string]func(*catalog.Observation){
		"source":    func(o *catalog.Observation) { o.Source = "fireworks" },
		"page":      func(o *catalog.Observation) { o.URL += "?page=2" },
		"authority": func(o *catalog.Observation) { o.Authority = catalog.AuthorityCrossCheck },
		"note":      func(o *catalog.Observation) { o.Note = "batch" },
		"time":      func(o *catalog.Observation) { o.RetrievedAt = o.RetrievedAt.Add(time.Second) },
	} {
		o := b
		change(&o)
		m.last = first.provenance
		got := m.originOf(o)
		if got.provenance == first.provenance {
			t.Errorf("%s differs: the provenance was shared", name)
		}
		if got.source != catalog.SourceOf(o.Ref()) {
			t.Errorf("%s differs: the facts' source %+v, want %+v", name, got.source.Ref(), o.Ref())
		}
		if got.Source != o.Source || got.URL != o.URL || got.Authority != o.Authority || got.Note != o.Note || !got.RetrievedAt.Equal(o.RetrievedAt) || got.Value != o.Value {
			t.Errorf("%s differs: origin %+v, %+v for %+v", name, *got.provenance, got.Value, o)
		}
	}
}

// TestDeterministicOneValuePerKey: where a key keeps one value (a
// source's claim of a capability, an id that matches no model), two pages
// of one source that both give one keep the least address's, in whatever
// order the pages come.
func TestDeterministicOneValuePerKey(t *testing.T) {
	pages := llamaEverySource()
	for _, u := range []string{"https://openrouter.ai/b", "https://openrouter.ai/a"} {
		pages = append(pages, page(
			ob{source: "openrouter", auth: catalog.AuthorityAggregator, url: u}.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldSupportedParameters, "tools,"+u),
			ob{source: "openrouter", auth: catalog.AuthorityProvider, url: u}.offer("acme/no-such-model", "acme", "", catalog.FieldPriceInput, "0.000001", catalog.PerToken)))
	}
	want, err := json.Marshal(norm(t, Input{Pages: pages}))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(want, []byte(`"url":"https://openrouter.ai/a"`)) || bytes.Contains(want, []byte(`"url":"https://openrouter.ai/b"`)) {
		t.Fatalf("the least address's values are not the ones kept: %s", want)
	}
	if !bytes.Contains(want, []byte(`"id":"acme/no-such-model"`)) || !bytes.Contains(want, []byte(`"tool_use"`)) {
		t.Fatalf("the unmatched id or the claim is missing: %s", want)
	}
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 20; i++ {
		rng.Shuffle(len(pages), func(a, b int) { pages[a], pages[b] = pages[b], pages[a] })
		got, err := json.Marshal(norm(t, Input{Pages: pages}))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("order %d gives a different snapshot:\n%s\nwant\n%s", i, got, want)
		}
	}
}

// TestStopEndsTheNormalisation: closing Input.Stop ends Normalize between
// two pages or two batches of records, with Result.Stopped and nothing
// else; left open, it changes nothing.
func TestStopEndsTheNormalisation(t *testing.T) {
	want := norm(t, Input{Pages: llamaEverySource()})
	if len(want.Snapshot.Models) == 0 || len(want.Snapshot.Offerings) == 0 {
		t.Fatal("the test's pages made no model or offering")
	}
	for _, tc := range []struct {
		name string
		// setup fills in the run; stop closes the channel.
		setup     func(in *Input, stop func())
		stopped   bool
		maxPages  int // pages Done was called for, at most
		wantPages int // exactly, when not stopped
	}{
		{"closed before", func(in *Input, stop func()) { stop() }, true, 0, 0},
		{"closed after the first page", func(in *Input, stop func()) {
			in.Done = func(int) { stop() }
		}, true, 1, 0},
		{"closed while the catalogue is built", func(in *Input, stop func()) {
			in.Published = func(ids, keys []string) *catalog.Snapshot { stop(); return nil }
		}, true, len(llamaEverySource()), 0},
		{"left open", func(in *Input, stop func()) {}, false, 0, len(llamaEverySource())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := make(chan struct{})
			var once sync.Once
			in := Input{Pages: llamaEverySource(), Now: day1, Stop: ch}
			tc.setup(&in, func() { once.Do(func() { close(ch) }) })
			done := 0
			if inner := in.Done; inner != nil {
				in.Done = func(i int) { done++; inner(i) }
			} else {
				in.Done = func(int) { done++ }
			}
			got := Normalize(in)
			if got.Stopped != tc.stopped {
				t.Fatalf("Stopped %v, want %v", got.Stopped, tc.stopped)
			}
			if tc.stopped {
				if got.Snapshot != nil || got.Warnings != nil || got.Previous != nil || done > tc.maxPages {
					t.Fatalf("stopped: snapshot %v, warnings %q, Done for %d pages (at most %d)", got.Snapshot != nil, got.Warnings, done, tc.maxPages)
				}
				return
			}
			a, _ := json.Marshal(want.Snapshot)
			b, _ := json.Marshal(got.Snapshot)
			if !bytes.Equal(a, b) || done != tc.wantPages {
				t.Fatalf("left open: Done for %d pages (want %d), snapshot\n%s\nwant\n%s", done, tc.wantPages, b, a)
			}
		})
	}
}
