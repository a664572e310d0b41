package scrapers

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/golden"
	"github.com/llmref/llmref/normalize"
)

const brLlama = "meta.llama3-2-1b-instruct-v1:0"

var brModels = map[string]string{"Llama 3.2 1B": brLlama}

func brOfferPath(region string) string {
	return "pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonBedrock/current/" + region + "/index.json"
}

func TestParseBedrockOfferGolden(t *testing.T) {
	s := &Bedrock{Regions: []string{"us-east-1", "eu-west-1"}, Models: brModels}
	for _, region := range s.Regions {
		for _, day := range []string{"2026-04-23", "2026-04-24"} {
			t.Run(region+" "+day, func(t *testing.T) {
				p, err := s.Parse("offer", Response{URL: s.OfferURL(region), Status: 200, Body: fixtureBody(t, day, brOfferPath(region)), RetrievedAt: fixtureTime})
				if err != nil {
					t.Fatalf("%s %s: %v", day, region, err)
				}
				golden.Assert(t, filepath.Join("testdata", "bedrock_"+region+".golden.json"), observationsJSON(t, p.Observations))
			})
		}
	}
	pu, err := ParseBedrockOffer("us-east-1", brModels, Response{URL: s.OfferURL("us-east-1"), Body: fixtureBody(t, "2026-04-23", brOfferPath("us-east-1"))})
	if err != nil {
		t.Fatal(err)
	}
	us := pu.Observations
	want := map[catalog.Field]string{
		catalog.FieldPriceInput: "0.0001000000", catalog.FieldPriceOutput: "0.0001000000",
		catalog.FieldPriceBatchInput: "0.0000500000", catalog.FieldPriceBatchOutput: "0.0000500000",
	}
	for f, v := range want {
		got := find(us, brLlama, f)
		if len(got) != 1 || got[0].Value != v || got[0].Unit != catalog.PerThousand || got[0].Region != "us-east-1" || got[0].Provider != "bedrock" {
			t.Errorf("us-east-1 %s = %+v; want %s per 1K in us-east-1", f, got, v)
		}
	}
	if in := find(us, brLlama, catalog.FieldPriceInput); len(in) == 1 && !strings.Contains(in[0].Note, "usagetype USE1-Llama3-2-1B-input-tokens;") {
		t.Errorf("the SKU chosen is not named: %+v", in)
	}
	if n := len(find(us, brLlama, "")); n != 5 {
		t.Errorf("%d observations of %s; want listed + 4 prices (storage and the marketplace SKU ignored): %+v", n, brLlama, us)
	}
	// Every other model the file prices by the token is read under its
	// vendor and display name, for normalisation to resolve or report.
	if in := find(us, "anthropic/Claude 2.0", catalog.FieldPriceInput); len(in) != 1 || in[0].Value != "0.0080000000" || in[0].SubjectName != "Claude 2.0" {
		t.Errorf("Claude 2.0 input = %+v; want it read as anthropic/Claude 2.0", in)
	}
	if b := find(us, "meta/Llama 3.1 8B", catalog.FieldPriceBatchInput); len(b) != 1 {
		t.Errorf("Llama 3.1 8B batch input = %+v", b)
	}
	pe, err := ParseBedrockOffer("eu-west-1", brModels, Response{Body: fixtureBody(t, "2026-04-23", brOfferPath("eu-west-1"))})
	if err != nil {
		t.Fatal(err)
	}
	eu := pe.Observations
	if len(pu.Warnings)+len(pe.Warnings) != 0 {
		t.Errorf("warnings %q %q", pu.Warnings, pe.Warnings)
	}
	if in := find(eu, brLlama, catalog.FieldPriceInput); len(in) != 1 || in[0].Value != "0.0001300000" || in[0].Region != "eu-west-1" {
		t.Errorf("eu-west-1 input = %+v; want the EU price 0.00013 per 1K", in)
	}
	if b := find(eu, brLlama, catalog.FieldPriceBatchInput); len(b) != 0 {
		t.Errorf("eu-west-1 lists no batch SKU, got %+v", b)
	}
}

