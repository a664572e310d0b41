// Package coverage measures how much of the reference page llmref can fill:
// for every model and every field the page shows (released, context window,
// parameters, architecture, licence, knowledge cutoff, each capability, a
// price at one provider or more, benchmarks), whether a source gives it and
// what kind of source that is, with totals per field and per creator.
//
// It is pure: Measure reads a published catalogue and returns a Report; it
// does no I/O. The command prints the report; the export writes it as
// coverage.json.
package coverage

import (
	"sort"

	"github.com/llmref/llmref/catalog"
)

// Kind is the kind of source a field's value comes from, read from the
// authority its source has for that value (catalog.Authority).
type Kind string

// Kinds of source, best first. A field sourced only by a cross-check (the
// LiteLLM price map, models.dev at its default authority) is CrossCheck:
// llmref shows such a value but no primary source vouches for it.
const (
	Creator    Kind = "creator"
	Provider   Kind = "provider"
	Aggregator Kind = "aggregator"
	CrossCheck Kind = "cross-check"
	// None is a field no source gives: not yet sourced.
	None Kind = ""
)

// Kinds lists the kinds of source, best first (None excluded).
var Kinds = []Kind{Creator, Provider, Aggregator, CrossCheck}

// KindOf classifies a source by its authority for a value.
func KindOf(a catalog.Authority) Kind {
	switch {
	case a >= catalog.AuthorityCreator:
		return Creator
	case a >= catalog.AuthorityProvider:
		return Provider
	case a >= catalog.AuthorityAggregator:
		return Aggregator
	}
	// A cross-check, or a value with a source but no authority: the
	// weakest kind, not "not sourced" (the value is shown).
	return CrossCheck
}

// Field is one field of the reference page.
type Field string

// The fields of the reference page, in its order. Each capability is a
// field of its own, "capability.<name>" (see Fields).
const (
	Released        Field = "released"
	ContextWindow   Field = "context_window"
	Parameters      Field = "parameters"
	Architecture    Field = "architecture"
	Licence         Field = "licence"
	KnowledgeCutoff Field = "knowledge_cutoff"
	Price           Field = "price"
	Benchmarks      Field = "benchmarks"
)

// CapabilityField is the field of a capability: "capability.vision".
func CapabilityField(c catalog.Capability) Field { return Field("capability." + string(c)) }

// Fields lists every field measured, in the reference page's order: the
// specs, every tracked capability (catalog.Capabilities), a price at one
// provider or more, benchmarks.
func Fields() []Field {
	fs := []Field{Released, ContextWindow, Parameters, Architecture, Licence, KnowledgeCutoff}
	for _, c := range catalog.Capabilities {
		fs = append(fs, CapabilityField(c))
	}
	return append(fs, Price, Benchmarks)
}

// Cell is one field of one model: which source gives it, if any.
type Cell struct {
	Field Field `json:"field"`
	// Sourced reports whether a source gives the field.
	Sourced bool `json:"sourced"`
	// By is the kind of the source the value comes from; None when no
	// source gives it.
	By Kind `json:"by,omitempty"`
	// Source names the source ("huggingface", "openrouter"); empty when
	// not sourced.
	Source string `json:"source,omitempty"`
}

// ModelRow is one model's coverage: a cell per field, in Fields order.
type ModelRow struct {
	ID      string `json:"id"`
	Creator string `json:"creator"`
	Cells   []Cell `json:"cells"`
	// Sourced counts the model's sourced fields, of len(Cells).
	Sourced int `json:"sourced"`
}

// Tally counts sourced fields by the kind of their source.
type Tally struct {
	// Of is how many cells were counted (models × fields).
	Of int `json:"of"`
	// Sourced is how many of them a source gives.
	Sourced int `json:"sourced"`
	// By counts the sourced ones by kind of source.
	By map[Kind]int `json:"by"`
}

func newTally() Tally {
	t := Tally{By: make(map[Kind]int, len(Kinds))}
	for _, k := range Kinds {
		t.By[k] = 0
	}
	return t
}

func (t *Tally) add(c Cell) {
	t.Of++
	if c.Sourced {
		t.Sourced++
		t.By[c.By]++
	}
}

// Percent is the sourced share in whole percent, rounded down, so that
// 100 means every cell.
func (t Tally) Percent() int {
	if t.Of == 0 {
		return 0
	}
	return t.Sourced * 100 / t.Of
}

// FieldTotal is one field over every model.
type FieldTotal struct {
	Field Field `json:"field"`
	Tally
}

