package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// fillStore commits runs runs of n pages and n offerings each; every run
// changes the prices, so pages, offerings and history are rewritten.
func fillStore(t testing.TB, s *Store, runs, n int) {
	t.Helper()
	day := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	for r := 0; r < runs; r++ {
		at := day.Add(time.Duration(r) * 24 * time.Hour)
		var pages []catalog.Page
		bodies := map[string][]byte{}
		var offers []*catalog.Offering
		for i := 0; i < n; i++ {
			body := []byte(fmt.Sprintf(`{"model":%d,"run":%d,"pad":%q}`, i, r, strings.Repeat("x", 200)))
			h := sum(body)
			bodies[h] = body
			u := fmt.Sprintf("https://provider.example/models/m-%04d", i)
			pages = append(pages, catalog.Page{Source: "openai", URL: u, Kind: "model", Status: 200, BodySHA256: h, Bytes: int64(len(body)), FetchedAt: at, CheckedAt: at,
				Observations: []catalog.Observation{{Source: "openai", URL: u, Subject: fmt.Sprintf("openai/m-%04d", i), Field: catalog.FieldPriceInput, Value: fmt.Sprint(r + i)}}})
			offers = append(offers, offering(fmt.Sprintf("openai/m-%04d", i), "openai", catalog.Money(1000*(r+1)+i), 2_000_000, at))
		}
		storeBodies(t, s, bodies)
		if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: at, FinishedAt: at, Status: catalog.RunOK}, Pages: pages, Snapshot: snapshotWith(offers...)}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheckClean(t *testing.T) {
	s, _ := openTemp(t)
	fillStore(t, s, 3, 20)
	problems, err := s.Check()
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Fatalf("a database written by CommitRun has problems: %v", problems)
	}
}

