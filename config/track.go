package config

import (
	"fmt"

	"github.com/llmref/llmref/refresh"
)

// TrackConfig is the `track:` section: which models the planned sources
// (the Hugging Face cards, OpenRouter's endpoints, OpenAI's pages, NVIDIA's
// reference pages, Fireworks' size tiers) read. By default every model a
// defining source names: OpenRouter's list, and models.dev's when
// `sources.modelsdev.defines_tracked` is set. A new model on the list
// reaches every source that can say something about it with no edit here.
//
//	track:
//	  # Globs on canonical ids ("meta/*", "*/llama-3*") or, without a
//	  # "/", on creators ("qwen"). Empty include tracks everything.
//	  include: []
//	  exclude: ["*/*-preview"]
//
// The per-source lists (sources.huggingface.repos, sources.openai.models,
// …) stay as additions read besides the tracked models.
type TrackConfig struct {
	Include []string `yaml:"include"`
	Exclude []string `yaml:"exclude"`
}

// Policy is the tracking policy a run applies.
func (t TrackConfig) Policy() refresh.TrackPolicy {
	return refresh.TrackPolicy{Include: t.Include, Exclude: t.Exclude}
}

// validate checks every pattern, each error naming its setting
// (track.include[0]) so that it is reported at its line.
func (t TrackConfig) validate() []error {
	var errs []error
	for _, l := range []struct {
		name string
		list []string
	}{{"track.include", t.Include}, {"track.exclude", t.Exclude}} {
		for i, pat := range l.list {
			if err := refresh.CheckTrackPattern(pat); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", indexPath(l.name, i), err))
			}
		}
	}
	return errs
}
