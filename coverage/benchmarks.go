package coverage

import "github.com/llmref/llmref/catalog"

// benchmarkSources names the sources of a model's benchmark results, one
// per sourced row, as the catalogue holds them (card evaluation tables,
// models.dev, creator docs).
func benchmarkSources(snap *catalog.Snapshot, model string) []catalog.SourceRef {
	m := snap.Models[model]
	if m == nil {
		return nil
	}
	var refs []catalog.SourceRef
	for _, f := range m.Benchmarks {
		if f.Sourced() {
			refs = append(refs, f.Source)
		}
	}
	return refs
}
