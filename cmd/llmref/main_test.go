package main

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/internal/fixturetest"
	"github.com/llmref/llmref/internal/treetest"
	"github.com/llmref/llmref/store"
)

// llmref runs the command line in-process.
func llmref(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, errs := llmref(t, "demo", "--dir", dir)
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"# llmref changes: run 2",
		"| Llama 3.2 1B Instruct | output price | $0.20 | $0.201 | +$0.001 | +0.5% | [openrouter](https://openrouter.ai/api/v1/models) |",
		"| DeepSeek V4 Flash | `deepseek/deepseek-v4-flash` | model added |",
		"| Llama Guard 3 8B | offering removed |",
		"changes --format json",
		"database: " + filepath.Join(dir, "llmref.db"),
		"export:   " + filepath.Join(dir, "export"),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "export", "models", "meta--llama-3.2-1b-instruct.json")); err != nil {
		t.Error(err)
	}
	// A second demo in the same folder starts afresh.
	if code, _, errs := llmref(t, "demo", "--dir", dir, "-q"); code != 0 {
		t.Fatalf("second demo exit %d: %s", code, errs)
	}
	// A folder that is not a demo's is left alone.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	if code, _, errs := llmref(t, "demo", "--dir", other); code != 1 || !strings.Contains(errs, "not empty") {
		t.Errorf("demo into a foreign folder: exit %d, %s", code, errs)
	}
}

func TestRefreshReplayExportModels(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "llmref.db")
	code, out, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-23")
	if code != 0 {
		t.Fatalf("refresh exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "run 1 ok") || !strings.Contains(out, "openrouter") {
		t.Errorf("summary:\n%s", out)
	}
	code, out, errs = llmref(t, "--db", db, "models")
	if code != 0 || !strings.Contains(out, "meta/llama-3.2-1b-instruct") || !strings.Contains(out, "open weights") {
		t.Errorf("models exit %d:\n%s%s", code, out, errs)
	}
	exp := filepath.Join(dir, "site")
	if code, _, errs := llmref(t, "export", "--db", db, "--out", exp); code != 0 {
		t.Fatalf("export exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(exp, "index.json")); err != nil {
		t.Error(err)
	}
}

func TestRefreshWhileLocked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "llmref.db")
	holder, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	start := time.Now()
	code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-23")
	if code != 1 || !strings.Contains(errs, "database is in use by another llmref process") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refused after %v", d)
	}
	if strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("error is not one line: %q", errs)
	}
}

