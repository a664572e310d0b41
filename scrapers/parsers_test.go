package scrapers

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/internal/golden"
)

var fixtureTime = time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)

// fixtureBody reads a body file of a bundled fixture day.
func fixtureBody(t testing.TB, day, file string) []byte {
	t.Helper()
	d, err := fixtures.Day(day)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(d, file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func observationsJSON(t testing.TB, obs []catalog.Observation) []byte {
	t.Helper()
	b, err := json.MarshalIndent(obs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// checkParsed holds what every parser promises of a page it read without
// an error: observations, and warnings bounded in number and length.
func checkParsed(t *testing.T, p Parsed) {
	t.Helper()
	if len(p.Observations) == 0 {
		t.Fatal("no error and no observations")
	}
	if len(p.Warnings) > maxPageWarnings+1 {
		t.Fatalf("%d warnings, more than the bound", len(p.Warnings))
	}
	for _, w := range p.Warnings {
		if len(w) > 600 {
			t.Fatalf("warning of %d bytes: %.100q…", len(w), w)
		}
	}
}

// find returns the observations of one subject and field.
// find returns the observations of subject's field ("" for every field).
func find(obs []catalog.Observation, subject string, field catalog.Field) []catalog.Observation {
	var out []catalog.Observation
	for _, o := range obs {
		if o.Subject == subject && (field == "" || o.Field == field) {
			out = append(out, o)
		}
	}
	return out
}

func TestParseOpenRouterModelsGolden(t *testing.T) {
	for _, day := range []string{"2026-04-23", "2026-04-24"} {
		t.Run(day, func(t *testing.T) {
			r := Response{URL: "https://openrouter.ai/api/v1/models", Status: 200, Body: fixtureBody(t, day, "openrouter.ai/api/v1/models.json"), RetrievedAt: fixtureTime}
			p, err := ParseOpenRouterModels(r)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Warnings) != 0 {
				t.Errorf("%s: warnings %q", day, p.Warnings)
			}
			golden.Assert(t, filepath.Join("testdata", "openrouter_models_"+day+".golden.json"), observationsJSON(t, p.Observations))
		})
	}
	r := Response{URL: "https://openrouter.ai/api/v1/models", Body: fixtureBody(t, "2026-04-24", "openrouter.ai/api/v1/models.json")}
	p, _ := ParseOpenRouterModels(r)
	obs := p.Observations
	out := find(obs, "meta-llama/llama-3.2-1b-instruct", catalog.FieldPriceOutput)
	if len(out) != 1 || out[0].Value != "0.000000201" || out[0].Unit != catalog.PerToken || out[0].Provider != "openrouter" {
		t.Errorf("Llama 3.2 1B output price observation = %+v", out)
	}
	if rel := find(obs, "meta-llama/llama-3.2-1b-instruct", catalog.FieldReleased); len(rel) != 0 {
		t.Errorf("OpenRouter's created date was read as a release date: %+v", rel)
	}
}

func TestParseOpenRouterModelsErrors(t *testing.T) {
	for name, body := range map[string]string{
		"not json":        `<html>Just a moment...</html>`,
		"no data":         `{"models":[]}`,
		"empty data":      `{"data":[]}`,
		"no id":           `{"data":[{"name":"x","pricing":{"prompt":"0","completion":"0"}}]}`,
		"no pricing":      `{"data":[{"id":"a/b"}]}`,
		"no prompt price": `{"data":[{"id":"a/b","pricing":{"completion":"0.1"}}]}`,
		"bad price type":  `{"data":[{"id":"a/b","pricing":{"prompt":{"x":1},"completion":"0.1"}}]}`,
		"most unreadable": `{"data":[{"id":"a/b","pricing":{"prompt":"1","completion":"1"}},{"id":"c/d"},{"id":5}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseOpenRouterModels(Response{Body: []byte(body)}); err == nil {
				t.Error("no error")
			}
		})
	}
	_, err := ParseOpenRouterModels(Response{Body: []byte(`{"data":[]}`)})
	if !errors.Is(err, ErrMarkup) {
		t.Errorf("empty data: error %v does not wrap ErrMarkup", err)
	}
}

// TestParseOpenRouterModelsRowWarnings: an entry the parser cannot read,
// or an id listed again, is left out with a warning; the others stand.
func TestParseOpenRouterModelsRowWarnings(t *testing.T) {
	a := `{"id":"a/b","name":"A","pricing":{"prompt":"0.1","completion":"0.2"}}`
	cd := `{"id":"c/d","name":"C","pricing":{"prompt":"0.3","completion":"0.4"}}`
	for name, c := range map[string]struct{ body, warning string }{
		"no pricing":     {a + "," + cd + `,{"id":"e/f"}`, "entry 2: e/f: no pricing"},
		"bad price type": {a + "," + cd + `,{"id":"e/f","pricing":{"prompt":[1],"completion":"0.1"}}`, "entry 2: e/f: pricing.prompt: want a string or a number, got [1]"},
		"wrong type":     {a + "," + cd + `,{"id":"e/f","context_length":"long"}`, "entry 2: json: cannot unmarshal string"},
		"id twice":       {a + "," + cd + `,{"id":"a/b","pricing":{"prompt":"9","completion":"9"}}`, "entry 2: a/b listed again (first in entry 0): left out"},
		// A bad entry between good ones: what it said before failing
		// goes with it.
		"bad price between": {a + `,{"id":"e/f","name":"E","pricing":{"prompt":"0.5","completion":{}}},` + cd, "entry 1: e/f: pricing.completion: want a string or a number"},
		"no output between": {a + `,{"id":"e/f","name":"E","pricing":{"prompt":"0.5"}},` + cd, "entry 1: e/f: no pricing.completion"},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := ParseOpenRouterModels(Response{Body: []byte(`{"data":[` + c.body + `]}`)})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], c.warning) {
				t.Errorf("warnings %q, want one saying %q", p.Warnings, c.warning)
			}
			for id, want := range map[string]string{"a/b": "0.1", "c/d": "0.3"} {
				if in := find(p.Observations, id, catalog.FieldPriceInput); len(in) != 1 || in[0].Value != want {
					t.Errorf("%s input %+v, want %s", id, in, want)
				}
			}
			for _, o := range p.Observations {
				if o.Subject == "e/f" {
					t.Errorf("the bad entry was read: %+v", o)
				}
			}
			if names := find(p.Observations, "c/d", catalog.FieldName); len(names) != 1 || names[0].Value != "C" {
				t.Errorf("c/d names %+v, want one: C", names)
			}
		})
	}
}

// TestParseOpenRouterRealData reads the real /api/v1/models response kept
// in ../shared/realdata (absent from a user's clone: the test skips).
func TestParseOpenRouterRealData(t *testing.T) {
	body, err := os.ReadFile("../../shared/realdata/openrouter/from-anomalyco-models.dev/models.json")
	if err != nil {
		t.Skip("../shared/realdata is not here:", err)
	}
	p, err := ParseOpenRouterModels(Response{URL: "https://openrouter.ai/api/v1/models", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	obs := p.Observations
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %q", p.Warnings)
	}
	models := map[string]bool{}
	for _, o := range obs {
		if o.Field == catalog.FieldListed {
			models[o.Subject] = true
		}
	}
	if len(models) != 364 {
		t.Errorf("%d models listed, want all 364", len(models))
	}
	gpt := find(obs, "openai/gpt-5.3-codex", catalog.FieldPriceCachedInput)
	if len(gpt) != 1 || gpt[0].Value != "0.000000175" {
		t.Errorf("GPT-5.3-Codex cached input = %+v", gpt)
	}
}

func TestParseHFCardGolden(t *testing.T) {
	const url = "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct/resolve/main/README.md"
	body := fixtureBody(t, "2026-04-23", "huggingface.co/meta-llama/Llama-3.2-1B-Instruct/resolve/main/README.md")
	p, err := ParseHFCard("meta-llama/Llama-3.2-1B-Instruct", Response{URL: url, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %q", p.Warnings)
	}
	obs := p.Observations
	golden.Assert(t, filepath.Join("testdata", "hf_card_llama-3.2-1b-instruct.golden.json"), observationsJSON(t, obs))
	want := map[catalog.Field]string{
		catalog.FieldReleased:        "Sept 25, 2024",
		catalog.FieldParameters:      "1B (1.23B)",
		catalog.FieldContext:         "128k",
		catalog.FieldKnowledgeCutoff: "December 2023",
		catalog.FieldLicence:         "Llama 3.2 Community License",
	}
	for f, v := range want {
		got := find(obs, "meta-llama/Llama-3.2-1B-Instruct", f)
		if len(got) != 1 || got[0].Value != v || got[0].Authority != catalog.AuthorityCreator {
			t.Errorf("%s = %+v, want %q from the creator", f, got, v)
		}
	}
	// The 3B repository reads the 3B row, inheriting the spanned cells.
	p3, err := ParseHFCard("meta-llama/Llama-3.2-3B-Instruct", Response{URL: url, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	obs3 := p3.Observations
	if p := find(obs3, "meta-llama/Llama-3.2-3B-Instruct", catalog.FieldParameters); len(p) != 1 || p[0].Value != "3B (3.21B)" {
		t.Errorf("3B parameters = %+v", p)
	}
	if c := find(obs3, "meta-llama/Llama-3.2-3B-Instruct", catalog.FieldContext); len(c) != 1 || c[0].Value != "128k" {
		t.Errorf("3B context (spanned cell) = %+v", c)
	}
}

func TestParseHFCardErrors(t *testing.T) {
	for name, body := range map[string]string{
		"nothing":              "# A model\n\nSome words.\n",
		"unclosed front":       "---\nlicense: mit\n",
		"bad yaml":             "---\nlicense: [\n---\n",
		"table without row":    "**License:** MIT\n\n| Params | Context Length |\n| --- | --- |\n",
		"table without my row": "| Params | Context Length |\n| --- | --- |\n| 3B (3.21B) | 128k |\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseHFCard("meta-llama/Llama-3.2-1B-Instruct", Response{Body: []byte(body)}); err == nil {
				t.Errorf("%s: no error", name)
			}
		})
	}
}

// TestParseHFCardRowWarnings: front matter that is not YAML, or a spec
// table without the repository's row, is a warning; the card's other
// facts stand.
func TestParseHFCardRowWarnings(t *testing.T) {
	for name, c := range map[string]struct{ body, warning string }{
		"bad yaml":             {"---\nlicense: [\n---\n**Model Release Date:** Sept 25, 2024\n", "front matter is not YAML: yaml:"},
		"table without my row": {"**Model Release Date:** Sept 25, 2024\n\n| Params | Context Length |\n| --- | --- |\n| 3B (3.21B) | 128k |\n", `spec table has no row for size "1B"`},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := ParseHFCard("meta-llama/Llama-3.2-1B-Instruct", Response{Body: []byte(c.body)})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], c.warning) {
				t.Errorf("warnings %q, want one saying %q", p.Warnings, c.warning)
			}
			if len(p.Observations) != 1 || p.Observations[0].Field != catalog.FieldReleased || p.Observations[0].Value != "Sept 25, 2024" {
				t.Errorf("observations %+v, want the release date", p.Observations)
			}
		})
	}
}

func TestParseOpenAIModelPageGolden(t *testing.T) {
	const url = "https://developers.openai.com/api/docs/models/gpt-5.3-codex"
	body := fixtureBody(t, "2026-04-23", "developers.openai.com/api/docs/models/gpt-5.3-codex.html")
	p, err := ParseOpenAIModelPage(Response{URL: url, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %q", p.Warnings)
	}
	obs := p.Observations
	golden.Assert(t, filepath.Join("testdata", "openai_gpt-5.3-codex.golden.json"), observationsJSON(t, obs))
	prices := map[catalog.Field]string{catalog.FieldPriceInput: "$1.75", catalog.FieldPriceCachedInput: "$0.175", catalog.FieldPriceOutput: "$14.00"}
	for f, v := range prices {
		got := find(obs, "openai/gpt-5.3-codex", f)
		if len(got) != 1 || got[0].Value != v || got[0].Unit != catalog.PerMillion || got[0].Provider != "openai" {
			t.Errorf("%s = %+v, want %s per 1M at openai", f, got, v)
		}
	}
	if n := find(obs, "openai/gpt-5.3-codex", catalog.FieldName); len(n) != 1 || n[0].Value != "GPT-5.3-Codex" {
		t.Errorf("name = %+v", n)
	}
	if c := find(obs, "openai/gpt-5.3-codex", catalog.FieldKnowledgeCutoff); len(c) != 1 || c[0].Value != "Aug 31, 2025" {
		t.Errorf("cutoff = %+v", c)
	}
	if c := find(obs, "openai/gpt-5.3-codex", catalog.FeatureField("tool code interpreter")); len(c) != 1 || c[0].Value != "true" {
		t.Errorf("code interpreter = %+v", c)
	}
}

func TestParseOpenAIModelPageErrors(t *testing.T) {
	page := string(fixtureBody(t, "2026-04-23", "developers.openai.com/api/docs/models/gpt-5.3-codex.html"))
	for name, body := range map[string]string{
		"cloudflare challenge": `<html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>`,
		"no prices":            strings.Replace(page, "Text tokens", "Other tokens", 1),
		"no spec lines":        strings.NewReplacer("context window", "ctx", "max output tokens", "out", "knowledge cutoff", "cut").Replace(page),
		"no unit":              strings.Replace(page, "Per 1M tokens", "", 1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseOpenAIModelPage(Response{URL: "https://developers.openai.com/api/docs/models/gpt-5.3-codex", Body: []byte(body)})
			if !errors.Is(err, ErrMarkup) {
				t.Errorf("%s: error %v, want ErrMarkup", name, err)
			}
		})
	}
}

// TestParseOpenAIModelPageRowWarnings: a text-token price the parser
// cannot read is left out with a warning; the page's other facts stand.
// An unreadable input price leaves the anchor short: an error that says
// why.
func TestParseOpenAIModelPageRowWarnings(t *testing.T) {
	const url = "https://developers.openai.com/api/docs/models/gpt-5.3-codex"
	page := string(fixtureBody(t, "2026-04-23", "developers.openai.com/api/docs/models/gpt-5.3-codex.html"))
	p, err := ParseOpenAIModelPage(Response{URL: url, Body: []byte(strings.Replace(page, "$0.175", "ask us", 1))})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || p.Warnings[0] != `text-token cached input price "ask us" unreadable: left out` {
		t.Errorf("warnings %q", p.Warnings)
	}
	if c := find(p.Observations, "openai/gpt-5.3-codex", catalog.FieldPriceCachedInput); len(c) != 0 {
		t.Errorf("cached input read: %+v", c)
	}
	for f, v := range map[catalog.Field]string{catalog.FieldPriceInput: "$1.75", catalog.FieldPriceOutput: "$14.00", catalog.FieldContext: "400,000"} {
		if got := find(p.Observations, "openai/gpt-5.3-codex", f); len(got) == 0 || got[0].Value != v {
			t.Errorf("%s = %+v, want %s", f, got, v)
		}
	}
	_, err = ParseOpenAIModelPage(Response{URL: url, Body: []byte(strings.Replace(page, `__price">$1.75<`, `__price">ask us<`, 1))})
	if !errors.Is(err, ErrMarkup) || !strings.Contains(err.Error(), `(text-token input price "ask us" unreadable: left out)`) {
		t.Errorf("unreadable input price: %v", err)
	}
}

func TestTextLines(t *testing.T) {
	lines, err := TextLines([]byte(`<div><span>400,000</span> context&nbsp;window</div><script>var x = "no";</script><ul><li>A</li><li> B  C </li></ul>`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"400,000 context window", "A", "B C"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("TextLines = %q, want %q", lines, want)
	}
}

func FuzzParseOpenRouterModels(f *testing.F) {
	f.Add(fixtureBody(f, "2026-04-23", "openrouter.ai/api/v1/models.json"))
	f.Add([]byte(`{"data":[{"id":"a/b","pricing":{"prompt":"1e-6","completion":0.5}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseOpenRouterModels(Response{URL: "https://openrouter.ai/api/v1/models", Body: body})
		if err == nil {
			checkParsed(t, p)
		}
	})
}

func FuzzParseHFCard(f *testing.F) {
	f.Add(fixtureBody(f, "2026-04-23", "huggingface.co/meta-llama/Llama-3.2-1B-Instruct/resolve/main/README.md"))
	f.Add([]byte("---\nlicense: [mit]\n---\n**License:** x\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseHFCard("meta-llama/Llama-3.2-1B-Instruct", Response{Body: body})
		if err == nil {
			checkParsed(t, p)
		}
	})
}

func FuzzParseOpenAIModelPage(f *testing.F) {
	f.Add(fixtureBody(f, "2026-04-23", "developers.openai.com/api/docs/models/gpt-5.3-codex.html"))
	f.Add([]byte(`<p>1,000 context window</p><h3>Text tokens</h3><p>Per 1M tokens</p><p>Input</p><p>$1</p><p>Output</p><p>$2</p>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseOpenAIModelPage(Response{URL: "https://developers.openai.com/api/docs/models/x", Body: body})
		if err == nil {
			checkParsed(t, p)
		}
	})
}

// BenchmarkParseOpenAIModelPage: the recorded GPT-5.3-Codex page (a
// first refresh parses one such page per OpenAI model).
func BenchmarkParseOpenAIModelPage(b *testing.B) {
	const url = "https://developers.openai.com/api/docs/models/gpt-5.3-codex"
	body := fixtureBody(b, "2026-04-23", "developers.openai.com/api/docs/models/gpt-5.3-codex.html")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseOpenAIModelPage(Response{URL: url, Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}
