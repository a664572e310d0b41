package scrapers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robotsOnce is the transport in front of colly that fetches each host's
// robots.txt once per run. colly (v2.3.0) caches a host's robots.txt only
// once the fetch is done, so every worker of a host that starts before
// then (several sources on one host start at once) fetches it again, and
// colly has no setting to share the fetch. Here the first request for a
// host's robots.txt goes to the network; those that come while it is in
// flight wait for it, and later ones are answered from memory (the body
// as decoded and bounded below). A fetch that fails (a network error, a
// timeout, the body over its limit, a server error: see
// robotsUnavailable) is shared with those waiting but not kept, so a blip
// costs a page's retry: the next request tries again. After robotsGiveUp
// failures in a run the failure is kept: a host whose robots.txt hangs
// would otherwise make every one of its pages wait a whole request
// timeout for it, and its source would spend its deadline on that. Its
// pages then fail at once, naming robots.txt, until robotsAskAgain has
// passed: the next page asks again (failed once more, it is kept again at
// once). A page a source itself asks for at /robots.txt (it names its
// source) passes through.
type robotsOnce struct {
	next http.RoundTripper
	// ua is the user agent whose robots.txt group gives a host's
	// Crawl-delay (see delayAfter).
	ua string
	// settled has a channel for each host a delayAfter waits on while no
	// fetch of its robots.txt is known, closed when one ends.
	settled map[string]chan struct{}

	mu       sync.Mutex
	hosts    map[string]*robotsFetch // by scheme://host
	failures map[string]int          // failed fetches by scheme://host
}

// robotsGiveUp is how many failed robots.txt fetches of a host make the
// run stop asking it.
const robotsGiveUp = 2

// errRobotsKept marks a robots.txt failure kept for the host (until
// robotsAskAgain has passed): a page that meets it is not retried (see
// retryableErr), for a retry would meet it again after its backoff.
var errRobotsKept = errors.New("given up")

// robotsFetch is one host's robots.txt: done is closed once the fields
// are set.
type robotsFetch struct {
	done   chan struct{}
	status int
	header http.Header
	body   []byte
	err    error
	// keptAt is when a failure was kept for the host (robotsGiveUp);
	// zero for an answer or a failure not kept.
	keptAt time.Time
	// delay is the Crawl-delay the answer asks of ua's group; zero for
	// none.
	delay time.Duration
}

// robotsAskAgain is how long a kept robots.txt failure stands before the
// host's next page asks again: pages queued later (another crawl stage's)
// find out whether it is back. A variable for tests.
var robotsAskAgain = 15 * time.Second

// stale reports whether f is a kept failure old enough to ask again.
func (f *robotsFetch) stale() bool {
	select {
	case <-f.done:
		return !f.keptAt.IsZero() && time.Since(f.keptAt) >= robotsAskAgain
	default:
		return false // in flight
	}
}

// RoundTrip answers colly's robots.txt requests once per host (see
// robotsOnce) and passes every other request on.
func (t *robotsOnce) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.URL.Path != "/robots.txt" || req.Header.Get(sourceHeader) != "" {
		return t.next.RoundTrip(req)
	}
	f, err := t.get(req)
	if err != nil {
		return nil, err
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", f.status, http.StatusText(f.status)), StatusCode: f.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: f.header.Clone(),
		Body: io.NopCloser(bytes.NewReader(f.body)), ContentLength: int64(len(f.body)), Request: req,
	}, nil
}

