package store

import (
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bbolt reads the file through a shared, read-only memory map, and every
// page a run reads there (a body batch's neighbours, a nightly run's
// catalogue and stored observations) stays resident in the process until
// it exits: 55-67 MB of a first 8,000-page refresh's peak, 215-250 MB of a
// nightly run's. Those pages are the page cache's, so letting them go
// from the process costs nothing but a fault when one is read again, with
// the same bytes (bbolt writes with pwrite, never through the map, and
// never over a page an open transaction can see). trimIn lets them go
// once more than mappedBudget of file pages are resident beyond those that
// were before the first store was opened.

// mappedBudget is how much of the process's resident memory file pages
// may take beyond fileFloor (bbolt's map, mostly) before trimIn lets the
// map's go. It counted the binary's own text as well (32 MB of file pages
// in all) until the thirteenth session: the text is 18-19 MB of a refresh,
// so that the map kept ~12 MB; ~9 MB of it resident at a 16,000-page
// refresh's peak. With the floor counted apart, three alternated pairs at
// 16,000 pages: peak RSS 306-319 MB against 312-332; a nothing-changed
// 8,000-page refresh 75 MB against 78; the CPU of either no different.
const mappedBudget = 8 << 20

// fileFloor is the file pages resident when the process first opened a
// store (see noteFileFloor): the binary's text and its libraries, mostly.
var fileFloor atomic.Int64

// noteFileFloor records fileFloor, once.
func noteFileFloor() { fileFloor.CompareAndSwap(0, residentFile()) }

// overBudget reports whether the resident file pages are past the budget.
func overBudget() bool { return residentFile() >= fileFloor.Load()+mappedBudget }

// trimEvery is the least time between two looks at the resident file
// pages after a transaction (see Store.trimAfter).
const trimEvery = 20 * time.Millisecond

// trimChunk is how many bytes of records a long read decodes between two
// trims (see eachChunk).
const trimChunk = 8 << 20

// mapTrim paces a store's trims after transactions.
type mapTrim struct {
	last atomic.Int64 // unix nanoseconds of the last look
}

// trimAfter is called after each transaction: at most every trimEvery, it
// trims the map (in a read transaction of its own, which keeps bbolt from
// remapping the file meanwhile). It must not be called while the
// goroutine holds a transaction (bbolt's rule for any transaction).
func (s *Store) trimAfter() {
	now := time.Now().UnixNano()
	last := s.trim.last.Load()
	if now-last < int64(trimEvery) || !s.trim.last.CompareAndSwap(last, now) {
		return
	}
	if !overBudget() {
		return
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		trimIn(tx)
		return nil
	})
}

// trimIn lets the map's resident pages go, if the resident file pages are
// past the budget (see overBudget), from inside transaction tx (which holds the
// map in place). Values read in tx stay valid: a later read maps their
// pages again.
func trimIn(tx *bolt.Tx) {
	if overBudget() {
		dropMap(tx.DB().Info().Data, tx.Size())
	}
}

// trimPoll is how often trimWhile looks at the resident file pages.
const trimPoll = 2 * time.Millisecond

// deleteBucket deletes the bucket name of tx, trimming the map meanwhile
// (see trimWhile): bbolt reads every page of a bucket it deletes, to free
// them, in one call. Replacing the published catalogue's buckets and the
// pages' observations (publishStaged) read 80-100 MB of the file at
// 16,000 pages: a night with a few changes peaked there, at 376 MB.
func deleteBucket(tx *bolt.Tx, name []byte) error {
	return trimWhile(tx, func() error { return tx.DeleteBucket(name) })
}

// trimWhile runs fn, one call into bbolt that reads many pages of the
// file, in tx, and meanwhile, from another goroutine, lets the map's pages
// go every trimPoll while the resident file pages are past the budget (as
// trimIn does between the calls a loop makes). The map stays where it is
// while tx is open (bbolt remaps only to grow, in a commit), and a page
// read again maps again with the same bytes.
func trimWhile(tx *bolt.Tx, fn func() error) error {
	addr, n := tx.DB().Info().Data, tx.Size()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(trimPoll)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if overBudget() {
					dropMap(addr, n)
				}
			}
		}
	})
	err := fn()
	close(done)
	wg.Wait()
	trimIn(tx)
	return err
}

// trimItems is how many records a long loop in a transaction reads or
// writes between two trims (see trimEach).
const trimItems = 1024

// trimEach trims the map inside tx every trimItems calls: the i-th item
// of a loop over a bucket's records calls it.
func trimEach(tx *bolt.Tx, i int) {
	if i%trimItems == trimItems-1 {
		trimIn(tx)
	}
}

// eachChunk calls fn with b's records (keys and values, in key order) about
// trimChunk bytes of values at a time, and trims the map after each
// chunk: a read of a whole bucket holds no more of the file resident than
// a chunk's. The values point into the map: use them only inside fn.
func eachChunk(tx *bolt.Tx, b *bolt.Bucket, fn func(keys []string, vals [][]byte) error) error {
	if b == nil {
		return nil
	}
	var keys []string
	var vals [][]byte
	size := 0
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		err := fn(keys, vals)
		keys, vals, size = nil, nil, 0
		trimIn(tx)
		return err
	}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil { // a nested bucket
			continue
		}
		keys, vals = append(keys, string(k)), append(vals, v)
		if size += len(v); size >= trimChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
