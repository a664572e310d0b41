package scrapers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

// TestCrawlRobotsServerError: a robots.txt that answers a server error (or
// 429) keeps the host's pages from being fetched, as RFC 9309 asks, but
// is asked again (by the page's retry, or the next page) rather than kept
// for the run: a blip costs nothing, and a host whose robots.txt keeps
// failing is asked twice and fails its pages naming the status, not as
// "disallowed by robots.txt".
func TestCrawlRobotsServerError(t *testing.T) {
	for _, tc := range []struct {
		name  string
		codes []int // robots.txt's answers, in turn; the last repeats
		ok    int   // pages fetched of 4
	}{
		{"a blip", []int{503, 200}, 4},
		{"keeps failing", []int{500}, 0},
		{"rate limited", []int{429}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var robots, pages atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					n := int(robots.Add(1))
					w.WriteHeader(tc.codes[min(n, len(tc.codes))-1])
					w.Write([]byte("User-agent: *\nAllow: /\n"))
					return
				}
				pages.Add(1)
				w.Header().Set("Content-Type", "text/html")
				w.Write([]byte(okPage))
			}))
			defer srv.Close()
			var sources []Source
			for _, name := range []string{"a", "b", "c", "d"} {
				sources = append(sources, tableAt(t, name, srv.URL+"/"+name, "tr"))
			}
			var attempts atomic.Int32
			progress := func(p Progress) {
				if p.Kind == ProgressStarted {
					attempts.Add(1)
				}
			}
			out, err := Crawl(context.Background(), Options{Parallelism: 1, BackoffBase: time.Millisecond, Progress: progress}, sources, nil)
			if err != nil {
				t.Fatal(err)
			}
			fetched := 0
			for _, name := range []string{"a", "b", "c", "d"} {
				st := statsOf(out, name)
				switch {
				case st.Status == catalog.SourceOK:
					fetched++
				case st.RobotsDenied > 0 || len(st.Errors) != 1 || !strings.Contains(st.Errors[0], "robots.txt answered HTTP"):
					t.Errorf("%s: %s, robots denied %d, %q; want failed naming robots.txt's status", name, st.Status, st.RobotsDenied, st.Errors)
				}
			}
			if fetched != tc.ok || int(pages.Load()) != tc.ok {
				t.Errorf("%d sources read, %d pages fetched; want %d", fetched, pages.Load(), tc.ok)
			}
			if robots.Load() != robotsGiveUp { // a blip: the 503, then the 200 kept
				t.Errorf("robots.txt asked %d times; want %d", robots.Load(), robotsGiveUp)
			}
			// The first page is tried again once (it asks robots.txt
			// again); the others meet an answer kept for the run, and a
			// failure kept is not retried.
			if attempts.Load() != 5 {
				t.Errorf("%d attempts at 4 pages; want 5", attempts.Load())
			}
		})
	}
}

// TestCrawlRobotsRedirectElsewhere: a robots.txt that redirects to another
// host (http://site → https://www.site, a CDN) is followed, as RFC 9309
// asks (up to five redirects), and obeyed for the host asked; a page that
// redirects elsewhere is still refused.
func TestCrawlRobotsRedirectElsewhere(t *testing.T) {
	rules := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /private\n"))
	}))
	defer rules.Close()
	var pages atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.Redirect(w, r, rules.URL+"/robots.txt", http.StatusMovedPermanently)
			return
		}
		pages.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(okPage))
	}))
	defer srv.Close()
	open, private := tableAt(t, "open", srv.URL+"/ok", "tr"), tableAt(t, "private", srv.URL+"/private/x", "tr")
	out, err := Crawl(context.Background(), Options{Parallelism: 1, MaxRetries: NoRetries}, []Source{open, private}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := statsOf(out, "open"); st.Status != catalog.SourceOK {
		t.Errorf("open: %s %q", st.Status, st.Errors)
	}
	if st := statsOf(out, "private"); st.Status != catalog.SourceFailed || st.RobotsDenied != 1 {
		t.Errorf("private: %s, robots denied %d, %q; want it disallowed by the robots.txt redirected to", st.Status, st.RobotsDenied, st.Errors)
	}
	if pages.Load() != 1 {
		t.Errorf("%d pages fetched; want 1", pages.Load())
	}
}

