package changes

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/llmref/llmref/catalog"
)

// ApplyDecision decides one hold: it says what an operator's approve or
// reject changes, as the writes the store makes in the decision's
// transaction. It reads the published state through pub and changes
// nothing itself.
//
// Only a pending hold can be decided or, for approve, a rejected hold whose
// value the latest run still gave (the operator changes their mind while
// the source repeats it); any other is refused with catalog.ErrNotPending.
//
// Approve publishes the held value, its facts reviewed at at:
//   - a price: the offering's price fact, changed when a source first
//     gave it; for a price history tracks (input, output, cached input),
//     the point of the run that first gave it (its effective date), and the
//     held price in the later points that still carried the old one (they
//     were written while the value waited);
//   - a new offering: the offering, with its point at the run that first
//     gave it;
//   - a surge of additions: its new models and offerings, reviewed at at,
//     each offering with its point at the run that first gave it;
//   - a source breakage: the broken source's offerings still published go,
//     each with a removal point (at the hold's first run, or its last when
//     the history already reaches the first), and so do the models left
//     without an offering.
//
// Reject leaves the published values as they are. Either way the hold
// takes its new status and its decision (action, time, note).
func ApplyDecision(pub catalog.PublishedReader, h catalog.Hold, action catalog.Action, note string, at time.Time) (catalog.HoldMutations, error) {
	var m catalog.HoldMutations
	if action != catalog.ActionApprove && action != catalog.ActionReject {
		return m, fmt.Errorf("hold %d: %q is not a decision on a hold", h.ID, action)
	}
	switch {
	case h.Status == catalog.HoldPending:
	case action == catalog.ActionApprove && h.Status == catalog.HoldRejected && h.LastRun == pub.LastRun():
		// The operator changes their mind while the source still gives
		// the rejected value.
	default:
		when := ""
		if h.Decision != nil {
			when = " on " + h.Decision.At.Format(time.RFC3339)
		}
		return m, fmt.Errorf("hold %d was %s%s: %w", h.ID, h.Status, when, catalog.ErrNotPending)
	}
	if action == catalog.ActionApprove {
		var err error
		if m, err = approve(pub, &h, at); err != nil {
			return catalog.HoldMutations{}, fmt.Errorf("approve hold %d: %w", h.ID, err)
		}
		h.Status = catalog.HoldApproved
	} else {
		h.Status = catalog.HoldRejected
	}
	h.Decision = &catalog.Decision{Action: action, At: at, Note: note, Holds: []uint64{h.ID}}
	m.Hold = h
	return m, nil
}

// approve is what publishing a held value writes (see ApplyDecision).
func approve(pub catalog.PublishedReader, h *catalog.Hold, at time.Time) (catalog.HoldMutations, error) {
	var m catalog.HoldMutations
	switch h.Kind {
	case catalog.HoldPrice:
		key, ok := priceHoldOffering(h.Key)
		if !ok || h.Price == nil {
			return m, fmt.Errorf("malformed hold %q", h.Key)
		}
		o, err := pub.Offering(key)
		if err != nil {
			return m, fmt.Errorf("offering %s is no longer published: %w", key, err)
		}
		f := o.PriceField(h.Field)
		if f == nil {
			return m, fmt.Errorf("unknown price field %q", h.Field)
		}
		nf := *h.Price
		nf.ReviewedAt, nf.ChangedAt, nf.Stale = catalog.StampOf(at), catalog.StampOf(h.FirstSeen), false
		*f = nf
		var old *catalog.Price
		if len(h.Changes) > 0 {
			old = h.Changes[0].OldPrice
		}
		m.PutOfferings = []catalog.Offering{*o}
		m.Points, err = approvedPoints(pub, o, h, old)
		return m, err
	case catalog.HoldOfferingAdded:
		if h.Offering == nil {
			return m, fmt.Errorf("malformed hold %q", h.Key)
		}
		o := *h.Offering
		o.Tiers = slices.Clone(o.Tiers) // marked reviewed below; the hold keeps the value as held
		if !pub.HasModel(o.ModelID) {
			return m, fmt.Errorf("model %s is no longer published", o.ModelID)
		}
		o.MarkReviewed(at)
		m.PutOfferings = []catalog.Offering{o}
		var err error
		m.Points, err = approvedPoints(pub, &o, h, nil)
		return m, err
	case catalog.HoldSurge:
		return approveSurge(pub, h, at)
	case catalog.HoldBreakage:
		dropped := map[string]bool{}
		for _, key := range h.RemovedOfferings {
			if dropped[key] || !pub.HasOffering(key) {
				continue
			}
			dropped[key] = true
			m.DropOfferings = append(m.DropOfferings, key)
			p := catalog.PricePoint{Run: h.FirstRun, At: h.FirstSeen, Removed: true}
			points, err := pub.History(key)
			if err != nil {
				return m, err
			}
			if n := len(points); n > 0 && points[n-1].Run >= h.FirstRun {
				p.Run, p.At = h.LastRun, h.LastSeen
			}
			m.Points = append(m.Points, catalog.OfferingPoint{Offering: key, Point: p})
		}
		for _, id := range h.RemovedModels {
			if !slices.ContainsFunc(pub.OfferingKeys(id), func(k string) bool { return !dropped[k] }) {
				m.DropModels = append(m.DropModels, id)
			}
		}
		return m, nil
	}
	return m, fmt.Errorf("unknown hold kind %q", h.Kind)
}

