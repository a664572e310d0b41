package schedules_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/schedules"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

// fixtureModels is OpenRouter's model list on the bundled day 2026-04-23.
func fixtureModels(t *testing.T) []byte {
	t.Helper()
	day, err := fixtures.Day("2026-04-23")
	if err != nil {
		t.Fatal(err)
	}
	models, err := fs.ReadFile(day, "openrouter.ai/api/v1/models.json")
	if err != nil {
		t.Fatal(err)
	}
	return models
}

// openRouterOnly is a configuration with OpenRouter's list at url as its
// one source, and that source.
func openRouterOnly(t *testing.T, url string) (*config.Config, []scrapers.Source) {
	t.Helper()
	yaml := "fetch: {retries: 0, timeout: 1m}\nsources:\n  openrouter: {base_url: \"" + url + "\"}\n"
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
	return cfg, srcs
}

// TestUnpublishedRunIsPublishedAgain runs a schedule whose tree cannot be
// published (its folder cannot be made): the run commits and is recorded
// unpublished, counts as the schedule's success (nothing is read again),
// and the daemon publishes the tree on its own once it can.
func TestUnpublishedRunIsPublishedAgain(t *testing.T) {
	models := fixtureModels(t)
	var reads atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/models" {
			http.NotFound(w, r)
			return
		}
		reads.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write(models)
	}))
	defer srv.Close()
	cfg, srcs := openRouterOnly(t, srv.URL)

	dir := t.TempDir()
	blocker := filepath.Join(dir, "blocker") // a file where the export's folder should go
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	exportDir := filepath.Join(blocker, "export")
	db := store.NewDB(filepath.Join(dir, "llmref.db"), time.Second)
	s, err := schedules.New(schedules.Options{
		Schedules:      []schedules.Schedule{{Name: "nightly", Spec: "CRON_TZ=UTC 0 2 * * *"}},
		DB:             db,
		Refresh:        refresh.Options{Sources: srcs, Fetch: cfg.FetchOptions(), Normalization: cfg.Normalization(), Publisher: cfg.Publisher(exportDir)},
		RepublishAfter: 50 * time.Millisecond,
		CatchUpEvery:   100 * time.Millisecond, // a failed run would be read again at once
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background()) // never succeeded: caught up at once
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	defer s.Stop(ctx)

	// waitFor polls the database until ok says yes.
	waitFor := func(what string, ok func(st *store.Store) bool) {
		t.Helper()
		for ctx.Err() == nil {
			done := false
			db.Read(ctx, func(st *store.Store) error { done = ok(st); return nil })
			if done {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("never: %s", what)
	}
	var rec store.ScheduleRun
	waitFor("a recorded run", func(st *store.Store) bool {
		rs, _ := st.ScheduleRuns(1)
		if len(rs) == 1 {
			rec = rs[0]
		}
		return len(rs) == 1
	})
	if rec.Status != store.ScheduleUnpublished || rec.RunID != 1 || !strings.Contains(rec.Error, "run 1 committed, but") {
		t.Fatalf("the run: %+v", rec)
	}
	time.Sleep(300 * time.Millisecond) // a few retries and catch-up looks fail or find nothing due
	if _, err := os.Stat(filepath.Join(exportDir, "index.json")); err == nil {
		t.Fatal("a tree was published where its folder cannot be")
	}
	if st := s.Statuses(); !st[0].Unpublished {
		t.Errorf("status while the tree is not published: %+v", st[0])
	}

	if err := os.Remove(blocker); err != nil { // the folder can be made now
		t.Fatal(err)
	}
	for ctx.Err() == nil {
		if _, err := os.Stat(filepath.Join(exportDir, "index.json")); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	var idx struct{ Run uint64 }
	raw, err := os.ReadFile(filepath.Join(exportDir, "index.json"))
	if err != nil {
		t.Fatalf("the tree was never published again: %v", err)
	}
	if err := json.Unmarshal(raw, &idx); err != nil || idx.Run != 1 {
		t.Fatalf("the published tree: run %d (%v), want 1", idx.Run, err)
	}
	for ctx.Err() == nil && s.Statuses()[0].Unpublished {
		time.Sleep(10 * time.Millisecond)
	}
	if st := s.Statuses(); st[0].Unpublished {
		t.Errorf("status once published: %+v", st[0])
	}
	if n := reads.Load(); n != 1 {
		t.Errorf("the source was read %d times; want once (publishing again reads nothing)", n)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	var states map[string]store.ScheduleState
	if err := db.Read(ctx, func(st *store.Store) error {
		if rs, _ := st.ScheduleRuns(0); len(rs) != 1 {
			t.Errorf("%d schedule runs; want one (the unpublished run counts as the schedule's success)", len(rs))
		}
		var err error
		states, err = st.ScheduleStates()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := states["nightly"]; got.LastStatus != store.ScheduleUnpublished || !got.Republished {
		t.Errorf("schedule state after publishing again: %+v", got)
	}

	// A restart does not take the published tree for an unpublished one.
	again, err := schedules.New(schedules.Options{
		Schedules: []schedules.Schedule{{Name: "nightly", Spec: "CRON_TZ=UTC 0 2 * * *"}}, DB: db,
		Refresh:        refresh.Options{Sources: srcs, Fetch: cfg.FetchOptions(), Normalization: cfg.Normalization(), Publisher: cfg.Publisher(exportDir)},
		RepublishAfter: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	again.Start(context.Background())
	time.Sleep(100 * time.Millisecond) // the start-up look
	if st := again.Statuses(); st[0].Unpublished {
		t.Errorf("after a restart: %+v", st[0])
	}
	if err := again.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestRestartResumesAnUnpublishedRun: a daemon that stopped before an
// unpublished run's tree was published again takes it up at start-up.
func TestRestartResumesAnUnpublishedRun(t *testing.T) {
	cfg, srcs := openRouterOnly(t, "http://127.0.0.1:9") // never read: nothing is due
	dir := t.TempDir()
	db := store.NewDB(filepath.Join(dir, "llmref.db"), time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.Write(ctx, func(st *store.Store) error {
		_, err := st.RecordScheduleRun(store.ScheduleRun{Schedule: "nightly", Trigger: schedules.TriggerCron,
			StartedAt: time.Now().UTC(), FinishedAt: time.Now().UTC(), Status: store.ScheduleUnpublished, RunID: 1})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s, err := schedules.New(schedules.Options{
		Schedules: []schedules.Schedule{{Name: "nightly", Spec: "CRON_TZ=UTC 0 2 * * *"}}, DB: db,
		Refresh:        refresh.Options{Sources: srcs, Fetch: cfg.FetchOptions(), Normalization: cfg.Normalization(), Publisher: cfg.Publisher(filepath.Join(dir, "export"))},
		RepublishAfter: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	defer s.Stop(ctx)
	for ctx.Err() == nil && !s.Statuses()[0].Unpublished {
		time.Sleep(10 * time.Millisecond)
	}
	if st := s.Statuses(); !st[0].Unpublished {
		t.Fatalf("after a restart over an unpublished run: %+v", st[0])
	}
}

// TestCancelMidCrawlCommitsNothing runs the real refresh (real collector,
// real store) from a schedule against a loopback OpenRouter that hangs,
// stops the scheduler mid-crawl, and checks that nothing was committed and
// that the next run against a working source commits normally.
func TestCancelMidCrawlCommitsNothing(t *testing.T) {
	models := fixtureModels(t)
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

	cfg, srcs := openRouterOnly(t, srv.URL)
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
