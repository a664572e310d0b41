package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// filledFile is a closed database of several runs (branch pages in the
// bigger buckets) and its meta state.
func filledFile(t *testing.T) (string, *fileState) {
	t.Helper()
	s, path := openTemp(t)
	fillStore(t, s, 4, 150)
	s.Close()
	return path, fileStateOf(t, path)
}

func fileStateOf(t *testing.T, path string) *fileState {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := readFileState(path, f)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// copyFile copies the database to a new file in the test's folder.
func copyFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "llmref.db")
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// inUse lists the pages reached from the root whose header says they are
// pages of kind flags (branch, leaf).
func inUse(t *testing.T, path string, st *fileState, flags uint16) []uint64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w := &walker{data: data[:st.hwm()], psize: st.psize, hwm: st.meta.pgid}
	w.used, w.free = make(bitset, (w.hwm+63)/64), make(bitset, (w.hwm+63)/64)
	w.tree("", st.meta.root, nil, nil, 0)
	var out []uint64
	for id := uint64(2); id < st.meta.pgid; id++ {
		if p := data[id*uint64(st.psize):]; w.used.has(id) && ne.Uint64(p) == id && ne.Uint16(p[8:]) == flags {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no page of flags %#x in use: fill more", flags)
	}
	return out
}

func writeAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func u64le(n uint64) []byte { return ne.AppendUint64(nil, n) }

// openBoth opens path for reading and for writing and wants both refused
// with want, the file unchanged.
func openBoth(t *testing.T, path string, want error) {
	t.Helper()
	before, _ := os.ReadFile(path)
	for _, ro := range []bool{true, false} {
		s, err := Open(path, Options{ReadOnly: ro})
		if err == nil {
			s.Close()
			t.Fatalf("open (read-only %v) of a damaged file succeeded", ro)
		}
		if !errors.Is(err, want) {
			t.Fatalf("open (read-only %v): %v, want %v", ro, err, want)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("the error does not name the file: %v", err)
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a refused open changed the file")
	}
}

func TestOpenRefusesTruncated(t *testing.T) {
	path, st := filledFile(t)
	hwm, ps := st.hwm(), int64(st.psize)
	for _, tc := range []struct {
		name string
		size int64
	}{
		{"after the first page header", pageHeaderSize},
		{"mid meta page 0", pageHeaderSize + 20},
		{"mid meta page 1", ps + pageHeaderSize + 20},
		{"mid file", hwm / 2},
		{"one page short", hwm - ps},
		{"one byte short", hwm - 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := copyFile(t, path)
			if err := os.Truncate(p, tc.size); err != nil {
				t.Fatal(err)
			}
			openBoth(t, p, ErrTruncated)
			if _, err := Open(p, Options{}); !strings.Contains(err.Error(), "database file is truncated: restore it or run llmref check") {
				t.Errorf("message: %v", err)
			}
			problems, err := CheckFile(p, Options{})
			if err != nil || len(problems) != 1 || !strings.Contains(problems[0].Detail, "truncated") {
				t.Fatalf("check: %v %v", problems, err)
			}
		})
	}
	// A file longer than its high-water mark is whole (bbolt grows files
	// ahead of what they hold).
	if err := os.Truncate(path, hwm); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(path, Options{ReadOnly: true}); err != nil {
		t.Fatalf("a file cut at its high-water mark: %v", err)
	} else {
		s.Close()
	}
}

// TestTruncatedWhileOpen: reading a file cut short after Open faults in
// bbolt's mapping; the fault becomes an error, in the reading goroutine
// and in the workers that decode records.
func TestTruncatedWhileOpen(t *testing.T) {
	path, st := filledFile(t)
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := os.Truncate(path, 3*int64(st.psize)); err != nil {
		t.Fatal(err)
	}
	for name, read := range map[string]func() error{
		"snapshot": func() error { _, err := s.Snapshot(); return err },
		"pages":    func() error { _, err := s.Pages(); return err },
		"runs":     func() error { _, err := s.Runs(); return err },
	} {
		t.Run(name, func(t *testing.T) {
			if err := read(); !errors.Is(err, ErrTruncated) {
				t.Errorf("%s of a file truncated while open: %v, want ErrTruncated", name, err)
			}
		})
	}
}

