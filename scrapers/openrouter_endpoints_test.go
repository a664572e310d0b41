package scrapers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/golden"
)

const (
	orLlama = "meta-llama/llama-3.2-1b-instruct"
	orCodex = "openai/gpt-5.3-codex"
)

// findVariant returns the observations of one subject, variant and field.
func findVariant(obs []catalog.Observation, subject, variant string, field catalog.Field) []catalog.Observation {
	var out []catalog.Observation
	for _, o := range find(obs, subject, field) {
		if o.Variant == variant {
			out = append(out, o)
		}
	}
	return out
}

func parseOREndpointsDay(t *testing.T, day, model string) []catalog.Observation {
	t.Helper()
	s := &OpenRouterEndpoints{}
	r := Response{URL: s.EndpointsURL(model), Status: 200, Body: fixtureBody(t, day, "openrouter.ai/api/v1/models/"+model+"/endpoints.json"), RetrievedAt: fixtureTime}
	p, err := s.Parse("endpoints", r)
	if err != nil {
		t.Fatalf("%s %s: %v", day, model, err)
	}
	return p.Observations
}

func TestParseOpenRouterEndpointsGolden(t *testing.T) {
	for _, day := range []string{"2026-04-23", "2026-04-24"} {
		t.Run(day, func(t *testing.T) {
			var all []catalog.Observation
			for _, m := range []string{orLlama, orCodex} {
				all = append(all, parseOREndpointsDay(t, day, m)...)
			}
			golden.Assert(t, filepath.Join("testdata", "openrouter_endpoints_"+day+".golden.json"), observationsJSON(t, all))
		})
	}
	wantOut := map[string]string{"2026-04-23": "0.0000002", "2026-04-24": "0.000000201"}
	for day, out := range wantOut {
		t.Run(day, func(t *testing.T) {
			obs := parseOREndpointsDay(t, day, orLlama)
			for _, o := range obs {
				if o.Provider != "openrouter" || o.Authority != catalog.AuthorityProvider {
					t.Fatalf("%s: %+v is not an offering at openrouter: what OpenRouter charges is never the upstream's offering", day, o)
				}
			}
			for _, tag := range []string{"cloudflare", "deepinfra/bf16"} {
				in := findVariant(obs, orLlama, tag, catalog.FieldPriceInput)
				o := findVariant(obs, orLlama, tag, catalog.FieldPriceOutput)
				if len(in) != 1 || in[0].Value != "0.000000027" || in[0].Unit != catalog.PerToken || len(o) != 1 || o[0].Value != out {
					t.Errorf("%s %s: input %+v output %+v; want the model-level 0.000000027 / %s per token", day, tag, in, o, out)
				}
			}
		})
	}
	di := findVariant(parseOREndpointsDay(t, "2026-04-23", orLlama), orLlama, "deepinfra/bf16", catalog.FieldOfferingContext)
	if len(di) != 1 || di[0].Value != "131072" || di[0].Note != "via DeepInfra; quantization bf16; degraded (status -2)" {
		t.Errorf("degraded DeepInfra endpoint: %+v; want it counted, with upstream, quantization and status in the note", di)
	}
	codex := parseOREndpointsDay(t, "2026-04-23", orCodex)
	for _, tag := range []string{"openai", "azure"} {
		for f, v := range map[catalog.Field]string{catalog.FieldPriceInput: "0.00000175", catalog.FieldPriceOutput: "0.000014", catalog.FieldPriceCachedInput: "0.000000175", catalog.FieldOfferingMaxOutput: "128000"} {
			if got := findVariant(codex, orCodex, tag, f); len(got) != 1 || got[0].Value != v {
				t.Errorf("GPT-5.3-Codex via %s %s = %+v, want %s", tag, f, got, v)
			}
		}
	}
}

// TestParseOpenRouterEndpointsRealCapture reads a real capture's shape
// (FORMATS.md §7.2): one provider_name under two tags, a degraded endpoint
// with null uptimes, latencies in milliseconds.
func TestParseOpenRouterEndpointsRealCapture(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "or_endpoints_kimi-k3.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := &OpenRouterEndpoints{}
	p, err := s.Parse("endpoints", Response{URL: s.EndpointsURL("moonshotai/kimi-k3"), Body: body, RetrievedAt: fixtureTime})
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "openrouter_endpoints_kimi-k3.golden.json"), observationsJSON(t, p.Observations))
	fw := findVariant(p.Observations, "moonshotai/kimi-k3", "fireworks", catalog.FieldPriceInput)
	fast := findVariant(p.Observations, "moonshotai/kimi-k3", "fireworks/fast", catalog.FieldPriceInput)
	if len(fw) != 1 || fw[0].Value != "0.000003" || len(fast) != 1 || fast[0].Value != "0.0000045" {
		t.Errorf("Fireworks under two tags: %+v and %+v; want two offerings keyed by tag", fw, fast)
	}
	morph := findVariant(p.Observations, "moonshotai/kimi-k3", "morph/fast", catalog.FieldListed)
	if len(morph) != 1 || !strings.Contains(morph[0].Note, "degraded (status -2)") || !strings.Contains(morph[0].Note, "quantization fp4") {
		t.Errorf("degraded endpoint: %+v", morph)
	}
}

