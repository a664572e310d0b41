// Package changes compares a run's new catalogue with the published one and
// reports what changed.
package changes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/llmref/llmref/catalog"
)

// Diff lists what differs between the published snapshot prev and a run's
// new snapshot next: prices (old → new, absolute and percentage), offerings
// added and removed, models added and removed, spec facts changed (model
// facts and capabilities, an offering's context and max output), conflicts
// that appeared and unmatched ids that appeared. Changes come in a stable
// order: by model, provider, kind and field.
func Diff(prev, next *catalog.Snapshot) []catalog.Change {
	if prev == nil {
		prev = catalog.NewSnapshot()
	}
	var out []catalog.Change
	diffSorted(sortSnapshot(prev), sortSnapshot(next), func(c catalog.Change) { out = append(out, c) })
	sortChanges(out, func(c *catalog.Change) *catalog.Change { return c })
	return out
}

// sorted is a snapshot with its model ids and offering keys in order,
// sorted once: a review walks them several times, and sorting every
// offering key each time was a third of its time.
type sorted struct {
	*catalog.Snapshot
	ids, keys []string
}

func sortSnapshot(s *catalog.Snapshot) sorted {
	return sorted{Snapshot: s, ids: s.ModelIDs(), keys: s.OfferingKeys()}
}

// diffCount is how many changes diffSorted gives at least, and all of
// them in a first run: every model and offering, and the unmatched ids.
func diffCount(prev, next sorted) int {
	n := max(len(next.ids)-len(prev.ids), 0) + max(len(next.keys)-len(prev.keys), 0) + 16
	if next.Snapshot != nil {
		n += len(next.Unmatched)
	}
	return n
}

// diffSorted gives add the changes from prev to next (see Diff), in no
// particular order: sortChanges puts them in Diff's. The caller keeps them
// as it will, so that a review builds its report's records once instead
// of a list of changes and then the report (at 16,000 pages, ~76,000
// changes: 17 MB that was live beside the report's 23 at the review's
// end, the peak of a first refresh).
func diffSorted(prev, next sorted, add func(catalog.Change)) {
	for _, c := range unmatchedChanges(prev.Snapshot, next.Snapshot) {
		add(c)
	}
	addAll := func(cs []catalog.Change) {
		for _, c := range cs {
			add(c)
		}
	}
	for _, id := range next.ids {
		m := next.Models[id]
		p, ok := prev.Models[id]
		if !ok {
			add(catalog.Change{Kind: catalog.ChangeModelAdded, Model: id, New: m.DisplayName(), Source: m.Name.Source})
			continue
		}
		addAll(specChanges(p, m))
		if modelHasConflicts(m) {
			addAll(conflictChanges(m.ID, nil, modelFacts(p), modelFacts(m)))
		}
	}
	for _, id := range prev.ids {
		if _, ok := next.Models[id]; !ok {
			add(catalog.Change{Kind: catalog.ChangeModelRemoved, Model: id, Old: prev.Models[id].DisplayName(), Source: prev.Models[id].Name.Source})
		}
	}
	for _, k := range next.keys {
		o := next.Offerings[k]
		p, ok := prev.Offerings[k]
		if !ok {
			add(offeringChange(catalog.ChangeOfferingAdded, o, priceSummary(o)))
			continue
		}
		addAll(priceChanges(p, o))
		addAll(offeringSpecChanges(p, o))
		if offeringHasConflicts(o) {
			addAll(conflictChanges(o.ModelID, o, offeringFacts(p), offeringFacts(o)))
		}
	}
	for _, k := range prev.keys {
		if _, ok := next.Offerings[k]; !ok {
			p := prev.Offerings[k]
			c := offeringChange(catalog.ChangeOfferingRemoved, p, "")
			c.Old = priceSummary(p)
			add(c)
		}
	}
}

