package normalize

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/llmref/llmref/catalog"
)

// rank orders candidates: highest authority first, fresh before stale, a
// plain subject before a variant's, then prefer (a field's own rule, such
// as the earliest release date), then the most recently retrieved, then by
// source name, URL and display so the choice never depends on map order.
func rank(cs []cand, prefer func(a, b cand) int) {
	if len(cs) < 2 { // most fields: one candidate (sort.SliceStable allocated for each)
		return
	}
	slices.SortStableFunc(cs, func(a, b cand) int {
		if a.obs.Authority != b.obs.Authority {
			return -cmp.Compare(a.obs.Authority, b.obs.Authority)
		}
		if a.stale != b.stale {
			return boolFirst(!a.stale)
		}
		if a.variant != b.variant {
			return boolFirst(!a.variant)
		}
		if prefer != nil {
			if p := prefer(a, b); p != 0 {
				return p
			}
		}
		if !a.obs.RetrievedAt.Equal(b.obs.RetrievedAt) {
			return -a.obs.RetrievedAt.Compare(b.obs.RetrievedAt)
		}
		if c := cmp.Compare(a.obs.Source, b.obs.Source); c != 0 {
			return c
		}
		if c := cmp.Compare(a.obs.URL, b.obs.URL); c != 0 {
			return c
		}
		if c := cmp.Compare(a.display, b.display); c != 0 {
			return c
		}
		return cmp.Compare(a.obs.Value, b.obs.Value)
	})
}

// boolFirst is the order of two candidates that differ in one test: the
// one passing it (first) comes before the other.
func boolFirst(first bool) int {
	if first {
		return -1
	}
	return 1
}

// earliestDate prefers the earlier of two dates: among sources of equal
// authority a release date is the first release, and a later date a card
// gives is an update (Llama 3.2's card moved from "Sept 25, 2024" to the
// quantized models' "Oct 24, 2024").
func earliestDate(a, b cand) int {
	x, y := a.val.(catalog.Date), b.val.(catalog.Date)
	if SameDate(x, y) {
		return 0
	}
	if x.String() < y.String() {
		return -1
	}
	return 1
}

// dropShadowedVariants removes, per source, the candidates of variant
// subjects ("…:free") when the same source also gave the plain subject's
// value: the variant's model facts describe one endpoint, not the model.
func dropShadowedVariants(cs []cand) []cand {
	if !slices.ContainsFunc(cs, func(c cand) bool { return c.variant }) {
		return cs // most fields: no variant subject, nothing to drop
	}
	plain := map[string]bool{}
	for _, c := range cs {
		if !c.variant {
			plain[c.obs.Source] = true
		}
	}
	out := cs[:0:0]
	for _, c := range cs {
		if c.variant && plain[c.obs.Source] {
			continue
		}
		out = append(out, c)
	}
	return out
}

// pick chooses the winning candidate and keeps every disagreeing one as a
// conflict. agree tells values that say the same (2023-12 and 2023-12-31);
// equal tells values that are the same, for changed_at.
func pick[T any](cs []cand, prev catalog.Fact[T], now time.Time, agree, equal func(a, b T) bool) catalog.Fact[T] {
	return pickBy(cs, nil, prev, now, agree, equal)
}

// pickBy is pick with a field's own preference among candidates of equal
// authority and freshness.
func pickBy[T any](cs []cand, prefer func(a, b cand) int, prev catalog.Fact[T], now time.Time, agree, equal func(a, b T) bool) catalog.Fact[T] {
	if len(cs) == 0 {
		return catalog.Fact[T]{}
	}
	rank(cs, prefer)
	w := cs[0]
	v := w.val.(T)
	f := catalog.Fact[T]{
		Value: v, Display: w.display, Raw: w.obs.Value, Source: w.obs.source,
		RetrievedAt: catalog.StampOf(w.obs.RetrievedAt), ChangedAt: catalog.StampOf(now), Stale: w.stale,
	}
	if prev.Sourced() && equal(prev.Value, v) {
		f.ChangedAt, f.ReviewedAt = prev.ChangedAt, prev.ReviewedAt
	}
	seen := map[string]bool{}
	var conflicts []catalog.Conflict
	for _, c := range cs[1:] {
		cv := c.val.(T)
		if agree(v, cv) {
			continue
		}
		k := c.obs.Source + "\x00" + c.display
		if seen[k] {
			continue
		}
		seen[k] = true
		conflicts = append(conflicts, catalog.Conflict{Display: c.display, Raw: c.obs.Value, Source: c.obs.Ref(), RetrievedAt: c.obs.RetrievedAt})
	}
	f.SetConflicts(conflicts)
	return f
}

func eqComparable[T comparable](a, b T) bool { return a == b }
func eqTokens(a, b catalog.Tokens) bool      { return a.N == b.N }
func eqCount(a, b catalog.Count) bool        { return a.N == b.N }
func eqDate(a, b catalog.Date) bool          { return a == b }
func eqPrice(a, b catalog.Price) bool        { return a.Equal(b) }
func eqList(a, b []string) bool              { return slices.Equal(a, b) }
func eqLicence(a, b catalog.Licence) bool    { return a == b }

// agreeTokens treats one count written in decimal and binary units as one
// value: 128K as 128,000 and 131,072; 1M as 1,000,000 and 1,048,576.
func agreeTokens(a, b catalog.Tokens) bool {
	if a.N == b.N {
		return true
	}
	lo, hi := min(a.N, b.N), max(a.N, b.N)
	return hi*1000 == lo*1024 && lo%1000 == 0 || lo%1_000_000 == 0 && hi/1_048_576 == lo/1_000_000 && hi%1_048_576 == 0
}

// agreeCount treats counts within half a percent as one value (a card's
// 1.23B and an API's 1,235,814,400).
func agreeCount(a, b catalog.Count) bool {
	lo, hi := min(a.N, b.N), max(a.N, b.N)
	return (hi-lo)*200 <= hi
}

// agreeLicence treats licences of one class and name as one. A licence
// without a name (models.dev's `open_weights = true`) says only that the
// weights are public, so it agrees with any open licence.
func agreeLicence(a, b catalog.Licence) bool {
	if a.Name == "" || b.Name == "" {
		return (a.Class == catalog.Proprietary) == (b.Class == catalog.Proprietary)
	}
	return a.Class == b.Class && strings.EqualFold(a.Name, b.Name)
}