func TestParseOpenRouterEndpointsErrors(t *testing.T) {
	ep := func(s string) string { return `{"data":{"id":"a/b","endpoints":[` + s + `]}}` }
	good := `{"tag":"x","provider_name":"X","pricing":{"prompt":"0.1","completion":"0.2"}}`
	for name, c := range map[string]struct {
		body   string
		markup bool
	}{
		"most unreadable":   {ep(good + `,{"tag":"y"},{"tag":"z","pricing":{"prompt":[1],"completion":"0.2"}}`), true},
		"not json":          {`<html>Just a moment...</html>`, false},
		"no data":           {`{"error":{"code":404,"message":"Model not found"}}`, true},
		"no endpoints":      {`{"data":{"id":"a/b"}}`, true},
		"no endpoint":       {ep(``), true},
		"no tag":            {ep(`{"provider_name":"X","pricing":{"prompt":"0.1","completion":"0.2"}}`), true},
		"no pricing":        {ep(`{"tag":"x"}`), true},
		"no prompt":         {ep(`{"tag":"x","pricing":{"completion":"0.2"}}`), true},
		"tag with a pipe":   {ep(`{"tag":"x|y","pricing":{"prompt":"0.1","completion":"0.2"}}`), false},
		"bad status":        {ep(`{"tag":"x","status":"down","pricing":{"prompt":"0.1","completion":"0.2"}}`), false},
		"bad price":         {ep(`{"tag":"x","pricing":{"prompt":[1],"completion":"0.2"}}`), false},
		"endpoints object":  {`{"data":{"id":"a/b","endpoints":{}}}`, false},
		"status fractional": {ep(`{"tag":"x","status":-2.5,"pricing":{"prompt":"0.1","completion":"0.2"}}`), false},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseOpenRouterEndpoints("a/b", Response{Body: []byte(c.body)})
			if err == nil {
				t.Errorf("%s: no error", name)
				return
			}
			if c.markup && !errors.Is(err, ErrMarkup) {
				t.Errorf("%s: %v does not wrap ErrMarkup", name, err)
			}
		})
	}

}

// TestParseOpenRouterEndpointsRowWarnings: an endpoint the parser cannot
// read, or a tag listed again, is left out with a warning naming it; the
// other endpoints stand.
func TestParseOpenRouterEndpointsRowWarnings(t *testing.T) {
	ep := func(s string) string { return `{"data":{"id":"a/b","endpoints":[` + s + `]}}` }
	good := `{"tag":"x","provider_name":"X","pricing":{"prompt":"0.1","completion":"0.2"}},{"tag":"z","pricing":{"prompt":"0.3","completion":"0.4"}}`
	for name, c := range map[string]struct{ bad, warning string }{
		// A value of the wrong type names its endpoint, though the body is
		// decoded in one pass when it is right.
		"wrong type": {`{"tag":"y","context_length":"long","pricing":{}}`, "endpoint 2: json: cannot unmarshal string into Go struct field orEndpoint.context_length"},
		"no prompt":  {`{"tag":"y","provider_name":"Y","pricing":{"completion":"0.2"}}`, "endpoint 2 (Y): tag y: no pricing.prompt"},
		"tag twice":  {`{"tag":"x","pricing":{"prompt":"9","completion":"9"}}`, `endpoint 2: tag "x" listed again: left out, the first stands`},
	} {
		t.Run(name, func(t *testing.T) {
			// An endpoint after the bad one: what the bad one's reading
			// left behind must not stay among the observations.
			after := `{"tag":"w","pricing":{"prompt":"0.5","completion":"0.6"}}`
			p, err := ParseOpenRouterEndpoints("a/b", Response{Body: []byte(ep(good + "," + c.bad + "," + after))})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], c.warning) {
				t.Errorf("warnings %q, want one saying %q", p.Warnings, c.warning)
			}
			for tag, want := range map[string]string{"x": "0.1", "z": "0.3", "w": "0.5"} {
				if in := findVariant(p.Observations, "a/b", tag, catalog.FieldPriceInput); len(in) != 1 || in[0].Value != want {
					t.Errorf("endpoint %s input %+v, want %s", tag, in, want)
				}
			}
			if y := findVariant(p.Observations, "a/b", "y", catalog.FieldListed); len(y) != 0 {
				t.Errorf("the bad endpoint was read: %+v", y)
			}
			listed := 0
			for _, o := range p.Observations {
				if o.Field == catalog.FieldListed {
					listed++
				}
			}
			if listed != 3 || len(p.Observations) != 9 {
				t.Errorf("%d observations, %d listings; want 9 (x, z and w: a listing and two prices each) and 3", len(p.Observations), listed)
			}
		})
	}
	// Half the endpoints unreadable is not most: the page stands.
	if p, err := ParseOpenRouterEndpoints("a/b", Response{Body: []byte(ep(`{"tag":"w","pricing":{}},{"pricing":{}},` + good))}); err != nil || len(p.Warnings) != 2 {
		t.Errorf("half the endpoints unreadable: %v, warnings %q", err, p.Warnings)
	}
	_, err := ParseOpenRouterEndpoints("a/b", Response{Body: []byte(ep(`{"tag":"x","pricing":{}},{"pricing":{}},{"tag":"z","pricing":{"prompt":"0.3","completion":"0.4"}}`))})
	if !errors.Is(err, ErrMarkup) || !strings.Contains(err.Error(), "2 of 3 endpoints unreadable") {
		t.Errorf("most endpoints unreadable: %v, want the count", err)
	}
}

