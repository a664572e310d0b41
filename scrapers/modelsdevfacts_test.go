package scrapers

import (
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
)

func TestModelsDevModelFacts(t *testing.T) {
	r := Response{URL: DefaultModelsDevURL, Status: 200, Body: fixtureBody(t, "2026-04-23", "models.dev/api.json"), RetrievedAt: fixtureTime}
	res, err := ParseModelsDev(r, DefaultModelsDevProviders())
	if err != nil {
		t.Fatal(err)
	}
	model := func(subject string, f catalog.Field) []string {
		var out []string
		for _, o := range find(res.Observations, subject, f) {
			if o.Provider == "" {
				out = append(out, o.Value)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name, subject string
		field         catalog.Field
		want          []string
	}{
		{"the creator's context", "gpt-5.3-codex", catalog.FieldContext, []string{"400000"}},
		{"the creator's output limit", "gpt-5.3-codex", catalog.FieldMaxOutput, []string{"128000"}},
		{"the creator's tool calling", "gpt-5.3-codex", catalog.FeatureField("tool_call"), []string{"true"}},
		{"modalities, Azure's and OpenAI's", "gpt-5.3-codex", catalog.FieldInputModalities, []string{"text,image", "text,image,pdf"}},
		{"a reseller's knowledge cutoff", "meta-llama/llama-3.2-1b-instruct", catalog.FieldKnowledgeCutoff, []string{"2023-12-31"}},
		{"a reseller's reasoning flag", "meta/llama-3.2-1b-instruct", catalog.FeatureField("reasoning"), []string{"false", "false"}},
		{"an unmapped provider's entry still speaks for the model", "@cf/meta/llama-3.2-1b-instruct", catalog.FieldLicence, []string{"open_weights=true"}},
		{"no reseller's date is a release", "meta-llama/llama-3.2-1b-instruct", catalog.FieldReleased, nil},
		{"no reseller's limit is the model's", "meta-llama/llama-3.2-1b-instruct", catalog.FieldContext, nil},
		{"no reseller's tool calling is the model's", "meta/llama-3.2-1b-instruct", catalog.FeatureField("tool_call"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := model(tc.subject, tc.field); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("%s %s = %q, want %q", tc.subject, tc.field, got, tc.want)
			}
		})
	}
	if res.ModelFacts == 0 {
		t.Error("no unmapped provider's model read for its facts")
	}
	got := benchmarks(t, find(res.Observations, "gpt-5.3-codex", catalog.FieldBenchmark))
	for label, want := range map[string][2]string{
		"SWE-Atlas Codebase QnA (score, Codex)": {"32.6", "https://labs.scale.com/leaderboard/sweatlas-qna"},
		"SWE-Atlas Refactoring (score, Codex)":  {"42.38", "https://labs.scale.com/leaderboard/sweatlas-refactoring"},
		"SWE-Atlas Test Writing (score, Codex)": {"38.98", "https://labs.scale.com/leaderboard/sweatlas-tw"},
	} {
		if r := got[label]; r.Score != want[0] || r.SourceURL != want[1] {
			t.Errorf("%s: %+v, want %s from %s", label, r, want[0], want[1])
		}
	}
	if len(got) != 3 {
		t.Errorf("%d results, want 3: %v", len(got), got)
	}
}

func TestModelsDevBenchmarkEntries(t *testing.T) {
	const head = `{"openai":{"models":{"gpt-x":{"id":"gpt-x","cost":{"input":1,"output":2},"benchmarks":[`
	for _, tc := range []struct {
		name, entries string
		want          []string // label=score@source
		warning       string
	}{
		{"a string score with a percent sign, a dataset and a variant",
			`{"name":"SWE-bench","dataset":"Verified","score":"74.9%","variant":"high","source":"https://openai.com/x"}`,
			[]string{"SWE-bench Verified (high)=74.9@https://openai.com/x"}, ""},
		{"no source cites the catalogue", `{"name":"GPQA","score":88}`, []string{"GPQA=88@" + DefaultModelsDevURL}, ""},
		{"float noise is refused", `{"name":"A","score":1e-7},{"name":"B","score":2}`, []string{"B=2@" + DefaultModelsDevURL}, "not a decimal number"},
		{"a score of the wrong type", `{"name":"A","score":true},{"name":"B","score":2}`, []string{"B=2@" + DefaultModelsDevURL}, "benchmark 1"},
		{"a repeated entry", `{"name":"B","score":2},{"name":"b","score":3}`, []string{"B=2@" + DefaultModelsDevURL}, "repeated"},
		{"a source that is not a web address", `{"name":"B","score":2,"source":"file:///etc/passwd"}`, nil, "not an http(s) URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ParseModelsDev(Response{URL: DefaultModelsDevURL, Body: []byte(head + tc.entries + `]}}}}`)}, DefaultModelsDevProviders())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range benchmarks(t, find(res.Observations, "gpt-x", catalog.FieldBenchmark)) {
				got = append(got, r.Label()+"="+r.Score+"@"+r.SourceURL)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if tc.warning != "" && !strings.Contains(strings.Join(res.Warnings, "\n"), tc.warning) {
				t.Errorf("warnings %q, want one about %q", res.Warnings, tc.warning)
			}
			if len(find(res.Observations, "gpt-x", catalog.FieldPriceInput)) != 1 {
				t.Error("the model's price was lost with its benchmark")
			}
		})
	}
}
