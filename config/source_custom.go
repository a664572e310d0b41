package config

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/scrapers"
)

// CustomSettings are the declarative HTML-table sources, the list under
// `sources.custom:`. Each entry becomes a source of its own name, so an
// operator adds a provider's price page with no code. A list in the file
// replaces the default list (which holds Bitdeer AI) as a whole.
type CustomSettings []TableSettings

// TableSettings describe one provider's price table.
type TableSettings struct {
	// Name is the source's name (unique; not a built-in source's name).
	Name string `yaml:"name"`
	// Enabled turns the table off when false; default true.
	Enabled *bool `yaml:"enabled"`
	// Title presents the source in `llmref sources`.
	Title string `yaml:"title"`
	// URL is the page.
	URL string `yaml:"url"`
	// Provider is the provider id the prices are for.
	Provider string `yaml:"provider"`
	// Authority ranks the values: provider (default), aggregator or
	// cross-check.
	Authority string `yaml:"authority"`
	// Rows is the CSS selector of the table's rows, one model each.
	Rows string `yaml:"rows"`
	// Unit is the unit of the price columns: per_token, per_1k or per_1m.
	Unit string `yaml:"unit"`
	// Columns maps column keys (model_id, name, input, output,
	// cached_input, cache_write, batch_input, batch_output, context,
	// max_output) to where a row holds them.
	Columns map[string]ColumnSettings `yaml:"columns"`
}

// ColumnSettings locate one value in a row: a CSS selector relative to the
// row (the first element it matches), and optionally the attribute to read
// instead of the text. In the file a column is either a selector
// (`input: td.price-input`) or a mapping (`model_id: {attr: data-model-id}`,
// `{selector: td a, attr: href}`); no selector means the row itself.
type ColumnSettings struct {
	Selector string `yaml:"selector"`
	Attr     string `yaml:"attr"`
}

// UnmarshalYAML reads a column as a selector string or a mapping (whose
// keys the schema check has already checked).
func (c *ColumnSettings) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		c.Selector = n.Value
		return nil
	}
	type plain ColumnSettings
	return n.Decode((*plain)(c))
}

func (ColumnSettings) scalarShorthand() {}

var (
	sourceNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
	providerIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
)

var tableUnits = map[string]catalog.Unit{
	"per_token": catalog.PerToken,
	"per_1k":    catalog.PerThousand,
	"per_1m":    catalog.PerMillion,
}

var tableAuthorities = map[string]catalog.Authority{
	"":            catalog.AuthorityProvider,
	"provider":    catalog.AuthorityProvider,
	"aggregator":  catalog.AuthorityAggregator,
	"cross-check": catalog.AuthorityCrossCheck,
}

// On reports whether any table is enabled.
func (s *CustomSettings) On() bool {
	for _, t := range *s {
		if t.Enabled == nil || *t.Enabled {
			return true
		}
	}
	return false
}

// Build is not used: the tables are several sources (see BuildAll).
func (s *CustomSettings) Build() (scrapers.Source, error) {
	return nil, errors.New("sources.custom: a list of sources; build it with BuildAll")
}

