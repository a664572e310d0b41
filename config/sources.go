package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/llmref/llmref/scrapers"
)

// BuildSources builds every enabled source, in a fixed order.
func (c *Config) BuildSources() ([]scrapers.Source, error) {
	var out []scrapers.Source
	var errs []error
	s := c.Sources
	if s.OpenRouter.On() {
		if err := checkURL("sources.openrouter.base_url", s.OpenRouter.BaseURL); err != nil {
			errs = append(errs, err)
		}
		out = append(out, &scrapers.OpenRouter{BaseURL: s.OpenRouter.BaseURL})
	}
	if s.HuggingFace.On() {
		if err := checkURL("sources.huggingface.base_url", s.HuggingFace.BaseURL); err != nil {
			errs = append(errs, err)
		}
		for i, r := range s.HuggingFace.Repos {
			if strings.Count(r, "/") != 1 || strings.ContainsAny(r, " ?#") {
				errs = append(errs, fmt.Errorf("sources.huggingface.repos[%d]: %q is not owner/name", i, r))
			}
		}
		out = append(out, &scrapers.HuggingFace{BaseURL: s.HuggingFace.BaseURL, Repos: s.HuggingFace.Repos})
	}
	if s.OpenAI.On() {
		if err := checkURL("sources.openai.base_url", s.OpenAI.BaseURL); err != nil {
			errs = append(errs, err)
		}
		for i, m := range s.OpenAI.Models {
			if m == "" || strings.ContainsAny(m, "/ ?#") {
				errs = append(errs, fmt.Errorf("sources.openai.models[%d]: %q is not a model id", i, m))
			}
		}
		out = append(out, &scrapers.OpenAI{BaseURL: s.OpenAI.BaseURL, Models: s.OpenAI.Models})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// checkURL accepts an empty value (the default address) or an absolute
// http(s) URL.
func checkURL(setting, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s: %q is not an absolute http(s) URL", setting, v)
	}
	return nil
}
