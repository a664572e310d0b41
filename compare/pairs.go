package compare

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"path"
	"slices"
	"sort"
	"strconv"
)

// PairPolicy says which pairs of a catalogue's models the export writes a
// record for. The zero value is every pair: n models make n(n-1)/2 records,
// 12.5 million at 5,000 models. Groups or Nearest keep a large catalogue's
// records to the pairs a site shows. Whatever the policy, Compare builds
// the record of any two models on demand (`llmref compare A B`).
type PairPolicy struct {
	// Groups, when set, pairs models only within each group: a model in
	// several groups is paired with the members of each (every pair once);
	// a model in none has no records.
	Groups []Group `json:"groups,omitempty"`
	// Nearest, when above zero, pairs each model with the Nearest models
	// closest to it by blended price and parameter count (see Distance);
	// the pairs are the union of every model's choices, so a model may
	// have more than Nearest records, never fewer (while there are that
	// many other models).
	Nearest int `json:"nearest,omitempty"`
}

// Group is a set of models named by globs (path.Match syntax: * does not
// cross the /) on canonical ids ("meta/llama-3*") or on creators
// ("openai"). A model belongs when any glob matches.
type Group struct {
	Name     string   `json:"name"`
	Models   []string `json:"models,omitempty"`
	Creators []string `json:"creators,omitempty"`
}

// Pair policies, as the manifest names them.
const (
	PairsAll     = "all"
	PairsGroups  = "groups"
	PairsNearest = "nearest"
)

// Kind names the policy: all, groups or nearest.
func (p PairPolicy) Kind() string {
	switch {
	case len(p.Groups) > 0:
		return PairsGroups
	case p.Nearest > 0:
		return PairsNearest
	}
	return PairsAll
}

// ErrPairPolicy reports a pair policy that cannot be applied.
var ErrPairPolicy = errors.New("invalid comparison pairs policy")

// Validate checks the policy: groups or nearest, not both; nearest not
// negative; every group named once, with at least one glob, every glob
// well formed.
func (p PairPolicy) Validate() error {
	if p.Nearest < 0 {
		return fmt.Errorf("nearest %d: %w: want a count of at least 1", p.Nearest, ErrPairPolicy)
	}
	if len(p.Groups) > 0 && p.Nearest > 0 {
		return fmt.Errorf("%w: groups and nearest together; choose one", ErrPairPolicy)
	}
	names := map[string]bool{}
	for i, g := range p.Groups {
		if g.Name == "" {
			return fmt.Errorf("group %d: %w: no name", i+1, ErrPairPolicy)
		}
		if names[g.Name] {
			return fmt.Errorf("group %q: %w: named twice", g.Name, ErrPairPolicy)
		}
		names[g.Name] = true
		if len(g.Models) == 0 && len(g.Creators) == 0 {
			return fmt.Errorf("group %q: %w: no models or creators", g.Name, ErrPairPolicy)
		}
		for _, pat := range append(append([]string{}, g.Models...), g.Creators...) {
			if _, err := path.Match(pat, ""); err != nil || pat == "" {
				return fmt.Errorf("group %q: %w: glob %q is malformed", g.Name, ErrPairPolicy, pat)
			}
		}
	}
	return nil
}

// Manifest is the policy as comparisons.json states it.
func (p PairPolicy) Manifest() any {
	return struct {
		Policy string `json:"policy"`
		PairPolicy
	}{p.Kind(), p}
}

// matches reports whether the group holds the model.
func (g *Group) matches(id, creator string) bool {
	for _, pat := range g.Models {
		if ok, _ := path.Match(pat, id); ok {
			return true
		}
	}
	for _, pat := range g.Creators {
		if ok, _ := path.Match(pat, creator); ok {
			return true
		}
	}
	return false
}

// pairing is a set of pairs of side indexes: row i is the sides paired
// with side i that come after it, ascending.
type pairing interface {
	row(i int) []int
	total() int
}

// allPairs pairs every side with every other.
type allPairs struct{ n int }

func (a allPairs) row(i int) []int {
	out := make([]int, 0, a.n-1-i)
	for j := i + 1; j < a.n; j++ {
		out = append(out, j)
	}
	return out
}

