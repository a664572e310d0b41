package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/llmref/llmref/catalog"
	bolt "go.etcd.io/bbolt"
)

// Published reads the published catalogue's records by id and key, a batch
// at a time, each batch in a read transaction of its own (a long one would
// keep bbolt from growing its map while the run stages its writes). A run
// that normalises builds against it (see normalize.Input.Published) and so
// never holds the whole published catalogue beside what it filed: at
// 16,000 pages, a night with a few changes held both, 128 MB and 134 MB
// live. Records are stamped as Snapshot stamps them (their pages' check
// times). Not for concurrent use.
type Published struct {
	s     *Store
	d     *catalog.Decoder
	times map[string]time.Time // nil until the first read
	err   error
}

// Published returns a reader of the published catalogue.
func (s *Store) Published() *Published {
	return &Published{s: s, d: catalog.NewDecoder()}
}

// Err is the first error a read met; after it, reads return nothing.
func (p *Published) Err() error { return p.err }

// Read returns the published models among ids and offerings among keys.
// A read that fails returns an empty snapshot and keeps its error (Err).
func (p *Published) Read(ids, keys []string) *catalog.Snapshot {
	snap := catalog.NewSnapshot()
	if p.err != nil {
		return snap
	}
	err := p.s.view(func(tx *bolt.Tx) error {
		if err := p.loadTimes(tx); err != nil {
			return err
		}
		if err := getRecords(tx, bModels, ids, snap.Models, p.d.Model); err != nil {
			return err
		}
		return getRecords(tx, bOfferings, keys, snap.Offerings, p.d.Offering)
	})
	if err != nil {
		p.err = fmt.Errorf("read catalogue: %w", err)
		return catalog.NewSnapshot()
	}
	snap.StampRetrieved(p.times)
	return snap
}

// Rest adds to have every published record it lacks (the ones of models
// and offerings the run did not build: gone from the sources; all of
// them, for an empty have, as Snapshot reads them) and the published
// unmatched ids, so that have is the published catalogue; it returns the
// first error any read met. It looks at ctx between two chunks of records
// (a stopped run reads no further) and returns its error, have unchanged.
func (p *Published) Rest(ctx context.Context, have *catalog.Snapshot) error {
	if p.err != nil {
		return p.err
	}
	rest := catalog.NewSnapshot()
	var unmatched []catalog.Unmatched
	err := p.s.view(func(tx *bolt.Tx) error {
		if err := p.loadTimes(tx); err != nil {
			return err
		}
		if err := restRecords(ctx, tx, bModels, have.Models, rest.Models, p.d.Model); err != nil {
			return err
		}
		if err := restRecords(ctx, tx, bOfferings, have.Offerings, rest.Offerings, p.d.Offering); err != nil {
			return err
		}
		if v := tx.Bucket(bUnmatched).Get([]byte("all")); v != nil {
			return json.Unmarshal(v, &unmatched)
		}
		return nil
	})
	if err := ctx.Err(); err != nil {
		return err // stopped: not the reader's failure, and have is as it was
	}
	if err != nil {
		p.err = fmt.Errorf("read catalogue: %w", err)
		return p.err
	}
	rest.StampRetrieved(p.times)
	have.Unmatched = unmatched
	maps.Copy(have.Models, rest.Models)
	maps.Copy(have.Offerings, rest.Offerings)
	return nil
}

// loadTimes reads the pages' check times once.
func (p *Published) loadTimes(tx *bolt.Tx) error {
	if p.times != nil {
		return nil
	}
	times, err := checkedTimes(tx)
	p.times = times
	return err
}

// getRecords decodes the records of bucket name under keys (those it
// holds) into into, on every CPU.
func getRecords[T any](tx *bolt.Tx, name []byte, keys []string, into map[string]*T, decode func([]byte, *T) error) error {
	b := tx.Bucket(name)
	if b == nil || len(keys) == 0 {
		return nil
	}
	var found []string
	var vals [][]byte
	c := b.Cursor() // one for the batch: a Get makes its own, and its stack
	for _, k := range keys {
		if ck, v := c.Seek([]byte(k)); v != nil && string(ck) == k {
			found, vals = append(found, k), append(vals, v)
		}
	}
	return decodeInto(name, found, vals, into, decode)
}

// restRecords decodes the records of bucket name whose keys have does not
// hold into into, a chunk at a time (see eachChunk), until ctx is done.
func restRecords[T any](ctx context.Context, tx *bolt.Tx, name []byte, have, into map[string]*T, decode func([]byte, *T) error) error {
	return eachChunk(tx, tx.Bucket(name), func(keys []string, vals [][]byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := 0
		for i, k := range keys {
			if _, ok := have[k]; !ok {
				keys[n], vals[n] = k, vals[i]
				n++
			}
		}
		return decodeInto(name, keys[:n], vals[:n], into, decode)
	})
}

// decodeInto decodes vals, on every CPU, into into under keys.
func decodeInto[T any](name []byte, keys []string, vals [][]byte, into map[string]*T, decode func([]byte, *T) error) error {
	recs, err := decodeAll(name, keys, vals, decode)
	if err != nil {
		return err
	}
	for i, k := range keys {
		into[k] = &recs[i]
	}
	return nil
}

// decodeAll decodes vals, the records of bucket name under keys, on every
// CPU.
func decodeAll[T any](name []byte, keys []string, vals [][]byte, decode func([]byte, *T) error) ([]T, error) {
	recs := make([]T, len(keys))
	if err := parallelFor(len(keys), func(i int) error {
		if err := decode(vals[i], &recs[i]); err != nil {
			return badRecord(name, keys[i], err)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return recs, nil
}
