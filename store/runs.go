package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// Commit is everything one refresh run writes.
type Commit struct {
	Run catalog.Run
	// Pages are the run's pages; their raw bodies are in the store already
	// (see StreamBodies), unreferenced until the commit names them.
	Pages []catalog.Page
	// Snapshot is the new published catalogue. Nil keeps the published
	// catalogue as it is (a run that failed before normalising), unless
	// Staged is set.
	Snapshot *catalog.Snapshot
	// Changes are the run's changes against the published catalogue, with
	// what became of each. CommitRun numbers them in place: the run, and
	// the new holds the changes point at.
	Changes *catalog.ChangeSet
	// Holds are the holds the run gave: new ones (ID 0, numbered in place)
	// and earlier ones it saw again; each gets the run as its last.
	Holds []catalog.Hold
	// Closed are pending holds the run closed (withdrawn, superseded),
	// each with its decision.
	Closed []catalog.Hold
	// Prepared, when set, holds Pages already encoded (see Prepare in
	// encode.go).
	Prepared *Prepared
	// Staged, when set, is the new catalogue written ahead to the staging
	// bucket (see StageSnapshot): the commit swaps it in. It takes
	// Snapshot's place; a commit with both is refused.
	Staged *Staged
}

// pageRef is what a run read at one URL, enough to re-parse it later.
type pageRef struct {
	Source     string    `json:"source"`
	URL        string    `json:"url"`
	Kind       string    `json:"kind"`
	Subject    string    `json:"subject,omitempty"`
	BodySHA256 string    `json:"body_sha256,omitempty"`
	FetchedAt  time.Time `json:"fetched_at"`
	Stale      bool      `json:"stale,omitempty"`
}

// CommitRun writes a run in one transaction: its record (given the next run
// id, which it returns), the pages' current records and new bodies, the
// published snapshot (replacing the old one), a price-history point for
// every offering whose prices changed, appeared or disappeared, the run's
// changes, and its held changes. Either all of it is in the database
// afterwards, or none. A damaged file is refused (see checkBeforeCommit).
func (s *Store) CommitRun(c Commit) (uint64, error) {
	if c.Staged != nil && c.Snapshot != nil {
		return 0, errors.New("commit run: a staged catalogue and a snapshot: publish one of them")
	}
	full, err := s.checkBeforeCommit(c.Run.StartedAt) // see integrity.go
	if err != nil {
		return 0, fmt.Errorf("commit run: %w", err)
	}
	var id uint64
	err = s.update(func(tx *bolt.Tx) error {
		if full {
			if err := putFullCheck(tx, c.Run.StartedAt); err != nil {
				return err
			}
		}
		runs := tx.Bucket(bRuns)
		runs.FillPercent = 1.0 // append-only, sequential keys
		var err error
		if id, err = runs.NextSequence(); err != nil {
			return err
		}
		c.Run.ID = id
		if err := putJSON(runs, u64(id), c.Run); err != nil {
			return err
		}
		encoded, err := c.Prepared.result(c.Pages)
		if err != nil {
			return err
		}
		if encoded == nil {
			if encoded, err = encodePages(context.Background(), c.Pages, nil); err != nil { // see encode.go
				return err
			}
		}
		obsStaged := c.Prepared != nil && c.Prepared.stage != nil // see stagePageObs
		if obsStaged && (c.Staged == nil || !c.Staged.pages || string(c.Staged.id) != string(c.Prepared.stage)) {
			return errors.New("the pages' observations were staged, but the commit does not publish that staging")
		}
		if err := putPages(tx, c.Pages, encoded, obsStaged); err != nil {
			return err
		}
		if err := putRunPages(tx, id, c.Pages); err != nil { // see runpages.go
			return err
		}
		switch {
		case c.Staged != nil: // see stage.go
			if err := publishStaged(tx, c.Staged, id, c.Run.StartedAt); err != nil {
				return err
			}
		case c.Snapshot != nil:
			if err := writeSnapshot(tx, c.Snapshot, id, c.Run.StartedAt); err != nil {
				return err
			}
		}
		return writeChanges(tx, id, &c)
	})
	if err != nil {
		return 0, fmt.Errorf("commit run: %w", err)
	}
	return id, nil
}

