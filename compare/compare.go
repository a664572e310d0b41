// Package compare builds comparison records: one per unordered model pair,
// with the two models' specs side by side, their prices on their cheapest
// tracked providers blended with stated weights, the difference and the
// ratios computed exactly, providers, capabilities, benchmarks, the dates
// and sources of every fact used, and text generated from that data.
//
// Building a record is a pure function of the two models, their offerings
// and the options. A Set names every pair's record of a catalogue, with each
// model's fingerprint; the export builds only the records whose models
// changed since the published tree (see publish and export.Tree.WriteBulk).
package compare

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"sync"
	"time"

	"github.com/llmref/llmref/catalog"
)

// Generator names the version of the record builder and its text. Every
// input fingerprint includes it, so raising it regenerates every record:
// raise it with any change to what a record holds or how its text reads,
// or published trees keep records built the old way. Version 4 took the
// retrieval times out of records (catalog.ComparisonSchemaVersion 2);
// version 5 writes the figures of the record's text in the style of the
// text output ("$0.20", "400K").
const Generator = "llmref-compare/5"

// Options configure comparison records.
type Options struct {
	// Blend weighs input and output prices; the zero value means the
	// default 70% input / 30% output.
	Blend catalog.Blend
	// Workers is how many records are built at once by the export; zero
	// means one per CPU.
	Workers int
	// Pairs is which pairs a Set holds; the zero value is every pair.
	Pairs PairPolicy
}

// DefaultOptions are the default blend.
func DefaultOptions() Options { return Options{Blend: catalog.DefaultBlend()} }

func (o Options) blend() catalog.Blend {
	if o.Blend == (catalog.Blend{}) {
		return catalog.DefaultBlend()
	}
	return o.Blend
}

// ErrUnknownModel is returned for a model id the catalogue does not hold.
var ErrUnknownModel = errors.New("unknown model")

// Side is one model's part of every comparison it takes part in, computed
// once per model: its offerings priced and blended, the cheapest of them,
// its providers, and the fingerprint of everything a record reads of it.
type Side struct {
	// Model is the model as a record reads it: its comparison view,
	// without retrieval times (see catalog.Model.ComparisonView). Of its
	// offerings a side keeps what the records read (Pricing, Providers,
	// the sources): their views were kept whole beside them and never read
	// again, 6 KB a model of the bench site (23.5 MB of an 8,000-model
	// export's live heap).
	Model     *catalog.Model
	Pricing   catalog.ModelPricing
	Providers catalog.ProviderList
	// Fingerprint is a hash of the model's and offerings' views, the blend
	// and the generator: everything a record reads of the side, so a
	// record changes exactly when one of its sides' fingerprints does. A
	// night that only saw the same values again changes none.
	Fingerprint string

	prov   prov
	once   [2]sync.Once // build enc (compact, indented) on first use by Encode
	enc    [2]*sideJSON
	encErr [2]error
}

// NewSide prices a model's offerings (given in offering order) with the
// options' blend. The side keeps a view of the model and what the
// records read of the offerings, never the given records.
func NewSide(model *catalog.Model, offerings []*catalog.Offering, o Options) (*Side, error) {
	w := o.blend()
	if err := w.Validate(); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	m := model.ComparisonView()
	offers := make([]*catalog.Offering, len(offerings))
	for i, off := range offerings {
		offers[i] = off.ComparisonView()
	}
	s := &Side{Model: m}
	s.Pricing.Offerings = make([]catalog.OfferingPrice, 0, len(offers))
	best := -1
	for i, off := range offers {
		p := priceOf(off, w)
		s.Pricing.Offerings = append(s.Pricing.Offerings, p)
		if p.Blended != nil && (best < 0 || *p.Blended < *s.Pricing.Offerings[best].Blended) {
			best = i
		}
	}
	switch {
	case best >= 0:
		off, p := offers[best], s.Pricing.Offerings[best]
		s.Pricing.Cheapest = &catalog.CheapestOffering{
			Provider: p.Provider, ProviderName: p.ProviderName, ProviderModelID: p.ProviderModelID,
			Region: p.Region, Variant: p.Variant, Input: off.Input, Output: off.Output, Blended: *p.Blended,
			Arithmetic: w.Arithmetic(off.Input.Value.Amount, off.Output.Value.Amount),
		}
	case len(offers) == 0:
		s.Pricing.Note = "no tracked provider offers this model"
	default:
		s.Pricing.Note = "no tracked offering lists both a fixed input and a fixed output price"
	}
	s.Providers = providersOf(offers)
	s.prov = provenanceOf(m, offers)
	fp, err := fingerprint(m, offers, w)
	if err != nil {
		return nil, err
	}
	s.Fingerprint = fp
	return s, nil
}

