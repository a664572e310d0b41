package scrapers

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// TableColumn says where a row holds one value: the first element that
// Selector (a CSS selector, relative to the row) matches, or the row itself
// when Selector is empty; its text, or its attribute Attr when set.
type TableColumn struct {
	Selector string
	Attr     string
}

// Table column keys: what a declarative table's columns may hold.
const (
	ColModelID     = "model_id"
	ColName        = "name"
	ColInput       = "input"
	ColOutput      = "output"
	ColCachedInput = "cached_input"
	ColCacheWrite  = "cache_write"
	ColBatchInput  = "batch_input"
	ColBatchOutput = "batch_output"
	ColContext     = "context"
	ColMaxOutput   = "max_output"
)

// tableColumns lists the column keys in the order their observations are
// written, with the field each one states.
var tableColumns = []struct {
	key   string
	field catalog.Field
	price bool
}{
	{ColName, catalog.FieldName, false},
	{ColInput, catalog.FieldPriceInput, true},
	{ColCachedInput, catalog.FieldPriceCachedInput, true},
	{ColCacheWrite, catalog.FieldPriceCacheWrite, true},
	{ColOutput, catalog.FieldPriceOutput, true},
	{ColBatchInput, catalog.FieldPriceBatchInput, true},
	{ColBatchOutput, catalog.FieldPriceBatchOutput, true},
	{ColContext, catalog.FieldOfferingContext, false},
	{ColMaxOutput, catalog.FieldOfferingMaxOutput, false},
}

// TableColumnKeys lists every column key a table may map, model_id first.
func TableColumnKeys() []string {
	out := []string{ColModelID}
	for _, c := range tableColumns {
		out = append(out, c.key)
	}
	return out
}

// TableSpec describes a provider's HTML price table so that llmref can read
// it with no code: the page, the rows, where each value sits in a row, the
// unit of its prices and the provider it prices.
type TableSpec struct {
	// Name is the source's unique name ("bitdeer").
	Name string
	// Title presents the source; default "<name> price table".
	Title string
	// URL is the page.
	URL string
	// Provider is the provider id of the offerings ("bitdeer").
	Provider string
	// Authority ranks the page's values; default provider.
	Authority catalog.Authority
	// Rows is the CSS selector of the table's rows, one model each.
	Rows string
	// Unit is the unit of every price column.
	Unit catalog.Unit
	// Columns maps column keys (ColModelID, ColInput, ...) to cells.
	Columns map[string]TableColumn
}

// Table is a declarative HTML-table source: a TableSpec with its selectors
// compiled. Build one with NewTable.
type Table struct {
	spec TableSpec
	rows cascadia.Selector
	cols map[string]tableCell
}

type tableCell struct {
	sel  cascadia.Selector // nil: the row itself
	attr string
	src  string
}

var _ Source = (*Table)(nil)

// NewTable checks a spec and compiles its selectors, so that a bad selector
// fails when the configuration loads, named, rather than matching nothing
// at run time. Errors name the setting ("rows", "columns.input").
func NewTable(spec TableSpec) (*Table, error) {
	t := &Table{spec: spec, cols: map[string]tableCell{}}
	if err := checkDeclared(spec.Name, spec.URL, spec.Provider, spec.Unit); err != nil {
		return nil, err
	}
	if err := checkMapped("columns", "column", slices.Collect(maps.Keys(spec.Columns))); err != nil {
		return nil, err
	}
	if t.spec.Authority == 0 {
		t.spec.Authority = catalog.AuthorityProvider
	}
	if strings.TrimSpace(spec.Rows) == "" {
		return nil, fmt.Errorf("rows: empty selector")
	}
	rows, err := cascadia.Compile(spec.Rows)
	if err != nil {
		return nil, fmt.Errorf("rows: bad selector %q: %v", spec.Rows, err)
	}
	t.rows = rows
	for _, key := range slices.Sorted(maps.Keys(spec.Columns)) {
		c := spec.Columns[key]
		cell := tableCell{attr: strings.TrimSpace(c.Attr), src: c.Selector}
		if s := strings.TrimSpace(c.Selector); s != "" {
			sel, err := cascadia.Compile(s)
			if err != nil {
				return nil, fmt.Errorf("columns.%s: bad selector %q: %v", key, c.Selector, err)
			}
			cell.sel = sel
		} else if cell.attr == "" {
			return nil, fmt.Errorf("columns.%s: neither a selector nor an attribute", key)
		}
		t.cols[key] = cell
	}
	return t, nil
}

