package catalog

import (
	"sort"
	"time"
)

// SourceFreshness says when llmref last saw each source's values in the
// catalogue: one row of the exported freshness.json. A fact's retrieved_at
// is the time its page was last confirmed (fetched, or answered 304), so
// the newest is when a fetch of the source last succeeded for the values
// the catalogue holds, and the oldest is its least recently confirmed
// page's.
type SourceFreshness struct {
	Source string `json:"source"`
	// Pages counts the distinct pages (URLs) the source's values were read from.
	Pages int `json:"pages"`
	// Facts counts the catalogue's facts the source gave; Conflicts its
	// values that lost to a higher-ranked source's; StaleFacts the facts
	// carried over from an earlier run because the source failed since.
	Facts      int `json:"facts"`
	Conflicts  int `json:"conflicts"`
	StaleFacts int `json:"stale_facts"`
	// RetrievedAt and OldestRetrievedAt are the newest and oldest
	// retrieval times of the source's values; nil when it gave none.
	RetrievedAt       *time.Time `json:"retrieved_at"`
	OldestRetrievedAt *time.Time `json:"oldest_retrieved_at"`
}

// Freshness summarises, per source in name order, the retrieval times of
// every fact and conflict of the catalogue. It is a function of the
// catalogue alone, never of the run that published it (how each source
// fared in a run is the run record's, /healthz's and the metrics'): a run
// repeated after a crash publishes the same file as an uninterrupted one.
func (s *Snapshot) Freshness() []SourceFreshness {
	type acc struct {
		row   SourceFreshness
		pages map[string]bool
	}
	by := map[string]*acc{}
	get := func(name string) *acc {
		a := by[name]
		if a == nil {
			a = &acc{row: SourceFreshness{Source: name}, pages: map[string]bool{}}
			by[name] = a
		}
		return a
	}
	note := func(src SourceRef, at time.Time, stale, conflict bool) {
		a := get(src.Name)
		a.pages[src.URL] = true
		switch {
		case conflict:
			a.row.Conflicts++
		case stale:
			a.row.Facts++
			a.row.StaleFacts++
		default:
			a.row.Facts++
		}
		if at.IsZero() {
			return
		}
		at = at.UTC()
		if r := a.row.RetrievedAt; r == nil || at.After(*r) {
			a.row.RetrievedAt = &at
		}
		if o := a.row.OldestRetrievedAt; o == nil || at.Before(*o) {
			a.row.OldestRetrievedAt = &at
		}
	}
	visit := func(f anyFact) { f.seen(note) }
	for _, m := range s.Models {
		m.eachFact(visit)
	}
	for _, o := range s.Offerings {
		o.eachFact(visit)
	}
	out := make([]SourceFreshness, 0, len(by))
	for _, a := range by {
		a.row.Pages = len(a.pages)
		out = append(out, a.row)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}
