package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// oldDatabase writes a database at schema version, with the buckets of
// the first layout, and fill's records.
func oldDatabase(t *testing.T, path string, version uint64, fill func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bMeta, bRuns, bRunPages, bPages, bBodies, bModels, bOfferings, bUnmatched, bHistory} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bMeta).Put(keySchema, u64(version)); err != nil {
			return err
		}
		return fill(tx)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

// openMigrated opens (and so migrates) the database at path and reads its
// pages.
func openMigrated(t *testing.T, path string) (*Store, map[string]catalog.Page) {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	pages, err := s.Pages()
	if err != nil {
		t.Fatal(err)
	}
	return s, pages
}

// TestMigratePagesApart opens a schema-1 database, whose page records held
// their observations, and finds them split: the record with its count, the
// observations apart, every field restored.
func TestMigratePagesApart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	page := catalog.Page{Source: "huggingface", URL: "https://huggingface.co/x/y/resolve/main/README.md", Kind: "card", Status: 200,
		FetchedAt: at, CheckedAt: at, Observations: []catalog.Observation{
			{Source: "huggingface", URL: "https://huggingface.co/x/y/resolve/main/README.md", Authority: catalog.AuthorityCreator, RetrievedAt: at,
				Subject: "x/y", Field: catalog.FieldContext, Value: "128k"},
			{Source: "huggingface", URL: "https://elsewhere.example/z", Authority: catalog.AuthorityCreator, RetrievedAt: at,
				Subject: "x/y", Provider: "p", Region: "eu", Variant: "free", Field: catalog.FieldPriceInput, Value: "1", Unit: catalog.PerMillion, Note: "n"},
		}}
	oldDatabase(t, path, 1, func(tx *bolt.Tx) error {
		v, _ := json.Marshal(page)
		return tx.Bucket(bPages).Put([]byte(page.URL), v)
	})

	s, pages := openMigrated(t, path)
	got := pages[page.URL]
	if got.Count != 2 || len(got.Observations) != 0 || !got.CheckedAt.Equal(at) {
		t.Fatalf("migrated page record %+v", got)
	}
	list := []catalog.Page{got}
	list[0].Reused = true
	if err := s.LoadObservations(list); err != nil {
		t.Fatal(err)
	}
	for i, o := range list[0].Observations {
		if o != page.Observations[i] {
			t.Errorf("observation %d: got %+v, want %+v", i, o, page.Observations[i])
		}
	}
	if problems, err := s.Check(); err != nil || len(problems) != 0 {
		t.Errorf("check after migration: %v %v", problems, err)
	}
}

