package publish

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/changes"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/store"
)

// ChangeReport builds the change report of the given change sets, with each
// run's record and each hold's current state read from st.
func ChangeReport(st *store.Store, sets []catalog.ChangeSet) (changes.Report, error) {
	runs, holds, err := reportContext(st, sets)
	if err != nil {
		return changes.Report{}, err
	}
	return changes.NewReport(sets, runs, holds), nil
}

// reportContext reads the run records of the sets' runs and every hold,
// by id. (Reading every run record for a one-run report cost time with the
// history: a daemon's tens of thousands of runs, for each webhook report
// and each GET /changes.)
func reportContext(st *store.Store, sets []catalog.ChangeSet) (map[uint64]catalog.Run, map[uint64]catalog.Hold, error) {
	runs := make(map[uint64]catalog.Run, len(sets))
	for _, cs := range sets {
		r, err := st.Run(cs.Run)
		if errors.Is(err, store.ErrNotFound) {
			continue // a set without its run record: the report says less of it
		}
		if err != nil {
			return nil, nil, fmt.Errorf("change report: %w", err)
		}
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
		runs, holds, err := reportContext(st, sets)
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
//
// Once a report went through, the earlier ones whose delivery had failed
// since the last that went through (at most resendMax, the newest) are
// sent again, oldest first, until one fails: a receiver down for a night
// gets that night's report with the next one. (They were never sent
// again: only `llmref notify` would.)
func (p *Publisher) Notify(ctx context.Context, st *store.Store, run catalog.Run, cs catalog.ChangeSet) *catalog.Delivery {
	d := p.deliver(ctx, st, run, cs)
	if d != nil && d.OK {
		p.resendFailed(ctx, st, run.ID)
	}
	return d
}

// resendMax is how many earlier reports a delivery that went through
// sends again (see Notify); older ones wait for `llmref notify --run`.
const resendMax = 5

// resendFailed sends again the reports of the runs before run whose
// delivery failed since the last that went through, oldest first, until
// one fails.
func (p *Publisher) resendFailed(ctx context.Context, st *store.Store, run uint64) {
	log := p.log()
	failed, err := st.FailedDeliveries(run, resendMax)
	if err != nil {
		log.Warn("webhook: earlier failed deliveries not read", "error", err)
		return
	}
	for _, id := range failed {
		r, err := st.Run(id)
		if err != nil {
			continue
		}
		cs, err := st.ChangeSet(id)
		if err != nil {
			continue
		}
		if d := p.deliver(ctx, st, r, cs); d == nil || !d.OK {
			return // failing again: the rest wait for the next delivery
		}
		log.Info("webhook: an earlier run's report sent again", "run", id)
	}
}

// deliver sends one run's report and records how it went; nil when there
// is no webhook or the run has no changes.
func (p *Publisher) deliver(ctx context.Context, st *store.Store, run catalog.Run, cs catalog.ChangeSet) *catalog.Delivery {
	if p == nil || p.Webhook.URL == "" || len(cs.Changes) == 0 {
		return nil
	}
	log := p.log()
	rep, err := ChangeReport(st, []catalog.ChangeSet{cs})
	var body []byte
	omitted := 0
	if err == nil {
		complete := ""
		if p.Enabled() {
			complete = export.ChangesFile(run.ID)
		}
		body, omitted, err = reportWithin(rep, p.Webhook.Limit(), complete)
	}
	if err != nil {
		d := catalog.Delivery{Run: run.ID, URL: p.Webhook.URL, At: run.FinishedAt, Error: "build report: " + err.Error()}
		log.Warn("webhook not sent", "run", run.ID, "error", err)
		return &d
	}
	if omitted > 0 {
		log.Warn("webhook report shortened to its size limit", "run", run.ID, "changes_sent", len(rep.Changes)-omitted,
			"omitted", omitted, "max_bytes", p.Webhook.Limit(), "whole_report", "llmref changes --run "+strconv.FormatUint(run.ID, 10)+" --format json")
	}
	d := p.Webhook.Deliver(ctx, run.ID, body)
	d.Omitted = omitted
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

// reportWithin is rep's JSON in at most limit bytes: the whole report when
// it fits, else the report shortened to the most changes that fit
// (changes.Report.Shortened: those waiting for an operator first), naming
// where the whole one is (complete, when a tree is published). It returns
// how many changes it left out. A report whose counts alone pass the limit
// is sent with no change (the configured limit is at least
// webhook.MinMaxBytes: its counts are a few hundred bytes).
//
// A first run reports every model and offering as new: ~750 KB at 300
// models, ~2.5 MB at 1,000, past what many receivers take (nginx's
// default client_max_body_size, 1 MiB, answers 413), and the report never
// arrived. Nightly reports are small and sent whole.
func reportWithin(rep changes.Report, limit int, complete string) ([]byte, int, error) {
	body, err := export.Canonical(rep)
	if err != nil || len(body) <= limit {
		return body, 0, err
	}
	encode := func(keep int) ([]byte, error) {
		r := rep.Shortened(keep)
		r.CompleteReport = complete
		return export.Canonical(r)
	}
	// The most changes that fit: a report with one change more is never
	// shorter. lo fits (or is 0), hi does not. The sizes grow about
	// linearly with the changes kept, so the next guess is where the line
	// through lo's and hi's sizes meets the limit (every third a halving,
	// for a report whose changes differ much in size): 4 encodings where
	// halving took 14 (a 4.2 MB report to 1 MiB: 232 ms, 425 halving).
	empty, err := encode(0)
	if err != nil {
		return nil, 0, err
	}
	lo, hi := 0, len(rep.Changes)
	loSize, hiSize := len(empty), len(body)
	best := empty
	for step := 0; hi-lo > 1; step++ {
		mid := lo + (hi-lo)/2
		if step%3 != 2 && hiSize > loSize {
			mid = lo + int(float64(hi-lo)*float64(limit-loSize)/float64(hiSize-loSize))
			mid = min(max(mid, lo+1), hi-1)
		}
		b, err := encode(mid)
		if err != nil {
			return nil, 0, err
		}
		if len(b) <= limit {
			lo, loSize, best = mid, len(b), b
		} else {
			hi, hiSize = mid, len(b)
		}
	}
	return best, len(rep.Changes) - lo, nil
}
