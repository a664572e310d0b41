package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// StoredChangeSet is one run's change set as EachChangeSet reads it: not
// decoded until asked (Decode), with a digest of what the run recorded.
type StoredChangeSet struct {
	// Run is the run that recorded the set.
	Run uint64
	// Digest is the SHA-256 of the stored set: two equal digests mean
	// the same set, as stored, so that what was made of it (a change
	// report) is still what it would be, for the part drawn from it.
	Digest [sha256.Size]byte
	set    []byte
	run    []byte
	st     *Store // names the file when a record does not decode
}

// Decode reads the set.
func (c StoredChangeSet) Decode() (catalog.ChangeSet, error) {
	var cs catalog.ChangeSet
	err := c.st.guard(func() error {
		if err := decodeChangeSet(c.set, &cs); err != nil {
			return badRecord(bChanges, fmt.Sprint(c.Run), err)
		}
		return nil
	})
	if err != nil {
		return cs, fmt.Errorf("changes of run %d: %w", c.Run, err)
	}
	return cs, nil
}

// RunRecord reads the set's run record; ok is false when there is none
// (a set kept without its run's record).
func (c StoredChangeSet) RunRecord() (r catalog.Run, ok bool, err error) {
	if c.run == nil {
		return r, false, nil
	}
	err = c.st.guard(func() error {
		if err := json.Unmarshal(c.run, &r); err != nil {
			return badRecord(bRuns, fmt.Sprint(c.Run), err)
		}
		return nil
	})
	if err != nil {
		return r, false, fmt.Errorf("run %d: %w", c.Run, err)
	}
	return r, true, nil
}

// eachChangeSetBatch bounds what EachChangeSet copies out of one read
// transaction: this many sets, or this many bytes of them (a first run's
// set alone can be megabytes), whichever comes first. Nothing is held
// across batches, so a history of thousands of sets costs the memory of a
// few, and no read transaction lasts the whole walk (a long one keeps a
// writer from growing the file).
const (
	eachChangeSetBatch      = 64
	eachChangeSetBatchBytes = 8 << 20
)

// EachChangeSet calls fn with every stored change set, oldest run first,
// reading them a batch at a time: the sets are decoded only when fn asks.
// It stops at fn's first error, or once ctx is done, with that error.
func (s *Store) EachChangeSet(ctx context.Context, fn func(StoredChangeSet) error) error {
	var after []byte // the last key read; nil before the first batch
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var batch []StoredChangeSet
		err := s.view(func(tx *bolt.Tx) error {
			b := tx.Bucket(bChanges)
			if b == nil {
				return nil
			}
			runs := tx.Bucket(bRuns)
			c := b.Cursor()
			k, v := c.First()
			if after != nil {
				if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			size := 0
			for ; k != nil && len(batch) < eachChangeSetBatch && size < eachChangeSetBatchBytes; k, v = c.Next() {
				if len(k) != 8 {
					return badRecord(bChanges, fmt.Sprintf("%x", k), fmt.Errorf("key of %d bytes, not a run id", len(k)))
				}
				sc := StoredChangeSet{Run: binary.BigEndian.Uint64(k), set: bytes.Clone(v), st: s}
				if runs != nil {
					if rv := runs.Get(k); rv != nil {
						sc.run = bytes.Clone(rv)
					}
				}
				sc.Digest = sha256.Sum256(sc.set)
				size += len(sc.set) + len(sc.run)
				batch = append(batch, sc)
				after = bytes.Clone(k)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read changes: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		for _, sc := range batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(sc); err != nil {
				return err
			}
		}
	}
}

// HoldsByID returns the holds of the given ids that exist, by id.
func (s *Store) HoldsByID(ids []uint64) (map[uint64]catalog.Hold, error) {
	out := make(map[uint64]catalog.Hold, len(ids))
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bHolds)
		if b == nil {
			return nil
		}
		for _, id := range ids {
			if _, done := out[id]; done {
				continue
			}
			v := b.Get(u64(id))
			if v == nil {
				continue
			}
			var h catalog.Hold
			if err := json.Unmarshal(v, &h); err != nil {
				return badRecord(bHolds, fmt.Sprint(id), err)
			}
			out[id] = h
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read holds: %w", err)
	}
	return out, nil
}