// sortChanges puts the changes of s (change gives each one's) in Diff's
// order, by model, provider, kind and field, keeping the order diffSorted
// gave them in among equals. It sorts their indices, then moves each record
// once, in place: the records are a report's (~300 bytes each), which a
// sort would otherwise move some log n times.
func sortChanges[T any](s []T, change func(*T) *catalog.Change) {
	perm := make([]int, len(s))
	for i := range perm {
		perm[i] = i
	}
	slices.SortStableFunc(perm, func(i, j int) int {
		a, b := change(&s[i]), change(&s[j])
		if c := strings.Compare(a.Model, b.Model); c != 0 {
			return c
		}
		if c := strings.Compare(a.Provider, b.Provider); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		return strings.Compare(a.Field, b.Field)
	})
	permute(s, perm)
}

// permute rearranges s in place so that s[k] becomes what s[perm[k]] was,
// following each cycle of perm once; perm is spent (every perm[k] = k).
func permute[T any](s []T, perm []int) {
	for i := range s {
		if perm[i] == i {
			continue
		}
		held := s[i]
		j := i
		for {
			k := perm[j]
			perm[j] = j
			if k == i {
				s[j] = held
				break
			}
			s[j] = s[k]
			j = k
		}
	}
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

// priceSummary is an offering's prices as text output writes money:
// "$0.027 / 1M tokens in / $0.20 / 1M tokens out".
func priceSummary(o *catalog.Offering) string {
	return priceFact(o.Input) + " in / " + priceFact(o.Output) + " out"
}

func priceFact(f catalog.Fact[catalog.Price]) string {
	if !f.Sourced() {
		return catalog.NotYetSourced
	}
	return f.Value.Text()
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
		src        catalog.Source
		oldSrc     catalog.Source
	}
	specs := []spec{
		{"released", prev.Released.String(), next.Released.String(), prev.Released.Sourced(), next.Released.Sourced(), next.Released.Source, prev.Released.Source},
		{"context_window", prev.ContextWindow.String(), next.ContextWindow.String(), prev.ContextWindow.Sourced(), next.ContextWindow.Sourced(), next.ContextWindow.Source, prev.ContextWindow.Source},
		{"max_output", prev.MaxOutput.String(), next.MaxOutput.String(), prev.MaxOutput.Sourced(), next.MaxOutput.Sourced(), next.MaxOutput.Source, prev.MaxOutput.Source},
		{"parameters", prev.Parameters.String(), next.Parameters.String(), prev.Parameters.Sourced(), next.Parameters.Sourced(), next.Parameters.Source, prev.Parameters.Source},
		{"licence", prev.Licence.String(), next.Licence.String(), prev.Licence.Sourced(), next.Licence.Sourced(), next.Licence.Source, prev.Licence.Source},
		{"knowledge_cutoff", prev.KnowledgeCutoff.String(), next.KnowledgeCutoff.String(), prev.KnowledgeCutoff.Sourced(), next.KnowledgeCutoff.Sourced(), next.KnowledgeCutoff.Source, prev.KnowledgeCutoff.Source},
		{"architecture", prev.Architecture.String(), next.Architecture.String(), prev.Architecture.Sourced(), next.Architecture.Sourced(), next.Architecture.Source, prev.Architecture.Source},
		{"input_modalities", prev.InputModalities.String(), next.InputModalities.String(), prev.InputModalities.Sourced(), next.InputModalities.Sourced(), next.InputModalities.Source, prev.InputModalities.Source},
		{"output_modalities", prev.OutputModality.String(), next.OutputModality.String(), prev.OutputModality.Sourced(), next.OutputModality.Sourced(), next.OutputModality.Source, prev.OutputModality.Source},
	}
	for i, c := range catalog.Capabilities {
		pf, nf := prev.Capabilities[c], next.Capabilities[c]
		specs = append(specs, spec{capabilityFields[i], string(catalog.TriOf(pf)), string(catalog.TriOf(nf)), pf.Sourced(), nf.Sourced(), nf.Source, pf.Source})
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
		} else {
			c.Source = s.oldSrc
		}
		out = append(out, c)
	}
	return append(out, benchmarkChanges(prev, next)...) // benchmarks.go
}

