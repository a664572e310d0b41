package scrapers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
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

// TestCrawlRobotsGivesUpOnAHangingHost: a host whose robots.txt never
// answers is asked twice in a run, not once per page; its pages fail at
// once after that, each naming robots.txt, and a source on another host
// is read.
func TestCrawlRobotsGivesUpOnAHangingHost(t *testing.T) {
	var robots atomic.Int32
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robots.Add(1)
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(okPage))
	}))
	defer hang.Close()
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(okPage))
	}))
	defer healthy.Close()
	var sources []Source
	for _, name := range []string{"a", "b", "c", "d", "e", "f"} {
		sources = append(sources, tableAt(t, name, hang.URL+"/"+name, "tr"))
	}
	sources = append(sources, tableAt(t, "healthy", healthy.URL+"/ok", "tr"))
	start := time.Now()
	out, err := Crawl(context.Background(), Options{Parallelism: 1, Timeout: 300 * time.Millisecond, MaxRetries: NoRetries}, sources, nil)
	if err != nil {
		t.Fatal(err) // the sources' failures are in their stats
	}
	if n := robots.Load(); n != robotsGiveUp {
		t.Errorf("robots.txt of the hanging host asked %d times for 6 pages; want %d", n, robotsGiveUp)
	}
	for _, name := range []string{"a", "b", "c", "d", "e", "f"} {
		st := statsOf(out, name)
		if st.Status != catalog.SourceFailed || len(st.Errors) == 0 || !strings.Contains(st.Errors[0], "robots.txt") {
			t.Errorf("%s: %s %q; want failed, naming robots.txt", name, st.Status, st.Errors)
		}
	}
	if st := statsOf(out, "healthy"); st.Status != catalog.SourceOK {
		t.Errorf("healthy: %s %q", st.Status, st.Errors)
	}
	t.Logf("6 pages on a hanging host and 1 healthy page in %v", time.Since(start).Round(time.Millisecond))
}
