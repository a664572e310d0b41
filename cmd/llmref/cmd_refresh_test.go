package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/internal/fixturetest"
	"github.com/llmref/llmref/refresh"
)

// TestRunSummaryWarnings: the summary shows a few of each source's
// warnings, then counts the rest, kept and not.
func TestRunSummaryWarnings(t *testing.T) {
	fw := catalog.SourceStats{Source: "fireworks", Status: catalog.SourceOK, Statuses: map[string]int{}}
	for _, w := range []string{"row a", "row b", "row c", "row d", "row e"} {
		fw.AddWarnings("https://docs.fireworks.ai/serverless/pricing.md", []string{w})
	}
	fw.WarningsMore = 2
	ok := catalog.SourceStats{Source: "openrouter", Status: catalog.SourceOK, Statuses: map[string]int{}}
	var out bytes.Buffer
	printRunSummary(&out, &refresh.Result{Run: catalog.Run{ID: 7, Status: catalog.RunOK, Sources: []catalog.SourceStats{fw, ok}}})
	got := out.String()
	for _, want := range []string{
		"  fireworks: warning: https://docs.fireworks.ai/serverless/pricing.md: row a\n",
		"  fireworks: warning: https://docs.fireworks.ai/serverless/pricing.md: row c\n",
		"  fireworks: +4 more warnings\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "row d") || strings.Contains(got, "openrouter: warning") || strings.Contains(got, "openrouter: +") {
		t.Errorf("summary shows more than it should:\n%s", got)
	}
}

// TestRunSummaryErrors: a source whose every page failed lists the errors
// its stats keep, then counts the rest; the one-line summary counts them
// all.
func TestRunSummaryErrors(t *testing.T) {
	down := catalog.SourceStats{Source: "openai", Status: catalog.SourceFailed, Statuses: map[string]int{}}
	for i := range 4000 {
		down.AddError(fmt.Sprintf("https://platform.openai.com/docs/models/m%d: host down", i))
	}
	var out bytes.Buffer
	run := catalog.Run{ID: 3, Status: catalog.RunFailed, Sources: []catalog.SourceStats{down}}
	printRunSummary(&out, &refresh.Result{Run: run})
	got := out.String()
	if n := strings.Count(got, ": host down\n"); n != catalog.MaxSourceErrors {
		t.Errorf("%d errors listed; want %d", n, catalog.MaxSourceErrors)
	}
	if !strings.Contains(got, fmt.Sprintf("  openai: +%d more errors\n", 4000-catalog.MaxSourceErrors)) || !strings.Contains(got, " 4000\n") {
		t.Errorf("summary does not count the rest:\n%s", got)
	}
	if s := failedSummary(run); s != "openai: https://platform.openai.com/docs/models/m0: host down (+3999 more)" {
		t.Errorf("failed summary %q", s)
	}
}

// TestRefreshLayoutDay replays the Fireworks layout day by name, after a
// bundled day, for that source only: the run is ok and warns of nothing.
func TestRefreshLayoutDay(t *testing.T) {
	db := filepath.Join(t.TempDir(), "llmref.db")
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-24"); code != 0 {
		t.Fatalf("refresh exit %d: %s", code, errs)
	}
	code, out, errs := llmref(t, "refresh", "--db", db, "--source", "fireworks", "--replay", "2026-12-04")
	if code != 0 || !strings.Contains(out, "run 2 ok") || strings.Contains(out, "warning") {
		t.Errorf("refresh exit %d:\n%s%s", code, out, errs)
	}
}

// TestHeapFloorForGrowsWithTheWork: a refresh's heap floor starts at
// startFloor and grows with the bodies it keeps, up to heapFloor.
func TestHeapFloorForGrowsWithTheWork(t *testing.T) {
	for _, tt := range []struct {
		bodies int
		want   uint64
	}{
		{-1, startFloor},
		{0, startFloor},
		{1, startFloor + 32<<10},
		{2000, startFloor + 2000*32<<10}, // ~78 MB
		{(heapFloor - startFloor) / floorPerBody, heapFloor},
		{16000, heapFloor},
	} {
		if got := heapFloorFor(tt.bodies); got != tt.want {
			t.Errorf("heapFloorFor(%d) = %d MB, want %d MB", tt.bodies, got>>20, tt.want>>20)
		}
	}
}

