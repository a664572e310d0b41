package refresh

import (
	"slices"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/normalize"
	"github.com/llmref/llmref/scrapers"
)

// TestFireworksTiersOnlyForServedModels (issue 13): Fireworks' size-tier
// price goes to a tracked open-weights model of sourced size and
// architecture only when Fireworks is known to serve it by another
// route: a cross-check listing it there, or an OpenRouter endpoint whose
// upstream is Fireworks. A tier price of an earlier run never counts as
// such a route, a model served there with a closed licence is not priced
// by size, and neither is an open one nobody says Fireworks serves.
func TestFireworksTiersOnlyForServedModels(t *testing.T) {
	obs := func(source string, auth catalog.Authority, subject string, f catalog.Field, v string) catalog.Observation {
		return catalog.Observation{Source: source, URL: "https://" + source + ".example/" + subject, Authority: auth, Subject: subject, Field: f, Value: v}
	}
	offer := func(o catalog.Observation, provider, variant, note string, u catalog.Unit) catalog.Observation {
		o.Provider, o.Variant, o.Note, o.Unit = provider, variant, note, u
		return o
	}
	page := func(url string, o ...catalog.Observation) catalog.Page {
		return catalog.Page{Source: o[0].Source, URL: url, Observations: o, Count: len(o)}
	}
	const (
		viaCrossCheck = "meta-llama/llama-3.2-1b-instruct"
		viaEndpoint   = "meta-llama/llama-3.2-3b-instruct"
		tierOnly      = "meta-llama/llama-3.1-8b-instruct"
		notServed     = "meta-llama/llama-3.3-70b-instruct"
		closed        = "openai/gpt-5.3-codex"
	)
	list := []catalog.Observation{}
	for _, id := range []string{viaCrossCheck, viaEndpoint, tierOnly, notServed, closed} {
		list = append(list, obs("openrouter", catalog.AuthorityAggregator, id, catalog.FieldName, id))
	}
	pages := []catalog.Page{page("https://openrouter.ai/api/v1/models", list...)}
	for id, params := range map[string]string{viaCrossCheck: "1.23B", viaEndpoint: "3.21B", tierOnly: "8.03B", notServed: "70.6B"} {
		pages = append(pages, page("https://huggingface.co/"+id,
			obs("huggingface", catalog.AuthorityCreator, id, catalog.FieldLicence, "Llama 3.2 Community License"),
			obs("huggingface", catalog.AuthorityCreator, id, catalog.FieldParameters, params),
			obs("huggingface", catalog.AuthorityCreator, id, catalog.FieldArchitecture, "decoder-only transformer")))
	}
	pages = append(pages,
		page("https://openai.example/gpt-5.3-codex", // sized, but closed
			obs("openai", catalog.AuthorityCreator, closed, catalog.FieldLicence, "Proprietary"),
			obs("openai", catalog.AuthorityCreator, closed, catalog.FieldParameters, "1.8T"),
			obs("openai", catalog.AuthorityCreator, closed, catalog.FieldArchitecture, "decoder-only transformer")),
		page("https://litellm.example/prices",
			offer(obs("litellm", catalog.AuthorityCrossCheck, "accounts/fireworks/models/llama-v3p2-1b-instruct", catalog.FieldPriceInput, "1e-07"), "fireworks", "", "", catalog.PerToken),
			offer(obs("litellm", catalog.AuthorityCrossCheck, "accounts/fireworks/models/gpt-5.3-codex", catalog.FieldPriceInput, "1e-07"), "fireworks", "", "", catalog.PerToken)),
		page("https://openrouter.ai/api/v1/models/"+viaEndpoint+"/endpoints",
			offer(obs("openrouter-endpoints", catalog.AuthorityProvider, viaEndpoint, catalog.FieldPriceInput, "0.00000006"), "openrouter", "fireworks/fast", "", catalog.PerToken),
			offer(obs("openrouter-endpoints", catalog.AuthorityProvider, viaEndpoint, catalog.FieldPriceOutput, "0.00000006"), "openrouter", "fireworks/fast", "", catalog.PerToken)),
		page("https://docs.fireworks.ai/serverless/pricing.md", // last run's tier price of the 8B
			offer(obs("fireworks", catalog.AuthorityProvider, tierOnly, catalog.FieldPriceInput, "$0.20"), "fireworks", "", "tier: 4B - 16B parameters", catalog.PerMillion),
			offer(obs("fireworks", catalog.AuthorityProvider, tierOnly, catalog.FieldPriceOutput, "$0.20"), "fireworks", "", "tier: 4B - 16B parameters", catalog.PerMillion)),
	)
	tracked := trackedSet(pages, map[string]bool{"openrouter": true}, TrackPolicy{}, normalize.Settings{}, true, nil)
	var priced []string
	for _, m := range (&scrapers.Fireworks{}).Plan(tracked).(*scrapers.Fireworks).Models {
		priced = append(priced, m.Canonical)
		// The provider's id is LiteLLM's subject: its key without the
		// "fireworks_ai/" prefix (scrapers.ParseLiteLLM).
		if m.Canonical == "meta/llama-3.2-1b-instruct" && m.ID != "accounts/fireworks/models/llama-v3p2-1b-instruct" {
			t.Errorf("%s is priced as Fireworks' %q", m.Canonical, m.ID)
		}
	}
	slices.Sort(priced)
	want := []string{"meta/llama-3.2-1b-instruct", "meta/llama-3.2-3b-instruct"}
	if !slices.Equal(priced, want) {
		for _, m := range tracked.Models {
			t.Logf("%s: open %v, %d parameters, architecture %q, offered %v", m.ID, m.OpenWeights, m.Parameters, m.Architecture, m.Offered)
		}
		t.Errorf("priced by size tier: %q; want %q", priced, want)
	}
}
