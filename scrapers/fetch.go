package scrapers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/llmref/llmref/internal/version"
)

// DefaultUserAgent identifies llmref to the sites it reads: the product
// token "llmref" (robots.txt groups match on it), this build's version (the
// one `llmref version` prints) and a contact URL.
var DefaultUserAgent = "llmref/" + version.Get().Token() + " (+https://github.com/llmref/llmref; catalogue bot)"

// Options are the politeness and robustness settings of one run's fetching.
// The zero value of a field takes its default (see Defaults).
type Options struct {
	// UserAgent identifies the bot; robots.txt groups match on it.
	UserAgent string
	// Parallelism is the number of requests in flight per host.
	Parallelism int
	// Delay is the pause between two requests to one host.
	Delay time.Duration
	// Timeout bounds one request, body included.
	Timeout time.Duration
	// SourceTimeout bounds each source on its own: its fetches, retries
	// and parses (see parseWithin). A source still at work when it passes
	// fails ("deadline exceeded (fetch.source_timeout …) while parsing …")
	// and the others go on. Zero: only the run's context bounds them.
	SourceTimeout time.Duration
	// MaxBodyBytes caps a response body after decoding, whatever its
	// encoding (gzip, x-gzip, deflate, a list of them, a gzip file by its
	// Content-Type), and the bytes read from the wire and out of every
	// decoding step too: a larger body fails the page ("body exceeds N
	// bytes after decoding") instead of being truncated.
	MaxBodyBytes int64
	// MaxRetries is how many times a request is retried after a 408, 429,
	// 5xx or a network timeout. Zero takes the default (2); NoRetries (any
	// negative value) retries nothing.
	MaxRetries int
	// BackoffBase and BackoffMax bound the exponential backoff between
	// retries (with jitter).
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// RetryAfterMax caps how long a Retry-After header may make us wait;
	// a longer request gives the page up.
	RetryAfterMax time.Duration
	// IgnoreRobots turns robots.txt off. Only tests against their own
	// servers set it.
	IgnoreRobots bool
	// Transport carries the requests: a replay transport for fixtures, or
	// nil for a real one.
	Transport http.RoundTripper
	// Validators returns the ETag and Last-Modified stored for a URL, so
	// that requests are conditional.
	Validators func(url string) (etag, lastModified string)
	// Now is the clock; it stamps FetchedAt.
	Now func() time.Time
	// Progress, when set, hears of every request as it is queued, each
	// attempt as it starts and every outcome (from the fetching
	// goroutines, concurrently).
	Progress func(Progress)
	// KeepBody, when set, receives each new body Crawl fetched, with its
	// SHA-256 (hex), as it arrives, from the crawl's workers (see
	// crawl.keep); unset, the bodies are not kept.
	KeepBody func(sum string, body []byte)
	// PackObservations, when set, packs each parsed page's observations
	// (catalog.Page.Pack): a run holds every page's parse results until
	// it normalises them, and packed they take a sixth of the memory.
	// Unset, the pages' Observations hold them.
	PackObservations bool
	// RecycleBodies, when set, lets the crawl reuse a body's memory for
	// another once it has parsed and kept it (a page's body, ~33 KB on the
	// benchmark site, was a fifth of what a first refresh allocated, all
	// of it fresh memory): KeepBody must then copy what it keeps, as
	// store.BodyStream.Put does (it compresses it). A body whose parse
	// failed or was abandoned at its deadline is left to the collector.
	RecycleBodies bool
}

// NoRetries as Options.MaxRetries turns retries off (zero means "the
// default").
const NoRetries = -1

// Defaults returns the options with every unset field at its default. It is
// idempotent: options already defaulted come back as they are (Crawl and
// Fetch both apply it).
func (o Options) Defaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Parallelism <= 0 {
		o.Parallelism = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 32 << 20
	}
	switch {
	case o.MaxRetries < 0:
		o.MaxRetries = NoRetries // stays "none" however often it is defaulted
	case o.MaxRetries == 0:
		o.MaxRetries = 2
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = 500 * time.Millisecond
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 30 * time.Second
	}
	if o.RetryAfterMax <= 0 {
		o.RetryAfterMax = 2 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Transport == nil {
		o.Transport = NewTransport(o.Parallelism)
	}
	return o
}

