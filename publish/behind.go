package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/store"
)

// Behind compares the tree published at dir with st: when the tree holds
// an older run than the database's last committed one (a run whose export
// failed or was stopped, a tree copied from an older one), it says so in
// one line naming both runs; "" when the tree is as of that run (or newer:
// a database restored from a backup is not the tree's problem), or when
// either has no run to compare.
func Behind(st *store.Store, dir string) (string, error) {
	last, err := st.LastCommittedRun()
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("compare export %s with the database: %w", dir, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, export.IndexFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil // Verify names a missing index
	}
	if err != nil {
		return "", fmt.Errorf("compare export %s with the database: %w", dir, err)
	}
	var idx export.Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return "", nil // Verify names an unreadable index
	}
	if idx.Run >= last.ID {
		return "", nil
	}
	return fmt.Sprintf("the tree is behind the database: it holds run %d, the database's last committed run is %d (publish it again: llmref export)", idx.Run, last.ID), nil
}
