package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// Buckets of changes, held changes and review decisions.
var (
	bChanges    = []byte("changes")    // run id (u64 BE) → catalog.ChangeSet
	bHolds      = []byte("holds")      // hold id (u64 BE) → catalog.Hold
	bDecisions  = []byte("decisions")  // sequence (u64 BE) → catalog.Decision
	bDeliveries = []byte("deliveries") // run id (u64 BE) → catalog.Delivery
)

func init() {
	registerBuckets(bChanges, bHolds, bDecisions, bDeliveries)
	registerCheck(bChanges, checkChangeSet)
	registerCheck(bHolds, checkHold)
	registerCheck(bDecisions, checkDecision)
	registerCheck(bDeliveries, checkDelivery)
}

// seqKey reads an 8-byte sequential key (a run id, a hold id).
func seqKey(k []byte, what string) (uint64, error) {
	if len(k) != 8 {
		return 0, fmt.Errorf("key is %d bytes, want an 8-byte %s", len(k), what)
	}
	id := binary.BigEndian.Uint64(k)
	if id == 0 {
		return 0, fmt.Errorf("%s 0", what)
	}
	return id, nil
}

func checkChangeSet(k, v []byte) error {
	id, err := seqKey(k, "run id")
	if err != nil {
		return err
	}
	var cs catalog.ChangeSet
	if err := decodeStrict(v, &cs); err != nil {
		return err
	}
	if cs.Run != id {
		return fmt.Errorf("change set says run %d", cs.Run)
	}
	for i, c := range cs.Changes {
		switch c.Status {
		case catalog.ChangePublished:
		case catalog.ChangeHeld, catalog.ChangeRejected:
			if c.Hold == 0 {
				return fmt.Errorf("change %d is %s without a hold id", i, c.Status)
			}
		default:
			return fmt.Errorf("change %d: unknown status %q", i, c.Status)
		}
	}
	return nil
}

func checkHold(k, v []byte) error {
	id, err := seqKey(k, "hold id")
	if err != nil {
		return err
	}
	var h catalog.Hold
	if err := decodeStrict(v, &h); err != nil {
		return err
	}
	if h.ID != id {
		return fmt.Errorf("hold says id %d", h.ID)
	}
	switch h.Status {
	case catalog.HoldPending:
		if h.Decision != nil {
			return fmt.Errorf("pending hold with a decision")
		}
	case catalog.HoldApproved, catalog.HoldRejected, catalog.HoldWithdrawn, catalog.HoldSuperseded:
		if h.Decision == nil {
			return fmt.Errorf("%s hold without its decision", h.Status)
		}
	default:
		return fmt.Errorf("unknown hold status %q", h.Status)
	}
	if h.FirstRun == 0 || h.LastRun < h.FirstRun {
		return fmt.Errorf("runs %d..%d out of order", h.FirstRun, h.LastRun)
	}
	return nil
}

func checkDecision(k, v []byte) error {
	if _, err := seqKey(k, "sequence number"); err != nil {
		return err
	}
	var d catalog.Decision
	if err := decodeStrict(v, &d); err != nil {
		return err
	}
	if d.At.IsZero() || d.Action == "" {
		return fmt.Errorf("decision without an action or a time")
	}
	return nil
}

func checkDelivery(k, v []byte) error {
	id, err := seqKey(k, "run id")
	if err != nil {
		return err
	}
	var d catalog.Delivery
	if err := decodeStrict(v, &d); err != nil {
		return err
	}
	if d.Run != id {
		return fmt.Errorf("delivery says run %d", d.Run)
	}
	return nil
}

// ErrNotPending reports a decision on a hold that is already closed.
var ErrNotPending = errors.New("not pending")

// writeChanges stores a run's change set and holds inside CommitRun's
// transaction: new holds get their ids (and the change set points at them),
// every hold the run saw gets the run as its last, and closed holds get
// their decision recorded.
func writeChanges(tx *bolt.Tx, run uint64, c *Commit) error {
	hb := tx.Bucket(bHolds)
	ids := map[string]uint64{} // hold key → id, for the changes that name a hold by key
	for i := range c.Holds {
		h := &c.Holds[i]
		if h.ID == 0 {
			seq, err := hb.NextSequence()
			if err != nil {
				return err
			}
			h.ID, h.FirstRun = seq, run
		}
		ids[h.Key] = h.ID
		h.LastRun = run
		if err := putJSON(hb, u64(h.ID), h); err != nil {
			return err
		}
	}
	for i := range c.Closed {
		h := &c.Closed[i]
		if h.ID == 0 || h.Decision == nil {
			return fmt.Errorf("closing hold %d: no id or no decision", h.ID)
		}
		h.Decision.Run = run
		if err := putJSON(hb, u64(h.ID), h); err != nil {
			return err
		}
		if err := appendDecision(tx, *h.Decision); err != nil {
			return err
		}
	}
	if c.Changes == nil {
		return nil
	}
	c.Changes.Run = run
	for i := range c.Changes.Changes {
		ch := &c.Changes.Changes[i]
		if ch.Hold == 0 && ch.HoldKey != "" {
			ch.Hold = ids[ch.HoldKey]
		}
	}
	b := tx.Bucket(bChanges)
	b.FillPercent = 1.0 // append-only, sequential keys
	return putJSON(b, u64(run), c.Changes)
}

