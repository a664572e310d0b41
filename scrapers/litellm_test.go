package scrapers

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/golden"
)

const litellmFixture = "raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"

func TestParseLiteLLMGolden(t *testing.T) {
	r := Response{URL: DefaultLiteLLMURL, Status: 200, Body: fixtureBody(t, "2026-04-23", litellmFixture), RetrievedAt: fixtureTime}
	res, err := ParseLiteLLM(r, DefaultLiteLLMProviders())
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "litellm_2026-04-23.golden.json"), observationsJSON(t, res.Observations))
	if res.Entries != 19 || res.Read != 11 {
		t.Errorf("entries %d, read %d; want 19 and 11", res.Entries, res.Read)
	}
	wantSkipped := map[string]int{
		"unpriced":                   3, // github_copilot, snowflake, Bedrock provisioned throughput (per second)
		"provider sambanova":         1,
		"provider vercel_ai_gateway": 1,
		"provider watsonx":           1,
		"mode embedding":             1,
		"mode rerank":                1,
	}
	for k, n := range wantSkipped {
		if res.Skipped[k] != n {
			t.Errorf("skipped[%q] = %d, want %d (all: %s)", k, res.Skipped[k], n, res.SkipSummary())
		}
	}
	total := res.Read
	for _, n := range res.Skipped {
		total += n
	}
	if total != res.Entries {
		t.Errorf("read %d + skipped %v != %d entries: something was dropped silently", res.Read, res.Skipped, res.Entries)
	}
	for _, o := range res.Observations {
		if o.Authority != catalog.AuthorityCrossCheck || o.Provider == "" {
			t.Fatalf("not a cross-check offering observation: %+v", o)
		}
	}
	// Numbers are kept as the file wrote them, never through float64.
	in := findAt(res.Observations, "openai", "gpt-5.3-codex", catalog.FieldPriceInput)
	if len(in) != 1 || in[0].Value != "1.75e-06" || in[0].Unit != catalog.PerToken || in[0].Provider != "openai" {
		t.Errorf("GPT-5.3-Codex input %+v", in)
	}
	cached := find(res.Observations, "gpt-5.3-codex", catalog.FieldPriceCachedInput)
	if len(cached) != 2 { // openai and azure
		t.Errorf("GPT-5.3-Codex cached input %+v, want OpenAI's and Azure's", cached)
	}
	eu := find(res.Observations, "eu.meta.llama3-2-1b-instruct-v1:0", catalog.FieldPriceInput)
	if len(eu) != 1 || eu[0].Value != "1.3e-07" || eu[0].Region != "eu" || eu[0].Provider != "bedrock" {
		t.Errorf("EU Bedrock %+v", eu)
	}
	fw := find(res.Observations, "accounts/fireworks/models/llama-v3p2-1b-instruct", catalog.FieldPriceOutput)
	if len(fw) != 1 || fw[0].Provider != "fireworks" || fw[0].Value != "1e-07" {
		t.Errorf("Fireworks %+v", fw)
	}
	reg := find(res.Observations, "meta.llama3-8b-instruct-v1:0", catalog.FieldPriceInput)
	if len(reg) != 1 || reg[0].Region != "us-east-1" {
		t.Errorf("regional Bedrock key %+v", reg)
	}
}

// findAt returns the observations of one subject and field at a provider.
func findAt(obs []catalog.Observation, provider, subject string, field catalog.Field) []catalog.Observation {
	var out []catalog.Observation
	for _, o := range find(obs, subject, field) {
		if o.Provider == provider {
			out = append(out, o)
		}
	}
	return out
}

func TestParseLiteLLMErrors(t *testing.T) {
	for name, tt := range map[string]struct {
		body   string
		markup bool
	}{
		"not json":          {`<html>rate limited</html>`, false},
		"array":             {`[{"litellm_provider":"openai"}]`, false},
		"empty":             {`{}`, true},
		"entry not object":  {`{"gpt-x":"1e-06"}`, true},
		"price is a string": {`{"gpt-x":{"litellm_provider":"openai","mode":"chat","input_cost_per_token":"1e-06"}}`, false},
		"negative price":    {`{"gpt-x":{"litellm_provider":"openai","mode":"chat","input_cost_per_token":-1e-06}}`, false},
		"nothing mapped":    {`{"x/y":{"litellm_provider":"somewhere","mode":"chat","input_cost_per_token":1e-06}}`, true},
		"only the spec":     {`{"sample_spec":{"mode":"chat","input_cost_per_token":0.0,"litellm_provider":"openai"}}`, true},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseLiteLLM(Response{Body: []byte(tt.body)}, DefaultLiteLLMProviders())
			if err == nil {
				t.Errorf("%s: no error", name)
				return
			}
			if tt.markup && !errors.Is(err, ErrMarkup) {
				t.Errorf("%s: %v does not wrap ErrMarkup", name, err)
			}
		})
	}
}

