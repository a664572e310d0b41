package refresh

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

// KeptEvery is how often, in new bodies kept, Options.Kept hears of them
// after the first.
const KeptEvery = 128

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
	o.Fetch.PackObservations = true // held until normalising: see catalog.Packed
	o.Fetch.RecycleBodies = true    // bodies.Put compresses a copy
	if kept := o.Kept; kept != nil {
		var n atomic.Int64
		o.Fetch.KeepBody = func(sum string, body []byte) {
			if k := n.Add(1); k == 1 || k%KeptEvery == 0 {
				kept(int(k))
			}
			bodies.Put(sum, body)
		}
	}
	outcome, crawlErr := crawlTracked(ctx, st, o, selected, prev, log) // see track.go
	stats, err := bodies.Close()
	if err != nil {
		return nil, fmt.Errorf("%w (nothing committed)", err)
	}
	log.Debug("raw bodies stored", "bodies", stats.Bodies, "bytes", stats.Bytes, "batches", stats.Batches)
	return outcome, crawlErr
}

// letGo lets a run's parse results go page by page, once both their
// readers are done with the page: the commit's encoding of its records
// (store.PrepareEach), which runs beside the normalisation, and the
// normalisation (normalize.Input.Done). The commit needs only each page's
// record and count, and the parse results were, with the catalogue being
// built from them, most of what a run held: now the catalogue grows as
// they go. The pages may be read again (by anything else) only after the
// preparation is waited for and the normalisation has returned.
type letGo struct {
	pages []catalog.Page
	read  []atomic.Uint32 // readers done with each page
}

func newLetGo(pages []catalog.Page) *letGo {
	return &letGo{pages: pages, read: make([]atomic.Uint32, len(pages))}
}

// done records that one of the two readers is done with page i; the
// second lets the page's observations go, keeping their count.
func (l *letGo) done(i int) {
	if l.read[i].Add(1) == 2 {
		l.pages[i].DropObservations()
	}
}
