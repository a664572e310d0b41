package normalize

import (
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/llmref/llmref/catalog"
)

// pickPrice picks a price fact and flags it: a suspected unit slip when
// the price is implausible on its face, about 1000× (or 1e6×, 1e9×) off the
// same offering's previous price, or off another source's price for the
// same offering; a discrepancy when it is further than bound from a
// cross-check's price. It returns the winner's exact amount (nil unless
// fixed).
func pickPrice(cs []cand, prev catalog.Fact[catalog.Price], now time.Time, bound Percent) (catalog.Fact[catalog.Price], *big.Rat) {
	f := pick(cs, prev, now, eqPrice, eqPrice)
	if !f.Sourced() {
		return f, nil
	}
	w := cs[0] // ranked by pick
	// The winner's exact amount: rounded's, or its Money's, made only when
	// a check below needs it (a big.Rat for every price a run publishes was
	// 15 MB of garbage at 16,000 pages).
	moved := prev.Sourced() && prev.Value.Kind == catalog.PriceFixed && prev.Value.Amount != f.Value.Amount
	ex := w.exact
	if ex == nil && f.Value.Kind == catalog.PriceFixed && (moved || len(cs) > 1 || !plausibleMoney(f.Value.Amount)) {
		ex = moneyRat(f.Value.Amount)
	}
	if why := implausible(ex); why != "" {
		addFlag(&f, catalog.FlagUnitSlip, fmt.Sprintf("%s (%s)", why, w.obs.Source))
	}
	if moved && ex != nil {
		if p, ok := slip(moneyRat(prev.Value.Amount), ex); ok {
			addFlag(&f, catalog.FlagUnitSlip, fmt.Sprintf("%s per 1M is %s× the previous value %s per 1M (%s): suspected unit slip",
				usd(ex), ratioWord(moneyRat(prev.Value.Amount), ex, p), prev.Value.Amount.Text(), prev.Source.Name()))
		}
	}
	for i := range cs[1:] {
		c := &cs[1+i]
		cex := c.amount()
		if p, ok := slip(ex, cex); ok {
			addFlag(&f, catalog.FlagUnitSlip, fmt.Sprintf("%s says %s per 1M, %s says %s per 1M: %s apart, suspected unit slip",
				w.obs.Source, usd(ex), c.obs.Source, usd(cex), catalog.Thousands(p)+"×"))
			continue
		}
		if bound < 0 || c.obs.Authority != catalog.AuthorityCrossCheck || w.obs.Authority == catalog.AuthorityCrossCheck {
			continue
		}
		cp := c.val.(catalog.Price)
		switch {
		case ex != nil && cex != nil:
			if beyond(ex, cex, bound) {
				addFlag(&f, catalog.FlagDiscrepancy, fmt.Sprintf("%s (cross-check) has %s per 1M, %s from %s's %s (bound %s)",
					c.obs.Source, usd(cex), pctDiff(ex, cex), w.obs.Source, usd(ex), bound))
			}
		case f.Value.Kind == catalog.PriceFixed && cp.Kind == catalog.PriceFree:
			addFlag(&f, catalog.FlagDiscrepancy, fmt.Sprintf("%s (cross-check) says free; %s says %s per 1M", c.obs.Source, w.obs.Source, usd(ex)))
		case f.Value.Kind == catalog.PriceFree && cp.Kind == catalog.PriceFixed:
			addFlag(&f, catalog.FlagDiscrepancy, fmt.Sprintf("%s (cross-check) has %s per 1M; %s says free", c.obs.Source, usd(cex), w.obs.Source))
		}
	}
	return f, ex
}

// flagSiblingSlips flags prices about 1000× off the same field of another
// offering of the same model at the same provider (another region or
// variant): "the other sources' value for the same model+provider".
// rounded are the exact amounts of the prices whose Money was rounded, by
// offering key (see buildOffering); every other fixed price is its Money.
func flagSiblingSlips(s, prev *catalog.Snapshot, rounded map[string]map[catalog.Field]*big.Rat) {
	flagSlipsOf(s, prev, rounded, true)
}

