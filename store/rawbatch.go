package store

import (
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// A run's raw bodies go to the store while it crawls, in batches of their
// own transactions, instead of being held until its commit: a body is kept
// gzipped for as long as it waits in a batch, and a commit carries none.
//
// What the run publishes stays one transaction's all-or-nothing: bodies are
// content-addressed (bBodies: SHA-256 → gzip), and no record refers to a
// body until the run's commit writes the page records and the page list
// that name it. A run that fails or is killed before its commit leaves the
// bodies it wrote unreferenced: harmless (the bucket already keeps the
// bodies of every earlier run, for rebuild, and `llmref check` does not
// count a body no page names as damage), and stored already when a later
// run fetches the same bytes again.

const (
	// bodyBatchBytes is how many gzipped bytes one batch transaction
	// writes: each is an fsync, and bbolt holds a transaction's dirty
	// pages (about twice the values' size) until it commits.
	bodyBatchBytes = 4 << 20
	// bodyQueue is how many gzipped bodies may wait for the writer; a
	// crawl that outruns the disk waits here, and memory stays bounded.
	bodyQueue = 256
)

// BodyStream writes a run's new raw bodies to the store in batches, as they
// arrive (see Store.StreamBodies). Put may be called from many goroutines;
// Close flushes what is left and reports the first failure.
type BodyStream struct {
	s    *Store
	in   chan zippedBody
	done chan struct{}

	// send guards closing in against a Put sending on it; the writer
	// never takes it, so a Put waiting for room cannot block the writer.
	send   sync.Mutex
	closed bool

	mu    sync.Mutex // err and stats
	err   error
	stats BodyStats
}

// BodyStats counts what a BodyStream wrote.
type BodyStats struct {
	// Bodies and Bytes are the bodies put in the store and their gzipped
	// size; a body stored already is not counted.
	Bodies int
	Bytes  int64
	// Batches is the number of transactions they took.
	Batches int
}

type zippedBody struct {
	sum string
	z   []byte
}

// StreamBodies starts a stream of raw bodies into the store. It refuses a
// damaged file, as a commit does (the structure is read once at Open and
// remembered until the file changes).
func (s *Store) StreamBodies() (*BodyStream, error) {
	if _, res, err := checkStructure(s.path); err != nil {
		return nil, fmt.Errorf("stream bodies: %w", err)
	} else if err := res.err(s.path); err != nil {
		return nil, fmt.Errorf("stream bodies: %w", err)
	}
	b := &BodyStream{s: s, in: make(chan zippedBody, bodyQueue), done: make(chan struct{})}
	go b.write()
	return b, nil
}

// Put compresses body (on the caller's goroutine: the crawl's workers) and
// queues it for the writer under its SHA-256 (hex), which the caller
// computed. After a failure, or after Close, bodies are dropped: the run
// learns of the failure from Close, before it commits anything.
func (b *BodyStream) Put(sum string, body []byte) {
	if b.failed() {
		return
	}
	z, err := gz(body)
	if err != nil {
		b.fail(fmt.Errorf("compress body %s: %w", sum, err))
		return
	}
	b.send.Lock()
	defer b.send.Unlock()
	if b.closed {
		return
	}
	b.in <- zippedBody{sum, z}
}

// Close writes what is queued, stops the writer and returns what it wrote,
// with the first error (compressing, or a batch that did not commit).
func (b *BodyStream) Close() (BodyStats, error) {
	b.send.Lock()
	if !b.closed {
		b.closed = true
		close(b.in)
	}
	b.send.Unlock()
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return b.stats, fmt.Errorf("store raw bodies: %w", b.err)
	}
	return b.stats, nil
}

func (b *BodyStream) failed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err != nil
}

func (b *BodyStream) fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		b.err = err
	}
}

// write is the one writer: it gathers queued bodies into batches of about
// bodyBatchBytes and puts each batch in one transaction.
func (b *BodyStream) write() {
	defer close(b.done)
	var batch []zippedBody
	size := 0
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if !b.failed() {
			n, bytes, err := b.s.putBodies(batch)
			b.mu.Lock()
			if err != nil && b.err == nil {
				b.err = err
			}
			b.stats.Bodies += n
			b.stats.Bytes += bytes
			b.stats.Batches++
			b.mu.Unlock()
		}
		clear(batch) // let the bodies go
		batch, size = batch[:0], 0
	}
	for zb := range b.in {
		batch = append(batch, zb)
		if size += len(zb.z); size >= bodyBatchBytes {
			flush()
		}
	}
	flush()
}

// putBodies stores gzipped bodies not stored yet, in one transaction. It
// returns how many it stored and their size.
func (s *Store) putBodies(batch []zippedBody) (n int, size int64, err error) {
	err = s.update(func(tx *bolt.Tx) error {
		n, size = 0, 0
		bodies := tx.Bucket(bBodies)
		for _, zb := range batch {
			key := []byte(zb.sum)
			if bodies.Get(key) != nil {
				continue
			}
			if err := bodies.Put(key, zb.z); err != nil {
				return fmt.Errorf("put body %s: %w", zb.sum, err)
			}
			n++
			size += int64(len(zb.z))
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return n, size, nil
}
