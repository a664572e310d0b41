package export

import (
	"path"
	"strconv"

	"github.com/llmref/llmref/catalog"
)

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

// HistoryFile is the tree path of a model's price history.
func HistoryFile(model string) string { return path.Join("history", catalog.FileStem(model)+".json") }

// ChangesFile is the tree path of a run's change report.
func ChangesFile(run uint64) string {
	return path.Join("changes", strconv.FormatUint(run, 10)+".json")
}
