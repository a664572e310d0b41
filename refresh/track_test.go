package refresh

import (
	"context"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

// TestTrackPolicy: patterns with a "/" match canonical ids, others
// creators; an empty include tracks everything; exclude wins.
func TestTrackPolicy(t *testing.T) {
	cases := []struct {
		name    string
		policy  TrackPolicy
		tracked []string
		not     []string
	}{
		{name: "default tracks everything", tracked: []string{"meta/llama-3.2-1b-instruct", "openai/gpt-5.3-codex"}},
		{name: "creator glob", policy: TrackPolicy{Include: []string{"meta", "mistral*"}},
			tracked: []string{"meta/llama-3.2-1b-instruct", "mistralai/mistral-small"}, not: []string{"openai/gpt-5.3-codex"}},
		{name: "id glob, case-insensitive", policy: TrackPolicy{Include: []string{"*/Llama-3*"}},
			tracked: []string{"meta/llama-3.2-1b-instruct"}, not: []string{"meta/llama-4-scout"}},
		{name: "exclude wins", policy: TrackPolicy{Include: []string{"openai"}, Exclude: []string{"*/*-preview"}},
			tracked: []string{"openai/gpt-5.3-codex"}, not: []string{"openai/o1-preview", "qwen/qwen3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, pat := range append(c.policy.Include, c.policy.Exclude...) {
				if err := CheckTrackPattern(pat); err != nil {
					t.Fatal(err)
				}
			}
			for _, id := range c.tracked {
				if !c.policy.Tracks(id) {
					t.Errorf("%s not tracked", id)
				}
			}
			for _, id := range c.not {
				if c.policy.Tracks(id) {
					t.Errorf("%s tracked", id)
				}
			}
		})
	}
	for pat, want := range map[string]string{"a/b/c": `"a/b/c": a pattern is creator or creator/slug`, "[x": `"[x": syntax error`, " ": "empty pattern"} {
		t.Run(pat, func(t *testing.T) {
			if err := CheckTrackPattern(pat); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("CheckTrackPattern(%q): %v; want %q", pat, err, want)
			}
		})
	}
}

