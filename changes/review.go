package changes

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"

	"github.com/llmref/llmref/catalog"
)

// Input is what Review needs to decide one run's changes.
type Input struct {
	// Published is the published state; nil for a first run.
	Published *catalog.Snapshot
	// Next is the run's normalised state.
	Next *catalog.Snapshot
	// Run is the run: its time and how each source fared.
	Run catalog.Run
	// Rules decide what is held.
	Rules Rules
	// Holds are the store's pending and rejected holds.
	Holds []catalog.Hold
	// Stop, when set and closed, stops the review between two of its
	// steps (sorting, the diff, ordering the report, the rules): Review
	// returns an Outcome with Stopped set and nothing else.
	Stop <-chan struct{}
}

// stopped reports whether in.Stop is closed.
func (in *Input) stopped() bool {
	select {
	case <-in.Stop:
		return true
	default:
		return false
	}
}

// Outcome is what Review decided.
type Outcome struct {
	// Publish is the state to publish: Next, with every held or rejected
	// change kept at its published value (old prices stay, vanished
	// offerings stay, marked stale; a held new offering is left out).
	// With nothing held it shares Next's maps (4 MB not copied at 16,000
	// pages): change neither.
	Publish *catalog.Snapshot
	// Changes are every change with its status. The store numbers the
	// run and the new holds when it commits them.
	Changes catalog.ChangeSet
	// Seen are the holds this run gave: new ones (ID 0), pending ones
	// seen again with the same value, and rejected ones the source
	// repeats. The store stamps their runs.
	Seen []catalog.Hold
	// Closed are pending holds this run closed: withdrawn (the source no
	// longer gives the value) or superseded (it gives another held value).
	Closed []catalog.Hold
	// Stopped is set when Input.Stop stopped the review: the outcome holds
	// nothing else.
	Stopped bool
}

// candidate is a change (or a group of removals) the rules hold.
type candidate struct {
	hold  catalog.Hold
	index []int // into the diff
}

