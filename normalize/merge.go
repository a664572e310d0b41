package normalize

import (
	"errors"
	"fmt"
	"math/big"
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
	// change keep its changed_at and reviewed_at, and a price about 1000×
	// off its previous value is flagged. Nil for a first run.
	Previous *catalog.Snapshot
	// Settings are the operator's alias table and discrepancy bound; the
	// zero Settings are the defaults.
	Settings Settings
	// Now stamps changed_at on values that changed.
	Now time.Time
}

// Result is a normalised snapshot and what could not be read.
type Result struct {
	Snapshot *catalog.Snapshot
	// Warnings name observations whose values could not be read; they
	// were left out, and the source is named.
	Warnings []string
	// Untracked counts, per cross-check source, the distinct ids that
	// resolve to no tracked model. A cross-check's map covers far more
	// models than the catalogue tracks (LiteLLM's, some 500 of them):
	// those ids are counted here, not listed as unmatched.
	Untracked map[string]int
}

// cand is one candidate value for one fact.
type cand struct {
	obs   catalog.Observation
	stale bool
	// variant is set when the observation's subject named a variant of
	// an offering (":free"): its model facts yield to the same source's
	// plain subject.
	variant bool
	val     any
	display string
	// exact is a fixed price's amount in USD per 1M tokens before
	// rounding; nil for anything else.
	exact *big.Rat
}

type modelAcc struct {
	fields  map[catalog.Field][]cand
	caps    map[catalog.Capability][]cand
	aliases map[catalog.Alias]bool
	// defined is set when a source at creator or aggregator authority
	// speaks of the model: only then does it exist.
	defined bool
	// subjects are the source ids that named the model, reported as
	// unmatched if it never becomes defined.
	subjects map[string]catalog.Unmatched
	// xcSubjects are the cross-check ids that named the model, counted
	// (not reported) when no source defines it.
	xcSubjects map[catalog.Alias]bool
}

// offerAt names one offering: its model, provider, region and variant.
type offerAt struct {
	model, provider, region, variant string
}

type offerAcc struct {
	offerAt
	providerIDs map[string]bool
	fields      map[catalog.Field][]cand
}

// xcOffer is a cross-check's value for an offering: it attaches to the
// offerings other sources define, never making one.
type xcOffer struct {
	offerAt
	field catalog.Field
	c     cand
}

// defines reports whether an observation makes its model exist: the model
// existence rule is that a model exists only when a source at creator or
// aggregator authority speaks of it. Provider pages and cross-checks attach
// to models that exist.
func defines(o catalog.Observation) bool {
	return o.Authority == catalog.AuthorityCreator || o.Authority == catalog.AuthorityAggregator
}

// isOfferingField reports whether a field describes an offering (a price,
// a tier price, a listing, an offering's context) rather than the model.
func isOfferingField(f catalog.Field) bool {
	if f.IsPrice() || f == catalog.FieldListed || f == catalog.FieldOfferingContext || f == catalog.FieldOfferingMaxOutput {
		return true
	}
	_, _, ok := f.Tier()
	return ok
}

// Normalize merges every page's observations into one snapshot. It is pure
// and deterministic: the same input gives the same snapshot, whatever the
// order of maps.
func Normalize(in Input) Result {
	m := newMerger(in.Settings)
	for _, p := range in.Pages {
		for _, o := range p.Observations {
			m.add(o, p.Stale)
		}
	}
	return m.build(in.Previous, in.Now)
}

// merger accumulates one normalisation. Each observation whose subject
// resolves goes to the method for its kind of input: an offering's value
// (addOffering), a cross-check's value for an offering (addCrossCheck), a
// capability claim (addClaims) or a model field (addModelField). build then
// makes the snapshot.
type merger struct {
	resolver *Resolver
	bound    Percent
	// resolved holds each (source, id)'s resolution: a page repeats its
	// subjects in every observation.
	resolved map[[2]string]resolution
	models   map[string]*modelAcc
	offers   map[string]*offerAcc
	xcs      []xcOffer
	claims   map[claimKey]cand
	// unmatched is keyed by source and id; untracked holds the
	// cross-checks' (source, id)s of no tracked model.
	unmatched map[string]catalog.Unmatched
	untracked map[[2]string]bool
	warned    map[string]bool
	warnings  []string
}

