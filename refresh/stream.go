package refresh

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

// crawlToStore crawls the selected sources, stage by stage as the tracked
// set plans them, with every new raw body going to
// the store as it arrives, in batches of their own transactions (see
// store.BodyStream): the run holds no body until its commit, and the
// commit writes none. The bodies stay unreferenced until the commit's page
// records name them, so what the run publishes is still all-or-nothing. A
// failure to store them fails the run before anything is committed.
func crawlToStore(ctx context.Context, st *store.Store, o Options, selected []scrapers.Source, prev map[string]catalog.Page, log *slog.Logger) (*scrapers.Outcome, error) {
	bodies, err := st.StreamBodies()
	if err != nil {
		return nil, err
	}
	o.Fetch.KeepBody = bodies.Put
	outcome, crawlErr := crawlTracked(ctx, st, o, selected, prev, log) // see track.go
	stats, err := bodies.Close()
	if err != nil {
		return nil, fmt.Errorf("%w (nothing committed)", err)
	}
	log.Debug("raw bodies stored", "bodies", stats.Bodies, "bytes", stats.Bytes, "batches", stats.Batches)
	return outcome, crawlErr
}

// dropObservations lets a run's parse results go once they are normalised
// and encoded for the commit (prepared): the commit needs only each page's
// record and count, and the parse results were, with the catalogue being
// built from them, most of what a run held.
func dropObservations(pages []catalog.Page, prepared *store.Prepared) {
	prepared.Wait()
	for i := range pages {
		p := &pages[i]
		p.Count = p.ObservationCount()
		p.Observations = nil
	}
}