// brOffer builds a one-product offer file in the real layout.
func brOffer(attrs, unit, price, desc string) string {
	return `{ "formatVersion" : "v1.0", "offerCode" : "AmazonBedrock", "products" : { "SKU1" : { "sku" : "SKU1", "productFamily" : "Amazon Bedrock",
	  "attributes" : { "regionCode" : "us-west-2", ` + attrs + ` } } },
	  "terms" : { "OnDemand" : { "SKU1" : { "SKU1.JRTCKXETXF" : { "offerTermCode" : "JRTCKXETXF", "sku" : "SKU1",
	    "priceDimensions" : { "SKU1.JRTCKXETXF.6YS6EN2CT7" : { "rateCode" : "SKU1.JRTCKXETXF.6YS6EN2CT7", "description" : "` + desc + `",
	      "beginRange" : "0", "endRange" : "Inf", "unit" : "` + unit + `", "pricePerUnit" : { "USD" : "` + price + `" }, "appliesTo" : [ ] } },
	    "termAttributes" : { } } } } } }`
}

func TestParseBedrockOfferSKUs(t *testing.T) {
	for name, c := range map[string]struct {
		attrs, unit, price, desc string
		field                    catalog.Field
		wantUnit                 catalog.Unit
	}{
		"on-demand output": {`"model" : "Llama 3.2 1B", "usagetype" : "USW2-Llama3-2-1B-output-tokens", "feature" : "On-demand Inference"`, "1K tokens", "0.0001000000", "", catalog.FieldPriceOutput, catalog.PerThousand},
		"batch by feature": {`"model" : "Llama 3.2 1B", "usagetype" : "USW2-Llama3-2-1B-input-tokens", "feature" : "Batch Inference"`, "1K tokens", "0.0000500000", "", catalog.FieldPriceBatchInput, catalog.PerThousand},
		"marketplace units": {`"model" : "Llama 3.2 1B", "usagetype" : "USW2-MP:USW2_InputTokenCount-input-tokens"`, "Units", "0.1000000000",
			"AWS Marketplace software usage|us-west-2|Million Input Tokens", catalog.FieldPriceInput, catalog.PerMillion},
		"cache read":  {`"model" : "Llama 3.2 1B", "usagetype" : "USW2-Llama3-2-1B-cache-read-input-tokens"`, "1K tokens", "0.0000100000", "", catalog.FieldPriceCachedInput, catalog.PerThousand},
		"titan model": {`"titanModel" : "Llama 3.2 1B", "usagetype" : "USW2-Llama3-2-1B-input-tokens"`, "1K tokens", "0.0001000000", "", catalog.FieldPriceInput, catalog.PerThousand},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := ParseBedrockOffer("us-west-2", brModels, Response{Body: []byte(brOffer(c.attrs, c.unit, c.price, c.desc))})
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			obs := p.Observations
			got := find(obs, brLlama, c.field)
			if len(got) != 1 || got[0].Value != c.price || got[0].Unit != c.wantUnit || got[0].Region != "us-west-2" {
				t.Errorf("%s: %s = %+v", name, c.field, obs)
			}
		})
	}
	// Other serving paths are other offerings: never read as on-demand.
	for _, suffix := range []string{"flex", "priority", "latency-optimized", "cross-region-global", "custom-model", "cross-region-global-batch"} {
		t.Run(suffix, func(t *testing.T) {
			body := brOffer(`"model" : "Llama 3.2 1B", "usagetype" : "USW2-Llama3-2-1B-input-tokens-`+suffix+`"`, "1K tokens", "0.5", "")
			_, err := ParseBedrockOffer("us-west-2", brModels, Response{Body: []byte(body)})
			if err == nil || !errors.Is(err, ErrMarkup) || !strings.Contains(err.Error(), "no on-demand or batch token price") {
				t.Errorf("-%s: %v; want it skipped, leaving no price", suffix, err)
			}
		})
	}
}

// TestParseBedrockOfferRenamed: a model the display-name table no longer
// knows (renamed on the page) is still read, under its vendor and name.
func TestParseBedrockOfferRenamed(t *testing.T) {
	page := string(fixtureBody(t, "2026-04-23", brOfferPath("us-east-1")))
	p, err := ParseBedrockOffer("us-east-1", brModels, Response{Body: []byte(strings.ReplaceAll(page, `"model" : "Llama 3.2 1B"`, `"model" : "Llama 3.2 1B Instruct"`))})
	if err != nil {
		t.Fatal(err)
	}
	if got := find(p.Observations, "meta/Llama 3.2 1B Instruct", catalog.FieldPriceInput); len(got) != 1 || got[0].Value != "0.0001000000" {
		t.Errorf("renamed model: %+v", p.Observations)
	}
	if got := find(p.Observations, brLlama, ""); len(got) != 0 {
		t.Errorf("the old name still read: %+v", got)
	}
	for vendor, want := range map[string]string{"Mistral AI": "mistralai/Mistral Large", "AI21 Labs": "ai21/Mistral Large", "": "Mistral Large", "Some Lab": "some-lab/Mistral Large"} {
		t.Run(fmt.Sprintf("vendor %q", vendor), func(t *testing.T) {
			if got := bedrockSubject(vendor, " Mistral  Large "); got != want {
				t.Errorf("bedrockSubject(%q) = %q, want %q", vendor, got, want)
			}
		})
	}
}