type resolution struct {
	rid Resolved
	err error
}

// claimKey is what capability claims are combined by: per model, source
// and capability, a variant subject's apart from the plain subject's.
type claimKey struct {
	model, source string
	cap           catalog.Capability
	variant       bool
}

// newMerger starts a normalisation under an operator's settings.
func newMerger(s Settings) *merger {
	return &merger{resolver: s.Resolver(), bound: s.Discrepancy(), resolved: map[[2]string]resolution{},
		models: map[string]*modelAcc{}, offers: map[string]*offerAcc{}, claims: map[claimKey]cand{},
		unmatched: map[string]catalog.Unmatched{}, untracked: map[[2]string]bool{}, warned: map[string]bool{}}
}

// add files one observation of a page (stale or not) by its kind.
func (m *merger) add(o catalog.Observation, stale bool) {
	rid, ok := m.resolve(o)
	if !ok {
		return
	}
	acc := m.model(o, rid)
	switch {
	case o.Provider != "" && isOfferingField(o.Field) && o.Authority <= catalog.AuthorityCrossCheck:
		m.addCrossCheck(o, rid, stale)
	case o.Provider != "" && isOfferingField(o.Field):
		m.addOffering(o, rid, stale)
	default:
		m.addClaims(o, rid, stale)
		m.addModelField(acc, o, rid, stale)
	}
}

// warn keeps one warning per distinct message about an unreadable value;
// a value the source said is not stated is nothing wrong.
func (m *merger) warn(o catalog.Observation, err error) {
	if errors.Is(err, ErrNotStated) {
		return
	}
	msg := fmt.Sprintf("%s %s %s: %v", o.Source, o.Subject, o.Field, err)
	if !m.warned[msg] {
		m.warned[msg] = true
		m.warnings = append(m.warnings, msg)
	}
}

// resolve resolves an observation's subject, once per (source, id). When
// it resolves to no model, a cross-check's id is counted as untracked,
// another source's is reported as unmatched, and any other error is a
// warning; ok is then false.
func (m *merger) resolve(o catalog.Observation) (rid Resolved, ok bool) {
	k := [2]string{o.Source, o.Subject}
	r, seen := m.resolved[k]
	if !seen {
		r.rid, r.err = m.resolver.Resolve(o.Source, o.Subject)
		m.resolved[k] = r
	}
	switch {
	case r.err == nil:
		return r.rid, true
	case o.Authority <= catalog.AuthorityCrossCheck:
		m.untracked[k] = true
	case errors.Is(r.err, ErrUnmatched):
		key := o.Source + "\x00" + o.Subject
		if _, ok := m.unmatched[key]; !ok {
			m.unmatched[key] = catalog.Unmatched{Source: o.Source, ID: o.Subject, Name: o.SubjectName,
				Provider: o.Provider, Reason: strings.TrimSuffix(r.err.Error(), ": "+ErrUnmatched.Error()), URL: o.URL}
		}
	default:
		m.warn(o, r.err)
	}
	return Resolved{}, false
}

// model returns the accumulator of the model an observation's subject
// resolved to, noting what the observation says of the model's existence:
// whether it defines the model, the alias, and the subject to report or
// count should no source define it.
func (m *merger) model(o catalog.Observation, rid Resolved) *modelAcc {
	acc := m.models[rid.ID]
	if acc == nil {
		acc = &modelAcc{fields: map[catalog.Field][]cand{}, caps: map[catalog.Capability][]cand{},
			aliases: map[catalog.Alias]bool{}, subjects: map[string]catalog.Unmatched{}, xcSubjects: map[catalog.Alias]bool{}}
		m.models[rid.ID] = acc
	}
	if defines(o) {
		acc.defined = true
	}
	alias := catalog.Alias{Source: o.Source, ID: o.Subject}
	acc.aliases[alias] = true
	if o.Authority <= catalog.AuthorityCrossCheck {
		acc.xcSubjects[alias] = true
	} else if k := o.Source + "\x00" + o.Subject; acc.subjects[k].ID == "" {
		acc.subjects[k] = catalog.Unmatched{Source: o.Source, ID: o.Subject, Name: o.SubjectName, Provider: o.Provider, URL: o.URL, Resolves: rid.ID,
			Reason: fmt.Sprintf("resolves to %s, which no creator or aggregator source defines (%s sources only attach to models that exist)", rid.ID, o.Authority)}
	}
	return acc
}