// Review compares a run's normalised state with the published one, applies
// the rules, and decides what publishes.
//
// A held value that the next run gives again updates its pending hold (no
// duplicate); a different anomalous value supersedes it with a new hold; a
// value the source stops giving withdraws it. A value an operator rejected
// is not held again while the source repeats it: it is reported with status
// rejected and the published value stays. Once the source gives another
// value the rules judge that one afresh.
func Review(in Input) Outcome {
	pub := in.Published
	if pub == nil {
		pub = catalog.NewSnapshot()
	}
	next := in.Next
	at := in.Run.StartedAt
	r := in.Rules
	pubS, nextS := sortSnapshot(pub), sortSnapshot(next)
	if in.stopped() {
		return Outcome{Stopped: true}
	}
	// The report lists the stale sources first, then the diff, whose
	// records are made once, as the report's (see diffSorted).
	staleChanges := stale(in.Run, nextS)
	report := make([]catalog.RunChange, 0, len(staleChanges)+diffCount(pubS, nextS))
	for _, ch := range staleChanges {
		report = append(report, catalog.RunChange{Change: ch, Status: catalog.ChangePublished})
	}
	diffSorted(pubS, nextS, func(ch catalog.Change) {
		report = append(report, catalog.RunChange{Change: ch, Status: catalog.ChangePublished})
	})
	if in.stopped() {
		return Outcome{Stopped: true}
	}
	status := report[len(staleChanges):]
	sortChanges(status, func(rc *catalog.RunChange) *catalog.Change { return &rc.Change })
	if in.stopped() {
		return Outcome{Stopped: true}
	}

	var cands []*candidate
	// Source breakage: many removals at once, grouped per source.
	byOffering := map[string]*candidate{}
	for _, b := range r.breakages(pubS, nextS) {
		c := &candidate{hold: catalog.Hold{Kind: catalog.HoldBreakage, Key: "breakage:" + b.source, Source: b.source,
			Value: strings.Join(b.vanished, ","), RemovedOfferings: b.vanished, Reasons: []string{b.reason(r)}}}
		for _, k := range b.vanished {
			byOffering[k] = c
		}
		cands = append(cands, c)
	}
	// Surge: many additions at once, grouped per source, with the new
	// models that come only with them.
	addedBy, modelBy := map[string]*candidate{}, map[string]*candidate{}
	for _, s := range r.surges(pubS, nextS) {
		c := &candidate{hold: surgeHold(s, next, r)}
		for _, k := range s.added {
			addedBy[k] = c
		}
		for _, m := range s.models {
			modelBy[m] = c
		}
		cands = append(cands, c)
	}
	var pubByModel map[string][]*catalog.Offering // made when a model left
	for i := range status {
		ch := &status[i].Change
		switch ch.Kind {
		case catalog.ChangePrice:
			key := catalog.OfferingKey(ch.Model, ch.Provider, ch.Region, ch.Variant)
			o, p := next.Offerings[key], pub.Offerings[key]
			if o == nil || p == nil || o.PriceField(ch.Field) == nil {
				continue
			}
			nf := *o.PriceField(ch.Field)
			reasons := r.PriceReasons(*p.PriceField(ch.Field), nf)
			if len(reasons) == 0 {
				continue
			}
			cands = append(cands, &candidate{index: []int{i}, hold: catalog.Hold{Kind: catalog.HoldPrice,
				Key: "price:" + key + "#" + ch.Field, Value: fingerprint(nf), Reasons: reasons,
				Field: ch.Field, Price: &nf}})
		case catalog.ChangeOfferingAdded:
			key := catalog.OfferingKey(ch.Model, ch.Provider, ch.Region, ch.Variant)
			if c := addedBy[key]; c != nil {
				c.index = append(c.index, i)
				continue
			}
			o := next.Offerings[key]
			if o == nil || !r.HoldFlagged {
				continue
			}
			var reasons []string
			for _, n := range catalog.PriceFieldNames {
				if f := o.PriceField(n); f.Sourced() {
					for _, fl := range f.Flags() {
						reasons = append(reasons, flagReason(fl)+" on "+n)
					}
				}
			}
			if len(reasons) == 0 {
				continue
			}
			prints := make([]string, 0, len(catalog.PriceFieldNames))
			for _, n := range catalog.PriceFieldNames {
				prints = append(prints, n+"="+fingerprint(*o.PriceField(n)))
			}
			cp := *o
			cands = append(cands, &candidate{index: []int{i}, hold: catalog.Hold{Kind: catalog.HoldOfferingAdded,
				Key: "offering:" + key, Value: strings.Join(prints, ","), Reasons: reasons, Offering: &cp}})
		case catalog.ChangeOfferingRemoved:
			if c := byOffering[catalog.OfferingKey(ch.Model, ch.Provider, ch.Region, ch.Variant)]; c != nil {
				c.index = append(c.index, i)
			}
		case catalog.ChangeModelAdded:
			if c := modelBy[ch.Model]; c != nil {
				c.index = append(c.index, i)
			}
		case catalog.ChangeModelRemoved:
			// A model that leaves with a broken source's offerings
			// stays with them.
			if pubByModel == nil {
				pubByModel = pub.OfferingsByModel()
			}
			for _, o := range pubByModel[ch.Model] {
				if c := byOffering[o.Key()]; c != nil {
					c.index = append(c.index, i)
					c.hold.RemovedModels = append(c.hold.RemovedModels, ch.Model)
					break
				}
			}
		}
	}

	out := Outcome{Changes: catalog.ChangeSet{At: at}}
	if len(report) > 0 {
		out.Changes.Changes = report
	}
	for i := range status {
		status[i].ModelName = modelName(status[i].Model, next, pub)
	}

	pending := map[string]catalog.Hold{}
	rejected := map[string]catalog.Hold{}
	for _, h := range in.Holds {
		switch h.Status {
		case catalog.HoldPending:
			pending[h.Key] = h
		case catalog.HoldRejected:
			rejected[h.Key+"\x00"+h.Value] = h
		}
	}
	publish := &catalog.Snapshot{Models: next.Models, Offerings: next.Offerings, Unmatched: next.Unmatched}
	if len(cands) > 0 { // holds keep published values: next stays as it is
		publish.Models, publish.Offerings = cloneMap(next.Models), cloneMap(next.Offerings)
	}
	used := map[string]bool{}
	for _, c := range cands {
		h := c.hold
		for _, i := range c.index {
			h.Changes = append(h.Changes, status[i].Change)
		}
		h.LastSeen = at
		st := catalog.ChangeHeld
		switch old, isRejected := rejected[h.Key+"\x00"+h.Value]; {
		case isRejected:
			old.LastSeen = at
			h = old
			st = catalog.ChangeRejected
			out.Seen = append(out.Seen, h)
		case pending[h.Key].ID != 0 && pending[h.Key].Value == h.Value:
			old := pending[h.Key]
			used[h.Key] = true
			h.ID, h.Status, h.FirstRun, h.FirstSeen = old.ID, catalog.HoldPending, old.FirstRun, old.FirstSeen
			out.Seen = append(out.Seen, h)
		default:
			if old, ok := pending[h.Key]; ok {
				used[h.Key] = true
				old.Status = catalog.HoldSuperseded
				old.Decision = &catalog.Decision{Action: catalog.ActionSupersede, At: at, Holds: []uint64{old.ID},
					Note: "the source now gives another value that is held: " + heldValue(h)}
				out.Closed = append(out.Closed, old)
			}
			h.Status, h.FirstSeen = catalog.HoldPending, at
			out.Seen = append(out.Seen, h)
		}
		for _, i := range c.index {
			status[i].Status, status[i].Hold, status[i].Reasons = st, h.ID, h.Reasons
			if h.ID == 0 {
				status[i].HoldKey = h.Key
			}
		}
		keepPublished(publish, pub, c.hold)
	}
	keys := make([]string, 0, len(pending))
	for k := range pending {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if used[k] {
			continue
		}
		h := pending[k]
		h.Status = catalog.HoldWithdrawn
		h.Decision = &catalog.Decision{Action: catalog.ActionWithdraw, At: at, Holds: []uint64{h.ID},
			Note: "the source no longer gives the held value, or it no longer breaks a rule"}
		out.Closed = append(out.Closed, h)
	}

	// A model a hold keeps published (a broken source's) is no longer
	// unmatched for the ids that resolve to it.
	publish.Unmatched = nil
	for _, u := range next.Unmatched {
		if u.Resolves != "" && publish.Models[u.Resolves] != nil {
			continue
		}
		publish.Unmatched = append(publish.Unmatched, u)
	}
	out.Publish = publish
	return out
}

