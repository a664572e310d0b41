package scrapers

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/golden"
)

const hfLlamaRepo = "meta-llama/Llama-3.2-1B-Instruct"

func TestParseHFModelAPIGolden(t *testing.T) {
	s := &HuggingFace{}
	for _, day := range []string{"2026-04-23", "2026-04-24"} {
		t.Run(day, func(t *testing.T) {
			r := Response{URL: s.APIURL(hfLlamaRepo), Status: 200, Body: fixtureBody(t, day, "huggingface.co/api/models/"+hfLlamaRepo+".json"), RetrievedAt: fixtureTime}
			p, err := s.Parse("api", r)
			if err != nil {
				t.Fatalf("%s: %v", day, err)
			}
			golden.Assert(t, filepath.Join("testdata", "hf_api_llama-3.2-1b-instruct.golden.json"), observationsJSON(t, p.Observations))
			params := find(p.Observations, hfLlamaRepo, catalog.FieldParameters)
			if len(params) != 1 || params[0].Value != "1235814400" || params[0].Authority != catalog.AuthorityAggregator {
				t.Errorf("%s: parameters %+v; want safetensors.total 1235814400 at aggregator authority (the card must keep winning)", day, params)
			}
			lic := find(p.Observations, hfLlamaRepo, catalog.FieldLicence)
			if len(lic) != 1 || lic[0].Value != "llama3.2" || lic[0].Note != "cardData.license; gated (manual)" {
				t.Errorf("%s: licence %+v", day, lic)
			}
		})
	}
}

func TestHuggingFaceRequestsBoth(t *testing.T) {
	s := &HuggingFace{BaseURL: "http://127.0.0.1:1/", Repos: []string{hfLlamaRepo}}
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Kind != "api" || reqs[0].URL != "http://127.0.0.1:1/api/models/"+hfLlamaRepo ||
		reqs[1].Kind != "card" || reqs[1].URL != "http://127.0.0.1:1/"+hfLlamaRepo+"/resolve/main/README.md" {
		t.Errorf("requests %+v; want the API record and the card", reqs)
	}
	if _, err := s.Parse("api", Response{URL: "http://127.0.0.1:1/api/models/", Body: []byte(`{"id":"x/y"}`)}); err == nil {
		t.Error("an API URL without a repository was accepted")
	}
	if _, err := s.Parse("spaces", Response{}); err == nil {
		t.Error("an unknown kind was accepted")
	}
}

func TestParseHFModelAPIShapes(t *testing.T) {
	const repo = "OrionLLM/GRM-2.6-Opus"
	for name, c := range map[string]struct {
		body    string
		params  string
		licence string
		note    string
	}{
		// The real non-gated response's shape (FORMATS.md §2.2): gated false, config {}.
		"not gated": {`{"_id":"69fd1f6afa2150562b3cc474","id":"OrionLLM/GRM-2.6-Opus","gated":false,"config":{},
			"cardData":{"license":"apache-2.0","base_model":["a/b","c/d"]},"safetensors":{"parameters":{"BF16":27781427952},"total":27781427952}}`,
			"27781427952", "apache-2.0", "cardData.license; not gated"},
		"licence list":  {`{"id":"OrionLLM/GRM-2.6-Opus","cardData":{"license":["mit","apache-2.0"]}}`, "", "mit", "cardData.license"},
		"licence other": {`{"id":"orionllm/grm-2.6-opus","gated":"auto","cardData":{"license":"other","license_name":"grm-license"}}`, "", "grm-license", "cardData.license; gated (auto)"},
		"no card data, mixed dtypes": {`{"id":"OrionLLM/GRM-2.6-Opus","safetensors":{"parameters":{"I8":100,"BF16":20},"total":120}}`,
			"120", "", ""},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := ParseHFModelAPI(repo, Response{Body: []byte(c.body)})
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			obs := res.Observations
			p := find(obs, repo, catalog.FieldParameters)
			l := find(obs, repo, catalog.FieldLicence)
			if c.params == "" && len(p) != 0 || c.params != "" && (len(p) != 1 || p[0].Value != c.params) {
				t.Errorf("%s: parameters %+v, want %q", name, p, c.params)
			}
			if c.licence == "" && len(l) != 0 || c.licence != "" && (len(l) != 1 || l[0].Value != c.licence || l[0].Note != c.note) {
				t.Errorf("%s: licence %+v, want %q (%s)", name, l, c.licence, c.note)
			}
		})
	}
	res, _ := ParseHFModelAPI(repo, Response{Body: []byte(`{"id":"OrionLLM/GRM-2.6-Opus","safetensors":{"parameters":{"I8":100,"BF16":20},"total":120}}`)})
	if p := find(res.Observations, repo, catalog.FieldParameters); len(p) != 1 || p[0].Note != "safetensors total (BF16, I8)" {
		t.Errorf("mixed dtypes must be named in the note: %+v", p)
	}
}

