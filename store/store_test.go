package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sub", "llmref.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func offering(model, provider string, in, out catalog.Money, at time.Time) *catalog.Offering {
	src := catalog.SourceRef{Name: provider, URL: "https://" + provider + ".example/prices", Authority: catalog.AuthorityProvider}
	fact := func(m catalog.Money) catalog.Fact[catalog.Price] {
		return catalog.Fact[catalog.Price]{Value: catalog.Fixed(m), Display: catalog.Fixed(m).String(), Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
	}
	return &catalog.Offering{ModelID: model, Provider: provider, Input: fact(in), Output: fact(out)}
}

func snapshotWith(offers ...*catalog.Offering) *catalog.Snapshot {
	s := catalog.NewSnapshot()
	for _, o := range offers {
		s.Models[o.ModelID] = &catalog.Model{ID: o.ModelID, Capabilities: map[catalog.Capability]catalog.Fact[bool]{}}
		s.Offerings[o.Key()] = o
	}
	return s
}

func TestCommitAndRead(t *testing.T) {
	s, _ := openTemp(t)
	day1 := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	body := []byte(`{"data":[]}`)
	page := catalog.Page{Source: "openrouter", URL: "https://openrouter.ai/api/v1/models", Kind: "models", Status: 200, BodySHA256: "abc", ETag: `"e1"`,
		Observations: []catalog.Observation{{Source: "openrouter", Subject: "a/b", Field: catalog.FieldName, Value: "B"}}}
	snap := snapshotWith(offering("meta/llama-3.2-1b-instruct", "openrouter", 27_000, 200_000, day1))
	snap.Unmatched = []catalog.Unmatched{{Source: "openrouter", ID: "openrouter/auto", Reason: "router"}}
	storeBodies(t, s, map[string][]byte{"abc": body})
	id, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day1, Status: catalog.RunOK}, Pages: []catalog.Page{page}, Snapshot: snap})
	if err != nil || id != 1 {
		t.Fatalf("commit: %d %v", id, err)
	}
	got, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	o := got.Offerings[catalog.OfferingKey("meta/llama-3.2-1b-instruct", "openrouter", "", "")]
	if o == nil || o.Output.Value.Amount != 200_000 || len(got.Unmatched) != 1 {
		t.Fatalf("read back %+v", got)
	}
	pages, err := s.Pages()
	if err != nil || pages[page.URL].ETag != `"e1"` || pages[page.URL].Count != 1 || len(pages[page.URL].Observations) != 0 {
		t.Fatalf("pages %+v %v; want the page's record without its observations", pages, err)
	}
	reused := []catalog.Page{pages[page.URL]}
	reused[0].Reused = true
	if err := s.LoadObservations(reused); err != nil || len(reused[0].Observations) != 1 {
		t.Fatalf("load observations: %+v %v", reused[0].Observations, err)
	}
	if o := reused[0].Observations[0]; o.Source != "openrouter" || o.URL != page.URL || o.Subject != "a/b" || o.Value != "B" {
		t.Errorf("observation read back %+v", o)
	}
	b, err := s.Body("abc")
	if err != nil || string(b) != string(body) {
		t.Fatalf("body %q %v", b, err)
	}
	if _, err := s.Body("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing body: %v", err)
	}
	last, err := s.LastRun()
	if err != nil || last.ID != 1 {
		t.Errorf("last run %+v %v", last, err)
	}
}

func TestHistory(t *testing.T) {
	s, _ := openTemp(t)
	day := func(n int) time.Time { return time.Date(2026, 4, 22+n, 2, 0, 0, 0, time.UTC) }
	llama := "meta/llama-3.2-1b-instruct"
	commits := []*catalog.Snapshot{
		snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(1)), offering("x/y", "openrouter", 1, 1, day(1))),
		snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(2)), offering("x/y", "openrouter", 1, 1, day(2))), // unchanged
		snapshotWith(offering(llama, "openrouter", 27_000, 201_000, day(3))),                                              // x/y leaves
	}
	for i, snap := range commits {
		if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day(i + 1)}, Snapshot: snap}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := s.History(llama, "openrouter")
	if err != nil {
		t.Fatal(err)
	}
	pts := h[catalog.OfferingKey(llama, "openrouter", "", "")]
	if len(pts) != 2 || pts[0].Output.Amount != 200_000 || pts[1].Output.Amount != 201_000 || !pts[1].At.Equal(day(3)) || pts[1].Run != 3 {
		t.Fatalf("history %+v; want 0.20 (run 1) then 0.201 (run 3)", pts)
	}
	hx, _ := s.History("x/y", "")
	xs := hx[catalog.OfferingKey("x/y", "openrouter", "", "")]
	if len(xs) != 2 || !xs[1].Removed {
		t.Errorf("x/y history %+v; want a removal point", xs)
	}
	if got, _ := s.Snapshot(); len(got.Offerings) != 1 {
		t.Errorf("published offerings %d, want 1", len(got.Offerings))
	}
}

