package serve

import (
	"errors"
	"io"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/changes"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/store"
)

// StoreReview is the Review of the database itself: the store's held
// changes and decisions, and the changes package's HTML report.
type StoreReview struct{}

var _ Review = StoreReview{}

// Pending lists the pending holds, oldest first.
func (StoreReview) Pending(st *store.Store) ([]catalog.Hold, error) {
	return st.Holds(catalog.HoldPending)
}

// Decide approves or rejects holds through the store (one transaction).
func (StoreReview) Decide(st *store.Store, approve bool, ids []uint64, note string, at time.Time) ([]catalog.Hold, error) {
	action := catalog.ActionReject
	if approve {
		action = catalog.ActionApprove
	}
	return st.Decide(action, ids, note, at, changes.ApplyDecision)
}

// ReportHTML renders the latest run's change report (publish.ChangeReport,
// the same report `llmref changes --format html` prints).
func (StoreReview) ReportHTML(st *store.Store, w io.Writer) error {
	run, err := st.LastRun()
	if err != nil {
		return err
	}
	cs, err := st.ChangeSet(run.ID)
	if errors.Is(err, store.ErrNotFound) {
		cs = catalog.ChangeSet{Run: run.ID, At: run.StartedAt} // a run that recorded no changes
	} else if err != nil {
		return err
	}
	rep, err := publish.ChangeReport(st, []catalog.ChangeSet{cs})
	if err != nil {
		return err
	}
	page, err := rep.HTML()
	if err != nil {
		return err
	}
	_, err = w.Write(page)
	return err
}