// NewTransport returns a real HTTP transport that keeps as many idle
// connections per host as requests run in parallel (Go keeps only two by
// default).
func NewTransport(parallelism int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(parallelism, 2)
	return t
}

// Request is one URL a source wants fetched.
type Request struct {
	// Source is the name of the source that wants the URL.
	Source string `json:"source"`
	// URL is the absolute address.
	URL string `json:"url"`
	// Kind tells the source's parser what the page is ("models",
	// "endpoints", "card").
	Kind string `json:"kind"`
	// Subject is the model the page is about, when the source knows it.
	Subject string `json:"subject,omitempty"`

	// ahead is set on a request fetched ahead of its crawl stage (see
	// CrawlStaged): it runs under a deadline of its own (aheadKey), so
	// that its source's starts with its stage. outcome, when set, is the
	// request's outcome, fetched ahead: the fetcher hands it on unfetched.
	// again is set on a request whose URL was fetched ahead for another
	// request, or ran out of time: the fetcher fetches it again.
	ahead   bool
	outcome *Fetched
	again   bool
}

// aheadKey names the deadline of a source's requests fetched ahead of its
// stage (sourceDeadlines): Options.SourceTimeout from the first of them.
const aheadKey = "\x00ahead "

// deadlineKey is the name r's deadline goes by (sourceDeadlines).
func (r Request) deadlineKey() string {
	if r.ahead {
		return aheadKey + r.Source
	}
	return r.Source
}

// Fetched is the final outcome of one Request, after retries.
type Fetched struct {
	Request
	Status       int
	Header       http.Header
	Body         []byte
	FetchedAt    time.Time
	Duration     time.Duration
	Attempts     int
	NotModified  bool
	RobotsDenied bool
	// Statuses counts every status seen across attempts.
	Statuses map[int]int
	// Err is why the page failed; nil when Status is 200 or 304.
	Err error

	// ctx gives the source's deadline within the run's: the page's parse
	// runs under it. It is asked for when the page is parsed: a page
	// fetched ahead of its source's stage starts no clock until then.
	ctx func() context.Context
}

// parseContext is the context the page is parsed under (see ctx).
func (f Fetched) parseContext() context.Context {
	if f.ctx == nil {
		return context.Background()
	}
	return f.ctx()
}

// Errors that name why a page failed.
var (
	ErrBodyTooLarge    = errors.New("response body exceeds the size limit")
	ErrRobotsDisallow  = errors.New("disallowed by robots.txt")
	ErrOffsiteRedirect = errors.New("redirect to another host refused")
	// ErrInsecureRedirect is a redirect from https to a weaker scheme.
	ErrInsecureRedirect = errors.New("redirect from https to http refused")
)

// StatusError is a final HTTP status that is not a success.
type StatusError struct {
	Code int
	// Page says what the body was when it was a titled HTML page (see
	// titledPage): a challenge or a login wall answering 403 or 503 reads
	// differently from an API's own refusal.
	Page string
}

func (e *StatusError) Error() string {
	if e.Page != "" {
		return fmt.Sprintf("HTTP %d %s (the body: %s)", e.Code, http.StatusText(e.Code), e.Page)
	}
	return fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
}

