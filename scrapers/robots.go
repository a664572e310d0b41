package scrapers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
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
		if f.err != nil {
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
	}
	if f.err != nil {
		return nil, f.err
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", f.status, http.StatusText(f.status)), StatusCode: f.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: f.header.Clone(),
		Body: io.NopCloser(bytes.NewReader(f.body)), ContentLength: int64(len(f.body)), Request: req,
	}, nil
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
