package coverage

import "github.com/llmref/llmref/catalog"

// benchmarkSources is the seam between coverage and the catalogue's
// benchmark results: it names the sources of a model's benchmark rows.
// The catalogue holds no benchmark facts yet, so no model's benchmarks are
// sourced; when it does, this reads them.
func benchmarkSources(*catalog.Snapshot, string) []catalog.SourceRef { return nil }
