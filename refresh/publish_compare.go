package refresh

import (
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export/schema"
)

// PublishOption adjusts what Publish writes.
type PublishOption func(*publishOptions)

type publishOptions struct {
	compare compare.Options
}

// WithCompare sets the options of the comparison records Publish writes
// (the configured blend); without it they use compare.DefaultOptions.
func WithCompare(o compare.Options) PublishOption {
	return func(p *publishOptions) { p.compare = o }
}

func publishSettings(opts []PublishOption) publishOptions {
	p := publishOptions{compare: compare.DefaultOptions()}
	for _, o := range opts {
		o(&p)
	}
	return p
}

// schemaSection writes schema/*.schema.json, the JSON Schema of every kind
// of file in the tree.
var schemaSection = schema.Section
