package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/llmref/llmref/scrapers"
)

// OpenAISettings configure the OpenAI model pages.
type OpenAISettings struct {
	Toggle  `yaml:",inline"`
	BaseURL string   `yaml:"base_url"`
	Models  []string `yaml:"models"`
}

// Build makes the source.
func (s *OpenAISettings) Build() (scrapers.Source, error) {
	var errs []error
	if err := checkURL("sources.openai.base_url", s.BaseURL); err != nil {
		errs = append(errs, err)
	}
	for i, m := range s.Models {
		if m == "" || strings.ContainsAny(m, "/ ?#") {
			errs = append(errs, fmt.Errorf("sources.openai.models[%d]: %q is not a model id", i, m))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &scrapers.OpenAI{BaseURL: s.BaseURL, Models: s.Models}, nil
}

func init() {
	registerSource("openai", 30, func() SourceSettings { return &OpenAISettings{} })
}
