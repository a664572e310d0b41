package config

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
)

// CompareConfig configures comparison records (see the compare package).
//
//	compare:
//	  blend:          # weights of the blended price, whole percent, adding up to 100
//	    input: 70
//	    output: 30
//	  pairs: all      # or {nearest: 10}, or {groups: [{name: …, models: [globs], creators: [globs]}]}
type CompareConfig struct {
	// Blend weighs input and output prices into the blended price;
	// default 70% input, 30% output.
	Blend *BlendConfig `yaml:"blend"`
	// Pairs is which pairs of models the export writes a record for;
	// default every pair.
	Pairs *PairsConfig `yaml:"pairs"`
}

// PairsConfig is the comparison pairs policy (see compare.PairPolicy):
// the word `all`, or a mapping with `nearest: N` or `groups:`.
type PairsConfig struct {
	Nearest int           `yaml:"nearest"`
	Groups  []GroupConfig `yaml:"groups"`
}

// GroupConfig is one group of the groups policy: globs on canonical ids
// and on creators.
type GroupConfig struct {
	Name     string   `yaml:"name"`
	Models   []string `yaml:"models"`
	Creators []string `yaml:"creators"`
}

// scalarShorthand: the policy may be written as the one word `all`.
func (PairsConfig) scalarShorthand() {}

// UnmarshalYAML reads `all` or a mapping, strictly; its errors start with
// the setting's path, so the loader places them in the file.
func (p *PairsConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if n.Value != compare.PairsAll {
			return fmt.Errorf("compare.pairs: %q: want all, {nearest: N} or {groups: [...]}", n.Value)
		}
		*p = PairsConfig{}
		return nil
	}
	type plain PairsConfig
	var v plain
	if err := strictNode(n, &v); err != nil {
		return fmt.Errorf("compare.pairs: %w", err)
	}
	*p = PairsConfig(v)
	if p.Nearest == 0 && p.Groups == nil {
		return fmt.Errorf("compare.pairs: want nearest: N (at least 1) or groups: [...]")
	}
	return nil // checked with the rest of the section (CompareConfig.Validate)
}

// Policy is the pairs policy the file describes.
func (p *PairsConfig) Policy() compare.PairPolicy {
	if p == nil {
		return compare.PairPolicy{}
	}
	pp := compare.PairPolicy{Nearest: p.Nearest}
	for _, g := range p.Groups {
		pp.Groups = append(pp.Groups, compare.Group{Name: g.Name, Models: g.Models, Creators: g.Creators})
	}
	return pp
}

// Validate checks the policy.
func (p *PairsConfig) Validate() error {
	if p == nil {
		return nil
	}
	if p.Groups != nil && len(p.Groups) == 0 {
		return fmt.Errorf("compare.pairs.groups: %w: no groups listed", compare.ErrPairPolicy)
	}
	if err := p.Policy().Validate(); err != nil {
		return fmt.Errorf("compare.pairs: %w", err)
	}
	return nil
}

// BlendConfig is the blend's two weights in whole percent.
type BlendConfig struct {
	Input  int `yaml:"input"`
	Output int `yaml:"output"`
}

// Validate checks the blend and the pairs policy.
func (c *CompareConfig) Validate() error {
	if c.Blend != nil {
		w := catalog.Blend{InputPct: c.Blend.Input, OutputPct: c.Blend.Output}
		if err := w.Validate(); err != nil {
			return fmt.Errorf("compare.blend: input %d + output %d: %w", c.Blend.Input, c.Blend.Output, catalog.ErrBlend)
		}
	}
	return c.Pairs.Validate()
}

// Options are the comparison options the file describes.
func (c *CompareConfig) Options() compare.Options {
	o := compare.DefaultOptions()
	if c.Blend != nil {
		o.Blend = catalog.Blend{InputPct: c.Blend.Input, OutputPct: c.Blend.Output}
	}
	o.Pairs = c.Pairs.Policy()
	return o
}