// TestRefreshFailed: `refresh --failed` reads again only the sources the
// last run left failed (a crontab's second line); after a run that left
// none, it has nothing to do and says so, exit 0; with --source it is a
// usage mistake.
func TestRefreshFailed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "llmref.db")
	code, out, _ := llmref(t, "refresh", "--db", db, "--failed")
	if code != 0 || !strings.Contains(out, "nothing to read again") || !strings.Contains(out, "no run yet") {
		t.Errorf("no database yet: exit %d %q", code, out)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refresh --failed with no database made one (%v)", err)
	}
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-23", "-q"); code != 0 {
		t.Fatalf("good day: exit %d %s", code, errs)
	}
	broken := filepath.Join(t.TempDir(), "broken")
	if err := fixtures.CopyDay("2026-04-24", broken, func(p string, b []byte) ([]byte, error) {
		if p == fixturetest.SlipPath {
			return []byte("{not json"), nil
		}
		return b, nil
	}); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", broken, "-q"); code != 3 || !strings.Contains(errs, "openrouter") {
		t.Fatalf("one source broken: exit %d %s", code, errs)
	}
	// The day repaired: --failed reads openrouter alone, and the run says so.
	code, out, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-24", "--failed", "--format", "json")
	if code != 0 {
		t.Fatalf("--failed: exit %d %s %s", code, out, errs)
	}
	var rep struct {
		Run catalog.Run `json:"run"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Run.Only, []string{"openrouter"}) || rep.Run.Status != catalog.RunOK {
		t.Errorf("--failed read %q, status %s; want openrouter alone, ok", rep.Run.Only, rep.Run.Status)
	}
	code, out, _ = llmref(t, "refresh", "--db", db, "--failed")
	if code != 0 || !strings.Contains(out, "nothing to read again: the last run left no source failed (run 3, ok)") {
		t.Errorf("after a run that left none failed: exit %d %q", code, out)
	}
	if code, _, errs := llmref(t, "refresh", "--db", db, "--failed", "--source", "openrouter"); code != 2 || !strings.Contains(errs, "takes no --source") {
		t.Errorf("--failed with --source: exit %d %s", code, errs)
	}
}

// TestRefreshRefusesASecondDatabase: a relative database path in the
// configuration is read from the working directory; run from another one
// (a crontab line or a systemd unit without the cd), refresh made and
// filled a second database there. It refuses, naming the one beside the
// configuration, and makes nothing.
func TestRefreshRefusesASecondDatabase(t *testing.T) {
	home, other := t.TempDir(), t.TempDir()
	cfg := filepath.Join(home, "llmref.yaml")
	if err := os.WriteFile(cfg, []byte("database: data/llmref.db\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(home)
	if code, _, errs := llmref(t, "--config", cfg, "refresh", "--replay", "2026-04-23", "-q"); code != 0 && code != 3 {
		t.Fatalf("refresh from the configuration's folder: exit %d: %s", code, errs)
	}
	t.Chdir(other)
	code, _, errs := llmref(t, "--config", cfg, "refresh", "--replay", "2026-04-24", "-q")
	if code != 1 || !strings.Contains(errs, "no database at data/llmref.db") || !strings.Contains(errs, filepath.Join(home, "data", "llmref.db")+" holds one: run from "+home) {
		t.Errorf("refresh from another folder: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(other, "data")); !os.IsNotExist(err) {
		t.Errorf("a second database was made: %v", err)
	}
	// A reading command says the same, not only "no database".
	if code, _, errs := llmref(t, "--config", cfg, "models"); code != 1 || !strings.Contains(errs, "holds one: run from "+home) {
		t.Errorf("models from another folder: exit %d: %s", code, errs)
	}
	// --db given, or an absolute path: what the operator said is done.
	if code, _, errs := llmref(t, "--config", cfg, "--db", filepath.Join(other, "x.db"), "refresh", "--replay", "2026-04-24", "-q"); code != 0 && code != 3 {
		t.Errorf("refresh with --db: exit %d: %s", code, errs)
	}
}