// Fetch fetches every request through one new colly collector built for this
// call, handing each final outcome to handle. handle may return more
// requests (links found on the page); they are fetched too, each URL once.
// handle is called from several goroutines, never twice for one URL.
//
// Each host gets its own queue and Options.Parallelism workers, each pausing
// Options.Delay after every request: that is the per-host limit, and one
// slow host never starves another. (colly's own LimitRules are not used: a
// rule added while requests run is initialised outside colly's lock, a data
// race, and hosts can appear mid-run through links.) Fetch returns when
// every request has an outcome or ctx is done.
func Fetch(ctx context.Context, o Options, reqs []Request, handle func(Fetched) []Request) error {
	o = o.Defaults()
	deadlines := &sourceDeadlines{parent: ctx, timeout: o.SourceTimeout}
	slots := &bodySlots{recycled: o.RecycleBodies}
	robots := &robotsOnce{next: &decodingTransport{next: &deadlineTransport{next: stageTransport{o.Transport}, deadlines: deadlines}, max: o.MaxBodyBytes, slots: slots},
		ua: o.UserAgent}
	c, err := newCollector(ctx, o, robots)
	if err != nil {
		return err
	}
	f := &fetcher{ctx: ctx, o: o, c: c, robots: robots, deadlines: deadlines, slots: slots, handle: handle, seen: map[string]bool{}, hosts: map[string]*hostQueue{}, done: make(chan struct{})}
	f.enqueue(reqs)
	f.wg.Wait()
	close(f.done)
	deadlines.stop()
	return ctx.Err()
}

type fetcher struct {
	ctx       context.Context
	o         Options
	c         *colly.Collector
	robots    *robotsOnce // the collector's transport (see crawlDelay)
	deadlines *sourceDeadlines
	slots     *bodySlots // the bodies of requests in flight (see bodyslot.go)
	handle    func(Fetched) []Request

	mu    sync.Mutex
	seen  map[string]bool
	hosts map[string]*hostQueue
	wg    sync.WaitGroup // one count per request not yet handled
	done  chan struct{}  // closed when every request is handled: workers exit
}

// newCollector is the one factory of collectors: a new one per run, never
// reused, so no visited set, robots cache or callback outlives its run.
func newCollector(ctx context.Context, o Options, transport *robotsOnce) (*colly.Collector, error) {
	c := colly.NewCollector(colly.StdlibContext(ctx))
	// colly reads COLLY_* variables after its options: set what matters
	// after the call so a stray variable cannot override it.
	c.UserAgent = o.UserAgent
	c.IgnoreRobotsTxt = o.IgnoreRobots
	c.AllowURLRevisit = true // our frontier fetches each URL once; retries revisit
	c.ParseHTTPErrorResponse = true
	c.MaxBodySize = 0 // the limit is enforced by decodingTransport, failing instead of truncating
	c.MaxDepth, c.MaxRequests = 0, 0
	c.CacheDir = ""
	c.DetectCharset = false
	c.TraceHTTP = false
	c.Async = false // our per-host workers bound the frontier
	c.AllowedDomains, c.DisallowedDomains = nil, nil
	c.DisableCookies()
	c.WithTransport(transport)
	c.SetRequestTimeout(o.Timeout)
	c.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if prev := via[len(via)-1].URL; prev.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("%w: %s → %s", ErrInsecureRedirect, prev.Redacted(), req.URL.Redacted())
		}
		if req.URL.Host != via[0].URL.Host && !robotsRedirect(via) {
			return fmt.Errorf("%w: %s", ErrOffsiteRedirect, req.URL.Host)
		}
		return nil
	})
	c.OnResponse(func(r *colly.Response) {
		r.Ctx.Put("response", r)
	})
	return c, nil
}

func (f *fetcher) enqueue(reqs []Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range reqs {
		if f.seen[r.URL] && r.outcome == nil && !r.again {
			continue
		}
		f.seen[r.URL] = true
		f.wg.Add(1)
		f.progress(Progress{Kind: ProgressQueued, Source: r.Source, URL: r.URL})
		u, err := url.Parse(r.URL)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			go f.finish(Fetched{Request: r, Err: fmt.Errorf("bad url %q", r.URL), FetchedAt: f.now()})
			continue
		}
		q, ok := f.hosts[u.Host]
		if !ok {
			q = &hostQueue{wake: make(chan struct{}, f.o.Parallelism), opened: make(chan struct{}), turn: make(chan struct{}, 1)}
			f.hosts[u.Host] = q
			for range f.o.Parallelism {
				go f.worker(q)
			}
		}
		if len(q.reqs) >= maxQueued {
			go f.finish(Fetched{Request: r, Err: fmt.Errorf("frontier full: %d requests already queued for %s", maxQueued, u.Host), FetchedAt: f.now()})
			continue
		}
		q.reqs = append(q.reqs, r)
		select {
		case q.wake <- struct{}{}:
		default: // every worker already has a wake-up coming
		}
	}
}