func TestOpenRefusesDamage(t *testing.T) {
	path, st := filledFile(t)
	ps := int64(st.psize)
	branch := inUse(t, path, st, branchPageFlag)[0]
	leaf := inUse(t, path, st, leafPageFlag)[1]
	newest := int64(st.meta.page) * ps
	for _, tc := range []struct {
		name   string
		damage func(p string)
		at     string
	}{
		{"branch points outside the file", func(p string) {
			writeAt(t, p, int64(branch)*ps+pageHeaderSize+8, u64le(st.meta.pgid+100))
		}, "outside the file's data pages"},
		{"branch points to a meta page", func(p string) {
			writeAt(t, p, int64(branch)*ps+pageHeaderSize+8, u64le(1))
		}, "outside the file's data pages"},
		{"page says it is another", func(p string) {
			writeAt(t, p, int64(leaf)*ps, u64le(leaf+1))
		}, "says it is page"},
		{"page of no kind", func(p string) {
			writeAt(t, p, int64(leaf)*ps+8, []byte{0x40, 0})
		}, "neither a branch nor a leaf"},
		{"element past the page", func(p string) {
			writeAt(t, p, int64(leaf)*ps+pageHeaderSize+4, []byte{0xff, 0xff, 0xff, 0x00})
		}, "past the end of the page"},
		{"keys out of order", func(p string) {
			data, _ := os.ReadFile(p)
			_, k, _, _, err := element(data[int64(leaf)*ps:int64(leaf+1)*ps], 1, true)
			if err != nil || len(k) == 0 {
				t.Fatal("no second key", err)
			}
			off := bytes.Index(data[int64(leaf)*ps:], k)
			writeAt(t, p, int64(leaf)*ps+int64(off), []byte{0})
		}, "key"},
		{"freelist lists a page outside the file", func(p string) {
			writeAt(t, p, int64(st.meta.freelist)*ps+8, []byte{freelistFlag, 0, 1, 0})
			writeAt(t, p, int64(st.meta.freelist)*ps+pageHeaderSize, u64le(st.meta.pgid+7))
		}, "the freelist lists page"},
		{"freelist lists a page in use", func(p string) {
			writeAt(t, p, int64(st.meta.freelist)*ps+8, []byte{freelistFlag, 0, 1, 0})
			writeAt(t, p, int64(st.meta.freelist)*ps+pageHeaderSize, u64le(leaf))
		}, "in use and in the freelist"},
		{"both meta pages", func(p string) {
			writeAt(t, p, pageHeaderSize+48, []byte{0xff})
			writeAt(t, p, ps+pageHeaderSize+48, []byte{0xff})
		}, "both meta pages"},
		{"the newer meta page", func(p string) {
			writeAt(t, p, newest+pageHeaderSize+48, []byte{0xff})
		}, "meta page"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := copyFile(t, path)
			tc.damage(p)
			openBoth(t, p, ErrCorrupt)
			_, err := Open(p, Options{ReadOnly: true})
			if !strings.Contains(err.Error(), "is corrupt at") || !strings.Contains(err.Error(), tc.at) {
				t.Errorf("message %q does not say %q", err, tc.at)
			}
			problems, err := CheckFile(p, Options{})
			if err != nil || len(problems) == 0 {
				t.Fatalf("check: %v %v", problems, err)
			}
		})
	}
}

// TestCompactRepairsAMetaPage: a meta page that fails its checksum (a torn
// write) leaves the file readable as of the other one's transaction;
// compact rewrites it from there and everything opens again.
func TestCompactRepairsAMetaPage(t *testing.T) {
	path, st := filledFile(t)
	// Damage the older meta page: nothing is lost.
	older := int64(1-st.meta.page) * int64(st.psize)
	writeAt(t, path, older+pageHeaderSize+48, []byte{0xff})
	if _, err := Open(path, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("open: %v", err)
	}
	cs, err := Compact(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cs.Repaired, "meta page ") {
		t.Errorf("repaired %q", cs.Repaired)
	}
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if runs, err := s.Runs(); err != nil || len(runs) != 4 {
		t.Fatalf("after the repair: %d runs, %v", len(runs), err)
	}
	if problems, err := s.Check(); err != nil || len(problems) > 0 {
		t.Fatalf("after the repair: %v %v", problems, err)
	}
}

