// Package config reads and checks llmref's configuration file (YAML) and
// builds the sources and options it describes. Every problem is reported at
// load time, naming the setting, so a bad file fails at start-up.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/llmref/llmref/normalize"
	"github.com/llmref/llmref/scrapers"
)

// Config is the whole configuration file.
type Config struct {
	// Database is the bbolt file; default data/llmref.db.
	Database string `yaml:"database"`
	// Export configures the JSON tree.
	Export ExportConfig `yaml:"export"`
	// Fetch sets politeness and robustness for every source.
	Fetch FetchConfig `yaml:"fetch"`
	// Sources configures each source by name (see sources.go and the
	// source_*.go files); a source not mentioned runs with its defaults.
	Sources map[string]yaml.Node `yaml:"sources"`
	// Aliases maps source model ids to canonical ids ("source:id" keys
	// apply to one source only).
	Aliases map[string]string `yaml:"aliases"`
	// Review holds the rules that hold changes for an operator.
	Review ReviewConfig `yaml:"review"`
	// Compare configures comparison records.
	Compare CompareConfig `yaml:"compare"`
	// Serve configures `llmref serve`: HTTP and schedules.
	Serve ServeConfig `yaml:"serve"`
	// Normalize configures normalisation (see normalize.go).
	Normalize NormalizeConfig `yaml:"normalize"`

	// settings are the decoded settings of every registered source.
	settings map[string]SourceSettings
}

// ExportConfig configures the exported tree.
type ExportConfig struct {
	// Dir, when set, is where `refresh` publishes the tree after each run:
	// a folder, or object storage as s3://BUCKET/PREFIX (see S3).
	Dir string `yaml:"dir"`
	// KeepGenerations is how many published generations object storage
	// keeps; default 3 (see export_s3.go).
	KeepGenerations int `yaml:"keep_generations"`
	// S3 configures publishing to object storage.
	S3 S3Config `yaml:"s3"`
}

// FetchConfig sets the collector's politeness and robustness.
type FetchConfig struct {
	UserAgent     string        `yaml:"user_agent"`
	Parallelism   int           `yaml:"parallelism"`
	Delay         time.Duration `yaml:"delay"`
	Timeout       time.Duration `yaml:"timeout"`
	MaxBodyBytes  int64         `yaml:"max_body_bytes"`
	Retries       *int          `yaml:"retries"`
	BackoffBase   time.Duration `yaml:"backoff_base"`
	BackoffMax    time.Duration `yaml:"backoff_max"`
	RetryAfterMax time.Duration `yaml:"retry_after_max"`
	// RunTimeout bounds a whole refresh; default 10m.
	RunTimeout time.Duration `yaml:"run_timeout"`
}

// Toggle is embedded by every source's settings.
type Toggle struct {
	// Enabled turns the source off when false; default true.
	Enabled *bool `yaml:"enabled"`
}

// On reports whether the source is enabled.
func (t Toggle) On() bool { return t.Enabled == nil || *t.Enabled }

// DefaultFile is read when --config is not given and it exists.
const DefaultFile = "llmref.yaml"

// DefaultDatabase is the database file when none is configured.
const DefaultDatabase = "data/llmref.db"

// Default returns the configuration used when there is no file: every
// source at its public address, tracking the reference page's two models.
func Default() *Config {
	c := &Config{Database: DefaultDatabase}
	c.settings = defaultSettings()
	return c
}

// Load reads a configuration file over the defaults. Unknown keys, bad
// values and bad URLs are errors naming the setting.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	c, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Parse reads a configuration document over the defaults.
func Parse(r io.Reader) (*Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	c := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks every setting and builds every source once, so a bad
// value fails here rather than in the middle of a run.
func (c *Config) Validate() error {
	var errs []error
	if c.Database == "" {
		c.Database = DefaultDatabase
	}
	f := c.Fetch
	if f.Parallelism < 0 || f.Parallelism > 64 {
		errs = append(errs, fmt.Errorf("fetch.parallelism: %d is not in 1..64", f.Parallelism))
	}
	for name, d := range map[string]time.Duration{"fetch.delay": f.Delay, "fetch.timeout": f.Timeout,
		"fetch.backoff_base": f.BackoffBase, "fetch.backoff_max": f.BackoffMax, "fetch.retry_after_max": f.RetryAfterMax, "fetch.run_timeout": f.RunTimeout} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s: negative duration %s", name, d))
		}
	}
	if f.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("fetch.max_body_bytes: negative"))
	}
	if f.Retries != nil && (*f.Retries < 0 || *f.Retries > 10) {
		errs = append(errs, fmt.Errorf("fetch.retries: %d is not in 0..10", *f.Retries))
	}
	errs = append(errs, c.Export.validate()...)
	if _, err := normalize.NewResolver(c.Aliases); err != nil {
		errs = append(errs, fmt.Errorf("aliases: %w", err))
	}
	if err := c.decodeSources(); err != nil {
		errs = append(errs, err)
	} else if srcs, err := c.BuildSources(); err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, c.checkScheduledSources(srcs)...)
	}
	return errors.Join(errs...)
}

// checkScheduledSources checks that every schedule names sources this
// configuration runs (built-in, declarative and enabled).
func (c *Config) checkScheduledSources(srcs []scrapers.Source) []error {
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = s.Name()
	}
	var errs []error
	for i, sc := range c.Serve.Schedules {
		for j, src := range sc.Sources {
			if !slices.Contains(names, src) {
				errs = append(errs, fmt.Errorf("serve.schedules[%d].sources[%d]: unknown or disabled source %q (configured: %s)", i, j, src, strings.Join(names, ", ")))
			}
		}
	}
	return errs
}

// FetchOptions are the collector options the file describes.
func (c *Config) FetchOptions() scrapers.Options {
	f := c.Fetch
	o := scrapers.Options{
		UserAgent: f.UserAgent, Parallelism: f.Parallelism, Delay: f.Delay, Timeout: f.Timeout,
		MaxBodyBytes: f.MaxBodyBytes, BackoffBase: f.BackoffBase, BackoffMax: f.BackoffMax, RetryAfterMax: f.RetryAfterMax,
	}
	if f.Retries != nil {
		o.MaxRetries = *f.Retries
		if o.MaxRetries == 0 {
			o.MaxRetries = -1 // Options: negative means none
		}
	}
	return o
}

// RunTimeout bounds a whole refresh.
func (c *Config) RunTimeout() time.Duration {
	if c.Fetch.RunTimeout > 0 {
		return c.Fetch.RunTimeout
	}
	return 10 * time.Minute
}
