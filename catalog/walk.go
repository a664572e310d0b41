package catalog

import (
	"slices"
	"time"
)

// anyFact is what a walk over a record's facts does to each one, whatever
// the type of its value: every *Fact[T] is one.
type anyFact interface {
	stampRetrieved(checked map[string]time.Time)
	markReviewed(at time.Time)
	clearRetrieved()
	seen(fn func(src SourceRef, at time.Time, stale, conflict bool))
}

// eachFact calls fn with every fact of the model, its capabilities
// included. The one list of a model's facts for the walks in this package:
// a field added to Model is added here once.
func (m *Model) eachFact(fn func(anyFact)) {
	for _, f := range []anyFact{&m.Name, &m.Released, &m.ContextWindow, &m.MaxOutput, &m.Parameters,
		&m.Architecture, &m.Licence, &m.KnowledgeCutoff, &m.InputModalities, &m.OutputModality} {
		fn(f)
	}
	eachCapability(m.Capabilities, func(_ Capability, f *Fact[bool]) { fn(f) })
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
	if t, ok := checked[f.Source.URL()]; ok && t.After(f.RetrievedAt.Time()) {
		f.RetrievedAt = StampOf(t)
	}
	var cs []Conflict // copied before the first change: see Fact.notes
	for i, c := range f.Conflicts() {
		if t, ok := checked[c.Source.URL]; ok && t.After(c.RetrievedAt) {
			if cs == nil {
				cs = slices.Clone(f.Conflicts())
			}
			cs[i].RetrievedAt = t
		}
	}
	if cs != nil {
		f.SetConflicts(cs)
	}
}

// markReviewed sets reviewed_at on a sourced fact.
func (f *Fact[T]) markReviewed(at time.Time) {
	if f.Sourced() {
		f.ReviewedAt = StampOf(at)
	}
}

// clearRetrieved drops the fact's retrieved_at and its conflicts', copying
// the conflicts rather than editing a list the fact may share.
func (f *Fact[T]) clearRetrieved() {
	f.RetrievedAt = Stamp{}
	if len(f.Conflicts()) == 0 {
		return
	}
	cs := slices.Clone(f.Conflicts())
	for i := range cs {
		cs[i].RetrievedAt = time.Time{}
	}
	f.SetConflicts(cs)
}

// seen calls fn with the source and retrieval time of a sourced fact and
// of each of its conflicts.
func (f *Fact[T]) seen(fn func(src SourceRef, at time.Time, stale, conflict bool)) {
	if !f.Sourced() {
		return
	}
	fn(f.Source.Ref(), f.RetrievedAt.Time(), f.Stale, false)
	for _, c := range f.Conflicts() {
		fn(c.Source, c.RetrievedAt, f.Stale, true)
	}
}

// eachCapability calls fn with each capability's fact, to change, and puts
// back the facts fn changed. The map is read before it is written (a write
// while ranging over a map may or may not be seen again), and an entry
// that changed is deleted before it is put back: putting a key back into
// a full eight-entry map (as a model's capabilities are) grows it to a
// table twice its size even though the key is there (Go 1.26), which held
// 28 MB of a 16,000-page run's capabilities where 14 MB were needed (and
// AdoptRetrieved, which wrote while ranging, allocated 24 MB of a
// 16,000-page night's build doing so). One fact is lent to fn for all.
func eachCapability(caps map[Capability]Fact[bool], fn func(Capability, *Fact[bool])) {
	if len(caps) == 0 {
		return
	}
	keys := make([]Capability, 0, 16)
	for c := range caps {
		keys = append(keys, c)
	}
	f := new(Fact[bool])
	for _, c := range keys {
		*f = caps[c]
		before := *f
		fn(c, f)
		if *f != before {
			delete(caps, c)
			caps[c] = *f
		}
	}
}
