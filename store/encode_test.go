package store

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// TestPreparedCommit: a commit whose pages and bodies were prepared ahead
// stores exactly what a plain commit stores.
func TestPreparedCommit(t *testing.T) {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	var pages []catalog.Page
	bodies := map[string][]byte{}
	for i := 0; i < 300; i++ {
		body := []byte(fmt.Sprintf("<html><p>%d context window</p>%s</html>", i, bytes.Repeat([]byte("x"), i)))
		h := sum(body)
		bodies[h] = body
		pages = append(pages, catalog.Page{Source: "openai", URL: fmt.Sprintf("https://x.example/%03d", i), Kind: "model", Status: 200, BodySHA256: h, FetchedAt: at, CheckedAt: at,
			Observations: []catalog.Observation{{Source: "openai", Subject: fmt.Sprintf("openai/m-%03d", i), Field: catalog.FieldContext, Value: fmt.Sprint(i)}}})
	}
	plain, _ := openTemp(t)
	prepared, _ := openTemp(t)
	if _, err := plain.CommitRun(Commit{Run: catalog.Run{StartedAt: at, Status: catalog.RunOK}, Pages: pages, Bodies: bodies}); err != nil {
		t.Fatal(err)
	}
	p := Prepare(pages, bodies)
	if _, err := prepared.CommitRun(Commit{Run: catalog.Run{StartedAt: at, Status: catalog.RunOK}, Pages: pages, Bodies: bodies, Prepared: p}); err != nil {
		t.Fatal(err)
	}
	a, _ := plain.Pages()
	b, _ := prepared.Pages()
	if len(a) != len(pages) || len(b) != len(pages) {
		t.Fatalf("%d and %d pages, want %d", len(a), len(b), len(pages))
	}
	for _, pg := range pages {
		if fmt.Sprint(a[pg.URL]) != fmt.Sprint(b[pg.URL]) {
			t.Errorf("%s: %+v vs %+v", pg.URL, a[pg.URL], b[pg.URL])
		}
		got, err := prepared.Body(pg.BodySHA256)
		if err != nil || !bytes.Equal(got, bodies[pg.BodySHA256]) {
			t.Errorf("%s: body %q, %v", pg.URL, got, err)
		}
	}
	if problems, err := prepared.Check(); err != nil || len(problems) > 0 {
		t.Errorf("check: %v %v", problems, err)
	}
	// Prepared for other pages: refused, nothing written.
	other := append([]catalog.Page(nil), pages...)
	if _, err := prepared.CommitRun(Commit{Run: catalog.Run{StartedAt: at, Status: catalog.RunOK}, Pages: other, Prepared: Prepare(pages, nil)}); err == nil {
		t.Error("a commit with another slice's preparation was accepted")
	}
	if runs, _ := prepared.Runs(); len(runs) != 1 {
		t.Errorf("%d runs after a refused commit, want 1", len(runs))
	}
}
