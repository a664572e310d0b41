package changes

import (
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

func TestBenchmarkChanges(t *testing.T) {
	d1 := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	d2 := d1.Add(24 * time.Hour)
	src := catalog.SourceRef{Name: "huggingface", URL: "https://huggingface.co/x", Authority: catalog.AuthorityCreator}
	res := func(name, score string, changed time.Time, conflicts ...catalog.Conflict) catalog.Fact[catalog.BenchmarkResult] {
		r := catalog.BenchmarkResult{Benchmark: name, Metric: "acc", Settings: catalog.BenchmarkSettings{Shots: "0"}, Score: score}
		return catalog.Fact[catalog.BenchmarkResult]{Value: r, Display: score, Raw: score, Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(d2), ChangedAt: catalog.StampOf(changed)}.WithConflicts(conflicts)
	}
	snap := func(bs ...catalog.Fact[catalog.BenchmarkResult]) *catalog.Snapshot {
		s := catalog.NewSnapshot()
		s.Models["meta/x"] = &catalog.Model{ID: "meta/x", Creator: "meta", Capabilities: map[catalog.Capability]catalog.Fact[bool]{}, Benchmarks: bs}
		return s
	}
	xc := catalog.Conflict{Display: "40", Raw: "40", Source: catalog.SourceRef{Name: "modelsdev", Authority: catalog.AuthorityCrossCheck}}
	for _, tc := range []struct {
		name       string
		prev, next *catalog.Snapshot
		want       []string
	}{
		{"nothing changed", snap(res("GPQA", "27.2", d1)), snap(res("GPQA", "27.2", d1)), nil},
		{"a result appears", snap(), snap(res("GPQA", "27.2", d2)), []string{"spec_changed benchmark.GPQA (0-shot, acc)  → 27.2"}},
		{"a score changes", snap(res("GPQA", "27.2", d1)), snap(res("GPQA", "27.5", d2)), []string{"spec_changed benchmark.GPQA (0-shot, acc) 27.2 → 27.5"}},
		{"the same score written otherwise", snap(res("GPQA", "27.2", d1)), snap(res("GPQA", "27.20", d1)), nil},
		{"a result is gone", snap(res("GPQA", "27.2", d1), res("ARC-C", "59.4", d1)), snap(res("ARC-C", "59.4", d1)), []string{"spec_changed benchmark.GPQA (0-shot, acc) 27.2 → "}},
		{"a new conflict", snap(res("GPQA", "27.2", d1)), snap(res("GPQA", "27.2", d1, xc)), []string{"conflict_appeared benchmark.GPQA (0-shot, acc) 27.2 → 40"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range Diff(tc.prev, tc.next) {
				got = append(got, string(c.Kind)+" "+c.Field+" "+c.Old+" → "+c.New)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("changes\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
