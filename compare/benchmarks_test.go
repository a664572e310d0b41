package compare

import (
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

func benchFact(name, metric, shots, score, src string) catalog.Fact[catalog.BenchmarkResult] {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	r := catalog.BenchmarkResult{Benchmark: name, Metric: metric, Settings: catalog.BenchmarkSettings{Shots: shots}, Score: score, SourceURL: src}
	return catalog.Fact[catalog.BenchmarkResult]{Value: r, Display: score, Raw: score, RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at),
		Source: catalog.SourceOf(catalog.SourceRef{Name: "card", URL: src, Authority: catalog.AuthorityCreator})}
}

func TestCompareBenchmarks(t *testing.T) {
	mmluA := benchFact("MMLU", "macro_avg/acc", "5", "49.3", "https://a.example/card")
	mmluB := benchFact("mmlu", `macro\_avg/acc`, "5", "63.4", "https://b.example/card")
	mmlu0 := benchFact("MMLU", "macro_avg/acc", "0", "40", "https://b.example/card")
	gpqa := benchFact("GPQA", "acc", "0", "27.2", "https://a.example/card")
	for _, tc := range []struct {
		name         string
		a, b         []catalog.Fact[catalog.BenchmarkResult]
		shared       []string
		onlyA, onlyB int
		statement    string
		deepDive     bool
	}{
		{"neither has results", nil, nil, nil, 0, 0, NoSharedBenchmarks + " Neither model has a sourced benchmark result.", false},
		{"no row in common", []catalog.Fact[catalog.BenchmarkResult]{mmluA, gpqa}, []catalog.Fact[catalog.BenchmarkResult]{mmlu0}, nil, 2, 1,
			NoSharedBenchmarks + " A has 2 sourced benchmark rows and B 1 sourced benchmark row that the other lacks, listed apart.", false},
		{"one shared row, other settings apart", []catalog.Fact[catalog.BenchmarkResult]{mmluA, gpqa}, []catalog.Fact[catalog.BenchmarkResult]{mmlu0, mmluB},
			[]string{"MMLU (5-shot, macro_avg/acc) 49.3|63.4"}, 1, 1,
			"1 sourced benchmark row shared on the same benchmark, metric and settings: MMLU (5-shot, macro_avg/acc). A has 1 sourced benchmark row and B 1 sourced benchmark row that the other lacks, listed apart.", true},
		{"only one side has results", nil, []catalog.Fact[catalog.BenchmarkResult]{mmlu0}, nil, 0, 1,
			NoSharedBenchmarks + " B has 1 sourced benchmark row that A lacks, listed apart.", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ma := &catalog.Model{ID: "x/a", Name: catalog.Fact[string]{Value: "A", Source: catalog.SourceOf(catalog.SourceRef{Name: "s"})}, Benchmarks: tc.a, Capabilities: map[catalog.Capability]catalog.Fact[bool]{}}
			mb := &catalog.Model{ID: "x/b", Name: catalog.Fact[string]{Value: "B", Source: catalog.SourceOf(catalog.SourceRef{Name: "s"})}, Benchmarks: tc.b, Capabilities: map[catalog.Capability]catalog.Fact[bool]{}}
			sa, err := NewSide(ma, nil, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			sb, err := NewSide(mb, nil, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			c := Build(sb, sa, DefaultOptions())
			bc := c.Benchmarks
			var shared []string
			for _, r := range bc.Rows {
				shared = append(shared, r.Benchmark+" "+r.Results.A.Value.Score+"|"+r.Results.B.Value.Score)
			}
			if strings.Join(shared, "\n") != strings.Join(tc.shared, "\n") {
				t.Errorf("shared %q, want %q", shared, tc.shared)
			}
			if len(bc.Only.A) != tc.onlyA || len(bc.Only.B) != tc.onlyB {
				t.Errorf("only %d/%d, want %d/%d", len(bc.Only.A), len(bc.Only.B), tc.onlyA, tc.onlyB)
			}
			if bc.Statement != tc.statement {
				t.Errorf("statement\n%q\nwant\n%q", bc.Statement, tc.statement)
			}
			dd := strings.Join(c.Text.DeepDive, "\n")
			if got := strings.Contains(dd, "benchmark rows both models have"); got != tc.deepDive {
				t.Errorf("deep dive mentions shared rows: %v, want %v", got, tc.deepDive)
			}
			faq := false
			for _, q := range c.Text.FAQ {
				if q.Topic == "benchmarks" {
					faq = true
					if !strings.Contains(q.Answer, "49.3") || !strings.Contains(q.Answer, "63.4") {
						t.Errorf("FAQ answer %q lacks the scores", q.Answer)
					}
				}
			}
			if faq != tc.deepDive {
				t.Errorf("benchmark FAQ present: %v, want %v", faq, tc.deepDive)
			}
			if tc.deepDive && !strings.Contains(dd, "https://a.example/card") {
				t.Errorf("deep dive %q names no source", dd)
			}
			var buf strings.Builder
			if err := WriteText(&buf, c); err != nil {
				t.Fatal(err)
			}
			if text := buf.String(); !strings.Contains(text, bc.Statement) {
				t.Errorf("rendered text lacks the statement:\n%s", buf.String())
			}
		})
	}
}