// offeringOf places an offering observation: its own region and variant,
// else those its id named (a Bedrock profile's region, a ":free" variant);
// when both name a variant and they differ, the two are joined, the
// observation's first.
func offeringOf(o catalog.Observation, rid Resolved) offerAt {
	at := offerAt{model: rid.ID, provider: o.Provider, region: o.Region, variant: o.Variant}
	if at.region == "" {
		at.region = rid.Region
	}
	switch {
	case at.variant == "":
		at.variant = rid.Variant
	case rid.Variant != "" && rid.Variant != at.variant:
		at.variant += ":" + rid.Variant
	}
	return at
}

// offeringValue reads an offering observation's value, or warns and says
// no.
func (m *merger) offeringValue(o catalog.Observation, stale bool) (cand, bool) {
	c, err := parseOffering(o)
	if err != nil {
		m.warn(o, err)
		return c, false
	}
	c.stale = stale
	return c, true
}

// addOffering files an offering's value from a source above cross-check
// authority: a listing (the provider's id for the model) or a price, a
// tier price or a context. The offering exists from then on.
func (m *merger) addOffering(o catalog.Observation, rid Resolved, stale bool) {
	var c cand
	if o.Field != catalog.FieldListed {
		var ok bool
		if c, ok = m.offeringValue(o, stale); !ok {
			return
		}
	}
	at := offeringOf(o, rid)
	key := catalog.OfferingKey(at.model, at.provider, at.region, at.variant)
	acc := m.offers[key]
	if acc == nil {
		acc = &offerAcc{offerAt: at, providerIDs: map[string]bool{}, fields: map[catalog.Field][]cand{}}
		m.offers[key] = acc
	}
	if o.Field == catalog.FieldListed {
		if o.Value != "" {
			acc.providerIDs[o.Value] = true
		}
		return
	}
	acc.providerIDs[o.Subject] = true
	acc.fields[o.Field] = append(acc.fields[o.Field], c)
}

// addCrossCheck files a cross-check's value for an offering, to attach
// to the offerings other sources define (see attachCrossChecks). A
// cross-check's listing says nothing.
func (m *merger) addCrossCheck(o catalog.Observation, rid Resolved, stale bool) {
	if o.Field == catalog.FieldListed {
		return
	}
	if c, ok := m.offeringValue(o, stale); ok {
		m.xcs = append(m.xcs, xcOffer{offerAt: offeringOf(o, rid), field: o.Field, c: c})
	}
}

// addClaims files an observation's capability claims, combined per model
// and source: a source that says yes anywhere (one tool among several)
// says yes. A variant subject's claims are kept apart: they count only
// when the source says nothing under the plain subject (see settleClaims).
func (m *merger) addClaims(o catalog.Observation, rid Resolved, stale bool) {
	for _, cl := range Claims(o) {
		k := claimKey{rid.ID, o.Source, cl.Cap, rid.Variant != ""}
		if prev, seen := m.claims[k]; seen && (prev.val.(bool) || !cl.Yes) {
			continue
		}
		co := o
		co.Value = cl.Raw
		m.claims[k] = cand{obs: co, stale: stale, variant: k.variant, val: cl.Yes, display: yesNo(cl.Yes)}
	}
}

// addModelField files a model field's value. Features and supported
// parameters are read for capabilities only; a release date that is a
// listing date or a placeholder is refused, and said so.
func (m *merger) addModelField(acc *modelAcc, o catalog.Observation, rid Resolved, stale bool) {
	if _, feature := o.Field.Feature(); feature || o.Field == catalog.FieldSupportedParameters {
		return
	}
	if reason := notARelease(o); reason != "" {
		m.warn(o, fmt.Errorf("%q not used as a release date: %s", o.Value, reason))
		return
	}
	c, err := parseModelField(o)
	if err != nil {
		m.warn(o, err)
		return
	}
	c.stale = stale
	c.variant = rid.Variant != ""
	acc.fields[o.Field] = append(acc.fields[o.Field], c)
}