func TestParseBedrockOfferErrors(t *testing.T) {
	page := string(fixtureBody(t, "2026-04-23", brOfferPath("us-east-1")))
	for name, c := range map[string]struct {
		body   string
		models map[string]string
		markup bool
	}{
		"access denied xml":  {`<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>`, brModels, false},
		"no products":        {strings.Replace(page, `"products" :`, `"items" :`, 1), brModels, true},
		"no terms":           {strings.Replace(page, `"OnDemand" :`, `"Reserved" :`, 1), brModels, true},
		"every unit unknown": {strings.ReplaceAll(page, `"unit" : "1K tokens",`, `"unit" : "1K characters",`), brModels, true},
		"another offer":      {strings.Replace(page, `"offerCode" : "AmazonBedrock"`, `"offerCode" : "AmazonEC2"`, 1), brModels, false},
		"attribute not text": {strings.Replace(page, `"operation" : ""`, `"operation" : 7`, 1), brModels, false},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseBedrockOffer("us-east-1", c.models, Response{Body: []byte(c.body)})
			if err == nil {
				t.Fatal("no error")
			}
			if c.markup && !errors.Is(err, ErrMarkup) {
				t.Errorf("%v does not wrap ErrMarkup", err)
			}
		})
	}
}

// TestParseBedrockOfferRowWarnings: a token SKU the parser cannot read, or
// one that gives a price another SKU gave otherwise, is left out with a
// warning; the other SKUs stand.
func TestParseBedrockOfferRowWarnings(t *testing.T) {
	page := string(fixtureBody(t, "2026-04-23", brOfferPath("us-east-1")))
	two := strings.Replace(page, `"SYNTH1B000USOUT1" : {`, `"SYNTH1B000USIN02" : { "sku" : "SYNTH1B000USIN02", "productFamily" : "Amazon Bedrock", "attributes" : { "model" : "Llama 3.2 1B", "usagetype" : "USE1-Llama3-2-1B-input-tokens", "regionCode" : "us-east-1" } },
    "SYNTH1B000USOUT1" : {`, 1)
	two = strings.Replace(two, `"OnDemand" : {`, `"OnDemand" : { "SYNTH1B000USIN02" : { "SYNTH1B000USIN02.JRTCKXETXF" : { "priceDimensions" : { "SYNTH1B000USIN02.JRTCKXETXF.6YS6EN2CT7" : { "beginRange" : "0", "unit" : "1K tokens", "pricePerUnit" : { "USD" : "0.0002000000" } } } } },`, 1)
	for name, c := range map[string]struct {
		body, warning string
		gone          catalog.Field
	}{
		"unknown unit": {strings.Replace(page, `"unit" : "1K tokens",`, `"unit" : "1K characters",`, 1),
			`unit "1K characters" is not a token unit llmref knows`, catalog.FieldPriceInput},
		"no usd": {strings.Replace(page, `"USD" : "0.0001000000"`, `"CNY" : "0.0007000000"`, 1),
			"price dimension without a USD price", catalog.FieldPriceInput},
		"two skus disagree": {two, "price.input: SKU SYNTH1B000USIN02 says 0.0002000000 usd/1k against 0.0001000000 usd/1k from SKU SYNTH1B000USIN01: the first stands", ""},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := ParseBedrockOffer("us-east-1", brModels, Response{Body: []byte(c.body)})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], c.warning) {
				t.Errorf("warnings %q, want one saying %q", p.Warnings, c.warning)
			}
			for _, f := range []catalog.Field{catalog.FieldPriceInput, catalog.FieldPriceOutput, catalog.FieldPriceBatchInput, catalog.FieldPriceBatchOutput} {
				if n := len(find(p.Observations, brLlama, f)); n != 1 && f != c.gone || n != 0 && f == c.gone {
					t.Errorf("%s: %d observations", f, n)
				}
			}
			if in := find(p.Observations, brLlama, catalog.FieldPriceInput); c.gone != catalog.FieldPriceInput && (len(in) != 1 || in[0].Value != "0.0001000000") {
				t.Errorf("input %+v, want the first SKU's", in)
			}
		})
	}
}

