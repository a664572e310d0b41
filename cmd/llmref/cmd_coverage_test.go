package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCoverage(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "llmref.db")
	site := filepath.Join(dir, "site")
	if code, _, stderr := llmref(t, "--db", db, "-q", "refresh", "--replay", "2026-04-23", "--export", site); code != exitOK && code != exitPartial {
		t.Fatalf("refresh: exit %d: %s", code, stderr)
	}
	t.Run("text", func(t *testing.T) {
		code, out, stderr := llmref(t, "--db", db, "coverage")
		if code != exitOK || !strings.HasPrefix(out, "coverage: ") {
			t.Fatalf("exit %d, %s\n%s", code, stderr, out)
		}
		// Meta's card gives the sample page's model every spec.
		var row string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "meta/llama-3.2-1b-instruct ") {
				row = strings.Join(strings.Fields(l)[1:7], " ")
			}
		}
		if row != "C C C C C C" {
			t.Errorf("meta/llama-3.2-1b-instruct's specs: %q\n%s", row, out)
		}
	})
	t.Run("json is the export's coverage.json", func(t *testing.T) {
		code, out, stderr := llmref(t, "--db", db, "coverage", "--format", "json")
		var printed, exported any
		b, err := os.ReadFile(filepath.Join(site, "coverage.json"))
		if code != exitOK || err != nil || json.Unmarshal([]byte(out), &printed) != nil || json.Unmarshal(b, &exported) != nil {
			t.Fatalf("exit %d, %s, %v\n%.300s", code, stderr, err, out)
		}
		p, _ := json.Marshal(printed)
		x, _ := json.Marshal(exported)
		if string(p) != string(x) {
			t.Errorf("printed and exported coverage differ:\n%.300s\n%.300s", p, x)
		}
	})
	for _, bad := range [][]string{{"coverage", "--format", "xml"}, {"coverage", "meta/llama-3.2-1b-instruct"}} {
		t.Run(strings.Join(bad, " "), func(t *testing.T) {
			if code, _, stderr := llmref(t, append([]string{"--db", db}, bad...)...); code != exitUsage || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, %q", code, stderr)
			}
		})
	}
	t.Run("no database", func(t *testing.T) {
		if code, _, stderr := llmref(t, "--db", filepath.Join(dir, "none.db"), "coverage"); code != exitError || strings.Count(stderr, "\n") != 1 {
			t.Errorf("exit %d, %q", code, stderr)
		}
	})
}
