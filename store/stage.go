package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/parallel"
)

// A run's new catalogue is written ahead of its commit, in batches of their
// own transactions, into a staging bucket (bStage: a "models" and an
// "offerings" bucket inside it); the commit then swaps the staged buckets
// in for the published ones (bbolt's MoveBucket: a change of two bucket
// headers), so that no transaction holds the whole catalogue encoded — and
// bbolt holds a transaction's dirty pages, about twice its values' size,
// until it commits.
//
// A run that read mostly new pages stages their observation records the
// same way (a "page_observations" bucket beside them, holding every
// current page's: see stagePageObs), while it normalises, so that they are
// neither held in memory until the commit nor written by it.
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
// each, encoded, on the benchmark site). A batch's encoded records and
// bbolt's dirty pages for them are live until it commits: at 4,096 they
// were 33 MB of the peak of a first 8,000-page refresh.
const stageBatch = 1024

// stagePagesMin is how many new pages a run must have read for their
// observation records to be staged (see stagePageObs): below it the
// commit writes them, as it writes a few pages that changed.
const stagePagesMin = 512

// Staged is a catalogue written to the staging bucket, ready for CommitRun
// (Commit.Staged).
//
// It keeps of the catalogue only what the commit writes besides the staged
// records (each offering's price point, the unmatched ids), so that the
// catalogue itself may go before the commit: at 8,000 pages its structs
// are 96 MB, more than half of what a run holds.
type Staged struct {
	id []byte
	// offerings are the staged offerings' keys, in order, and points
	// their price points (run and time set by the commit).
	offerings []string
	points    []catalog.PricePoint
	unmatched []catalog.Unmatched
	// pages is set when the staging holds every current page's
	// observation records (see stagePageObs).
	pages bool
}

// StageSnapshot writes snap's models and offerings to the staging bucket,
// a batch of records at a time. Pass the result as Commit.Staged (and no
// Commit.Snapshot): the commit publishes what was staged, and snap is not
// read again. When prepared (the commit's Commit.Prepared, or nil) staged
// the pages' observations, the catalogue joins them in that staging;
// otherwise a new staging is made. Once ctx is done it stops between two
// batches with ctx's error; the caller drops the staging (DropStaging).
func (s *Store) StageSnapshot(ctx context.Context, snap *catalog.Snapshot, prepared *Prepared) (*Staged, error) {
	st := &Staged{unmatched: snap.Unmatched}
	if prepared != nil {
		prepared.Wait()
		if prepared.err == nil && prepared.stage != nil {
			st.id, st.pages = prepared.stage, true
		}
	}
	if st.id == nil {
		st.id = make([]byte, 16)
		_, _ = rand.Read(st.id)
		if err := s.update(func(tx *bolt.Tx) error { return newStage(tx, st.id) }); err != nil {
			return nil, fmt.Errorf("stage catalogue: %w", err)
		}
	}
	if err := stageRecords(ctx, s, st.id, bModels, snap.Models); err != nil {
		return nil, err
	}
	var err error
	if st.offerings, err = stageKeys(ctx, s, st.id, bOfferings, snap.Offerings); err != nil {
		return nil, err
	}
	st.points = pointsOf(snap, st.offerings)
	return st, nil
}

// pointsOf is the price point of each offering of keys, with no run or
// time yet (appendHistory sets them).
func pointsOf(snap *catalog.Snapshot, keys []string) []catalog.PricePoint {
	points := make([]catalog.PricePoint, len(keys))
	for i, k := range keys {
		points[i] = catalog.PointOf(snap.Offerings[k], 0, time.Time{})
	}
	return points
}

// newStage replaces the staging bucket (what a run killed while staging
// left) by an empty one for the staging id.
func newStage(tx *bolt.Tx, id []byte) error {
	if tx.Bucket(bStage) != nil {
		if err := deleteBucket(tx, bStage); err != nil {
			return err
		}
	}
	b, err := tx.CreateBucket(bStage)
	if err != nil {
		return err
	}
	for _, name := range [][]byte{bModels, bOfferings, bPageObs} {
		if _, err := b.CreateBucket(name); err != nil {
			return err
		}
	}
	return b.Put(keyStageID, id)
}

