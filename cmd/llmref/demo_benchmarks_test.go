package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
)

// TestDemoBenchmarks reads the demo's Llama 3.2 1B Instruct vs GPT-5.3-Codex
// record: Llama's MMLU (5-shot, macro_avg/acc) 49.3 from Meta's card and
// GPT-5.3-Codex's SWE-Atlas rows from models.dev, each with its source URL,
// and no shared row.
func TestDemoBenchmarks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if code, _, errs := llmref(t, "demo", "--dir", dir, "-q"); code != 0 {
		t.Fatalf("demo exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(filepath.Join(dir, "export", "comparisons", "meta--llama-3.2-1b-instruct--vs--openai--gpt-5.3-codex.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c catalog.Comparison
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	bc := c.Benchmarks
	if len(bc.Rows) != 0 || !strings.HasPrefix(bc.Statement, compare.NoSharedBenchmarks) {
		t.Errorf("shared rows %+v, statement %q; want none and %q", bc.Rows, bc.Statement, compare.NoSharedBenchmarks)
	}
	const card = "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct/resolve/main/README.md"
	t.Run("Llama's MMLU from Meta's card", func(t *testing.T) {
		var mmlu []catalog.Fact[catalog.BenchmarkResult]
		for _, f := range bc.Only.A {
			if f.Value.Benchmark == "MMLU" {
				mmlu = append(mmlu, f)
			}
		}
		if len(mmlu) != 1 {
			t.Fatalf("MMLU rows %+v, want one", mmlu)
		}
		f := mmlu[0]
		want := catalog.BenchmarkResult{Benchmark: "MMLU", Metric: "macro_avg/acc", Settings: catalog.BenchmarkSettings{Shots: "5"}, Score: "49.3", SourceURL: card}
		if f.Value != want || f.Source.Name() != "huggingface" || f.Source.Authority() != catalog.AuthorityCreator {
			t.Errorf("MMLU %+v from %+v, want %+v from the card", f.Value, f.Source, want)
		}
	})
	t.Run("GPT-5.3-Codex's SWE-Atlas rows from models.dev", func(t *testing.T) {
		want := map[string]string{
			"SWE-Atlas Codebase QnA": "32.6 https://labs.scale.com/leaderboard/sweatlas-qna",
			"SWE-Atlas Refactoring":  "42.38 https://labs.scale.com/leaderboard/sweatlas-refactoring",
			"SWE-Atlas Test Writing": "38.98 https://labs.scale.com/leaderboard/sweatlas-tw",
		}
		if len(bc.Only.B) != len(want) {
			t.Errorf("%d rows, want %d: %+v", len(bc.Only.B), len(want), bc.Only.B)
		}
		for _, f := range bc.Only.B {
			v := f.Value
			if want[v.Benchmark] != v.Score+" "+v.SourceURL || v.Metric != "score" || v.Settings.Harness != "Codex" || f.Source.Name() != "modelsdev" {
				t.Errorf("row %+v from %+v", v, f.Source)
			}
		}
	})
	t.Run("the model file carries the results", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(dir, "export", "models", "meta--llama-3.2-1b-instruct.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"source_url"`) || !strings.Contains(string(b), `"49.3"`) {
			t.Errorf("model file has no benchmark results:\n%.2000s", b)
		}
	})
}