// flagSlipsOf is flagSiblingSlips; passOver set, the groups whose prices
// cannot spread far enough for a slip (maySpread) are passed over before
// their exact amounts are made — which changes no flag.
func flagSlipsOf(s, prev *catalog.Snapshot, rounded map[string]map[catalog.Field]*big.Rat, passOver bool) {
	// steady reports whether an offering's price is within a slip of its
	// own previous value: when two siblings are 1000× apart and one of them
	// moved only a little from where it was, the slip is the other's.
	steady := func(key string, field catalog.Field, now *big.Rat) bool {
		po := prev.Offerings[key]
		if po == nil {
			return false
		}
		pf := priceFact(po, field)
		if pf == nil || !pf.Sourced() || pf.Value.Kind != catalog.PriceFixed {
			return false
		}
		_, isSlip := slip(moneyRat(pf.Value.Amount), now)
		return !isSlip
	}
	type group struct{ model, provider string }
	groups := map[group][]string{}
	for _, k := range s.OfferingKeys() {
		o := s.Offerings[k]
		g := group{o.ModelID, o.Provider}
		groups[g] = append(groups[g], k)
	}
	var spans []fieldSpan
	for _, keys := range groups {
		if len(keys) < 2 {
			continue
		}
		if spans = groupSpans(s, keys, spans[:0]); passOver && !maySpread(spans) {
			continue // most groups: no exact amounts needed
		}
		exacts := make(map[string]map[catalog.Field]*big.Rat, len(keys))
		for _, k := range keys {
			exacts[k] = fixedPrices(s.Offerings[k], rounded[k])
		}
		spread := mayHaveSlips(keys, exacts)
		if len(spread) == 0 {
			continue
		}
		for _, a := range keys {
			for _, b := range keys {
				if a == b {
					continue
				}
				for field, ea := range exacts[a] {
					if !spread[field] {
						continue
					}
					eb := exacts[b][field]
					p, ok := slip(ea, eb)
					if !ok || (steady(a, field, ea) && !steady(b, field, eb)) {
						continue
					}
					ob := s.Offerings[b]
					where := strings.Trim(ob.Region+" "+ob.Variant, " ")
					if where == "" {
						where = "the plain offering"
					}
					if fact := priceFact(s.Offerings[a], field); fact != nil {
						addFlag(fact, catalog.FlagUnitSlip, fmt.Sprintf("%s per 1M here, %s per 1M at %s %s: %s apart, suspected unit slip",
							usd(ea), usd(eb), ob.Provider, where, catalog.Thousands(p)+"×"))
					}
				}
			}
		}
	}
}

// fieldSpan bounds a group's fixed prices of one field from their Money
// amounts: lo no more than the least exact amount, hi no less than the
// greatest (a rounded price is within a micro-dollar of its Money).
type fieldSpan struct {
	field  catalog.Field
	lo, hi catalog.Money
}

// groupSpans appends to spans each price field's span over the offerings
// of keys (tiers included).
func groupSpans(s *catalog.Snapshot, keys []string, spans []fieldSpan) []fieldSpan {
	for _, k := range keys {
		eachFixedPrice(s.Offerings[k], func(field catalog.Field, f *catalog.Fact[catalog.Price]) {
			lo, hi := f.Value.Amount, f.Value.Amount
			if f.Value.Rounded {
				lo, hi = lo-1, hi+1
			}
			for i := range spans {
				if spans[i].field == field {
					spans[i].lo, spans[i].hi = min(spans[i].lo, lo), max(spans[i].hi, hi)
					return
				}
			}
			spans = append(spans, fieldSpan{field, lo, hi})
		})
	}
	return spans
}

// maySpread reports whether a field's prices may spread far enough for a
// unit slip (see mayHaveSlips) by their spans: when none may, the group's
// exact amounts need not be made.
func maySpread(spans []fieldSpan) bool {
	for _, sp := range spans {
		if sp.hi/slipSpreadMin >= sp.lo { // so too a span reaching zero
			return true
		}
	}
	return false
}

// slipSpreadMin is less than the least ratio of a unit slip (slipBounds),
// so that maySpread never passes over one.
const slipSpreadMin = 400

// fixedPrices is the exact amount of each fixed price of o, by field
// (tiers included): rounded's where the Money was rounded, the Money
// otherwise.
func fixedPrices(o *catalog.Offering, rounded map[catalog.Field]*big.Rat) map[catalog.Field]*big.Rat {
	out := map[catalog.Field]*big.Rat{}
	eachFixedPrice(o, func(field catalog.Field, f *catalog.Fact[catalog.Price]) {
		if ex := rounded[field]; ex != nil {
			out[field] = ex
			return
		}
		out[field] = moneyRat(f.Value.Amount)
	})
	return out
}

// eachFixedPrice calls fn with each sourced fixed price of o and its
// field, tiers included.
func eachFixedPrice(o *catalog.Offering, fn func(catalog.Field, *catalog.Fact[catalog.Price])) {
	add := func(field catalog.Field, f *catalog.Fact[catalog.Price]) {
		if f != nil && f.Sourced() && f.Value.Kind == catalog.PriceFixed {
			fn(field, f)
		}
	}
	for _, field := range priceFields {
		add(field, priceFact(o, field))
	}
	for _, t := range o.Tiers {
		for _, base := range tierPriceFields {
			field := catalog.TierField(t.AboveTokens, base)
			add(field, priceFact(o, field))
		}
	}
}

