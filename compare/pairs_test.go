package compare_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/export/schema"
)

// pairsOf lists a set's pairs by id, row by row, checking what every policy
// promises: rows in path order, b after a, no pair twice, Pairs the count.
func pairsOf(t *testing.T, set *compare.Set) [][2]string {
	t.Helper()
	var out [][2]string
	seen := map[[2]string]bool{}
	for i := range set.Rows() {
		prev := ""
		for _, r := range set.Row(i) {
			a, b := set.Sides[r.A].Model.ID, set.Sides[r.B].Model.ID
			if r.A != i || a >= b {
				t.Fatalf("row %d holds %s vs %s", i, a, b)
			}
			if r.Path != compare.File(a, b) || r.Path <= prev {
				t.Fatalf("row %d: path %s after %s", i, r.Path, prev)
			}
			prev = r.Path
			p := [2]string{a, b}
			if seen[p] {
				t.Fatalf("%s vs %s twice", a, b)
			}
			seen[p] = true
			out = append(out, p)
		}
	}
	if len(out) != set.Pairs() {
		t.Fatalf("rows hold %d pairs, Pairs says %d", len(out), set.Pairs())
	}
	return out
}

// exactDistance is Distance's ratio product as an exact rational, written
// from its definition, for the oracle.
func exactDistance(a, b *compare.Side) *big.Rat {
	r := big.NewRat(1, 1)
	f := func(x, y int64, hx, hy bool) {
		switch {
		case hx && hy:
			r.Mul(r, big.NewRat(max(x, y), min(x, y)))
		case hx || hy:
			r.Mul(r, big.NewRat(compare.Missing, 1))
		}
	}
	price := func(s *compare.Side) (int64, bool) {
		if c := s.Pricing.Cheapest; c != nil && c.Blended > 0 {
			return int64(c.Blended), true
		}
		return 0, false
	}
	size := func(s *compare.Side) (int64, bool) {
		if p := s.Model.Parameters; p.Sourced() && p.Value.N > 0 {
			return p.Value.N, true
		}
		return 0, false
	}
	pa, ha := price(a)
	pb, hb := price(b)
	f(pa, pb, ha, hb)
	sa, ha := size(a)
	sb, hb := size(b)
	f(sa, sb, ha, hb)
	return r
}

// nearestOracle is the nearest policy by brute force: every model's
// neighbours sorted by exact distance, then id; the first n of each; their
// union.
func nearestOracle(sides []*compare.Side, n int) map[[2]string]bool {
	out := map[[2]string]bool{}
	for i, s := range sides {
		var others []int
		for j := range sides {
			if j != i {
				others = append(others, j)
			}
		}
		sort.Slice(others, func(x, y int) bool {
			c := exactDistance(s, sides[others[x]]).Cmp(exactDistance(s, sides[others[y]]))
			if c != 0 {
				return c < 0
			}
			return sides[others[x]].Model.ID < sides[others[y]].Model.ID
		})
		for _, j := range others[:min(n, len(others))] {
			a, b := catalog.ComparisonOrder(s.Model.ID, sides[j].Model.ID)
			out[[2]string{a, b}] = true
		}
	}
	return out
}

// groupOracle pairs two models when one group holds both.
func groupOracle(sides []*compare.Side, groups []compare.Group) map[[2]string]bool {
	in := func(g compare.Group, m *catalog.Model) bool {
		for _, p := range g.Models {
			if ok, _ := path.Match(p, m.ID); ok {
				return true
			}
		}
		for _, p := range g.Creators {
			if ok, _ := path.Match(p, m.Creator); ok {
				return true
			}
		}
		return false
	}
	out := map[[2]string]bool{}
	for i, a := range sides {
		for _, b := range sides[i+1:] {
			for _, g := range groups {
				if in(g, a.Model) && in(g, b.Model) {
					out[[2]string{a.Model.ID, b.Model.ID}] = true
				}
			}
		}
	}
	return out
}

func asSet(ps [][2]string) map[[2]string]bool {
	out := map[[2]string]bool{}
	for _, p := range ps {
		out[p] = true
	}
	return out
}

