package scrapers

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/golden"
)

func TestParseModelsDevGolden(t *testing.T) {
	r := Response{URL: DefaultModelsDevURL, Status: 200, Body: fixtureBody(t, "2026-04-23", "models.dev/api.json"), RetrievedAt: fixtureTime}
	res, err := ParseModelsDev(r, DefaultModelsDevProviders())
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "modelsdev_2026-04-23.golden.json"), observationsJSON(t, res.Observations))
	if res.Providers != 9 || res.Models != 13 || res.Read != 8 {
		t.Errorf("providers %d, models %d, read %d; want 9, 13, 8", res.Providers, res.Models, res.Read)
	}
	for _, p := range []string{"vercel", "cloudflare-workers-ai", "kilo", "inference"} {
		if res.Skipped["provider "+p] == 0 {
			t.Errorf("provider %s not counted as skipped: %v", p, res.Skipped)
		}
	}
	for _, o := range res.Observations {
		if o.Authority != catalog.AuthorityCrossCheck {
			t.Fatalf("not a cross-check: %+v", o)
		}
	}
	// Per 1M, as the catalogue wrote them; NVIDIA's free endpoint is 0.
	out := findAt(res.Observations, "openai", "gpt-5.3-codex", catalog.FieldPriceOutput)
	if len(out) != 1 || out[0].Value != "14" || out[0].Unit != catalog.PerMillion {
		t.Errorf("OpenAI GPT-5.3-Codex output %+v", out)
	}
	nv := findAt(res.Observations, "nvidia-nim", "meta/llama-3.2-1b-instruct", catalog.FieldPriceInput)
	if len(nv) != 1 || nv[0].Value != "0" {
		t.Errorf("NVIDIA input %+v", nv)
	}
	// The creator's entry dates the model; a reseller's date does not.
	rel := find(res.Observations, "gpt-5.3-codex", catalog.FieldReleased)
	if len(rel) != 1 || rel[0].Value != "2026-02-05" || rel[0].Provider != "" {
		t.Errorf("GPT-5.3-Codex release %+v, want OpenAI's entry only", rel)
	}
	if rel := find(res.Observations, "meta/llama-3.2-1b-instruct", catalog.FieldReleased); len(rel) != 0 {
		t.Errorf("NVIDIA's date taken as the model's release: %+v", rel)
	}
	if ctx := findAt(res.Observations, "bedrock", "meta.llama3-2-1b-instruct-v1:0", catalog.FieldOfferingContext); len(ctx) != 1 || ctx[0].Value != "131000" {
		t.Errorf("Bedrock context %+v", ctx)
	}
}

func TestParseModelsDevErrors(t *testing.T) {
	for name, tt := range map[string]struct {
		body   string
		markup bool
	}{
		"not json":         {`<html>502</html>`, false},
		"list":             {`[{"id":"openai"}]`, false},
		"empty":            {`{}`, true},
		"no models":        {`{"openai":{"id":"openai","name":"OpenAI"}}`, true},
		"price as text":    {`{"openai":{"models":{"gpt-x":{"id":"gpt-x","cost":{"input":"one dollar"}}}}}`, false},
		"negative price":   {`{"openai":{"models":{"gpt-x":{"id":"gpt-x","cost":{"input":-1,"output":2}}}}}`, false},
		"nothing mapped":   {`{"kilo":{"models":{"a/b":{"id":"a/b","cost":{"input":1,"output":2}}}}}`, true},
		"model not object": {`{"openai":{"models":{"gpt-x":[1,2]}}}`, false},
		"model without id": {`{"openai":{"models":{"":{"name":"x"}}}}`, true},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseModelsDev(Response{Body: []byte(tt.body)}, DefaultModelsDevProviders())
			if err == nil {
				t.Errorf("%s: no error", name)
				return
			}
			if tt.markup && !errors.Is(err, ErrMarkup) {
				t.Errorf("%s: %v does not wrap ErrMarkup", name, err)
			}
		})
	}
	// Most providers and models unreadable.
	_, err := ParseModelsDev(Response{Body: []byte(`{"openai":{"models":{"a":{"cost":{"input":-1}},"b":[1],"c":{"id":"c"}}},"azure":7}`)}, DefaultModelsDevProviders())
	if !errors.Is(err, ErrMarkup) || !strings.Contains(err.Error(), "3 of 4 providers and models unreadable") {
		t.Errorf("most unreadable: %v", err)
	}
	// A zero limit is a placeholder: no context observation.
	res, err := ParseModelsDev(Response{Body: []byte(`{"amazon-bedrock":{"models":{"x.y-v1:0":{"id":"x.y-v1:0","cost":{"input":0.1,"output":0.1},"limit":{"context":0,"output":0}}}}}`)}, DefaultModelsDevProviders())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Observations {
		if strings.HasPrefix(string(o.Field), "offering.") && o.Field != catalog.FieldListed {
			t.Errorf("placeholder limit read: %+v", o)
		}
	}
}