// approveSurge publishes a surge's additions: its models, then its
// offerings (each of a model published or published with it), reviewed at
// at, each offering with its point at the hold's first run.
func approveSurge(pub catalog.PublishedReader, h *catalog.Hold, at time.Time) (catalog.HoldMutations, error) {
	var m catalog.HoldMutations
	if len(h.AddedOfferings) == 0 {
		return m, fmt.Errorf("malformed hold %q: no offerings", h.Key)
	}
	with := map[string]bool{}
	for _, held := range h.AddedModels {
		md := held
		md.Capabilities = maps.Clone(held.Capabilities) // the hold keeps the value as held
		md.MarkReviewed(at)
		m.PutModels = append(m.PutModels, md)
		with[md.ID] = true
	}
	for _, held := range h.AddedOfferings {
		o := held
		o.Tiers = slices.Clone(held.Tiers)
		if !with[o.ModelID] && !pub.HasModel(o.ModelID) {
			return catalog.HoldMutations{}, fmt.Errorf("model %s of offering %s is no longer published", o.ModelID, o.Key())
		}
		o.MarkReviewed(at)
		m.PutOfferings = append(m.PutOfferings, o)
		m.Points = append(m.Points, catalog.OfferingPoint{Offering: o.Key(), Point: catalog.PointOf(&o, h.FirstRun, h.FirstSeen)})
	}
	return m, nil
}

// approvedPoints are the history points of an approved price or offering:
// the point of the run that first gave the value (its effective date), and
// for a price the later points that still carried the old value (they were
// written while the value waited), with the held price.
func approvedPoints(pub catalog.PublishedReader, o *catalog.Offering, h *catalog.Hold, old *catalog.Price) ([]catalog.OfferingPoint, error) {
	// set writes the held price into a point; false for a new offering
	// or a price history does not track.
	set := func(p *catalog.PricePoint) bool {
		if h.Kind != catalog.HoldPrice {
			return false
		}
		slot := pointPrice(p, h.Field)
		if slot == nil {
			return false
		}
		v := h.Price.Value
		*slot = &v
		return true
	}
	key := o.Key()
	points, err := pub.History(key)
	if err != nil {
		return nil, err
	}
	if h.Kind == catalog.HoldPrice && pointPrice(&catalog.PricePoint{}, h.Field) == nil {
		return nil, nil
	}
	var before *catalog.PricePoint
	exact := -1
	for i := range points {
		switch {
		case points[i].Run < h.FirstRun:
			before = &points[i]
		case points[i].Run == h.FirstRun:
			exact = i
		}
	}
	var p catalog.PricePoint
	switch {
	case exact >= 0:
		p = points[exact]
		if h.Kind == catalog.HoldOfferingAdded {
			p = catalog.PointOf(o, h.FirstRun, p.At)
		}
	default:
		if before != nil && !before.Removed && h.Kind == catalog.HoldPrice {
			p = *before
		} else {
			p = catalog.PointOf(o, h.FirstRun, h.FirstSeen)
		}
		p.Run, p.At, p.Removed = h.FirstRun, h.FirstSeen, false
		if h.Price != nil {
			p.Source = h.Price.Source.URL()
		}
	}
	set(&p)
	out := []catalog.OfferingPoint{{Offering: key, Point: p}}
	for _, p := range points {
		if p.Run <= h.FirstRun || p.Removed {
			continue
		}
		var cur *catalog.Price
		if slot := pointPrice(&p, h.Field); slot != nil {
			cur = *slot
		}
		if samePrice(cur, old) && set(&p) {
			out = append(out, catalog.OfferingPoint{Offering: key, Point: p})
		}
	}
	return out, nil
}

// pointPrice is the price of a history point named as change reports name
// it, or nil for a price history does not track.
func pointPrice(p *catalog.PricePoint, field string) **catalog.Price {
	switch field {
	case "input":
		return &p.Input
	case "output":
		return &p.Output
	case "cached_input":
		return &p.CachedInput
	}
	return nil
}

func samePrice(a, b *catalog.Price) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// priceHoldOffering is the offering key of a price hold's key
// ("price:<offering key>#<field>").
func priceHoldOffering(holdKey string) (string, bool) {
	rest := strings.TrimPrefix(holdKey, "price:")
	i := strings.LastIndexByte(rest, '#')
	if i < 0 {
		return "", false
	}
	return rest[:i], true
}