// priceFields are an offering's own price fields; tierPriceFields, a
// context-length tier's.
var (
	priceFields = []catalog.Field{catalog.FieldPriceInput, catalog.FieldPriceOutput, catalog.FieldPriceCachedInput,
		catalog.FieldPriceCacheWrite, catalog.FieldPriceBatchInput, catalog.FieldPriceBatchOutput}
	tierPriceFields = []catalog.Field{catalog.FieldPriceInput, catalog.FieldPriceOutput, catalog.FieldPriceCachedInput, catalog.FieldPriceCacheWrite}
)

// mayHaveSlips gives the price fields whose amounts, across one group of
// sibling offerings, spread far enough for a pair of them to be a unit slip
// apart (the largest at least 500× the smallest). Most groups have none,
// and their pairs need no comparing.
func mayHaveSlips(keys []string, exacts map[string]map[catalog.Field]*big.Rat) map[catalog.Field]bool {
	if len(keys) < 2 {
		return nil
	}
	lo, hi := map[catalog.Field]*big.Rat{}, map[catalog.Field]*big.Rat{}
	for _, k := range keys {
		for field, ex := range exacts[k] {
			if ex == nil || ex.Sign() <= 0 {
				continue
			}
			if l := lo[field]; l == nil || ex.Cmp(l) < 0 {
				lo[field] = ex
			}
			if h := hi[field]; h == nil || ex.Cmp(h) > 0 {
				hi[field] = ex
			}
		}
	}
	var out map[catalog.Field]bool
	for field, l := range lo {
		if new(big.Rat).Quo(hi[field], l).Cmp(slipBounds[0].lo) >= 0 {
			if out == nil {
				out = map[catalog.Field]bool{}
			}
			out[field] = true
		}
	}
	return out
}

// priceFact returns the offering's fact for a price field (tiers
// included), or nil.
func priceFact(o *catalog.Offering, field catalog.Field) *catalog.Fact[catalog.Price] {
	if above, base, ok := field.Tier(); ok {
		for i := range o.Tiers {
			if o.Tiers[i].AboveTokens == above {
				t := &o.Tiers[i]
				switch base {
				case catalog.FieldPriceInput:
					return &t.Input
				case catalog.FieldPriceOutput:
					return &t.Output
				case catalog.FieldPriceCachedInput:
					return &t.CachedInput
				case catalog.FieldPriceCacheWrite:
					return &t.CacheWrite
				}
			}
		}
		return nil
	}
	switch field {
	case catalog.FieldPriceInput:
		return &o.Input
	case catalog.FieldPriceOutput:
		return &o.Output
	case catalog.FieldPriceCachedInput:
		return &o.CachedInput
	case catalog.FieldPriceCacheWrite:
		return &o.CacheWrite
	case catalog.FieldPriceBatchInput:
		return &o.BatchInput
	case catalog.FieldPriceBatchOutput:
		return &o.BatchOutput
	}
	return nil
}

// addFlag adds a flag to a price fact once and keeps its flags sorted.
func addFlag(f *catalog.Fact[catalog.Price], kind, detail string) {
	fl := catalog.Flag{Kind: kind, Detail: detail}
	if slices.Contains(f.Flags(), fl) {
		return
	}
	flags := append(slices.Clone(f.Flags()), fl) // the fact's list is never edited: see catalog.Fact
	sort.Slice(flags, func(i, j int) bool {
		a, b := flags[i], flags[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Detail < b.Detail
	})
	f.SetFlags(flags)
}

// usd writes an exact amount as text output writes money (catalog's
// Money.Text: "$0.10", "$0.027", "$14.00"); an amount Money cannot hold
// (finer than a micro-dollar, or out of range) with every digit it has.
func usd(r *big.Rat) string {
	micros := new(big.Rat).Mul(r, big.NewRat(catalog.MicrosPerUSD, 1))
	if micros.IsInt() && micros.Num().IsInt64() {
		return catalog.Money(micros.Num().Int64()).Text()
	}
	return "$" + ratDecimal(r)
}

// ratioWord writes hi/lo of a slip pair as a whole number ("1,000"), or
// "1/1,000" when the new value is the smaller.
func ratioWord(old, now *big.Rat, p int64) string {
	if now.Cmp(old) < 0 {
		return "1/" + catalog.Thousands(p)
	}
	return catalog.Thousands(p)
}
