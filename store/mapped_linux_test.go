//go:build linux

package store

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestTrimMapped: reading a bucket through bbolt's map leaves its pages
// resident in the process until trimIn lets them go, and a read by
// eachChunk never holds much more than a chunk of them.
func TestTrimMapped(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "llmref.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const n, size = 3 * mappedBudget / (8 << 10), 8 << 10 // three budgets of 8 KB values
	value := bytes.Repeat([]byte("x"), size)
	for start := 0; start < n; start += 1024 {
		err := st.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bBodies)
			for i := start; i < min(start+1024, n); i++ {
				if err := b.Put(fmt.Appendf(nil, "%08d", i), value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	read := func(v []byte) int { return bytes.Count(v, []byte("x")) } // touches every byte

	var before, read1, trimmed int64
	err = st.db.View(func(tx *bolt.Tx) error {
		trimIn(tx) // what writing left mapped, if any
		before = residentFile()
		total := 0
		_ = tx.Bucket(bBodies).ForEach(func(_, v []byte) error { total += read(v); return nil })
		if total != n*size {
			t.Errorf("read %d bytes, want %d", total, n*size)
		}
		read1 = residentFile()
		trimIn(tx)
		trimmed = residentFile()
		// Values read before the trim read the same after it.
		if v := tx.Bucket(bBodies).Get([]byte("00000007")); !bytes.Equal(v, value) {
			t.Error("a value read after the trim differs")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("resident file pages: %d MB before, %d MB after reading %d MB, %d MB trimmed", before>>20, read1>>20, (n*size)>>20, trimmed>>20)
	if read1-before < 2*mappedBudget {
		t.Skipf("reading %d MB through the map grew the resident file pages by %d MB only: nothing to trim here", (n*size)>>20, (read1-before)>>20)
	}
	if trimmed-before > trimChunk {
		t.Errorf("after the trim %d MB of file pages more than before stay resident", (trimmed-before)>>20)
	}

	// eachChunk: the most resident during the read stays within the
	// budget and about two chunks.
	var most int64
	total := 0
	err = st.db.View(func(tx *bolt.Tx) error {
		return eachChunk(tx, tx.Bucket(bBodies), func(keys []string, vals [][]byte) error {
			for _, v := range vals {
				total += read(v)
			}
			most = max(most, residentFile())
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if total != n*size {
		t.Errorf("eachChunk read %d bytes, want %d", total, n*size)
	}
	if limit := max(before, fileFloor.Load()+mappedBudget) + 2*trimChunk; most > limit {
		t.Errorf("eachChunk held %d MB of file pages resident; want at most %d MB", most>>20, limit>>20)
	}

	// A read through Store.view is trimmed after it.
	st.trim.last.Store(0)
	if err := st.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bBodies).ForEach(func(_, v []byte) error { read(v); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	if after := residentFile(); after-before > trimChunk {
		t.Errorf("after a view that read it all, %d MB of file pages more than before stay resident", (after-before)>>20)
	}
}

// TestTrimWhile: one call that reads a whole bucket through the map (as
// bbolt's DeleteBucket does) holds no more of it resident than the budget
// and what is read between two looks; deleteBucket deletes, and leaves
// nothing of the bucket resident.
func TestTrimWhile(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "llmref.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const n, size = 3 * mappedBudget / (8 << 10), 8 << 10
	value := bytes.Repeat([]byte("x"), size)
	for start := 0; start < n; start += 1024 {
		if err := st.db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("big"))
			if err != nil {
				return err
			}
			for i := start; i < min(start+1024, n); i++ {
				if err := b.Put(fmt.Appendf(nil, "%08d", i), value); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	var before, most int64
	err = st.db.Update(func(tx *bolt.Tx) error {
		trimIn(tx)
		before = residentFile()
		err := trimWhile(tx, func() error {
			i := 0
			return tx.Bucket([]byte("big")).ForEach(func(_, v []byte) error {
				bytes.Count(v, []byte("x"))
				if i++; i%128 == 0 { // 1 MB read: a pause longer than the trimmer's poll
					most = max(most, residentFile())
					time.Sleep(5 * trimPoll)
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
		return deleteBucket(tx, []byte("big"))
	})
	if err != nil {
		t.Fatal(err)
	}
	limit := max(before, fileFloor.Load()+mappedBudget) + 4<<20
	t.Logf("resident file pages: %d MB before, at most %d MB while reading %d MB (limit %d MB)", before>>20, most>>20, (n*size)>>20, limit>>20)
	if most > limit {
		t.Errorf("held %d MB of file pages resident while reading; want at most %d MB", most>>20, limit>>20)
	}
	if err := st.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("big")) != nil {
			t.Error("deleteBucket left the bucket")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