func TestWalkCleanFiles(t *testing.T) {
	s, path := openTemp(t)
	fillStore(t, s, 12, 150)
	_, res, err := checkStructure(path)
	if err != nil || len(res.found) > 0 {
		t.Fatalf("a database written by CommitRun: %v %v", res.problems(), err)
	}
	s.Close()
	if _, err := Compact(path, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, res, err := checkStructure(path); err != nil || len(res.found) > 0 {
		t.Fatalf("a compacted database: %v %v", res.problems(), err)
	}
	// An empty file is bbolt's to initialise; a new database is clean.
	empty := filepath.Join(t.TempDir(), "empty.db")
	os.WriteFile(empty, nil, 0o644)
	if s, err := Open(empty, Options{}); err != nil {
		t.Fatal(err)
	} else {
		s.Close()
	}
	if _, res, err := checkStructure(empty); err != nil || len(res.found) > 0 {
		t.Fatalf("a new database: %v %v", res.problems(), err)
	}
}

// TestReadsRecoverBboltPanics: a page overwritten while the store is open
// (the walk at Open saw it whole) makes bbolt panic; the read returns an
// error naming the file and the page.
func TestReadsRecoverBboltPanics(t *testing.T) {
	path, st := filledFile(t)
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var root uint64
	s.view(func(tx *bolt.Tx) error { root = uint64(tx.Bucket(bPages).Root()); return nil })
	if root == 0 {
		t.Fatal("the pages bucket is inline: fill more")
	}
	junk := bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, st.psize/4)
	writeAt(t, path, int64(root)*int64(st.psize), junk)
	_, err = s.Pages()
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("reading a page overwritten while open: %v", err)
	}
	t.Log(err)
}

// corruptRecord replaces a body with one that does not match its hash:
// the file's structure is sound, a record is not.
func corruptRecord(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bBodies)
		k, _ := b.Cursor().First()
		z, err := gz([]byte("not the body that was read"))
		if err != nil {
			return err
		}
		return b.Put(bytes.Clone(k), z)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCommitChecksRecordsWeekly: a run's commit reads every record when the
// last full check is a week old, and refuses a damaged one, writing
// nothing; within the week it checks the structure only.
func TestCommitChecksRecordsWeekly(t *testing.T) {
	path, _ := filledFile(t) // runs of 2026-04-23 to 26; the first checked everything
	corruptRecord(t, path)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	day := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	_, err = s.CommitRun(Commit{Run: catalog.Run{StartedAt: day.Add(8 * 24 * time.Hour), Status: catalog.RunOK}})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "bodies/") {
		t.Fatalf("commit a week after the last full check: %v", err)
	}
	if runs, _ := s.Runs(); len(runs) != 4 {
		t.Fatalf("a refused commit wrote: %d runs", len(runs))
	}
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day.Add(5 * 24 * time.Hour), Status: catalog.RunOK}}); err != nil {
		t.Fatalf("commit within the week: %v", err)
	}
}

func TestCompactRefusesCorruptRecord(t *testing.T) {
	path, _ := filledFile(t)
	corruptRecord(t, path)
	before, _ := os.ReadFile(path)
	_, err := Compact(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "not copied") || !strings.Contains(err.Error(), "bodies/") {
		t.Fatalf("compact of a file with a corrupt record: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a refused compaction changed the file")
	}
}

// TestReadsNameAnUndecodableRecord: a record that does not decode is damage
// in the file, reported as such, naming the record.
func TestReadsNameAnUndecodableRecord(t *testing.T) {
	path, _ := filledFile(t)
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bOfferings).Put([]byte("openai/m-0001|openai||"), []byte(`{"model":"openai/m-0001",`))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Snapshot()
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "is corrupt at offerings/openai/m-0001|openai||: the record does not decode") {
		t.Fatalf("snapshot with an undecodable offering: %v", err)
	}
}

