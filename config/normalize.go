package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/llmref/llmref/normalize"
)

// NormalizeConfig configures normalisation (see the normalize package).
// Every setting is optional:
//
//	normalize:
//	  # Flag a price that is more than this far (percent, relative to the
//	  # price kept) from a cross-check source's price for the same offering
//	  # (LiteLLM, models.dev); "off" turns the check off. Default 20.
//	  discrepancy_pct: 20
type NormalizeConfig struct {
	// DiscrepancyPct is the discrepancy bound as written in the file.
	DiscrepancyPct string `yaml:"discrepancy_pct"`

	// discrepancy is the parsed bound: 0 for the default, negative for off.
	discrepancy normalize.Percent
}

// maxDiscrepancy bounds discrepancy_pct: beyond 1000% a cross-check is no
// check at all.
const maxDiscrepancy normalize.Percent = 100_000

// UnmarshalYAML reads the `normalize:` section strictly and checks it.
func (c *NormalizeConfig) UnmarshalYAML(n *yaml.Node) error {
	type plain NormalizeConfig
	var p plain
	if err := strictNode(n, &p); err != nil {
		return fmt.Errorf("normalize: %w", err)
	}
	v := NormalizeConfig(p)
	switch s := strings.TrimSpace(v.DiscrepancyPct); strings.ToLower(s) {
	case "":
	case "off":
		v.discrepancy = -1
	default:
		pct, err := normalize.ParsePercent(s)
		if err != nil {
			return fmt.Errorf("normalize.discrepancy_pct: %q is not a percentage such as 20 or 12.5 (or off)", s)
		}
		if pct <= 0 || pct > maxDiscrepancy {
			return fmt.Errorf("normalize.discrepancy_pct: %s is not in (0, 1000]; write off to turn the check off", pct)
		}
		v.discrepancy = pct
	}
	*c = v
	return nil
}

// Discrepancy is the configured bound as normalize.NewSettings takes it:
// zero for the default (normalize.DefaultDiscrepancy), negative when off.
func (c NormalizeConfig) Discrepancy() normalize.Percent { return c.discrepancy }

// Normalization are the normalisation settings the file describes: the
// alias table (`aliases`) and the discrepancy bound.
func (c *Config) Normalization() normalize.Settings {
	s, err := normalize.NewSettings(c.Aliases, c.Normalize.Discrepancy())
	if err != nil {
		panic("config: normalisation settings after validation: " + err.Error()) // Validate checked the aliases
	}
	return s
}
