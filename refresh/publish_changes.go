package refresh

import (
	"context"
	"fmt"
	"log/slog"
	"path"
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

// ChangesFile is the tree path of a run's change report.
func ChangesFile(run uint64) string { return path.Join("changes", strconv.FormatUint(run, 10)+".json") }

// HistoryFile is the tree path of a model's price history.
func HistoryFile(model string) string { return path.Join("history", catalog.FileStem(model)+".json") }

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
			if err := t.PutJSON(ChangesFile(cs.Run), rep); err != nil {
				return err
			}
		}
		return nil
	}
}

// HistoryDoc is history/<creator>--<slug>.json: every offering's published
// price timeline, each point with the run and date it took effect.
type HistoryDoc struct {
	SchemaVersion int               `json:"schema_version"`
	Model         string            `json:"model"`
	Offerings     []HistoryOffering `json:"offerings"`
}

// HistoryOffering is one offering's timeline, oldest point first.
type HistoryOffering struct {
	Key      string               `json:"key"`
	Provider string               `json:"provider"`
	Region   string               `json:"region,omitempty"`
	Variant  string               `json:"variant,omitempty"`
	Points   []catalog.PricePoint `json:"points"`
}

// History reads a model's price history as exported; provider, when set,
// keeps one provider's offerings.
func History(st *store.Store, model, provider string) (HistoryDoc, error) {
	h, err := st.History(model, provider)
	if err != nil {
		return HistoryDoc{}, err
	}
	doc := HistoryDoc{SchemaVersion: export.SchemaVersion, Model: model, Offerings: []HistoryOffering{}}
	for _, k := range store.HistoryKeys(h) {
		_, p, region, variant := store.SplitOfferingKey(k)
		doc.Offerings = append(doc.Offerings, HistoryOffering{Key: k, Provider: p, Region: region, Variant: variant, Points: h[k]})
	}
	return doc, nil
}

// historySection exports history/<creator>--<slug>.json for every model
// with price history, published or since removed.
func historySection(st *store.Store) export.Section {
	return func(t *export.Tree) error {
		models, err := st.HistoryModels()
		if err != nil {
			return err
		}
		for _, m := range models {
			doc, err := History(st, m, "")
			if err != nil {
				return err
			}
			if err := t.PutJSON(HistoryFile(m), doc); err != nil {
				return err
			}
		}
		return nil
	}
}

// deliver sends the run's JSON change report to the webhook after the
// commit and records how it went; a failure is logged, never fatal.
func deliver(ctx context.Context, st *store.Store, w changes.Webhook, run catalog.Run, cs catalog.ChangeSet, log *slog.Logger) *catalog.Delivery {
	rep, err := ChangeReport(st, []catalog.ChangeSet{cs})
	var body []byte
	if err == nil {
		body, err = export.Canonical(rep)
	}
	if err != nil {
		d := catalog.Delivery{Run: run.ID, URL: w.URL, At: run.FinishedAt, Error: "build report: " + err.Error()}
		log.Warn("webhook not sent", "run", run.ID, "error", err)
		return &d
	}
	d := w.Deliver(ctx, run.ID, body)
	if d.OK {
		log.Info("webhook delivered", "run", run.ID, "url", w.URL, "attempts", d.Attempts, "status", d.Status)
	} else {
		log.Warn("webhook delivery failed", "run", run.ID, "url", w.URL, "attempts", d.Attempts, "status", d.Status, "error", d.Error)
	}
	if err := st.RecordDelivery(d); err != nil {
		log.Warn("webhook delivery not recorded", "run", run.ID, "error", err)
	}
	return &d
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
