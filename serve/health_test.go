package serve

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/fixturetest"
	"github.com/llmref/llmref/schedules"
	"github.com/llmref/llmref/store"
)

// TestHealthzDamagedDatabase: a truncated or corrupt database file makes
// /healthz answer 503 naming the damage, while the export published
// before it is still served.
func TestHealthzDamagedDatabase(t *testing.T) {
	f := newFixture(t, testToken)
	whole, err := os.ReadFile(f.db)
	if err != nil {
		t.Fatal(err)
	}
	// The file's page size, from its first meta page (after the 16-byte
	// page header: magic, version, page size).
	pageSize := int(binary.NativeEndian.Uint32(whole[16+8:]))
	for _, tc := range []struct {
		name   string
		damage func() error
		want   string
	}{
		{"truncated", func() error { return os.Truncate(f.db, 3*int64(pageSize)) }, "database file is truncated"},
		{"corrupt", func() error {
			// Both meta pages fail their checksums.
			b := append([]byte(nil), whole...)
			b[16+48] ^= 0xff
			b[pageSize+16+48] ^= 0xff
			return os.WriteFile(f.db, b, 0o644)
		}, "is corrupt at both meta pages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.damage(); err != nil {
				t.Fatal(err)
			}
			defer os.WriteFile(f.db, whole, 0o644)
			resp, body := f.get(t, "/healthz")
			var h Health
			if err := json.Unmarshal(body, &h); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusServiceUnavailable || h.Status != "unhealthy" || h.Database.Readable {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			named := false
			for _, p := range h.Problems {
				named = named || strings.Contains(p, tc.want)
			}
			if !named || !strings.Contains(h.Database.Error, tc.want) {
				t.Errorf("the problem is not named (%q): %s", tc.want, body)
			}
			if resp, _ := f.get(t, "/v1/index.json"); resp.StatusCode != http.StatusOK {
				t.Errorf("the export is not served: %d", resp.StatusCode)
			}
		})
	}
	if resp, _ := f.get(t, "/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("restored: %d", resp.StatusCode)
	}
}

// TestHealthzSaysWhatHappened: /healthz is 503 when the last run failed
// (what is published is still served) and when nothing was ever
// committed, and 200 again once a run commits.
func TestHealthzSaysWhatHappened(t *testing.T) {
	failed := catalog.Run{Status: catalog.RunFailed, StartedAt: time.Date(2026, 4, 23, 11, 0, 0, 0, time.UTC),
		FinishedAt: time.Date(2026, 4, 23, 11, 1, 0, 0, time.UTC), Error: "no source was read"}
	record := func(t *testing.T, db *store.DB) {
		t.Helper()
		if err := db.Write(context.Background(), func(st *store.Store) error { _, err := st.RecordRun(failed); return err }); err != nil {
			t.Fatal(err)
		}
	}
	health := func(t *testing.T, url string) (int, Health) {
		t.Helper()
		resp, body := getURL(t, url+"/healthz")
		var h Health
		if err := json.Unmarshal(body, &h); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, h
	}
	named := func(h Health, want string) bool {
		for _, p := range h.Problems {
			if strings.Contains(p, want) {
				return true
			}
		}
		return false
	}
	t.Run("last run failed", func(t *testing.T) {
		f := newFixture(t, testToken)
		if code, h := health(t, f.srv.URL); code != http.StatusOK {
			t.Fatalf("before: %d %v", code, h.Problems)
		}
		record(t, store.NewDB(f.db, time.Second))
		code, h := health(t, f.srv.URL)
		if code != http.StatusServiceUnavailable || h.Status != "unhealthy" || !named(h, "failed: no source was read") {
			t.Fatalf("%d %s %v", code, h.Status, h.Problems)
		}
		if h.LastRun == nil || h.LastRun.Status != catalog.RunFailed {
			t.Errorf("last run %+v", h.LastRun)
		}
		if resp, _ := f.get(t, "/v1/index.json"); resp.StatusCode != http.StatusOK {
			t.Errorf("the export published before is not served: %d", resp.StatusCode)
		}
	})
	t.Run("tree behind the database", func(t *testing.T) {
		f := newFixture(t, testToken)
		// A refresh that commits and publishes nothing (no export
		// configured, or its export failed): readers get the older tree.
		fixturetest.Replay(t, f.db, "", "2026-04-24")
		code, h := health(t, f.srv.URL)
		if code != http.StatusOK || h.Status != "degraded" || !named(h, "the served tree is behind the database: it holds run 1, run 2 committed since") {
			t.Fatalf("%d %s %v", code, h.Status, h.Problems)
		}
		if h.Export == nil || !h.Export.Behind || h.Export.Run != 1 {
			t.Errorf("export %+v", h.Export)
		}
		if resp, _ := getURL(t, f.srv.URL+"/healthz?strict=1"); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("strict: %d", resp.StatusCode)
		}
		// Published again, the tree is whole.
		fixturetest.Replay(t, f.db, f.export, "2026-04-24")
		if code, h := health(t, f.srv.URL); code != http.StatusOK || named(h, "behind") || h.Export.Behind {
			t.Fatalf("after publishing: %d %s %v", code, h.Status, h.Problems)
		}
	})
	t.Run("committed, tree not published yet", func(t *testing.T) {
		f := newFixture(t, testToken)
		s, err := New(Options{DB: store.NewDB(f.db, time.Second), ExportDir: f.export, Publisher: testPublisher(f.export), Now: time.Now,
			Schedules: func() []schedules.Status { return []schedules.Status{{Name: "nightly", Unpublished: true}} }})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s)
		defer srv.Close()
		code, h := health(t, srv.URL)
		if code != http.StatusOK || h.Status != "degraded" || !named(h, "schedule nightly: its last run committed, but its tree is not published yet") ||
			len(h.Schedules) != 1 || !h.Schedules[0].Unpublished {
			t.Fatalf("%d %s %v %+v", code, h.Status, h.Problems, h.Schedules)
		}
	})
	t.Run("a retry waiting", func(t *testing.T) {
		f := newFixture(t, testToken)
		at := time.Date(2026, 4, 23, 2, 30, 0, 0, time.UTC)
		s, err := New(Options{DB: store.NewDB(f.db, time.Second), ExportDir: f.export, Publisher: testPublisher(f.export), Now: time.Now,
			Schedules: func() []schedules.Status {
				return []schedules.Status{{Name: "nightly", RetryAt: at, RetrySources: []string{"fireworks"}}}
			}})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s)
		defer srv.Close()
		_, h := health(t, srv.URL)
		if len(h.Schedules) != 1 || h.Schedules[0].Retry == nil || !h.Schedules[0].Retry.At.Equal(at) || len(h.Schedules[0].Retry.Sources) != 1 {
			t.Fatalf("schedules %+v; want the retry of fireworks at %v", h.Schedules, at)
		}
	})
	t.Run("nothing committed", func(t *testing.T) {
		dir := t.TempDir()
		db := store.NewDB(filepath.Join(dir, "llmref.db"), time.Second)
		record(t, db)
		export := filepath.Join(dir, "export")
		s, err := New(Options{DB: db, ExportDir: export, Publisher: testPublisher(export), Now: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s)
		defer srv.Close()
		code, h := health(t, srv.URL)
		if code != http.StatusServiceUnavailable || !named(h, "no run has committed") || !named(h, "nothing is published yet") {
			t.Fatalf("%d %v", code, h.Problems)
		}
	})
}

