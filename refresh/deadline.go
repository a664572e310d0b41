package refresh

import (
	"context"
	"fmt"
	"time"
)

// sourceShare is the share of a run's remaining time each source may take
// at most (see sourceTimeout): the rest is left to normalising, committing
// and exporting what the sources said.
const (
	sourceShareNum = 3
	sourceShareDen = 4
)

// sourceTimeout is the deadline each source of a run gets: the configured
// one (fetch.source_timeout), but never more than three quarters of the
// time the run has left (a schedule's timeout may be shorter than
// run_timeout), so a source that runs out of time fails alone and the
// others still commit within the run's deadline. Zero configured and no
// deadline on ctx: no source deadline.
func sourceTimeout(ctx context.Context, configured time.Duration) time.Duration {
	dl, ok := ctx.Deadline()
	if !ok {
		return configured
	}
	share := time.Until(dl) / sourceShareDen * sourceShareNum
	if share <= 0 {
		share = time.Millisecond // already late: each source fails at once, named
	}
	if configured <= 0 || share < configured {
		return share
	}
	return configured
}

// stopped returns, once ctx is done (the run's deadline passed, or a
// signal came), the error that ends the run before stage: nothing of the
// run is committed, the database keeps the last one. Nil while ctx lives.
func stopped(ctx context.Context, stage string) error {
	if ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("refresh: stopped before %s, nothing committed: %w", stage, context.Cause(ctx))
}
