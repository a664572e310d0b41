package compare

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// bruteNearest is each side's n nearest by measuring it against every
// other side, in id order (nearestPairs before its index): the oracle.
func bruteNearest(keys []nearKey, n int) [][]nearCand {
	out := make([][]nearCand, len(keys))
	for i := range keys {
		best := []nearCand{}
		for j := range keys {
			if j != i {
				best = keepNearer(best, n, nearCand{j, keys[i].distance(&keys[j])}, keys, &keys[i])
			}
		}
		out[i] = best
	}
	return out
}

// randomKeys makes keys of every class, with prices and sizes drawn from
// a few values (so that distances tie, exactly and within the floats'
// slack) or from a wide range.
func randomKeys(r *rand.Rand, m int, few bool) []nearKey {
	keys := make([]nearKey, m)
	draw := func() uint64 {
		if few {
			return []uint64{1, 2, 3, 4, 6, 8, 12, 1_000_000, 3_000_000}[r.IntN(9)]
		}
		return 1 + r.Uint64N(1<<40)
	}
	for i := range keys {
		k := &keys[i]
		if r.IntN(5) > 0 {
			k.price, k.hasPrice = draw(), true
			k.lnPrice = math.Log(float64(k.price))
		}
		if r.IntN(4) > 0 {
			k.size, k.hasSize = draw(), true
			k.lnSize = math.Log(float64(k.size))
		}
	}
	return keys
}

// TestNearestPairsIsBruteForce: the index finds, for every side, the same
// n nearest in the same order as measuring every pair, whatever the
// classes, ties and n.
func TestNearestPairsIsBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 60 {
		m := 1 + r.IntN(120)
		few := trial%2 == 0
		keys := randomKeys(r, m, few)
		for _, n := range []int{1, 2, 5, 10, m, m + 3} {
			got, want := nearestRows(keys, n), bruteNearest(keys, n)
			if !reflect.DeepEqual(got, want) {
				for i := range want {
					if !reflect.DeepEqual(got[i], want[i]) {
						t.Fatalf("trial %d (%d sides, few values %v), n=%d: side %d %+v has %v, want %v", trial, m, few, n, i, keys[i], got[i], want[i])
					}
				}
			}
		}
	}
}

// BenchmarkNearestRows measures finding 5 nearest among m sides, the index
// against measuring every pair.
func BenchmarkNearestRows(b *testing.B) {
	for _, m := range []int{2000, 8000} {
		keys := randomKeys(rand.New(rand.NewPCG(3, 4)), m, false)
		b.Run(fmt.Sprintf("index/%d", m), func(b *testing.B) {
			for b.Loop() {
				nearestRows(keys, 5)
			}
		})
		b.Run(fmt.Sprintf("brute/%d", m), func(b *testing.B) {
			for b.Loop() {
				bruteNearest(keys, 5)
			}
		})
	}
}