func TestSecondWriterRefused(t *testing.T) {
	_, path := openTemp(t)
	start := time.Now()
	_, err := Open(path, Options{Timeout: 300 * time.Millisecond})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "in use by another llmref process") {
		t.Fatalf("second open: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("refused after %v", d)
	}
	if _, err := Open(path, Options{ReadOnly: true, Timeout: 200 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("reader while a writer holds it: %v", err)
	}
}

func TestCorruptAndMissing(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.db")
	if err := os.WriteFile(bad, []byte(strings.Repeat("not a database ", 512)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bad, Options{}); err == nil || !strings.Contains(err.Error(), "not a readable llmref database") {
		t.Errorf("corrupt file: %v", err)
	}
	b, _ := os.ReadFile(bad)
	if !strings.HasPrefix(string(b), "not a database") {
		t.Error("opening a corrupt file changed it")
	}
	if _, err := Open(filepath.Join(dir, "none.db"), Options{ReadOnly: true}); err == nil {
		t.Error("read-only open of a missing file succeeded")
	}
}

func TestReopenKeepsData(t *testing.T) {
	s, path := openTemp(t)
	if _, err := s.CommitRun(Commit{Run: catalog.Run{Status: catalog.RunOK}, Snapshot: snapshotWith(offering("a/b", "p", 1, 2, time.Now()))}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	snap, err := r.Snapshot()
	if err != nil || len(snap.Models) != 1 {
		t.Errorf("after reopen: %v %v", snap, err)
	}
}

// TestOpenCurrentWritesNothing: opening a database already at the current
// schema, with every bucket, commits no transaction.
func TestOpenCurrentWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "llmref.db")
	txid := func() int {
		db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		tx, err := db.Begin(false)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		return tx.ID()
	}
	for range 2 {
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	before := txid()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if after := txid(); after != before {
		t.Fatalf("opening a current database committed %d transactions", after-before)
	}
}

// TestOpenAFolder: a database path that is a folder (a mistyped --db)
// fails saying so, for every opener, and is not reported as damage to
// restore from a backup.
func TestOpenAFolder(t *testing.T) {
	dir := t.TempDir()
	for _, o := range []Options{{}, {ReadOnly: true}, {MustExist: true}} {
		if _, err := Open(dir, o); err == nil || !strings.Contains(err.Error(), dir+" is a folder, not a database file") || strings.Contains(err.Error(), "backup") {
			t.Errorf("open %+v: %v", o, err)
		}
	}
	if _, err := CheckFile(dir, Options{}); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("check: %v", err)
	}
	if _, err := Compact(dir, Options{}); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("compact: %v", err)
	}
}

// TestCompactStopped: a compaction whose context is done (a signal)
// stops, removes its copy, and leaves the database as it was.
func TestCompactStopped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "llmref.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("terminated"))
	if _, err := CompactContext(ctx, path, Options{}); err == nil || !strings.Contains(err.Error(), "compact stopped (terminated): the database is as it was") {
		t.Errorf("a stopped compaction: %v", err)
	}
	after, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("the database changed (%v)", err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".llmref.db.compact-*")); len(left) > 0 {
		t.Errorf("copies left behind: %v", left)
	}
}

// TestOpenForWritingAFileThatCannotBe: a database that reads sound but
// cannot be written (a file of another user, a read-only mount) fails a
// writer saying so, not "not a readable llmref database". (A read-only
// mount was checked by hand: "open database …: for writing: … read-only
// file system".)
func TestOpenForWritingAFileThatCannotBe(t *testing.T) {
	if os.Geteuid() == 0 || runtime.GOOS == "windows" {
		t.Skip("permissions do not bind this user")
	}
	path := filepath.Join(t.TempDir(), "llmref.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "for writing") || strings.Contains(err.Error(), "not a readable") {
		t.Errorf("open for writing a read-only file: %v", err)
	}
	if st, err := Open(path, Options{ReadOnly: true}); err != nil {
		t.Errorf("open it for reading: %v", err)
	} else {
		st.Close()
	}
}
