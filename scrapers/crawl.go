package scrapers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/llmref/llmref/catalog"
)

// Outcome is what one crawl found: the current record of every page of
// every source (fresh, unchanged or carried over stale) and each source's
// figures. New bodies go to Options.KeepBody as they arrive.
type Outcome struct {
	// Pages are the pages' current records. A page confirmed unchanged or
	// carried over stale is Reused: its observations are the stored ones,
	// not loaded here.
	Pages []catalog.Page
	Stats []catalog.SourceStats
	// Changed reports whether anything the crawled sources said may differ
	// from the last run: a page parsed anew, a page failed, or a page of a
	// crawled source gone. When it is false, every page was confirmed
	// unchanged and the catalogue made from them stands as it is.
	Changed bool
}

// Crawl fetches every source through one collector (see Fetch), parses what
// changed, reuses what did not (304, or the same content hash: no parse,
// nothing loaded), and keeps each failing page's last good record, marked
// stale. prev holds the pages of the last run, by URL; their observations
// are not needed. One source failing never stops the others.
func Crawl(ctx context.Context, o Options, sources []Source, prev map[string]catalog.Page) (*Outcome, error) {
	return CrawlStaged(ctx, o, sources, nil, nil, prev)
}

// Next gives the sources of a staged crawl's next stage, from the pages
// read so far (fresh and unchanged, in URL order; a reused page's
// observations are not loaded). No source ends the crawl; an error stops
// it.
type Next func(ctx context.Context, read []catalog.Page) ([]Source, error)

// CrawlStaged is Crawl in stages: first's sources are fetched, and once
// every page they asked for or linked is handled, next says, from the pages
// read so far, which sources to fetch next; and so on until it gives none.
// One collector serves every stage, so per-host parallelism and delay, and
// robots.txt, hold across stages. Each source is crawled in one stage only.
// Once ctx is done no further stage starts, and the crawl ends as Crawl
// does; an error from next ends it too, and is returned with what was read.
//
// ahead are requests the second stage is likely to make (a planned
// source's configured pages, each naming its source): the first
// AheadMax of them are fetched beside the first stage, and each outcome
// is held until a stage asks for that URL — then handled as that stage's
// if the request is the same (source, kind and subject), else dropped and
// the URL fetched again — or dropped if none does. The workers then read
// pages while the first stage's list is fetched, parsed and planned from,
// which on a first run was time in which nothing else was read.
func CrawlStaged(ctx context.Context, o Options, first []Source, ahead []Request, next Next, prev map[string]catalog.Page) (*Outcome, error) {
	o = o.Defaults()
	c := &crawl{
		ctx: ctx, o: o, prev: prev, bySource: map[string]Source{}, next: next,
		// Sized for last run's pages: most runs read the same ones again.
		pages: make(map[string]catalog.Page, len(prev)), stats: map[string]*catalog.SourceStats{},
		failed: map[string]bool{}, unchanged: make(map[string]bool, len(prev)), start: map[string]time.Time{}, end: map[string]time.Time{},
		queued: make(map[string]string, len(prev)), refused: map[string]bool{}, gone: map[string]int{},
		ahead: map[string]*aheadFetch{},
	}
	if c.o.Validators == nil {
		c.o.Validators = c.validators
	}
	reqs, err := c.startStage(first)
	if err != nil {
		return nil, fmt.Errorf("crawl: %w", err)
	}
	if len(reqs) == 0 {
		reqs = c.advance()
	} else if next != nil {
		reqs = append(reqs, c.fetchAhead(ahead)...)
	}
	err = Fetch(ctx, c.o, reqs, c.handle)
	out := c.finish()
	if err == nil {
		err = c.stageErr
	}
	if err != nil {
		return out, fmt.Errorf("crawl: %w", err)
	}
	return out, nil
}

