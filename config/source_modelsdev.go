package config

import (
	"errors"

	"github.com/llmref/llmref/scrapers"
)

// ModelsDevSettings configure models.dev's api.json, a cross-check source.
type ModelsDevSettings struct {
	Toggle `yaml:",inline"`
	// URL is the catalogue (api.json).
	URL string `yaml:"url"`
	// Providers maps models.dev provider ids to llmref provider ids; models
	// of providers not mapped are skipped and counted. When set, it
	// replaces the default mapping.
	Providers map[string]string `yaml:"providers"`
	// DefinesTracked makes every model the catalogue names a tracked
	// model (see track.go), as OpenRouter's are; off by default.
	DefinesTracked bool `yaml:"defines_tracked"`
}

// Build makes the source.
func (s *ModelsDevSettings) Build() (scrapers.Source, error) {
	var errs []error
	if err := checkURL("sources.modelsdev.url", s.URL); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, checkProviderMap("sources.modelsdev.providers", s.Providers)...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &scrapers.ModelsDev{URL: s.URL, Providers: s.Providers, Defines: s.DefinesTracked}, nil
}

func init() {
	registerSource("modelsdev", 90, func() SourceSettings { return &ModelsDevSettings{} })
}