// TestCrawlRobotsAskedAgain: a robots.txt failure kept for a host stands
// for robotsAskAgain; the host's next page after it asks again, and once
// robots.txt answers, its pages are fetched.
func TestCrawlRobotsAskedAgain(t *testing.T) {
	defer func(d time.Duration) { robotsAskAgain = d }(robotsAskAgain)
	robotsAskAgain = 30 * time.Millisecond
	var robots atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			if robots.Add(1) <= robotsGiveUp {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			w.Write([]byte("User-agent: *\nAllow: /\n"))
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	o := testOptions()
	o.Parallelism, o.MaxRetries = 1, NoRetries
	var fetched, kept int
	err := Fetch(context.Background(), o, requestsFor(srv.URL, 12), func(f Fetched) []Request {
		switch {
		case f.Err == nil:
			fetched++
		case strings.Contains(f.Err.Error(), "given up, asked again within"):
			kept++
			time.Sleep(10 * time.Millisecond) // pages keep coming while it stands
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if robots.Load() != robotsGiveUp+1 || kept == 0 || fetched == 0 {
		t.Errorf("robots.txt asked %d times, %d pages failed on its kept failure, %d fetched; want it asked %d times, then the pages fetched", robots.Load(), kept, fetched, robotsGiveUp+1)
	}
}

// crawlDelaySite serves robots (a robots.txt) and pages, recording when
// each page request started and ended and the most in flight at once.
type crawlDelaySite struct {
	mu         sync.Mutex
	inFlight   int
	most       int
	starts     []time.Time
	ends       []time.Time
	pageServed int
}

func (c *crawlDelaySite) serve(robots string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte(robots))
			return
		}
		c.mu.Lock()
		c.inFlight++
		c.most = max(c.most, c.inFlight)
		c.starts = append(c.starts, time.Now())
		c.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		c.mu.Lock()
		c.inFlight--
		c.pageServed++
		c.ends = append(c.ends, time.Now())
		c.mu.Unlock()
		w.Write([]byte("ok"))
	}))
}

// TestFetchKeepsCrawlDelay: a robots.txt Crawl-delay for llmref's group
// makes the host's requests go one at a time, each the delay after the
// last one's end, from the first; a delay for another robot's group, or
// none, leaves the workers parallel; a delay past crawlDelayMax fails the
// host's pages, naming it, after the first (which fetched robots.txt).
func TestFetchKeepsCrawlDelay(t *testing.T) {
	const delay = 150 * time.Millisecond
	pages := func(srv *httptest.Server) []Request {
		var reqs []Request
		for i := range 5 {
			reqs = append(reqs, Request{URL: fmt.Sprintf("%s/p%d", srv.URL, i)})
		}
		return reqs
	}
	o := testOptions()
	o.Parallelism = 4

	t.Run("kept", func(t *testing.T) {
		var site crawlDelaySite
		srv := site.serve("User-agent: *\nCrawl-delay: 0.15\n")
		defer srv.Close()
		got := fetchAll(t, o, pages(srv)...)
		for u, f := range got {
			if f.Err != nil {
				t.Errorf("%s: %v", u, f.Err)
			}
		}
		if site.most != 1 {
			t.Errorf("%d requests in flight at once; robots.txt asks one at a time", site.most)
		}
		for i := 1; i < len(site.starts); i++ {
			if gap := site.starts[i].Sub(site.ends[i-1]); gap < delay-5*time.Millisecond {
				t.Errorf("request %d started %v after the last one ended; robots.txt asks %v", i, gap, delay)
			}
		}
	})
	t.Run("another robot's", func(t *testing.T) {
		var site crawlDelaySite
		srv := site.serve("User-agent: slowbot\nCrawl-delay: 10\n\nUser-agent: *\nDisallow: /private/\n")
		defer srv.Close()
		start := time.Now()
		got := fetchAll(t, o, pages(srv)...)
		if took := time.Since(start); took > 2*time.Second || len(got) != 5 {
			t.Errorf("%d pages in %v: another robot's Crawl-delay was kept", len(got), took)
		}
	})
	t.Run("too long", func(t *testing.T) {
		var site crawlDelaySite
		srv := site.serve("User-agent: *\nCrawl-delay: 600\n")
		defer srv.Close()
		got := fetchAll(t, o, pages(srv)...)
		failed := 0
		for _, f := range got {
			var cd *CrawlDelayError
			if errors.As(f.Err, &cd) {
				failed++
				if cd.Delay != 600*time.Second || !strings.Contains(f.Err.Error(), "Crawl-delay") {
					t.Errorf("%v", f.Err)
				}
			}
		}
		if failed != 4 || site.pageServed != 1 {
			t.Errorf("%d pages failed naming the Crawl-delay, %d served; want 4 and the first", failed, site.pageServed)
		}
	})
}

// FuzzCrawlDelayOf: any robots.txt body reads to a delay, never negative,
// without a panic; a group's delay is read as robots.txt gives it.
func FuzzCrawlDelayOf(f *testing.F) {
	for _, s := range []string{"User-agent: *\nCrawl-delay: 2.5\n", "User-agent: llmref\nCrawl-delay: 1e9\n", "Crawl-delay: -3\n", "User-agent: *\nCrawl-delay: NaN\n", "\xff\xfe"} {
		f.Add([]byte(s))
	}
	if d := crawlDelayOf(http.StatusOK, []byte("User-agent: *\nCrawl-delay: 2.5\n"), "llmref"); d != 2500*time.Millisecond {
		f.Errorf("2.5 read as %v", d)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if d := crawlDelayOf(http.StatusOK, body, "llmref/1.0 (+https://github.com/llmref/llmref)"); d < 0 {
			t.Fatalf("crawl delay %v of %q", d, body)
		}
	})
}
