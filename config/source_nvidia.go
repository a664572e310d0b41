package config

import (
	"errors"
	"fmt"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/scrapers"
)

// NVIDIASettings configure NVIDIA's hosted API catalog (NIM): the model list
// and the configured models' reference pages.
type NVIDIASettings struct {
	Toggle `yaml:",inline"`
	// BaseURL is the API root (the model list is BaseURL/v1/models).
	BaseURL string `yaml:"base_url"`
	// DocsBaseURL is the documentation root (reference pages are under
	// DocsBaseURL/nim/reference/).
	DocsBaseURL string `yaml:"docs_base_url"`
	// Models are NIM model ids ("meta/llama-3.2-1b-instruct"); only these
	// produce observations.
	Models []string `yaml:"models"`
}

// Build makes the source.
func (s *NVIDIASettings) Build() (scrapers.Source, error) {
	var errs []error
	if err := checkURL("sources.nvidia-nim.base_url", s.BaseURL); err != nil {
		errs = append(errs, err)
	}
	if err := checkURL("sources.nvidia-nim.docs_base_url", s.DocsBaseURL); err != nil {
		errs = append(errs, err)
	}
	seen := map[string]bool{}
	for i, m := range s.Models {
		if _, _, err := catalog.SplitID(m); err != nil {
			errs = append(errs, fmt.Errorf("sources.nvidia-nim.models[%d]: %q is not an org/model id as the NIM list spells it", i, m))
			continue
		}
		if seen[m] {
			errs = append(errs, fmt.Errorf("sources.nvidia-nim.models[%d]: %q listed twice", i, m))
		}
		seen[m] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &scrapers.NVIDIA{BaseURL: s.BaseURL, DocsURL: s.DocsBaseURL, Models: s.Models}, nil
}

func init() {
	registerSource("nvidia-nim", 60, func() SourceSettings {
		return &NVIDIASettings{}
	})
}