func (a allPairs) total() int { return a.n * (a.n - 1) / 2 }

// groupPairs pairs the members of each group. Rows are computed when asked,
// never held: one group of every model is all pairs.
type groupPairs struct {
	members [][]int // per group, its sides ascending
	of      [][]int // per side, its groups
	count   int
	empty   []string
}

func newGroupPairs(sides []*Side, groups []Group) *groupPairs {
	g := &groupPairs{members: make([][]int, len(groups)), of: make([][]int, len(sides))}
	for k := range groups {
		for i, s := range sides {
			if groups[k].matches(s.Model.ID, s.Model.Creator) {
				g.members[k] = append(g.members[k], i)
				g.of[i] = append(g.of[i], k)
			}
		}
		if len(g.members[k]) == 0 {
			g.empty = append(g.empty, groups[k].Name)
		}
	}
	for i := range sides {
		g.count += len(g.row(i))
	}
	return g
}

func (g *groupPairs) row(i int) []int {
	after := func(k int) []int {
		m := g.members[k]
		return m[sort.SearchInts(m, i+1):]
	}
	switch len(g.of[i]) {
	case 0:
		return nil
	case 1:
		return after(g.of[i][0])
	}
	var out []int
	for _, k := range g.of[i] {
		out = append(out, after(k)...)
	}
	sort.Ints(out)
	return dedupe(out)
}

func (g *groupPairs) total() int { return g.count }

func dedupe(s []int) []int {
	if len(s) < 2 {
		return s
	}
	w := 1
	for r := 1; r < len(s); r++ {
		if s[r] != s[w-1] {
			s[w] = s[r]
			w++
		}
	}
	return s[:w]
}

// listedPairs is a pairing held as its rows (nearest neighbours: at most n
// × N pairs).
type listedPairs struct {
	rows  [][]int
	count int
}

func (l *listedPairs) row(i int) []int { return l.rows[i] }
func (l *listedPairs) total() int      { return l.count }

// Missing is the factor of Distance for a quantity one model of the two
// has sourced and the other has not: as far apart as a 10× difference.
const Missing = 10

// Distance is how far apart two models are for the nearest policy: the
// natural log of the product of two ratios, the larger over the smaller of
// their blended prices (on their cheapest tracked offerings) and of their
// parameter counts, i.e. |ln(pa/pb)| + |ln(na/nb)|. A quantity that one
// model lacks (no fixed blended price above zero — free, variable or no
// offering — or no sourced parameter count) makes a factor of Missing; one
// that both lack, a factor of 1. Neighbours are ranked on the exact ratio
// product (integers, not floating point), ties broken by id, so the pairs
// are the same on every machine.
func Distance(a, b *Side) float64 {
	ka, kb := keyOf(a), keyOf(b)
	return ka.distance(&kb)
}

// nearKey is what Distance reads of a side.
type nearKey struct {
	price, size       uint64 // 0 when not known
	lnPrice, lnSize   float64
	hasPrice, hasSize bool
}

func keyOf(s *Side) nearKey {
	var k nearKey
	if c := s.Pricing.Cheapest; c != nil && c.Blended > 0 {
		k.price, k.hasPrice, k.lnPrice = uint64(c.Blended), true, math.Log(float64(c.Blended))
	}
	if p := s.Model.Parameters; p.Sourced() && p.Value.N > 0 {
		k.size, k.hasSize, k.lnSize = uint64(p.Value.N), true, math.Log(float64(p.Value.N))
	}
	return k
}

var lnMissing = math.Log(Missing)

func term(ha, hb bool, la, lb float64) float64 {
	switch {
	case ha && hb:
		return math.Abs(la - lb)
	case ha || hb:
		return lnMissing
	}
	return 0
}

func (a *nearKey) distance(b *nearKey) float64 {
	return term(a.hasPrice, b.hasPrice, a.lnPrice, b.lnPrice) + term(a.hasSize, b.hasSize, a.lnSize, b.lnSize)
}

// ratioProduct is the exact ratio product of Distance as a fraction of two
// 128-bit integers (hi, lo words).
type ratioProduct struct{ numHi, numLo, denHi, denLo uint64 }

