package normalize

import (
	"math/big"
	"slices"
	"sort"
	"time"

	"github.com/llmref/llmref/catalog"
)

// buildModel makes a model's facts, each picked from its candidates, and
// its aliases; prev is the model in the previous snapshot (nil when new).
// It returns prev itself when the model built is the same but for when its
// facts were last seen, with the built one's retrieval times: a nightly
// run then holds one catalogue, not the published one and a copy of most
// of it (see catalog.Model.SameButRetrieved). As buildOffering, it builds
// on the stack and copies to the heap only a model that is not prev. (The
// two say so each for its own type: a generic helper taking the pointer,
// with its methods through a constraint, moves the record to the heap.)
func buildModel(id string, acc *modelAcc, prev *catalog.Model, now time.Time) *catalog.Model {
	var m catalog.Model
	fillModel(&m, id, acc, prev, now)
	if prev != nil && m.SameButRetrieved(prev) {
		prev.AdoptRetrieved(&m)
		return prev
	}
	built := new(catalog.Model)
	*built = m
	return built
}

// fillModel makes the model of acc in m (see buildModel).
func fillModel(m *catalog.Model, id string, acc *modelAcc, prev *catalog.Model, now time.Time) {
	if prev == nil {
		prev = &catalog.Model{}
	}
	creator, _, _ := catalog.SplitID(id)
	*m = catalog.Model{ID: id, Creator: creator, Capabilities: map[catalog.Capability]catalog.Fact[bool]{}}
	f := func(field catalog.Field) []cand { return dropShadowedVariants(acc.fields[field]) }
	m.Name = pick(f(catalog.FieldName), prev.Name, now, eqComparable[string], eqComparable[string])
	m.Released = pickBy(f(catalog.FieldReleased), earliestDate, prev.Released, now, SameDate, eqDate)
	m.ContextWindow = pick(f(catalog.FieldContext), prev.ContextWindow, now, agreeTokens, eqTokens)
	m.MaxOutput = pick(f(catalog.FieldMaxOutput), prev.MaxOutput, now, agreeTokens, eqTokens)
	m.Parameters = pick(f(catalog.FieldParameters), prev.Parameters, now, agreeCount, eqCount)
	m.Architecture = pick(f(catalog.FieldArchitecture), prev.Architecture, now, eqComparable[string], eqComparable[string])
	m.Licence = pick(f(catalog.FieldLicence), prev.Licence, now, agreeLicence, eqLicence)
	m.KnowledgeCutoff = pick(f(catalog.FieldKnowledgeCutoff), prev.KnowledgeCutoff, now, SameDate, eqDate)
	m.InputModalities = pick(f(catalog.FieldInputModalities), prev.InputModalities, now, eqList, eqList)
	m.OutputModality = pick(f(catalog.FieldOutputModalities), prev.OutputModality, now, eqList, eqList)
	for _, c := range catalog.Capabilities {
		m.Capabilities[c] = pick(acc.caps[c], prev.Capabilities[c], now, eqComparable[bool], eqComparable[bool])
	}
	m.Benchmarks = buildBenchmarks(acc, prev.Benchmarks, now)
	for a := range acc.aliases {
		m.Aliases = append(m.Aliases, a)
	}
	sort.Slice(m.Aliases, func(i, j int) bool {
		if m.Aliases[i].Source != m.Aliases[j].Source {
			return m.Aliases[i].Source < m.Aliases[j].Source
		}
		return m.Aliases[i].ID < m.Aliases[j].ID
	})
}

// buildOffering makes an offering's facts, flags its prices, and returns
// the offering (prev itself when the one built is the same but for
// retrieval times: see buildModel) and the exact amounts of the winning prices
// that their Money rounded (nil when none was: the others are their Money
// exactly), for the checks across offerings (flagSiblingSlips). Keeping
// every price's amount, a big.Rat in a map per offering, held 21 MB to
// the end of an 8,000-page build. The offering is built on the stack and
// copied to the heap only when it is not prev's: a night's offerings are
// mostly the published ones, and each built to be dropped was 896 bytes
// of garbage (56 MB at 16,000 pages).
func buildOffering(acc *offerAcc, prev *catalog.Offering, now time.Time, bound Percent) (*catalog.Offering, map[catalog.Field]*big.Rat) {
	var o catalog.Offering
	rounded := fillOffering(&o, acc, prev, now, bound)
	if prev != nil && o.SameButRetrieved(prev) {
		prev.AdoptRetrieved(&o)
		return prev, rounded
	}
	built := new(catalog.Offering)
	*built = o
	return built, rounded
}

// fillOffering makes the offering of acc in o (see buildOffering).
func fillOffering(o *catalog.Offering, acc *offerAcc, prev *catalog.Offering, now time.Time, bound Percent) map[catalog.Field]*big.Rat {
	if prev == nil {
		prev = &catalog.Offering{}
	}
	*o = catalog.Offering{ModelID: acc.model, Provider: acc.provider, Region: acc.region, Variant: acc.variant}
	o.ProviderModelID = acc.providerID
	var rounded map[catalog.Field]*big.Rat
	price := func(field catalog.Field, prevFact catalog.Fact[catalog.Price]) catalog.Fact[catalog.Price] {
		f, ex := pickPrice(acc.fields[field], prevFact, now, bound)
		if ex != nil && f.Value.Rounded { // the winner's own price: Rounded is "its Money is not ex" (see priceExact)
			if rounded == nil {
				rounded = map[catalog.Field]*big.Rat{}
			}
			rounded[field] = ex
		}
		return f
	}
	o.Input = price(catalog.FieldPriceInput, prev.Input)
	o.Output = price(catalog.FieldPriceOutput, prev.Output)
	o.CachedInput = price(catalog.FieldPriceCachedInput, prev.CachedInput)
	o.CacheWrite = price(catalog.FieldPriceCacheWrite, prev.CacheWrite)
	o.BatchInput = price(catalog.FieldPriceBatchInput, prev.BatchInput)
	o.BatchOutput = price(catalog.FieldPriceBatchOutput, prev.BatchOutput)
	o.Context = pick(acc.fields[catalog.FieldOfferingContext], prev.Context, now, agreeTokens, eqTokens)
	o.MaxOutput = pick(acc.fields[catalog.FieldOfferingMaxOutput], prev.MaxOutput, now, agreeTokens, eqTokens)

	// Context-length tiers, lowest threshold first.
	var thresholds []int64
	for field := range acc.fields {
		if above, _, ok := field.Tier(); ok && !slices.Contains(thresholds, above) {
			thresholds = append(thresholds, above)
		}
	}
	slices.Sort(thresholds)
	for _, above := range thresholds {
		var pt catalog.PriceTier
		for _, t := range prev.Tiers {
			if t.AboveTokens == above {
				pt = t
			}
		}
		t := catalog.PriceTier{AboveTokens: above}
		t.Input = price(catalog.TierField(above, catalog.FieldPriceInput), pt.Input)
		t.Output = price(catalog.TierField(above, catalog.FieldPriceOutput), pt.Output)
		t.CachedInput = price(catalog.TierField(above, catalog.FieldPriceCachedInput), pt.CachedInput)
		t.CacheWrite = price(catalog.TierField(above, catalog.FieldPriceCacheWrite), pt.CacheWrite)
		o.Tiers = append(o.Tiers, t)
	}
	return rounded
}