// TestPairPolicies runs each policy on a synthetic catalogue (priced and
// unpriced, sized and unsized models, prices that tie) against an oracle
// written from the policy's definition.
func TestPairPolicies(t *testing.T) {
	const n = 60
	snap := synthetic(n)
	// Exact ties at several distances: two models with the same blended
	// price and size as a third.
	ids := snap.ModelIDs()
	for _, id := range ids[40:43] {
		for _, o := range snap.OfferingsOf(id) {
			delete(snap.Offerings, o.Key())
		}
		o := &catalog.Offering{ModelID: id, Provider: "p", ProviderModelID: id, Input: price(fixed(100_000)), Output: price(fixed(400_000))}
		snap.Offerings[o.Key()] = o
		snap.Models[id].Parameters = catalog.Fact[catalog.Count]{Value: catalog.Count{N: 8e9, Display: "8B"}, Source: catalog.SourceOf(catalog.SourceRef{Name: "hf"})}
	}
	groups := []compare.Group{
		{Name: "c01", Creators: []string{"creator-01"}},
		{Name: "early", Models: []string{"creator-0*/model-000*"}},                             // overlaps c01
		{Name: "some", Models: []string{"creator-1?/*"}, Creators: []string{"creator-2[0-2]"}}, // ids or creators
		{Name: "none", Models: []string{"nobody/*"}},
	}
	tests := []struct {
		name   string
		policy compare.PairPolicy
		oracle func(sides []*compare.Side) map[[2]string]bool
		empty  []string
	}{
		{"all", compare.PairPolicy{}, func(sides []*compare.Side) map[[2]string]bool {
			out := map[[2]string]bool{}
			for i := range sides {
				for j := i + 1; j < len(sides); j++ {
					out[[2]string{sides[i].Model.ID, sides[j].Model.ID}] = true
				}
			}
			return out
		}, nil},
		{"groups", compare.PairPolicy{Groups: groups}, func(sides []*compare.Side) map[[2]string]bool { return groupOracle(sides, groups) }, []string{"none"}},
		{"nearest 1", compare.PairPolicy{Nearest: 1}, func(sides []*compare.Side) map[[2]string]bool { return nearestOracle(sides, 1) }, nil},
		{"nearest 5", compare.PairPolicy{Nearest: 5}, func(sides []*compare.Side) map[[2]string]bool { return nearestOracle(sides, 5) }, nil},
		{"nearest more than there are", compare.PairPolicy{Nearest: 500}, func(sides []*compare.Side) map[[2]string]bool { return nearestOracle(sides, 500) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := compare.Options{Pairs: tt.policy}
			set, err := compare.NewSet(snap, o)
			if err != nil {
				t.Fatal(err)
			}
			got := pairsOf(t, set)
			want := tt.oracle(set.Sides)
			if !reflect.DeepEqual(asSet(got), want) {
				t.Errorf("%d pairs, want %d", len(got), len(want))
				for p := range want {
					if !asSet(got)[p] {
						t.Errorf("missing %s vs %s", p[0], p[1])
						break
					}
				}
			}
			if !reflect.DeepEqual(set.EmptyGroups(), tt.empty) {
				t.Errorf("empty groups %v, want %v", set.EmptyGroups(), tt.empty)
			}
			if k := tt.policy.Nearest; k > 0 {
				per := map[string]int{}
				for _, p := range got {
					per[p[0]]++
					per[p[1]]++
				}
				for _, id := range ids {
					if per[id] < min(k, n-1) {
						t.Errorf("%s is in %d pairs, fewer than nearest %d", id, per[id], k)
					}
				}
				if len(got) > n*k {
					t.Errorf("%d pairs, more than %d × %d", len(got), n, k)
				}
			}
			// The same catalogue gives the same pairs.
			again, _ := compare.NewSet(snap, o)
			if !reflect.DeepEqual(pairsOf(t, again), got) {
				t.Error("a second set of the same catalogue holds other pairs")
			}
		})
	}
}

// TestNearestKnown checks the nearest policy on a catalogue small enough to
// work out by hand.
func TestNearestKnown(t *testing.T) {
	snap := catalog.NewSnapshot()
	add := func(id string, in catalog.Money, params int64) {
		m := model(id)
		if params > 0 {
			m.Parameters = catalog.Fact[catalog.Count]{Value: catalog.Count{N: params}, Source: catalog.SourceOf(catalog.SourceRef{Name: "hf"})}
		}
		snap.Models[id] = m
		if in > 0 {
			o := offer(id, "p", "", price(fixed(in)), price(fixed(in)))
			snap.Offerings[o.Key()] = o
		}
	}
	add("a/small", 100, 1e9)  // $0.0001, 1B
	add("a/small2", 200, 2e9) // twice the price and size: ratio 4
	add("a/mid", 1_000, 1e9)  // 10× the price of small: ratio 10
	add("b/closed", 150, 0)   // no size: 1.5 × Missing from small
	add("b/closed2", 300, 0)  // 2 from closed
	add("c/unknown", 0, 0)    // neither: Missing² from every priced, sized model
	add("c/unknown2", 0, 0)   // distance 1 from unknown
	set, err := compare.NewSet(snap, compare.Options{Pairs: compare.PairPolicy{Nearest: 1}})
	if err != nil {
		t.Fatal(err)
	}
	got := asSet(pairsOf(t, set))
	want := map[[2]string]bool{
		{"a/small", "a/small2"}:     true, // small → small2 (4), small2 → small (4)
		{"a/mid", "a/small"}:        true, // mid → small (10) or small2 (5 × 2 = 10): an exact tie, broken by id
		{"b/closed", "b/closed2"}:   true, // closed → closed2 (2) rather than small (15); closed2 → closed
		{"c/unknown", "c/unknown2"}: true, // the two unknowns are alike
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
	d := compare.Distance(set.Sides[0], set.Sides[1])
	if d <= 0 {
		t.Errorf("distance %s–%s = %v", set.Sides[0].Model.ID, set.Sides[1].Model.ID, d)
	}
}

func TestPairPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		policy compare.PairPolicy
		ok     bool
	}{
		{"all", compare.PairPolicy{}, true},
		{"nearest", compare.PairPolicy{Nearest: 3}, true},
		{"groups", compare.PairPolicy{Groups: []compare.Group{{Name: "g", Models: []string{"meta/*"}}}}, true},
		{"negative", compare.PairPolicy{Nearest: -1}, false},
		{"both", compare.PairPolicy{Nearest: 3, Groups: []compare.Group{{Name: "g", Models: []string{"meta/*"}}}}, false},
		{"no name", compare.PairPolicy{Groups: []compare.Group{{Models: []string{"meta/*"}}}}, false},
		{"twice", compare.PairPolicy{Groups: []compare.Group{{Name: "g", Models: []string{"a/*"}}, {Name: "g", Models: []string{"b/*"}}}}, false},
		{"empty group", compare.PairPolicy{Groups: []compare.Group{{Name: "g"}}}, false},
		{"bad glob", compare.PairPolicy{Groups: []compare.Group{{Name: "g", Models: []string{"meta/[a-"}}}}, false},
		{"empty glob", compare.PairPolicy{Groups: []compare.Group{{Name: "g", Creators: []string{""}}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.Validate()
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, compare.ErrPairPolicy)) {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
			if _, err := compare.NewSet(synthetic(3), compare.Options{Pairs: tt.policy}); (err == nil) != tt.ok {
				t.Errorf("NewSet: %v, want ok %v", err, tt.ok)
			}
		})
	}
}

