package catalog

import "time"

// anyFact is what a walk over a record's facts does to each one, whatever
// the type of its value: every *Fact[T] is one.
type anyFact interface {
	stampRetrieved(checked map[string]time.Time)
	markReviewed(at time.Time)
}

// eachFact calls fn with every fact of the model, its capabilities
// included. The one list of a model's facts for the walks in this package:
// a field added to Model is added here once.
func (m *Model) eachFact(fn func(anyFact)) {
	for _, f := range []anyFact{&m.Name, &m.Released, &m.ContextWindow, &m.MaxOutput, &m.Parameters,
		&m.Architecture, &m.Licence, &m.KnowledgeCutoff, &m.InputModalities, &m.OutputModality} {
		fn(f)
	}
	for c, f := range m.Capabilities {
		fn(&f)
		m.Capabilities[c] = f
	}
	for i := range m.Benchmarks {
		fn(&m.Benchmarks[i])
	}
}

// eachFact calls fn with every fact of the offering, its context-length
// tiers' prices included.
func (o *Offering) eachFact(fn func(anyFact)) {
	for _, f := range []anyFact{&o.Input, &o.Output, &o.CachedInput, &o.CacheWrite, &o.BatchInput, &o.BatchOutput,
		&o.Context, &o.MaxOutput} {
		fn(f)
	}
	for i := range o.Tiers {
		t := &o.Tiers[i]
		for _, f := range []anyFact{&t.Input, &t.Output, &t.CachedInput, &t.CacheWrite} {
			fn(f)
		}
	}
}

// stampRetrieved moves the fact's retrieved_at, and its conflicts', to the
// time its source page was last confirmed, when checked knows that page and
// the time is later.
func (f *Fact[T]) stampRetrieved(checked map[string]time.Time) {
	if !f.Sourced() {
		return
	}
	if t, ok := checked[f.Source.URL]; ok && t.After(f.RetrievedAt) {
		f.RetrievedAt = t
	}
	for i := range f.Conflicts {
		c := &f.Conflicts[i]
		if t, ok := checked[c.Source.URL]; ok && t.After(c.RetrievedAt) {
			c.RetrievedAt = t
		}
	}
}

// markReviewed sets reviewed_at on a sourced fact.
func (f *Fact[T]) markReviewed(at time.Time) {
	if f.Sourced() {
		f.ReviewedAt = at
	}
}