func deleteExcept(b *bolt.Bucket, keep map[string]bool) ([][]byte, error) {
	var drop [][]byte
	c := b.Cursor()
	i := 0
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if !keep[string(k)] {
			drop = append(drop, bytes.Clone(k))
		}
		trimEach(b.Tx(), i) // see mapped.go
		i++
	}
	for _, k := range drop {
		if err := b.Delete(k); err != nil {
			return nil, err
		}
	}
	return drop, nil
}

// writeSnapshot replaces the published catalogue and extends price history.
func writeSnapshot(tx *bolt.Tx, snap *catalog.Snapshot, run uint64, at time.Time) error {
	models := tx.Bucket(bModels)
	keep := map[string]bool{}
	ids, encoded, err := encodeSorted(snap.Models) // on every CPU: see encode.go
	if err != nil {
		return err
	}
	for i, id := range ids {
		keep[id] = true
		if err := models.Put([]byte(id), encoded[i]); err != nil {
			return err
		}
	}
	if _, err := deleteExcept(models, keep); err != nil {
		return err
	}
	offers := tx.Bucket(bOfferings)
	hist := tx.Bucket(bHistory)
	keep = map[string]bool{}
	keys, encoded, err := encodeSorted(snap.Offerings)
	if err != nil {
		return err
	}
	for i, key := range keys {
		keep[key] = true
		if err := offers.Put([]byte(key), encoded[i]); err != nil {
			return err
		}
	}
	// Offerings that left: a removal point, then the record goes.
	var gone []string
	c := offers.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if !keep[string(k)] {
			gone = append(gone, string(k))
		}
	}
	if err := appendHistory(hist, keys, pointsOf(snap, keys), gone, run, at); err != nil { // see stage.go
		return err
	}
	for _, key := range gone {
		if err := offers.Delete([]byte(key)); err != nil {
			return err
		}
	}
	return putJSON(tx.Bucket(bUnmatched), []byte("all"), snap.Unmatched)
}

func historyKey(offering string, run uint64) []byte {
	k := make([]byte, 0, len(offering)+9)
	k = append(k, offering...)
	k = append(k, 0)
	return append(k, u64(run)...)
}

// appendPoint adds p to an offering's history unless its prices equal the
// last point's. buf holds the records until the transaction commits.
func appendPoint(hist *bolt.Bucket, offering string, p catalog.PricePoint, buf *pointBuf) error {
	// The last key with this prefix: seek past it and step back.
	buf.key = append(append(buf.key[:0], offering...), 0)
	plen := len(buf.key)
	c := hist.Cursor()
	var v []byte
	k, _ := c.Seek(append(buf.key, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	prefix := buf.key[:plen]
	if k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8 {
		var last catalog.PricePoint
		if err := json.Unmarshal(v, &last); err != nil {
			return fmt.Errorf("history %s: %w", offering, err)
		}
		if catalog.SamePrices(last, p) {
			return nil
		}
	} else if p.Removed {
		return nil // never seen: nothing to close
	}
	buf.key = append(prefix, u64(p.Run)...) // bbolt copies the key
	return hist.Put(buf.key, buf.record(p.AppendJSON))
}

// pointBuf is appendHistory's memory: a key it reuses, and the price
// points' records, which bbolt holds until the transaction commits, carved
// from shared chunks. A first run's commit writes a point for every
// offering (60,000 at 16,000 pages); each took a buffer of its own of 256
// bytes, and the half whose record was longer (an endpoints page's
// address) one of 512 more: 32 MB held to the commit's end for 15 MB of
// records.
type pointBuf struct {
	key   []byte
	chunk []byte
}

// pointChunk is the size of pointBuf's chunks; a record starts a new one
// when less than pointRoom is left.
const (
	pointChunk = 64 << 10
	pointRoom  = 2 << 10
)

// record appends a record to the chunk with enc and returns it, its
// capacity clipped (an append to it copies).
func (b *pointBuf) record(enc func([]byte) []byte) []byte {
	if cap(b.chunk)-len(b.chunk) < pointRoom {
		b.chunk = make([]byte, 0, pointChunk)
	}
	start := len(b.chunk)
	b.chunk = enc(b.chunk) // a record past the room moves the chunk: the old one's records stand
	return b.chunk[start:len(b.chunk):len(b.chunk)]
}

// Snapshot reads the published catalogue: every record, stamped with its
// pages' check times (a run that found every page unchanged leaves the
// records as they are and moves only the pages' checked_at), and the
// unmatched ids.
func (s *Store) Snapshot() (*catalog.Snapshot, error) {
	return s.SnapshotContext(context.Background())
}

// SnapshotContext is Snapshot for a run or command that can be stopped: it
// reads no further once ctx is done and returns ctx's error.
func (s *Store) SnapshotContext(ctx context.Context) (*catalog.Snapshot, error) {
	snap := catalog.NewSnapshot()
	if err := s.Published().Rest(ctx, snap); err != nil { // see published.go
		return nil, err
	}
	return snap, nil
}

// Body returns a stored raw body by its SHA-256.
func (s *Store) Body(sum string) ([]byte, error) {
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		z := tx.Bucket(bBodies).Get([]byte(sum))
		if z == nil {
			return fmt.Errorf("body %s: %w", sum, ErrNotFound)
		}
		var err error
		out, err = gunzip(z)
		return err
	})
	return out, err
}

