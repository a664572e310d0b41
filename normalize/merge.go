package normalize

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/llmref/llmref/catalog"
)

// Input is everything one normalisation needs.
type Input struct {
	// Pages are the current records of every source's pages, stale ones
	// included: their observations still count, marked stale.
	Pages []catalog.Page
	// Previous is the last published snapshot; facts whose value did not
	// change keep its changed_at and reviewed_at. Nil for a first run.
	Previous *catalog.Snapshot
	// Resolver maps source ids to canonical ids.
	Resolver *Resolver
	// Now stamps changed_at on values that changed.
	Now time.Time
}

// Result is a normalised snapshot and what could not be read.
type Result struct {
	Snapshot *catalog.Snapshot
	// Warnings name observations whose values could not be read; they
	// were left out, and the source is named.
	Warnings []string
}

// cand is one candidate value for one fact.
type cand struct {
	obs     catalog.Observation
	stale   bool
	val     any
	display string
}

type modelAcc struct {
	fields  map[catalog.Field][]cand
	caps    map[catalog.Capability][]cand
	aliases map[catalog.Alias]bool
	defined bool // some source above cross-check speaks of it
}

type offerAcc struct {
	model, provider, region, variant string
	providerIDs                      map[string]bool
	fields                           map[catalog.Field][]cand
	defined                          bool
}

