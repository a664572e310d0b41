package scrapers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/llmref/llmref/catalog"
)

// sharedServer serves okPage at /prices with an ETag, answering 304 to a
// request that sends it back, and counts the conditional requests.
func sharedServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var conditional atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(okPage))
	}))
	t.Cleanup(srv.Close)
	return srv, &conditional
}

// TestCrawlSharedURLOtherSourcesPage: a page stored by one source and now
// asked for by another, the first not crawled (--source, or a source
// renamed), is not the second's record: it is fetched whole (no
// validators of another source's reading, so no 304 to reuse it) and
// parsed by the source that asked.
func TestCrawlSharedURLOtherSourcesPage(t *testing.T) {
	srv, conditional := sharedServer(t)
	url := srv.URL + "/prices"
	o := Options{IgnoreRobots: true}
	first, err := Crawl(context.Background(), o, []Source{tableAt(t, "first", url, "tr")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	prev := pagesByURL(first.Pages)
	if prev[url].ETag != `"v1"` {
		t.Fatalf("stored page %+v", prev[url])
	}
	out, err := Crawl(context.Background(), o, []Source{tableAt(t, "second", url, "tr")}, prev)
	if err != nil {
		t.Fatal(err)
	}
	if n := conditional.Load(); n != 0 {
		t.Errorf("%d conditional requests with another source's validators", n)
	}
	p := pagesByURL(out.Pages)[url]
	if p.Source != "second" || p.Reused || len(p.Observations) != 4 {
		t.Errorf("page: source %q, reused %v, %d observations; want second's own reading, 4", p.Source, p.Reused, len(p.Observations))
	}
	if st := statsOf(out, "second"); st.Status != catalog.SourceOK || st.Observations != 4 {
		t.Errorf("second: %s, %d observations %q", st.Status, st.Observations, st.Errors)
	}
}

// derivedTable is a table whose every page counts as derived from the
// tracked set (see Derived).
type derivedTable struct{ *Table }

func (derivedTable) Derived(string) bool { return true }

// TestCrawlSharedURLInOneRun: two sources of one crawl asking for one URL
// (a custom table pointed at a built-in source's page, or a tracked
// page) get one fetch; the first that asked reads it, and the other is
// told so: failed, naming both, when the page is one it is configured
// to read; warned when the page was derived for it. No source is left
// silently with nothing read.
func TestCrawlSharedURLInOneRun(t *testing.T) {
	for _, tc := range []struct {
		name    string
		second  func(t *testing.T, url string) Source
		status  catalog.SourceStatus
		errors  int
		warning bool
	}{
		{"configured", func(t *testing.T, url string) Source { return tableAt(t, "second", url, "tr") }, catalog.SourceFailed, 1, false},
		{"derived", func(t *testing.T, url string) Source { return derivedTable{tableAt(t, "second", url, "tr")} }, catalog.SourceSkipped, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.Header().Set("Content-Type", "text/html")
				w.Write([]byte(okPage))
			}))
			defer srv.Close()
			url := srv.URL + "/prices"
			out, err := Crawl(context.Background(), Options{IgnoreRobots: true}, []Source{tableAt(t, "first", url, "tr"), tc.second(t, url)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if n := hits.Load(); n != 1 {
				t.Errorf("%d requests for one URL; want 1", n)
			}
			if st := statsOf(out, "first"); st.Status != catalog.SourceOK || st.Observations != 4 {
				t.Errorf("first: %s, %d observations %q; want ok, 4", st.Status, st.Observations, st.Errors)
			}
			st := statsOf(out, "second")
			if st.Status != tc.status || len(st.Errors) != tc.errors {
				t.Fatalf("second: %s %q; want %s with %d errors", st.Status, st.Errors, tc.status, tc.errors)
			}
			said := append(append([]string(nil), st.Errors...), st.Warnings...)
			if len(said) != 1 || !strings.HasPrefix(said[0], url+": source \"first\" reads this page in this run") {
				t.Errorf("second says %q; want the page and the source reading it named", said)
			}
			if p := pagesByURL(out.Pages)[url]; p.Source != "first" {
				t.Errorf("the page is %q's; want first's", p.Source)
			}
		})
	}
}