func TestBedrockURLs(t *testing.T) {
	s := &Bedrock{BaseURL: "http://127.0.0.1:9/", Regions: []string{"us-east-1"}, Models: brModels}
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].URL != "http://127.0.0.1:9/offers/v1.0/aws/AmazonBedrock/current/us-east-1/index.json" {
		t.Fatalf("requests %+v", reqs)
	}
	if _, err := s.Parse("offer", Response{URL: "http://127.0.0.1:9/offers/v1.0/aws/AmazonEC2/current/us-east-1/index.json"}); err == nil {
		t.Error("another service's offer file was read")
	}
}

func FuzzParseBedrockOffer(f *testing.F) {
	f.Add(fixtureBody(f, "2026-04-23", brOfferPath("us-east-1")))
	f.Add([]byte(brOffer(`"model" : "Llama 3.2 1B", "usagetype" : "X-input-tokens-batch"`, "Units", "1e-3", "Million tokens")))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseBedrockOffer("us-east-1", brModels, Response{URL: "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonBedrock/current/us-east-1/index.json", Body: body})
		if err != nil {
			return
		}
		checkParsed(t, p)
		for _, o := range p.Observations {
			if o.Subject == "" || o.Provider != "bedrock" || o.Region == "" || (o.Field.IsPrice() && o.Unit == "") {
				t.Fatalf("observation %+v", o)
			}
		}
	})
}

// TestReferenceSourcesReplay runs this sources through the real
// collector on both bundled days and normalises what they say: Llama 3.2 1B
// Instruct is offered at OpenRouter (headline and per endpoint), Fireworks
// AI (by size tier) and AWS Bedrock (per region), its cheapest blended price
// is OpenRouter's, and the card keeps winning over the Hub API.
func TestReferenceSourcesReplay(t *testing.T) {
	srcs := []Source{
		&OpenRouter{},
		&OpenRouterEndpoints{Models: []string{orLlama, orCodex}},
		&HuggingFace{Repos: []string{hfLlamaRepo}},
		&Fireworks{Models: fwTracked},
		&Bedrock{Regions: []string{"us-east-1", "eu-west-1"}, Models: brModels},
	}
	day1 := crawlDay(t, "2026-04-23", nil, srcs)
	for _, s := range day1.Stats {
		if s.Status != catalog.SourceOK || len(s.Errors) > 0 || s.Observations == 0 {
			t.Errorf("day 1 %s: %+v", s.Source, s)
		}
	}
	day2 := crawlDay(t, "2026-04-24", pagesByURL(day1.Pages), srcs)
	if s := statsOf(day2, "bedrock"); s.Status != catalog.SourceUnchanged || s.NotModified != 2 {
		t.Errorf("day 2 bedrock: %+v; want both offer files unchanged through 304s", s)
	}
	for _, name := range []string{"openrouter-endpoints", "fireworks"} {
		if s := statsOf(day2, name); s.Status != catalog.SourceOK || len(s.Errors) > 0 {
			t.Errorf("day 2 %s: %+v", name, s)
		}
	}

	for day, out := range map[string]*Outcome{"2026-04-23": day1, "2026-04-24": day2} {
		t.Run(day, func(t *testing.T) {
			snap := normalize.Normalize(normalize.Input{Pages: out.Pages, Now: fixtureTime}).Snapshot
			m := snap.Models["meta/llama-3.2-1b-instruct"]
			if m == nil {
				t.Fatalf("%s: no Llama 3.2 1B Instruct", day)
			}
			if m.Parameters.Display != "1.23B" || m.Parameters.Source.Name() != "huggingface" || m.Parameters.Source.Authority() != catalog.AuthorityCreator {
				t.Errorf("%s: parameters %+v; the card (1.23B) must win over the API's safetensors total", day, m.Parameters)
			}
			type offer struct{ in, out catalog.Money }
			wantOut := map[string]catalog.Money{"2026-04-23": 200_000, "2026-04-24": 201_000}[day]
			want := map[string]offer{
				catalog.OfferingKey(m.ID, "openrouter", "", ""):               {27_000, wantOut},
				catalog.OfferingKey(m.ID, "openrouter", "", "cloudflare"):     {27_000, wantOut},
				catalog.OfferingKey(m.ID, "openrouter", "", "deepinfra/bf16"): {27_000, wantOut},
				catalog.OfferingKey(m.ID, "fireworks", "", ""):                {100_000, 100_000},
				catalog.OfferingKey(m.ID, "bedrock", "us-east-1", ""):         {100_000, 100_000},
				catalog.OfferingKey(m.ID, "bedrock", "eu-west-1", ""):         {130_000, 130_000},
			}
			var cheapest *catalog.Offering
			blend := func(o *catalog.Offering) int64 { return 7*int64(o.Input.Value.Amount) + 3*int64(o.Output.Value.Amount) }
			for _, o := range snap.OfferingsOf(m.ID) {
				w, ok := want[o.Key()]
				if !ok {
					t.Errorf("%s: unexpected offering %s", day, o.Key())
					continue
				}
				delete(want, o.Key())
				if !o.Input.Value.Comparable() || o.Input.Value.Amount != w.in || o.Output.Value.Amount != w.out {
					t.Errorf("%s %s: %s / %s, want %s / %s", day, o.Key(), o.Input.Display, o.Output.Display, w.in, w.out)
				}
				if cheapest == nil || blend(o) < blend(cheapest) {
					cheapest = o
				}
			}
			for k := range want {
				t.Errorf("%s: no offering %s", day, k)
			}
			if cheapest == nil || cheapest.Provider != "openrouter" {
				t.Errorf("%s: cheapest blended offering %+v, want OpenRouter's", day, cheapest)
			}
			fw := snap.Offerings[catalog.OfferingKey(m.ID, "fireworks", "", "")]
			if fw == nil || fw.Input.Source.Note() != "tier: Less than 4B parameters" || fw.BatchInput.Value.Amount != 50_000 {
				t.Errorf("%s: Fireworks offering %+v; want the tier named and batch at 50%%", day, fw)
			}
			br := snap.Offerings[catalog.OfferingKey(m.ID, "bedrock", "us-east-1", "")]
			if br == nil || br.ProviderModelID != brLlama || br.BatchOutput.Value.Amount != 50_000 {
				t.Errorf("%s: Bedrock us-east-1 offering %+v", day, br)
			}
			for _, tag := range []string{"", "openai", "azure"} {
				o := snap.Offerings[catalog.OfferingKey("openai/gpt-5.3-codex", "openrouter", "", tag)]
				if o == nil || o.Input.Value.Amount != 1_750_000 || o.Output.Value.Amount != 14_000_000 || o.CachedInput.Value.Amount != 175_000 {
					t.Errorf("%s: GPT-5.3-Codex at openrouter %q: %+v", day, tag, o)
				}
			}
		})
	}
}