// Normalize merges every page's observations into one snapshot.
func Normalize(in Input) Result {
	res := Result{Snapshot: catalog.NewSnapshot()}
	if in.Resolver == nil {
		in.Resolver, _ = NewResolver(nil)
	}
	models := map[string]*modelAcc{}
	offers := map[string]*offerAcc{}
	unmatched := map[string]catalog.Unmatched{}
	warned := map[string]bool{}
	warn := func(o catalog.Observation, err error) {
		msg := fmt.Sprintf("%s %s %s: %v", o.Source, o.Subject, o.Field, err)
		if !warned[msg] {
			warned[msg] = true
			res.Warnings = append(res.Warnings, msg)
		}
	}
	// Capability claims are combined per model and source first: a source
	// that says yes anywhere (one tool among several) says yes.
	type capKey struct {
		model, source string
		cap           catalog.Capability
	}
	capClaims := map[capKey]cand{}

	for _, p := range in.Pages {
		for _, o := range p.Observations {
			rid, err := in.Resolver.Resolve(o.Source, o.Subject)
			if err != nil {
				if errors.Is(err, ErrUnmatched) {
					key := o.Source + "\x00" + o.Subject
					if _, ok := unmatched[key]; !ok {
						unmatched[key] = catalog.Unmatched{Source: o.Source, ID: o.Subject, Name: o.SubjectName,
							Provider: o.Provider, Reason: strings.TrimSuffix(err.Error(), ": "+ErrUnmatched.Error()), URL: o.URL}
					}
				} else {
					warn(o, err)
				}
				continue
			}
			m := models[rid.ID]
			if m == nil {
				m = &modelAcc{fields: map[catalog.Field][]cand{}, caps: map[catalog.Capability][]cand{}, aliases: map[catalog.Alias]bool{}}
				models[rid.ID] = m
			}
			if o.Authority > catalog.AuthorityCrossCheck {
				m.defined = true
			}
			m.aliases[catalog.Alias{Source: o.Source, ID: o.Subject}] = true
			if o.Provider != "" {
				region := o.Region
				variant := o.Variant
				if variant == "" {
					variant = rid.Variant
				}
				key := catalog.OfferingKey(rid.ID, o.Provider, region, variant)
				a := offers[key]
				if a == nil {
					a = &offerAcc{model: rid.ID, provider: o.Provider, region: region, variant: variant,
						providerIDs: map[string]bool{}, fields: map[catalog.Field][]cand{}}
					offers[key] = a
				}
				if o.Authority > catalog.AuthorityCrossCheck {
					a.defined = true
				}
				if o.Field == catalog.FieldListed {
					a.providerIDs[o.Value] = true
					continue
				}
				a.providerIDs[o.Subject] = true
				c, err := parseOffering(o)
				if err != nil {
					warn(o, err)
					continue
				}
				c.stale = p.Stale
				a.fields[o.Field] = append(a.fields[o.Field], c)
				continue
			}
			for _, cl := range Claims(o) {
				{
					k := capKey{rid.ID, o.Source, cl.Cap}
					prev, seen := capClaims[k]
					if seen && (prev.val.(bool) || !cl.Yes) {
						continue
					}
					co := o
					co.Value = cl.Raw
					capClaims[k] = cand{obs: co, stale: p.Stale, val: cl.Yes, display: yesNo(cl.Yes)}
				}
			}
			if _, feature := o.Field.Feature(); feature || o.Field == catalog.FieldSupportedParameters {
				continue // read for capabilities only
			}
			c, err := parseModelField(o)
			if err != nil {
				warn(o, err)
				continue
			}
			c.stale = p.Stale
			m.fields[o.Field] = append(m.fields[o.Field], c)
		}
	}
	for k, c := range capClaims {
		models[k.model].caps[k.cap] = append(models[k.model].caps[k.cap], c)
	}

	prev := in.Previous
	if prev == nil {
		prev = catalog.NewSnapshot()
	}
	for id, acc := range models {
		if !acc.defined {
			continue // cross-checks alone never make a model
		}
		res.Snapshot.Models[id] = buildModel(id, acc, prev.Models[id], in.Now)
	}
	for key, acc := range offers {
		if !acc.defined || res.Snapshot.Models[acc.model] == nil {
			continue
		}
		res.Snapshot.Offerings[key] = buildOffering(acc, prev.Offerings[key], in.Now)
	}
	for _, u := range unmatched {
		res.Snapshot.Unmatched = append(res.Snapshot.Unmatched, u)
	}
	sort.Slice(res.Snapshot.Unmatched, func(i, j int) bool {
		a, b := res.Snapshot.Unmatched[i], res.Snapshot.Unmatched[j]
		return a.Source+"\x00"+a.ID < b.Source+"\x00"+b.ID
	})
	sort.Strings(res.Warnings)
	return res
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func parseModelField(o catalog.Observation) (cand, error) {
	c := cand{obs: o}
	var err error
	switch o.Field {
	case catalog.FieldName:
		n := CleanName(o.Value)
		if n == "" {
			return c, fmt.Errorf("empty name: %w", ErrValue)
		}
		c.val, c.display = n, n
	case catalog.FieldReleased, catalog.FieldKnowledgeCutoff:
		var d catalog.Date
		d, err = Date(o.Value)
		c.val, c.display = d, d.String()
	case catalog.FieldContext, catalog.FieldMaxOutput:
		var t catalog.Tokens
		t, err = Tokens(o.Value)
		c.val, c.display = t, t.String()
	case catalog.FieldParameters:
		var n catalog.Count
		n, err = Parameters(o.Value)
		c.val, c.display = n, n.String()
	case catalog.FieldArchitecture:
		var a string
		a, err = Architecture(o.Value)
		c.val, c.display = a, a
	case catalog.FieldLicence:
		var l catalog.Licence
		l, err = Licence(o.Value)
		c.val, c.display = l, l.String()
	case catalog.FieldInputModalities, catalog.FieldOutputModalities:
		mods := Modalities(o.Value)
		if len(mods) == 0 {
			return c, fmt.Errorf("no modalities: %w", ErrValue)
		}
		c.val, c.display = mods, strings.Join(mods, ", ")
	default:
		return c, fmt.Errorf("unknown model field %q: %w", o.Field, ErrValue)
	}
	return c, err
}

func parseOffering(o catalog.Observation) (cand, error) {
	c := cand{obs: o}
	switch {
	case o.Field.IsPrice():
		p, err := Price(o.Value, o.Unit)
		if err != nil {
			return c, err
		}
		c.val, c.display = p, p.String()
	case o.Field == catalog.FieldOfferingContext || o.Field == catalog.FieldOfferingMaxOutput:
		t, err := Tokens(o.Value)
		if err != nil {
			return c, err
		}
		c.val, c.display = t, t.String()
	default:
		return c, fmt.Errorf("unknown offering field %q: %w", o.Field, ErrValue)
	}
	return c, nil
}

// rank orders candidates: highest authority first, fresh before stale, then
// by source name and URL so the choice never depends on map order.
func rank(cs []cand) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.obs.Authority != b.obs.Authority {
			return a.obs.Authority > b.obs.Authority
		}
		if a.stale != b.stale {
			return !a.stale
		}
		if a.obs.Source != b.obs.Source {
			return a.obs.Source < b.obs.Source
		}
		if a.obs.URL != b.obs.URL {
			return a.obs.URL < b.obs.URL
		}
		return a.display < b.display
	})
}

// pick chooses the winning candidate and keeps every disagreeing one as a
// conflict. agree tells values that say the same (2023-12 and 2023-12-31);
// equal tells values that are the same, for changed_at.
func pick[T any](cs []cand, prev catalog.Fact[T], now time.Time, agree, equal func(a, b T) bool) catalog.Fact[T] {
	if len(cs) == 0 {
		return catalog.Fact[T]{}
	}
	rank(cs)
	w := cs[0]
	v := w.val.(T)
	f := catalog.Fact[T]{
		Value: v, Display: w.display, Raw: w.obs.Value, Source: w.obs.Ref(),
		RetrievedAt: w.obs.RetrievedAt, ChangedAt: now, Stale: w.stale,
	}
	if prev.Sourced() && equal(prev.Value, v) {
		f.ChangedAt, f.ReviewedAt = prev.ChangedAt, prev.ReviewedAt
	}
	seen := map[string]bool{}
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
		f.Conflicts = append(f.Conflicts, catalog.Conflict{Display: c.display, Raw: c.obs.Value, Source: c.obs.Ref(), RetrievedAt: c.obs.RetrievedAt})
	}
	return f
}

