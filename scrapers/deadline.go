package scrapers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gocolly/colly/v2"
	"golang.org/x/net/html"
)

// ErrSourceDeadline is wrapped by the error of every page a source could
// not finish (fetch or parse) before its own deadline,
// Options.SourceTimeout (fetch.source_timeout).
var ErrSourceDeadline = errors.New("source deadline exceeded")

// deadlineError is the cause a source's context is cancelled with when its
// deadline passes.
type deadlineError struct {
	timeout time.Duration
}

func (e *deadlineError) Error() string {
	return fmt.Sprintf("deadline exceeded (fetch.source_timeout %s)", e.timeout)
}

func (e *deadlineError) Unwrap() error { return ErrSourceDeadline }

// sourceDeadlines hands each source of one fetch its own context: the
// run's, bounded by Options.SourceTimeout from the source's first request
// (all of a run's first requests are queued at once, so from the run's
// start). With no SourceTimeout every source shares the run's context.
type sourceDeadlines struct {
	parent  context.Context
	timeout time.Duration

	mu     sync.Mutex
	ctx    map[string]context.Context
	cancel []context.CancelFunc
}

// of returns the context of the named source.
func (d *sourceDeadlines) of(source string) context.Context {
	if d.timeout <= 0 || source == "" {
		return d.parent
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.ctx[source]; ok {
		return c
	}
	if d.ctx == nil {
		d.ctx = map[string]context.Context{}
	}
	c, cancel := WithSourceDeadline(d.parent, d.timeout)
	d.ctx[source], d.cancel = c, append(d.cancel, cancel)
	return c
}

// WithSourceDeadline returns ctx bounded by one source's deadline, timeout
// from now (fetch.source_timeout): once it passes, what runs under it
// fails as a crawl's late source does, "deadline exceeded
// (fetch.source_timeout …)", wrapping ErrSourceDeadline. With no timeout
// (zero or less) it is ctx, cancellable.
func WithSourceDeadline(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, timeout, &deadlineError{timeout: timeout})
}

// stop releases every source's timer.
func (d *sourceDeadlines) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.cancel {
		c()
	}
}

// ctxErr is why ctx is done, for a page's error: a source's deadline
// names itself; the run's own end is ctx.Err().
func ctxErr(ctx context.Context) error {
	if cause := context.Cause(ctx); errors.Is(cause, ErrSourceDeadline) {
		return cause
	}
	return ctx.Err()
}

// sourceHeader carries a request's source from fetchOne to
// deadlineTransport, which removes it: it never leaves the process.
const sourceHeader = "X-Llmref-Source"

// deadlineTransport bounds each request by its source's deadline as well
// as by the run's context and the request timeout: a body dripped a byte a
// second fails its page when the source's time is up, not at the end of
// the run. The source is named by sourceHeader (redirects to the same host
// keep it).
type deadlineTransport struct {
	next      http.RoundTripper
	deadlines *sourceDeadlines
}

// RoundTrip sends req under its source's deadline; the response's body
// stays under it until it is closed. A request that names no source (the
// robots.txt colly fetches itself, with no context at all) is bounded by
// the run's context.
func (t *deadlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	sctx := t.deadlines.of(req.Header.Get(sourceHeader))
	ctx, cancel := context.WithCancelCause(req.Context())
	stop := context.AfterFunc(sctx, func() { cancel(ctxErr(sctx)) })
	release := func() { stop(); cancel(nil) }
	r := req.Clone(ctx)
	r.Header.Del(sourceHeader)
	r.Header.Del(fetchHeader)
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		release()
		if sctx.Err() != nil {
			return nil, fmt.Errorf("%w while fetching", ctxErr(sctx))
		}
		return nil, err
	}
	resp.Body = &deadlineBody{ReadCloser: resp.Body, ctx: sctx, release: release}
	return resp, nil
}

// deadlineBody is a response body read under its source's deadline.
type deadlineBody struct {
	io.ReadCloser
	ctx     context.Context
	release func()
	once    sync.Once
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.ctx.Err() != nil {
		err = fmt.Errorf("%w while reading the body", ctxErr(b.ctx))
	}
	return n, err
}