func appendDecision(tx *bolt.Tx, d catalog.Decision) error {
	b := tx.Bucket(bDecisions)
	b.FillPercent = 1.0
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return putJSON(b, u64(seq), d)
}

// ChangeSet returns the changes run id found, or ErrNotFound (a run that
// failed before normalising records none).
func (s *Store) ChangeSet(id uint64) (catalog.ChangeSet, error) {
	var cs catalog.ChangeSet
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bChanges)
		if b == nil {
			return ErrNotFound
		}
		return getJSON(b, u64(id), &cs)
	})
	if err != nil {
		return cs, fmt.Errorf("changes of run %d: %w", id, err)
	}
	return cs, nil
}

// ChangeSets returns the change sets of the runs that started at or after
// since, oldest first (every one when since is zero).
func (s *Store) ChangeSets(since time.Time) ([]catalog.ChangeSet, error) {
	var out []catalog.ChangeSet
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bChanges)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var cs catalog.ChangeSet
			if err := json.Unmarshal(v, &cs); err != nil {
				return fmt.Errorf("changes of run %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if !cs.At.Before(since) {
				out = append(out, cs)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read changes: %w", err)
	}
	return out, nil
}

// Holds returns the holds in one of the given statuses (all when none is
// given), oldest first.
func (s *Store) Holds(statuses ...catalog.HoldStatus) ([]catalog.Hold, error) {
	var out []catalog.Hold
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bHolds)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var h catalog.Hold
			if err := json.Unmarshal(v, &h); err != nil {
				return fmt.Errorf("hold %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if len(statuses) == 0 || contains(statuses, h.Status) {
				out = append(out, h)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read holds: %w", err)
	}
	return out, nil
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Decisions returns every recorded review decision, oldest first.
func (s *Store) Decisions() ([]catalog.Decision, error) {
	var out []catalog.Decision
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDecisions)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var d catalog.Decision
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("decision %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, d)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read decisions: %w", err)
	}
	return out, nil
}

// Approve publishes held values: for each hold it updates the published
// catalogue (a price fact, a new offering, or a broken source's removals),
// sets reviewed_at to at, and writes the price-history points with the
// value's effective date (the run that first gave it). Reject drops them:
// the published values stay. Either records the decision with its time and
// note. Every hold must be pending (or, for Approve, a rejected hold whose
// value the latest run still gave); otherwise nothing changes.
func (s *Store) Approve(ids []uint64, note string, at time.Time) ([]catalog.Hold, error) {
	return s.decide(catalog.ActionApprove, ids, note, at)
}

// Reject drops held values, recording the decision (see Approve).
func (s *Store) Reject(ids []uint64, note string, at time.Time) ([]catalog.Hold, error) {
	return s.decide(catalog.ActionReject, ids, note, at)
}

