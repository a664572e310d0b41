package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/llmref/llmref/scrapers"
)

// HuggingFaceSettings configure the Hugging Face model cards.
type HuggingFaceSettings struct {
	Toggle  `yaml:",inline"`
	BaseURL string   `yaml:"base_url"`
	Repos   []string `yaml:"repos"`
}

// Build makes the source.
func (s *HuggingFaceSettings) Build() (scrapers.Source, error) {
	var errs []error
	if err := checkURL("sources.huggingface.base_url", s.BaseURL); err != nil {
		errs = append(errs, err)
	}
	for i, r := range s.Repos {
		if strings.Count(r, "/") != 1 || strings.ContainsAny(r, " ?#") || strings.HasPrefix(r, "/") || strings.HasSuffix(r, "/") {
			errs = append(errs, fmt.Errorf("sources.huggingface.repos[%d]: %q is not owner/name", i, r))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &scrapers.HuggingFace{BaseURL: s.BaseURL, Repos: s.Repos}, nil
}

func init() {
	registerSource("huggingface", 20, func() SourceSettings {
		return &HuggingFaceSettings{}
	})
}
