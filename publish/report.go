package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/changes"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/internal/version"
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

// reportContext reads the run records of the sets' runs and the holds
// their changes name, by id. (Reading every run record, and every hold,
// for a one-run report cost time with the history: a daemon's tens of
// thousands of runs, for each webhook report and each GET /changes.)
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
	var ids []uint64
	for _, cs := range sets {
		ids = append(ids, holdIDs(cs)...)
	}
	holds, err := st.HoldsByID(ids)
	if err != nil {
		return nil, nil, fmt.Errorf("change report: %w", err)
	}
	return runs, holds, nil
}

// changesSection exports changes/<run-id>.json for every run that recorded
// its changes (the JSON change report of that run, each held change with
// where its review stands now) and changes.json, which lists them.
//
// A report is made from its run's stored change set and record, the
// current states of the holds it names, and the report's format:
// changes.json keeps the fingerprint of these (export.ChangesEntry.Inputs)
// and a report whose inputs kept theirs is kept from the published
// generation: its changes are neither decoded nor made again. The sets
// are read a few at a time. (Every export decoded every set at once and
// made every report again: 1,000 runs of 50 changes, 1.0-1.2 s and 346
// MB allocated an export, growing with every run a daemon made.)
//
// The tree is the catalogue as of run upTo: a set of a later run (one
// committed while the sets are read, a batch at a time) is left to the
// tree that publishes it.
func changesSection(st *store.Store, upTo uint64, log *slog.Logger) export.Section {
	return func(t *export.Tree) error {
		w := reportWriter{st: st, t: t, format: reportFormat(), prev: previousReports(t), holds: map[uint64]catalog.Hold{}}
		idx := export.ChangesIndex{SchemaVersion: export.SchemaVersion, Reports: []export.ChangesEntry{}}
		err := st.EachChangeSet(t.Context(), func(sc store.StoredChangeSet) error {
			if sc.Run > upTo {
				return errLaterRun
			}
			e, err := w.report(sc)
			if err != nil {
				return err
			}
			idx.Reports = append(idx.Reports, e)
			return nil
		})
		if err != nil && !errors.Is(err, errLaterRun) {
			return err
		}
		log.Debug("change reports", "made", w.made, "kept", w.kept)
		return t.PutJSON(export.ChangesIndexFile, idx)
	}
}

// errLaterRun ends changesSection's walk at a set of a run after the
// tree's.
var errLaterRun = errors.New("a later run's changes")

// reportWriter writes one generation's change reports (changesSection).
type reportWriter struct {
	st     *store.Store
	t      *export.Tree
	format string                         // reportFormat
	prev   map[uint64]export.ChangesEntry // the published changes.json, by run
	// holds are the holds read so far, by id, with only what a report
	// shows of them (see reportHold).
	holds      map[uint64]catalog.Hold
	made, kept int
}

// report keeps or makes one run's report and returns its entry.
func (w *reportWriter) report(sc store.StoredChangeSet) (export.ChangesEntry, error) {
	file := export.ChangesFile(sc.Run)
	run, ok, err := sc.RunRecord()
	if err != nil {
		return export.ChangesEntry{}, err
	}
	if e, found := w.prev[sc.Run]; found && e.Path == file {
		hs, err := w.holdsOf(e.Holds)
		if err != nil {
			return e, err
		}
		if reportInputs(w.format, sc.Digest, run, e.Holds, hs) == e.Inputs && w.t.Keep(file) == nil {
			w.kept++
			return e, nil
		}
	}
	cs, err := sc.Decode()
	if err != nil {
		return export.ChangesEntry{}, err
	}
	runs := map[uint64]catalog.Run{}
	if ok {
		runs[sc.Run] = run
	}
	ids := holdIDs(cs)
	hs, err := w.holdsOf(ids)
	if err != nil {
		return export.ChangesEntry{}, err
	}
	rep := changes.NewReport([]catalog.ChangeSet{cs}, runs, hs)
	// Written a change at a time: a first run's report lists every model
	// and offering (17 MB at 8,000 pages).
	head := rep
	head.Changes = nil
	if err := w.t.PutJSONList(file, head, "changes", len(rep.Changes), func(i int) any { return &rep.Changes[i] }); err != nil {
		return export.ChangesEntry{}, err
	}
	w.made++
	return export.ChangesEntry{Run: sc.Run, Path: file, StartedAt: cs.At.UTC(), Status: run.Status, Changes: len(rep.Changes),
		Pending: len(rep.Held()), Holds: ids, Inputs: reportInputs(w.format, sc.Digest, run, ids, hs)}, nil
}

