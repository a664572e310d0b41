package config

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/llmref/llmref/scrapers"
)

// SourceSettings are one source's settings in the file: decoded from its
// entry under `sources:`, then built into the source.
type SourceSettings interface {
	// On reports whether the source is enabled (embed Toggle).
	On() bool
	// Build checks the settings and makes the source. Errors name the
	// setting ("sources.fireworks.base_url: ...").
	Build() (scrapers.Source, error)
}

// MultiSourceSettings are settings that build several sources, each under
// its own name (the declarative tables under `sources.custom:`). They are
// checked whole, disabled entries included.
type MultiSourceSettings interface {
	SourceSettings
	BuildAll() ([]scrapers.Source, error)
}

type registered struct {
	name  string
	order int
	def   func() SourceSettings
}

var registry []registered

// registerSource makes a source known to the configuration: its name under
// `sources:`, its place in the run order, and its default settings. Each
// source_*.go file registers its own source.
func registerSource(name string, order int, def func() SourceSettings) {
	for _, r := range registry {
		if r.name == name {
			panic("config: source " + name + " registered twice")
		}
	}
	registry = append(registry, registered{name: name, order: order, def: def})
	sort.SliceStable(registry, func(i, j int) bool { return registry[i].order < registry[j].order })
}

// SourceNames lists every known source, in run order.
func SourceNames() []string {
	out := make([]string, len(registry))
	for i, r := range registry {
		out[i] = r.name
	}
	return out
}

func defaultSettings() map[string]SourceSettings {
	m := make(map[string]SourceSettings, len(registry))
	for _, r := range registry {
		m[r.name] = r.def()
	}
	return m
}

// decodeSources reads each `sources:` entry strictly over its defaults.
func (c *Config) decodeSources() error {
	if c.settings == nil {
		c.settings = defaultSettings()
	}
	var errs []error
	names := make([]string, 0, len(c.Sources))
	for n := range c.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		node := c.Sources[name]
		s, ok := c.settings[name]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: unknown source (known: %s)", keyPath("sources", name), strings.Join(SourceNames(), ", ")))
			continue
		}
		if err := decodeStrict(&node, s, keyPath("sources", name)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// strictNode decodes a YAML node into v, refusing unknown keys, duplicate
// keys and values of the wrong kind.
func strictNode(n *yaml.Node, v any) error {
	return decodeStrict(n, v, "")
}

// decodeStrict decodes the node of the setting at path into v after
// checking its shape (see schema.go); the node keeps its place in the
// file, so errors do too.
func decodeStrict(n *yaml.Node, v any, path string) error {
	if es := checkTree(n, v, path); len(es) > 0 {
		return es
	}
	return n.Decode(v)
}

// Settings returns a source's decoded settings, or nil.
func (c *Config) Settings(name string) SourceSettings {
	if c.settings == nil {
		c.settings = defaultSettings()
	}
	return c.settings[name]
}

// BuildSources builds every enabled source, in run order.
func (c *Config) BuildSources() ([]scrapers.Source, error) {
	if c.settings == nil {
		c.settings = defaultSettings()
	}
	var out []scrapers.Source
	var errs []error
	for _, r := range registry {
		s := c.settings[r.name]
		if m, ok := s.(MultiSourceSettings); ok {
			srcs, err := m.BuildAll()
			if err != nil {
				errs = append(errs, err)
			}
			out = append(out, srcs...)
			continue
		}
		if !s.On() {
			continue
		}
		src, err := s.Build()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if src.Name() != r.name {
			errs = append(errs, fmt.Errorf("sources.%s: builds a source named %q", r.name, src.Name()))
			continue
		}
		out = append(out, src)
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