func TestOpenRouterEndpointsURL(t *testing.T) {
	s := &OpenRouterEndpoints{BaseURL: "https://openrouter.ai/"}
	for model, want := range map[string]string{
		orLlama:                     "https://openrouter.ai/api/v1/models/meta-llama/llama-3.2-1b-instruct/endpoints",
		"nex-agi/nex-n2.5-pro:free": "https://openrouter.ai/api/v1/models/nex-agi/nex-n2.5-pro%3Afree/endpoints",
	} {
		t.Run(model, func(t *testing.T) {
			u := s.EndpointsURL(model)
			if u != want {
				t.Errorf("EndpointsURL(%s) = %s, want %s", model, u, want)
			}
			if back, err := s.modelOfEndpointsURL(u); err != nil || back != model {
				t.Errorf("model of %s = %q, %v", u, back, err)
			}
		})
	}
	if _, err := s.modelOfEndpointsURL("https://openrouter.ai/api/v1/models"); err == nil {
		t.Error("a non-endpoints URL was read as one")
	}
}

// TestOpenRouterEndpointsVariantOverCollector fetches a ":free" variant
// through the real collector from a loopback server: the ":" reaches the
// server escaped, and the offering's variant keeps the suffix.
func TestOpenRouterEndpointsVariantOverCollector(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.RequestURI {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/api/v1/models/nex-agi/nex-n2.5-pro%3Afree/endpoints":
			hits.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"data":{"id":"nex-agi/nex-n2.5-pro:free","name":"Nex N2.5 Pro (free)","endpoints":[
				{"provider_name":"Chutes","tag":"chutes","quantization":null,"context_length":131072,"status":0,
				 "pricing":{"prompt":"0","completion":"0","discount":0}}]}}`))
		default:
			t.Errorf("unexpected request %s", r.RequestURI)
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	src := &OpenRouterEndpoints{BaseURL: srv.URL, Models: []string{"nex-agi/nex-n2.5-pro:free"}}
	out, err := Crawl(context.Background(), testOptions(), []Source{src}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := statsOf(out, "openrouter-endpoints"); st.Status != catalog.SourceOK || len(st.Errors) > 0 || hits.Load() != 1 {
		t.Fatalf("stats %+v, %d hits", st, hits.Load())
	}
	obs := out.Pages[0].Observations
	in := findVariant(obs, "nex-agi/nex-n2.5-pro:free", "chutes:free", catalog.FieldPriceInput)
	if len(in) != 1 || in[0].Value != "0" {
		t.Errorf("free variant input = %+v (all: %+v)", in, obs)
	}
}

func FuzzParseOpenRouterEndpoints(f *testing.F) {
	f.Add(fixtureBody(f, "2026-04-23", "openrouter.ai/api/v1/models/"+orLlama+"/endpoints.json"))
	if b, err := os.ReadFile(filepath.Join("testdata", "or_endpoints_kimi-k3.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"data":{"endpoints":[{"tag":"a","status":-1,"pricing":{"prompt":"-1","completion":1e-7,"discount":0.1}}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseOpenRouterEndpoints("a/b:free", Response{URL: "https://openrouter.ai/api/v1/models/a/b%3Afree/endpoints", Body: body})
		if err != nil {
			return
		}
		checkParsed(t, p)
		for _, o := range p.Observations {
			if o.Provider != "openrouter" || o.Variant == "" || strings.Contains(o.Variant, "|") {
				t.Fatalf("observation %+v: want an offering at openrouter keyed by a tag", o)
			}
		}
	})
}

func BenchmarkParseOpenRouterEndpoints(b *testing.B) {
	body := fixtureBody(b, "2026-04-23", "openrouter.ai/api/v1/models/"+orLlama+"/endpoints.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseOpenRouterEndpoints(orLlama, Response{Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}