func factor(ha, hb bool, a, b uint64) (num, den uint64) {
	switch {
	case ha && hb:
		return max(a, b), min(a, b)
	case ha || hb:
		return Missing, 1
	}
	return 1, 1
}

func (a *nearKey) ratio(b *nearKey) ratioProduct {
	pn, pd := factor(a.hasPrice, b.hasPrice, a.price, b.price)
	sn, sd := factor(a.hasSize, b.hasSize, a.size, b.size)
	var r ratioProduct
	r.numHi, r.numLo = bits.Mul64(pn, sn)
	r.denHi, r.denLo = bits.Mul64(pd, sd)
	return r
}

func big128(hi, lo uint64) *big.Int {
	x := new(big.Int).SetUint64(hi)
	x.Lsh(x, 64)
	return x.Or(x, new(big.Int).SetUint64(lo))
}

// cmp compares two ratio products exactly: -1, 0 or 1.
func (r ratioProduct) cmp(s ratioProduct) int {
	if r == s {
		return 0
	}
	x := new(big.Int).Mul(big128(r.numHi, r.numLo), big128(s.denHi, s.denLo))
	y := new(big.Int).Mul(big128(s.numHi, s.numLo), big128(r.denHi, r.denLo))
	return x.Cmp(y)
}

// floatSlack bounds the rounding error of a float distance (a few logs of
// numbers below 2^63 and their sums err by well under 1e-12): distances
// further apart than this are ordered by their floats on any machine, the
// rest by their exact ratios.
const floatSlack = 1e-9

// nearestPairs pairs each side with its n nearest.
//
// Each side's nearest are found in a nearIndex rather than by measuring
// it against every other side: 16,000 models measured 256 million
// distances, 1.2 s of a 15 s export, and the cost grew with the square of
// the catalogue. The result is the same (TestNearestPairsIsBruteForce).
func nearestPairs(sides []*Side, n int) *listedPairs {
	keys := make([]nearKey, len(sides))
	for i, s := range sides {
		keys[i] = keyOf(s)
	}
	return listPairs(nearestRows(keys, n))
}

// nearestRows is, for each side, its n nearest, nearest first.
func nearestRows(keys []nearKey, n int) [][]nearCand {
	out := make([][]nearCand, len(keys))
	if n <= 0 {
		return out
	}
	idx := newNearIndex(keys)
	best := make([]nearCand, 0, n+1)
	for i := range keys {
		best = idx.nearest(i, n, best[:0])
		out[i] = append([]nearCand{}, best...)
	}
	return out
}

// listPairs pairs each side with the nearest found for it, each pair once.
func listPairs(nearest [][]nearCand) *listedPairs {
	rows := make([][]int, len(nearest))
	for i, best := range nearest {
		for _, c := range best {
			a, b := min(i, c.j), max(i, c.j)
			rows[a] = append(rows[a], b)
		}
	}
	l := &listedPairs{rows: rows}
	for i := range rows {
		sort.Ints(rows[i])
		rows[i] = dedupe(rows[i])
		l.count += len(rows[i])
	}
	return l
}

// nearCand is a candidate neighbour: its index and distance.
type nearCand struct {
	j int
	d float64
}

// nearer reports whether candidate a is nearer to the side whose key is ki
// than b: by distance, exactly when the floats are close, then by id.
func nearer(a, b nearCand, keys []nearKey, ki *nearKey) bool {
	if a.d < b.d-floatSlack {
		return true
	}
	if b.d < a.d-floatSlack {
		return false
	}
	if c := ki.ratio(&keys[a.j]).cmp(ki.ratio(&keys[b.j])); c != 0 {
		return c < 0
	}
	return a.j < b.j // sides are in id order
}

// keepNearer puts candidate c in best, the n nearest so far (nearest
// first), when it is nearer than the last of them, and returns best.
func keepNearer(best []nearCand, n int, c nearCand, keys []nearKey, ki *nearKey) []nearCand {
	if len(best) == n && !nearer(c, best[n-1], keys, ki) {
		return best
	}
	k := len(best)
	if k == n {
		k--
	} else {
		best = append(best, c)
	}
	for k > 0 && nearer(c, best[k-1], keys, ki) {
		best[k] = best[k-1]
		k--
	}
	best[k] = c
	return best
}