// maxQueued bounds one host's frontier: a source whose pages link to more
// new pages than this fails them rather than grow without end. (A
// variable only so that a test can lower it.)
var maxQueued = 1 << 16

// hostQueue is one host's frontier, first in, first out, served by
// Options.Parallelism workers. It grows with what is queued (up to
// maxQueued) rather than being reserved up front: a host with two pages
// costs two entries.
type hostQueue struct {
	reqs   []Request     // guarded by fetcher.mu
	wake   chan struct{} // a token per wake-up, up to one per worker
	health hostHealth    // guarded by fetcher.mu (see hosthealth.go)
	// opening is set (under fetcher.mu) once a worker sends the host's
	// first request, which fetches its robots.txt; opened is closed when
	// that request is over (see takeTurn). turn is held by the one worker
	// whose request is out while robots.txt asks a Crawl-delay, and
	// nextAt (its holder's) is when the next may go.
	opening bool
	opened  chan struct{}
	turn    chan struct{}
	nextAt  time.Time
}

// next takes the host's next request, if any.
func (f *fetcher) next(q *hostQueue) (Request, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(q.reqs) == 0 {
		return Request{}, false
	}
	r := q.reqs[0]
	q.reqs[0] = Request{}
	q.reqs = q.reqs[1:]
	return r, true
}

// worker serves one host's queue until every request is handled, pausing
// Options.Delay after each request. Once ctx is done, what is still queued
// is finished with ctx's error.
func (f *fetcher) worker(q *hostQueue) {
	var run runner // its requests' goroutine (see fetcher.request)
	defer run.stop()
	for {
		r, ok := f.next(q)
		if !ok {
			select {
			case <-f.done:
				return
			case <-q.wake:
				continue
			}
		}
		if r.outcome != nil { // fetched ahead; its outcome was reported then
			f.hand(*r.outcome)
			continue
		}
		if sctx := f.deadlines.of(r.deadlineKey()); sctx.Err() != nil {
			f.finish(Fetched{Request: r, Err: fmt.Errorf("%w before fetching", ctxErr(sctx)), FetchedAt: f.now()})
			continue
		}
		probe, err := f.admit(q) // see hosthealth.go
		if err != nil {
			f.finish(Fetched{Request: r, Err: err, FetchedAt: f.now()})
			continue
		}
		delay, opener, err := f.takeTurn(q, r)
		if err != nil {
			f.finish(Fetched{Request: r, Err: err, FetchedAt: f.now()})
			continue
		}
		res := f.fetchOne(&run, q, r)
		switch {
		case opener:
			if d := f.robots.knownDelay(r.URL); d > 0 {
				q.nextAt = time.Now().Add(d)
			}
			<-q.turn
			close(q.opened)
		case delay > 0:
			q.nextAt = time.Now().Add(delay)
			<-q.turn
		}
		f.observe(q, res, probe, f.ctx.Err() != nil || f.deadlines.of(r.deadlineKey()).Err() != nil)
		f.finish(res)
		if f.o.Delay > 0 {
			t := time.NewTimer(f.o.Delay)
			select {
			case <-t.C:
			case <-f.ctx.Done():
				t.Stop()
			case <-f.done:
				t.Stop()
				return
			}
		}
	}
}

