package publish

import (
	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export"
)

// comparisonsSection exports the record of every pair of snap's models
// with the manifest that lists them (comparisons.json): compare says what
// the records are, the export builds only those whose models changed.
func comparisonsSection(snap *catalog.Snapshot, o compare.Options) export.Section {
	return func(t *export.Tree) error {
		_, err := WriteComparisons(t, snap, o)
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
		Fields: map[string]any{"blend": set.Blend(), "generator": compare.Generator, "schema_version": compare.ManifestVersion},
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
