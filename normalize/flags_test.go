package normalize

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/llmref/llmref/catalog"
)

// TestMaySpreadChangesNoFlag: flagging sibling slips with the groups whose
// Money amounts cannot spread 500× passed over (maySpread) flags exactly
// what comparing every group's exact amounts does — on groups of prices
// near every slip's bounds, rounded ones and ones of under a micro-dollar
// among them.
func TestMaySpreadChangesNoFlag(t *testing.T) {
	if slipSpreadMin*slipBounds[0].lo.Denom().Int64() >= slipBounds[0].lo.Num().Int64() {
		t.Fatalf("slipSpreadMin %d is not under the least slip ratio %s", slipSpreadMin, slipBounds[0].lo)
	}
	factors := []float64{1, 1.3, 2, 399, 400, 499.9, 500, 500.1, 1000, 1999, 2000, 2001, 1e6, 1e9}
	build := func(seed uint64) (*catalog.Snapshot, map[string]map[catalog.Field]*big.Rat) {
		rng := rand.New(rand.NewPCG(seed, 7))
		snap := &catalog.Snapshot{Offerings: map[string]*catalog.Offering{}}
		rounded := map[string]map[catalog.Field]*big.Rat{}
		src := catalog.SourceOf(catalog.SourceRef{Name: "p", URL: "https://p.example/"})
		for g := range 300 {
			model := fmt.Sprintf("m/%03d", g)
			base := 1 + rng.Float64()*float64(rng.IntN(1_000_000)+1)
			for v := range 2 + rng.IntN(3) {
				o := &catalog.Offering{ModelID: model, Provider: "p", Region: fmt.Sprintf("r%d", v)}
				key := o.Key()
				for _, field := range []catalog.Field{catalog.FieldPriceInput, catalog.FieldPriceOutput} {
					exact := base * factors[rng.IntN(len(factors))]
					if rng.IntN(4) == 0 {
						exact = rng.Float64() // under a micro-dollar
					}
					ex := new(big.Rat).SetFloat64(exact / catalog.MicrosPerUSD)
					amount := catalog.Money(exact + 0.5)
					fact := catalog.Fact[catalog.Price]{Value: catalog.Price{Kind: catalog.PriceFixed, Amount: amount}, Source: src}
					if float64(amount) != exact {
						fact.Value.Rounded = true
						if rounded[key] == nil {
							rounded[key] = map[catalog.Field]*big.Rat{}
						}
						rounded[key][field] = ex
					}
					if field == catalog.FieldPriceInput {
						o.Input = fact
					} else {
						o.Output = fact
					}
				}
				snap.Offerings[key] = o
			}
		}
		return snap, rounded
	}
	flags := func(s *catalog.Snapshot) map[string][]catalog.Flag {
		out := map[string][]catalog.Flag{}
		n := 0
		for k, o := range s.Offerings {
			out[k+" input"], out[k+" output"] = o.Input.Flags(), o.Output.Flags()
			n += len(o.Input.Flags()) + len(o.Output.Flags())
		}
		if n == 0 {
			t.Fatal("no slip flagged: the test says nothing")
		}
		return out
	}
	for seed := range uint64(5) {
		fast, rounded := build(seed)
		flagSiblingSlips(fast, &catalog.Snapshot{}, rounded)
		slow, rounded := build(seed)
		flagSlipsOf(slow, &catalog.Snapshot{}, rounded, false)
		if got, want := flags(fast), flags(slow); !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: flags differ with the groups passed over", seed)
		}
	}
}
