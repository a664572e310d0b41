package refresh

import (
	"slices"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/normalize"
	"github.com/llmref/llmref/store"
)

// obsLoader gives the normalisation the stored observations of a run's
// reused pages as it reads them, a chunk of pages at a time, instead of
// every reused page's before it starts: a night on which a few prices
// moved held every page's observations at once beside two catalogues (the
// published and the new), 364 MB at 8,000 pages (bench/README.md, ninth
// session). The pages themselves are not written: the commit's encoding
// reads them meanwhile (store.PrepareEach).
type obsLoader struct {
	st     *store.Store
	pages  []catalog.Page
	window map[int][]catalog.Observation // loaded, not yet read
	err    error                         // the first load that failed
}

// obsLoadChunk is how many reused pages are loaded at once (in parallel,
// see store.LoadObservations).
var obsLoadChunk = 512 // a variable for tests

func newObsLoader(st *store.Store, pages []catalog.Page) *obsLoader {
	return &obsLoader{st: st, pages: pages, window: map[int][]catalog.Observation{}}
}

// stored reports whether page p's observations are in the store only.
func stored(p *catalog.Page) bool { return p.Reused && !p.HoldsObservations() && p.Count > 0 }

// links are the pages' Hugging Face links (normalize.Input.Links), the
// stored pages' read from their hf_repo observations alone; nil when no
// page is stored (a first run), for Normalize to read them from the pages.
func (l *obsLoader) links(s normalize.Settings) (map[string]string, error) {
	if !slices.ContainsFunc(l.pages, func(p catalog.Page) bool { return stored(&p) }) {
		return nil, nil // every page's observations are its own
	}
	view := append([]catalog.Page(nil), l.pages...)
	if err := l.st.LoadFields(view, catalog.FieldHFRepo); err != nil {
		return nil, err
	}
	return normalize.HFLinks(view, s), nil
}

// observations is page i's observations (normalize.Input.Observations):
// its own, or its stored ones, loaded with the next chunk of stored pages
// when they are not yet. After a failed load it gives nothing; the run
// checks failed.
func (l *obsLoader) observations(i int) []catalog.Observation {
	p := &l.pages[i]
	if !stored(p) {
		return p.Observations
	}
	if obs, ok := l.window[i]; ok {
		delete(l.window, i)
		return obs
	}
	if l.err != nil {
		return nil
	}
	var at []int
	var chunk []catalog.Page
	for j := i; j < len(l.pages) && len(at) < obsLoadChunk; j++ {
		if stored(&l.pages[j]) {
			at = append(at, j)
			chunk = append(chunk, l.pages[j])
		}
	}
	if err := l.st.LoadObservations(chunk); err != nil {
		l.err = err
		return nil
	}
	for k, j := range at {
		l.window[j] = chunk[k].Observations
	}
	obs := l.window[i]
	delete(l.window, i)
	return obs
}

// failed is the first load that failed, if any.
func (l *obsLoader) failed() error { return l.err }