// startStage registers a stage's sources and returns their requests, each
// URL once across the crawl, counted as pending.
func (c *crawl) startStage(sources []Source) ([]Request, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var reqs []Request
	for _, s := range sources {
		name := s.Name()
		if _, dup := c.bySource[name]; dup {
			return nil, fmt.Errorf("source %q configured twice", name)
		}
		c.bySource[name] = s
		c.stats[name] = &catalog.SourceStats{Source: name, Statuses: map[string]int{}}
		c.start[name] = time.Now()
		for _, r := range s.Requests() {
			r.Source = name
			reqs = append(reqs, r)
		}
	}
	return c.queue(reqs), nil
}

// queue keeps the requests whose URL the crawl has not queued yet (as the
// fetcher, which fetches each URL once, would) and counts them as pending.
// A URL another source asked for first is refused to the later one (see
// refuse). A URL fetched ahead is claimed (see claim). c.mu is held.
func (c *crawl) queue(reqs []Request) []Request {
	out := reqs[:0:0]
	for _, r := range reqs {
		owner, seen := c.queued[r.URL]
		switch {
		case !seen:
			c.queued[r.URL] = r.Source
			c.pending++
			if r, fetch := c.claim(r); fetch {
				out = append(out, r)
			}
		case owner != r.Source:
			c.refuse(r, owner)
		}
	}
	return out
}

// AheadMax is how many requests a staged crawl fetches ahead of their
// stage (see CrawlStaged): about what the workers read while a first
// stage's list is fetched, parsed and planned from (~90 ms of a first
// 2,000-page refresh, ~230 at 8,000). Their bodies are held until it
// starts, at most aheadHeldBytes of them (~17 MB of 33 KB pages): one that
// lands beyond is let go, and fetched again when its stage asks for it.
const AheadMax = 512

// aheadHeldBytes bounds the bodies held for requests fetched ahead.
const aheadHeldBytes = 32 << 20

// aheadFetch is a request fetched ahead of its stage and where it stands.
type aheadFetch struct {
	req   Request // as fetched
	state aheadState
	held  Fetched // its outcome, while held
}

type aheadState int

const (
	aheadFlying  aheadState = iota // being fetched, not asked for yet
	aheadHeld                      // fetched, not asked for yet
	aheadClaimed                   // asked for while being fetched: handled when it lands
	aheadDropped                   // asked for otherwise while being fetched: dropped when it lands
	aheadSpilled                   // fetched, let go for want of room: fetched again when asked for
)

// fetchAhead registers up to AheadMax of the requests as fetched ahead
// (those of a URL not queued yet, once each) and returns them.
func (c *crawl) fetchAhead(reqs []Request) []Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Request
	for _, r := range reqs {
		if len(out) == AheadMax {
			break
		}
		if _, queued := c.queued[r.URL]; queued || c.ahead[r.URL] != nil || r.Source == "" {
			continue
		}
		r.ahead = true
		c.ahead[r.URL] = &aheadFetch{req: r}
		out = append(out, r)
	}
	return out
}

// claim is what becomes of a request a stage makes (counted as pending
// already) when its URL was fetched ahead: the outcome held, handed on
// (outcome set) if the request is the one fetched; one still being fetched
// handled when it lands (nothing to fetch); for another request, the URL
// fetched again (again set). Any other request is fetched as it is.
// c.mu is held.
func (c *crawl) claim(r Request) (Request, bool) {
	a, ok := c.ahead[r.URL]
	if !ok {
		return r, true
	}
	same := a.req.Source == r.Source && a.req.Kind == r.Kind && a.req.Subject == r.Subject
	if a.state == aheadHeld && outOfTime(a.held) {
		same = false // its source's own time starts now
	}
	switch {
	case same && a.state == aheadHeld:
		delete(c.ahead, r.URL)
		c.heldBytes -= int64(len(a.held.Body))
		r.outcome = &a.held
		return r, true
	case same && a.state == aheadFlying:
		a.state = aheadClaimed
		return r, false
	case a.state == aheadHeld:
		delete(c.ahead, r.URL)
		c.heldBytes -= int64(len(a.held.Body))
		c.letGo(a.held)
	case a.state == aheadSpilled:
		delete(c.ahead, r.URL)
	default:
		a.state = aheadDropped
	}
	r.again = true
	return r, true
}