// nearIndex holds the sides' keys by what they know: a class for each of
// known price and known size (bit 2: price, bit 1: size), each in id order
// and, for the terms its sides know, in order of price and of size.
// Against side i a class's sides differ in the terms both know, and in
// each term only one knows by lnMissing, the same for all of them: so a
// class is walked outward from i in the order of one term both know (its
// gap a lower bound on the distance) and left once that bound passes the
// n-th nearest found; a class that shares no known term with i is all at
// one distance with one ratio, and its first n by id are the nearest.
type nearIndex struct {
	keys                  []nearKey
	byID, byPrice, bySize [4][]int
}

func newNearIndex(keys []nearKey) *nearIndex {
	x := &nearIndex{keys: keys}
	for j := range keys {
		c := classOf(&keys[j])
		x.byID[c] = append(x.byID[c], j)
	}
	for c, ids := range x.byID {
		if c&2 != 0 {
			x.byPrice[c] = slices.Clone(ids)
			sort.SliceStable(x.byPrice[c], func(a, b int) bool { return keys[x.byPrice[c][a]].lnPrice < keys[x.byPrice[c][b]].lnPrice })
		}
		if c&1 != 0 {
			x.bySize[c] = slices.Clone(ids)
			sort.SliceStable(x.bySize[c], func(a, b int) bool { return keys[x.bySize[c][a]].lnSize < keys[x.bySize[c][b]].lnSize })
		}
	}
	return x
}

func classOf(k *nearKey) int {
	c := 0
	if k.hasPrice {
		c |= 2
	}
	if k.hasSize {
		c |= 1
	}
	return c
}

// nearest appends to best (empty) side i's n nearest, nearest first.
func (x *nearIndex) nearest(i, n int, best []nearCand) []nearCand {
	ki := &x.keys[i]
	add := func(j int) {
		if j != i {
			best = keepNearer(best, n, nearCand{j, ki.distance(&x.keys[j])}, x.keys, ki)
		}
	}
	// beyond reports whether every candidate at a distance of at least
	// lb is further than the n found (so, by closer, never nearer).
	beyond := func(lb float64) bool { return len(best) == n && lb > best[n-1].d+floatSlack }
	for c, ids := range x.byID {
		if len(ids) == 0 {
			continue
		}
		price, size := c&2 != 0, c&1 != 0
		fixed := 0.0 // the terms only one of the two knows
		if ki.hasPrice != price {
			fixed += lnMissing
		}
		if ki.hasSize != size {
			fixed += lnMissing
		}
		var list []int
		var at func(j int) float64 // list's order
		var from float64
		switch {
		case price && ki.hasPrice:
			list, at, from = x.byPrice[c], func(j int) float64 { return x.keys[j].lnPrice }, ki.lnPrice
		case size && ki.hasSize:
			list, at, from = x.bySize[c], func(j int) float64 { return x.keys[j].lnSize }, ki.lnSize
		default:
			if beyond(fixed) {
				continue
			}
			taken := 0
			for _, j := range ids {
				if j == i {
					continue
				}
				add(j)
				if taken++; taken == n {
					break
				}
			}
			continue
		}
		hi := sort.Search(len(list), func(k int) bool { return at(list[k]) >= from })
		lo := hi - 1
		for lo >= 0 || hi < len(list) {
			var j int
			var gap float64
			if hi >= len(list) || (lo >= 0 && from-at(list[lo]) <= at(list[hi])-from) {
				j, gap = list[lo], from-at(list[lo])
				lo--
			} else {
				j, gap = list[hi], at(list[hi])-from
				hi++
			}
			if beyond(gap + fixed) {
				break // the nearer of the two ways is beyond: so is the rest
			}
			add(j)
		}
	}
	return best
}

// String states the policy as a configuration would: "all", "nearest 10",
// "groups llama, frontier".
func (p PairPolicy) String() string {
	switch p.Kind() {
	case PairsNearest:
		return PairsNearest + " " + strconv.Itoa(p.Nearest)
	case PairsGroups:
		s := PairsGroups + " "
		for i, g := range p.Groups {
			if i > 0 {
				s += ", "
			}
			s += g.Name
		}
		return s
	}
	return PairsAll
}
