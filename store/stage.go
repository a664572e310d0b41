package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// A run's new catalogue is written ahead of its commit, in batches of their
// own transactions, into a staging bucket (bStage: a "models" and an
// "offerings" bucket inside it); the commit then swaps the staged buckets
// in for the published ones (bbolt's MoveBucket: a change of two bucket
// headers), so that no transaction holds the whole catalogue encoded — and
// bbolt holds a transaction's dirty pages, about twice its values' size,
// until it commits.
//
// Readers never see the staged catalogue: it is published by the run's
// commit, in the same transaction as everything else the run writes, or
// not at all. A run killed while staging leaves the staging bucket behind;
// the next run's staging drops it first, and `llmref check` passes over
// it (it is no published state).
var bStage = []byte("run_stage")

// keyStageID, in bStage, names the staging a Staged handle was made for.
var keyStageID = []byte("id")

// stageBatch is how many records one staging transaction writes (~3 KB
// each, encoded, on the benchmark site).
const stageBatch = 4096

// Staged is a catalogue written to the staging bucket, ready for CommitRun
// (Commit.Staged).
type Staged struct {
	snap *catalog.Snapshot
	id   []byte
	// offerings are the staged offerings' keys, in order.
	offerings []string
}

// StageSnapshot writes snap's models and offerings to the staging bucket,
// a batch of records at a time. Pass the result as Commit.Staged, with snap
// as Commit.Snapshot; snap must not change in between.
func (s *Store) StageSnapshot(snap *catalog.Snapshot) (*Staged, error) {
	st := &Staged{snap: snap, id: make([]byte, 16)}
	_, _ = rand.Read(st.id)
	err := s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bStage) != nil {
			if err := tx.DeleteBucket(bStage); err != nil {
				return err
			}
		}
		b, err := tx.CreateBucket(bStage)
		if err != nil {
			return err
		}
		for _, name := range [][]byte{bModels, bOfferings} {
			if _, err := b.CreateBucket(name); err != nil {
				return err
			}
		}
		return b.Put(keyStageID, st.id)
	})
	if err != nil {
		return nil, fmt.Errorf("stage catalogue: %w", err)
	}
	if err := stageRecords(s, bModels, snap.Models); err != nil {
		return nil, err
	}
	if st.offerings, err = stageKeys(s, bOfferings, snap.Offerings); err != nil {
		return nil, err
	}
	return st, nil
}

func stageRecords[V any](s *Store, name []byte, m map[string]V) error {
	_, err := stageKeys(s, name, m)
	return err
}

// stageKeys writes m's records to the staging bucket's child name, in key
// order, stageBatch at a time, and returns the keys.
func stageKeys[V any](s *Store, name []byte, m map[string]V) ([]string, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for start := 0; start < len(keys); start += stageBatch {
		part := keys[start:min(start+stageBatch, len(keys))]
		encoded, err := encodeParallel(len(part), func(i int) any { return m[part[i]] })
		if err != nil {
			return nil, fmt.Errorf("stage %s: %w", name, err)
		}
		err = s.update(func(tx *bolt.Tx) error {
			b := stagedBucket(tx, name)
			if b == nil {
				return errors.New("the staging bucket is gone")
			}
			b.FillPercent = 1.0 // written once, in key order
			for i, k := range part {
				if err := b.Put([]byte(k), encoded[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("stage %s: %w", name, err)
		}
	}
	return keys, nil
}

func stagedBucket(tx *bolt.Tx, name []byte) *bolt.Bucket {
	stage := tx.Bucket(bStage)
	if stage == nil {
		return nil
	}
	return stage.Bucket(name)
}

// publishStaged is writeSnapshot for a staged catalogue, inside the run's
// commit: price history for every offering that changed, appeared or
// left (read against the published offerings), then the staged models and
// offerings take the published ones' place.
func publishStaged(tx *bolt.Tx, st *Staged, snap *catalog.Snapshot, run uint64, at time.Time) error {
	stage := tx.Bucket(bStage)
	if stage == nil || string(stage.Get(keyStageID)) != string(st.id) || st.snap != snap {
		return errors.New("the staged catalogue is not this run's (another run staged since)")
	}
	var gone []string
	c := tx.Bucket(bOfferings).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if _, ok := snap.Offerings[string(k)]; !ok {
			gone = append(gone, string(k))
		}
	}
	if err := appendHistory(tx.Bucket(bHistory), snap, st.offerings, gone, run, at); err != nil {
		return err
	}
	for _, name := range [][]byte{bModels, bOfferings} {
		if err := tx.DeleteBucket(name); err != nil {
			return fmt.Errorf("replace %s: %w", name, err)
		}
		if err := tx.MoveBucket(name, stage, nil); err != nil {
			return fmt.Errorf("replace %s: %w", name, err)
		}
	}
	if err := tx.DeleteBucket(bStage); err != nil {
		return err
	}
	return putJSON(tx.Bucket(bUnmatched), []byte("all"), snap.Unmatched)
}

// appendHistory adds a price point for each offering of keys whose prices
// changed or appeared, and a removal point for each of gone.
func appendHistory(hist *bolt.Bucket, snap *catalog.Snapshot, keys, gone []string, run uint64, at time.Time) error {
	for _, key := range keys {
		if err := appendPoint(hist, key, catalog.PointOf(snap.Offerings[key], run, at)); err != nil {
			return err
		}
	}
	for _, key := range gone {
		if err := appendPoint(hist, key, catalog.PricePoint{Run: run, At: at, Removed: true}); err != nil {
			return err
		}
	}
	return nil
}