// takeTurn keeps to the Crawl-delay the robots.txt of r's host asks. The
// host's first request goes at once, holding the turn (opener: colly
// fetches robots.txt for it); the others wait until that robots.txt is
// known (or that request is over), and when it asks a delay go one at a
// time, each the delay after the last one's end: the delay is returned
// once the turn is r's, and the caller gives it back after the request,
// setting nextAt (the opener sets the first nextAt). Zero at once with robots.txt ignored; a host asking
// more than crawlDelayMax, or r's source done while it waits, fails r.
// (Without it a robots.txt asking 10 s between requests met the host's
// Parallelism workers at once, each pausing only Options.Delay.)
func (f *fetcher) takeTurn(q *hostQueue, r Request) (delay time.Duration, opener bool, err error) {
	if f.o.IgnoreRobots {
		return 0, false, nil
	}
	f.mu.Lock()
	opener, q.opening = !q.opening, true
	f.mu.Unlock()
	if opener {
		q.turn <- struct{}{} // the first: no one has taken it
		return 0, true, nil
	}
	sctx := f.deadlines.of(r.deadlineKey())
	waiting := func() error {
		return fmt.Errorf("%w (waiting for its turn: robots.txt asks %s between requests)", ctxErr(sctx), delay)
	}
	if delay, err = f.robots.delayAfter(sctx, r.URL, q.opened); err != nil {
		return 0, false, fmt.Errorf("%w (waiting for robots.txt)", ctxErr(sctx))
	}
	if delay <= 0 {
		return 0, false, nil
	}
	if delay > crawlDelayMax {
		host := r.URL
		if u, err := url.Parse(r.URL); err == nil {
			host = u.Host
		}
		return 0, false, &CrawlDelayError{Host: host, Delay: delay}
	}
	select {
	case q.turn <- struct{}{}:
	case <-sctx.Done():
		return 0, false, waiting()
	}
	if wait := time.Until(q.nextAt); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-sctx.Done():
			<-q.turn
			return 0, false, waiting()
		}
	}
	return delay, false, nil
}

func (f *fetcher) finish(res Fetched) {
	f.progress(Progress{Kind: ProgressDone, Source: res.Source, URL: res.URL, Status: res.Status, Bytes: int64(len(res.Body)), Duration: res.Duration, Err: res.Err})
	f.hand(res)
}

// hand hands an outcome to the crawl, and queues what it leads to.
func (f *fetcher) hand(res Fetched) {
	source := res.Source
	res.ctx = func() context.Context { return f.deadlines.of(source) }
	more := f.handle(res)
	if len(more) > 0 {
		f.enqueue(more)
	}
	f.wg.Done()
}

