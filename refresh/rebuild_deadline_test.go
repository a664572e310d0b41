package refresh

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/hostilepage"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

// serveAt answers one URL with an HTML body and hands every other
// request to next.
type serveAt struct {
	url, body string
	next      http.RoundTripper
}

func (s serveAt) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.String() != s.url {
		return s.next.RoundTrip(r)
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
		Body: io.NopCloser(strings.NewReader(s.body)), ContentLength: int64(len(s.body)), Request: r}, nil
}

// deepSource is the declarative table "deep" at url, its rows found by
// rows.
func deepSource(t *testing.T, url, rows string) scrapers.Source {
	t.Helper()
	tbl, err := scrapers.NewTable(scrapers.TableSpec{Name: "deep", URL: url, Provider: "deep", Unit: catalog.PerMillion, Rows: rows,
		Columns: map[string]scrapers.TableColumn{scrapers.ColModelID: {Attr: "data-id"}, scrapers.ColInput: {Selector: "td"}}})
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// deepURL is the address of the deep table.
const deepURL = "https://deep.example/pricing"

// storeDeepPage returns a database in which a refresh of the fixture day
// stored the deep table, read by the cheap selector "tr", beside the
// day's sources.
func storeDeepPage(t *testing.T) *store.Store {
	t.Helper()
	st := openStore(t)
	o := replayOptions(t, "2026-04-23")
	o.Fetch.Transport = serveAt{url: deepURL, body: hostilepage.DeepTable(500, 5000), next: o.Fetch.Transport}
	o.Sources = append(o.Sources, deepSource(t, deepURL, "tr"))
	if _, err := Run(context.Background(), st, o); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestRebuildSourceDeadline: a rebuild re-reads stored pages under the same
// per-source deadline as a crawl. A table whose selector has become costly
// on its stored (deep) page fails its own source at fetch.source_timeout,
// named, its page kept stale with its stored observations; every other
// source is re-read and the run commits, partial.
func TestRebuildSourceDeadline(t *testing.T) {
	st := storeDeepPage(t)
	before, err := st.Pages()
	if err != nil {
		t.Fatal(err)
	}
	if p := before[deepURL]; p.Count != 10000 || p.BodySHA256 == "" {
		t.Fatalf("the deep page was stored with %d observations, body %q", p.Count, p.BodySHA256)
	}

	// Today's parser for "deep": the costly selector.
	o := replayOptions(t, "2026-04-23")
	o.Fetch.Transport = downTransport{} // a rebuild must not fetch
	o.Fetch.SourceTimeout = time.Second
	o.Sources = append(o.Sources, deepSource(t, deepURL, "section div td"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := Rebuild(ctx, st, o)
	if !errors.Is(err, ErrPartial) || res == nil {
		t.Fatalf("rebuild: %v; want a partial run", err)
	}
	if res.Run.Status != catalog.RunPartial {
		t.Errorf("run %s; want partial", res.Run.Status)
	}
	for _, s := range res.Run.Sources {
		t.Run(s.Source, func(t *testing.T) {
			switch {
			case s.Source == "deep":
				want := deepURL + ": deadline exceeded (fetch.source_timeout 1s) while parsing table page"
				if s.Status != catalog.SourceFailed || len(s.Errors) != 1 || s.Errors[0] != want {
					t.Errorf("%s %q; want failed: %q", s.Status, s.Errors, want)
				}
			case s.Status != catalog.SourceReparsed || len(s.Errors) > 0:
				t.Errorf("%s %q beside the late source; want reparsed", s.Status, s.Errors)
			}
		})
	}
	after, err := st.Pages()
	if err != nil {
		t.Fatal(err)
	}
	if p := after[deepURL]; !p.Stale || p.Count != 10000 || p.FetchedAt != before[deepURL].FetchedAt {
		t.Errorf("the late page: stale %v, %d observations, fetched %v; want stale with its stored 10000, fetched %v",
			p.Stale, p.Count, p.FetchedAt, before[deepURL].FetchedAt)
	}
	snap, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Models) == 0 || len(snap.Offerings) == 0 {
		t.Errorf("the rebuild committed %d models, %d offerings", len(snap.Models), len(snap.Offerings))
	}
}

// TestRebuildStopsWithTheRun: once the run's own context ends (its
// run_timeout, a signal) during a costly re-parse (or before it, on a
// loaded machine), the rebuild stops at once and commits nothing.
func TestRebuildStopsWithTheRun(t *testing.T) {
	st := storeDeepPage(t)
	last, err := st.LastRun()
	if err != nil {
		t.Fatal(err)
	}
	o := replayOptions(t, "2026-04-23")
	o.Fetch.Transport = downTransport{}
	o.Sources = append(o.Sources, deepSource(t, deepURL, "section div td"))
	ctx, cancel := context.WithCancel(context.Background()) // no deadline: no source deadline either
	defer cancel()
	time.AfterFunc(300*time.Millisecond, cancel) // as SIGTERM does
	res, err := Rebuild(ctx, st, o)
	if res != nil || !errors.Is(err, context.Canceled) || !regexp.MustCompile(`^rebuild: stopped while re-reading [a-z-]+, nothing committed: context canceled$`).MatchString(err.Error()) {
		t.Fatalf("rebuild: %+v, %v; want stopped, nothing committed", res, err)
	}
	if now, err := st.LastRun(); err != nil || now.ID != last.ID {
		t.Errorf("last run %d (%v); want %d: nothing committed", now.ID, err, last.ID)
	}
}