func eqComparable[T comparable](a, b T) bool { return a == b }
func eqTokens(a, b catalog.Tokens) bool      { return a.N == b.N }
func eqCount(a, b catalog.Count) bool        { return a.N == b.N }
func eqDate(a, b catalog.Date) bool          { return a == b }
func eqPrice(a, b catalog.Price) bool        { return a.Equal(b) }
func eqList(a, b []string) bool              { return slices.Equal(a, b) }
func eqLicence(a, b catalog.Licence) bool    { return a == b }

// agreeTokens treats 128K written as 128,000 and as 131,072 as one value.
func agreeTokens(a, b catalog.Tokens) bool {
	if a.N == b.N {
		return true
	}
	lo, hi := min(a.N, b.N), max(a.N, b.N)
	return hi*1000 == lo*1024 && lo%1000 == 0
}

// agreeCount treats counts within half a percent as one value (a card's
// 1.23B and an API's 1,235,814,400).
func agreeCount(a, b catalog.Count) bool {
	lo, hi := min(a.N, b.N), max(a.N, b.N)
	return (hi-lo)*200 <= hi
}

func agreeLicence(a, b catalog.Licence) bool {
	return a.Class == b.Class && strings.EqualFold(a.Name, b.Name)
}

func buildModel(id string, acc *modelAcc, prev *catalog.Model, now time.Time) *catalog.Model {
	if prev == nil {
		prev = &catalog.Model{}
	}
	creator, _, _ := catalog.SplitID(id)
	m := &catalog.Model{ID: id, Creator: creator, Capabilities: map[catalog.Capability]catalog.Fact[bool]{}}
	f := acc.fields
	m.Name = pick(f[catalog.FieldName], prev.Name, now, eqComparable[string], eqComparable[string])
	m.Released = pick(f[catalog.FieldReleased], prev.Released, now, SameDate, eqDate)
	m.ContextWindow = pick(f[catalog.FieldContext], prev.ContextWindow, now, agreeTokens, eqTokens)
	m.MaxOutput = pick(f[catalog.FieldMaxOutput], prev.MaxOutput, now, agreeTokens, eqTokens)
	m.Parameters = pick(f[catalog.FieldParameters], prev.Parameters, now, agreeCount, eqCount)
	m.Architecture = pick(f[catalog.FieldArchitecture], prev.Architecture, now, eqComparable[string], eqComparable[string])
	m.Licence = pick(f[catalog.FieldLicence], prev.Licence, now, agreeLicence, eqLicence)
	m.KnowledgeCutoff = pick(f[catalog.FieldKnowledgeCutoff], prev.KnowledgeCutoff, now, SameDate, eqDate)
	m.InputModalities = pick(f[catalog.FieldInputModalities], prev.InputModalities, now, eqList, eqList)
	m.OutputModality = pick(f[catalog.FieldOutputModalities], prev.OutputModality, now, eqList, eqList)
	for _, c := range catalog.Capabilities {
		m.Capabilities[c] = pick(acc.caps[c], prev.Capabilities[c], now, eqComparable[bool], eqComparable[bool])
	}
	for a := range acc.aliases {
		m.Aliases = append(m.Aliases, a)
	}
	sort.Slice(m.Aliases, func(i, j int) bool {
		if m.Aliases[i].Source != m.Aliases[j].Source {
			return m.Aliases[i].Source < m.Aliases[j].Source
		}
		return m.Aliases[i].ID < m.Aliases[j].ID
	})
	return m
}

func buildOffering(acc *offerAcc, prev *catalog.Offering, now time.Time) *catalog.Offering {
	if prev == nil {
		prev = &catalog.Offering{}
	}
	o := &catalog.Offering{ModelID: acc.model, Provider: acc.provider, Region: acc.region, Variant: acc.variant}
	ids := make([]string, 0, len(acc.providerIDs))
	for id := range acc.providerIDs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if len(ids) > 0 {
		o.ProviderModelID = ids[0]
	}
	f := acc.fields
	o.Input = pick(f[catalog.FieldPriceInput], prev.Input, now, eqPrice, eqPrice)
	o.Output = pick(f[catalog.FieldPriceOutput], prev.Output, now, eqPrice, eqPrice)
	o.CachedInput = pick(f[catalog.FieldPriceCachedInput], prev.CachedInput, now, eqPrice, eqPrice)
	o.CacheWrite = pick(f[catalog.FieldPriceCacheWrite], prev.CacheWrite, now, eqPrice, eqPrice)
	o.BatchInput = pick(f[catalog.FieldPriceBatchInput], prev.BatchInput, now, eqPrice, eqPrice)
	o.BatchOutput = pick(f[catalog.FieldPriceBatchOutput], prev.BatchOutput, now, eqPrice, eqPrice)
	o.Context = pick(f[catalog.FieldOfferingContext], prev.Context, now, agreeTokens, eqTokens)
	o.MaxOutput = pick(f[catalog.FieldOfferingMaxOutput], prev.MaxOutput, now, agreeTokens, eqTokens)
	return o
}