// TestParseLiteLLMRowWarnings: an entry the parser cannot read is left out
// with a warning; the others stand.
func TestParseLiteLLMRowWarnings(t *testing.T) {
	good := `"gpt-x":{"litellm_provider":"openai","mode":"chat","input_cost_per_token":1e-06,"output_cost_per_token":2e-06},` +
		`"gpt-y":{"litellm_provider":"openai","mode":"chat","input_cost_per_token":3e-06,"output_cost_per_token":4e-06}`
	for name, c := range map[string]struct{ bad, warning string }{
		"entry not object":  {`"gpt-z":"1e-06"`, "gpt-z: not an object: left out"},
		"price is a string": {`"gpt-z":{"litellm_provider":"openai","mode":"chat","input_cost_per_token":"1e-06"}`, `gpt-z: input_cost_per_token: want a number, got "1e-06": left out`},
		"negative price":    {`"gpt-z":{"litellm_provider":"openai","mode":"chat","input_cost_per_token":-1e-06}`, "gpt-z: input_cost_per_token: negative number -1e-06: left out"},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := ParseLiteLLM(Response{Body: []byte("{" + good + "," + c.bad + "}")}, DefaultLiteLLMProviders())
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Warnings) != 1 || res.Warnings[0] != c.warning || res.Unreadable != 1 || res.Read != 2 {
				t.Errorf("warnings %q (%d unreadable, %d read), want %q", res.Warnings, res.Unreadable, res.Read, c.warning)
			}
			for id, want := range map[string]string{"gpt-x": "1e-06", "gpt-y": "3e-06"} {
				if in := find(res.Observations, id, catalog.FieldPriceInput); len(in) != 1 || in[0].Value != want {
					t.Errorf("%s input %+v, want %s", id, in, want)
				}
			}
		})
	}
	s, err := (&LiteLLM{}).Summarize("prices", Response{Body: []byte("{" + good + `,"gpt-z":7}`)})
	if err != nil || !strings.HasSuffix(s, "; 1 unreadable") {
		t.Errorf("summary %q, %v; want the unreadable entry counted", s, err)
	}
}

func TestLiteLLMSubject(t *testing.T) {
	for _, tt := range []struct {
		key, provider, subject, region string
		ok                             bool
	}{
		{"gpt-5.3-codex", "openai", "gpt-5.3-codex", "", true},
		{"openrouter/openai/gpt-5.2-codex", "openrouter", "openai/gpt-5.2-codex", "", true},
		{"fireworks_ai/accounts/fireworks/models/llama-v3p2-1b-instruct", "fireworks_ai", "accounts/fireworks/models/llama-v3p2-1b-instruct", "", true},
		{"us.meta.llama3-2-1b-instruct-v1:0", "bedrock", "us.meta.llama3-2-1b-instruct-v1:0", "us", true},
		{"bedrock/us-west-2/meta.llama3-70b-instruct-v1:0", "bedrock", "meta.llama3-70b-instruct-v1:0", "us-west-2", true},
		{"bedrock/moonshotai.kimi-k2.5", "bedrock", "moonshotai.kimi-k2.5", "", true},
		{"bedrock/ap-northeast-1/1-month-commitment/anthropic.claude-v1", "bedrock", "", "", false},
		{"bedrock/*/6-month-commitment/cohere.command-text-v14", "bedrock", "", "", false},
		{"openai/", "openai", "", "", false},
	} {
		t.Run(tt.key, func(t *testing.T) {
			s, r, skip := litellmSubject(tt.key, tt.provider)
			if ok := skip == ""; ok != tt.ok || (ok && (s != tt.subject || r != tt.region)) {
				t.Errorf("%s: %q %q %q; want %q %q ok=%v", tt.key, s, r, skip, tt.subject, tt.region, tt.ok)
			}
		})
	}
}

