package changes

import (
	"sort"

	"github.com/llmref/llmref/catalog"
)

// benchmarkField is the change field of a benchmark result:
// "benchmark.MMLU (5-shot, macro_avg/acc)".
func benchmarkField(f catalog.Fact[catalog.BenchmarkResult]) string {
	return "benchmark." + f.Value.Label()
}

// benchmarkChanges reports a model's benchmark results that appeared,
// changed score or are gone, matched on benchmark, metric and settings;
// a score written otherwise ("49.30" for "49.3") is the same, as the
// normalisation decides (it keeps the fact's changed_at).
func benchmarkChanges(prev, next *catalog.Model) []catalog.Change {
	before := map[string]catalog.Fact[catalog.BenchmarkResult]{}
	for _, f := range prev.Benchmarks {
		before[f.Value.Key()] = f
	}
	var out []catalog.Change
	for _, f := range next.Benchmarks {
		k := f.Value.Key()
		p, had := before[k]
		delete(before, k)
		if had && p.Value.Score == f.Value.Score {
			continue
		}
		if had && f.ChangedAt.Equal(p.ChangedAt) {
			continue // the same score, written otherwise
		}
		c := catalog.Change{Kind: catalog.ChangeSpec, Model: next.ID, Field: benchmarkField(f), New: f.Value.Score, Source: f.Source}
		if had {
			c.Old = p.Value.Score
		}
		out = append(out, c)
	}
	gone := make([]catalog.Fact[catalog.BenchmarkResult], 0, len(before))
	for _, f := range before {
		gone = append(gone, f)
	}
	sort.Slice(gone, func(i, j int) bool { return gone[i].Value.Key() < gone[j].Value.Key() })
	for _, f := range gone {
		out = append(out, catalog.Change{Kind: catalog.ChangeSpec, Model: next.ID, Field: benchmarkField(f), Old: f.Value.Score, Source: f.Source})
	}
	return out
}
