// Package config reads and checks llmref's configuration file (YAML) and
// builds the sources and options it describes. Every problem is reported at
// load time, naming the setting, so a bad file fails at start-up.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
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
	// Track says which models the planned sources read (see track.go).
	Track TrackConfig `yaml:"track"`

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
	// RunTimeout bounds a whole refresh, every stage; default 10m.
	RunTimeout time.Duration `yaml:"run_timeout"`
	// SourceTimeout bounds each source on its own (its fetches and
	// parses); default three quarters of run_timeout (see SourceTimeout).
	SourceTimeout time.Duration `yaml:"source_timeout"`
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
// source at its public address, tracking every model OpenRouter lists.
func Default() *Config {
	c := &Config{Database: DefaultDatabase}
	c.settings = defaultSettings()
	return c
}

// Load reads a configuration file over the defaults. Every problem is an
// *Error naming the file, the line and column, and the setting by its key
// path in the file's own words (`review.max_factor`); they come together,
// as Errors, in the file's order. A file with nothing in it, not even a
// comment, is refused: it is more likely truncated than meant (a file of
// comments only runs on the defaults).
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var c *Config
	if len(bytes.TrimSpace(data)) == 0 {
		err = Errors{{Msg: "the file is empty (truncated?); a file of comments only runs on the defaults"}}
	} else {
		c, err = parse(data)
	}
	var es Errors
	if errors.As(err, &es) {
		for _, e := range es {
			e.File = path
		}
	}
	if err != nil {
		return nil, fmt.Errorf("config %w", err)
	}
	return c, nil
}

// Parse reads a configuration document over the defaults. Its problems are
// Errors, placed by line and column.
func Parse(r io.Reader) (*Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return parse(data)
}

// parse reads one YAML document: its syntax, then its shape against the
// settings' types (unknown keys, duplicates, kinds, scalar types), then
// its values (Validate). Each stage reports every problem it finds, placed
// in the file; a later stage runs only when the earlier ones found none.
func parse(data []byte) (*Config, error) {
	var doc, more yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, Errors{syntaxError(data, err)}
	}
	switch err := dec.Decode(&more); {
	case err == nil:
		return nil, Errors{{Line: more.Line, Column: more.Column, Msg: "a second YAML document; the configuration is one document (remove the ---)"}}
	case !errors.Is(err, io.EOF):
		return nil, Errors{syntaxError(data, err)}
	}
	c := Default()
	if len(doc.Content) == 0 { // comments only
		if err := c.Validate(); err != nil {
			return nil, placed(&doc, err)
		}
		return c, nil
	}
	if top := doc.Content[0]; top.Kind != yaml.MappingNode && !(top.Kind == yaml.ScalarNode && top.ShortTag() == "!!null") {
		return nil, Errors{{Line: top.Line, Column: top.Column, Msg: fmt.Sprintf("the file holds %s, not settings (key: value lines such as database: data/llmref.db)", holds(top))}}
	}
	if es := checkTree(&doc, c, ""); len(es) > 0 {
		sortErrors(es)
		return nil, es
	}
	if err := doc.Decode(c); err != nil {
		// The shape check passed, so this is a value a section's own
		// decoding refused (normalize.discrepancy_pct); its message
		// starts with the setting's path.
		return nil, placed(&doc, err)
	}
	if err := c.Validate(); err != nil {
		return nil, placed(&doc, err)
	}
	return c, nil
}

// holds describes the top of a file that is not a mapping.
func holds(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return "the text " + found(n)
	}
	return found(n)
}

// placed turns errors whose messages start with a setting's key path
// (every message Validate gives) into Errors placed at that setting.
func placed(doc *yaml.Node, err error) Errors {
	var es Errors
	for _, line := range strings.Split(err.Error(), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			es = append(es, locate(doc, line))
		}
	}
	sortErrors(es)
	return es
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
		"fetch.backoff_base": f.BackoffBase, "fetch.backoff_max": f.BackoffMax, "fetch.retry_after_max": f.RetryAfterMax, "fetch.run_timeout": f.RunTimeout, "fetch.source_timeout": f.SourceTimeout} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s: negative duration %s", name, d))
		}
	}
	if f.SourceTimeout > 0 && f.SourceTimeout > c.RunTimeout() {
		errs = append(errs, fmt.Errorf("fetch.source_timeout: %s exceeds fetch.run_timeout (%s), which bounds every source", f.SourceTimeout, c.RunTimeout()))
	}
	if f.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("fetch.max_body_bytes: negative"))
	}
	if f.Retries != nil && (*f.Retries < 0 || *f.Retries > 10) {
		errs = append(errs, fmt.Errorf("fetch.retries: %d is not in 0..10", *f.Retries))
	}
	errs = append(errs, c.Export.validate()...)
	errs = append(errs, checkAliases(c.Aliases)...)
	errs = append(errs, c.Review.validate(), c.Compare.Validate(), c.Serve.Validate())
	errs = append(errs, c.Track.validate()...)
	if err := c.decodeSources(); err != nil {
		errs = append(errs, err)
	} else if srcs, err := c.BuildSources(); err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, c.checkScheduledSources(srcs)...)
	}
	return errors.Join(errs...)
}

// checkAliases checks each alias as the resolver will (so that Resolver
// cannot fail), naming the alias by its key.
func checkAliases(aliases map[string]string) []error {
	keys := slices.Sorted(maps.Keys(aliases))
	var errs []error
	for _, k := range keys {
		if _, err := normalize.NewResolver(map[string]string{k: aliases[k]}); err != nil {
			if inner := errors.Unwrap(err); inner != nil {
				err = inner // the resolver's message names the alias again
			}
			errs = append(errs, fmt.Errorf("%s: %w", keyPath("aliases", k), err))
		}
	}
	return errs
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
		UserAgent: f.UserAgent, Parallelism: f.Parallelism, Delay: f.Delay, Timeout: f.Timeout, SourceTimeout: c.SourceTimeout(),
		MaxBodyBytes: f.MaxBodyBytes, BackoffBase: f.BackoffBase, BackoffMax: f.BackoffMax, RetryAfterMax: f.RetryAfterMax,
	}
	if f.Retries != nil {
		o.MaxRetries = *f.Retries
		if o.MaxRetries == 0 {
			o.MaxRetries = scrapers.NoRetries // in Options, zero means "the default"
		}
	}
	return o
}

// SourceTimeout bounds each source of a run: fetch.source_timeout, or
// three quarters of the run timeout, which leaves the last quarter to
// normalising, committing and exporting what the sources said.
func (c *Config) SourceTimeout() time.Duration {
	if c.Fetch.SourceTimeout > 0 {
		return c.Fetch.SourceTimeout
	}
	return c.RunTimeout() / 4 * 3
}

// RunTimeout bounds a whole refresh.
func (c *Config) RunTimeout() time.Duration {
	if c.Fetch.RunTimeout > 0 {
		return c.Fetch.RunTimeout
	}
	return 10 * time.Minute
}