// BuildAll checks every table and makes one source per enabled table. Errors
// name the entry's setting and the source ("sources.custom[0].rows (source
// bitdeer): bad selector ...").
func (s *CustomSettings) BuildAll() ([]scrapers.Source, error) {
	var out []scrapers.Source
	var errs []error
	names := map[string]int{}
	for i, t := range *s {
		where := indexPath("sources.custom", i)
		tbl, err := t.build()
		if err != nil {
			errs = append(errs, t.settingError(where, err))
			continue
		}
		if j, dup := names[t.Name]; dup {
			errs = append(errs, fmt.Errorf("%s.name: %q is also %s's", where, t.Name, indexPath("sources.custom", j)))
			continue
		}
		names[t.Name] = i
		if slices.Contains(SourceNames(), t.Name) {
			errs = append(errs, fmt.Errorf("%s.name: %q is a built-in source", where, t.Name))
			continue
		}
		if t.Enabled != nil && !*t.Enabled {
			continue
		}
		out = append(out, tbl)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// settingError puts a table's error ("rows: bad selector ...") under the
// entry's path, naming the source: "sources.custom[0].rows (source acme):
// bad selector ...".
func (t TableSettings) settingError(where string, err error) error {
	msg := err.Error()
	if sub, segs := leadingPath(msg); segs != nil && strings.HasPrefix(msg[len(sub):], ": ") {
		where += "." + sub
		msg = msg[len(sub)+2:]
	}
	if t.Name != "" {
		where += " (source " + t.Name + ")"
	}
	return fmt.Errorf("%s: %s", where, msg)
}

func (t TableSettings) build() (*scrapers.Table, error) {
	if !sourceNameRe.MatchString(t.Name) {
		return nil, fmt.Errorf("name: %q is not a source name (lower-case letters, digits, -)", t.Name)
	}
	if t.URL == "" {
		return nil, errors.New("url: required")
	}
	if err := checkURL("url", t.URL); err != nil {
		return nil, err
	}
	if !providerIDRe.MatchString(t.Provider) {
		return nil, fmt.Errorf("provider: %q is not a provider id (lower-case letters, digits, -)", t.Provider)
	}
	auth, ok := tableAuthorities[t.Authority]
	if !ok {
		return nil, fmt.Errorf("authority: %q is not provider, aggregator or cross-check", t.Authority)
	}
	unit, ok := tableUnits[t.Unit]
	if !ok {
		return nil, fmt.Errorf("unit: %q is not per_token, per_1k or per_1m", t.Unit)
	}
	// Every selector, by the setting that holds it, in the file's order
	// of keys: rows, then the columns by name.
	selectors := [][2]string{{"rows", t.Rows}}
	for _, k := range slices.Sorted(maps.Keys(t.Columns)) {
		if sel := t.Columns[k].Selector; sel != "" {
			selectors = append(selectors, [2]string{keyPath("columns", k), sel})
		}
	}
	for _, s := range selectors {
		if err := checkSelectorLength(s[1]); err != nil {
			return nil, fmt.Errorf("%s: %w", s[0], err)
		}
	}
	cols := make(map[string]scrapers.TableColumn, len(t.Columns))
	for k, c := range t.Columns {
		cols[k] = scrapers.TableColumn{Selector: c.Selector, Attr: c.Attr}
	}
	tbl, err := scrapers.NewTable(scrapers.TableSpec{
		Name: t.Name, Title: t.Title, URL: t.URL, Provider: t.Provider, Authority: auth,
		Rows: t.Rows, Unit: unit, Columns: cols,
	})
	if err != nil {
		return nil, err
	}
	for _, s := range selectors {
		if err := checkSelectorShape(s[1]); err != nil {
			return nil, fmt.Errorf("%s: %w", s[0], err)
		}
	}
	return tbl, nil
}

// defaultCustom is the shipped declarative source: Bitdeer AI's model API
// price table.
func defaultCustom() *CustomSettings {
	return &CustomSettings{{
		Name:     "bitdeer",
		Title:    "Bitdeer AI model API prices (declarative table)",
		URL:      "https://www.bitdeer.ai/en/pricing",
		Provider: "bitdeer",
		Rows:     `table.pricing-table[data-category="llm"] tbody tr.pricing-row`,
		Unit:     "per_1m",
		Columns: map[string]ColumnSettings{
			"model_id":     {Attr: "data-model-id"},
			"name":         {Selector: "td.model .model-name"},
			"context":      {Selector: "td.context"},
			"input":        {Selector: "td.price-input"},
			"cached_input": {Selector: "td.price-cached"},
			"output":       {Selector: "td.price-output"},
		},
	}}
}

func init() {
	registerSource("custom", 70, func() SourceSettings { return defaultCustom() })
}
