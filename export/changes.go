package export

import (
	"time"

	"github.com/llmref/llmref/catalog"
)

// ChangesIndexFile lists the tree's change reports (changes/<run-id>.json).
const ChangesIndexFile = "changes.json"

// ChangesIndex is changes.json: every change report of the tree, oldest
// run first, with what a reader picks one by (when, how many changes, how
// many still wait for an operator) and the fingerprint of what it was
// made from.
type ChangesIndex struct {
	SchemaVersion int            `json:"schema_version"`
	Reports       []ChangesEntry `json:"reports"`
}

// ChangesEntry is one change report as changes.json lists it.
type ChangesEntry struct {
	// Run is the run whose changes the report lists, and Path the
	// report's tree path (changes/<run-id>.json).
	Run  uint64 `json:"run"`
	Path string `json:"path"`
	// StartedAt is when the run started; Status how it ended (absent when
	// its record is gone).
	StartedAt time.Time         `json:"started_at"`
	Status    catalog.RunStatus `json:"status,omitempty"`
	// Changes counts the report's changes, and Pending those among them
	// still waiting for an operator's decision.
	Changes int `json:"changes"`
	Pending int `json:"pending"`
	// Holds are the holds the report's changes name, whose current states
	// the report shows.
	Holds []uint64 `json:"holds,omitempty"`
	// Inputs is the SHA-256 of everything the report is made from: the
	// run's changes as stored, its status and replay, its holds' current
	// states and the report's format. A report whose inputs kept their
	// fingerprint is kept from the previous generation, not made again.
	Inputs string `json:"inputs"`
}
