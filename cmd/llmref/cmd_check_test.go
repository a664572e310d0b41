package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckAndCompact(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "llmref.db")
	exp := filepath.Join(dir, "export")
	for _, day := range []string{"2026-04-23", "2026-04-24"} {
		// Exit 3 (partial) is fine here: what matters is what was written.
		if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", day, "--export", exp, "-q"); code != 0 && code != 3 {
			t.Fatalf("refresh %s: exit %d: %s", day, code, errs)
		}
	}
	code, out, errs := llmref(t, "check", "--db", db, "--export", exp)
	if code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("check of a fresh database and export: exit %d\n%s%s", code, out, errs)
	}

	code, out, errs = llmref(t, "compact", "--db", db)
	if code != 0 || !strings.Contains(out, "compacted "+db+": ") || !strings.Contains(out, "bytes") {
		t.Fatalf("compact: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := llmref(t, "check", "--db", db); code != 0 {
		t.Fatalf("check after compact: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-24", "-q"); code != 0 && code != 3 {
		t.Fatalf("refresh after compact: exit %d: %s", code, errs)
	}

	// A file of the tree edited behind llmref's back, and one added.
	f := filepath.Join(exp, "models", "meta--llama-3.2-1b-instruct.json")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(f) // a hard link shared with the previous generation: replace, never write through
	os.WriteFile(f, []byte(strings.Replace(string(b), "0.201", "0.202", 1)), 0o644)
	os.WriteFile(filepath.Join(exp, "stray.json"), []byte("{}"), 0o644)
	code, out, errs = llmref(t, "check", "--db", db, "--export", exp)
	if code != 1 {
		t.Fatalf("check of a damaged export: exit %d, want 1\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"export " + exp + ": models/meta--llama-3.2-1b-instruct.json: SHA-256",
		"export " + exp + ": stray.json: in the tree but not in index.json",
		// The refresh after compact published nothing: the tree is a run
		// behind (exit 1, as for any problem).
		"export " + exp + ": the tree is behind the database: it holds run 2, the database's last committed run is 3 (publish it again: llmref export)",
		"llmref: check: 3 problems in database " + db + " and export " + exp,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(errs), "\n") {
		if !strings.HasPrefix(line, "llmref: check") {
			t.Errorf("not one clear line per problem: %q", line)
		}
	}

	// A file whose hash the index agrees with, but which its JSON Schema
	// rejects.
	exp2 := filepath.Join(dir, "export2")
	if code, _, errs := llmref(t, "export", "--db", db, "--out", exp2, "-q"); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	root, _ := filepath.EvalSymlinks(exp2)
	mj := filepath.Join(root, "models.json")
	b, _ = os.ReadFile(mj)
	bad := strings.Replace(string(b), `"schema_version": 2`, `"schema_version": "one"`, 1)
	if bad == string(b) {
		t.Fatal("models.json has no schema_version to spoil")
	}
	os.Remove(mj)
	os.WriteFile(mj, []byte(bad), 0o644)
	var idx map[string]any
	ib, _ := os.ReadFile(filepath.Join(root, "index.json"))
	if err := json.Unmarshal(ib, &idx); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(bad))
	for _, f := range idx["files"].([]any) {
		if e := f.(map[string]any); e["path"] == "models.json" {
			e["sha256"], e["bytes"] = hex.EncodeToString(sum[:]), len(bad)
		}
	}
	ib, _ = json.Marshal(idx)
	os.Remove(filepath.Join(root, "index.json"))
	os.WriteFile(filepath.Join(root, "index.json"), ib, 0o644)
	code, out, errs = llmref(t, "check", "--db", db, "--export", exp2)
	if code != 1 || !strings.Contains(errs, "export "+exp2+": models.json: against ") || strings.Count(strings.TrimSpace(errs), "\n") != 1 {
		t.Errorf("check of a file its schema rejects: exit %d\n%s%s", code, out, errs)
	}

	// Not a database at all.
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 1000)), 0o644)
	code, _, errs = llmref(t, "check", "--db", junk)
	if code != 1 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "not a readable llmref database") {
		t.Errorf("check of a junk file: exit %d, %q", code, errs)
	}
	// Compact of a missing file creates nothing.
	missing := filepath.Join(dir, "missing.db")
	if code, _, _ := llmref(t, "compact", "--db", missing); code != 1 {
		t.Errorf("compact of a missing database: exit %d", code)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("compact created a database")
	}
}

