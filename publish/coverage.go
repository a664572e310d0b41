package publish

import (
	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/coverage"
	"github.com/llmref/llmref/export"
)

// CoverageFile is the tree's coverage report.
const CoverageFile = "coverage.json"

// CoverageDoc is coverage.json, and what `llmref coverage --format json`
// prints: for every model and field of the reference page, whether it is
// sourced and by what kind of source, with totals per field and creator.
type CoverageDoc struct {
	SchemaVersion int `json:"schema_version"`
	coverage.Report
}

// Coverage measures the coverage of the published catalogue snap.
func Coverage(snap *catalog.Snapshot) CoverageDoc {
	return CoverageDoc{SchemaVersion: export.SchemaVersion, Report: coverage.Measure(snap)}
}

// coverageSection exports coverage.json, a model's row at a time (16 MB
// at 8,000 models: ~90 MB while it was made canonical whole).
func coverageSection(snap *catalog.Snapshot) export.Section {
	return func(t *export.Tree) error {
		doc := Coverage(snap)
		rows := doc.Models
		doc.Models = nil
		return t.PutJSONList(CoverageFile, doc, "models", len(rows), func(i int) any { return &rows[i] })
	}
}