// holdsOf returns the holds of ids that exist, by id, read once each.
func (w *reportWriter) holdsOf(ids []uint64) (map[uint64]catalog.Hold, error) {
	var missing []uint64
	for _, id := range ids {
		if _, ok := w.holds[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		read, err := w.st.HoldsByID(missing)
		if err != nil {
			return nil, err
		}
		for _, id := range missing {
			h, ok := read[id]
			if !ok {
				h = catalog.Hold{} // none: the report shows the change as waiting
			} else {
				h = reportHold(h)
			}
			w.holds[id] = h
		}
	}
	out := make(map[uint64]catalog.Hold, len(ids))
	for _, id := range ids {
		if h := w.holds[id]; h.ID != 0 {
			out[id] = h
		}
	}
	return out, nil
}

// reportHold is what a change report shows of a hold (see
// changes.NewReport): its status, decision and first run.
func reportHold(h catalog.Hold) catalog.Hold {
	out := catalog.Hold{ID: h.ID, Status: h.Status, FirstRun: h.FirstRun}
	if h.Decision != nil {
		out.Decision = &catalog.Decision{At: h.Decision.At, Note: h.Decision.Note}
	}
	return out
}

// holdIDs are the holds a set's changes name, in order, each once.
func holdIDs(cs catalog.ChangeSet) []uint64 {
	var ids []uint64
	for _, c := range cs.Changes {
		if c.Hold != 0 {
			ids = append(ids, c.Hold)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// reportInputs is the fingerprint of what a run's report is made from:
// the report's format, the stored set (digest), what the report shows of
// the run's record (its status and replay: not the whole record, whose
// timings differ between two runs of the same data), and the states of
// the holds it names (ids; holds has those that exist).
func reportInputs(format string, digest [sha256.Size]byte, run catalog.Run, ids []uint64, holds map[uint64]catalog.Hold) string {
	h := sha256.New()
	fmt.Fprintf(h, "llmref change report\n%s\n%x\n%q %q\n", format, digest, run.Status, run.Replay)
	for _, id := range ids {
		hd, ok := holds[id]
		if !ok {
			fmt.Fprintf(h, "%d none\n", id)
			continue
		}
		at, note := "", ""
		if hd.Decision != nil {
			at, note = hd.Decision.At.UTC().Format(time.RFC3339Nano), hd.Decision.Note
		}
		fmt.Fprintf(h, "%d %q %q %q %d\n", id, hd.Status, at, note, hd.FirstRun)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// previousReports reads the published generation's changes.json, by run;
// empty when there is none, or it is not what the published index lists,
// or it does not read (every report is then made).
func previousReports(t *export.Tree) map[uint64]export.ChangesEntry {
	out := map[uint64]export.ChangesEntry{}
	b, err := t.ReadPrevious(export.ChangesIndexFile)
	if err != nil {
		return out
	}
	var idx export.ChangesIndex
	if json.Unmarshal(b, &idx) != nil || idx.SchemaVersion != export.SchemaVersion {
		return out
	}
	for _, e := range idx.Reports {
		out[e.Run] = e
	}
	return out
}

// reportFormat fingerprints how this build writes a change report: its
// version and the bytes it makes of a report exercising every part of
// one. A build that writes reports otherwise — a new release, or a
// development build whose report code changed — makes every report again.
var reportFormat = sync.OnceValue(func() string {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	src := catalog.SourceOf(catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityAggregator, Note: "n"})
	op, np, d := catalog.Fixed(100_000), catalog.Fixed(200_000), catalog.Money(100_000)
	cs := catalog.ChangeSet{Run: 2, At: at, Changes: []catalog.RunChange{
		{Change: catalog.Change{Kind: catalog.ChangePrice, Model: "a/b", Provider: "openrouter", Region: "r", Variant: "v", Field: "output",
			Old: "$0.10", New: "$0.20", OldPrice: &op, NewPrice: &np, Delta: &d, DeltaPct: "+100.0%", Source: src, Detail: "d"},
			ModelName: "B", Status: catalog.ChangeHeld, Hold: 1, Reasons: []string{"max_factor: 1.5"}},
		{Change: catalog.Change{Kind: catalog.ChangeModelAdded, Model: "a/c", Source: src}, Status: catalog.ChangePublished},
		{Change: catalog.Change{Kind: catalog.ChangeSpec, Model: "a/b", Field: "context_window", Old: "8K", New: "128K", Source: src},
			Status: catalog.ChangeRejected, Hold: 2},
	}}
	runs := map[uint64]catalog.Run{2: {ID: 2, Status: catalog.RunPartial, Replay: "fixtures/day1"}}
	holds := map[uint64]catalog.Hold{
		1: {ID: 1, Status: catalog.HoldPending, FirstRun: 1},
		2: {ID: 2, Status: catalog.HoldRejected, FirstRun: 2, Decision: &catalog.Decision{At: at, Note: "no"}},
	}
	b, err := export.Canonical(changes.NewReport([]catalog.ChangeSet{cs}, runs, holds))
	if err != nil {
		panic(fmt.Sprintf("change report format: %v", err)) // a report that does not encode: never exported either
	}
	sum := sha256.Sum256(append([]byte(version.Get().String()+"\n"), b...))
	return hex.EncodeToString(sum[:])
})

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