// TestHealthzBoundsErrors: a source whose every page failed (its host
// down) is reported in /healthz with its first errors and a count of the
// rest, even from a run recorded before the run record bounded them; the
// metrics count them all.
func TestHealthzBoundsErrors(t *testing.T) {
	f := newFixture(t, testToken)
	down := catalog.SourceStats{Source: "openai", Status: catalog.SourceFailed, Statuses: map[string]int{}}
	for i := range 8000 { // as a run recorded before the bound kept them
		down.Errors = append(down.Errors, fmt.Sprintf("https://platform.openai.com/docs/models/m%d: host down: not sent", i))
	}
	run := catalog.Run{Status: catalog.RunFailed, StartedAt: time.Date(2026, 4, 23, 11, 0, 0, 0, time.UTC),
		FinishedAt: time.Date(2026, 4, 23, 11, 1, 0, 0, time.UTC), Error: "no source could be read", Sources: []catalog.SourceStats{down}}
	resp, body, h := f.healthAfter(t, run)
	if resp.StatusCode != http.StatusServiceUnavailable || len(body) > 64<<10 {
		t.Errorf("/healthz: %d, %d bytes", resp.StatusCode, len(body))
	}
	var openai *SourceHealth
	for i := range h.Sources {
		if h.Sources[i].Name == "openai" {
			openai = &h.Sources[i]
		}
	}
	if openai == nil || len(openai.Errors) > catalog.MaxSourceErrors+4 || len(openai.Errors)+openai.ErrorsMore != 8000 || openai.Errors[0] != down.Errors[0] {
		t.Fatalf("openai's health: %+v", openai)
	}
	if _, m := f.get(t, "/metrics"); !strings.Contains(string(m), `llmref_source_errors{source="openai"} 8000`) {
		t.Errorf("metrics do not count every error:\n%s", m)
	}
}

// TestHealthzSubsetRunFailed: a run of some sources alone (a retry of the
// ones a run left failed) that read none of them leaves the catalogue as
// it was: /healthz says degraded, naming them, not unhealthy.
func TestHealthzSubsetRunFailed(t *testing.T) {
	f := newFixture(t, testToken)
	at := time.Date(2026, 4, 23, 11, 0, 0, 0, time.UTC)
	failed := catalog.Run{Status: catalog.RunFailed, StartedAt: at, FinishedAt: at, Only: []string{"fireworks"}, Error: "no source could be read",
		Sources: []catalog.SourceStats{{Source: "fireworks", Status: catalog.SourceFailed, Statuses: map[string]int{}, Errors: []string{"https://docs.fireworks.ai/: host down"}}}}
	resp, _, h := f.healthAfter(t, failed)
	named := false
	for _, p := range h.Problems {
		named = named || strings.Contains(p, "of fireworks alone, failed: none of them was read, the catalogue stands as before")
	}
	if resp.StatusCode != http.StatusOK || h.Status != "degraded" || !named {
		t.Errorf("%d %s %v; want degraded, naming the run's sources", resp.StatusCode, h.Status, h.Problems)
	}
}

// healthAfter records run in the fixture's database and reads /healthz.
func (f *fixture) healthAfter(t *testing.T, run catalog.Run) (*http.Response, []byte, Health) {
	t.Helper()
	if err := store.NewDB(f.db, time.Second).Write(context.Background(), func(st *store.Store) error { _, err := st.RecordRun(run); return err }); err != nil {
		t.Fatal(err)
	}
	resp, body := f.get(t, "/healthz")
	var h Health
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatal(err)
	}
	return resp, body, h
}
