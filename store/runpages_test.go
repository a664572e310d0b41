package store

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// TestRunPagesSameAsBefore: a run that read the same pages as the last run
// stores a reference to that run's list instead of the list, whatever the
// order the pages came in; a run that read something else stores its list
// in full; llmref check follows the references.
func TestRunPagesSameAsBefore(t *testing.T) {
	s, _ := openTemp(t)
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	bodies := map[string][]byte{}
	page := func(u, body string) catalog.Page {
		h := sum([]byte(body))
		bodies[h] = []byte(body)
		return catalog.Page{Source: "openai", URL: "https://developers.openai.com/api/docs/models/" + u, Kind: "model", Status: 200,
			BodySHA256: h, FetchedAt: at, CheckedAt: at}
	}
	a, b := page("a", "<p>a</p>"), page("b", "<p>b</p>")
	b2 := page("b", "<p>b, repriced</p>")
	b2.FetchedAt = at.Add(48 * time.Hour)
	commit := func(pages ...catalog.Page) uint64 {
		t.Helper()
		run := catalog.Run{StartedAt: at, FinishedAt: at, Status: catalog.RunOK}
		storeBodies(t, s, bodies)
		id, err := s.CommitRun(Commit{Run: run, Pages: pages})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	record := func(id uint64) (refs []pageRef, same uint64) {
		t.Helper()
		err := s.db.View(func(tx *bolt.Tx) error {
			var err error
			refs, same, err = decodeRunPages(tx.Bucket(bRunPages).Get(u64(id)))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return refs, same
	}

	for _, c := range []struct {
		pages []catalog.Page
		same  uint64 // 0: the list in full
		urls  int
	}{
		{[]catalog.Page{a, b}, 0, 2},  // run 1
		{[]catalog.Page{b, a}, 1, 0},  // run 2: the same pages, another order
		{[]catalog.Page{a, b}, 1, 0},  // run 3
		{[]catalog.Page{a, b2}, 0, 2}, // run 4: b's body changed
		{[]catalog.Page{a, b2}, 4, 0}, // run 5
		{[]catalog.Page{a}, 0, 1},     // run 6: b gone
	} {
		id := commit(c.pages...)
		refs, same := record(id)
		if same != c.same || len(refs) != c.urls {
			t.Errorf("run %d: same as %d with %d pages listed, want same as %d with %d", id, same, len(refs), c.same, c.urls)
		}
	}
	if problems, err := s.Check(); err != nil || len(problems) != 0 {
		t.Fatalf("check: %v %v", problems, err)
	}

	// A reference to a run that holds no list is a problem check names.
	s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bRunPages).Put(u64(5), []byte(`{"same_as":2}`)) })
	problems, err := s.Check()
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0].String(), "same page list as run 2, which holds no list") {
		t.Fatalf("check after breaking run 5's reference: %v %v", problems, err)
	}
}

// TestPageRefsJSON: the page list written by hand reads back as written,
// and as encoding/json would have written it.
func TestPageRefsJSON(t *testing.T) {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	refs := []pageRef{
		{Source: "openrouter", URL: "https://openrouter.ai/api/v1/models?a=<b>&c", Kind: "models", BodySHA256: strings.Repeat("ab", 32), FetchedAt: at},
		{Source: "huggingface", URL: "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct", Kind: "card", Subject: "meta-llama/Llama-3.2-1B-Instruct \"x\"",
			FetchedAt: at.Add(time.Nanosecond), Stale: true},
	}
	got := appendPageRefs(nil, refs)
	var back []pageRef
	if err := json.Unmarshal(got, &back); err != nil || !reflect.DeepEqual(back, refs) {
		t.Fatalf("%s reads back as %+v (%v)", got, back, err)
	}
	want, _ := json.Marshal(refs)
	var g, w any
	json.Unmarshal(got, &g)
	json.Unmarshal(want, &w)
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	if got := appendPageRefs(nil, nil); string(got) != "[]" {
		t.Fatalf("no pages: %s", got)
	}
}
