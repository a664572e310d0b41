// Package changes compares a run's new catalogue with the published one and
// reports what changed.
package changes

import (
	"sort"

	"github.com/llmref/llmref/catalog"
)

// Diff lists what differs between the published snapshot prev and a run's
// new snapshot next: prices (old → new, absolute and percentage), offerings
// added and removed, models added and removed, and spec facts changed.
// Changes come in a stable order: by model, provider, kind and field.
func Diff(prev, next *catalog.Snapshot) []catalog.Change {
	if prev == nil {
		prev = catalog.NewSnapshot()
	}
	var out []catalog.Change
	for _, id := range next.ModelIDs() {
		m := next.Models[id]
		p, ok := prev.Models[id]
		if !ok {
			out = append(out, catalog.Change{Kind: catalog.ChangeModelAdded, Model: id, New: m.DisplayName(), Source: m.Name.Source})
			continue
		}
		out = append(out, specChanges(p, m)...)
	}
	for _, id := range prev.ModelIDs() {
		if _, ok := next.Models[id]; !ok {
			out = append(out, catalog.Change{Kind: catalog.ChangeModelRemoved, Model: id, Old: prev.Models[id].DisplayName()})
		}
	}
	for _, k := range next.OfferingKeys() {
		o := next.Offerings[k]
		p, ok := prev.Offerings[k]
		if !ok {
			out = append(out, offeringChange(catalog.ChangeOfferingAdded, o, priceSummary(o)))
			continue
		}
		out = append(out, priceChanges(p, o)...)
	}
	for _, k := range prev.OfferingKeys() {
		if _, ok := next.Offerings[k]; !ok {
			p := prev.Offerings[k]
			c := offeringChange(catalog.ChangeOfferingRemoved, p, "")
			c.Old = priceSummary(p)
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Model != b.Model {
			return a.Model < b.Model
		}
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Field < b.Field
	})
	return out
}

func offeringChange(kind catalog.ChangeKind, o *catalog.Offering, newDisplay string) catalog.Change {
	c := catalog.Change{Kind: kind, Model: o.ModelID, Provider: o.Provider, Region: o.Region, Variant: o.Variant, New: newDisplay}
	switch {
	case o.Input.Sourced():
		c.Source = o.Input.Source
	case o.Output.Sourced():
		c.Source = o.Output.Source
	}
	return c
}

func priceSummary(o *catalog.Offering) string {
	return o.Input.String() + " in / " + o.Output.String() + " out"
}

// offeringPrices names the price facts of an offering, in report order.
func offeringPrices(o *catalog.Offering) []struct {
	name string
	fact catalog.Fact[catalog.Price]
} {
	return []struct {
		name string
		fact catalog.Fact[catalog.Price]
	}{
		{"input", o.Input}, {"output", o.Output}, {"cached_input", o.CachedInput}, {"cache_write", o.CacheWrite},
		{"batch_input", o.BatchInput}, {"batch_output", o.BatchOutput},
	}
}

func priceChanges(prev, next *catalog.Offering) []catalog.Change {
	var out []catalog.Change
	pp := offeringPrices(prev)
	for i, np := range offeringPrices(next) {
		old := pp[i].fact
		if old.Sourced() == np.fact.Sourced() && (!old.Sourced() || old.Value.Equal(np.fact.Value)) {
			continue
		}
		c := catalog.Change{Kind: catalog.ChangePrice, Model: next.ModelID, Provider: next.Provider, Region: next.Region,
			Variant: next.Variant, Field: np.name, Old: old.String(), New: np.fact.String(), Source: np.fact.Source}
		if old.Sourced() {
			v := old.Value
			c.OldPrice = &v
		}
		if np.fact.Sourced() {
			v := np.fact.Value
			c.NewPrice = &v
		} else {
			c.Source = old.Source
		}
		if c.OldPrice != nil && c.NewPrice != nil && c.OldPrice.Comparable() && c.NewPrice.Comparable() {
			d := c.NewPrice.Amount - c.OldPrice.Amount
			c.Delta = &d
			c.DeltaPct = catalog.PercentChange(c.OldPrice.Amount, c.NewPrice.Amount)
		}
		out = append(out, c)
	}
	return out
}

func specChanges(prev, next *catalog.Model) []catalog.Change {
	type spec struct {
		name       string
		old, new   string
		oldS, newS bool
		src        catalog.SourceRef
	}
	specs := []spec{
		{"released", prev.Released.String(), next.Released.String(), prev.Released.Sourced(), next.Released.Sourced(), next.Released.Source},
		{"context_window", prev.ContextWindow.String(), next.ContextWindow.String(), prev.ContextWindow.Sourced(), next.ContextWindow.Sourced(), next.ContextWindow.Source},
		{"max_output", prev.MaxOutput.String(), next.MaxOutput.String(), prev.MaxOutput.Sourced(), next.MaxOutput.Sourced(), next.MaxOutput.Source},
		{"parameters", prev.Parameters.String(), next.Parameters.String(), prev.Parameters.Sourced(), next.Parameters.Sourced(), next.Parameters.Source},
		{"licence", prev.Licence.String(), next.Licence.String(), prev.Licence.Sourced(), next.Licence.Sourced(), next.Licence.Source},
		{"knowledge_cutoff", prev.KnowledgeCutoff.String(), next.KnowledgeCutoff.String(), prev.KnowledgeCutoff.Sourced(), next.KnowledgeCutoff.Sourced(), next.KnowledgeCutoff.Source},
		{"architecture", prev.Architecture.String(), next.Architecture.String(), prev.Architecture.Sourced(), next.Architecture.Sourced(), next.Architecture.Source},
	}
	for _, c := range catalog.Capabilities {
		pf, nf := prev.Capabilities[c], next.Capabilities[c]
		specs = append(specs, spec{"capability." + string(c), string(catalog.TriOf(pf)), string(catalog.TriOf(nf)), pf.Sourced(), nf.Sourced(), nf.Source})
	}
	var out []catalog.Change
	for _, s := range specs {
		if s.old == s.new && s.oldS == s.newS {
			continue
		}
		c := catalog.Change{Kind: catalog.ChangeSpec, Model: next.ID, Field: s.name, Source: s.src}
		if s.oldS {
			c.Old = s.old
		}
		if s.newS {
			c.New = s.new
		}
		out = append(out, c)
	}
	return out
}