func (b *deadlineBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// request makes one request through the collector, returning when it ends
// or when sctx (its source's deadline) is done, whichever comes first: a
// robots.txt fetch colly makes first carries no deadline of ours, so it
// is left to end in the background (the run's context bounds it, see
// deadlineTransport) and the page fails now. The request runs on run's
// goroutine, which a request left behind takes with it.
func (f *fetcher) request(sctx context.Context, run *runner, url string, hdr http.Header) (*colly.Response, error) {
	do := func() (*colly.Response, error) {
		cctx := colly.NewContext()
		err := f.c.Request(http.MethodGet, url, nil, cctx, hdr)
		resp, _ := cctx.GetAny("response").(*colly.Response)
		return resp, err
	}
	if sctx == f.ctx {
		return do()
	}
	type result struct {
		resp *colly.Response
		err  error
	}
	done := make(chan result, 1)
	run.do(func() {
		resp, err := do()
		done <- result{resp, err}
	})
	select {
	case r := <-done:
		return r.resp, r.err
	case <-sctx.Done():
		run.stop() // it ends once the request does; the next one gets a new goroutine
		return nil, fmt.Errorf("%w while fetching", ctxErr(sctx))
	}
}

// runner is a worker's goroutine for its requests (see fetcher.request):
// one that lives from request to request grows its stack once, where a
// goroutine per request grew a new one each time (colly and net/http go
// deep). The zero runner has none yet; do starts it.
type runner struct {
	jobs chan func()
}

// do hands job to the runner's goroutine, starting one if there is none.
// The goroutine is idle: its last job ended, or stop let it go.
func (r *runner) do(job func()) {
	if r.jobs == nil {
		r.jobs = make(chan func())
		go func(jobs <-chan func()) {
			for job := range jobs {
				job()
			}
		}(r.jobs)
	}
	r.jobs <- job
}

// stop lets the goroutine end once its job (if any) is done.
func (r *runner) stop() {
	if r.jobs != nil {
		close(r.jobs)
		r.jobs = nil
	}
}

// parseWithin runs the source's parser on r within ctx (its source's
// deadline, inside the run's): the parser sees ctx through r.Context() and
// the selectors of the table walker check it (see budget), so most parses
// stop soon after it is done; one that cannot notice (a single costly
// selector step) is left to finish in the background, its result dropped,
// and the page fails now: "deadline exceeded … while parsing <kind> page".
// Other errors come back wrapped as "parse <kind> page: …", followed by
// what the body was when it was empty or an HTML page (see notAsExpected:
// the challenge page a JSON API sent instead). The parser reads the body less
// a leading byte order mark (see forParsing).
func parseWithin(ctx context.Context, src Source, kind string, r Response) (Parsed, error) {
	raw := r
	r.Body = forParsing(r.Body) // see bodytext.go
	failed := func(err error) error {
		if blank(raw.Body) {
			return fmt.Errorf("parse %s page: %w (the body was empty)", kind, err)
		}
		if what := notAsExpected(raw); what != "" {
			return fmt.Errorf("parse %s page: %w (the body: %s)", kind, err, what)
		}
		return fmt.Errorf("parse %s page: %w", kind, err)
	}
	if ctx == nil || ctx.Done() == nil {
		p, err := src.Parse(kind, r)
		if err != nil {
			return p, failed(err)
		}
		return p, nil
	}
	late := func() error { return fmt.Errorf("%w while parsing %s page", ctxErr(ctx), kind) }
	if ctx.Err() != nil {
		return Parsed{}, late()
	}
	r.ctx = ctx
	type result struct {
		p   Parsed
		err error
	}
	done := make(chan result, 1)
	go func() {
		var res result
		defer func() {
			if v := recover(); v != nil {
				if _, stopped := v.(budgetStop); !stopped {
					panic(v)
				}
				res = result{err: late()}
			}
			done <- res
		}()
		res.p, res.err = src.Parse(kind, r)
		if res.err != nil {
			res.err = failed(res.err)
		}
	}()
	select {
	case res := <-done:
		if res.err == nil && ctx.Err() != nil {
			return Parsed{}, late() // finished, but after the deadline
		}
		return res.p, res.err
	case <-ctx.Done():
		return Parsed{}, late()
	}
}

// budgetStop is what a budget panics with when its context is done; the
// panic unwinds the selector engine (which takes no context) up to
// parseWithin, which recovers it.
type budgetStop struct{}

// budgetEvery is how many selector steps pass between two looks at the
// context.
const budgetEvery = 16

// budget counts the steps of selector evaluation in one parse and stops
// the parse (see budgetStop) once its context is done.
type budget struct {
	ctx   context.Context
	steps int
}

// newBudget returns the budget of a parse of r.
func newBudget(r Response) *budget { return &budget{ctx: r.Context()} }

// step counts one step, checking the context every budgetEvery steps.
func (b *budget) step() {
	b.steps++
	if b.steps%budgetEvery == 0 && b.ctx.Err() != nil {
		panic(budgetStop{})
	}
}

// stopped, deferred by a parser that uses the budget, turns the budget's
// stop into the parser's error: "<what>: deadline exceeded …". Any other
// panic goes on.
func (b *budget) stopped(err *error, what string) {
	v := recover()
	if v == nil {
		return
	}
	if _, ok := v.(budgetStop); !ok {
		panic(v)
	}
	*err = fmt.Errorf("%s: %w after %d selector steps", what, ctxErr(b.ctx), b.steps)
}

// matcher returns m counted against the budget: each element m is tried
// on is a step.
func (b *budget) matcher(m goquery.Matcher) goquery.Matcher {
	if b.ctx.Done() == nil {
		return m
	}
	return budgetMatcher{m: m, b: b}
}

// budgetMatcher is a goquery.Matcher whose every element tried is a step
// of its budget. MatchAll and MatchFirst walk the subtree themselves (the
// node and its descendants, in document order, as cascadia does) so that
// a whole-document search checks the budget at every element.
type budgetMatcher struct {
	m goquery.Matcher
	b *budget
}

// Match tries one node.
func (bm budgetMatcher) Match(n *html.Node) bool {
	bm.b.step()
	return bm.m.Match(n)
}

// MatchAll returns n and its descendants that match.
func (bm budgetMatcher) MatchAll(n *html.Node) []*html.Node {
	var out []*html.Node
	bm.walk(n, func(c *html.Node) bool {
		out = append(out, c)
		return true
	})
	return out
}

// MatchFirst returns the first of n and its descendants that matches.
func (bm budgetMatcher) MatchFirst(n *html.Node) *html.Node {
	var first *html.Node
	bm.walk(n, func(c *html.Node) bool {
		first = c
		return false
	})
	return first
}

// Filter keeps the nodes that match.
func (bm budgetMatcher) Filter(nodes []*html.Node) []*html.Node {
	var out []*html.Node
	for _, n := range nodes {
		if bm.Match(n) {
			out = append(out, n)
		}
	}
	return out
}

// walk tries n and its descendants in document order, handing each match
// to found until it returns false. It keeps its own stack: a deep page
// costs no goroutine stack.
func (bm budgetMatcher) walk(n *html.Node, found func(*html.Node) bool) {
	stack := []*html.Node{n}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if bm.Match(c) && !found(c) {
			return
		}
		for k := c.LastChild; k != nil; k = k.PrevSibling {
			stack = append(stack, k)
		}
	}
}