func TestParseHFModelAPIErrors(t *testing.T) {
	for name, c := range map[string]struct {
		body   string
		markup bool
	}{
		"gated 401 text":        {`Access to model meta-llama/Llama-3.2-1B-Instruct is restricted. You must be authenticated to access it.`, false},
		"error object":          {`{"error":"Repository not found"}`, true},
		"nothing we read":       {`{"id":"meta-llama/Llama-3.2-1B-Instruct","gated":"manual","config":{}}`, true},
		"another repo":          {`{"id":"meta-llama/Llama-3.2-3B-Instruct","cardData":{"license":"llama3.2"}}`, false},
		"bad gated":             {`{"id":"meta-llama/Llama-3.2-1B-Instruct","gated":{"x":1},"cardData":{"license":"llama3.2"}}`, false},
		"bad licence only":      {`{"id":"meta-llama/Llama-3.2-1B-Instruct","cardData":{"license":{"id":"x"}}}`, true},
		"negative total only":   {`{"id":"meta-llama/Llama-3.2-1B-Instruct","safetensors":{"total":-5}}`, true},
		"fractional total only": {`{"id":"meta-llama/Llama-3.2-1B-Instruct","safetensors":{"total":1.5}}`, true},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseHFModelAPI(hfLlamaRepo, Response{Body: []byte(c.body)})
			if err == nil {
				t.Fatal("no error")
			}
			if c.markup && !errors.Is(err, ErrMarkup) {
				t.Errorf("%v does not wrap ErrMarkup", err)
			}
		})
	}
}

// TestParseHFModelAPIRowWarnings: a count or a licence the parser cannot
// read is left out with a warning; the other stands.
func TestParseHFModelAPIRowWarnings(t *testing.T) {
	for name, c := range map[string]struct {
		body, warning string
		keep          catalog.Field
	}{
		"bad licence": {`{"id":"meta-llama/Llama-3.2-1B-Instruct","cardData":{"license":{"id":"x"}},"safetensors":{"total":1235814400}}`,
			`cardData.license: want a string or a list of strings, got {"id":"x"}: left out`, catalog.FieldParameters},
		"negative total": {`{"id":"meta-llama/Llama-3.2-1B-Instruct","cardData":{"license":"llama3.2"},"safetensors":{"total":-5}}`,
			`safetensors.total "-5" is not a positive count: left out`, catalog.FieldLicence},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := ParseHFModelAPI(hfLlamaRepo, Response{Body: []byte(c.body)})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Warnings) != 1 || p.Warnings[0] != c.warning {
				t.Errorf("warnings %q, want %q", p.Warnings, c.warning)
			}
			if len(p.Observations) != 1 || p.Observations[0].Field != c.keep {
				t.Errorf("observations %+v, want the %s alone", p.Observations, c.keep)
			}
		})
	}
}

func FuzzParseHFModelAPI(f *testing.F) {
	f.Add(fixtureBody(f, "2026-04-23", "huggingface.co/api/models/"+hfLlamaRepo+".json"))
	f.Add([]byte(`{"id":"meta-llama/Llama-3.2-1B-Instruct","gated":false,"cardData":{"license":["other"],"license_name":"x"},"safetensors":{"total":7}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseHFModelAPI(hfLlamaRepo, Response{URL: "https://huggingface.co/api/models/" + hfLlamaRepo, Body: body})
		if err != nil {
			return
		}
		checkParsed(t, p)
		for _, o := range p.Observations {
			if o.Authority != catalog.AuthorityAggregator || o.Value == "" {
				t.Fatalf("observation %+v: want a value at aggregator authority", o)
			}
		}
	})
}
