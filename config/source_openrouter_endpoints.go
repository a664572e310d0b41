package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/llmref/llmref/scrapers"
)

// OpenRouterEndpointsSettings configure OpenRouter's per-provider endpoints
// (sources.openrouter-endpoints).
type OpenRouterEndpointsSettings struct {
	Toggle  `yaml:",inline"`
	BaseURL string `yaml:"base_url"`
	// Models are OpenRouter model ids, "author/slug" with an optional
	// ":variant" ("nex-agi/nex-n2.5-pro:free").
	Models []string `yaml:"models"`
}

// Build makes the source.
func (s *OpenRouterEndpointsSettings) Build() (scrapers.Source, error) {
	var errs []error
	if err := checkURL("sources.openrouter-endpoints.base_url", s.BaseURL); err != nil {
		errs = append(errs, err)
	}
	seen := map[string]bool{}
	for i, m := range s.Models {
		author, slug, ok := strings.Cut(m, "/")
		base, variant, hasVariant := strings.Cut(slug, ":")
		if !ok || author == "" || base == "" || (hasVariant && variant == "") || strings.Contains(slug, "/") || strings.ContainsAny(m, " ?#%") {
			errs = append(errs, fmt.Errorf("sources.openrouter-endpoints.models[%d]: %q is not an OpenRouter model id (author/slug[:variant])", i, m))
			continue
		}
		if seen[m] {
			errs = append(errs, fmt.Errorf("sources.openrouter-endpoints.models[%d]: %q listed twice", i, m))
		}
		seen[m] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &scrapers.OpenRouterEndpoints{BaseURL: s.BaseURL, Models: s.Models}, nil
}

func init() {
	registerSource("openrouter-endpoints", 12, func() SourceSettings {
		return &OpenRouterEndpointsSettings{}
	})
}