// TestCheckDamagedDatabase: check names a truncated file as a problem
// (exit 1, one line each); compact and every reader refuse it with one line.
func TestCheckDamagedDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "llmref.db")
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-23", "-q"); code != 0 && code != 3 {
		t.Fatalf("refresh: exit %d: %s", code, errs)
	}
	head := make([]byte, 32)
	if f, err := os.Open(db); err != nil {
		t.Fatal(err)
	} else if _, err := io.ReadFull(f, head); err != nil {
		t.Fatal(err)
	} else {
		f.Close()
	}
	pageSize := int64(binary.NativeEndian.Uint32(head[16+8:])) // the first meta page's
	if err := os.Truncate(db, 3*pageSize); err != nil {
		t.Fatal(err)
	}
	code, _, errs := llmref(t, "check", "--db", db)
	if code != 1 || !strings.Contains(errs, "llmref: check: database "+db+": the file is truncated") || !strings.Contains(errs, "1 problem in database") {
		t.Fatalf("check of a truncated file: exit %d\n%s", code, errs)
	}
	for _, args := range [][]string{{"compact"}, {"models"}, {"refresh", "--replay", "2026-04-24"}} {
		t.Run(args[0], func(t *testing.T) {
			code, _, errs := llmref(t, append(args, "--db", db)...)
			if code != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "database file is truncated: restore it or run llmref check") {
				t.Errorf("%s of a truncated file: exit %d\n%s", args[0], code, errs)
			}
		})
	}
}

// TestBackupCommand: backup copies the database to a new file that check
// finds sound and that reads as the original; usage mistakes exit 2, an
// existing target or no database exit 1, each with one line.
func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "llmref.db")
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-23", "-q"); code != 0 && code != 3 {
		t.Fatalf("refresh: exit %d: %s", code, errs)
	}
	to := filepath.Join(dir, "backup.db")
	code, out, errs := llmref(t, "backup", to, "--db", db)
	if code != 0 || !strings.Contains(out, "backed up "+db+" (run 1) to "+to+": ") {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := llmref(t, "check", "--db", to); code != 0 || !strings.Contains(out, "ok") {
		t.Errorf("check of the copy: exit %d\n%s%s", code, out, errs)
	}
	_, orig, _ := llmref(t, "models", "--db", db, "--format", "json")
	_, copied, _ := llmref(t, "models", "--db", to, "--format", "json")
	if orig == "" || orig != copied {
		t.Errorf("the copy's models differ from the database's")
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"backup"}, 2, "backup: name the new file"},
		{[]string{"backup", to, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"backup", to}, 1, "exists: give a new file"},
		{[]string{"backup", filepath.Join(dir, "b2.db"), "--db", filepath.Join(dir, "none.db")}, 1, "no database at"},
	} {
		args := c.args
		if !strings.Contains(strings.Join(args, " "), "--db") {
			args = append(args, "--db", db)
		}
		code, _, errs := llmref(t, args...)
		if code != c.code || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line naming %q", c.args, code, errs, c.code, c.want)
		}
	}
}

// TestHealthCommand: health says what /healthz would, without a daemon,
// in its exit status too: no database is unhealthy (1); the bundled day,
// months old, is degraded by its stale sources (3), in text and JSON.
func TestHealthCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "llmref.db")
	code, out, errs := llmref(t, "health", "--db", db)
	if code != 1 || !strings.HasPrefix(out, "unhealthy") || !strings.Contains(out, "no database yet") || !strings.Contains(errs, "health: unhealthy") {
		t.Errorf("health without a database: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-23", "--export", filepath.Join(dir, "export"), "-q"); code != 0 && code != 3 {
		t.Fatalf("refresh: exit %d: %s", code, errs)
	}
	code, out, errs = llmref(t, "health", "--db", db, "--export", filepath.Join(dir, "export"))
	if code != 3 || !strings.HasPrefix(out, "degraded (database "+db+", last run 1 ") || !strings.Contains(out, "stale sources: ") {
		t.Errorf("health of a months-old day: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = llmref(t, "health", "--db", db, "--format", "json")
	var h struct {
		Status       string   `json:"status"`
		StaleSources []string `json:"stale_sources"`
	}
	if code != 3 || json.Unmarshal([]byte(out), &h) != nil || h.Status != "degraded" || len(h.StaleSources) == 0 {
		t.Errorf("health --format json: exit %d\n%s", code, out)
	}
	if code, _, errs := llmref(t, "health", "extra", "--db", db); code != 2 || !strings.Contains(errs, `unexpected argument "extra"`) {
		t.Errorf("health with an argument: exit %d: %s", code, errs)
	}
}