// landed takes the outcome of a request fetched ahead, if f is one, and
// reports whether the crawl is done with it: held until a stage asks for
// its URL, or dropped; false when it was claimed meanwhile, and is
// handled now as the stage's — unless it ran out of its own time (its
// source's starts with its stage), when the URL is fetched again (again).
func (c *crawl) landed(f Fetched) (done bool, again []Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.ahead[f.URL]
	if !ok || !f.ahead {
		return false, nil
	}
	switch a.state {
	case aheadClaimed:
		delete(c.ahead, f.URL)
		if outOfTime(f) {
			r := a.req
			r.ahead, r.again = false, true
			return true, []Request{r}
		}
		return false, nil
	case aheadDropped:
		delete(c.ahead, f.URL)
		c.letGo(f)
		return true, nil
	}
	if c.heldBytes+int64(len(f.Body)) > aheadHeldBytes {
		a.state = aheadSpilled
		c.letGo(f)
		return true, nil
	}
	a.state, a.held = aheadHeld, f
	c.heldBytes += int64(len(f.Body))
	return true, nil
}

// letGo gives back the body of an outcome fetched ahead that the crawl
// does not use (nothing has read it: see Options.RecycleBodies).
func (c *crawl) letGo(f Fetched) {
	if c.o.RecycleBodies {
		recycle(f.Body)
	}
}

// outOfTime reports whether a request fetched ahead failed for want of
// time: its own deadline, which is not its source's.
func outOfTime(f Fetched) bool { return errors.Is(f.Err, ErrSourceDeadline) }

// refuse answers a source that asks for a URL another source of the crawl
// asked for first. A page is one record, kept under its URL (its
// validators, body and observations: the store's pages and a crawl's are
// keyed by it), so one source reads it in a run, the first that asked
// (sources in their configured order, then the pages they link). A page
// derived for the later source (see Derived: a tracked model's page that
// another source reads too) is left to the first with a warning; a page
// the later source is configured to read fails it, naming both, so that
// the operator points one of them elsewhere. c.mu is held.
func (c *crawl) refuse(r Request, owner string) {
	key := r.Source + " " + r.URL
	if c.refused[key] {
		return
	}
	c.refused[key] = true
	msg := fmt.Sprintf("source %q reads this page in this run (it asked first; a page is read by one source a run)", owner)
	if d, ok := c.bySource[r.Source].(Derived); ok && d.Derived(r.URL) {
		c.stats[r.Source].AddWarnings(r.URL, []string{msg + ": left to it"})
		return
	}
	c.fail(r.Source, fmt.Sprintf("%s: %s: point one of the two sources at another address", r.URL, msg))
}

// advance starts the next stage once the last one is done: the requests of
// the first next stage that has any, or none when the crawl is over.
func (c *crawl) advance() []Request {
	for {
		c.mu.Lock()
		next := c.next
		c.mu.Unlock()
		if next == nil || c.ctx.Err() != nil {
			return nil
		}
		srcs, err := next(c.ctx, c.read())
		if err == nil && len(srcs) > 0 {
			var reqs []Request
			if reqs, err = c.startStage(srcs); err == nil && (len(reqs) > 0 || c.waiting()) {
				return reqs // or none to fetch: every one was being fetched ahead
			}
		}
		if err != nil || len(srcs) == 0 {
			c.mu.Lock()
			c.next, c.stageErr = nil, err
			c.mu.Unlock()
			return nil
		}
	}
}

// waiting reports whether the stage has pages not handled yet.
func (c *crawl) waiting() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pending > 0
}

// read returns the pages read so far, in URL order.
func (c *crawl) read() []catalog.Page {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]catalog.Page, 0, len(c.pages))
	for _, p := range c.pages {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out
}

// validators are a URL's stored ETag and Last-Modified, unless its page
// failed last time, was read for another tracked set, or by another source
// than the one asking now.
func (c *crawl) validators(u string) (string, string) {
	p, ok := c.prev[u]
	c.mu.Lock()
	asker := c.queued[u]
	if a := c.ahead[u]; asker == "" && a != nil {
		asker = a.req.Source
	}
	c.mu.Unlock()
	if !ok || p.Stale || p.Source != asker || c.planKey(p.Source, p.Kind) != p.Plan {
		return "", ""
	}
	return p.ETag, p.LastModified
}

