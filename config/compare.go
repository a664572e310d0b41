package config

import (
	"fmt"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
)

// CompareConfig configures comparison records (see the compare package).
//
//	compare:
//	  blend:          # weights of the blended price, whole percent, adding up to 100
//	    input: 70
//	    output: 30
type CompareConfig struct {
	// Blend weighs input and output prices into the blended price;
	// default 70% input, 30% output.
	Blend *BlendConfig `yaml:"blend"`
}

// BlendConfig is the blend's two weights in whole percent.
type BlendConfig struct {
	Input  int `yaml:"input"`
	Output int `yaml:"output"`
}

// Validate checks the blend.
func (c *CompareConfig) Validate() error {
	if c.Blend == nil {
		return nil
	}
	w := catalog.Blend{InputPct: c.Blend.Input, OutputPct: c.Blend.Output}
	if err := w.Validate(); err != nil {
		return fmt.Errorf("compare.blend: input %d + output %d: %w", c.Blend.Input, c.Blend.Output, catalog.ErrBlend)
	}
	return nil
}

// Options are the comparison options the file describes.
func (c *CompareConfig) Options() compare.Options {
	o := compare.DefaultOptions()
	if c.Blend != nil {
		o.Blend = catalog.Blend{InputPct: c.Blend.Input, OutputPct: c.Blend.Output}
	}
	return o
}