// keepPublished keeps what a held change would alter at its published
// value in the state to publish.
func keepPublished(publish, pub *catalog.Snapshot, h catalog.Hold) {
	switch h.Kind {
	case catalog.HoldPrice:
		key, _ := priceHoldOffering(h.Key)
		o, p := publish.Offerings[key], pub.Offerings[key]
		if o == nil || p == nil {
			return
		}
		cp := *o
		*cp.PriceField(h.Field) = *p.PriceField(h.Field)
		publish.Offerings[key] = &cp
	case catalog.HoldOfferingAdded:
		delete(publish.Offerings, strings.TrimPrefix(h.Key, "offering:"))
	case catalog.HoldSurge:
		for _, o := range h.AddedOfferings {
			delete(publish.Offerings, o.Key())
		}
		for _, m := range h.AddedModels {
			delete(publish.Models, m.ID)
		}
	case catalog.HoldBreakage:
		for _, k := range h.RemovedOfferings {
			if p := pub.Offerings[k]; p != nil {
				cp := *p
				for _, n := range catalog.PriceFieldNames {
					cp.PriceField(n).Stale = cp.PriceField(n).Sourced()
				}
				cp.Context.Stale, cp.MaxOutput.Stale = cp.Context.Sourced(), cp.MaxOutput.Sourced()
				publish.Offerings[k] = &cp
			}
		}
		for _, id := range h.RemovedModels {
			if m := pub.Models[id]; m != nil {
				publish.Models[id] = m
			}
		}
	}
}

// surgeHold is the hold of a surge: the new offerings and models as next
// gives them, and a value that changes when the set of additions does.
func surgeHold(s surge, next *catalog.Snapshot, r Rules) catalog.Hold {
	h := catalog.Hold{Kind: catalog.HoldSurge, Key: "surge:" + s.source, Source: s.source, Reasons: []string{s.reason(r)}}
	sum := sha256.New()
	for _, k := range s.added {
		h.AddedOfferings = append(h.AddedOfferings, *next.Offerings[k])
		sum.Write([]byte(k + "\n"))
	}
	sum.Write([]byte{0})
	for _, id := range s.models {
		h.AddedModels = append(h.AddedModels, *next.Models[id])
		sum.Write([]byte(id + "\n"))
	}
	h.Value = fmt.Sprintf("%d offerings, %d models, sha256:%x", len(s.added), len(s.models), sum.Sum(nil))
	return h
}

// fingerprint identifies a price value: "fixed:201000", "free", "none".
func fingerprint(f catalog.Fact[catalog.Price]) string {
	if !f.Sourced() {
		return "none"
	}
	if f.Value.Kind == catalog.PriceFixed {
		return "fixed:" + f.Value.Amount.USD()
	}
	return f.Value.Kind.String()
}

func heldValue(h catalog.Hold) string {
	switch {
	case h.Price != nil:
		return h.Field + " " + priceFact(*h.Price)
	case len(h.Changes) > 0:
		return h.Changes[0].String()
	}
	return h.Value
}

func modelName(id string, snaps ...*catalog.Snapshot) string {
	for _, s := range snaps {
		if m := s.Models[id]; m != nil {
			if n := m.DisplayName(); n != id {
				return n
			}
		}
	}
	return ""
}

func cloneMap[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
