package store

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
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
			var ref listRef
			refs, ref, err = decodeRunPages(tx.Bucket(bRunPages).Get(u64(id)))
			same = ref.SameAs
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

// TestRunPagesAsADifference: a run that read a few pages otherwise than
// the last full list (a new body, a new fetch time, a page added or gone)
// stores the difference; one that changed more than a quarter of them
// stores its list in full, which the next differences are from. Each
// record reads back as the run's list; check follows the references and
// names a difference whose base is gone, or whose new body is missing.
func TestRunPagesAsADifference(t *testing.T) {
	s, _ := openTemp(t)
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	bodies := map[string][]byte{}
	page := func(i int, body string, fetched time.Time) catalog.Page {
		h := sum([]byte(body))
		bodies[h] = []byte(body)
		return catalog.Page{Source: "openai", URL: fmt.Sprintf("https://developers.openai.com/api/docs/models/m%03d", i), Kind: "model", Status: 200,
			BodySHA256: h, FetchedAt: fetched, CheckedAt: fetched}
	}
	list := make([]catalog.Page, 40)
	for i := range list {
		list[i] = page(i, fmt.Sprintf("<p>%d</p>", i), at)
	}
	commit := func(pages []catalog.Page) uint64 {
		t.Helper()
		storeBodies(t, s, bodies)
		id, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: at, FinishedAt: at, Status: catalog.RunOK}, Pages: slices.Clone(pages)})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// read is the run's record and the list it tells.
	read := func(id uint64) (listRef, []pageRef) {
		t.Helper()
		var ref listRef
		var refs []pageRef
		err := s.db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(bRunPages)
			var err error
			if refs, ref, err = decodeRunPages(b.Get(u64(id))); err != nil || ref.told() == 0 {
				return err
			}
			base, _, err := decodeRunPages(b.Get(u64(ref.told())))
			if err != nil {
				return err
			}
			byURL := map[string]pageRef{}
			for _, r := range base {
				byURL[r.URL] = r
			}
			for _, r := range ref.Set {
				byURL[r.URL] = r
			}
			for _, u := range ref.Removed {
				delete(byURL, u)
			}
			refs = slices.SortedFunc(maps.Values(byURL), func(a, b pageRef) int { return strings.Compare(a.URL, b.URL) })
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return ref, refs
	}
	wantList := func(pages []catalog.Page) []string {
		var out []string
		for _, p := range pages {
			out = append(out, p.URL+" "+p.BodySHA256+" "+p.FetchedAt.Format(time.RFC3339Nano))
		}
		slices.Sort(out)
		return out
	}
	gotList := func(refs []pageRef) []string {
		var out []string
		for _, r := range refs {
			out = append(out, r.URL+" "+r.BodySHA256+" "+r.FetchedAt.Format(time.RFC3339Nano))
		}
		return out
	}

	first := commit(list)
	day2 := slices.Clone(list)
	day2[3] = page(3, "<p>3, repriced</p>", at.Add(24*time.Hour))
	day2[7].FetchedAt = at.Add(24 * time.Hour) // fetched again (a 200, the same body)
	day2 = append(day2[:10], day2[11:]...)     // m010 gone
	day2 = append(day2, page(40, "<p>40</p>", at.Add(24*time.Hour)))
	second := commit(day2)
	many := slices.Clone(day2)
	for i := range 15 { // more than a quarter: the list in full
		many[i] = page(i, fmt.Sprintf("<p>%d, new</p>", i), at.Add(48*time.Hour))
	}
	third := commit(many)
	fourth := commit(append(slices.Clone(many[:len(many)-1]), page(41, "<p>41</p>", at.Add(72*time.Hour))))

	for _, c := range []struct {
		id    uint64
		pages []catalog.Page
		base  uint64
		set   int
		gone  int
	}{
		{first, list, 0, 0, 0},
		{second, day2, first, 3, 1},
		{third, many, 0, 0, 0},
		{fourth, append(slices.Clone(many[:len(many)-1]), page(41, "<p>41</p>", at.Add(72*time.Hour))), third, 1, 1},
	} {
		ref, refs := read(c.id)
		if ref.Base != c.base || len(ref.Set) != c.set || len(ref.Removed) != c.gone {
			t.Errorf("run %d: base %d, %d set, %d removed; want base %d, %d, %d", c.id, ref.Base, len(ref.Set), len(ref.Removed), c.base, c.set, c.gone)
		}
		if got, want := gotList(refs), wantList(c.pages); !slices.Equal(got, want) {
			t.Errorf("run %d reads back as\n%v\nwant\n%v", c.id, got, want)
		}
	}
	if problems, err := s.Check(); err != nil || len(problems) != 0 {
		t.Fatalf("check: %v %v", problems, err)
	}

	// A difference whose base holds no list, and one naming a body that is
	// not there, are problems check names.
	s.db.Update(func(tx *bolt.Tx) error {
		rp := tx.Bucket(bRunPages)
		rp.Put(u64(fourth), []byte(`{"base":`+fmt.Sprint(second)+`}`)) // a difference, not a list
		return rp.Put(u64(second), []byte(`{"base":`+fmt.Sprint(first)+`,"set":[{"source":"openai","url":"https://x/y","kind":"model","body_sha256":"`+strings.Repeat("ab", 32)+`","fetched_at":"2026-04-23T02:00:00Z"}]}`))
	})
	problems, err := s.Check()
	text := fmt.Sprint(problems)
	if err != nil || len(problems) != 2 || !strings.Contains(text, fmt.Sprintf("difference from run %d, which holds no list", second)) || !strings.Contains(text, "https://x/y: body "+strings.Repeat("ab", 32)+" is missing") {
		t.Fatalf("check after breaking two differences: %v %v", problems, err)
	}
}
