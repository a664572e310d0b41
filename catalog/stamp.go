package catalog

import "time"

// StampRetrieved sets every fact's retrieved_at (and its conflicts') to the
// time its source page was last confirmed, where checked knows that page:
// "the last time a scraper saw it". A page confirmed unchanged (a 304, the
// same content) moves the date of every fact read from it without the fact
// being read again; a page that failed keeps its last confirmation, so its
// facts keep theirs.
func (s *Snapshot) StampRetrieved(checked map[string]time.Time) {
	if len(checked) == 0 {
		return
	}
	for _, m := range s.Models {
		stamp(&m.Name, checked)
		stamp(&m.Released, checked)
		stamp(&m.ContextWindow, checked)
		stamp(&m.MaxOutput, checked)
		stamp(&m.Parameters, checked)
		stamp(&m.Architecture, checked)
		stamp(&m.Licence, checked)
		stamp(&m.KnowledgeCutoff, checked)
		stamp(&m.InputModalities, checked)
		stamp(&m.OutputModality, checked)
		for c, f := range m.Capabilities {
			stamp(&f, checked)
			m.Capabilities[c] = f
		}
	}
	for _, o := range s.Offerings {
		for _, f := range []*Fact[Price]{&o.Input, &o.Output, &o.CachedInput, &o.CacheWrite, &o.BatchInput, &o.BatchOutput} {
			stamp(f, checked)
		}
		stamp(&o.Context, checked)
		stamp(&o.MaxOutput, checked)
		for i := range o.Tiers {
			t := &o.Tiers[i]
			for _, f := range []*Fact[Price]{&t.Input, &t.Output, &t.CachedInput, &t.CacheWrite} {
				stamp(f, checked)
			}
		}
	}
}

func stamp[T any](f *Fact[T], checked map[string]time.Time) {
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