// planKey is what the source's reading of a kind of page depends on (see
// PlanKeyer); "" for most.
func (c *crawl) planKey(source, kind string) string {
	c.mu.Lock()
	src := c.bySource[source]
	c.mu.Unlock()
	if k, ok := src.(PlanKeyer); ok {
		return k.PlanKey(kind)
	}
	return ""
}

type crawl struct {
	ctx      context.Context
	o        Options
	prev     map[string]catalog.Page
	bySource map[string]Source // guarded by mu
	next     Next              // guarded by mu; nil once no stage follows

	mu     sync.Mutex
	pages  map[string]catalog.Page
	stats  map[string]*catalog.SourceStats
	failed map[string]bool
	// unchanged holds the URLs confirmed unchanged in this run.
	unchanged map[string]bool
	start     map[string]time.Time
	end       map[string]time.Time
	// queued holds every URL handed to the fetcher, with the source that
	// asked for it; pending counts those of the current stage not handled
	// yet. refused holds each "source URL" refused (see refuse).
	queued  map[string]string
	refused map[string]bool
	pending int
	// gone counts, per source, the derived pages it had stored that now
	// answer 404 or 410 (every such page is counted in its stats' Missing).
	gone     map[string]int
	stageErr error
	// ahead holds the requests fetched ahead of their stage that no
	// stage has taken yet, by URL (see CrawlStaged); heldBytes counts
	// the bodies of their outcomes held.
	ahead     map[string]*aheadFetch
	heldBytes int64
}

// handle records one fetch and returns the requests it leads to: the
// page's links and, when it was the current stage's last page, the next
// stage's requests.
func (c *crawl) handle(f Fetched) []Request {
	if done, again := c.landed(f); done {
		return again
	}
	src := c.source(f.Source)
	prev, hadPrev := c.prev[f.URL]
	if hadPrev && prev.Source != f.Source {
		// Another source's reading of the page (that source not crawled
		// now): not this one's record to reuse.
		hadPrev = false
	}
	page, body, same, err := c.evaluate(src, f, prev, hadPrev)
	c.keep(page.BodySHA256, body)
	if err == nil && c.o.RecycleBodies {
		recycle(f.Body) // parsed and kept: see Options.RecycleBodies
	}

	c.mu.Lock()
	more := c.queue(c.record(src, f, page, same, err, hadPrev))
	c.pending--
	last := c.pending == 0 && c.next != nil
	c.mu.Unlock()
	if last {
		more = append(more, c.advance()...)
	}
	return more
}

func (c *crawl) source(name string) Source {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bySource[name]
}

// record files one fetch's outcome in the crawl's figures and pages, and
// returns the page's links as requests. c.mu is held.
func (c *crawl) record(src Source, f Fetched, page catalog.Page, same bool, err error, hadPrev bool) []Request {
	st := c.stats[f.Source]
	st.Requests += f.Attempts
	if f.Attempts > 1 {
		st.Retries += f.Attempts - 1
	}
	for code, n := range f.Statuses {
		st.Statuses[fmt.Sprint(code)] += n
	}
	st.Bytes += int64(len(f.Body))
	if f.NotModified {
		st.NotModified++
	}
	if f.RobotsDenied {
		st.RobotsDenied++
	}
	c.end[f.Source] = time.Now()
	if err != nil && missing(src, f) {
		// A page the tracked set suggested and the site does not have:
		// said, not failed (see Derived).
		st.AddMissing(f.URL)
		if hadPrev {
			c.gone[f.Source]++
		}
		return nil
	}
	if err != nil {
		c.failed[f.Source] = true
		st.AddError(fmt.Sprintf("%s: %v", f.URL, err))
		return nil
	}
	c.pages[f.URL] = page
	st.AddWarnings(f.URL, page.Warnings)
	if same {
		c.unchanged[f.URL] = true
	}
	reqs := make([]Request, 0, len(page.Links))
	for _, l := range page.Links {
		reqs = append(reqs, Request{Source: f.Source, URL: l.URL, Kind: l.Kind, Subject: l.Subject})
	}
	return reqs
}

