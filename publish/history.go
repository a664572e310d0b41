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

// NamedHistory is History for a model as a person names it: its
// canonical id or, when that has no history, any name
// catalog.Snapshot.ResolveModel takes (a source's id for it, the id in
// another case); the published catalogue is read only then. The doc's
// Model is the model's canonical id once the name resolved.
func NamedHistory(st *store.Store, name, provider string) (export.HistoryDoc, error) {
	doc, err := History(st, name, provider)
	if err != nil || len(doc.Offerings) > 0 {
		return doc, err
	}
	snap, err := st.Snapshot()
	if err != nil {
		return doc, err
	}
	id, ok, err := snap.ResolveModel(name)
	if err != nil || !ok || id == name {
		return doc, err
	}
	return History(st, id, provider)
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
