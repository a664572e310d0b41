package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// TestChangeSetRecords: a change set is stored compressed, as the JSON
// encoding/json gives it; a set stored plain (before schema 4) still reads,
// and a damaged compressed one is a clear error, never a crash.
func TestChangeSetRecords(t *testing.T) {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	usd := catalog.Money(27_000)
	sets := map[string]catalog.ChangeSet{
		"no changes": {Run: 1, At: at},
		"empty list": {Run: 2, At: at, Changes: []catalog.RunChange{}},
		"changes": {Run: 3, At: at, Changes: []catalog.RunChange{
			{Change: catalog.Change{Kind: catalog.ChangePrice, Model: "meta/llama-3.2-1b-instruct", Provider: "openrouter", Field: "input",
				Old: "$0.02", New: "$0.027", NewPrice: &catalog.Price{Kind: catalog.PriceFixed, Amount: usd}, Delta: &usd,
				Source: catalog.SourceOf(catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityAggregator})},
				ModelName: "Llama 3.2 1B Instruct <&>", Status: catalog.ChangeHeld, Hold: 7, Reasons: []string{"a price moved 35%"}},
			{Change: catalog.Change{Kind: catalog.ChangeModelAdded, Model: "openai/gpt-5.3-codex"}, Status: catalog.ChangePublished},
		}},
	}
	for name, cs := range sets {
		t.Run(name, func(t *testing.T) {
			stored, err := encodeChangeSet(&cs)
			if err != nil {
				t.Fatal(err)
			}
			if stored[0] != 0x1f || stored[1] != 0x8b {
				t.Fatalf("not gzip: % x", stored[:4])
			}
			var plainJSON, fromGzip []byte
			if plainJSON, err = json.Marshal(cs); err != nil {
				t.Fatal(err)
			}
			if fromGzip, err = gunzip(stored); err != nil {
				t.Fatal(err)
			}
			if string(fromGzip) != string(plainJSON) {
				t.Errorf("stored JSON differs from encoding/json's:\n%s\n%s", fromGzip, plainJSON)
			}
			for what, v := range map[string][]byte{"compressed": stored, "plain (schema 3)": plainJSON} {
				var got catalog.ChangeSet
				if err := decodeChangeSet(v, &got); err != nil || !reflect.DeepEqual(got, cs) {
					t.Errorf("%s: read back %+v, %v; want %+v", what, got, err, cs)
				}
			}
		})
	}

	// Through the store: a plain record written by an older llmref, and a
	// compressed one cut short.
	s, _ := openTemp(t)
	cs := sets["changes"]
	plain, _ := json.Marshal(cs)
	short, _ := encodeChangeSet(&catalog.ChangeSet{Run: 4, At: at, Changes: cs.Changes})
	if err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bChanges)
		if err := b.Put(u64(3), plain); err != nil {
			return err
		}
		return b.Put(u64(4), short[:len(short)-6])
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ChangeSet(3); err != nil || !reflect.DeepEqual(got, cs) {
		t.Errorf("a plain record: %+v, %v", got, err)
	}
	if _, err := s.ChangeSet(4); err == nil || !errors.Is(err, ErrCorrupt) {
		t.Errorf("a damaged record: %v, want a damaged-record error", err)
	}
	if err := checkChangeSet(u64(4), short[:len(short)-6]); err == nil {
		t.Error("check passes a damaged record")
	}
}

// TestSchema3Reads: a database an older llmref wrote (schema 3, plain
// change sets) reads as it is, and is marked schema 4 by its first write.
func TestSchema3Reads(t *testing.T) {
	s, path := openTemp(t)
	cs := catalog.ChangeSet{Run: 1, At: time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC),
		Changes: []catalog.RunChange{{Change: catalog.Change{Kind: catalog.ChangeModelAdded, Model: "meta/llama-3.2-1b-instruct"}, Status: catalog.ChangePublished}}}
	plain, _ := json.Marshal(cs)
	if err := s.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bChanges).Put(u64(1), plain); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(keySchema, u64(3))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open of a schema 3 database: %v", err)
	}
	if got, err := ro.ChangeSet(1); err != nil || !reflect.DeepEqual(got, cs) {
		t.Errorf("its change set: %+v, %v", got, err)
	}
	ro.Close()
	rw, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	if err := rw.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bMeta).Get(keySchema); string(v) != string(u64(SchemaVersion)) {
			t.Errorf("schema after a writing open: % x", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkEncodeChangeSet writes a first run's report of 2,000 added
// offerings, as the commit does.
func BenchmarkEncodeChangeSet(b *testing.B) {
	src := catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityAggregator}
	cs := &catalog.ChangeSet{Run: 1, At: time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)}
	for i := range 2000 {
		p := catalog.Fixed(catalog.Money(27_000 + i))
		cs.Changes = append(cs.Changes, catalog.RunChange{Change: catalog.Change{Kind: catalog.ChangeOfferingAdded,
			Model: fmt.Sprintf("meta/llama-3.2-%db-instruct", i), Provider: "openrouter", New: p.String(), NewPrice: &p, Source: catalog.SourceOf(src)},
			ModelName: "Meta: Llama 3.2 1B Instruct", Status: catalog.ChangePublished})
	}
	b.ReportAllocs()
	for range b.N {
		if _, err := encodeChangeSet(cs); err != nil {
			b.Fatal(err)
		}
	}
}