// missing reports whether a fetch is a derived page the site answered
// 404 or 410 for.
func missing(src Source, f Fetched) bool {
	var se *StatusError
	if !errors.As(f.Err, &se) || (se.Code != http.StatusNotFound && se.Code != http.StatusGone) {
		return false
	}
	d, ok := src.(Derived)
	return ok && d.Derived(f.URL)
}

// evaluate turns one fetch into the page's new record. It returns the body
// to keep when a new one was downloaded, and whether the page was confirmed
// unchanged (304, or the same content: no parse).
func (c *crawl) evaluate(src Source, f Fetched, prev catalog.Page, hadPrev bool) (catalog.Page, []byte, bool, error) {
	if f.Err != nil {
		return catalog.Page{}, nil, false, f.Err
	}
	if f.NotModified {
		if !hadPrev {
			return catalog.Page{}, nil, false, errors.New("304 Not Modified for a page never fetched")
		}
		return reused(prev, f.FetchedAt), nil, true, nil
	}
	sum := sha256.Sum256(f.Body)
	hash := hex.EncodeToString(sum[:])
	key := c.planKey(f.Source, f.Kind)
	if hadPrev && !prev.Stale && prev.BodySHA256 == hash && prev.Plan == key {
		p := reused(prev, f.FetchedAt)
		p.Status, p.FetchedAt = f.Status, f.FetchedAt // downloaded again: the same body, fetched now
		p.ETag, p.LastModified = f.Header.Get("ETag"), f.Header.Get("Last-Modified")
		return p, nil, true, nil
	}
	parsed, err := parseWithin(f.parseContext(), src, f.Kind, Response{URL: f.URL, Subject: f.Subject, Status: f.Status, Header: f.Header, Body: f.Body, RetrievedAt: f.FetchedAt})
	if err != nil {
		return catalog.Page{}, nil, false, err
	}
	if c.o.PackObservations {
		stamp(parsed.Observations, f.Source, f.URL, f.FetchedAt) // packed below, at their size
	} else {
		parsed.Observations = stampObservations(parsed.Observations, f.Source, f.URL, f.FetchedAt)
	}
	page := catalog.Page{
		Source: f.Source, URL: f.URL, Kind: f.Kind, Subject: f.Subject, Status: f.Status,
		ETag: f.Header.Get("ETag"), LastModified: f.Header.Get("Last-Modified"),
		ContentType: f.Header.Get("Content-Type"), BodySHA256: hash, Bytes: int64(len(f.Body)),
		FetchedAt: f.FetchedAt, CheckedAt: f.FetchedAt, Observations: parsed.Observations, Links: parsed.Links,
		Warnings: parsed.Warnings, Plan: key,
	}
	if c.o.PackObservations {
		page.Pack()
	}
	return page, f.Body, false, nil
}

// reused is the previous record of a page confirmed unchanged at t: its
// observations stand (their facts' retrieved_at follows the page's
// checked_at), so nothing is parsed. They are the ones prev carries, if it
// carries them, or else the store's, loaded only if the run needs them.
// Its status stays the one its body came with: a 304 confirms the record,
// it does not change it (and the store then leaves the record unwritten).
func reused(prev catalog.Page, t time.Time) catalog.Page {
	p := prev
	p.CheckedAt = t
	p.Stale, p.Error = false, ""
	p.Count = prev.ObservationCount()
	p.Reused = true
	return p
}

