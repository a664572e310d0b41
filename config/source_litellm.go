package config

import (
	"errors"
	"fmt"
	"sort"

	"github.com/llmref/llmref/scrapers"
)

// LiteLLMSettings configure LiteLLM's price map, a cross-check source.
type LiteLLMSettings struct {
	Toggle `yaml:",inline"`
	// URL is the price map (model_prices_and_context_window.json).
	URL string `yaml:"url"`
	// Providers maps LiteLLM's litellm_provider values to llmref provider
	// ids; entries of providers not mapped are skipped and counted. When
	// set, it replaces the default mapping.
	Providers map[string]string `yaml:"providers"`
}

// Build makes the source.
func (s *LiteLLMSettings) Build() (scrapers.Source, error) {
	var errs []error
	if err := checkURL("sources.litellm.url", s.URL); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, checkProviderMap("sources.litellm.providers", s.Providers)...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &scrapers.LiteLLM{URL: s.URL, Providers: s.Providers}, nil
}

// checkProviderMap checks a source-provider → llmref-provider mapping.
func checkProviderMap(setting string, m map[string]string) []error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		if k == "" {
			errs = append(errs, fmt.Errorf("%s: an empty provider name", setting))
		}
		if !providerIDRe.MatchString(m[k]) {
			errs = append(errs, fmt.Errorf("%s.%s: %q is not a provider id (lower-case letters, digits, -)", setting, k, m[k]))
		}
	}
	return errs
}

func init() {
	registerSource("litellm", 80, func() SourceSettings { return &LiteLLMSettings{} })
}