// build makes the snapshot of everything filed: facts keep the previous
// snapshot's changed_at and reviewed_at where their value did not change
// (prev is nil on a first run); now stamps the values that changed.
func (m *merger) build(prev *catalog.Snapshot, now time.Time) Result {
	if prev == nil {
		prev = catalog.NewSnapshot()
	}
	m.settleClaims()
	snap := catalog.NewSnapshot()
	for id, acc := range m.models {
		if !acc.defined {
			m.unmatchUndefined(acc)
			continue
		}
		snap.Models[id] = buildModel(id, acc, prev.Models[id], now)
	}
	attachCrossChecks(m.offers, m.xcs, snap.Models)
	exacts := map[string]map[catalog.Field]*big.Rat{}
	for key, acc := range m.offers {
		if snap.Models[acc.model] == nil {
			continue // its model's ids are in the unmatched list
		}
		o, ex := buildOffering(acc, prev.Offerings[key], now, m.bound)
		snap.Offerings[key] = o
		exacts[key] = ex
	}
	flagSiblingSlips(snap, prev, exacts)
	return m.result(snap)
}

// settleClaims gives each model its capability candidates, one per source
// and capability: a variant subject's only when the source made no claim
// under the plain subject.
func (m *merger) settleClaims() {
	for k, c := range m.claims {
		if k.variant {
			if _, plain := m.claims[claimKey{k.model, k.source, k.cap, false}]; plain {
				continue
			}
		}
		m.models[k.model].caps[k.cap] = append(m.models[k.model].caps[k.cap], c)
	}
}

// unmatchUndefined reports the subjects of a model no source defines:
// provider pages and cross-checks alone never make a model. Every provider
// id that named it is reported; cross-check ids are counted.
func (m *merger) unmatchUndefined(acc *modelAcc) {
	for k, u := range acc.subjects {
		if _, ok := m.unmatched[k]; !ok {
			m.unmatched[k] = u
		}
	}
	for a := range acc.xcSubjects {
		m.untracked[[2]string{a.Source, a.ID}] = true
	}
}

// result completes a snapshot with the unmatched ids, in order, and gives
// it with the warnings and the untracked counts.
func (m *merger) result(snap *catalog.Snapshot) Result {
	res := Result{Snapshot: snap, Warnings: m.warnings}
	for _, u := range m.unmatched {
		snap.Unmatched = append(snap.Unmatched, u)
	}
	if len(m.untracked) > 0 {
		res.Untracked = map[string]int{}
		for k := range m.untracked {
			res.Untracked[k[0]]++
		}
	}
	sort.Slice(snap.Unmatched, func(i, j int) bool {
		a, b := snap.Unmatched[i], snap.Unmatched[j]
		return a.Source+"\x00"+a.ID < b.Source+"\x00"+b.ID
	})
	sort.Strings(res.Warnings)
	return res
}

// attachCrossChecks gives each offering the cross-check values that speak
// of it. A cross-check value for (model, provider, region, variant) attaches
// to the offering with exactly that key; failing that, a region prefix
// ("eu", from a Bedrock profile "eu.meta…") attaches to the offerings in
// that geography ("eu-west-1"), and a value with no region to every
// regional offering of the model at the provider. Per offering, field and
// source only the most specific values count. A cross-check that matches
// no offering is dropped: cross-checks never create offerings.
func attachCrossChecks(offers map[string]*offerAcc, xcs []xcOffer, models map[string]*catalog.Model) {
	keys := make([]string, 0, len(offers))
	for k := range offers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	type slot struct {
		key    string
		field  catalog.Field
		source string
	}
	best := map[slot]int{}
	found := map[slot][]cand{}
	for _, x := range xcs {
		if models[x.model] == nil {
			continue
		}
		for _, k := range keys {
			a := offers[k]
			if a.model != x.model || a.provider != x.provider || a.variant != x.variant {
				continue
			}
			spec := 0
			switch {
			case strings.EqualFold(a.region, x.region):
				spec = 3
			case x.region != "" && regionWithin(a.region, x.region):
				spec = 2
			case x.region == "":
				spec = 1
			default:
				continue
			}
			s := slot{k, x.field, x.c.obs.Source}
			switch {
			case spec > best[s]:
				best[s], found[s] = spec, []cand{x.c}
			case spec == best[s]:
				found[s] = append(found[s], x.c)
			}
		}
	}
	for s, cs := range found {
		offers[s.key].fields[s.field] = append(offers[s.key].fields[s.field], cs...)
	}
}

