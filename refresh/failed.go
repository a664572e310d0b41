package refresh

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

// ErrNothingFailed is returned (wrapped) by RunFailed when the last run
// left no source failed: there is nothing to read again.
var ErrNothingFailed = errors.New("nothing to read again: the last run left no source failed")

// RunFailed reads again, alone, the sources the last run left failed (a
// partial run's, a failed one's) that are still configured: the cron
// counterpart of the daemon's retry (a second crontab line half an hour
// after the nightly one). The others keep what they said. It returns
// ErrNothingFailed, naming the last run, when there are none, and what
// Run returns otherwise.
func RunFailed(ctx context.Context, st *store.Store, o Options) (*Result, error) {
	last, err := st.LastRun()
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w (no run yet)", ErrNothingFailed) // not a failure: no "refresh:" before it
	}
	if err != nil {
		return nil, fmt.Errorf("refresh: %w", err)
	}
	var only []string
	for _, s := range last.FailedSources() {
		if slices.ContainsFunc(o.Sources, func(src scrapers.Source) bool { return src.Name() == s.Source }) {
			only = append(only, s.Source)
		}
	}
	if len(only) == 0 {
		return nil, fmt.Errorf("%w (run %d, %s)", ErrNothingFailed, last.ID, last.Status)
	}
	o.Only = only
	return Run(ctx, st, o)
}
