package normalize

import (
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/parallel"
)

// Input is everything one normalisation needs.
type Input struct {
	// Pages are the current records of every source's pages, stale ones
	// included: their observations still count, marked stale.
	Pages []catalog.Page
	// Previous is the last published snapshot; facts whose value did not
	// change keep its changed_at and reviewed_at, and a price about 1000×
	// off its previous value is flagged. Nil for a first run. A model or
	// offering that comes out the same but for its retrieval times is
	// Previous's own record in the result, its retrieval times moved (the
	// only change Normalize makes to Previous): the caller may compare the
	// two snapshots, but must not publish Previous as it was.
	Previous *catalog.Snapshot
	// Settings are the operator's alias table and discrepancy bound; the
	// zero Settings are the defaults.
	Settings Settings
	// Now stamps changed_at on values that changed.
	Now time.Time
	// Done, when set, is called with each page's index (in Pages) once
	// Normalize has read that page's observations for the last time, in
	// order, from the calling goroutine: the caller may let them go while
	// the rest is read (a run's parse results are a large part of what it
	// holds).
	Done func(i int)
	// Observations, when set, gives the observations of page i when the
	// page holds none itself (a reused page's, in the store): called once
	// for each such page, in order, from the calling goroutine, for a
	// caller that loads them as they are read.
	// Links must then hold the pages' Hugging Face links, unless every
	// page's observations are its own.
	Observations func(i int) []catalog.Observation
	// Links are the pages' Hugging Face links (HFLinks); nil: read from
	// Pages.
	Links map[string]string
	// Published, when set and Previous is nil, reads the last published
	// snapshot's records instead: called once filing is done, a batch at
	// a time (PublishedBatch ids or keys), with the ids of the models or
	// the keys of the offerings about to be built, from the calling
	// goroutine; it returns those of them that are published (an empty
	// snapshot for a first run). The whole published catalogue is then
	// never held beside every filed candidate: a night with a few changes
	// at 16,000 pages held both, 128 MB and 134. Result.Previous holds
	// every record it returned.
	Published func(ids, keys []string) *catalog.Snapshot
	// Stop, when set and closed, stops the normalisation between two pages
	// or two batches of records: Normalize returns at once with
	// Result.Stopped set and nothing else (Previous's records built so far
	// have had their retrieval times moved: a stopped run publishes
	// nothing). A run's deadline or SIGTERM no longer waits for the whole
	// normalisation (2-3 s at 16,000 pages).
	Stop <-chan struct{}
}

// stop reports whether in.Stop is closed.
func (in *Input) stop() bool {
	select {
	case <-in.Stop:
		return true
	default:
		return false
	}
}

// inBatches calls fn with each span [lo, hi) of at most PublishedBatch of
// n items, in order; false once in.Stop stopped it before a span.
func (in *Input) inBatches(n int, fn func(lo, hi int)) bool {
	for lo := 0; lo < n; lo += PublishedBatch {
		if in.stop() {
			return false
		}
		fn(lo, min(lo+PublishedBatch, n))
	}
	return true
}

// PublishedBatch is how many ids or keys Normalize asks Input.Published
// for at a time.
const PublishedBatch = 1024

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
	// Clipped names, per source, each scraped string over its limit
	// (MaxIDBytes, MaxNameBytes, MaxValueBytes) that was clipped.
	Clipped map[string][]string
	// Stopped is set when Input.Stop stopped the normalisation: the
	// result holds nothing else.
	Stopped bool
	// Previous is the published snapshot Snapshot was built against:
	// Input.Previous, or the records Input.Published returned (the
	// published ones of the models and offerings built: the caller adds
	// the others to compare the two catalogues). Records kept unchanged
	// are shared with Snapshot, their retrieval times moved.
	Previous *catalog.Snapshot
}

