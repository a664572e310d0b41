package serve

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/changes"
	"github.com/llmref/llmref/export"
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

// reportRows is the most rows each section of the served change report
// shows (changes.Report.HTMLShort): the page of a large night stays one a
// browser opens, its largest moves first.
const reportRows = 500

// ReportKey names what the latest change report's page depends on: the
// latest run (its id, status and end) and the last decision made (its
// number, action and time), which changes where its holds stand.
func (StoreReview) ReportKey(st *store.Store) (string, error) {
	run, err := st.LastRun()
	if err != nil {
		return "", err
	}
	key := fmt.Sprintf("run %d %s %s", run.ID, run.Status, run.FinishedAt.Format(time.RFC3339Nano))
	d, n, err := st.LastDecision()
	switch {
	case errors.Is(err, store.ErrNotFound):
		return key + "; no decision", nil
	case err != nil:
		return "", err
	}
	return fmt.Sprintf("%s; decision %d %s %s", key, n, d.Action, d.At.Format(time.RFC3339Nano)), nil
}

// ReportHTML renders the latest run's change report (publish.ChangeReport,
// the report `llmref changes --format html` prints), each section shortened
// to reportRows rows.
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
	page, err := rep.HTMLShort(reportRows, fmt.Sprintf("the whole report: llmref changes --run %d --format html (or json) prints it, and the export holds it as %s", run.ID, export.ChangesFile(run.ID)))
	if err != nil {
		return err
	}
	_, err = w.Write(page)
	return err
}