func (c *crawl) finish() *Outcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failGone()
	// A source that failed anywhere keeps every earlier page it did not
	// refresh, stale: a broken source never erases what it said before.
	for url, p := range c.prev {
		if _, ok := c.pages[url]; ok || !c.failed[p.Source] {
			continue
		}
		if _, configured := c.bySource[p.Source]; !configured {
			continue
		}
		p.Stale = true
		p.Error = "not refreshed: the source failed in this run"
		p.Count = p.ObservationCount()
		p.Reused = true
		c.pages[url] = p
	}
	out := &Outcome{Changed: len(c.failed) > 0, Pages: make([]catalog.Page, 0, len(c.pages))}
	for url, p := range c.pages {
		out.Pages = append(out.Pages, p)
		c.stats[p.Source].Observations += p.ObservationCount()
		if !c.unchanged[url] {
			out.Changed = true
		}
	}
	for url, p := range c.prev {
		if _, crawled := c.bySource[p.Source]; crawled {
			if _, ok := c.pages[url]; !ok {
				out.Changed = true // a page the source no longer links
			}
		}
	}
	sort.Slice(out.Pages, func(i, j int) bool { return out.Pages[i].URL < out.Pages[j].URL })
	names := make([]string, 0, len(c.stats))
	for n := range c.stats {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		st := c.stats[n]
		switch {
		case c.failed[n]:
			st.Status = catalog.SourceFailed
		case st.Requests == 0:
			// A planned source the tracked set gave nothing to read.
			st.Status = catalog.SourceSkipped
		case c.allUnchanged(n):
			st.Status = catalog.SourceUnchanged
		default:
			st.Status = catalog.SourceOK
		}
		if !c.end[n].IsZero() {
			st.DurationMS = c.end[n].Sub(c.start[n]).Milliseconds()
		}
		out.Stats = append(out.Stats, *st)
	}
	return out
}

// failGone fails a source most of whose stored pages answered 404 or 410,
// or all of whose pages did: one derived page gone is a model without that
// page; most of them gone is the site's addresses changing, and the
// source's earlier pages are kept.
func (c *crawl) failGone() {
	var any bool
	for _, st := range c.stats {
		any = any || st.Missing > 0
	}
	if !any {
		return
	}
	stored, read := map[string]int{}, map[string]int{}
	for _, p := range c.prev {
		stored[p.Source]++
	}
	for _, p := range c.pages {
		read[p.Source]++
	}
	for name, st := range c.stats {
		if st.Missing == 0 {
			continue
		}
		gone := c.gone[name]
		switch {
		case gone >= 2 && 2*gone > stored[name]:
			c.fail(name, fmt.Sprintf("%d of its %d stored pages answer 404 or 410: its addresses changed?", gone, stored[name]))
		case read[name] == 0 && !c.failed[name]:
			c.fail(name, fmt.Sprintf("every page it asked for (%d) answers 404 or 410: nothing read", st.Missing))
		}
	}
}

// fail marks a source failed with an error about the whole source, kept
// whatever the number of its pages' errors. c.mu is held.
func (c *crawl) fail(name, msg string) {
	c.failed[name] = true
	c.stats[name].Errors = append(c.stats[name].Errors, msg)
}

// allUnchanged reports whether every page of the source was confirmed
// unchanged (304 or the same content) in this run.
func (c *crawl) allUnchanged(source string) bool {
	n := 0
	for url, p := range c.pages {
		if p.Source != source {
			continue
		}
		if !c.unchanged[url] {
			return false
		}
		n++
	}
	return n > 0
}

// stampObservations sets what every observation of a page shares: its
// source, its page (unless the parser named another address) and the time
// the page's body was fetched (see stamp). It returns them in a slice of
// their own length when the parser's has much room to spare: a page's
// observations live until the run normalises them (unless packed), and a
// parser that appends leaves up to twice what it holds (an OpenAI model
// page, 27 observations in room for 52: half the crawl's live heap was
// room).
func stampObservations(obs []catalog.Observation, source, url string, at time.Time) []catalog.Observation {
	stamp(obs, source, url, at)
	if cap(obs)-len(obs) > len(obs)/8 {
		obs = append(make([]catalog.Observation, 0, len(obs)), obs...)
	}
	return obs
}

// stamp sets the observations' source, their URL when the parser left it
// empty, and their retrieval time, in place.
func stamp(obs []catalog.Observation, source, url string, at time.Time) {
	for i := range obs {
		o := &obs[i]
		o.Source = source
		if o.URL == "" {
			o.URL = url
		}
		o.RetrievedAt = at
	}
}