// cand is one candidate value for one fact.
type cand struct {
	obs   origin
	stale bool
	// variant is set when the observation's subject named a variant of
	// an offering (":free"): its model facts yield to the same source's
	// plain subject.
	variant bool
	val     any
	display string
	// exact is a fixed price's amount in USD per 1M tokens before
	// rounding, where rounding changed it; nil for anything else (see
	// amount): a big.Rat for every price held 9 MB of a 16,000-page
	// first refresh's candidates.
	exact *big.Rat
}

// amount is a fixed price's exact amount in USD per 1M tokens (its
// Money's, unless rounded); nil for anything else.
func (c *cand) amount() *big.Rat {
	if c.exact != nil {
		return c.exact
	}
	if p, ok := c.val.(catalog.Price); ok && p.Kind == catalog.PriceFixed {
		return moneyRat(p.Amount)
	}
	return nil
}

// origin is what a candidate keeps of its observation: where the value
// came from, when (its provenance, shared by the candidates of a page's
// observations), and as what text. The subject, provider and field are the
// accumulator's keys already, so a candidate (one per observation a run
// files, all held until the catalogue is built) carries 24 bytes of its
// observation instead of an Observation's 224: at 16,000 pages the
// candidates of a first refresh held ~64 MB when each kept its own copy of
// the provenance (96 bytes), and their spans, freed as the catalogue was
// built, were most of a heap that the collector then ran on back to back.
type origin struct {
	*provenance
	// Value is the raw text the source gave.
	Value string
}

// provenance is where and when an observation was read; source is its
// reference as the facts built from it hold it.
type provenance struct {
	Source      string
	URL         string
	Authority   catalog.Authority
	Note        string
	RetrievedAt time.Time
	source      catalog.Source
}

// originOf is an observation's origin, sharing the provenance of the
// observation filed before it when the two are the same (as a page's
// observations are). Normalize files observations one at a time.
func (m *merger) originOf(o catalog.Observation) origin {
	p := m.last
	if p == nil || p.Source != o.Source || p.URL != o.URL || p.Authority != o.Authority || p.Note != o.Note || p.RetrievedAt != o.RetrievedAt {
		p = &provenance{Source: o.Source, URL: o.URL, Authority: o.Authority, Note: o.Note, RetrievedAt: o.RetrievedAt}
		p.source = catalog.SourceOf(p.Ref())
		m.last = p
	}
	return origin{provenance: p, Value: o.Value}
}

// Ref is the provenance's source reference (catalog.Observation.Ref).
func (o *provenance) Ref() catalog.SourceRef {
	return catalog.SourceRef{Name: o.Source, URL: o.URL, Authority: o.Authority, Note: o.Note}
}

type modelAcc struct {
	id     string
	fields map[catalog.Field][]cand
	caps   map[catalog.Capability][]cand
	// benchmarks are the candidates of each benchmark result, by its key
	// (benchmarks.go).
	benchmarks map[string][]cand
	aliases    map[catalog.Alias]bool
	// defined is set when a source at creator or aggregator authority
	// speaks of the model: only then does it exist.
	defined bool
	// subjects are the source ids that named the model, reported as
	// unmatched if it never becomes defined; xcSubjects are the
	// cross-check ids that named it, counted (not reported) then. Neither
	// is kept once the model is defined.
	subjects   map[string]catalog.Unmatched
	xcSubjects map[catalog.Alias]bool
}

// offerAt names one offering: its model, provider, region and variant.
type offerAt struct {
	model, provider, region, variant string
}

type offerAcc struct {
	offerAt
	// providerID is the least of the provider's ids for the offering
	// (hasID: one was given), which it is published under.
	providerID string
	hasID      bool
	fields     map[catalog.Field][]cand
}