// DropStaging deletes what a run staged and did not commit (see
// StageSnapshot, PrepareEach), after waiting for prepared's staging to
// end: a run that stops before its commit leaves no staged copy of its
// catalogue or its pages' observations in the file. There is none after a
// commit; the staging is then already gone.
func (s *Store) DropStaging(prepared *Prepared) error {
	prepared.Wait()
	err := s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bStage) == nil {
			return nil
		}
		return deleteBucket(tx, bStage)
	})
	if err != nil {
		return fmt.Errorf("drop the staging: %w", err)
	}
	return nil
}

// stagePagesWorth reports whether a run's pages' observation records are
// worth staging: enough of them are new (stagePagesMin), and at least
// half (staging copies the stored records of the others, so that the
// staged bucket holds every current page's and can take the published
// one's place).
func stagePagesWorth(pages []catalog.Page) bool {
	fresh := 0
	for i := range pages {
		if !pages[i].Reused {
			fresh++
		}
	}
	return fresh >= stagePagesMin && 2*fresh >= len(pages)
}

// spareMax is the largest record buffer a staging batch keeps for the
// next: a list page's record (12 MB at 16,000 pages) is let go at once, not
// kept for a page a thousandth its size.
const spareMax = 64 << 10

// stagePageObs encodes the pages' records, stageBatch pages at a time in
// URL order, and writes every current page's observation record to a new
// staging's page_observations bucket as it goes — a new page's as just
// encoded, a reused page's copied from the stored one — so that no
// observation record waits in memory for the commit, nor makes its
// transaction large: the commit swaps the staged bucket in. It returns the
// records without their observations, and the staging's id. after, when
// set, is called with each page's index once its records are encoded.
func (s *Store) stagePageObs(ctx context.Context, pages []catalog.Page, after func(i int)) ([]encodedPage, []byte, error) {
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	if err := s.update(func(tx *bolt.Tx) error { return newStage(tx, id) }); err != nil {
		return nil, nil, fmt.Errorf("stage observations: %w", err)
	}
	order := make([]int, len(pages))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return pages[order[a]].URL < pages[order[b]].URL })
	out := make([]encodedPage, len(pages))
	// observed says whether a page has observations, read before after(i)
	// lets the caller change the page.
	observed := make([]bool, len(pages))
	// spare is the memory of the last batch's observation records, staged
	// and committed, which the next batch's are encoded into.
	var spare [][]byte
	for start := 0; start < len(order); start += stageBatch {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("stage observations: %w", err)
		}
		part := order[start:min(start+stageBatch, len(order))]
		err := parallel.For(len(part), func(j int) error {
			i := part[j]
			var buf []byte
			if j < len(spare) {
				buf = spare[j]
			}
			var err error
			observed[i] = pages[i].ObservationCount() > 0
			if out[i], err = encodePageInto(&pages[i], buf); err == nil && after != nil {
				after(i)
			}
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		err = s.update(func(tx *bolt.Tx) error {
			b, err := stagingOf(tx, id, bPageObs)
			if err != nil {
				return err
			}
			b.FillPercent = 1.0 // written once, in key order
			stored := tx.Bucket(bPageObs)
			for _, i := range part {
				p, v := &pages[i], out[i].obs
				if v == nil { // reused: its stored observations stand
					if v = stored.Get([]byte(p.URL)); v == nil {
						if observed[i] {
							return fmt.Errorf("page %s is reused, but no observations are stored for it", p.URL)
						}
						continue
					}
				}
				if err := b.Put([]byte(p.URL), v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("stage observations: %w", err)
		}
		spare = spare[:0]
		for _, i := range part {
			if cap(out[i].obs) <= spareMax {
				spare = append(spare, out[i].obs)
			}
			out[i].obs = nil // staged: the next batch's memory, or let go
		}
	}
	return out, id, nil
}

func stageRecords[V any](ctx context.Context, s *Store, id, name []byte, m map[string]V) error {
	_, err := stageKeys(ctx, s, id, name, m)
	return err
}

// stageKeys writes m's records to the child name of staging id, in key
// order, stageBatch at a time, and returns the keys. The next batch is
// encoded while one is written (m must not change meanwhile): writing is
// one goroutine's work, and the other cores had none (a first refresh of
// 2,000 pages spent ~100 ms staging its catalogue, most of it on one core).
func stageKeys[V any](ctx context.Context, s *Store, id, name []byte, m map[string]V) ([]string, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	type batch struct {
		encoded [][]byte
		err     error
	}
	// spare is the memory of the last batch written, which bbolt no longer
	// refers to once its transaction has committed: the batch after the
	// one being encoded then is encoded into it (at 16,000 pages the
	// records' buffers were 175 MB of what a first refresh allocated,
	// most of it while the collector ran under the memory limit).
	var spare [][]byte
	encode := func(start int) <-chan batch {
		done := make(chan batch, 1) // a batch no one waits for any more ends all the same
		reuse := spare
		spare = nil
		go func() {
			part := keys[start:min(start+stageBatch, len(keys))]
			encoded, err := encodeReusing(len(part), func(i int) any { return m[part[i]] }, reuse)
			done <- batch{encoded, err}
		}()
		return done
	}
	var next <-chan batch
	if len(keys) > 0 {
		next = encode(0)
	}
	for start := 0; start < len(keys); start += stageBatch {
		part := keys[start:min(start+stageBatch, len(keys))]
		b := <-next
		next = nil
		if err := ctx.Err(); err != nil { // stopped: the staging is dropped (DropStaging)
			return nil, fmt.Errorf("stage %s: %w", name, err)
		}
		if b.err != nil {
			return nil, fmt.Errorf("stage %s: %w", name, b.err)
		}
		if start+stageBatch < len(keys) {
			next = encode(start + stageBatch)
		}
		encoded := b.encoded
		err := s.update(func(tx *bolt.Tx) error {
			b, err := stagingOf(tx, id, name)
			if err != nil {
				return err
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
			if next != nil {
				<-next // m is read until the batch is encoded
			}
			return nil, fmt.Errorf("stage %s: %w", name, err)
		}
		spare = encoded // committed: nothing refers to it now
	}
	return keys, nil
}

// stagingOf is the child name of the staging bucket, if that is staging
// id's.
func stagingOf(tx *bolt.Tx, id, name []byte) (*bolt.Bucket, error) {
	stage := tx.Bucket(bStage)
	if stage == nil || string(stage.Get(keyStageID)) != string(id) {
		return nil, errors.New("the staging bucket is gone, or another run's")
	}
	b := stage.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("the staging bucket has no %s", name)
	}
	return b, nil
}

// publishStaged is writeSnapshot for a staged catalogue, inside the run's
// commit: price history for every offering that changed, appeared or
// left (read against the published offerings), then the staged models and
// offerings take the published ones' place.
func publishStaged(tx *bolt.Tx, st *Staged, run uint64, at time.Time) error {
	stage := tx.Bucket(bStage)
	if stage == nil || string(stage.Get(keyStageID)) != string(st.id) {
		return errors.New("the staged catalogue is not this run's (another run staged since)")
	}
	var gone []string
	c := tx.Bucket(bOfferings).Cursor()
	i := 0
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if _, ok := slices.BinarySearch(st.offerings, string(k)); !ok {
			gone = append(gone, string(k))
		}
		trimEach(tx, i) // see mapped.go
		i++
	}
	if err := appendHistory(tx.Bucket(bHistory), st.offerings, st.points, gone, run, at); err != nil {
		return err
	}
	swap := [][]byte{bModels, bOfferings}
	if st.pages {
		swap = append(swap, bPageObs)
	}
	for _, name := range swap {
		if err := deleteBucket(tx, name); err != nil { // reads every page of it, to free them
			return fmt.Errorf("replace %s: %w", name, err)
		}
		if err := tx.MoveBucket(name, stage, nil); err != nil {
			return fmt.Errorf("replace %s: %w", name, err)
		}
	}
	if err := deleteBucket(tx, bStage); err != nil {
		return err
	}
	return putJSON(tx.Bucket(bUnmatched), []byte("all"), st.unmatched)
}

// appendHistory adds a price point for each offering of keys whose prices
// changed or appeared (points are theirs, in the same order; each is
// stamped with run and at), and a removal point for each of gone.
func appendHistory(hist *bolt.Bucket, keys []string, points []catalog.PricePoint, gone []string, run uint64, at time.Time) error {
	hist.FillPercent = denseFill
	var buf pointBuf
	for i, key := range keys {
		p := points[i]
		p.Run, p.At = run, at
		if err := appendPoint(hist, key, p, &buf); err != nil {
			return err
		}
		trimEach(hist.Tx(), i) // see mapped.go
	}
	for i, key := range gone {
		if err := appendPoint(hist, key, catalog.PricePoint{Run: run, At: at, Removed: true}, &buf); err != nil {
			return err
		}
		trimEach(hist.Tx(), i)
	}
	return nil
}
