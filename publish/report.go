package publish

import (
	"context"
	"fmt"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/changes"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/store"
)

// ChangeReport builds the change report of the given change sets, with each
// run's record and each hold's current state read from st.
func ChangeReport(st *store.Store, sets []catalog.ChangeSet) (changes.Report, error) {
	runs, holds, err := reportContext(st)
	if err != nil {
		return changes.Report{}, err
	}
	return changes.NewReport(sets, runs, holds), nil
}

// reportContext reads every run record and hold, by id.
func reportContext(st *store.Store) (map[uint64]catalog.Run, map[uint64]catalog.Hold, error) {
	all, err := st.Runs()
	if err != nil {
		return nil, nil, fmt.Errorf("change report: %w", err)
	}
	runs := make(map[uint64]catalog.Run, len(all))
	for _, r := range all {
		runs[r.ID] = r
	}
	hs, err := st.Holds()
	if err != nil {
		return nil, nil, fmt.Errorf("change report: %w", err)
	}
	holds := make(map[uint64]catalog.Hold, len(hs))
	for _, h := range hs {
		holds[h.ID] = h
	}
	return runs, holds, nil
}

// changesSection exports changes/<run-id>.json for every run that recorded
// its changes: the JSON change report of that run, each held change with
// where its review stands now.
func changesSection(st *store.Store) export.Section {
	return func(t *export.Tree) error {
		sets, err := st.ChangeSets(time.Time{})
		if err != nil {
			return err
		}
		runs, holds, err := reportContext(st)
		if err != nil {
			return err
		}
		for _, cs := range sets {
			rep := changes.NewReport([]catalog.ChangeSet{cs}, runs, holds)
			if err := t.PutJSON(export.ChangesFile(cs.Run), rep); err != nil {
				return err
			}
		}
		return nil
	}
}

// Notify sends the run's JSON change report to the webhook, after the run
// committed, and records how it went. It returns nil when there is no
// webhook or the run has no changes; a failure is logged, never fatal.
func (p *Publisher) Notify(ctx context.Context, st *store.Store, run catalog.Run, cs catalog.ChangeSet) *catalog.Delivery {
	if p == nil || p.Webhook.URL == "" || len(cs.Changes) == 0 {
		return nil
	}
	log := p.log()
	rep, err := ChangeReport(st, []catalog.ChangeSet{cs})
	var body []byte
	if err == nil {
		body, err = export.Canonical(rep)
	}
	if err != nil {
		d := catalog.Delivery{Run: run.ID, URL: p.Webhook.URL, At: run.FinishedAt, Error: "build report: " + err.Error()}
		log.Warn("webhook not sent", "run", run.ID, "error", err)
		return &d
	}
	d := p.Webhook.Deliver(ctx, run.ID, body)
	if d.OK {
		log.Info("webhook delivered", "run", run.ID, "url", p.Webhook.URL, "attempts", d.Attempts, "status", d.Status)
	} else {
		log.Warn("webhook delivery failed", "run", run.ID, "url", p.Webhook.URL, "attempts", d.Attempts, "status", d.Status, "error", d.Error)
	}
	if err := st.RecordDelivery(d); err != nil {
		log.Warn("webhook delivery not recorded", "run", run.ID, "error", err)
	}
	return &d
}
