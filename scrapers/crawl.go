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
// every source (fresh, unchanged or carried over stale), the new bodies to
// keep, and each source's figures.
type Outcome struct {
	// Pages are the pages' current records. A page confirmed unchanged or
	// carried over stale is Reused: its observations are the stored ones,
	// not loaded here.
	Pages []catalog.Page
	// Bodies holds each fetched body by its SHA-256 (hex).
	Bodies map[string][]byte
	Stats  []catalog.SourceStats
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
	o = o.Defaults()
	if o.Validators == nil {
		o.Validators = func(u string) (string, string) {
			p, ok := prev[u]
			if !ok || p.Stale {
				return "", ""
			}
			return p.ETag, p.LastModified
		}
	}
	c := &crawl{
		o: o, prev: prev, bySource: map[string]Source{},
		// Sized for last run's pages: most runs read the same ones again.
		pages: make(map[string]catalog.Page, len(prev)), bodies: map[string][]byte{}, stats: map[string]*catalog.SourceStats{},
		failed: map[string]bool{}, unchanged: make(map[string]bool, len(prev)), start: map[string]time.Time{}, end: map[string]time.Time{},
	}
	var reqs []Request
	for _, s := range sources {
		name := s.Name()
		if _, dup := c.bySource[name]; dup {
			return nil, fmt.Errorf("crawl: source %q configured twice", name)
		}
		c.bySource[name] = s
		c.stats[name] = &catalog.SourceStats{Source: name, Statuses: map[string]int{}}
		c.start[name] = time.Now()
		for _, r := range s.Requests() {
			r.Source = name
			reqs = append(reqs, r)
		}
	}
	err := Fetch(ctx, o, reqs, c.handle)
	out := c.finish()
	if err != nil {
		return out, fmt.Errorf("crawl: %w", err)
	}
	return out, nil
}

type crawl struct {
	o        Options
	prev     map[string]catalog.Page
	bySource map[string]Source

	mu     sync.Mutex
	pages  map[string]catalog.Page
	bodies map[string][]byte
	stats  map[string]*catalog.SourceStats
	failed map[string]bool
	// unchanged holds the URLs confirmed unchanged in this run.
	unchanged map[string]bool
	start     map[string]time.Time
	end       map[string]time.Time
}

func (c *crawl) handle(f Fetched) []Request {
	src := c.bySource[f.Source]
	prev, hadPrev := c.prev[f.URL]
	page, body, same, err := c.evaluate(src, f, prev, hadPrev)
	body = c.keep(page.BodySHA256, body)

	c.mu.Lock()
	defer c.mu.Unlock()
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
	if err != nil {
		c.failed[f.Source] = true
		st.Errors = append(st.Errors, fmt.Sprintf("%s: %v", f.URL, err))
		return nil
	}
	c.pages[f.URL] = page
	st.AddWarnings(f.URL, page.Warnings)
	if same {
		c.unchanged[f.URL] = true
	}
	if body != nil {
		c.bodies[page.BodySHA256] = body
	}
	reqs := make([]Request, 0, len(page.Links))
	for _, l := range page.Links {
		reqs = append(reqs, Request{Source: f.Source, URL: l.URL, Kind: l.Kind, Subject: l.Subject})
	}
	return reqs
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
	if hadPrev && !prev.Stale && prev.BodySHA256 == hash {
		p := reused(prev, f.FetchedAt)
		p.Status, p.FetchedAt = f.Status, f.FetchedAt // downloaded again: the same body, fetched now
		p.ETag, p.LastModified = f.Header.Get("ETag"), f.Header.Get("Last-Modified")
		return p, nil, true, nil
	}
	parsed, err := src.Parse(f.Kind, Response{URL: f.URL, Status: f.Status, Header: f.Header, Body: f.Body, RetrievedAt: f.FetchedAt})
	if err != nil {
		return catalog.Page{}, nil, false, fmt.Errorf("parse %s page: %w", f.Kind, err)
	}
	stampObservations(parsed.Observations, f.Source, f.URL, f.FetchedAt)
	return catalog.Page{
		Source: f.Source, URL: f.URL, Kind: f.Kind, Subject: f.Subject, Status: f.Status,
		ETag: f.Header.Get("ETag"), LastModified: f.Header.Get("Last-Modified"),
		ContentType: f.Header.Get("Content-Type"), BodySHA256: hash, Bytes: int64(len(f.Body)),
		FetchedAt: f.FetchedAt, CheckedAt: f.FetchedAt, Observations: parsed.Observations, Links: parsed.Links,
		Warnings: parsed.Warnings,
	}, f.Body, false, nil
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
	out := &Outcome{Bodies: c.bodies, Changed: len(c.failed) > 0, Pages: make([]catalog.Page, 0, len(c.pages))}
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
// the page's body was fetched.
func stampObservations(obs []catalog.Observation, source, url string, at time.Time) {
	for i := range obs {
		o := &obs[i]
		o.Source = source
		if o.URL == "" {
			o.URL = url
		}
		o.RetrievedAt = at
	}
}

// Reparse reads a stored page again from its raw body with the source's
// current parser, as `llmref rebuild` does after a parser is fixed: the
// page's record (validators, hash, dates) stays as it was; its observations
// and links are read anew.
func Reparse(src Source, p catalog.Page, body []byte) (catalog.Page, error) {
	h := http.Header{}
	if p.ContentType != "" {
		h.Set("Content-Type", p.ContentType)
	}
	if p.ETag != "" {
		h.Set("ETag", p.ETag)
	}
	if p.LastModified != "" {
		h.Set("Last-Modified", p.LastModified)
	}
	parsed, err := src.Parse(p.Kind, Response{URL: p.URL, Status: http.StatusOK, Header: h, Body: body, RetrievedAt: p.FetchedAt})
	if err != nil {
		return p, fmt.Errorf("parse %s page: %w", p.Kind, err)
	}
	stampObservations(parsed.Observations, p.Source, p.URL, p.FetchedAt)
	p.Observations, p.Links, p.Warnings = parsed.Observations, parsed.Links, parsed.Warnings
	p.Count = len(parsed.Observations)
	p.Reused = false
	return p, nil
}