// TestExportPairPolicy exports a catalogue under each policy through the
// real export: the manifest, index.json and the tree hold exactly the set's
// records, the tree verifies against its schemas, and a changed price that
// moves the nearest neighbours builds the new pairs and drops the old.
func TestExportPairPolicy(t *testing.T) {
	const n = 20
	for _, policy := range []compare.PairPolicy{
		{},
		{Nearest: 3},
		{Groups: []compare.Group{{Name: "low", Models: []string{"*/model-000*"}}, {Name: "c02", Creators: []string{"creator-02"}}}},
	} {
		t.Run(policy.String(), func(t *testing.T) {
			snap := synthetic(n)
			out := filepath.Join(t.TempDir(), "site")
			o := compare.Options{Pairs: policy, Workers: 2}
			check := func(st export.BulkStats) map[string]bool {
				t.Helper()
				set, err := compare.NewSet(snap, o)
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]bool{}
				for _, p := range pairsOf(t, set) {
					want[compare.File(p[0], p[1])] = true
				}
				var m manifest
				raw, err := os.ReadFile(filepath.Join(out, compare.ManifestFile))
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(raw, &m); err != nil {
					t.Fatal(err)
				}
				if st.Files != len(want) || m.Count != len(want) || len(m.Files) != len(want) || m.Pairs["policy"] != policy.Kind() {
					t.Fatalf("%d pairs; stats %+v, manifest count %d with %d files, pairs %v", len(want), st, m.Count, len(m.Files), m.Pairs)
				}
				for _, f := range m.Files {
					if !want[f.Path] {
						t.Errorf("manifest lists %s, not a pair of the policy", f.Path)
					}
				}
				var idx export.Index
				b, _ := os.ReadFile(filepath.Join(out, export.IndexFile))
				json.Unmarshal(b, &idx)
				if idx.Counts["comparisons"] != len(want) {
					t.Errorf("index counts %d comparisons, want %d", idx.Counts["comparisons"], len(want))
				}
				// Every file listed, none else, every one valid.
				problems, err := export.Verify(out, schema.Validate)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range problems {
					t.Error(p)
				}
				return want
			}
			before := check(exportOnce(t, out, snap, o))
			if policy.Kind() == compare.PairsAll && len(before) != n*(n-1)/2 {
				t.Fatalf("all: %d pairs", len(before))
			}
			// One model's prices fall to a millionth of a dollar: under
			// nearest its neighbours change.
			moved := snap.ModelIDs()[7]
			for _, off := range snap.OfferingsOf(moved) {
				off.Input, off.Output = price(fixed(1)), price(fixed(1))
			}
			st := exportOnce(t, out, snap, o)
			after := check(st)
			added := 0
			for p := range after {
				if !before[p] {
					added++
				}
			}
			if policy.Kind() == compare.PairsNearest && added == 0 {
				t.Error("a price change of five orders of magnitude moved no neighbour: the test shows nothing")
			}
			if st.Built < added {
				t.Errorf("%d new pairs but %d built", added, st.Built)
			}
			t.Logf("%s: %d pairs, then %d (%d new; %d built, %d kept)", policy, len(before), len(after), added, st.Built, st.Kept)
		})
	}
}

// Compare still builds any pair on demand, whatever the export's policy.
func ExamplePairPolicy() {
	p := compare.PairPolicy{Nearest: 10}
	fmt.Println(p.Kind(), p.Validate() == nil)
	// Output: nearest true
}
