package publish

import (
	"log/slog"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export"
)

// comparisonsSection exports the record of each pair of snap's models the
// pair policy keeps, with the manifest that lists them (comparisons.json):
// compare says what the records are, the export builds only those whose
// models changed. A group of the policy that matches no model is logged.
func comparisonsSection(snap *catalog.Snapshot, o compare.Options, log *slog.Logger) export.Section {
	return func(t *export.Tree) error {
		set, err := compare.NewSet(snap, o)
		if err != nil {
			return err
		}
		for _, g := range set.EmptyGroups() {
			log.Warn("comparison group matches no model", "group", g)
		}
		_, err = t.WriteBulk(BulkSet(set, o.Workers))
		return err
	}
}

// WriteComparisons writes the comparison records of snap into t; see
// export.Tree.WriteBulk for what is built and what is kept.
func WriteComparisons(t *export.Tree, snap *catalog.Snapshot, o compare.Options) (export.BulkStats, error) {
	set, err := compare.NewSet(snap, o)
	if err != nil {
		return export.BulkStats{}, err
	}
	return t.WriteBulk(BulkSet(set, o.Workers))
}

// BulkSet is the export's view of a set of comparison records.
func BulkSet(set *compare.Set, workers int) export.BulkSet {
	inputs := make([]export.BulkInput, len(set.Sides))
	for i, s := range set.Sides {
		inputs[i] = export.BulkInput{ID: s.Model.ID, Fingerprint: s.Fingerprint}
	}
	return export.BulkSet{
		Manifest: compare.ManifestFile, Count: "comparisons", InputsKey: "models", Inputs: inputs,
		Fields: map[string]any{"blend": set.Blend(), "generator": compare.Generator, "pairs": set.Policy().Manifest(), "schema_version": compare.ManifestVersion},
		Total:  set.Pairs(), Rows: set.Rows(), Workers: workers,
		Row: func(i int) []export.BulkRecord {
			recs := set.Row(i)
			out := make([]export.BulkRecord, len(recs))
			for k, r := range recs {
				out[k] = export.BulkRecord{Path: r.Path, Inputs: []int{r.A, r.B}, Build: r.Encode}
			}
			return out
		},
	}
}
