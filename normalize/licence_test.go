package normalize

import (
	"errors"
	"testing"

	"github.com/llmref/llmref/catalog"
)

func TestLicence(t *testing.T) {
	llama := catalog.Licence{Name: "Llama 3.2 Community License", Class: catalog.OpenWeights}
	proprietary := catalog.Licence{Name: "Proprietary", Class: catalog.Proprietary}
	tests := []struct {
		name, raw string
		want      catalog.Licence
	}{
		{"hf licence id", "llama3.2", llama},
		{"card name", "Llama 3.2 Community License", llama},
		{"nim sentence", "Use of Llama 3.2 is governed by the Llama 3.2 Community License (a custom, commercial license agreement).", llama},
		{"llama 3.1 id", "llama3.1", catalog.Licence{Name: "Llama 3.1 Community License", Class: catalog.OpenWeights}},
		{"apache id", "apache-2.0", catalog.Licence{Name: "Apache-2.0", Class: catalog.OpenSource}},
		{"apache name", "Apache License 2.0", catalog.Licence{Name: "Apache-2.0", Class: catalog.OpenSource}},
		{"mit", "MIT", catalog.Licence{Name: "MIT", Class: catalog.OpenSource}},
		{"mit name", "MIT License", catalog.Licence{Name: "MIT", Class: catalog.OpenSource}},
		{"gemma", "gemma", catalog.Licence{Name: "Gemma Terms of Use", Class: catalog.OpenWeights}},
		{"non-commercial cc", "cc-by-nc-4.0", catalog.Licence{Name: "CC-BY-NC-4.0", Class: catalog.OpenWeights}},
		{"modified mit (Kimi)", "modified-mit", catalog.Licence{Name: "Modified MIT", Class: catalog.OpenWeights}},
		{"research licence", "Mistral Research License", catalog.Licence{Name: "Mistral Research License", Class: catalog.OpenWeights}},
		{"proprietary", "proprietary", proprietary},
		{"models.dev open_weights false", "open_weights=false", proprietary},
		{"models.dev open_weights = false", "open_weights = false", proprietary},
		{"models.dev open_weights true", "open_weights=true", catalog.Licence{Class: catalog.OpenWeights}},
		{"no public weights", "No public weights (API only)", proprietary},
		{"closed weights", "closed weights", proprietary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := Licence(tt.raw); err != nil || got != tt.want {
				t.Errorf("Licence(%q) = %+v, %v; want %+v", tt.raw, got, err, tt.want)
			}
		})
	}
	if _, err := Licence("who knows"); err == nil || errors.Is(err, ErrNotStated) {
		t.Errorf("unknown licence: %v", err)
	}
	for _, none := range []string{"", "other", "unknown"} {
		t.Run("not stated "+none, func(t *testing.T) {
			if _, err := Licence(none); !errors.Is(err, ErrNotStated) {
				t.Errorf("Licence(%q) error %v, want ErrNotStated", none, err)
			}
		})
	}
}

func TestAgreeLicence(t *testing.T) {
	llama, _ := Licence("llama3.2")
	card, _ := Licence("Llama 3.2 Community License")
	openW, _ := Licence("open_weights=true")
	closed, _ := Licence("open_weights=false")
	mit, _ := Licence("mit")
	tests := []struct {
		name string
		a, b catalog.Licence
		want bool
	}{
		{"one licence, two names", llama, card, true},
		{"public weights, and a name", llama, openW, true},
		{"open source weights are public too", mit, openW, true},
		{"open and closed", llama, closed, false},
		{"public and closed weights", openW, closed, false},
		{"two open licences", llama, mit, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if agreeLicence(tt.a, tt.b) != tt.want || agreeLicence(tt.b, tt.a) != tt.want {
				t.Errorf("agreeLicence(%v, %v) != %v", tt.a, tt.b, tt.want)
			}
		})
	}
}

func TestArchitecture(t *testing.T) {
	tests := map[string]string{
		"Llama 3.2 is an auto-regressive language model that uses an optimized transformer architecture": "decoder-only transformer",
		"Mixture-of-Experts (MoE) transformer": "mixture-of-experts transformer",
		"decoder only":                         "decoder-only transformer",
		"T5-style encoder-decoder":             "encoder-decoder transformer",
		"State space model.":                   "State space model",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got, err := Architecture(in); err != nil || got != want {
				t.Errorf("Architecture(%q) = %q, %v; want %q", in, got, err, want)
			}
		})
	}
	if _, err := Architecture(" "); err == nil {
		t.Error("empty architecture accepted")
	}
}