// Runs returns every run record, oldest first.
func (s *Store) Runs() ([]catalog.Run, error) {
	var out []catalog.Run
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bRuns).ForEach(func(k, v []byte) error {
			var r catalog.Run
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("run %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// EachRunAfter calls fn with each run record after run id, oldest first,
// one at a time (a daemon's history may hold tens of thousands), until fn
// returns an error, which it returns.
func (s *Store) EachRunAfter(id uint64, fn func(catalog.Run) error) error {
	if id == math.MaxUint64 {
		return nil
	}
	return s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bRuns).Cursor()
		for k, v := c.Seek(u64(id + 1)); k != nil; k, v = c.Next() {
			var r catalog.Run
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("run %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// Run returns one run record.
func (s *Store) Run(id uint64) (catalog.Run, error) {
	var r catalog.Run
	err := s.view(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bRuns), u64(id), &r) })
	if err != nil {
		return r, fmt.Errorf("run %d: %w", id, err)
	}
	return r, nil
}

// LastRun returns the latest run record, or ErrNotFound.
func (s *Store) LastRun() (catalog.Run, error) {
	var r catalog.Run
	err := s.view(func(tx *bolt.Tx) error {
		k, v := tx.Bucket(bRuns).Cursor().Last()
		if k == nil {
			return ErrNotFound
		}
		return json.Unmarshal(v, &r)
	})
	return r, err
}

// History returns the price history of a model's offerings, by offering key,
// each oldest first. provider, when set, keeps one provider's offerings.
func (s *Store) History(model, provider string) (map[string][]catalog.PricePoint, error) {
	out := map[string][]catalog.PricePoint{}
	prefix := []byte(model + "|")
	if provider != "" {
		prefix = []byte(model + "|" + provider + "|")
	}
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bHistory)
		if b == nil {
			return nil // a database older than its bucket, opened read-only
		}
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			i := bytes.IndexByte(k, 0)
			if i < 0 {
				continue
			}
			var p catalog.PricePoint
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			key := string(k[:i])
			out[key] = append(out[key], p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", model, err)
	}
	return out, nil
}

// HistoryKeys lists the offering keys that have history, in order.
func HistoryKeys(h map[string][]catalog.PricePoint) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SplitOfferingKey splits an offering key into model, provider, region and
// variant.
func SplitOfferingKey(key string) (model, provider, region, variant string) {
	parts := strings.SplitN(key, "|", 4)
	for len(parts) < 4 {
		parts = append(parts, "")
	}
	return parts[0], parts[1], parts[2], parts[3]
}
