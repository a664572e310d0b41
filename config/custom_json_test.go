package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/scrapers"
)

const jsonEntry = `sources:
  custom:
    - name: openrouter-list
      format: json
      url: https://openrouter.ai/api/v1/models
      provider: openrouter
      unit: per_token
      list: data
      fields:
        model_id: id
        name: name
        input: pricing.prompt
        output: pricing.completion
        cached_input: pricing.input_cache_read
        context: context_length
  openrouter:
    enabled: false # it reads the same URL
`

func TestCustomJSONFromFile(t *testing.T) {
	c, err := Parse(strings.NewReader(jsonEntry))
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := c.BuildSources()
	if err != nil {
		t.Fatal(err)
	}
	var j *scrapers.JSONList
	for _, s := range srcs {
		if s.Name() == "openrouter-list" {
			j = s.(*scrapers.JSONList)
		}
	}
	if j == nil {
		t.Fatalf("sources %v lack openrouter-list", sourceNames(srcs))
	}
	spec := j.Spec()
	if spec.Unit != catalog.PerToken || spec.List != "data" || spec.Provider != "openrouter" || spec.Authority != catalog.AuthorityProvider ||
		spec.Fields["input"] != "pricing.prompt" || spec.MaxRows != scrapers.DefaultJSONListRows || j.Describe().Format != "JSON list (declarative)" {
		t.Errorf("spec %+v", spec)
	}
}

// TestCustomJSONErrorsAtLoad: every mistake is refused when the file loads,
// at its line and column, naming the source.
func TestCustomJSONErrorsAtLoad(t *testing.T) {
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"bad path", "input: pricing.prompt", "input: pricing..prompt", `llmref.yaml:12:16: sources.custom[0].fields.input (source openrouter-list): path "pricing..prompt" has an empty part`},
		{"unknown field", "context: context_length", "price: x", "llmref.yaml:15:16: sources.custom[0].fields.price (source openrouter-list): unknown field"},
		{"unknown format", "format: json", "format: xml", `llmref.yaml:4:15: sources.custom[0].format (source openrouter-list): "xml" is not html or json`},
		{"html with list", "format: json", "format: html", "llmref.yaml:4:15: sources.custom[0].format (source openrouter-list): html reads rows and columns"},
		{"json with rows", "list: data", "rows: tr", "llmref.yaml:4:15: sources.custom[0].format (source openrouter-list): json reads list and fields"},
		{"no id", "model_id: id", "max_output: x", "sources.custom[0].fields.model_id (source openrouter-list): required"},
		{"max rows", "list: data", "list: data\n      max_rows: -3", "llmref.yaml:9:17: sources.custom[0].max_rows (source openrouter-list): -3 is not between"},
		{"fields not a mapping", "      fields:\n", "      fields: id\n", "llmref.yaml:9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.Replace(jsonEntry, tc.from, tc.to, 1)
			if tc.name == "fields not a mapping" {
				body = body[:strings.Index(body, "fields:")] + "fields: id\n"
			}
			path := filepath.Join(t.TempDir(), "llmref.yaml")
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant it to hold %q", err, tc.want)
			}
		})
	}
}

// TestCustomSharedURLRefused: a declarative source starting from a URL a
// built-in source reads would read nothing and report success; it is
// refused at load, at the entry's url, until the other source is off.
func TestCustomSharedURLRefused(t *testing.T) {
	body := strings.Replace(jsonEntry, "  openrouter:\n    enabled: false # it reads the same URL\n", "", 1)
	path := filepath.Join(t.TempDir(), "llmref.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	want := "llmref.yaml:5:12: sources.custom[0].url (source openrouter-list): https://openrouter.ai/api/v1/models is also read by source openrouter"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v\nwant it to hold %q", err, want)
	}
}

// TestCustomSharedURLBeforeBuiltIn: a declarative source is built before
// modelsdev, so it is the first to ask for the URL; the clash is still
// refused at the custom entry's url, naming modelsdev.
func TestCustomSharedURLBeforeBuiltIn(t *testing.T) {
	body := strings.Replace(jsonEntry, "https://openrouter.ai/api/v1/models", "https://models.dev/api.json", 1)
	body += "  modelsdev:\n    enabled: true\n"
	path := filepath.Join(t.TempDir(), "llmref.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	want := "llmref.yaml:5:12: sources.custom[0].url (source openrouter-list): https://models.dev/api.json is also read by source modelsdev"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v\nwant it to hold %q", err, want)
	}
}
