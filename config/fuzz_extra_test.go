package config

import (
	"strings"
	"testing"
)

// FuzzParse: a configuration file is an operator's text; any bytes give a
// configuration that validates or an error, never a panic (cron specs, time
// zones and selectors are all checked at load).
func FuzzParse(f *testing.F) {
	f.Add("fetch:\n  parallelism: 4\n  timeout: 10s\nsources:\n  openai:\n    models: [gpt-5.3-codex]\n")
	f.Add("sources:\n  openrouter:\n    base_url: http://127.0.0.1:1\n  custom: []\n")
	f.Add("aliases:\n  foo: meta/llama-3.2-1b-instruct\n")
	f.Add("sources: {openai: {enabled: false}}\nfetch: {retries: 11}\n")
	f.Add("database: [\n")
	f.Fuzz(func(t *testing.T, doc string) {
		c, err := Parse(strings.NewReader(doc))
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Errorf("an empty error for %q", doc)
			}
			return
		}
		if c.Database == "" {
			t.Errorf("a valid configuration without a database path: %q", doc)
		}
	})
}