// TestParseLiteLLMRealData parses the whole real price map kept in
// ../shared/realdata: every priced chat entry, with no error, each either
// read or counted as skipped.
func TestParseLiteLLMRealData(t *testing.T) {
	body, err := os.ReadFile("../../shared/realdata/litellm/model_prices_and_context_window.json")
	if err != nil {
		t.Skip("../shared/realdata is not here:", err)
	}
	res, err := ParseLiteLLM(Response{URL: DefaultLiteLLMURL, Body: body}, DefaultLiteLLMProviders())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings on the real map: %q", res.Warnings)
	}
	// Count the priced chat entries independently of the parser.
	var doc map[string]map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	priced, pricedMapped := 0, 0
	for k, e := range doc {
		if k == "sample_spec" || !litellmModes[jsonString(e["mode"])] {
			continue
		}
		if _, in := e["input_cost_per_token"]; !in {
			if _, out := e["output_cost_per_token"]; !out {
				continue
			}
		}
		priced++
		if _, ok := DefaultLiteLLMProviders()[jsonString(e["litellm_provider"])]; ok && !strings.Contains(k, "-commitment/") {
			pricedMapped++
		}
	}
	if res.Entries != len(doc)-1 {
		t.Errorf("%d entries read, want %d", res.Entries, len(doc)-1)
	}
	if res.Read != pricedMapped {
		t.Errorf("%d priced chat entries of mapped providers read, want %d", res.Read, pricedMapped)
	}
	skippedByProvider := 0
	for k, n := range res.Skipped {
		if strings.HasPrefix(k, "provider ") {
			skippedByProvider += n
		}
	}
	if res.Read+skippedByProvider != priced {
		t.Errorf("read %d + skipped by provider %d != %d priced chat entries", res.Read, skippedByProvider, priced)
	}
	t.Logf("%d entries: %d priced chat entries, %d read; skipped: %s", res.Entries, priced, res.Read, res.SkipSummary())
	gpt := find(res.Observations, "gpt-5.3-codex", catalog.FieldPriceOutput)
	if len(gpt) != 2 || gpt[0].Value != "1.4e-05" {
		t.Errorf("GPT-5.3-Codex output %+v (OpenAI and Azure)", gpt)
	}
}

func TestLiteLLMSource(t *testing.T) {
	s := &LiteLLM{URL: "http://127.0.0.1:1/prices.json", Providers: map[string]string{"openai": "openai"}}
	if d := s.Describe(); d.Authority != catalog.AuthorityCrossCheck || d.URLs[0] != "http://127.0.0.1:1/prices.json" {
		t.Errorf("describe %+v", d)
	}
	p, err := s.Parse("prices", Response{URL: s.URL, Body: fixtureBody(t, "2026-04-23", litellmFixture)})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range p.Observations {
		if o.Provider != "openai" {
			t.Errorf("configured mapping ignored: %+v", o)
		}
	}
}

func FuzzParseLiteLLM(f *testing.F) {
	f.Add(fixtureBody(f, "2026-04-23", litellmFixture))
	f.Add([]byte(`{"gpt-x":{"litellm_provider":"openai","mode":"chat","input_cost_per_token":1e-06,"max_output_tokens":4096.0}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := ParseLiteLLM(Response{URL: DefaultLiteLLMURL, Body: body}, DefaultLiteLLMProviders())
		if err != nil {
			return
		}
		if len(res.Observations) == 0 {
			t.Fatal("no error and no observations")
		}
		n := res.Read + res.Unreadable
		for _, k := range res.Skipped {
			n += k
		}
		if n != res.Entries {
			t.Fatalf("read %d + skipped %v + unreadable %d != %d entries", res.Read, res.Skipped, res.Unreadable, res.Entries)
		}
		checkParsed(t, Parsed{Observations: res.Observations, Warnings: res.Warnings})
	})
}

func TestSummarize(t *testing.T) {
	lit, err := (&LiteLLM{}).Summarize("prices", Response{Body: fixtureBody(t, "2026-04-23", litellmFixture)})
	if err != nil {
		t.Fatal(err)
	}
	if want := "19 entries, 11 priced chat entries of mapped providers read; skipped: unpriced 3, "; !strings.HasPrefix(lit, want) {
		t.Errorf("litellm summary %q, want it to start %q", lit, want)
	}
	md, err := (&ModelsDev{}).Summarize("api", Response{Body: fixtureBody(t, "2026-04-23", "models.dev/api.json")})
	if err != nil {
		t.Fatal(err)
	}
	if want := "9 providers, 13 models, 8 models of mapped providers read, 5 of other providers for model facts only; offerings skipped: "; !strings.HasPrefix(md, want) || !strings.Contains(md, "provider kilo 1") {
		t.Errorf("modelsdev summary %q", md)
	}
	if got := topCounts(map[string]int{"a": 5, "b": 3, "c": 2, "d": 1}, 2); got != "a 5, b 3, 2 other reasons 3" {
		t.Errorf("topCounts = %q", got)
	}
}

// BenchmarkParseLiteLLMRealData parses the whole real price map (1.4 MB,
// 2,669 entries).
func BenchmarkParseLiteLLMRealData(b *testing.B) {
	body, err := os.ReadFile("../../shared/realdata/litellm/model_prices_and_context_window.json")
	if err != nil {
		b.Skip("../shared/realdata is not here:", err)
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseLiteLLM(Response{URL: DefaultLiteLLMURL, Body: body}, DefaultLiteLLMProviders()); err != nil {
			b.Fatal(err)
		}
	}
}
