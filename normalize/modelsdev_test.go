package normalize

import (
	"testing"

	"github.com/llmref/llmref/catalog"
)

// TestModelsDevModelFacts: models.dev's model facts (a cross-check) fill
// what no higher source states, and yield to a creator's where one does.
func TestModelsDevModelFacts(t *testing.T) {
	define := orModels.model("openai/gpt-5.2-codex", catalog.FieldName, "OpenAI: GPT-5.2-Codex")
	md := func(f catalog.Field, v string) catalog.Observation { return modelsdev.model("gpt-5.2-codex", f, v) }
	for _, tc := range []struct {
		name   string
		obs    []catalog.Observation
		want   string
		source string
	}{
		{"models.dev alone", []catalog.Observation{define, md(catalog.FieldContext, "400000")}, "400,000 tokens", "models.dev"},
		{"the creator's docs win", []catalog.Observation{define, md(catalog.FieldContext, "400000"),
			openaiDocs.model("gpt-5.2-codex", catalog.FieldContext, "272,000 context window")}, "272,000 tokens", "openai"},
		{"a cross-check alone makes no model", []catalog.Observation{md(catalog.FieldContext, "400000")}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pages []catalog.Page
			for _, o := range tc.obs {
				pages = append(pages, page(o))
			}
			m := norm(t, Input{Pages: pages}).Snapshot.Models["openai/gpt-5.2-codex"]
			if tc.want == "" {
				if m != nil {
					t.Fatalf("model made by a cross-check: %+v", m)
				}
				return
			}
			if m == nil {
				t.Fatal("model missing")
			}
			if got := m.ContextWindow.Display + " tokens"; m.ContextWindow.Source.Name() != tc.source || !sameDigits(got, tc.want) {
				t.Errorf("context %q from %s, want %q from %s", m.ContextWindow.Display, m.ContextWindow.Source.Name(), tc.want, tc.source)
			}
		})
	}
}

// sameDigits compares two texts by their digits only ("400,000" and "400000").
func sameDigits(a, b string) bool {
	d := func(s string) string {
		var out []byte
		for i := 0; i < len(s); i++ {
			if s[i] >= '0' && s[i] <= '9' {
				out = append(out, s[i])
			}
		}
		return string(out)
	}
	return d(a) == d(b)
}
