package refresh

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/memlimit"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

// Rebuild re-reads every current page from its stored raw body with
// today's parsers and normalises the whole catalogue again, as a run of its
// own that fetches nothing: after a parser or a normaliser is fixed, the
// catalogue follows without waiting for the sources to change. Its changes
// go through the review rules like any run's. Its sources are "reparsed",
// never "ok": a rebuild fetches nothing, so it never moves a source's last
// successful fetch. A page whose body is missing, or that today's parser
// refuses, keeps its stored observations, marked stale exactly as a
// refresh marks a page that fails, and names the problem in its source's
// figures; the run is then partial.
func Rebuild(ctx context.Context, st *store.Store, o Options) (*Result, error) {
	o.defaults()
	log := o.Logger
	run := catalog.Run{StartedAt: o.Now().UTC().Truncate(time.Second), Status: catalog.RunRunning, Replay: "rebuild",
		Normalization: o.Normalization.Fingerprint()}
	prev, err := st.Pages()
	if err != nil {
		return nil, fmt.Errorf("rebuild: %w", err)
	}
	if len(prev) == 0 {
		return nil, fmt.Errorf("rebuild: the database holds no pages (run `llmref refresh` first)")
	}
	// Planned sources read as they would for the tracked set the stored
	// pages give: what a source reads of a list can depend on it.
	planned, err := plannedSources(st, o, prev)
	if err != nil {
		return nil, fmt.Errorf("rebuild: %w", err)
	}
	sources := map[string]scrapers.Source{}
	stats := map[string]*catalog.SourceStats{}
	for _, s := range planned {
		sources[s.Name()] = s
		stats[s.Name()] = &catalog.SourceStats{Source: s.Name(), Status: catalog.SourceReparsed, Statuses: map[string]int{}}
	}
	// Source by source, each within its own deadline (as a crawl's): a
	// parse that runs out of time fails its source alone, and the others
	// are read and committed.
	bySource := map[string][]string{}
	for u, p := range prev {
		if _, ok := sources[p.Source]; ok { // a source no longer configured: its pages go, as in a refresh
			bySource[p.Source] = append(bySource[p.Source], u)
		}
	}
	var pages []catalog.Page
	bound := memlimit.Crawl() // the re-reading holds what it parses, as a crawl does: see internal/memlimit
	for _, src := range planned {
		urls := bySource[src.Name()]
		sort.Strings(urls)
		read, err := reparseSource(ctx, st, o, src, prev, urls, stats[src.Name()])
		if err != nil {
			bound.Restore()
			return nil, err
		}
		pages = append(pages, read...)
	}
	bound.Restore()
	sort.Slice(pages, func(i, j int) bool { return pages[i].URL < pages[j].URL })
	for _, s := range o.Sources {
		run.Sources = append(run.Sources, *stats[s.Name()])
	}
	log.Info("rebuilding", "pages", len(pages))
	gc := memlimit.Stages() // the same stages as a refresh's: see internal/memlimit
	defer gc.Restore()
	return normaliseAndCommit(ctx, st, o, run, pages, log)
}

// reparseSource reads a source's stored pages (urls) again within the
// source's deadline: the configured fetch.source_timeout, but at most three
// quarters of the time the run has left (see sourceTimeout), counted from
// its first page. A page whose body is missing, that the parser refuses or
// that the deadline cuts short keeps its stored observations, stale, and
// is named in st1; a deadline fails the source's remaining pages at once.
// Once the run's own context is done it stops, committing nothing.
func reparseSource(ctx context.Context, st *store.Store, o Options, src scrapers.Source, prev map[string]catalog.Page, urls []string, st1 *catalog.SourceStats) ([]catalog.Page, error) {
	sctx, cancel := scrapers.WithSourceDeadline(ctx, sourceTimeout(ctx, o.Fetch.SourceTimeout))
	defer cancel()
	stop := func() error {
		return fmt.Errorf("rebuild: stopped while re-reading %s, nothing committed: %w", src.Name(), context.Cause(ctx))
	}
	pages := make([]catalog.Page, 0, len(urls))
	for _, u := range urls {
		if ctx.Err() != nil {
			return nil, stop()
		}
		p := prev[u]
		p.Reused = true // unless read again below: its stored observations stand
		if p.BodySHA256 == "" {
			pages = append(pages, p)
			continue
		}
		body, err := st.Body(p.BodySHA256)
		if err == nil {
			var np catalog.Page
			if np, err = scrapers.Reparse(sctx, src, p, body); err == nil {
				p = np
				p.Pack() // held until normalising, as a crawl holds what it parses
				st1.Bytes += int64(len(body))
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, stop() // the run's end, not the page's
			}
			st1.Status = catalog.SourceFailed
			st1.AddError(fmt.Sprintf("%s: %v", u, err))
			p.Stale = true // as a refresh marks a page that fails
		}
		st1.Observations += p.ObservationCount()
		st1.AddWarnings(u, p.Warnings)
		pages = append(pages, p)
	}
	return pages, nil
}