// TestExitStatus: a run in which some sources fail exits 3 (partial),
// naming them; one in which none can be read exits 1 and publishes nothing
// (on a fresh database: no tree at all; after a good run: the tree and the
// catalogue exactly as they were).
func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	db, exp := filepath.Join(dir, "llmref.db"), filepath.Join(dir, "export")
	down := t.TempDir() // every source down: only OpenRouter answers, with a 503
	os.WriteFile(filepath.Join(down, "manifest.json"), []byte(`{"day":"down","recorded_at":"2026-04-25T02:00:00Z","responses":[
		{"url":"https://openrouter.ai/api/v1/models","status":503}]}`), 0o644)

	code, out, errs := llmref(t, "refresh", "--db", db, "--export", exp, "--replay", down)
	if code != 1 || !strings.Contains(errs, "nothing committed: no source could be read") || !strings.Contains(errs, "openrouter") || !strings.Contains(errs, "503") {
		t.Fatalf("fresh database, every source down: exit %d, want 1 naming the sources: %s %s", code, out, errs)
	}
	if _, err := os.Lstat(exp); !os.IsNotExist(err) {
		t.Fatalf("a run that read nothing published a tree: %v", err)
	}

	// A good day, then a day with OpenRouter's list broken: partial.
	if code, _, errs := llmref(t, "refresh", "--db", db, "--export", exp, "--replay", "2026-04-23", "-q"); code != 0 {
		t.Fatalf("good day: exit %d %s", code, errs)
	}
	broken := filepath.Join(t.TempDir(), "broken")
	err := fixtures.CopyDay("2026-04-24", broken, func(p string, b []byte) ([]byte, error) {
		if p == fixturetest.SlipPath {
			return []byte("{not json"), nil
		}
		return b, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs = llmref(t, "refresh", "--db", db, "--export", exp, "--replay", broken)
	if code != 3 || !strings.Contains(errs, "openrouter") {
		t.Fatalf("one source broken: exit %d, want 3 (partial) naming it: %s %s", code, out, errs)
	}

	// Every source down again: exit 1, the tree exactly as it was.
	before := treetest.Read(t, exp)
	code, _, errs = llmref(t, "refresh", "--db", db, "--export", exp, "--replay", down)
	if code != 1 {
		t.Fatalf("every source down after good runs: exit %d, want 1: %s", code, errs)
	}
	if after := treetest.Read(t, exp); !maps.EqualFunc(after, before, bytes.Equal) {
		t.Error("a run that read nothing changed the published tree")
	}
}

func TestBadInput(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(cfg, []byte("fetch:\n  parallelism: 1000\nsources:\n  openrouter:\n    base_url: ftp://x\n"), 0o644)
	unknown := filepath.Join(t.TempDir(), "unknown.yaml")
	os.WriteFile(unknown, []byte("sourcez: {}\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"unknown flag", []string{"refresh", "--bogus"}, 2, "flag provided but not defined"},
		{"extra argument", []string{"refresh", "extra"}, 2, "unexpected argument"},
		{"bad config value", []string{"--config", cfg, "models"}, 1, "fetch.parallelism"},
		{"unknown config key", []string{"--config", unknown, "models"}, 1, "sourcez"},
		{"missing config", []string{"--config", filepath.Join(t.TempDir(), "none.yaml"), "models"}, 1, "no such file"},
		{"missing database", []string{"--db", filepath.Join(t.TempDir(), "none.db"), "models"}, 1, "llmref refresh"},
		{"unknown replay day", []string{"refresh", "--replay", "1999-01-01", "--db", filepath.Join(t.TempDir(), "x.db")}, 2, "no bundled fixture day"},
		{"export without out", []string{"export"}, 2, "--out DIR is required"},
		{"bad log format", []string{"--log-format", "xml", "models"}, 2, "--log-format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := llmref(t, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("%v: exit %d, stderr %q; want exit %d and one line naming %q", tt.args, code, errs, tt.code, tt.want)
			}
		})
	}
}

// TestNoDatabaseCreatesNone: a command that reads or changes a catalogue,
// pointed at a database that is not there (a mistyped --db), says so in
// one line, exits 1 and leaves no file or folder behind; only refresh
// creates one.
func TestNoDatabaseCreatesNone(t *testing.T) {
	for _, args := range [][]string{
		{"approve", "1", "--note", "x"}, {"reject", "1", "--note", "x"}, {"mark-reviewed", "meta/llama-3.2-1b-instruct"},
		{"rebuild"}, {"compact"}, {"check"}, {"models"}, {"changes"}, {"review"},
	} {
		t.Run(args[0], func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			db := filepath.Join(dir, "llmref.db")
			code, _, errs := llmref(t, append(args, "--db", db)...)
			if code != 1 || !strings.Contains(errs, "no database at "+db) || !strings.Contains(errs, "llmref refresh") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("%v: exit %d, stderr %q; want exit 1 and one line saying there is no database", args, code, errs)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%v left %s behind (%v)", args, dir, err)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	code, out, _ := llmref(t, "help")
	if code != 0 || !strings.Contains(out, "refresh") || !strings.Contains(out, "demo") {
		t.Errorf("help exit %d:\n%s", code, out)
	}
	code, out, _ = llmref(t, "refresh", "-h")
	if code != 0 || !strings.Contains(out, "--replay") && !strings.Contains(out, "-replay") {
		t.Errorf("refresh -h exit %d:\n%s", code, out)
	}
}

func TestRebuildCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "llmref.db")
	if code, _, errs := llmref(t, "rebuild", "--db", db); code != 1 || !strings.Contains(errs, "llmref refresh") {
		t.Errorf("rebuild of no database: exit %d, %q", code, errs)
	}
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-23", "-q"); code != 0 {
		t.Fatalf("refresh: %d %s", code, errs)
	}
	code, out, errs := llmref(t, "rebuild", "--db", db)
	if code != 0 || !strings.Contains(out, "run 2 ok") {
		t.Errorf("rebuild exit %d:\n%s%s", code, out, errs)
	}
}
