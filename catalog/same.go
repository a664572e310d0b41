package catalog

import (
	"slices"
)

// A nightly run rebuilds every model and offering, and most come out as
// the published ones but for when their facts were last seen. Keeping the
// published record for those (SameButRetrieved, then AdoptRetrieved) lets
// a run hold one catalogue instead of two: at 8,000 pages the rebuilt
// structs were 116 MB beside the published catalogue's 142.
//
// The comparisons below name every field of the records; TestSameFields
// fails when a field is added that they do not consider.

// SameButRetrieved reports whether m and b hold the same record but for
// retrieval times (their facts' and their conflicts' retrieved_at).
func (m *Model) SameButRetrieved(b *Model) bool {
	if m.ID != b.ID || m.Creator != b.Creator || !slices.Equal(m.Aliases, b.Aliases) ||
		!sameFact(&m.Name, &b.Name, eq) || !sameFact(&m.Released, &b.Released, eq) ||
		!sameFact(&m.ContextWindow, &b.ContextWindow, eq) || !sameFact(&m.MaxOutput, &b.MaxOutput, eq) ||
		!sameFact(&m.Parameters, &b.Parameters, eq) || !sameFact(&m.Architecture, &b.Architecture, eq) ||
		!sameFact(&m.Licence, &b.Licence, eq) || !sameFact(&m.KnowledgeCutoff, &b.KnowledgeCutoff, eq) ||
		!sameFact(&m.InputModalities, &b.InputModalities, slices.Equal) ||
		!sameFact(&m.OutputModality, &b.OutputModality, slices.Equal) ||
		len(m.Capabilities) != len(b.Capabilities) || len(m.Benchmarks) != len(b.Benchmarks) ||
		(m.Capabilities == nil) != (b.Capabilities == nil) || (m.Benchmarks == nil) != (b.Benchmarks == nil) {
		return false
	}
	for c, f := range m.Capabilities {
		g, ok := b.Capabilities[c]
		if !ok || !sameFact(&f, &g, eq) {
			return false
		}
	}
	for i := range m.Benchmarks {
		if !sameFact(&m.Benchmarks[i], &b.Benchmarks[i], eq) {
			return false
		}
	}
	return true
}

// AdoptRetrieved sets m's retrieval times to b's, fact by fact and
// conflict by conflict; m and b must be SameButRetrieved.
func (m *Model) AdoptRetrieved(b *Model) {
	adopt(&m.Name, &b.Name)
	adopt(&m.Released, &b.Released)
	adopt(&m.ContextWindow, &b.ContextWindow)
	adopt(&m.MaxOutput, &b.MaxOutput)
	adopt(&m.Parameters, &b.Parameters)
	adopt(&m.Architecture, &b.Architecture)
	adopt(&m.Licence, &b.Licence)
	adopt(&m.KnowledgeCutoff, &b.KnowledgeCutoff)
	adopt(&m.InputModalities, &b.InputModalities)
	adopt(&m.OutputModality, &b.OutputModality)
	eachCapability(m.Capabilities, func(c Capability, f *Fact[bool]) {
		g := b.Capabilities[c]
		adopt(f, &g)
	})
	for i := range m.Benchmarks {
		adopt(&m.Benchmarks[i], &b.Benchmarks[i])
	}
}

// SameButRetrieved reports whether o and b hold the same record but for
// retrieval times (their facts' and their conflicts' retrieved_at).
func (o *Offering) SameButRetrieved(b *Offering) bool {
	if o.ModelID != b.ModelID || o.Provider != b.Provider || o.ProviderModelID != b.ProviderModelID ||
		o.Region != b.Region || o.Variant != b.Variant ||
		!sameFact(&o.Input, &b.Input, eq) || !sameFact(&o.Output, &b.Output, eq) ||
		!sameFact(&o.CachedInput, &b.CachedInput, eq) || !sameFact(&o.CacheWrite, &b.CacheWrite, eq) ||
		!sameFact(&o.BatchInput, &b.BatchInput, eq) || !sameFact(&o.BatchOutput, &b.BatchOutput, eq) ||
		!sameFact(&o.Context, &b.Context, eq) || !sameFact(&o.MaxOutput, &b.MaxOutput, eq) ||
		len(o.Tiers) != len(b.Tiers) || (o.Tiers == nil) != (b.Tiers == nil) {
		return false
	}
	for i := range o.Tiers {
		t, u := &o.Tiers[i], &b.Tiers[i]
		if t.AboveTokens != u.AboveTokens || !sameFact(&t.Input, &u.Input, eq) || !sameFact(&t.Output, &u.Output, eq) ||
			!sameFact(&t.CachedInput, &u.CachedInput, eq) || !sameFact(&t.CacheWrite, &u.CacheWrite, eq) {
			return false
		}
	}
	return true
}

// AdoptRetrieved sets o's retrieval times to b's, fact by fact and
// conflict by conflict; o and b must be SameButRetrieved.
func (o *Offering) AdoptRetrieved(b *Offering) {
	for _, p := range [][2]*Fact[Price]{{&o.Input, &b.Input}, {&o.Output, &b.Output}, {&o.CachedInput, &b.CachedInput},
		{&o.CacheWrite, &b.CacheWrite}, {&o.BatchInput, &b.BatchInput}, {&o.BatchOutput, &b.BatchOutput}} {
		adopt(p[0], p[1])
	}
	adopt(&o.Context, &b.Context)
	adopt(&o.MaxOutput, &b.MaxOutput)
	for i := range o.Tiers {
		t, u := &o.Tiers[i], &b.Tiers[i]
		adopt(&t.Input, &u.Input)
		adopt(&t.Output, &u.Output)
		adopt(&t.CachedInput, &u.CachedInput)
		adopt(&t.CacheWrite, &u.CacheWrite)
	}
}

func eq[T comparable](a, b T) bool { return a == b }

// sameFact compares two facts but for their retrieval times (stamps are
// instants, written in UTC).
func sameFact[T any](a, b *Fact[T], same func(T, T) bool) bool {
	return same(a.Value, b.Value) && a.Display == b.Display && a.Raw == b.Raw && a.Source == b.Source &&
		a.ChangedAt == b.ChangedAt && a.ReviewedAt == b.ReviewedAt && a.Stale == b.Stale &&
		slices.Equal(a.Flags(), b.Flags()) && (a.Flags() == nil) == (b.Flags() == nil) &&
		(a.Conflicts() == nil) == (b.Conflicts() == nil) &&
		slices.EqualFunc(a.Conflicts(), b.Conflicts(), func(x, y Conflict) bool {
			return x.Display == y.Display && x.Raw == y.Raw && x.Source == y.Source
		})
}

// adopt sets dst's retrieval time and its conflicts' to src's. The
// conflicts are copied, not edited: dst may share its list.
func adopt[T any](dst, src *Fact[T]) {
	dst.RetrievedAt = src.RetrievedAt
	if len(dst.Conflicts()) == 0 {
		return
	}
	cs := slices.Clone(dst.Conflicts())
	for i := range cs {
		cs[i].RetrievedAt = src.Conflicts()[i].RetrievedAt
	}
	dst.SetConflicts(cs)
}