// offeringSpecChanges reports an offering's context and max output changing.
func offeringSpecChanges(prev, next *catalog.Offering) []catalog.Change {
	var out []catalog.Change
	for _, s := range []struct {
		name     string
		old, new catalog.Fact[catalog.Tokens]
	}{{"context", prev.Context, next.Context}, {"max_output", prev.MaxOutput, next.MaxOutput}} {
		if s.old.Sourced() == s.new.Sourced() && (!s.old.Sourced() || s.old.Value.N == s.new.Value.N) {
			continue
		}
		c := catalog.Change{Kind: catalog.ChangeSpec, Model: next.ModelID, Provider: next.Provider, Region: next.Region,
			Variant: next.Variant, Field: s.name, Source: s.new.Source}
		if s.old.Sourced() {
			c.Old = s.old.String()
		}
		if s.new.Sourced() {
			c.New = s.new.String()
		} else {
			c.Source = s.old.Source
		}
		out = append(out, c)
	}
	return out
}

// factInfo is what the diff needs of any fact, whatever its value type.
type factInfo struct {
	field     string
	display   string
	source    catalog.SourceRef
	conflicts []catalog.Conflict
}

func info[T any](field string, f catalog.Fact[T]) factInfo {
	return factInfo{field: field, display: f.String(), source: f.Source.Ref(), conflicts: f.Conflicts()}
}

func modelFacts(m *catalog.Model) []factInfo {
	out := make([]factInfo, 0, 10+len(catalog.Capabilities))
	out = append(out,
		info("name", m.Name), info("released", m.Released), info("context_window", m.ContextWindow),
		info("max_output", m.MaxOutput), info("parameters", m.Parameters), info("architecture", m.Architecture),
		info("licence", m.Licence), info("knowledge_cutoff", m.KnowledgeCutoff),
		info("input_modalities", m.InputModalities), info("output_modalities", m.OutputModality),
	)
	for i, c := range catalog.Capabilities {
		out = append(out, info(capabilityFields[i], m.Capabilities[c]))
	}
	for _, f := range m.Benchmarks {
		out = append(out, info(benchmarkField(f), f)) // benchmarks.go
	}
	return out
}

func offeringFacts(o *catalog.Offering) []factInfo {
	out := make([]factInfo, 0, len(catalog.PriceFieldNames)+2)
	for _, n := range catalog.PriceFieldNames {
		out = append(out, info(n, *o.PriceField(n)))
	}
	return append(out, info("context", o.Context), info("max_output", o.MaxOutput))
}

// conflictChanges reports conflicts (a disagreeing source's value kept for
// review) present in next and not in prev. o is nil for model facts.
func conflictChanges(model string, o *catalog.Offering, prev, next []factInfo) []catalog.Change {
	var out []catalog.Change
	before := make(map[string]factInfo, len(prev))
	for _, pf := range prev {
		before[pf.field] = pf
	}
	for _, nf := range next {
		if len(nf.conflicts) == 0 {
			continue
		}
		seen := map[string]bool{}
		for _, c := range before[nf.field].conflicts {
			seen[c.Source.Name+"\x00"+c.Display] = true
		}
		for _, c := range nf.conflicts {
			if seen[c.Source.Name+"\x00"+c.Display] {
				continue
			}
			ch := catalog.Change{Kind: catalog.ChangeConflict, Model: model, Field: nf.field, Old: nf.display, New: c.Display, Source: catalog.SourceOf(c.Source),
				Detail: c.Source.Name + " says " + c.Display + "; kept " + nf.display + " from " + nf.source.Name}
			if o != nil {
				ch.Provider, ch.Region, ch.Variant = o.Provider, o.Region, o.Variant
			}
			out = append(out, ch)
		}
	}
	return out
}

// unmatchedChanges reports source ids that resolve to no model and were not
// reported before.
func unmatchedChanges(prev, next *catalog.Snapshot) []catalog.Change {
	seen := map[string]bool{}
	for _, u := range prev.Unmatched {
		seen[u.Source+"\x00"+u.ID] = true
	}
	var out []catalog.Change
	for _, u := range next.Unmatched {
		if seen[u.Source+"\x00"+u.ID] {
			continue
		}
		out = append(out, catalog.Change{Kind: catalog.ChangeUnmatched, Provider: u.Provider, New: u.ID,
			Source: catalog.SourceOf(catalog.SourceRef{Name: u.Source, URL: u.URL}), Detail: u.Reason})
	}
	return out
}