// Name is the configured name.
func (t *Table) Name() string { return t.spec.Name }

// Spec returns the table's description.
func (t *Table) Spec() TableSpec { return t.spec }

// Describe presents the source.
func (t *Table) Describe() Description {
	title := t.spec.Title
	if title == "" {
		title = t.spec.Name + " price table"
	}
	return Description{Name: t.spec.Name, Title: title, Authority: t.spec.Authority, Format: "HTML table (declarative)", URLs: []string{t.spec.URL}}
}

// Requests asks for the page.
func (t *Table) Requests() []Request {
	return []Request{{URL: t.spec.URL, Kind: "table"}}
}

// Parse reads the page.
func (t *Table) Parse(kind string, r Response) (Parsed, error) {
	if kind != "table" {
		return Parsed{}, fmt.Errorf("%s: unknown page kind %q", t.spec.Name, kind)
	}
	return t.ParseTable(r)
}

// notListed are cell texts that say a value is not offered.
var notListed = map[string]bool{"": true, "-": true, "—": true, "–": true, "n/a": true, "na": true, "not available": true}

// ParseTable reads every row the row selector matches into observations of
// the provider's offering of the row's model: listed, prices in the
// configured unit, context and max output, and the model's name. A cell
// that reads "—" or "N/A" states nothing.
//
// Its anchor is the row selector: it fails (ErrMarkup) when the selector
// matches nothing, or when most rows are unreadable. A row it cannot read
// (a mapped cell missing, no model id) is left out with a warning, and so
// is a model id in a second row (the first row stands).
//
// Its selectors come from the configuration: each element they are tried
// on is a step of the parse's budget, which stops the parse once r's
// context (the source's deadline) is done.
func (t *Table) ParseTable(r Response) (_ Parsed, err error) {
	name := t.spec.Name
	doc, err := Document(r.Body)
	if err != nil {
		return Parsed{}, fmt.Errorf("parse %s table: %w", name, err)
	}
	b := newBudget(r)
	defer b.stopped(&err, "parse "+name+" table")
	rows := doc.FindMatcher(b.matcher(t.rows))
	if rows.Length() == 0 {
		return Parsed{}, fmt.Errorf("parse %s table: row selector %q matches nothing: %w", name, t.spec.Rows, ErrMarkup)
	}
	var out []catalog.Observation
	var tally rowTally
	seen := map[string]int{}
	base := catalog.Observation{Source: name, URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: t.spec.Authority, Provider: t.spec.Provider}
	rows.Each(func(i int, row *goquery.Selection) {
		get := func(key string) (string, error) {
			c := t.cols[key]
			sel := row
			if c.sel != nil {
				sel = row.FindMatcher(goquery.SingleMatcher(b.matcher(c.sel)))
				if sel.Length() == 0 {
					return "", fmt.Errorf("column %s: selector %q matches nothing", key, c.src)
				}
			}
			if c.attr != "" {
				v, ok := sel.Attr(c.attr)
				if !ok {
					return "", fmt.Errorf("column %s: no attribute %q", key, c.attr)
				}
				return CleanText(v), nil
			}
			return CleanText(sel.Text()), nil
		}
		id, err := get(ColModelID)
		if err != nil {
			tally.skip("row %d: %v: left out", i+1, err)
			return
		}
		if notListed[strings.ToLower(id)] {
			tally.skip("row %d: empty model id: left out", i+1)
			return
		}
		if prev, dup := seen[strings.ToLower(id)]; dup {
			tally.warn("row %d: model id %q again (first in row %d): left out, the first stands", i+1, clip.String(id), prev)
			return
		}
		vals := map[string]string{}
		for _, c := range tableColumns {
			if _, ok := t.cols[c.key]; !ok {
				continue
			}
			v, err := get(c.key)
			if err != nil {
				tally.skip("row %d (%s): %v: left out", i+1, clip.String(id), err)
				return
			}
			if !notListed[strings.ToLower(v)] {
				vals[c.key] = v
			}
		}
		seen[strings.ToLower(id)] = i + 1
		tally.ok()
		out = append(out, declaredRow(base, id, vals, t.spec.Unit)...)
	})
	if err := tally.unreadable("rows"); err != nil {
		return Parsed{}, fmt.Errorf("parse %s table: %w", name, err)
	}
	return Parsed{Observations: out, Warnings: tally.Warnings()}, nil
}