// fetchOne fetches one request to q's host with retries and backoff, on
// run.
func (f *fetcher) fetchOne(run *runner, q *hostQueue, r Request) Fetched {
	start := time.Now()
	res := Fetched{Request: r, Statuses: map[int]int{}}
	var etag, lm string
	if f.o.Validators != nil {
		etag, lm = f.o.Validators(r.URL)
	}
	// header makes an attempt's headers: colly keeps the map it is given.
	// Accept-Encoding is set here, as decodingTransport would set it on a
	// copy of the request and its headers (a nothing-changed night made
	// four copies of every request's headers).
	header := func() http.Header {
		hdr := make(http.Header, 5)
		hdr["User-Agent"] = []string{f.o.UserAgent}
		hdr["Accept-Encoding"] = []string{acceptEncoding}
		hdr[sourceHeader] = []string{r.deadlineKey()} // deadlineTransport takes it off
		if etag != "" {
			hdr["If-None-Match"] = []string{etag}
		}
		if lm != "" {
			hdr["If-Modified-Since"] = []string{lm}
		}
		return hdr
	}
	sctx := f.deadlines.of(r.deadlineKey())
	for attempt := 1; ; attempt++ {
		if err := f.slowedDown(sctx, q); err != nil { // see hosthealth.go
			res.Err, res.FetchedAt = err, f.now()
			break
		}
		res.Attempts = attempt
		res.FetchedAt = f.now()
		f.progress(Progress{Kind: ProgressStarted, Source: r.Source, URL: r.URL, Attempt: attempt})
		hdr := header()
		id, slot := f.slots.open()
		hdr[fetchHeader] = []string{id}
		resp, err := f.request(sctx, run, r.URL, hdr)
		f.slots.close(id)
		if body, ok := slot.take(); ok && resp != nil {
			resp.Body = body // read whole by decodingTransport: colly's is empty
		}
		var wait time.Duration
		switch {
		case errors.Is(err, colly.ErrRobotsTxtBlocked):
			res.RobotsDenied = true
			res.Err = ErrRobotsDisallow
		case err != nil && resp == nil:
			res.Err = describeNetErr(err)
			if !retryableErr(err) || attempt > f.o.MaxRetries {
				break
			}
			wait = f.backoff(attempt)
		case resp != nil:
			res.Status = resp.StatusCode
			res.Statuses[resp.StatusCode]++
			if resp.Headers != nil {
				res.Header = *resp.Headers // the response's own: nothing else holds it
			}
			switch {
			case resp.StatusCode == http.StatusNotModified:
				res.NotModified, res.Err = true, nil
			case resp.StatusCode >= 200 && resp.StatusCode < 300:
				res.Body, res.Err = resp.Body, nil
				if resp.StatusCode != http.StatusOK {
					res.Err = &StatusError{Code: resp.StatusCode}
				}
			default:
				res.Err = &StatusError{Code: resp.StatusCode, Page: titledPage(Response{Header: res.Header, Body: resp.Body})}
				if !retryableStatus(resp.StatusCode) {
					break
				}
				wait = f.backoff(attempt)
				if ra, ok := retryAfter(resp.Headers.Get("Retry-After"), f.o.Now()); ok {
					if ra > f.o.RetryAfterMax {
						res.Err = fmt.Errorf("%w; Retry-After %s exceeds the %s cap", res.Err, ra, f.o.RetryAfterMax)
						wait = 0
						f.slowDown(q, ra) // the host's other pages are not sent either
						break
					}
					// "Retry-After: 0" (or a date past) means retry now; a zero
					// wait would read as "do not retry" below.
					wait = max(ra, time.Millisecond)
				}
				if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
					f.slowDown(q, wait) // the host's other requests wait too, this one's last attempt or not
				}
				if attempt > f.o.MaxRetries {
					wait = 0
				}
			}
		}
		if res.Err != nil && sctx.Err() != nil { // the source's time is up: no retry
			if !errors.Is(res.Err, ErrSourceDeadline) && errors.Is(ctxErr(sctx), ErrSourceDeadline) {
				res.Err = fmt.Errorf("%w while fetching (%v)", ctxErr(sctx), res.Err)
			}
			break
		}
		if wait == 0 || res.Err == nil {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-sctx.Done():
			t.Stop()
			res.Err = fmt.Errorf("%w (while waiting to retry after %v)", ctxErr(sctx), res.Err)
			res.Duration = time.Since(start)
			return res
		case <-t.C:
		}
	}
	res.Duration = time.Since(start)
	return res
}

// backoff is exponential with full jitter in [d/2, d], capped.
func (f *fetcher) backoff(attempt int) time.Duration {
	d := f.o.BackoffBase << (attempt - 1)
	if d <= 0 || d > f.o.BackoffMax {
		d = f.o.BackoffMax
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

func retryableErr(err error) bool {
	if errors.Is(err, errRobotsKept) || errors.Is(err, ErrBodyTooLarge) || errors.Is(err, ErrOffsiteRedirect) || errors.Is(err, ErrInsecureRedirect) || errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var rs *RobotsStatusError // robots.txt's server error, tried again with the page
	if errors.As(err, &rs) {
		return true
	}
	// A resolver that failed for now (SERVFAIL, a timeout) is tried again;
	// a name that does not exist is not. A network or a host not reachable
	// (a route not up yet at boot, a flap) is a moment too.
	var de *net.DNSError
	if errors.As(err, &de) {
		return (de.IsTemporary || de.IsTimeout) && !de.IsNotFound
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.ETIMEDOUT)
}

func describeNetErr(err error) error {
	err = hostStage(err) // stage.go
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timeout: %w", err)
	}
	return err
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		// Past ~292 years n seconds overflow a Duration; any such wait
		// is far beyond every cap, so keep it there rather than wrap.
		const most = int(math.MaxInt64 / int64(time.Second))
		return time.Duration(min(n, most)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// StatusCounts renders a status histogram with sorted keys ("200": 3).
func StatusCounts(m map[int]int) map[string]int {
	out := make(map[string]int, len(m))
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		out[strconv.Itoa(k)] += m[k]
	}
	return out
}

// now is the clock in UTC, to the second: stored times carry no noise.
func (f *fetcher) now() time.Time { return f.o.Now().UTC().Truncate(time.Second) }
