package scrapers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// TestCrawlRobotsOncePerHost: three sources on one host start at once;
// robots.txt (slow to answer, so that every worker of the host asks
// while the first fetch is in flight) is fetched once for the run, and
// still obeyed by every source.
func TestCrawlRobotsOncePerHost(t *testing.T) {
	var robots, pages atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robots.Add(1)
			time.Sleep(200 * time.Millisecond)
			w.Write([]byte("User-agent: *\nDisallow: /private\n"))
			return
		}
		pages.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(okPage))
	}))
	defer srv.Close()
	sources := []Source{
		tableAt(t, "one", srv.URL+"/one", "tr"),
		tableAt(t, "two", srv.URL+"/two", "tr"),
		tableAt(t, "three", srv.URL+"/private/three", "tr"),
	}
	out, err := Crawl(context.Background(), Options{Parallelism: 3}, sources, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := robots.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times for one host in one run; want once", n)
	}
	if n := pages.Load(); n != 2 {
		t.Errorf("%d pages fetched; want 2 (the third is disallowed)", n)
	}
	for _, name := range []string{"one", "two"} {
		if st := statsOf(out, name); st.Status != catalog.SourceOK {
			t.Errorf("%s: %s %q", name, st.Status, st.Errors)
		}
	}
	if st := statsOf(out, "three"); st.RobotsDenied != 1 {
		t.Errorf("three: %d robots denials; want 1", st.RobotsDenied)
	}

	// A second run asks again: the once is per run.
	if _, err := Crawl(context.Background(), Options{Parallelism: 3}, sources[:1], nil); err != nil {
		t.Fatal(err)
	}
	if n := robots.Load(); n != 2 {
		t.Errorf("robots.txt fetched %d times in two runs; want 2", n)
	}
}
