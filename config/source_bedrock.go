package config

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/llmref/llmref/scrapers"
)

// BedrockSettings configure the AWS Price List offer files of Amazon
// Bedrock (sources.bedrock).
type BedrockSettings struct {
	Toggle  `yaml:",inline"`
	BaseURL string `yaml:"base_url"`
	// Regions are the region codes whose offer files are read.
	Regions []string `yaml:"regions"`
	// Models maps the offer file's model display names to Bedrock model
	// ids. When set it replaces the default table (it is not merged).
	Models map[string]string `yaml:"models"`
}

// DefaultBedrockRegions are read when none are configured: us-east-1, where
// Llama 3.2 1B runs on demand (the US inference profile routes there), and
// eu-west-1, one of the regions of the EU profile, whose price ($0.13 per
// 1M) differs from the US one ($0.10): a regional fact worth its own
// offering rather than a conflict.
var DefaultBedrockRegions = []string{"us-east-1", "eu-west-1"}

// DefaultBedrockModels is the display-name table used when none is
// configured.
var DefaultBedrockModels = map[string]string{"Llama 3.2 1B": "meta.llama3-2-1b-instruct-v1:0"}

var (
	awsRegion = regexp.MustCompile(`^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$`)
	bedrockID = regexp.MustCompile(`^(?:[a-z-]+\.)?[a-z0-9-]+\.[A-Za-z0-9._-]+(?::\d+(?::[0-9a-z]+)?)?$`)
)

// Build makes the source.
func (s *BedrockSettings) Build() (scrapers.Source, error) {
	var errs []error
	if err := checkURL("sources.bedrock.base_url", s.BaseURL); err != nil {
		errs = append(errs, err)
	}
	seen := map[string]bool{}
	for i, r := range s.Regions {
		if !awsRegion.MatchString(r) {
			errs = append(errs, fmt.Errorf("sources.bedrock.regions[%d]: %q is not an AWS region code (like us-east-1)", i, r))
		}
		if seen[r] {
			errs = append(errs, fmt.Errorf("sources.bedrock.regions[%d]: %q listed twice", i, r))
		}
		seen[r] = true
	}
	if s.Regions != nil && len(s.Regions) == 0 {
		errs = append(errs, errors.New("sources.bedrock.regions: empty (disable the source with enabled: false instead)"))
	}
	models := s.Models
	if models == nil {
		models = DefaultBedrockModels
	}
	if len(models) == 0 {
		errs = append(errs, errors.New("sources.bedrock.models: empty (disable the source with enabled: false instead)"))
	}
	names := make([]string, 0, len(models))
	for n := range models {
		names = append(names, n)
	}
	sort.Strings(names)
	lower := map[string]string{}
	for _, n := range names {
		id := models[n]
		if strings.TrimSpace(n) == "" {
			errs = append(errs, fmt.Errorf("sources.bedrock.models: an empty display name"))
			continue
		}
		if prev, dup := lower[strings.ToLower(strings.TrimSpace(n))]; dup {
			errs = append(errs, fmt.Errorf("sources.bedrock.models[%q]: same name as %q", n, prev))
		}
		lower[strings.ToLower(strings.TrimSpace(n))] = n
		if !bedrockID.MatchString(id) {
			errs = append(errs, fmt.Errorf("sources.bedrock.models[%q]: %q is not a Bedrock model id (like meta.llama3-2-1b-instruct-v1:0)", n, id))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	regions := s.Regions
	if regions == nil {
		regions = DefaultBedrockRegions
	}
	return &scrapers.Bedrock{BaseURL: s.BaseURL, Regions: regions, Models: models}, nil
}

func init() {
	registerSource("bedrock", 45, func() SourceSettings { return &BedrockSettings{} })
}