// Stale lists the sources that failed in the run: their facts in next were
// carried over from an earlier run, stale. Each change says how many facts
// and offerings were kept and why the source failed.
func Stale(run catalog.Run, next *catalog.Snapshot) []catalog.Change {
	if next == nil {
		return stale(run, sorted{})
	}
	return stale(run, sortSnapshot(next))
}

func stale(run catalog.Run, next sorted) []catalog.Change {
	var out []catalog.Change
	for _, s := range run.FailedSources() {
		facts, offers := 0, 0
		url := ""
		count := func(fs []factInfo, stale []bool) bool {
			found := false
			for i, f := range fs {
				if f.source.Name == s.Source && stale[i] {
					facts++
					found = true
					if url == "" {
						url = f.source.URL
					}
				}
			}
			return found
		}
		if next.Snapshot != nil {
			for _, id := range next.ids {
				m := next.Models[id]
				count(modelFacts(m), modelStale(m))
			}
			for _, k := range next.keys {
				o := next.Offerings[k]
				if count(offeringFacts(o), offeringStale(o)) {
					offers++
				}
			}
		}
		why := "failed"
		if len(s.Errors) > 0 {
			why = s.Errors[0]
		}
		out = append(out, catalog.Change{Kind: catalog.ChangeSourceStale, Source: catalog.SourceOf(catalog.SourceRef{Name: s.Source, URL: url}),
			New:    plural(facts, "fact") + " kept stale",
			Detail: fmt.Sprintf("%s (%s) carried over from earlier runs; %s", plural(facts, "fact"), plural(offers, "offering"), why)})
	}
	return out
}

func modelStale(m *catalog.Model) []bool {
	out := []bool{m.Name.Stale, m.Released.Stale, m.ContextWindow.Stale, m.MaxOutput.Stale, m.Parameters.Stale,
		m.Architecture.Stale, m.Licence.Stale, m.KnowledgeCutoff.Stale, m.InputModalities.Stale, m.OutputModality.Stale}
	for _, c := range catalog.Capabilities {
		out = append(out, m.Capabilities[c].Stale)
	}
	for _, f := range m.Benchmarks {
		out = append(out, f.Stale)
	}
	return out
}

func offeringStale(o *catalog.Offering) []bool {
	var out []bool
	for _, n := range catalog.PriceFieldNames {
		out = append(out, o.PriceField(n).Stale)
	}
	return append(out, o.Context.Stale, o.MaxOutput.Stale)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// capabilityFields are the change fields of catalog.Capabilities, in order
// ("capability.reasoning").
var capabilityFields = func() []string {
	out := make([]string, len(catalog.Capabilities))
	for i, c := range catalog.Capabilities {
		out[i] = "capability." + string(c)
	}
	return out
}()

// modelHasConflicts reports whether any fact of m has a conflict: only
// then can the model have a conflict change.
func modelHasConflicts(m *catalog.Model) bool {
	if len(m.Name.Conflicts())+len(m.Released.Conflicts())+len(m.ContextWindow.Conflicts())+len(m.MaxOutput.Conflicts())+
		len(m.Parameters.Conflicts())+len(m.Architecture.Conflicts())+len(m.Licence.Conflicts())+len(m.KnowledgeCutoff.Conflicts())+
		len(m.InputModalities.Conflicts())+len(m.OutputModality.Conflicts()) > 0 {
		return true
	}
	for _, f := range m.Capabilities {
		if len(f.Conflicts()) > 0 {
			return true
		}
	}
	for _, f := range m.Benchmarks {
		if len(f.Conflicts()) > 0 {
			return true
		}
	}
	return false
}

func offeringHasConflicts(o *catalog.Offering) bool {
	for _, n := range catalog.PriceFieldNames {
		if len(o.PriceField(n).Conflicts()) > 0 {
			return true
		}
	}
	return len(o.Context.Conflicts()) > 0 || len(o.MaxOutput.Conflicts()) > 0
}