// TestCheckFindsDamage writes records CommitRun never would, straight through
// bbolt, and expects each to be named.
func TestCheckFindsDamage(t *testing.T) {
	s, path := openTemp(t)
	fillStore(t, s, 2, 3)
	s.Close()
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	goodBody := []byte("a body")
	err = db.Update(func(tx *bolt.Tx) error {
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(tx.Bucket(bModels).Put([]byte("openai/m-0001"), []byte(`{"id":"openai/m-0001","name":{"status":"maybe"}}`)))
		must(tx.Bucket(bRuns).Put([]byte("abc"), []byte(`{}`)))
		must(tx.Bucket(bPages).Put([]byte("https://x.example/p"), []byte(`{"source":"openai","url":"https://x.example/p","body_sha256":"`+sum([]byte("gone"))+`"}`)))
		must(tx.Bucket(bPages).Put([]byte("https://x.example/q"), []byte(`{"source":"openai","url":"https://x.example/elsewhere"}`)))
		must(tx.Bucket(bBodies).Put([]byte(sum(goodBody)), mustGz(t, []byte("another body"))))
		// A point of a run that never was.
		key := catalog.OfferingKey("openai/m-0002", "openai", "", "")
		early, _ := json.Marshal(catalog.PricePoint{Run: 3, At: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
		must(tx.Bucket(bHistory).Put(historyKey(key, 3), early))
		// A published offering with no history.
		o := offering("openai/m-0000", "bedrock", 1, 2, time.Now())
		b, _ := json.Marshal(o)
		must(tx.Bucket(bOfferings).Put([]byte(o.Key()), b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	s2, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	problems, err := s2.Check()
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, p := range problems {
		all = append(all, p.String())
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{
		"models/openai/m-0001: does not decode",
		"runs/abc: key is 3 bytes",
		"pages/https://x.example/p: body " + sum([]byte("gone")) + " is missing",
		"pages/https://x.example/q: record says URL",
		"bodies/" + sum(goodBody) + ": body does not match its hash",
		"history/openai/m-0002|openai||@3: point of run 3, which does not exist",
		"offerings/openai/m-0000|bedrock||: published offering without price history",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems do not name %q:\n%s", want, text)
		}
	}
}

// storeBodies stores raw bodies as a run's crawl does (see StreamBodies),
// ahead of the commit whose pages name them.
func storeBodies(t testing.TB, s *Store, bodies map[string][]byte) {
	t.Helper()
	bs, err := s.StreamBodies()
	if err != nil {
		t.Fatal(err)
	}
	for sum, body := range bodies {
		bs.Put(sum, body)
	}
	if _, err := bs.Close(); err != nil {
		t.Fatal(err)
	}
}

func mustGz(t *testing.T, b []byte) []byte {
	t.Helper()
	z, err := gz(b)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// TestCheckDamagedFile overwrites the middle of the file: the check (or the
// open) must say so, never report a clean database.
func TestCheckDamagedFile(t *testing.T) {
	s, path := openTemp(t)
	fillStore(t, s, 4, 50)
	// The root page of the pages bucket: a page in use, whatever the
	// layout of the file.
	var root int64
	pageSize := int64(s.db.Info().PageSize)
	s.db.View(func(tx *bolt.Tx) error {
		root = int64(tx.Bucket(bPages).Root())
		return nil
	})
	s.Close()
	if root == 0 {
		t.Fatal("the pages bucket is inline: fill more")
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := []byte(strings.Repeat("\xde\xad\xbe\xef", int(pageSize)/4))
	if _, err := f.WriteAt(junk, root*pageSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s2, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		if !strings.Contains(err.Error(), "database") {
			t.Fatalf("open of a damaged file: %v", err)
		}
		return // refused at open, with a clear error: fine
	}
	defer s2.Close()
	problems, err := s2.Check()
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) == 0 {
		t.Fatal("a file with 16 KiB of junk in its middle passed the check")
	}
	t.Logf("%d problems, first: %s", len(problems), problems[0])
}

func TestCompact(t *testing.T) {
	s, path := openTemp(t)
	fillStore(t, s, 12, 150)
	before, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	runsBefore, _ := s.Runs()
	s.Close()

	st, err := Compact(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.After <= 0 || st.After >= st.Before {
		t.Errorf("compact: %d → %d bytes; want smaller", st.Before, st.After)
	}
	fi, _ := os.Stat(path)
	if fi.Size() != st.After {
		t.Errorf("reported %d bytes after, file has %d", st.After, fi.Size())
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*compact*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	s2, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	after, err := s2.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	runsAfter, _ := s2.Runs()
	if len(after.Offerings) != len(before.Offerings) || len(after.Models) != len(before.Models) || len(runsAfter) != len(runsBefore) {
		t.Errorf("compact lost data: %d/%d offerings, %d/%d runs", len(after.Offerings), len(before.Offerings), len(runsAfter), len(runsBefore))
	}
	if problems, err := s2.Check(); err != nil || len(problems) > 0 {
		t.Errorf("compacted database: %v %v", problems, err)
	}
}

func TestCompactWhileLocked(t *testing.T) {
	_, path := openTemp(t) // held open by the test
	if _, err := Compact(path, Options{Timeout: 100 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Fatalf("compact of a held database: %v, want ErrLocked", err)
	}
}

// TestOpenAfterCompactRename: a process waiting for the lock while Compact
// renames a new file over the database must end up writing to the new file,
// not to the replaced one nobody will read again.
func TestOpenAfterCompactRename(t *testing.T) {
	path := filepath.Join(t.TempDir(), "llmref.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fillStore(t, s, 2, 5)
	type opened struct {
		s   *Store
		err error
	}
	waiter := make(chan opened, 1)
	go func() {
		w, err := Open(path, Options{Timeout: 10 * time.Second})
		waiter <- opened{w, err}
	}()
	time.Sleep(200 * time.Millisecond) // the waiter has opened the old file and waits for its lock
	if _, err := s.compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	w := <-waiter
	if w.err != nil {
		t.Fatal(w.err)
	}
	id, err := w.s.CommitRun(Commit{Run: catalog.Run{StartedAt: time.Now(), Status: catalog.RunOK}})
	if err != nil {
		t.Fatal(err)
	}
	w.s.Close()
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	last, err := r.LastRun()
	if err != nil || last.ID != id {
		t.Fatalf("the run committed after the compaction is not in the database: last %d, %v; want %d", last.ID, err, id)
	}
}

// TestCheckFileWaitsForAWriter: check reads a file only under a shared
// lock, so never while another process's writer has it open (its walk,
// unlocked, read pages a refresh's transaction was writing and reported a
// sound file as damaged): it waits for the writer, or says the database
// is in use. A writer in this process stands for the other process: flock
// locks of two opens of one file exclude each other.
func TestCheckFileWaitsForAWriter(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("flock(2)")
	}
	path := filepath.Join(t.TempDir(), "llmref.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lastWalk.Lock()
	clear(lastWalk.by) // as another process, which has walked nothing
	lastWalk.Unlock()
	before := walks.Load()
	if _, err := CheckFile(path, Options{Timeout: 100 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("check while a writer has the file: %v, want ErrLocked", err)
	}
	if n := walks.Load() - before; n != 0 {
		t.Errorf("check read the file's pages %d times while a writer had it", n)
	}
	if _, err := Open(path, Options{ReadOnly: true, Timeout: 100 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("open for reading while a writer has the file: %v, want ErrLocked", err)
	}
	start := time.Now()
	go func() {
		time.Sleep(300 * time.Millisecond)
		st.Close()
	}()
	problems, err := CheckFile(path, Options{Timeout: 10 * time.Second})
	if err != nil || len(problems) > 0 {
		t.Errorf("check once the writer closed: %v, %v", problems, err)
	}
	if waited := time.Since(start); waited < 250*time.Millisecond {
		t.Errorf("check read the file %s after the writer opened it, before it closed", waited)
	}
}