// regionWithin reports whether a region ("eu-west-1") lies in a
// cross-region profile's geography ("eu"; "apac" covers "ap-…").
func regionWithin(region, geo string) bool {
	r, g := strings.ToLower(region), strings.ToLower(geo)
	if g == "apac" {
		g = "ap"
	}
	return strings.HasPrefix(r, g+"-")
}

// notARelease says why a release-date observation is a listing date or a
// placeholder rather than a release, or "" when it may be a release.
func notARelease(o catalog.Observation) string {
	if o.Field != catalog.FieldReleased {
		return ""
	}
	v := strings.TrimSpace(o.Value)
	switch {
	case o.Source == "openrouter" || strings.HasPrefix(o.Source, "openrouter-"):
		return "OpenRouter's created is when OpenRouter added the model"
	case v == "735790403":
		return "NVIDIA's API catalog gives every model the placeholder created 735790403 (1993-04-26)"
	case strings.HasPrefix(v, "2022-03-02T23:29:04"):
		return "Hugging Face gives every repository created before it kept dates the placeholder createdAt 2022-03-02T23:29:04"
	}
	return ""
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
	f := o.Field
	if _, base, ok := f.Tier(); ok {
		f = base
	}
	switch {
	case f.IsPrice():
		p, exact, err := priceExact(o.Value, o.Unit)
		if err != nil {
			return c, err
		}
		c.val, c.display, c.exact = p, p.String(), exact
	case f == catalog.FieldOfferingContext || f == catalog.FieldOfferingMaxOutput:
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

// rank orders candidates: highest authority first, fresh before stale, a
// plain subject before a variant's, then prefer (a field's own rule, such
// as the earliest release date), then the most recently retrieved, then by
// source name, URL and display so the choice never depends on map order.
func rank(cs []cand, prefer func(a, b cand) int) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.obs.Authority != b.obs.Authority {
			return a.obs.Authority > b.obs.Authority
		}
		if a.stale != b.stale {
			return !a.stale
		}
		if a.variant != b.variant {
			return !a.variant
		}
		if prefer != nil {
			if p := prefer(a, b); p != 0 {
				return p < 0
			}
		}
		if !a.obs.RetrievedAt.Equal(b.obs.RetrievedAt) {
			return a.obs.RetrievedAt.After(b.obs.RetrievedAt)
		}
		if a.obs.Source != b.obs.Source {
			return a.obs.Source < b.obs.Source
		}
		if a.obs.URL != b.obs.URL {
			return a.obs.URL < b.obs.URL
		}
		if a.display != b.display {
			return a.display < b.display
		}
		return a.obs.Value < b.obs.Value
	})
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