// TestMigrateCheckedApart: a version-2 database, whose page records held
// their check times, opens as version 3 with each time in bPageChecked,
// the same as Pages and the snapshot's retrieved_at read it.
func TestMigrateCheckedApart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	later := at.Add(24 * time.Hour)
	page := catalog.Page{Source: "openrouter", URL: "https://openrouter.ai/api/v1/models", Kind: "models", Status: 200,
		FetchedAt: at, CheckedAt: later, Count: 1}
	oldDatabase(t, path, 2, func(tx *bolt.Tx) error {
		obs, err := tx.CreateBucket(bPageObs)
		if err != nil {
			return err
		}
		v, _ := json.Marshal(pageMeta(page)) // version 2's record: with checked_at
		if err := tx.Bucket(bPages).Put([]byte(page.URL), v); err != nil {
			return err
		}
		return obs.Put([]byte(page.URL), []byte(`[{"a":2,"s":"meta-llama/llama-3.2-1b-instruct","f":"context","x":"131072"}]`))
	})

	s, pages := openMigrated(t, path)
	if got := pages[page.URL]; !got.CheckedAt.Equal(later) || !got.FetchedAt.Equal(at) || got.Count != 1 {
		t.Fatalf("migrated page %+v, want checked %v, fetched %v", got, later, at)
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		var rec catalog.Page
		if err := json.Unmarshal(tx.Bucket(bPages).Get([]byte(page.URL)), &rec); err != nil {
			return err
		}
		if !rec.CheckedAt.IsZero() {
			t.Errorf("the page record still holds its check time %v", rec.CheckedAt)
		}
		if v := tx.Bucket(bMeta).Get(keySchema); binary.BigEndian.Uint64(v) != SchemaVersion {
			t.Errorf("schema version %d after migrating", binary.BigEndian.Uint64(v))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := s.Check(); err != nil || len(problems) != 0 {
		t.Errorf("check after migration: %v %v", problems, err)
	}
}

// TestConfirmedPageKeepsItsRecord: a run that only confirms a page (a 304)
// writes its check time and leaves the page's record byte for byte as it
// was; a page that is no longer current loses all three records.
func TestConfirmedPageKeepsItsRecord(t *testing.T) {
	s, _ := openTemp(t)
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	mk := func(u string) catalog.Page {
		return catalog.Page{Source: "openai", URL: u, Kind: "model", Status: 200, ETag: `"v1"`, FetchedAt: at, CheckedAt: at,
			Observations: []catalog.Observation{{Source: "openai", URL: u, Authority: catalog.AuthorityCreator, RetrievedAt: at,
				Subject: "openai/gpt-5.3-codex", Field: catalog.FieldContext, Value: "400000"}}}
	}
	a, b := mk("https://developers.openai.com/api/docs/models/a"), mk("https://developers.openai.com/api/docs/models/b")
	run := catalog.Run{StartedAt: at, FinishedAt: at, Status: catalog.RunOK}
	if _, err := s.CommitRun(Commit{Run: run, Pages: []catalog.Page{a, b}}); err != nil {
		t.Fatal(err)
	}
	record := func(u string) (rec, checked []byte) {
		s.db.View(func(tx *bolt.Tx) error {
			rec = bytes.Clone(tx.Bucket(bPages).Get([]byte(u)))
			checked = bytes.Clone(tx.Bucket(bPageChecked).Get([]byte(u)))
			return nil
		})
		return
	}
	before, _ := record(a.URL)

	later := at.Add(24 * time.Hour)
	a.CheckedAt, a.Observations, a.Count, a.Reused = later, nil, 1, true
	run.StartedAt, run.FinishedAt = later, later
	if _, err := s.CommitRun(Commit{Run: run, Pages: []catalog.Page{a}}); err != nil {
		t.Fatal(err)
	}
	after, checked := record(a.URL)
	if !bytes.Equal(before, after) {
		t.Errorf("a confirmed page's record was rewritten:\n%s\n%s", before, after)
	}
	if got, err := decodeChecked(checked); err != nil || !got.Equal(later) {
		t.Errorf("check time %v (%v), want %v", got, err, later)
	}
	pages, err := s.Pages()
	if err != nil {
		t.Fatal(err)
	}
	if got := pages[a.URL]; !got.CheckedAt.Equal(later) || !got.FetchedAt.Equal(at) {
		t.Errorf("page read back %+v", got)
	}
	if rec, checked := record(b.URL); rec != nil || checked != nil {
		t.Errorf("a page no longer current kept its record %q or check time %x", rec, checked)
	}
	if problems, err := s.Check(); err != nil || len(problems) != 0 {
		t.Errorf("check: %v %v", problems, err)
	}

	// A reused page whose record is new (here: never stored) must have
	// observations stored already: the commit refuses it.
	c := mk("https://developers.openai.com/api/docs/models/c")
	c.Observations, c.Count, c.Reused = nil, 1, true
	run.StartedAt, run.FinishedAt = later.Add(time.Hour), later.Add(time.Hour)
	if _, err := s.CommitRun(Commit{Run: run, Pages: []catalog.Page{a, c}}); err == nil || !strings.Contains(err.Error(), "no observations are stored") {
		t.Errorf("a reused page without observations committed: %v", err)
	}
}
