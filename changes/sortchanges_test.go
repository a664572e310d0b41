package changes

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/llmref/llmref/catalog"
)

// TestSortChangesStable: sorting by index and moving each record once in
// place gives what a stable sort of the records gives, ties in the order
// they came, for lists of every shape (few distinct keys make long cycles
// and many ties).
func TestSortChangesStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(opts ...string) string { return opts[rng.IntN(len(opts))] }
	for _, n := range []int{0, 1, 2, 3, 7, 20, 21, 100, 1000} {
		for round := 0; round < 20; round++ {
			in := make([]catalog.RunChange, n)
			for i := range in {
				in[i] = catalog.RunChange{Change: catalog.Change{
					Model:    pick("a/x", "a/y", "b/z"),
					Provider: pick("", "openrouter", "fireworks"),
					Kind:     catalog.ChangeKind(pick(string(catalog.ChangePrice), string(catalog.ChangeOfferingAdded), string(catalog.ChangeModelAdded))),
					Field:    pick("", "input", "output"),
					Detail:   string(rune('A' + i%26)),
				}, Hold: uint64(i)} // Hold numbers the input order
			}
			want := slices.Clone(in)
			sort.SliceStable(want, func(i, j int) bool {
				a, b := want[i], want[j]
				if a.Model != b.Model {
					return a.Model < b.Model
				}
				if a.Provider != b.Provider {
					return a.Provider < b.Provider
				}
				if a.Kind != b.Kind {
					return a.Kind < b.Kind
				}
				return a.Field < b.Field
			})
			sortChanges(in, func(rc *catalog.RunChange) *catalog.Change { return &rc.Change })
			if !reflect.DeepEqual(in, want) {
				t.Fatalf("n=%d round %d: sortChanges differs from a stable sort", n, round)
			}
		}
	}
}

// TestPermute: s[k] becomes s[perm[k]] for every permutation of four.
func TestPermute(t *testing.T) {
	var perms [][]int
	var gen func(p []int, used int)
	gen = func(p []int, used int) {
		if len(p) == 4 {
			perms = append(perms, append([]int(nil), p...))
			return
		}
		for i := 0; i < 4; i++ {
			if used&(1<<i) == 0 {
				gen(append(p, i), used|1<<i)
			}
		}
	}
	gen(nil, 0)
	for _, p := range perms {
		s := []string{"a", "b", "c", "d"}
		want := make([]string, 4)
		for k := range want {
			want[k] = s[p[k]]
		}
		perm := append([]int(nil), p...)
		permute(s, perm)
		if !reflect.DeepEqual(s, want) {
			t.Errorf("permute by %v = %v, want %v", p, s, want)
		}
	}
}