func buildModel(id string, acc *modelAcc, prev *catalog.Model, now time.Time) *catalog.Model {
	if prev == nil {
		prev = &catalog.Model{}
	}
	creator, _, _ := catalog.SplitID(id)
	m := &catalog.Model{ID: id, Creator: creator, Capabilities: map[catalog.Capability]catalog.Fact[bool]{}}
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

// buildOffering makes an offering's facts, flags its prices, and returns
// the winning prices' exact amounts by field for the checks across
// offerings.
func buildOffering(acc *offerAcc, prev *catalog.Offering, now time.Time, bound Percent) (*catalog.Offering, map[catalog.Field]*big.Rat) {
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
	exacts := map[catalog.Field]*big.Rat{}
	price := func(field catalog.Field, prevFact catalog.Fact[catalog.Price]) catalog.Fact[catalog.Price] {
		f, ex := pickPrice(acc.fields[field], prevFact, now, bound)
		if ex != nil {
			exacts[field] = ex
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
	return o, exacts
}

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
	ex := w.exact
	if why := implausible(ex); why != "" {
		addFlag(&f.Flags, catalog.FlagUnitSlip, fmt.Sprintf("%s (%s)", why, w.obs.Source))
	}
	if prev.Sourced() && prev.Value.Kind == catalog.PriceFixed && ex != nil && prev.Value.Amount != f.Value.Amount {
		if p, ok := slip(moneyRat(prev.Value.Amount), ex); ok {
			addFlag(&f.Flags, catalog.FlagUnitSlip, fmt.Sprintf("%s per 1M is %s× the previous value %s per 1M (%s): suspected unit slip",
				usd(ex), ratioWord(moneyRat(prev.Value.Amount), ex, p), prev.Value.Amount, prev.Source.Name))
		}
	}
	for _, c := range cs[1:] {
		if p, ok := slip(ex, c.exact); ok {
			addFlag(&f.Flags, catalog.FlagUnitSlip, fmt.Sprintf("%s says %s per 1M, %s says %s per 1M: %s apart, suspected unit slip",
				w.obs.Source, usd(ex), c.obs.Source, usd(c.exact), catalog.Thousands(p)+"×"))
			continue
		}
		if bound < 0 || c.obs.Authority != catalog.AuthorityCrossCheck || w.obs.Authority == catalog.AuthorityCrossCheck {
			continue
		}
		cp := c.val.(catalog.Price)
		switch {
		case ex != nil && c.exact != nil:
			if beyond(ex, c.exact, bound) {
				addFlag(&f.Flags, catalog.FlagDiscrepancy, fmt.Sprintf("%s (cross-check) has %s per 1M, %s from %s's %s (bound %s)",
					c.obs.Source, usd(c.exact), pctDiff(ex, c.exact), w.obs.Source, usd(ex), bound))
			}
		case f.Value.Kind == catalog.PriceFixed && cp.Kind == catalog.PriceFree:
			addFlag(&f.Flags, catalog.FlagDiscrepancy, fmt.Sprintf("%s (cross-check) says free; %s says %s per 1M", c.obs.Source, w.obs.Source, usd(ex)))
		case f.Value.Kind == catalog.PriceFree && cp.Kind == catalog.PriceFixed:
			addFlag(&f.Flags, catalog.FlagDiscrepancy, fmt.Sprintf("%s (cross-check) has %s per 1M; %s says free", c.obs.Source, usd(c.exact), w.obs.Source))
		}
	}
	return f, ex
}

// flagSiblingSlips flags prices about 1000× off the same field of another
// offering of the same model at the same provider (another region or
// variant): "the other sources' value for the same model+provider".
func flagSiblingSlips(s, prev *catalog.Snapshot, exacts map[string]map[catalog.Field]*big.Rat) {
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
	groups := map[string][]string{}
	for _, k := range s.OfferingKeys() {
		o := s.Offerings[k]
		g := o.ModelID + "|" + o.Provider
		groups[g] = append(groups[g], k)
	}
	for _, keys := range groups {
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
						addFlag(&fact.Flags, catalog.FlagUnitSlip, fmt.Sprintf("%s per 1M here, %s per 1M at %s %s: %s apart, suspected unit slip",
							usd(ea), usd(eb), ob.Provider, where, catalog.Thousands(p)+"×"))
					}
				}
			}
		}
	}
}

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

// addFlag adds a flag once and keeps the flags sorted.
func addFlag(flags *[]catalog.Flag, kind, detail string) {
	fl := catalog.Flag{Kind: kind, Detail: detail}
	if slices.Contains(*flags, fl) {
		return
	}
	*flags = append(*flags, fl)
	sort.Slice(*flags, func(i, j int) bool {
		a, b := (*flags)[i], (*flags)[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Detail < b.Detail
	})
}

// usd writes an exact amount as "$0.027".
func usd(r *big.Rat) string { return "$" + ratDecimal(r) }

// ratioWord writes hi/lo of a slip pair as a whole number ("1,000"), or
// "1/1,000" when the new value is the smaller.
func ratioWord(old, now *big.Rat, p int64) string {
	if now.Cmp(old) < 0 {
		return "1/" + catalog.Thousands(p)
	}
	return catalog.Thousands(p)
}
