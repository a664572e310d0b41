package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "llmref.db")
	if code, _, stderr := llmref(t, "--db", db, "-q", "refresh", "--replay", "2026-04-23"); code != exitOK && code != exitPartial {
		t.Fatalf("refresh: exit %d: %s", code, stderr)
	}
	code, out, stderr := llmref(t, "--db", db, "compare", "openai/gpt-5.3-codex", "meta/llama-3.2-1b-instruct")
	if code != exitOK || !strings.Contains(out, "64.8× cheaper") || !strings.Contains(out, "$5.3461") {
		t.Fatalf("compare text: exit %d, %s\n%s", code, stderr, out)
	}
	// A source's id for a model, in any case, names it too: the same text.
	if code, aliased, stderr := llmref(t, "--db", db, "compare", "OPENAI/gpt-5.3-codex", "meta-llama/Llama-3.2-1B-Instruct"); code != exitOK || aliased != out {
		t.Errorf("compare by aliases: exit %d, %s\n%s", code, stderr, aliased)
	}
	if code, histOut, stderr := llmref(t, "--db", db, "history", "meta-llama/Llama-3.2-1B-Instruct"); code != exitOK || !strings.HasPrefix(histOut, "meta/llama-3.2-1b-instruct at ") {
		t.Errorf("history by the Hugging Face repository: exit %d, %s\n%s", code, stderr, histOut)
	}
	code, out, _ = llmref(t, "--db", db, "compare", "meta/llama-3.2-1b-instruct", "openai/gpt-5.3-codex", "--format", "json")
	var rec struct {
		ID      string `json:"id"`
		Pricing struct {
			Cheaper    string          `json:"cheaper"`
			Difference json.RawMessage `json:"blended_difference_usd_per_mtok"`
		} `json:"pricing"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &rec) != nil || rec.Pricing.Cheaper != "a" || string(rec.Pricing.Difference) != "5.3461" {
		t.Fatalf("compare json: exit %d, %+v", code, rec)
	}

	// The configured blend is used.
	cfg := filepath.Join(dir, "llmref.yaml")
	os.WriteFile(cfg, []byte("compare:\n  blend:\n    input: 50\n    output: 50\n"), 0o644)
	code, out, _ = llmref(t, "--config", cfg, "--db", db, "compare", "openai/gpt-5.3-codex", "meta/llama-3.2-1b-instruct", "--format", "json")
	if code != exitOK || !strings.Contains(out, `"input_pct": 50`) || !strings.Contains(out, `"blended_usd_per_mtok": 7.875`) {
		t.Errorf("a 50/50 blend was not used: exit %d\n%.600s", code, out)
	}

	// ... by refresh and export too: the exported manifest states it.
	for _, args := range [][]string{
		{"--config", cfg, "--db", filepath.Join(dir, "other.db"), "-q", "refresh", "--replay", "2026-04-23", "--export", filepath.Join(dir, "site1")},
		{"--config", cfg, "--db", db, "-q", "export", "--out", filepath.Join(dir, "site2")},
	} {
		if code, _, stderr := llmref(t, args...); code != exitOK && code != exitPartial {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		site := args[len(args)-1]
		m, err := os.ReadFile(filepath.Join(site, "comparisons.json"))
		if err != nil || !strings.Contains(string(m), "\"input_pct\": 50") {
			t.Errorf("%v: the configured blend did not reach the export: %v\n%.300s", args[4:], err, m)
		}
	}

	for _, bad := range [][]string{
		{"compare", "openai/gpt-5.3-codex", "meta/no-such-model"},
		{"compare", "openai/gpt-5.3-codex"},
		{"compare", "openai/gpt-5.3-codex", "meta/llama-3.2-1b-instruct", "--format", "xml"},
		{"compare", "openai/gpt-5.3-codex", "openai/gpt-5.3-codex"},
	} {
		t.Run(strings.Join(bad, " "), func(t *testing.T) {
			code, out, stderr := llmref(t, append([]string{"--db", db}, bad...)...)
			if code == exitOK || out != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.HasPrefix(stderr, "llmref: ") {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want one line on stderr and a non-zero exit", bad, code, out, stderr)
			}
		})
	}
}