func (s *Store) decide(action catalog.Action, ids []uint64, note string, at time.Time) ([]catalog.Hold, error) {
	if len(ids) == 0 {
		return nil, errors.New("no hold ids given")
	}
	at = at.UTC()
	var out []catalog.Hold
	err := s.update(func(tx *bolt.Tx) error {
		out = nil
		hb := tx.Bucket(bHolds)
		var lastRun uint64
		if k, _ := tx.Bucket(bRuns).Cursor().Last(); k != nil {
			lastRun = binary.BigEndian.Uint64(k)
		}
		seen := map[uint64]bool{}
		for _, id := range ids {
			if seen[id] {
				return fmt.Errorf("hold %d is named twice", id)
			}
			seen[id] = true
			var h catalog.Hold
			if err := getJSON(hb, u64(id), &h); err != nil {
				if errors.Is(err, ErrNotFound) {
					return fmt.Errorf("hold %d: %w (see `llmref review`)", id, ErrNotFound)
				}
				return err
			}
			switch {
			case h.Status == catalog.HoldPending:
			case action == catalog.ActionApprove && h.Status == catalog.HoldRejected && h.LastRun == lastRun:
				// The operator changes their mind while the source
				// still gives the rejected value.
			default:
				when := ""
				if h.Decision != nil {
					when = " on " + h.Decision.At.Format(time.RFC3339)
				}
				return fmt.Errorf("hold %d was %s%s: %w", id, h.Status, when, ErrNotPending)
			}
			if action == catalog.ActionApprove {
				if err := applyHold(tx, &h, at); err != nil {
					return fmt.Errorf("approve hold %d: %w", id, err)
				}
				h.Status = catalog.HoldApproved
			} else {
				h.Status = catalog.HoldRejected
			}
			h.Decision = &catalog.Decision{Action: action, At: at, Note: note, Holds: []uint64{id}}
			if err := putJSON(hb, u64(id), h); err != nil {
				return err
			}
			out = append(out, h)
		}
		return appendDecision(tx, catalog.Decision{Action: action, At: at, Note: note, Holds: ids})
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	return out, nil
}

// applyHold publishes a held value inside a decision's transaction.
func applyHold(tx *bolt.Tx, h *catalog.Hold, at time.Time) error {
	offers, hist, models := tx.Bucket(bOfferings), tx.Bucket(bHistory), tx.Bucket(bModels)
	switch h.Kind {
	case catalog.HoldPrice:
		rest := strings.TrimPrefix(h.Key, "price:")
		i := strings.LastIndexByte(rest, '#')
		if i < 0 || h.Price == nil {
			return fmt.Errorf("malformed hold %q", h.Key)
		}
		key := rest[:i]
		var o catalog.Offering
		if err := getJSON(offers, []byte(key), &o); err != nil {
			return fmt.Errorf("offering %s is no longer published: %w", key, err)
		}
		f := o.PriceField(h.Field)
		if f == nil {
			return fmt.Errorf("unknown price field %q", h.Field)
		}
		nf := *h.Price
		nf.ReviewedAt, nf.ChangedAt, nf.Stale = at, h.FirstSeen, false
		*f = nf
		if err := putJSON(offers, []byte(key), o); err != nil {
			return err
		}
		var old *catalog.Price
		if len(h.Changes) > 0 {
			old = h.Changes[0].OldPrice
		}
		return approvePoint(hist, &o, h, old)
	case catalog.HoldOfferingAdded:
		if h.Offering == nil {
			return fmt.Errorf("malformed hold %q", h.Key)
		}
		o := *h.Offering
		if models.Get([]byte(o.ModelID)) == nil {
			return fmt.Errorf("model %s is no longer published", o.ModelID)
		}
		o.MarkReviewed(at)
		if err := putJSON(offers, []byte(o.Key()), o); err != nil {
			return err
		}
		return approvePoint(hist, &o, h, nil)
	case catalog.HoldBreakage:
		for _, key := range h.RemovedOfferings {
			if offers.Get([]byte(key)) == nil {
				continue
			}
			if err := offers.Delete([]byte(key)); err != nil {
				return err
			}
			p := catalog.PricePoint{Run: h.FirstRun, At: h.FirstSeen, Removed: true}
			if points, err := historyOf(hist, key); err != nil {
				return err
			} else if n := len(points); n > 0 && points[n-1].Run >= h.FirstRun {
				p.Run, p.At = h.LastRun, h.LastSeen
			}
			if err := putJSON(hist, historyKey(key, p.Run), p); err != nil {
				return err
			}
		}
		for _, id := range h.RemovedModels {
			prefix := []byte(id + "|")
			if k, _ := offers.Cursor().Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
				continue // the model still has offerings
			}
			if err := models.Delete([]byte(id)); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown hold kind %q", h.Kind)
}

// approvePoint writes the history of an approved price or offering: the
// point of the run that first gave the value (its effective date), and the
// held field in the later points that still carried the old value (they
// were written while the value waited).
func approvePoint(hist *bolt.Bucket, o *catalog.Offering, h *catalog.Hold, old *catalog.Price) error {
	key := o.Key()
	points, err := historyOf(hist, key)
	if err != nil {
		return err
	}
	set := func(p *catalog.PricePoint) bool {
		if h.Kind == catalog.HoldOfferingAdded {
			return false
		}
		v := h.Price.Value
		switch h.Field {
		case "input":
			p.Input = &v
		case "output":
			p.Output = &v
		case "cached_input":
			p.CachedInput = &v
		default:
			return false // not a price history tracks
		}
		return true
	}
	if h.Kind == catalog.HoldPrice && !set(&catalog.PricePoint{}) {
		return nil
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
	if exact >= 0 {
		p := points[exact]
		if h.Kind == catalog.HoldOfferingAdded {
			p = catalog.PointOf(o, h.FirstRun, p.At)
		}
		set(&p)
		if err := putJSON(hist, historyKey(key, p.Run), p); err != nil {
			return err
		}
	} else {
		var p catalog.PricePoint
		if before != nil && !before.Removed && h.Kind == catalog.HoldPrice {
			p = *before
		} else {
			p = catalog.PointOf(o, h.FirstRun, h.FirstSeen)
		}
		p.Run, p.At, p.Removed = h.FirstRun, h.FirstSeen, false
		if h.Price != nil {
			p.Source = h.Price.Source.URL
		}
		set(&p)
		if err := putJSON(hist, historyKey(key, p.Run), p); err != nil {
			return err
		}
	}
	for _, p := range points {
		if p.Run <= h.FirstRun || p.Removed {
			continue
		}
		var cur *catalog.Price
		switch h.Field {
		case "input":
			cur = p.Input
		case "output":
			cur = p.Output
		case "cached_input":
			cur = p.CachedInput
		}
		if !samePrice(cur, old) {
			continue
		}
		set(&p)
		if err := putJSON(hist, historyKey(key, p.Run), p); err != nil {
			return err
		}
	}
	return nil
}

func samePrice(a, b *catalog.Price) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// historyOf reads one offering's points, oldest first.
func historyOf(hist *bolt.Bucket, key string) ([]catalog.PricePoint, error) {
	prefix := append([]byte(key), 0)
	var out []catalog.PricePoint
	c := hist.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var p catalog.PricePoint
		if err := json.Unmarshal(v, &p); err != nil {
			return nil, fmt.Errorf("history %s: %w", key, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// MarkReviewed sets reviewed_at to at on every sourced fact of the named
// models and of their offerings, and records the decision, in one
// transaction. An unknown model changes nothing.
func (s *Store) MarkReviewed(ids []string, note string, at time.Time) error {
	if len(ids) == 0 {
		return errors.New("mark reviewed: no models given")
	}
	at = at.UTC()
	err := s.update(func(tx *bolt.Tx) error {
		models, offers := tx.Bucket(bModels), tx.Bucket(bOfferings)
		for _, id := range ids {
			var m catalog.Model
			if err := getJSON(models, []byte(id), &m); err != nil {
				if errors.Is(err, ErrNotFound) {
					return fmt.Errorf("model %s: %w in the published catalogue (see `llmref models`)", id, ErrNotFound)
				}
				return err
			}
			m.MarkReviewed(at)
			if err := putJSON(models, []byte(id), m); err != nil {
				return err
			}
			prefix := []byte(id + "|")
			var keys [][]byte
			c := offers.Cursor()
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				keys = append(keys, bytes.Clone(k))
			}
			for _, k := range keys {
				var o catalog.Offering
				if err := getJSON(offers, k, &o); err != nil {
					return err
				}
				o.MarkReviewed(at)
				if err := putJSON(offers, k, o); err != nil {
					return err
				}
			}
		}
		return appendDecision(tx, catalog.Decision{Action: catalog.ActionMarkReviewed, At: at, Note: note, Models: ids})
	})
	if err != nil {
		return fmt.Errorf("mark reviewed: %w", err)
	}
	return nil
}

// RecordDelivery stores how a run's webhook delivery went.
func (s *Store) RecordDelivery(d catalog.Delivery) error {
	err := s.update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bDeliveries), u64(d.Run), d)
	})
	if err != nil {
		return fmt.Errorf("record delivery of run %d: %w", d.Run, err)
	}
	return nil
}

// Delivery returns the webhook delivery record of a run, or ErrNotFound.
func (s *Store) Delivery(run uint64) (catalog.Delivery, error) {
	var d catalog.Delivery
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDeliveries)
		if b == nil {
			return ErrNotFound
		}
		return getJSON(b, u64(run), &d)
	})
	return d, err
}

// HistoryModels lists the models that have price history, in order,
// including models no longer published.
func (s *Store) HistoryModels() ([]string, error) {
	var out []string
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bHistory)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.First(); k != nil; {
			i := bytes.IndexByte(k, '|')
			if i < 0 {
				k, _ = c.Next()
				continue
			}
			model := string(k[:i])
			out = append(out, model)
			// Skip past every key of this model.
			k, _ = c.Seek(append([]byte(model), '|'+1))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("history models: %w", err)
	}
	sort.Strings(out)
	return out, nil
}
