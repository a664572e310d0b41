package store

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

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
		if err := tx.Bucket(bMeta).Put(keySchema, u64(1)); err != nil {
			return err
		}
		v, _ := json.Marshal(page)
		return tx.Bucket(bPages).Put([]byte(page.URL), v)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pages, err := s.Pages()
	if err != nil {
		t.Fatal(err)
	}
	got := pages[page.URL]
	if got.Count != 2 || len(got.Observations) != 0 {
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
