package refresh

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/llmref/llmref/catalog"
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
	sources := map[string]scrapers.Source{}
	stats := map[string]*catalog.SourceStats{}
	for _, s := range o.Sources {
		sources[s.Name()] = s
		stats[s.Name()] = &catalog.SourceStats{Source: s.Name(), Status: catalog.SourceReparsed, Statuses: map[string]int{}}
	}
	urls := make([]string, 0, len(prev))
	for u := range prev {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	var pages []catalog.Page
	for _, u := range urls {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("rebuild: %w", err)
		}
		p := prev[u]
		src, ok := sources[p.Source]
		if !ok {
			continue // a source no longer configured: its pages go, as in a refresh
		}
		st1 := stats[p.Source]
		p.Reused = true // unless read again below: its stored observations stand
		if p.BodySHA256 == "" {
			pages = append(pages, p)
			continue
		}
		body, err := st.Body(p.BodySHA256)
		if err == nil {
			var np catalog.Page
			if np, err = scrapers.Reparse(src, p, body); err == nil {
				p = np
				st1.Bytes += int64(len(body))
			}
		}
		if err != nil {
			st1.Status = catalog.SourceFailed
			st1.Errors = append(st1.Errors, fmt.Sprintf("%s: %v", u, err))
			p.Stale = true // as a refresh marks a page that fails
		}
		st1.Observations += p.ObservationCount()
		st1.AddWarnings(u, p.Warnings)
		pages = append(pages, p)
	}
	for _, s := range o.Sources {
		run.Sources = append(run.Sources, *stats[s.Name()])
	}
	log.Info("rebuilding", "pages", len(pages))
	return normaliseAndCommit(ctx, st, o, run, pages, nil, log)
}
