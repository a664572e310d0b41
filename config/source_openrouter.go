package config

import "github.com/llmref/llmref/scrapers"

// OpenRouterSettings configure the OpenRouter model list.
type OpenRouterSettings struct {
	Toggle  `yaml:",inline"`
	BaseURL string `yaml:"base_url"`
}

// Build makes the source.
func (s *OpenRouterSettings) Build() (scrapers.Source, error) {
	if err := checkURL("sources.openrouter.base_url", s.BaseURL); err != nil {
		return nil, err
	}
	return &scrapers.OpenRouter{BaseURL: s.BaseURL}, nil
}

func init() {
	registerSource("openrouter", 10, func() SourceSettings { return &OpenRouterSettings{} })
}