// TestTrackedFactsFromThePublishedCatalogue: when nothing read has changed
// and the settings are the last run's, the facts stage is planned from the
// published catalogue (the defining and cross-check pages alone read
// again), and plans exactly what normalising every stored page plans.
func TestTrackedFactsFromThePublishedCatalogue(t *testing.T) {
	st, o, prev := storedDay(t, "2026-04-23")
	o.defaults()
	tr := newTracker(st, o, prev)
	if tr.publishedFacts(nil) == nil {
		t.Fatal("no published catalogue to plan from after a committed run under the same settings")
	}
	fast, err := tr.tracked(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	slow := func() scrapers.Tracked {
		pages := slices.Collect(maps.Values(prev))
		sort.Slice(pages, func(i, j int) bool { return pages[i].URL < pages[j].URL })
		for i := range pages {
			pages[i].Reused = true
		}
		if err := st.LoadObservations(pages); err != nil {
			t.Fatal(err)
		}
		return trackedSet(pages, tr.definers, tr.policy, tr.settings, true, nil)
	}()
	offered, sized := 0, 0
	for _, m := range fast.Models {
		offered += len(m.Offered)
		if m.Parameters > 0 {
			sized++
		}
	}
	if offered == 0 || sized == 0 {
		t.Errorf("a tracked set with %d providers known and %d models sized plans nothing worth comparing", offered, sized)
	}
	if len(fast.Models) == 0 || !reflect.DeepEqual(fast.Models, slow.Models) {
		t.Errorf("planned from the published catalogue:\n%+v\nfrom every page normalised:\n%+v", fast.Models, slow.Models)
	}
	// A page read anew this run: the pages are normalised.
	if tr.publishedFacts([]catalog.Page{{URL: "https://openrouter.ai/api/v1/models"}}) != nil {
		t.Error("a changed page planned from the published catalogue")
	}
}

// TestTrackedFromRows: the ids stage's tracked set planned from the rows
// of the stored defining pages (Store.LoadRows) is the one planned from
// their every observation.
func TestTrackedFromRows(t *testing.T) {
	st, o, stored := storedDay(t, "2026-04-23")
	tr := newTracker(st, o, stored)
	var full, rows []catalog.Page
	for _, p := range stored {
		if tr.definers[p.Source] {
			p.Reused = true
			full, rows = append(full, p), append(rows, p)
		}
	}
	if len(full) == 0 {
		t.Fatal("no stored page of a defining source")
	}
	if err := st.LoadObservations(full); err != nil {
		t.Fatal(err)
	}
	if err := st.LoadRows(rows, catalog.FieldHFRepo); err != nil {
		t.Fatal(err)
	}
	nFull, nRows := 0, 0
	for i := range full {
		nFull, nRows = nFull+len(full[i].Observations), nRows+len(rows[i].Observations)
	}
	if nRows >= nFull {
		t.Errorf("the rows are %d observations of %d", nRows, nFull)
	}
	a := trackedSet(full, tr.definers, o.Track, o.Normalization, false, nil)
	b := trackedSet(rows, tr.definers, o.Track, o.Normalization, false, nil)
	if len(a.Models) == 0 || !reflect.DeepEqual(a.Models, b.Models) {
		t.Fatalf("planned from rows:\n%+v\nfrom every observation:\n%+v", b.Models, a.Models)
	}
	if !slices.ContainsFunc(b.Models, func(m scrapers.TrackedModel) bool { return m.HFRepo != "" }) {
		t.Error("no Hugging Face repository planned from the rows")
	}
}

// storedDay is a store holding a run of the fixture day, the options it
// ran with and the pages it stored.
func storedDay(t *testing.T, day string) (*store.Store, Options, map[string]catalog.Page) {
	t.Helper()
	st := openStore(t)
	o := replayOptions(t, day)
	if _, err := Run(context.Background(), st, o); err != nil {
		t.Fatal(err)
	}
	pages, err := st.Pages()
	if err != nil {
		t.Fatal(err)
	}
	return st, o, pages
}

// TestAhead: what a crawl fetches ahead is the first planned stage's
// configured pages, named by their source, at most scrapers.AheadMax of
// them; the sources that plan nothing (read in the first stage) and a
// later planned stage give none.
func TestAhead(t *testing.T) {
	endpoints := &scrapers.OpenRouterEndpoints{Models: []string{"meta-llama/llama-3.2-1b-instruct"}}
	openai := &scrapers.OpenAI{Models: []string{"gpt-5.3-codex"}}
	fw := &scrapers.Fireworks{}
	ahead := func(selected []scrapers.Source) []scrapers.Request {
		_, a, _ := stages(nil, Options{}, selected, nil, slog.New(slog.DiscardHandler))
		return a
	}
	got := ahead([]scrapers.Source{&scrapers.OpenRouter{}, endpoints, openai, fw})
	var want []scrapers.Request
	for _, s := range []scrapers.Source{endpoints, openai} {
		for _, r := range s.Requests() {
			r.Source = s.Name()
			want = append(want, r)
		}
	}
	if len(want) != 2 || !reflect.DeepEqual(got, want) {
		t.Errorf("ahead %+v; want %+v", got, want)
	}
	if got := ahead([]scrapers.Source{&scrapers.OpenRouter{}}); got != nil {
		t.Errorf("no planned source: ahead %+v", got)
	}
	if got := ahead([]scrapers.Source{&scrapers.OpenRouter{}, fw}); len(got) != 1 || got[0].URL != fw.PricingURL() || got[0].Source != fw.Name() {
		t.Errorf("the facts stage alone: ahead %+v; want its pricing page", got)
	}
	many := &scrapers.OpenAI{}
	for i := range scrapers.AheadMax + 5 {
		many.Models = append(many.Models, "m-"+strconv.Itoa(i))
	}
	if got := ahead([]scrapers.Source{many}); len(got) != scrapers.AheadMax {
		t.Errorf("%d requests ahead; want %d", len(got), scrapers.AheadMax)
	}
}
