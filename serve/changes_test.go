package serve

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmref/llmref/internal/fixturetest"
	"github.com/llmref/llmref/store"
)

// countingReview is the database's Review, counting the change report's
// renders.
type countingReview struct {
	StoreReview
	renders atomic.Int32
}

func (c *countingReview) ReportHTML(st *store.Store, w io.Writer) error {
	c.renders.Add(1)
	return c.StoreReview.ReportHTML(st, w)
}

// TestChangesRenderedOnceAKey: /changes renders the latest report once
// for many readers at once and again only when a run or a decision
// changes it; a reader polling with its ETag gets 304.
func TestChangesRenderedOnceAKey(t *testing.T) {
	dir := t.TempDir()
	db, out := filepath.Join(dir, "llmref.db"), filepath.Join(dir, "export")
	fixturetest.Replay(t, db, out, "2026-04-23")
	fixturetest.Replay(t, db, out, "2026-04-24")
	rv := &countingReview{}
	s, err := New(Options{DB: store.NewDB(db, 5*time.Second), Review: rv})
	if err != nil {
		t.Fatal(err)
	}
	base := serveOnLoopback(t, s)
	var wg sync.WaitGroup
	etags := make([]string, 8)
	for i := range etags {
		wg.Go(func() {
			resp, body := getURL(t, base+"/changes")
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "llmref changes: run 2") {
				t.Errorf("GET /changes: %d\n%.300s", resp.StatusCode, body)
			}
			etags[i] = resp.Header.Get("ETag")
		})
	}
	wg.Wait()
	if n := rv.renders.Load(); n != 1 {
		t.Errorf("8 readers at once: %d renders, want 1", n)
	}
	for _, e := range etags[1:] {
		if e == "" || e != etags[0] {
			t.Fatalf("ETags %q", etags)
		}
	}
	if resp, _ := getURL(t, base+"/changes", "If-None-Match", etags[0]); resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET with the ETag: %d, want 304", resp.StatusCode)
	}
	// A new run is a new report.
	fixturetest.Replay(t, db, out, "2026-04-23") // the first day again: prices move back
	resp, body := getURL(t, base+"/changes", "If-None-Match", etags[0])
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "llmref changes: run 3") || rv.renders.Load() != 2 {
		t.Errorf("after a new run: %d, %d renders\n%.300s", resp.StatusCode, rv.renders.Load(), body)
	}
}