func fingerprint(m *catalog.Model, offers []*catalog.Offering, w catalog.Blend) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d/%d\n", Generator, w.InputPct, w.OutputPct)
	enc := json.NewEncoder(h)
	if err := enc.Encode(m); err != nil {
		return "", fmt.Errorf("compare: fingerprint %s: %w", m.ID, err)
	}
	if err := enc.Encode(offers); err != nil {
		return "", fmt.Errorf("compare: fingerprint %s: %w", m.ID, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// priceOf is an offering's prices as sourced and, when both are fixed,
// their blend.
func priceOf(o *catalog.Offering, w catalog.Blend) catalog.OfferingPrice {
	p := catalog.OfferingPrice{
		Provider: o.Provider, ProviderName: catalog.ProviderOf(o.Provider).Name, ProviderModelID: o.ProviderModelID,
		Region: o.Region, Variant: o.Variant,
	}
	in, out := o.Input, o.Output
	if in.Sourced() {
		v := in.Value
		p.Input = &v
	}
	if out.Sourced() {
		v := out.Value
		p.Output = &v
	}
	kind := func(f catalog.Fact[catalog.Price], k catalog.PriceKind) bool { return f.Sourced() && f.Value.Kind == k }
	switch {
	case !in.Sourced() && !out.Sourced():
		p.State = catalog.PriceStateUnsourced
	case kind(in, catalog.PriceVariable) || kind(out, catalog.PriceVariable):
		p.State = catalog.PriceStateVariable
	case kind(in, catalog.PriceFixed) && kind(out, catalog.PriceFixed):
		p.State = catalog.PriceStateFixed
		b := w.Of(in.Value.Amount, out.Value.Amount)
		p.Blended = &b
	case (!in.Sourced() || kind(in, catalog.PriceFree)) && (!out.Sourced() || kind(out, catalog.PriceFree)):
		p.State = catalog.PriceStateFree
	default:
		p.State = catalog.PriceStateIncomplete
	}
	return p
}

func providersOf(offers []*catalog.Offering) catalog.ProviderList {
	l := catalog.ProviderList{Offerings: len(offers), Providers: []catalog.ProviderOfferings{}}
	idx := map[string]int{}
	for _, o := range offers {
		i, ok := idx[o.Provider]
		if !ok {
			i = len(l.Providers)
			idx[o.Provider] = i
			l.Providers = append(l.Providers, catalog.ProviderOfferings{ID: o.Provider, Name: catalog.ProviderOf(o.Provider).Name})
		}
		l.Providers[i].Offerings++
	}
	sort.Slice(l.Providers, func(i, j int) bool { return l.Providers[i].ID < l.Providers[j].ID })
	l.Count = len(l.Providers)
	return l
}

// Sides computes the side of every model of snap, in id order.
func Sides(snap *catalog.Snapshot, o Options) ([]*Side, error) {
	byModel := snap.OfferingsByModel()
	ids := snap.ModelIDs()
	out := make([]*Side, 0, len(ids))
	for _, id := range ids {
		s, err := NewSide(snap.Models[id], byModel[id], o)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Compare builds the record of two models of snap, given in either order:
// the record the export publishes, side A the id that sorts first. A model
// may be named by its canonical id, in any case, or by an id a source uses
// for it (see catalog.Snapshot.ResolveModel); a name that matches none is
// ErrUnknownModel.
func Compare(snap *catalog.Snapshot, x, y string, o Options) (*catalog.Comparison, error) {
	sx, sy, err := pairSides(snap, x, y, o)
	if err != nil {
		return nil, err
	}
	return Build(sx, sy, o), nil
}

// Ordered builds the record of two models of snap as a person asked for
// them: side A is x. When x sorts first it is Compare's record; otherwise
// it is the same comparison seen from the other side (the same id, figures
// and sources, with a and b, "cheaper" and the only-a / only-b lists
// swapped and the text written in that order).
func Ordered(snap *catalog.Snapshot, x, y string, o Options) (*catalog.Comparison, error) {
	sx, sy, err := pairSides(snap, x, y, o)
	if err != nil {
		return nil, err
	}
	return build(sx, sy, o), nil
}

func pairSides(snap *catalog.Snapshot, x, y string, o Options) (sx, sy *Side, err error) {
	ids := []string{x, y}
	for i, name := range ids {
		id, ok, err := snap.ResolveModel(name) // a source's id for it, or any case, will do
		if err != nil {
			return nil, nil, fmt.Errorf("compare: %w", err)
		}
		if !ok {
			return nil, nil, fmt.Errorf("compare: %w %q (see `llmref models`)", ErrUnknownModel, name)
		}
		ids[i] = id
	}
	x, y = ids[0], ids[1]
	if x == y {
		return nil, nil, fmt.Errorf("compare: %q with itself: name two different models", x)
	}
	if sx, err = NewSide(snap.Models[x], snap.OfferingsOf(x), o); err != nil {
		return nil, nil, err
	}
	if sy, err = NewSide(snap.Models[y], snap.OfferingsOf(y), o); err != nil {
		return nil, nil, err
	}
	return sx, sy, nil
}

// Build makes the record of two sides, given in either order. It is pure:
// the same sides and options always give the same record.
func Build(x, y *Side, o Options) *catalog.Comparison {
	a, b := x, y
	if b.Model.ID < a.Model.ID {
		a, b = b, a
	}
	return build(a, b, o)
}

// build makes the record of a and b with a as side A.
func build(a, b *Side, o Options) *catalog.Comparison {
	ma, mb := a.Model, b.Model
	c := &catalog.Comparison{
		SchemaVersion: catalog.ComparisonSchemaVersion,
		ID:            catalog.ComparisonStem(ma.ID, mb.ID),
		Models: catalog.Pair[catalog.ComparedModel]{
			A: catalog.ComparedModel{ID: ma.ID, Name: ma.DisplayName(), Creator: ma.Creator},
			B: catalog.ComparedModel{ID: mb.ID, Name: mb.DisplayName(), Creator: mb.Creator},
		},
		Specs: catalog.Specs{
			Released:        catalog.Pair[catalog.Fact[catalog.Date]]{A: ma.Released, B: mb.Released},
			ContextWindow:   catalog.Pair[catalog.Fact[catalog.Tokens]]{A: ma.ContextWindow, B: mb.ContextWindow},
			Parameters:      catalog.Pair[catalog.Fact[catalog.Count]]{A: ma.Parameters, B: mb.Parameters},
			Architecture:    catalog.Pair[catalog.Fact[string]]{A: ma.Architecture, B: mb.Architecture},
			Licence:         catalog.Pair[catalog.Fact[catalog.Licence]]{A: ma.Licence, B: mb.Licence},
			KnowledgeCutoff: catalog.Pair[catalog.Fact[catalog.Date]]{A: ma.KnowledgeCutoff, B: mb.KnowledgeCutoff},
			InputModalities: catalog.Pair[catalog.Fact[[]string]]{A: ma.InputModalities, B: mb.InputModalities},
		},
		Pricing:      comparePrices(a, b, o.blend()),
		Providers:    catalog.Pair[catalog.ProviderList]{A: a.Providers, B: b.Providers},
		Capabilities: compareCapabilities(ma, mb),
		Benchmarks:   compareBenchmarks(ma, mb), // benchmarks.go
	}
	c.Dates, c.Sources = mergeProvenance(&a.prov, &b.prov)
	c.Text = Text(c, ma, mb)
	return c
}

func comparePrices(a, b *Side, w catalog.Blend) catalog.PriceComparison {
	pc := catalog.PriceComparison{
		Blend: w, Formula: w.Formula(),
		Models:  catalog.Pair[catalog.ModelPricing]{A: a.Pricing, B: b.Pricing},
		Cheaper: catalog.SideUnknown,
		Ratios:  []catalog.PriceRatio{},
	}
	ca, cb := a.Pricing.Cheapest, b.Pricing.Cheapest
	if ca == nil || cb == nil {
		return pc
	}
	ba, bb := ca.Blended, cb.Blended
	diff := ba - bb
	switch {
	case diff > 0:
		pc.Cheaper = catalog.SideB
	case diff < 0:
		pc.Cheaper, diff = catalog.SideA, -diff
	default:
		pc.Cheaper = catalog.SideEqual
	}
	pc.Difference = &diff
	pc.DifferenceDisplay = diff.Round2()
	pc.Ratios = []catalog.PriceRatio{
		ratio("input", catalog.ExactOf(ca.Input.Value.Amount), catalog.ExactOf(cb.Input.Value.Amount)),
		ratio("output", catalog.ExactOf(ca.Output.Value.Amount), catalog.ExactOf(cb.Output.Value.Amount)),
		ratio("blended", ba, bb),
	}
	return pc
}

// ratio compares one price of side A with side B's.
func ratio(basis string, a, b catalog.Exact) catalog.PriceRatio {
	r := catalog.PriceRatio{Basis: basis}
	switch {
	case a < b:
		r.Cheaper, r.Cheapest, r.Pricier = catalog.SideA, a, b
	case b < a:
		r.Cheaper, r.Cheapest, r.Pricier = catalog.SideB, b, a
	default:
		r.Cheaper, r.Cheapest, r.Pricier = catalog.SideEqual, a, b
		r.Display = "the same price on " + basisLabel(basis)
		one := "1.0"
		r.Times = &one
		return r
	}
	if r.Cheapest <= 0 {
		r.Display = "no ratio on " + basisLabel(basis) + ": the cheaper price is " + r.Cheapest.String()
		return r
	}
	q := new(big.Rat).Quo(r.Pricier.Rat(), r.Cheapest.Rat())
	times := q.FloatString(1)
	r.Times = &times
	r.Display = times + "× cheaper on " + basisLabel(basis)
	return r
}

// basisLabel names a ratio's basis in text: "input", "output", "the
// blended price".
func basisLabel(basis string) string {
	if basis == "blended" {
		return "the blended price"
	}
	return basis
}

func compareCapabilities(a, b *catalog.Model) catalog.CapabilityComparison {
	cc := catalog.CapabilityComparison{
		Rows:  make([]catalog.CapabilityRow, 0, len(catalog.Capabilities)),
		OnlyA: []catalog.Capability{}, OnlyB: []catalog.Capability{}, Shared: []catalog.Capability{},
		Neither: []catalog.Capability{}, Unsettled: []catalog.Capability{},
	}
	for _, cp := range catalog.Capabilities {
		ta, tb := catalog.TriOf(a.Capabilities[cp]), catalog.TriOf(b.Capabilities[cp])
		cc.Rows = append(cc.Rows, catalog.CapabilityRow{Capability: cp, Label: cp.Label(), A: ta, B: tb})
		switch {
		case ta == catalog.Unknown || tb == catalog.Unknown:
			cc.Unsettled = append(cc.Unsettled, cp)
		case ta == catalog.Yes && tb == catalog.Yes:
			cc.Shared = append(cc.Shared, cp)
		case ta == catalog.Yes:
			cc.OnlyA = append(cc.OnlyA, cp)
		case tb == catalog.Yes:
			cc.OnlyB = append(cc.OnlyB, cp)
		default:
			cc.Neither = append(cc.Neither, cp)
		}
	}
	return cc
}

// prov is one side's provenance: the dates of the sourced facts a record
// uses of it (its name, specs, capabilities and benchmark results, and its offerings' input
// and output prices) and their sources, sorted and distinct.
type prov struct {
	changed, reviewed time.Time
	facts, unreviewed int
	sources           []catalog.SourceRef
}

func provenanceOf(m *catalog.Model, offers []*catalog.Offering) prov {
	var p prov
	seen := map[catalog.SourceRef]bool{}
	note := func(src catalog.SourceRef, changed, rev time.Time) {
		p.facts++
		if changed.After(p.changed) {
			p.changed = changed
		}
		if rev.IsZero() {
			p.unreviewed++
		} else if rev.After(p.reviewed) {
			p.reviewed = rev
		}
		if !seen[src] {
			seen[src] = true
			p.sources = append(p.sources, src)
		}
	}
	visit(m.Name, note)
	visit(m.Released, note)
	visit(m.ContextWindow, note)
	visit(m.Parameters, note)
	visit(m.Architecture, note)
	visit(m.Licence, note)
	visit(m.KnowledgeCutoff, note)
	visit(m.InputModalities, note)
	for _, cp := range catalog.Capabilities {
		visit(m.Capabilities[cp], note)
	}
	for _, f := range m.Benchmarks {
		visit(f, note)
	}
	for _, o := range offers {
		visit(o.Input, note)
		visit(o.Output, note)
	}
	sort.Slice(p.sources, func(i, j int) bool { return sourceLess(p.sources[i], p.sources[j]) })
	return p
}

func sourceLess(x, y catalog.SourceRef) bool {
	if x.Name != y.Name {
		return x.Name < y.Name
	}
	if x.URL != y.URL {
		return x.URL < y.URL
	}
	if x.Note != y.Note {
		return x.Note < y.Note
	}
	return x.Authority < y.Authority
}

// mergeProvenance gives a record's dates and its sources: both sides',
// sorted and distinct.
func mergeProvenance(a, b *prov) (catalog.ComparisonDates, []catalog.SourceRef) {
	d := catalog.ComparisonDates{Facts: a.facts + b.facts, Unreviewed: a.unreviewed + b.unreviewed}
	changed, reviewed := a.changed, a.reviewed
	if b.changed.After(changed) {
		changed = b.changed
	}
	if b.reviewed.After(reviewed) {
		reviewed = b.reviewed
	}
	ptr := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		u := t.UTC()
		return &u
	}
	d.ChangedAt, d.ReviewedAt = ptr(changed), ptr(reviewed)
	sources := make([]catalog.SourceRef, 0, len(a.sources)+len(b.sources))
	i, j := 0, 0
	for i < len(a.sources) || j < len(b.sources) {
		switch {
		case j == len(b.sources) || (i < len(a.sources) && sourceLess(a.sources[i], b.sources[j])):
			sources = append(sources, a.sources[i])
			i++
		case i == len(a.sources) || sourceLess(b.sources[j], a.sources[i]):
			sources = append(sources, b.sources[j])
			j++
		default: // the same source on both sides
			sources = append(sources, a.sources[i])
			i++
			j++
		}
	}
	return d, sources
}

func visit[T any](f catalog.Fact[T], note func(catalog.SourceRef, time.Time, time.Time)) {
	if f.Sourced() {
		note(f.Source.Ref(), f.ChangedAt.Time(), f.ReviewedAt.Time())
	}
}