// TestParseModelsDevRowWarnings: a provider or a model the parser cannot
// read is left out with a warning; the others stand.
func TestParseModelsDevRowWarnings(t *testing.T) {
	good := `"gpt-x":{"id":"gpt-x","cost":{"input":1,"output":2}},"gpt-y":{"id":"gpt-y","cost":{"input":3,"output":4}}`
	for name, c := range map[string]struct{ body, warning string }{
		"price as text":    {`{"openai":{"models":{` + good + `,"gpt-z":{"id":"gpt-z","cost":{"input":"one dollar"}}}}}`, "openai/gpt-z: json: invalid number literal"},
		"negative price":   {`{"openai":{"models":{` + good + `,"gpt-z":{"id":"gpt-z","cost":{"input":-1,"output":2}}}}}`, "openai/gpt-z: cost.input: negative -1: left out"},
		"model not object": {`{"openai":{"models":{` + good + `,"gpt-z":[1,2]}}}`, "openai/gpt-z: json: cannot unmarshal array"},
		"provider broken":  {`{"openai":{"models":{` + good + `}},"azure":{"models":7}}`, "provider azure: json: cannot unmarshal number"},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := ParseModelsDev(Response{Body: []byte(c.body)}, DefaultModelsDevProviders())
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], c.warning) || res.Unreadable != 1 {
				t.Errorf("warnings %q (%d unreadable), want one saying %q", res.Warnings, res.Unreadable, c.warning)
			}
			for id, want := range map[string]string{"gpt-x": "1", "gpt-y": "3"} {
				if in := find(res.Observations, id, catalog.FieldPriceInput); len(in) != 1 || in[0].Value != want {
					t.Errorf("%s input %+v, want %s", id, in, want)
				}
			}
			if z := find(res.Observations, "gpt-z", catalog.FieldListed); len(z) != 0 {
				t.Errorf("the bad model was read: %+v", z)
			}
		})
	}
}

func TestModelsDevSource(t *testing.T) {
	s := &ModelsDev{URL: "http://127.0.0.1:1/api.json", Providers: map[string]string{"kilo": "kilo"}}
	if d := s.Describe(); d.Authority != catalog.AuthorityCrossCheck || d.URLs[0] != s.URL || d.Name != "modelsdev" {
		t.Errorf("describe %+v", d)
	}
	p, err := s.Parse("api", Response{URL: s.URL, Body: fixtureBody(t, "2026-04-23", "models.dev/api.json")})
	if err != nil {
		t.Fatal(err)
	}
	offers := 0
	for _, o := range p.Observations {
		if o.Provider != "" {
			offers++
			if o.Provider != "kilo" {
				t.Fatalf("configured mapping ignored: %+v", o)
			}
		}
	}
	if offers == 0 {
		t.Error("no offering at the one mapped provider")
	}
}

func FuzzParseModelsDev(f *testing.F) {
	f.Add(fixtureBody(f, "2026-04-23", "models.dev/api.json"))
	f.Add([]byte(`{"openai":{"models":{"gpt-x":{"id":"gpt-x","cost":{"input":1e-3,"output":2},"limit":{"context":0.5}}}}}`))
	f.Add([]byte(`{"x":{"models":{"m":{"benchmarks":[{"name":"A","score":"1.5%"},{"name":"A","score":2},{"score":3}]}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := ParseModelsDev(Response{URL: DefaultModelsDevURL, Body: body}, DefaultModelsDevProviders())
		if err != nil {
			return
		}
		for _, o := range res.Observations {
			if o.Authority != catalog.AuthorityCrossCheck || o.Subject == "" {
				t.Fatalf("bad observation %+v", o)
			}
			if o.Field == catalog.FieldBenchmark {
				if _, err := catalog.ParseBenchmarkResult(o.Value); err != nil {
					t.Fatalf("unreadable benchmark %+v: %v", o, err)
				}
			}
			if (o.Field.IsPrice() || o.Field == catalog.FieldOfferingContext || o.Field == catalog.FieldOfferingMaxOutput) && strings.HasPrefix(o.Value, "-") {
				t.Fatalf("negative figure %+v", o)
			}
		}
	})
}
