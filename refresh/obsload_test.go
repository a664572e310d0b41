package refresh

import (
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/normalize"
)

// TestObsLoaderNormalisesAsLoaded: normalising stored pages whose
// observations are loaded as they are read, a chunk at a time, with their
// Hugging Face links read first, gives the snapshot normalising them
// loaded whole gives; a page whose observations are missing fails the
// loader.
func TestObsLoaderNormalisesAsLoaded(t *testing.T) {
	st, o, stored := storedDay(t, "2026-04-23")
	var pages []catalog.Page
	for _, p := range stored {
		p.Reused = true
		pages = append(pages, p)
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].URL < pages[j].URL })
	now := time.Date(2026, 4, 24, 2, 0, 0, 0, time.UTC)

	whole := append([]catalog.Page(nil), pages...)
	if err := st.LoadObservations(whole); err != nil {
		t.Fatal(err)
	}
	want := normalize.Normalize(normalize.Input{Pages: whole, Settings: o.Normalization, Now: now})

	defer func(n int) { obsLoadChunk = n }(obsLoadChunk)
	obsLoadChunk = 2
	l := newObsLoader(st, pages)
	links, err := l.links(o.Normalization)
	if err != nil {
		t.Fatal(err)
	}
	got := normalize.Normalize(normalize.Input{Pages: pages, Settings: o.Normalization, Now: now, Observations: l.observations, Links: links})
	if err := l.failed(); err != nil {
		t.Fatal(err)
	}
	if len(want.Snapshot.Models) == 0 || !reflect.DeepEqual(got.Snapshot, want.Snapshot) || !reflect.DeepEqual(got.Warnings, want.Warnings) {
		t.Fatalf("normalised as loaded: %d models, %d offerings; loaded whole: %d, %d", len(got.Snapshot.Models), len(got.Snapshot.Offerings), len(want.Snapshot.Models), len(want.Snapshot.Offerings))
	}
	for i := range pages {
		if len(pages[i].Observations) != 0 {
			t.Fatalf("page %s was written: %d observations", pages[i].URL, len(pages[i].Observations))
		}
	}
	if len(l.window) != 0 {
		t.Errorf("%d pages' observations loaded and never read", len(l.window))
	}

	missing := []catalog.Page{{Source: "openai", URL: "https://developers.openai.com/api/docs/models/none", Reused: true, Count: 3}}
	l = newObsLoader(st, missing)
	if obs := l.observations(0); obs != nil || l.failed() == nil {
		t.Fatalf("a page with no stored observations: %v, error %v", obs, l.failed())
	}
}
