package publish

import (
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/store"
)

// History reads a model's price history as exported; provider, when set,
// keeps one provider's offerings.
func History(st *store.Store, model, provider string) (export.HistoryDoc, error) {
	h, err := st.History(model, provider)
	if err != nil {
		return export.HistoryDoc{}, err
	}
	doc := export.HistoryDoc{SchemaVersion: export.SchemaVersion, Model: model, Offerings: []export.HistoryOffering{}}
	for _, k := range store.HistoryKeys(h) {
		_, p, region, variant := store.SplitOfferingKey(k)
		doc.Offerings = append(doc.Offerings, export.HistoryOffering{Key: k, Provider: p, Region: region, Variant: variant, Points: h[k]})
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
			if err := t.PutJSON(export.HistoryFile(m), doc); err != nil {
				return err
			}
		}
		return nil
	}
}
