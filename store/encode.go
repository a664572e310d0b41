package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/parallel"
)

// encodeParallel marshals n values to JSON on every CPU, keeping their
// order. Encoding is most of the cost of committing a catalogue (each fact
// is a JSON object of its own, with its source and dates); a commit is one
// writer, so the other cores would otherwise idle while it encodes.
func encodeParallel(n int, value func(i int) any) ([][]byte, error) {
	return encodeReusing(n, value, nil)
}

// encodeReusing is encodeParallel encoding record i into reuse[i]'s
// memory where there is one (buffers nothing refers to any more, whose
// contents it overwrites): writing a batch of records after another, the
// memory of a batch written serves the batch after next.
func encodeReusing(n int, value func(i int) any, reuse [][]byte) ([][]byte, error) {
	out := make([][]byte, n)
	err := parallel.For(n, func(i int) error {
		var buf []byte
		if i < len(reuse) {
			buf = reuse[i][:0]
		}
		b, err := marshalInto(value(i), buf)
		if err != nil {
			return fmt.Errorf("encode record %d: %w", i, err)
		}
		out[i] = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// marshalInto encodes a record, appending to buf (empty, or nil for a new
// buffer) where the record's encoder appends: models and offerings by
// their own hand-written encoders (encoding/json would re-scan every
// fact's output), the rest by encoding/json.
func marshalInto(v any, buf []byte) ([]byte, error) {
	switch r := v.(type) {
	case *catalog.Model:
		if buf == nil {
			buf = make([]byte, 0, 4096)
		}
		return r.AppendJSON(buf)
	case *catalog.Offering:
		if buf == nil {
			buf = make([]byte, 0, 2048)
		}
		return r.AppendJSON(buf)
	}
	return json.Marshal(v)
}

// encodeSorted encodes every value of m (see encodeParallel) and returns
// the keys in order with their encodings, ready to be put in key order.
func encodeSorted[V any](m map[string]V) ([]string, [][]byte, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out, err := encodeParallel(len(keys), func(i int) any { return m[keys[i]] })
	if err != nil {
		return nil, nil, err
	}
	return keys, out, nil
}

// records lists a bucket's keys and values. The values point into the
// transaction's memory map: use them only inside it, from any goroutine
// (reading the catalogue and the pages is mostly JSON decoding, done on
// every CPU with parallelFor, which turns a fault reading them into an
// error). A missing bucket has no records.
func records(b *bolt.Bucket) ([]string, [][]byte) {
	if b == nil {
		return nil, nil
	}
	var keys []string
	var vals [][]byte
	b.ForEach(func(k, v []byte) error {
		if v != nil {
			keys = append(keys, string(k))
			vals = append(vals, v)
		}
		return nil
	})
	return keys, vals
}

// encodePages encodes every page's records on every CPU; after, when set,
// is called with each page's index once its records are encoded. It stops
// with ctx's error once ctx is done.
func encodePages(ctx context.Context, pages []catalog.Page, after func(i int)) ([]encodedPage, error) {
	out := make([]encodedPage, len(pages))
	err := parallel.For(len(pages), func(i int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		if out[i], err = encodePage(&pages[i]); err == nil && after != nil {
			after(i)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Prepared is a commit's page records and raw bodies, encoded and
// compressed ahead of the commit (see Prepare).
type Prepared struct {
	done    chan struct{}
	pages   []catalog.Page
	encoded []encodedPage
	// stage, when set, is the id of the staging whose page_observations
	// bucket holds every current page's observations (see stagePageObs):
	// encoded holds none, and the commit swaps that bucket in.
	stage []byte
	err   error
}

// Prepare encodes pages in the background and returns at once; pass the
// result as Commit.Prepared. A refresh prepares what it crawled while it
// normalises, which needs one core: the pages' records do not depend on
// the catalogue. The pages may not change afterwards.
func Prepare(pages []catalog.Page) *Prepared {
	return prepare(context.Background(), nil, pages, nil)
}

// PrepareEach is Prepare that, when encoded is set, calls it (on the
// preparing goroutines) with each page's index once that page's records
// are encoded: from then on the commit needs only its Count of the page's
// observations, which the caller may let go (see refresh's letGo). When
// most of the pages are new, it writes their observation records ahead to
// the staging bucket instead of holding them for the commit (see
// stagePageObs); pass the result to StageSnapshot as well as to the
// commit. Once ctx is done the preparation stops, between two pages or
// two staged batches, with ctx's error (a stopped run commits nothing, and
// its DropStaging no longer waits for every page to be encoded first).
func (s *Store) PrepareEach(ctx context.Context, pages []catalog.Page, encoded func(i int)) *Prepared {
	return prepare(ctx, s, pages, encoded)
}

func prepare(ctx context.Context, s *Store, pages []catalog.Page, encoded func(i int)) *Prepared {
	p := &Prepared{done: make(chan struct{}), pages: pages}
	go func() {
		defer close(p.done)
		if s != nil && stagePagesWorth(pages) {
			p.encoded, p.stage, p.err = s.stagePageObs(ctx, pages, encoded)
		} else {
			p.encoded, p.err = encodePages(ctx, pages, encoded)
		}
	}()
	return p
}

// Wait waits for the preparation to end: after it, the pages' observations
// are encoded, and a run may let them go (the commit reads only the
// encoded records, and each page's Count).
func (p *Prepared) Wait() {
	if p != nil {
		<-p.done
	}
}

// result waits for the preparation and returns it, if it was made for
// these pages.
func (p *Prepared) result(pages []catalog.Page) ([]encodedPage, error) {
	if p == nil {
		return nil, nil
	}
	<-p.done
	if p.err != nil {
		return nil, p.err
	}
	if len(pages) != len(p.pages) || (len(pages) > 0 && &pages[0] != &p.pages[0]) {
		return nil, errors.New("commit: prepared for other pages")
	}
	return p.encoded, nil
}
