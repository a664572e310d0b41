package schedules_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/schedules"
	"github.com/llmref/llmref/store"
)

// TestCancelMidCrawlCommitsNothing runs the real refresh (real collector,
// real store) from a schedule against a loopback OpenRouter that hangs,
// stops the scheduler mid-crawl, and checks that nothing was committed and
// that the next run against a working source commits normally.
func TestCancelMidCrawlCommitsNothing(t *testing.T) {
	day, err := fixtures.Day("2026-04-23")
	if err != nil {
		t.Fatal(err)
	}
	models, err := fs.ReadFile(day, "openrouter.ai/api/v1/models.json")
	if err != nil {
		t.Fatal(err)
	}
	var hang atomic.Bool
	hang.Store(true)
	hit := make(chan struct{}, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/models" {
			http.NotFound(w, r)
			return
		}
		if hang.Load() {
			hit <- struct{}{}
			<-r.Context().Done() // a source that never answers
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(models)
	}))
	defer srv.Close()

	yaml := "fetch: {retries: 0, timeout: 1m}\nsources:\n  openrouter: {base_url: \"" + srv.URL + "\"}\n"
	defaults := config.Default()
	for _, name := range config.SourceNames() {
		if name != "openrouter" && defaults.Settings(name).On() {
			if name == "custom" { // a list of declared tables
				yaml += "  custom: []\n"
				continue
			}
			yaml += "  " + name + ": {enabled: false}\n"
		}
	}
	cfg, err := config.Parse(strings.NewReader(yaml))
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := cfg.BuildSources()
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 1 {
		t.Fatalf("%d sources enabled, want openrouter alone", len(srcs))
	}
	path := filepath.Join(t.TempDir(), "llmref.db")
	db := store.NewDB(path, time.Second)
	newScheduler := func() *schedules.Scheduler {
		s, err := schedules.New(schedules.Options{
			Schedules: []schedules.Schedule{{Name: "nightly", Spec: "CRON_TZ=UTC 0 2 * * *"}},
			DB:        db,
			Refresh:   refresh.Options{Sources: srcs, Fetch: cfg.FetchOptions(), Normalization: cfg.Normalization()},
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	s := newScheduler()
	s.Start(context.Background()) // never succeeded: caught up at once
	select {
	case <-hit:
	case <-time.After(20 * time.Second):
		t.Fatal("the run never reached the source")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the database after a cancelled run: %v", err)
	}
	runs, err := st.Runs()
	if err != nil || len(runs) != 0 {
		t.Errorf("after a cancelled crawl: %d runs committed (%v); want none", len(runs), err)
	}
	recs, _ := st.ScheduleRuns(0)
	if len(recs) != 1 || recs[0].Status != store.ScheduleCancelled {
		t.Errorf("schedule records %+v; want one cancelled", recs)
	}
	st.Close()

	hang.Store(false)
	s = newScheduler()
	s.Start(context.Background()) // the cancelled run is still due
	deadline := time.Now().Add(30 * time.Second)
	var last store.ScheduleRun
	for time.Now().Before(deadline) {
		db.Read(context.Background(), func(st *store.Store) error {
			if rs, _ := st.ScheduleRuns(1); len(rs) == 1 {
				last = rs[0]
			}
			return nil
		})
		if last.Status.Success() {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if last.Status != store.ScheduleOK || last.RunID != 1 || last.Trigger != schedules.TriggerCatchUp {
		t.Fatalf("the run after the cancelled one: %+v", last)
	}
	st, err = store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	snap, err := st.Snapshot()
	if err != nil || len(snap.Models) == 0 {
		t.Errorf("after the good run: %d models, %v", len(snap.Models), err)
	}
}
