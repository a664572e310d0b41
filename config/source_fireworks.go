package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/llmref/llmref/normalize"
	"github.com/llmref/llmref/scrapers"
)

// FireworksSettings configure Fireworks AI's serverless pricing page
// (sources.fireworks).
type FireworksSettings struct {
	Toggle  `yaml:",inline"`
	BaseURL string `yaml:"base_url"`
	// Models are the tracked Fireworks models. One without a row of its
	// own on the page is priced by its parameter-size tier, so each needs
	// its size.
	Models []FireworksModelSettings `yaml:"models"`
}

// FireworksModelSettings are one tracked Fireworks model.
type FireworksModelSettings struct {
	// ID is the Fireworks id ("accounts/fireworks/models/llama-v3p2-1b-instruct").
	ID string `yaml:"id"`
	// Parameters is the parameter count: "1.23B" or 1230000000.
	Parameters string `yaml:"parameters"`
	// MoE marks a mixture-of-experts model (priced by the MoE tiers).
	MoE bool `yaml:"moe"`
}

// Build makes the source.
func (s *FireworksSettings) Build() (scrapers.Source, error) {
	var errs []error
	if err := checkURL("sources.fireworks.base_url", s.BaseURL); err != nil {
		errs = append(errs, err)
	}
	models := make([]scrapers.FireworksModel, 0, len(s.Models))
	seen := map[string]bool{}
	for i, m := range s.Models {
		setting := fmt.Sprintf("sources.fireworks.models[%d]", i)
		if m.ID == "" || strings.ContainsAny(m.ID, " ?#|") || strings.HasPrefix(m.ID, "/") || strings.HasSuffix(m.ID, "/") {
			errs = append(errs, fmt.Errorf("%s.id: %q is not a Fireworks model id", setting, m.ID))
			continue
		}
		if seen[strings.ToLower(m.ID)] {
			errs = append(errs, fmt.Errorf("%s.id: %q listed twice", setting, m.ID))
		}
		seen[strings.ToLower(m.ID)] = true
		if strings.TrimSpace(m.Parameters) == "" {
			errs = append(errs, fmt.Errorf("%s.parameters: missing (the size tier needs it, e.g. 1.23B)", setting))
			continue
		}
		n, err := normalize.Parameters(m.Parameters)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.parameters: %q is not a parameter count (e.g. 1.23B or 1230000000)", setting, m.Parameters))
			continue
		}
		models = append(models, scrapers.FireworksModel{ID: m.ID, Parameters: n.N, MoE: m.MoE})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &scrapers.Fireworks{BaseURL: s.BaseURL, Models: models}, nil
}

func init() {
	registerSource("fireworks", 40, func() SourceSettings {
		return &FireworksSettings{}
	})
}
