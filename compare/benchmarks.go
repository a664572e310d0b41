package compare

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/textsafe"
)

// NoSharedBenchmarks is the statement of a record whose two models have no
// benchmark row in common.
const NoSharedBenchmarks = "No shared benchmark rows are currently sourced for this pair."

// compareBenchmarks puts the rows both models have a result for (the same
// benchmark, metric and settings: catalog.BenchmarkResult.Key) side by
// side, in the order of their labels, and lists each model's other rows
// apart. Results are never matched on the benchmark's name alone: MMLU
// 5-shot macro_avg/acc and MMLU 0-shot are different rows.
func compareBenchmarks(a, b *catalog.Model) catalog.BenchmarkComparison {
	bc := catalog.BenchmarkComparison{Rows: []catalog.BenchmarkRow{},
		Only: catalog.Pair[[]catalog.Fact[catalog.BenchmarkResult]]{A: []catalog.Fact[catalog.BenchmarkResult]{}, B: []catalog.Fact[catalog.BenchmarkResult]{}}}
	// normalize keeps one fact per Key in a model's benchmarks, so a key
	// names one row of each model.
	inA := make(map[string]bool, len(a.Benchmarks))
	for _, fa := range a.Benchmarks {
		inA[fa.Value.Key()] = true
	}
	inB := make(map[string]int, len(b.Benchmarks))
	for i, fb := range b.Benchmarks {
		inB[fb.Value.Key()] = i
	}
	for _, fa := range a.Benchmarks {
		j, ok := inB[fa.Value.Key()]
		if !ok {
			bc.Only.A = append(bc.Only.A, fa)
			continue
		}
		v := fa.Value
		bc.Rows = append(bc.Rows, catalog.BenchmarkRow{Benchmark: v.Label(), Metric: v.Metric, Settings: v.Settings,
			Results: catalog.Pair[catalog.Fact[catalog.BenchmarkResult]]{A: fa, B: b.Benchmarks[j]}})
	}
	for _, fb := range b.Benchmarks {
		if !inA[fb.Value.Key()] {
			bc.Only.B = append(bc.Only.B, fb)
		}
	}
	bc.Statement = benchmarkStatement(&bc, a.DisplayName(), b.DisplayName())
	return bc
}

// benchmarkStatement says what the record's benchmark section holds.
func benchmarkStatement(bc *catalog.BenchmarkComparison, na, nb string) string {
	others := ""
	rowCount := func(n int) string { return count(n, "sourced benchmark row", "sourced benchmark rows") }
	switch la, lb := len(bc.Only.A), len(bc.Only.B); {
	case la > 0 && lb > 0:
		others = fmt.Sprintf(" %s has %s and %s %s that the other lacks, listed apart.", na, rowCount(la), nb, rowCount(lb))
	case la > 0:
		others = fmt.Sprintf(" %s has %s that %s lacks, listed apart.", na, rowCount(la), nb)
	case lb > 0:
		others = fmt.Sprintf(" %s has %s that %s lacks, listed apart.", nb, rowCount(lb), na)
	}
	if len(bc.Rows) == 0 {
		if others == "" {
			return NoSharedBenchmarks + " Neither model has a sourced benchmark result."
		}
		return NoSharedBenchmarks + others
	}
	labels := make([]string, len(bc.Rows))
	for i, r := range bc.Rows {
		labels[i] = r.Benchmark
	}
	return fmt.Sprintf("%s on the same benchmark, metric and settings: %s.%s",
		capitalize(rowCount(len(bc.Rows))+" shared"), strings.Join(labels, "; "), others)
}

// scoreLine is "49.3 (huggingface, https://…)": a result with its source.
func scoreLine(f catalog.Fact[catalog.BenchmarkResult]) string {
	src := f.Value.SourceURL
	if src == "" {
		src = f.Source.URL()
	}
	return f.Value.Score + " (" + f.Source.Name() + ", " + src + ")"
}

// benchmarkParagraph is the deep-dive paragraph of the shared rows, or ""
// when there are none: each row's two scores with their sources, and no
// verdict beyond what the rows say.
func (g textGen) benchmarkParagraph() string {
	rows := g.c.Benchmarks.Rows
	if len(rows) == 0 {
		return ""
	}
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = r.Benchmark + ": " + g.na + " " + scoreLine(r.Results.A) + ", " + g.nb + " " + scoreLine(r.Results.B)
	}
	return "On the benchmark rows both models have a sourced result for, under the same metric and settings: " +
		strings.Join(parts, "; ") + ". Scores measured under other settings are listed apart and not compared."
}

// benchmarkFAQ answers which model scores higher on the shared rows, or
// nothing when there are none.
func (g textGen) benchmarkFAQ() []catalog.FAQEntry {
	rows := g.c.Benchmarks.Rows
	if len(rows) == 0 {
		return nil
	}
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = r.Benchmark + ", " + g.na + " " + r.Results.A.Value.Score + " and " + g.nb + " " + r.Results.B.Value.Score
	}
	return []catalog.FAQEntry{{Topic: "benchmarks",
		Question: "How do " + g.na + " and " + g.nb + " compare on benchmarks?",
		Answer: "On the sourced rows they share (same benchmark, metric and settings): " + strings.Join(parts, "; ") +
			". Each score is the one its source published; rows measured differently are not compared."}}
}

// renderBenchmarks writes a record's benchmark section as text: the
// statement, the shared rows side by side, then each model's other rows,
// every score with its source.
func renderBenchmarks(w io.Writer, c *catalog.Comparison) {
	fmt.Fprintln(w, textsafe.Line(c.Benchmarks.Statement))
	na, nb := c.Models.A.Name, c.Models.B.Name
	if rows := c.Benchmarks.Rows; len(rows) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		textsafe.Fprintf(tw, "\t%s\t%s\n", na, nb)
		for _, r := range rows {
			textsafe.Fprintf(tw, "%s\t%s\t%s\n", r.Benchmark, r.Results.A.Value.Score, r.Results.B.Value.Score)
		}
		tw.Flush()
	}
	for _, side := range []struct {
		name string
		fs   []catalog.Fact[catalog.BenchmarkResult]
	}{{na, c.Benchmarks.Only.A}, {nb, c.Benchmarks.Only.B}} {
		if len(side.fs) == 0 {
			continue
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, textsafe.Line(side.name+" only:"))
		for _, f := range side.fs {
			fmt.Fprintln(w, textsafe.Line("  "+f.Value.Label()+": "+scoreLine(f)))
		}
	}
}
