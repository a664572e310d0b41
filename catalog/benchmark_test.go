package catalog

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestBenchmarkResultEncode(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    BenchmarkResult
	}{
		{"card row", BenchmarkResult{Benchmark: "MMLU", Metric: "macro_avg/acc", Settings: BenchmarkSettings{Shots: "5"}, Score: "49.3",
			SourceURL: "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct"}},
		{"harness and odd characters", BenchmarkResult{Benchmark: "SWE-Atlas Q&A = 1", Metric: "score", Settings: BenchmarkSettings{Harness: "Codex"},
			Score: "42.38", SourceURL: "https://labs.scale.com/leaderboard/sweatlas-qna?x=1&y=2"}},
		{"no source", BenchmarkResult{Benchmark: "GPQA", Score: "27"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseBenchmarkResult(tc.r.Encode())
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.r {
				t.Fatalf("round trip: got %+v, want %+v", got, tc.r)
			}
		})
	}
}

func TestBenchmarkResultCheck(t *testing.T) {
	ok := BenchmarkResult{Benchmark: "MMLU", Score: "49.3"}
	for _, tc := range []struct {
		name string
		edit func(r *BenchmarkResult)
	}{
		{"no name", func(r *BenchmarkResult) { r.Benchmark = " " }},
		{"N/A score", func(r *BenchmarkResult) { r.Score = "N/A" }},
		{"negative score", func(r *BenchmarkResult) { r.Score = "-1" }},
		{"float noise", func(r *BenchmarkResult) { r.Score = "1e3" }},
		{"long metric", func(r *BenchmarkResult) { r.Metric = strings.Repeat("m", MaxBenchmarkText+1) }},
		{"control character", func(r *BenchmarkResult) { r.Settings.Harness = "a\nb" }},
		{"not http", func(r *BenchmarkResult) { r.SourceURL = "javascript:alert(1)" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ok
			tc.edit(&r)
			if err := r.Check(); !errors.Is(err, ErrBenchmark) {
				t.Fatalf("Check(%+v) = %v, want ErrBenchmark", r, err)
			}
		})
	}
	if err := ok.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestBenchmarkKeyAndLabel(t *testing.T) {
	a := BenchmarkResult{Benchmark: "MMLU", Metric: `macro\_avg/acc`, Settings: BenchmarkSettings{Shots: "5"}}
	b := BenchmarkResult{Benchmark: " mmlu ", Metric: "macro_avg/acc", Settings: BenchmarkSettings{Shots: "5"}}
	c := BenchmarkResult{Benchmark: "MMLU", Metric: "macro_avg/acc", Settings: BenchmarkSettings{Shots: "0"}}
	if a.Key() != b.Key() {
		t.Errorf("keys differ: %q %q", a.Key(), b.Key())
	}
	if a.Key() == c.Key() {
		t.Errorf("other shots share the key %q", a.Key())
	}
	for _, tc := range []struct {
		r    BenchmarkResult
		want string
	}{
		{b, " mmlu  (5-shot, macro_avg/acc)"},
		{BenchmarkResult{Benchmark: "SWE-Atlas Refactoring", Metric: "score", Settings: BenchmarkSettings{Harness: "Codex"}}, "SWE-Atlas Refactoring (score, Codex)"},
		{BenchmarkResult{Benchmark: "X"}, "X"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.r.Label(); got != tc.want {
				t.Errorf("Label = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestModelBenchmarksJSON(t *testing.T) {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	r := BenchmarkResult{Benchmark: "MMLU", Metric: "macro_avg/acc", Settings: BenchmarkSettings{Shots: "5"}, Score: "49.3", SourceURL: "https://huggingface.co/x?a=1&b=2"}
	m := &Model{ID: "meta/x", Creator: "meta", Capabilities: map[Capability]Fact[bool]{},
		Benchmarks: []Fact[BenchmarkResult]{{Value: r, Display: "49.3", Raw: "49.3", RetrievedAt: StampOf(at), ChangedAt: StampOf(at),
			Source: SourceOf(SourceRef{Name: "huggingface", URL: "https://huggingface.co/x", Authority: AuthorityCreator})}}}
	got, err := m.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("AppendJSON differs from encoding/json:\n%s\n%s", got, want)
	}
	var back Model
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Benchmarks) != 1 || back.Benchmarks[0].Value != r {
		t.Fatalf("round trip: %+v", back.Benchmarks)
	}
	m.Benchmarks = nil
	if got, _ := m.AppendJSON(nil); strings.Contains(string(got), "benchmarks") {
		t.Errorf("a model without results writes benchmarks: %s", got)
	}
}

func FuzzParseBenchmarkResult(f *testing.F) {
	f.Add("benchmark=MMLU&metric=macro_avg%2Facc&score=49.3&shots=5")
	f.Add("benchmark=%00&score=1")
	f.Add("score=1.&benchmark=x&source=http://")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseBenchmarkResult(s)
		if err != nil {
			return
		}
		again, err := ParseBenchmarkResult(r.Encode())
		if err != nil || again != r {
			t.Fatalf("re-encoding %+v: %+v, %v", r, again, err)
		}
	})
}