// bigBedrockOffer is an offer file of n products in the real layout, one in
// four of them the configured model's (the rest other models' SKUs), about
// the size of a real regional Bedrock file for n = 3000.
func bigBedrockOffer(n int) []byte {
	var products, terms strings.Builder
	for i := range n {
		sku := fmt.Sprintf("SKU%013d", i)
		model, usage := fmt.Sprintf("Model %d", i/8), fmt.Sprintf("USE1-Model%d-input-tokens-%d", i/8, i%8)
		if i%4 == 0 {
			model, usage = "Llama 3.2 1B", "USE1-Llama3-2-1B-input-tokens"
		}
		if i > 0 {
			products.WriteString(",\n")
			terms.WriteString(",\n")
		}
		fmt.Fprintf(&products, `    %q : { "sku" : %q, "productFamily" : "Amazon Bedrock", "attributes" : { "regionCode" : "us-east-1", "location" : "US East (N. Virginia)", "servicecode" : "AmazonBedrock", "provider" : "Meta", "model" : %q, "inferenceType" : "Input tokens", "feature" : "On-demand Inference", "usagetype" : %q, "operation" : "" } }`, sku, sku, model, usage)
		fmt.Fprintf(&terms, `    %q : { "%s.JRTCKXETXF" : { "offerTermCode" : "JRTCKXETXF", "sku" : %q, "effectiveDate" : "2026-04-01T00:00:00Z", "priceDimensions" : { "%s.JRTCKXETXF.6YS6EN2CT7" : { "rateCode" : "%s.JRTCKXETXF.6YS6EN2CT7", "description" : "$0.0001 per 1K tokens", "beginRange" : "0", "endRange" : "Inf", "unit" : "1K tokens", "pricePerUnit" : { "USD" : "0.0001000000" }, "appliesTo" : [ ] } }, "termAttributes" : { } } }`, sku, sku, sku, sku, sku)
	}
	return []byte(`{ "formatVersion" : "v1.0", "offerCode" : "AmazonBedrock", "version" : "20260401000512", "products" : {
` + products.String() + ` }, "terms" : { "OnDemand" : {
` + terms.String() + ` } }, "attributesList" : { } }`)
}

func BenchmarkParseBedrockOffer(b *testing.B) {
	body := bigBedrockOffer(3000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseBedrockOffer("us-east-1", brModels, Response{Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}