// CreatorTotal is one creator's models over every field, and per field.
type CreatorTotal struct {
	Creator string `json:"creator"`
	Models  int    `json:"models"`
	Tally
	// Fields counts, per field in Fields order, the creator's models for
	// which a source gives it.
	Fields []FieldCount `json:"fields"`
}

// FieldCount is how many models have a field sourced.
type FieldCount struct {
	Field   Field `json:"field"`
	Sourced int   `json:"sourced"`
}

// Report is the coverage of a catalogue.
type Report struct {
	// Fields are the fields measured, in order; every row's cells follow it.
	Fields   []Field        `json:"fields"`
	Totals   []FieldTotal   `json:"totals"`
	Creators []CreatorTotal `json:"creators"`
	Models   []ModelRow     `json:"models"`
	// All is every cell of every model.
	All Tally `json:"all"`
}

// Measure reports the coverage of snap: one row per model in id order,
// totals per field and per creator.
func Measure(snap *catalog.Snapshot) Report {
	fields := Fields()
	r := Report{Fields: fields, Models: []ModelRow{}, Totals: make([]FieldTotal, len(fields)), Creators: []CreatorTotal{}, All: newTally()}
	for i, f := range fields {
		r.Totals[i] = FieldTotal{Field: f, Tally: newTally()}
	}
	offerings := snap.OfferingsByModel()
	creators := map[string]*CreatorTotal{}
	for _, id := range snap.ModelIDs() {
		m := snap.Models[id]
		row := ModelRow{ID: m.ID, Creator: m.Creator, Cells: modelCells(m, offerings[id])}
		for i := range row.Cells {
			row.Cells[i].Field = fields[i]
		}
		ct := creators[m.Creator]
		if ct == nil {
			ct = &CreatorTotal{Creator: m.Creator, Tally: newTally(), Fields: make([]FieldCount, len(fields))}
			for i, f := range fields {
				ct.Fields[i].Field = f
			}
			creators[m.Creator] = ct
		}
		ct.Models++
		for i, c := range row.Cells {
			r.Totals[i].add(c)
			r.All.add(c)
			ct.add(c)
			if c.Sourced {
				row.Sourced++
				ct.Fields[i].Sourced++
			}
		}
		r.Models = append(r.Models, row)
	}
	names := make([]string, 0, len(creators))
	for n := range creators {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r.Creators = append(r.Creators, *creators[n])
	}
	return r
}

// modelCells is one model's cells in Fields order, offs its offerings.
func modelCells(m *catalog.Model, offs []*catalog.Offering) []Cell {
	cells := []Cell{
		cellOf(m.Released.Source.Ref()), cellOf(m.ContextWindow.Source.Ref()), cellOf(m.Parameters.Source.Ref()),
		cellOf(m.Architecture.Source.Ref()), cellOf(m.Licence.Source.Ref()), cellOf(m.KnowledgeCutoff.Source.Ref()),
	}
	for _, c := range catalog.Capabilities {
		cells = append(cells, cellOf(m.Capabilities[c].Source.Ref()))
	}
	return append(cells, priceCell(offs), benchmarkCell(m))
}

// benchmarkCell is the best source among a model's sourced benchmark
// results (card evaluation tables, models.dev, creator docs).
func benchmarkCell(m *catalog.Model) Cell {
	var refs []catalog.SourceRef
	for _, f := range m.Benchmarks {
		if f.Sourced() {
			refs = append(refs, f.Source.Ref())
		}
	}
	return best(refs)
}

// cellOf is the cell of one fact's source.
func cellOf(s catalog.SourceRef) Cell {
	if s.Name == "" {
		return Cell{}
	}
	return Cell{Sourced: true, By: KindOf(s.Authority), Source: s.Name}
}

// priceCell is a price at one provider or more: an offering whose input
// or output price is listed (an amount, or free). A variable price (a
// router's "-1") is no price a reader can use. The cell names the best
// kind of source among the offerings that have one.
func priceCell(offs []*catalog.Offering) Cell {
	var refs []catalog.SourceRef
	for _, o := range offs {
		for _, p := range []catalog.Fact[catalog.Price]{o.Input, o.Output} {
			if p.Sourced() && p.Value.Kind != catalog.PriceVariable {
				refs = append(refs, p.Source.Ref())
			}
		}
	}
	return best(refs)
}

// best is the cell of the highest-ranked source of refs, the first such
// by name when several tie; not sourced when refs is empty.
func best(refs []catalog.SourceRef) Cell {
	var top catalog.SourceRef
	for _, s := range refs {
		if s.Name == "" {
			continue
		}
		if top.Name == "" || s.Authority > top.Authority || s.Authority == top.Authority && s.Name < top.Name {
			top = s
		}
	}
	return cellOf(top)
}
