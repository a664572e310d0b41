package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// RecordRun records a run that committed nothing — a failed run: its
// record (status, error, each source's figures) is kept so that operators
// and health checks see what happened, while the published catalogue, its
// history, the pages and the holds stay exactly as they were.
func (s *Store) RecordRun(run catalog.Run) (uint64, error) {
	var id uint64
	err := s.update(func(tx *bolt.Tx) error {
		runs := tx.Bucket(bRuns)
		runs.FillPercent = 1.0 // append-only, sequential keys
		var err error
		if id, err = runs.NextSequence(); err != nil {
			return err
		}
		run.ID = id
		return putJSON(runs, u64(id), run)
	})
	if err != nil {
		return 0, fmt.Errorf("record run: %w", err)
	}
	return id, nil
}

// LastCommittedRun returns the latest run that committed (any but a failed
// one), or ErrNotFound: the run the published catalogue is as of.
func (s *Store) LastCommittedRun() (catalog.Run, error) {
	var r catalog.Run
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bRuns).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("run %x: %w", k, err)
			}
			if r.Status != catalog.RunFailed {
				return nil
			}
		}
		r = catalog.Run{}
		return ErrNotFound
	})
	return r, err
}