// damageFromOutside makes a leaf page in use say it is another page, as a
// disk, a copy or another program might. The write moves the file's
// modification time (set here past the clock's tick, which a write within
// the same tick as the store's last would share).
func damageFromOutside(t *testing.T, path string) {
	t.Helper()
	st := fileStateOf(t, path)
	leaf := inUse(t, path, st, leafPageFlag)[0]
	writeAt(t, path, int64(leaf)*int64(st.psize), u64le(leaf+1))
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
}

// TestOwnWritesAreNotWalked: the file's structure is walked at Open; this
// store's own transactions from that sound state do not make a commit walk
// the whole file again, but a change made from outside does, and damage it
// made is refused.
func TestOwnWritesAreNotWalked(t *testing.T) {
	path, _ := filledFile(t)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	day := time.Date(2026, 4, 27, 2, 0, 0, 0, time.UTC)
	before := walks.Load()
	for i := range 3 {
		bodies, err := s.StreamBodies()
		if err != nil {
			t.Fatal(err)
		}
		bodies.Put(sum([]byte{byte(i)}), []byte{byte(i)})
		if _, err := bodies.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day.Add(time.Duration(i) * time.Hour), Status: catalog.RunOK}}); err != nil {
			t.Fatal(err)
		}
	}
	if n := walks.Load() - before; n != 0 {
		t.Fatalf("three runs of this store's own writes walked the file %d times, want 0", n)
	}

	damageFromOutside(t, path)
	_, err = s.CommitRun(Commit{Run: catalog.Run{StartedAt: day.Add(5 * time.Hour), Status: catalog.RunOK}})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "says it is page") {
		t.Fatalf("commit after a write from outside: %v, want the damage found", err)
	}
	if walks.Load()-before != 1 {
		t.Fatalf("walks after the outside write: %d, want 1", walks.Load()-before)
	}
}

// TestNewFileSkipsTheFirstRecordCheck: a store that created its file wrote
// every record in it, so its first commit records the full check as made
// instead of reading every record (a first run's every body); a week
// later the check reads them, and finds what is wrong.
func TestNewFileSkipsTheFirstRecordCheck(t *testing.T) {
	s, path := openTemp(t)
	bodies, err := s.StreamBodies()
	if err != nil {
		t.Fatal(err)
	}
	bodies.Put(sum([]byte("the body")), []byte("not the body that was read"))
	if _, err := bodies.Close(); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day, Status: catalog.RunOK}}); err != nil {
		t.Fatalf("the first commit into a new file: %v", err)
	}
	s.Close()
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day.Add(24 * time.Hour), Status: catalog.RunOK}}); err != nil {
		t.Fatalf("a commit within the week: %v", err)
	}
	_, err = s.CommitRun(Commit{Run: catalog.Run{StartedAt: day.Add(8 * 24 * time.Hour), Status: catalog.RunOK}})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "bodies/") {
		t.Fatalf("a commit a week after the first: %v, want the bad body found", err)
	}
}

// TestWalkLetsItsMappingGo: a walk that lets the pages it mapped go after
// every page it visits (as it does every walkRelease pages, so that the
// process never holds the whole file mapped) reads the same file: a sound
// one is sound, a damaged one has the same damage.
func TestWalkLetsItsMappingGo(t *testing.T) {
	path, st := filledFile(t)
	damaged := copyFile(t, path)
	leaf := inUse(t, path, st, leafPageFlag)[1]
	writeAt(t, damaged, int64(leaf)*int64(st.psize), u64le(leaf+1))
	walk := func(p string) structure {
		t.Helper()
		lastWalk.Lock()
		clear(lastWalk.by)
		lastWalk.Unlock()
		_, res, err := walkStructure(p)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	want := [2]structure{walk(path), walk(damaged)}
	if len(want[0].found) != 0 || len(want[1].found) == 0 {
		t.Fatalf("the files walked as %v and %v", want[0].found, want[1].found)
	}
	defer func(n int) { walkRelease = n }(walkRelease)
	walkRelease = 1
	before := walks.Load()
	got := [2]structure{walk(path), walk(damaged)}
	if walks.Load()-before != 2 {
		t.Fatal("the files were not walked again")
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("file %d, its mapping let go as walked: %+v, want %+v", i, got[i], want[i])
		}
	}
}