// addID notes one of the provider's ids for the offering.
func (a *offerAcc) addID(id string) {
	if !a.hasID || id < a.providerID {
		a.providerID, a.hasID = id, true
	}
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

// Normalize merges every page's observations into one snapshot. It is
// deterministic: the same input gives the same snapshot, whatever the
// order of maps or pages; it changes nothing of its input but the
// retrieval times of the Previous records it keeps (see Input.Previous).
func Normalize(in Input) Result {
	m := newMerger(in.Settings)
	m.links = in.Links
	if m.links == nil {
		m.links = hfLinks(in.Pages, m.resolver)
	}
	clipped := clips{}
	for i := range in.Pages {
		if in.stop() {
			return Result{Stopped: true}
		}
		p := &in.Pages[i]
		obs := p.Observed()
		if in.Observations != nil && !p.HoldsObservations() {
			obs = slices.Values(in.Observations(i))
		}
		for o := range obs {
			o, what := clipObservation(o)
			clipped.add(p.Source, what)
			m.add(o, p.Stale)
		}
		if in.Done != nil {
			in.Done(i)
		}
	}
	res := m.build(&in, in.Now)
	if res.Stopped {
		return res
	}
	res.Clipped = clipped.sorted()
	return res
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
	// last is the provenance of the observation filed last (see
	// originOf); lastKey and lastRes its subject's resolution, lastModel
	// its model's accumulator and lastAt and lastOffer its offering's. A
	// page's observations come in runs of one subject and one offering:
	// these spare most of them a lookup (and an offering a key).
	last      *provenance
	lastKey   [2]string
	lastRes   resolution
	hasLast   bool
	lastModel *modelAcc
	lastAt    offerAt
	lastOffer *offerAcc
	// unmatched is keyed by source and id; untracked holds the
	// cross-checks' (source, id)s of no tracked model.
	unmatched map[string]catalog.Unmatched
	untracked map[[2]string]bool
	// links map the Hugging Face repositories a catalogue names (lower
	// case) to their models (see hfLinks).
	links    map[string]string
	warned   map[string]bool
	warnings []string
	// strs, prices and tokens are what candidates share (see compact).
	strs   map[string]string
	prices map[catalog.Price]any
	tokens map[catalog.Tokens]any
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
		unmatched: map[string]catalog.Unmatched{}, untracked: map[[2]string]bool{}, warned: map[string]bool{},
		strs: map[string]string{}, prices: map[catalog.Price]any{}, tokens: map[catalog.Tokens]any{}}
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

// resolve resolves an observation's subject, once per (source, id): a
// Hugging Face repository that a catalogue links to a model resolves to
// that model (unless the alias table names it), any other id by the
// resolver's rules. When
// it resolves to no model, a cross-check's id is counted as untracked,
// another source's is reported as unmatched, and any other error is a
// warning; ok is then false.
func (m *merger) resolve(o catalog.Observation) (rid Resolved, ok bool) {
	k := [2]string{o.Source, o.Subject}
	var r resolution
	if m.hasLast && m.lastKey == k {
		r = m.lastRes
	} else {
		var seen bool
		r, seen = m.resolved[k]
		if !seen {
			if rid, ok := m.linked(o.Source, o.Subject); ok {
				r.rid = rid
			} else {
				r.rid, r.err = m.resolver.Resolve(o.Source, o.Subject)
			}
			m.resolved[k] = r
		}
		m.lastKey, m.lastRes, m.hasLast = k, r, true
	}
	switch {
	case r.err == nil:
		return r.rid, true
	case o.Authority <= catalog.AuthorityCrossCheck:
		m.untracked[k] = true
	case errors.Is(r.err, ErrUnmatched):
		key := o.Source + "\x00" + o.Subject
		if kept, ok := m.unmatched[key]; !ok || firstOf(o.URL, kept.URL) {
			m.unmatched[key] = catalog.Unmatched{Source: o.Source, ID: o.Subject, Name: o.SubjectName,
				Provider: o.Provider, Reason: strings.TrimSuffix(r.err.Error(), ": "+ErrUnmatched.Error()), URL: o.URL}
		}
	default:
		m.warn(o, r.err)
	}
	return Resolved{}, false
}

// firstOf reports whether a value read on the page at url replaces the
// one kept from the page at kept, where a key keeps one value (an
// unmatched id's report, a source's claim of a capability): the value of
// the least address, the first of them when one page gives several. That
// is what filing the pages in address order keeps, and it does not depend
// on the order they come in.
func firstOf(url, kept string) bool { return url < kept }

// model returns the accumulator of the model an observation's subject
// resolved to, noting what the observation says of the model's existence:
// whether it defines the model, the alias, and the subject to report or
// count should no source define it.
func (m *merger) model(o catalog.Observation, rid Resolved) *modelAcc {
	acc := m.lastModel
	if acc == nil || acc.id != rid.ID {
		acc = m.models[rid.ID]
		if acc == nil {
			acc = &modelAcc{id: rid.ID, fields: map[catalog.Field][]cand{}, aliases: map[catalog.Alias]bool{}}
			m.models[rid.ID] = acc
		}
		m.lastModel = acc
	}
	if defines(o) && !acc.defined {
		acc.defined = true
		acc.subjects, acc.xcSubjects = nil, nil
	}
	alias := catalog.Alias{Source: o.Source, ID: o.Subject}
	acc.aliases[alias] = true
	switch {
	case acc.defined: // nothing to report
	case o.Authority <= catalog.AuthorityCrossCheck:
		if acc.xcSubjects == nil {
			acc.xcSubjects = map[catalog.Alias]bool{}
		}
		acc.xcSubjects[alias] = true
	default:
		k := o.Source + "\x00" + o.Subject
		if kept := acc.subjects[k]; kept.ID != "" && !firstOf(o.URL, kept.URL) {
			break
		}
		if acc.subjects == nil {
			acc.subjects = map[string]catalog.Unmatched{}
		}
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
	c, err := parseOffering(o, m.originOf(o))
	if err != nil {
		m.warn(o, err)
		return c, false
	}
	c.stale = stale
	m.compact(&c)
	return c, true
}

// shareLimit is the longest text candidates share (see compact): longer
// ones (names, descriptions) seldom repeat.
const shareLimit = 32

// compact makes a candidate share what repeats across the observations
// filed with those filed before it: its raw text and its display (an
// offering's "0.000000027" and "$0.027" come with thousands of others),
// and its value when that is a price or a token count (an interface value
// boxes its own copy). Every candidate is held until the catalogue is
// built: at 16,000 pages a first refresh's held 10.5 MB of raw texts and
// 11.5 MB of prices' displays, each its own.
func (m *merger) compact(c *cand) {
	c.obs.Value = m.share(c.obs.Value)
	c.display = m.share(c.display)
	switch v := c.val.(type) {
	case catalog.Price:
		c.val = shareBox(m.prices, v, c.val)
	case catalog.Tokens:
		c.val = shareBox(m.tokens, v, c.val)
	}
}

// share is the copy of s the merger keeps, once s has been seen.
func (m *merger) share(s string) string {
	if s == "" || len(s) > shareLimit {
		return s
	}
	if t, ok := m.strs[s]; ok {
		return t
	}
	m.strs[s] = s
	return s
}

// shareBox is the interface value boxing v that boxes holds, once v has
// been seen (box is v's own).
func shareBox[T comparable](boxes map[T]any, v T, box any) any {
	if b, ok := boxes[v]; ok {
		return b
	}
	boxes[v] = box
	return box
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
	acc := m.lastOffer
	if acc == nil || m.lastAt != at {
		key := catalog.OfferingKey(at.model, at.provider, at.region, at.variant)
		acc = m.offers[key]
		if acc == nil {
			acc = &offerAcc{offerAt: at, fields: map[catalog.Field][]cand{}}
			m.offers[key] = acc
		}
		m.lastAt, m.lastOffer = at, acc
	}
	if o.Field == catalog.FieldListed {
		if o.Value != "" {
			acc.addID(o.Value)
		}
		return
	}
	acc.addID(o.Subject)
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
		if prev, seen := m.claims[k]; seen && (prev.val.(bool) != cl.Yes || !firstOf(o.URL, prev.obs.URL)) && (prev.val.(bool) || !cl.Yes) {
			continue
		}
		co := m.originOf(o)
		co.Value = m.share(cl.Raw)
		m.claims[k] = cand{obs: co, stale: stale, variant: k.variant, val: cl.Yes, display: yesNo(cl.Yes)}
	}
}

// addModelField files a model field's value. Features and supported
// parameters are read for capabilities only; a release date that is a
// listing date or a placeholder is refused, and said so.
func (m *merger) addModelField(acc *modelAcc, o catalog.Observation, rid Resolved, stale bool) {
	if _, feature := o.Field.Feature(); feature || o.Field == catalog.FieldSupportedParameters || o.Field == catalog.FieldHFRepo {
		return
	}
	if o.Field == catalog.FieldBenchmark {
		if err := acc.addBenchmark(o, m.originOf(o), stale, rid.Variant != ""); err != nil {
			m.warn(o, err)
		}
		return
	}
	if reason := notARelease(o); reason != "" {
		m.warn(o, fmt.Errorf("%q not used as a release date: %s", o.Value, reason))
		return
	}
	c, err := parseModelField(o, m.originOf(o))
	if err != nil {
		m.warn(o, err)
		return
	}
	c.stale = stale
	c.variant = rid.Variant != ""
	m.compact(&c)
	acc.fields[o.Field] = append(acc.fields[o.Field], c)
}

// build makes the snapshot of everything filed: facts keep the previous
// snapshot's changed_at and reviewed_at where their value did not change
// (in.Previous or in.Published; none on a first run); now stamps the
// values that changed.
func (m *merger) build(in *Input, now time.Time) Result {
	prev := newPrevious(in)
	m.last, m.lastModel, m.lastOffer = nil, nil, nil // filing is done
	m.strs, m.prices, m.tokens = nil, nil, nil
	m.settleClaims()
	m.claims = nil
	snap := catalog.NewSnapshot()
	// Models and offerings are built on every CPU (each from its own
	// candidates and its previous record alone), and each accumulator goes
	// as soon as it is built: its candidates (a copy of every observation
	// filed) and the catalogue being built are never all held at once.
	// The previous records are read a batch at a time (see
	// Input.Published).
	ids, accs := m.definedModels()
	models := make([]*catalog.Model, len(ids))
	if !in.inBatches(len(ids), func(lo, hi int) {
		pm := prev.read(ids[lo:hi], nil).Models
		_ = parallel.For(hi-lo, func(j int) error {
			i := lo + j
			models[i], accs[i] = buildModel(ids[i], accs[i], pm[ids[i]], now), nil // kept when the same
			return nil
		})
	}) {
		return Result{Stopped: true}
	}
	for i, id := range ids {
		snap.Models[id] = models[i]
	}
	attachCrossChecks(m.offers, m.xcs, snap.Models)
	m.xcs = nil
	keys, offers := m.offeringsOf(snap.Models)
	built := make([]*catalog.Offering, len(keys))
	exactOf := make([]map[catalog.Field]*big.Rat, len(keys))
	if !in.inBatches(len(keys), func(lo, hi int) {
		po := prev.read(nil, keys[lo:hi]).Offerings
		_ = parallel.For(hi-lo, func(j int) error {
			i := lo + j
			built[i], exactOf[i] = buildOffering(offers[i], po[keys[i]], now, m.bound) // kept when the same
			offers[i] = nil
			return nil
		})
	}) {
		return Result{Stopped: true}
	}
	rounded := map[string]map[catalog.Field]*big.Rat{}
	for i, key := range keys {
		snap.Offerings[key] = built[i]
		if exactOf[i] != nil {
			rounded[key] = exactOf[i]
		}
	}
	flagSiblingSlips(snap, prev.all, rounded)
	res := m.result(snap)
	res.Previous = prev.all
	return res
}

// previous is where build finds the previous records: the whole
// Input.Previous, or what Input.Published returns, gathered in all.
type previous struct {
	all  *catalog.Snapshot
	read func(ids, keys []string) *catalog.Snapshot
}

func newPrevious(in *Input) *previous {
	p := &previous{all: in.Previous}
	switch {
	case in.Previous != nil:
		p.read = func([]string, []string) *catalog.Snapshot { return in.Previous }
	case in.Published != nil:
		p.all = catalog.NewSnapshot()
		p.read = func(ids, keys []string) *catalog.Snapshot {
			got := in.Published(ids, keys)
			if got == nil {
				got = catalog.NewSnapshot()
			}
			maps.Copy(p.all.Models, got.Models)
			maps.Copy(p.all.Offerings, got.Offerings)
			return got
		}
	default:
		p.all = catalog.NewSnapshot()
		p.read = func([]string, []string) *catalog.Snapshot { return p.all }
	}
	return p
}

// definedModels takes the accumulators of the models some source defines,
// in id order, out of the merger; the others' subjects are reported (see
// unmatchUndefined).
func (m *merger) definedModels() ([]string, []*modelAcc) {
	ids, accs := sortedWhere(m.models, func(acc *modelAcc) bool {
		if !acc.defined {
			m.unmatchUndefined(acc)
		}
		return acc.defined
	})
	m.models = nil
	return ids, accs
}

// offeringsOf takes the accumulators of the offerings of built models, in
// key order, out of the merger; an offering of no model is dropped (its
// model's ids are in the unmatched list).
func (m *merger) offeringsOf(models map[string]*catalog.Model) ([]string, []*offerAcc) {
	keys, accs := sortedWhere(m.offers, func(acc *offerAcc) bool { return models[acc.model] != nil })
	m.offers = nil
	return keys, accs
}

// sortedWhere returns the keys of m whose values keep accepts, in order,
// and their values.
func sortedWhere[V any](m map[string]V, keep func(V) bool) ([]string, []V) {
	var keys []string
	for k, v := range m {
		if keep(v) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	vals := make([]V, len(keys))
	for i, k := range keys {
		vals[i] = m[k]
	}
	return keys, vals
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
		acc := m.models[k.model]
		if acc.caps == nil {
			acc.caps = map[catalog.Capability][]cand{}
		}
		acc.caps[k.cap] = append(acc.caps[k.cap], c)
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
	// The offerings a cross-check may speak of share its model, provider
	// and variant: indexed by those, in key order, each value is weighed
	// against its few candidates instead of every offering.
	// Only the groups some cross-check names are indexed: every
	// offering's was 22 MB of a 16,000-page build, most of it for
	// groups no cross-check speaks of (all of it, with none configured).
	type group struct{ model, provider, variant string }
	byGroup := map[group][]string{}
	for _, x := range xcs {
		if models[x.model] != nil {
			byGroup[group{x.model, x.provider, x.variant}] = nil
		}
	}
	if len(byGroup) == 0 {
		return
	}
	for k, a := range offers {
		g := group{a.model, a.provider, a.variant}
		if ks, ok := byGroup[g]; ok {
			byGroup[g] = append(ks, k)
		}
	}
	for _, keys := range byGroup {
		sort.Strings(keys)
	}
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
		for _, k := range byGroup[group{x.model, x.provider, x.variant}] {
			a := offers[k]
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

// parseModelField reads a model field's observation o (from org) into a
// candidate.
func parseModelField(o catalog.Observation, org origin) (cand, error) {
	c := cand{obs: org}
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

// parseOffering reads an offering's observation o (from org) into a
// candidate.
func parseOffering(o catalog.Observation, org origin) (cand, error) {
	c := cand{obs: org}
	f := o.Field
	if _, base, ok := f.Tier(); ok {
		f = base
	}
	switch {
	case f.IsPrice():
		p, exact, err := priceRounded(o.Value, o.Unit)
		if err != nil {
			return c, err
		}
		c.val, c.display = p, p.String()
		c.exact = exact // nil unless rounded: otherwise its Money is exact (see amount)
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