// get returns the host's robots.txt fetch, made by this request or
// another, once done.
func (t *robotsOnce) get(req *http.Request) (*robotsFetch, error) {
	key := req.URL.Scheme + "://" + req.URL.Host
	t.mu.Lock()
	f, ok := t.hosts[key]
	if ok && f.stale() {
		ok = false // this request asks again; a failure is kept at once
	}
	if !ok {
		if t.hosts == nil {
			t.hosts = map[string]*robotsFetch{}
		}
		f = &robotsFetch{done: make(chan struct{})}
		t.hosts[key] = f
	}
	t.mu.Unlock()
	if ok {
		select {
		case <-f.done:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	} else {
		f.fetch(t.next, req)
		if f.err == nil {
			f.delay = crawlDelayOf(f.status, f.body, t.ua)
		} else {
			t.mu.Lock()
			if t.failures == nil {
				t.failures = map[string]int{}
			}
			t.failures[key]++
			if n := t.failures[key]; n < robotsGiveUp {
				delete(t.hosts, key) // not kept: the next request tries again
			} else {
				f.err = fmt.Errorf("%w (robots.txt failed %d times: %w, asked again within %s)", f.err, n, errRobotsKept, robotsAskAgain)
				f.keptAt = time.Now()
			}
			t.mu.Unlock()
		}
		close(f.done)
		t.mu.Lock()
		if w := t.settled[key]; w != nil { // see delayAfter
			close(w)
			delete(t.settled, key)
		}
		t.mu.Unlock()
	}
	if f.err != nil {
		return nil, f.err
	}
	return f, nil
}

// crawlDelayMax is the longest Crawl-delay llmref keeps to: a host whose
// robots.txt asks more has its pages fail, naming it (as Nutch's
// fetcher.max.crawl.delay does, at the same 30 s), rather than hold its
// source for hours (one page every 10 minutes is a robots.txt seen in
// the wild). A variable for tests.
var crawlDelayMax = 30 * time.Second

// CrawlDelayError fails a page whose host's robots.txt asks more time
// between requests than crawlDelayMax.
type CrawlDelayError struct {
	Host  string
	Delay time.Duration
}

func (e *CrawlDelayError) Error() string {
	return fmt.Sprintf("robots.txt of %s asks %s between requests (Crawl-delay), more than the %s llmref waits: not fetched",
		e.Host, e.Delay, crawlDelayMax)
}

// crawlDelayOf is the Crawl-delay a robots.txt answer asks of ua's group;
// zero for none, or for an answer that does not parse.
func crawlDelayOf(status int, body []byte, ua string) time.Duration {
	r, err := robotstxt.FromStatusAndBytes(status, body)
	if err != nil {
		return 0
	}
	if g := r.FindGroup(ua); g != nil && g.CrawlDelay > 0 {
		return g.CrawlDelay
	}
	return 0
}

// delayAfter is the Crawl-delay the robots.txt of rawURL's host asks of
// llmref, once known: it waits for the host's robots.txt fetch (made by
// colly for the host's first page: see fetcher.takeTurn), or until opened
// is closed (that page is over, whatever became of its robots.txt).
// Zero when robots.txt asks none, or failed (the page's own robots check
// meets the failure as before); ctx's error once ctx is done.
func (t *robotsOnce) delayAfter(ctx context.Context, rawURL string, opened <-chan struct{}) (time.Duration, error) {
	key := originOf(rawURL)
	for {
		t.mu.Lock()
		f := t.hosts[key]
		wait := (<-chan struct{})(nil)
		if f != nil {
			wait = f.done
		} else {
			if t.settled == nil {
				t.settled = map[string]chan struct{}{}
			}
			w := t.settled[key]
			if w == nil {
				w = make(chan struct{})
				t.settled[key] = w
			}
			wait = w
		}
		t.mu.Unlock()
		select {
		case <-wait:
			if f == nil {
				continue // a fetch settled: look again
			}
			if f.err != nil {
				return 0, nil
			}
			return f.delay, nil
		case <-opened:
			return t.knownDelay(rawURL), nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// knownDelay is the Crawl-delay of rawURL's host as far as its robots.txt
// is known now; zero when it is not, or asks none.
func (t *robotsOnce) knownDelay(rawURL string) time.Duration {
	t.mu.Lock()
	f := t.hosts[originOf(rawURL)]
	t.mu.Unlock()
	if f == nil {
		return 0
	}
	select {
	case <-f.done:
		if f.err == nil {
			return f.delay
		}
	default:
	}
	return 0
}

// originOf is rawURL's scheme://host, robotsOnce's key.
func originOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// fetch reads the host's robots.txt through next, whole.
func (f *robotsFetch) fetch(next http.RoundTripper, req *http.Request) {
	resp, err := next.RoundTrip(req)
	if err != nil {
		f.err = err
		return
	}
	defer resp.Body.Close()
	if robotsUnavailable(resp.StatusCode) {
		f.err = &RobotsStatusError{Code: resp.StatusCode}
		return
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		f.err = fmt.Errorf("read %s: %w", req.URL.Redacted(), err)
		return
	}
	f.status, f.header, f.body = resp.StatusCode, resp.Header, body
}

// robotsUnavailable reports whether a robots.txt status says the file
// could not be served: a server error, or 429 Too Many Requests. RFC 9309
// (2.3.1.4) has a crawler assume complete disallow then, and colly's
// robots parser does for 5xx (a 429 would read as "no robots.txt, allow
// everything"). Kept, one 503 disallowed every page of the host for the
// run, each page failing as "disallowed by robots.txt"; as a failed fetch
// it is tried again by the page's retry (see retryableErr) or the host's
// next page, and pages that still meet it fail naming the status.
func robotsUnavailable(code int) bool {
	return code >= 500 || code == http.StatusTooManyRequests
}

// RobotsStatusError is a robots.txt that could not be served (see
// robotsUnavailable): the host's pages are not fetched while it is.
type RobotsStatusError struct {
	Code int
}

func (e *RobotsStatusError) Error() string {
	return fmt.Sprintf("robots.txt answered HTTP %d %s: the host's pages are not fetched while it does (RFC 9309 reads it as disallow all)",
		e.Code, http.StatusText(e.Code))
}

// robotsMaxRedirects is how many redirects a host's robots.txt may take,
// to any host: RFC 9309 (2.3.1.2) asks a crawler to follow at least five.
const robotsMaxRedirects = 5

// robotsRedirect reports whether a redirect after via (the requests so
// far, first the one asked) is one of a host's robots.txt that may be
// followed to another host (http://site to https://www.site, a CDN): the
// rules read there are the asking host's. A page's redirects stay on its
// host; a robots.txt that left it failed every page of the host.
func robotsRedirect(via []*http.Request) bool {
	first := via[0]
	return first.URL.Path == "/robots.txt" && first.Header.Get(sourceHeader) == "" && len(via) <= robotsMaxRedirects
}
