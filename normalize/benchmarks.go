package normalize

import (
	"math/big"
	"slices"
	"sort"
	"time"

	"github.com/llmref/llmref/catalog"
)

// addBenchmark files a benchmark result under its key (benchmark, metric
// and settings): each key is one fact of the model, its sources ranked as
// any other fact's.
func (acc *modelAcc) addBenchmark(o catalog.Observation, org origin, stale, variant bool) error {
	r, err := catalog.ParseBenchmarkResult(o.Value)
	if err != nil {
		return err
	}
	if acc.benchmarks == nil {
		acc.benchmarks = map[string][]cand{}
	}
	k := r.Key()
	acc.benchmarks[k] = append(acc.benchmarks[k], cand{obs: org, stale: stale, variant: variant, val: r, display: r.Score})
	return nil
}

// buildBenchmarks makes a model's benchmark facts, one per key, ordered by
// label then key. A fact keeps the previous snapshot's changed_at and
// reviewed_at while its result is the same; scores that differ only in
// their writing ("49.3", "49.30") agree. Raw is the score as published.
func buildBenchmarks(acc *modelAcc, prev []catalog.Fact[catalog.BenchmarkResult], now time.Time) []catalog.Fact[catalog.BenchmarkResult] {
	if len(acc.benchmarks) == 0 {
		return nil
	}
	prevByKey := map[string]catalog.Fact[catalog.BenchmarkResult]{}
	for _, f := range prev {
		prevByKey[f.Value.Key()] = f
	}
	out := make([]catalog.Fact[catalog.BenchmarkResult], 0, len(acc.benchmarks))
	for k, cs := range acc.benchmarks {
		// Facts of one key are one benchmark, metric and settings: the
		// score alone says whether the value changed.
		f := pick(dropShadowedVariants(cs), prevByKey[k], now, sameScore, sameScore)
		f.Raw = f.Value.Score
		if cs := slices.Clone(f.Conflicts()); cs != nil {
			for i := range cs {
				cs[i].Raw = cs[i].Display // the conflicting score, as published
			}
			f.SetConflicts(cs)
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Value, out[j].Value
		if a.Label() != b.Label() {
			return a.Label() < b.Label()
		}
		return a.Key() < b.Key()
	})
	return out
}

// sameScore reports whether two results give the same score, however
// written.
func sameScore(a, b catalog.BenchmarkResult) bool {
	x, okx := new(big.Rat).SetString(a.Score)
	y, oky := new(big.Rat).SetString(b.Score)
	if !okx || !oky {
		return a.Score == b.Score
	}
	return x.Cmp(y) == 0
}
