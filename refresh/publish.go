package refresh

import (
	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/store"
)

// Publish exports the published catalogue of st, as of run, to the tree at
// dir: the catalogue files and every further section (comparisons, price
// history, change reports). Both `refresh` and `export` publish through it,
// so the two always write the same tree.
func Publish(st *store.Store, dir string, snap *catalog.Snapshot, run catalog.Run, opts ...PublishOption) (export.Stats, error) {
	po := publishSettings(opts)
	var sections []export.Section
	// schema/*.schema.json, then comparisons.json and comparisons/<a>--vs--<b>.json
	sections = append(sections, schemaSection, compare.Section(snap, po.compare))
	sections = append(sections, changesSection(st)) // changes/<run-id>.json
	sections = append(sections, historySection(st)) // history/<creator>--<slug>.json
	return export.Write(dir, snap, run, sections...)
}
