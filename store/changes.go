package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
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
	if err := decodeChangeSet(v, &cs); err != nil {
		return fmt.Errorf("does not decode: %w", err)
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

// ErrNotPending reports a decision on a hold that is already closed (the
// planner's refusal, catalog.ErrNotPending).
var ErrNotPending = catalog.ErrNotPending

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
	b.FillPercent = 1.0                     // append-only, sequential keys
	data, err := encodeChangeSet(c.Changes) // see changeset.go
	if err != nil {
		return err
	}
	return b.Put(u64(run), data)
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
		v := b.Get(u64(id))
		if v == nil {
			return ErrNotFound
		}
		if err := decodeChangeSet(v, &cs); err != nil {
			return badRecord(bChanges, fmt.Sprint(id), err)
		}
		return nil
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
		runs := tx.Bucket(bRuns)
		return b.ForEach(func(k, v []byte) error {
			if !since.IsZero() && runs != nil {
				// A set's time is its run's start: a set before since is
				// not decoded at all (a first run's is the largest).
				var r struct {
					StartedAt time.Time `json:"started_at"`
				}
				if rv := runs.Get(k); rv != nil && json.Unmarshal(rv, &r) == nil && r.StartedAt.Before(since) {
					return nil
				}
			}
			var cs catalog.ChangeSet
			if err := decodeChangeSet(v, &cs); err != nil {
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

// LastDecision is the newest recorded review decision and its number
// (decisions are numbered from 1 as they are recorded, never removed),
// reading that one alone; ErrNotFound when there is none.
func (s *Store) LastDecision() (catalog.Decision, uint64, error) {
	var d catalog.Decision
	var n uint64
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDecisions)
		if b == nil {
			return ErrNotFound
		}
		k, v := b.Cursor().Last()
		if k == nil {
			return ErrNotFound
		}
		if len(k) == 8 {
			n = binary.BigEndian.Uint64(k)
		}
		return json.Unmarshal(v, &d)
	})
	if err != nil {
		return catalog.Decision{}, 0, fmt.Errorf("read the last decision: %w", err)
	}
	return d, n, nil
}

// Planner decides one hold for Decide: given the published state as the
// decision's transaction reads it, the hold as stored, and the operator's
// action, note and time, it returns what to write. The review rules are
// the planner's (changes.ApplyDecision); the store writes what it returns
// and nothing else.
type Planner func(pub catalog.PublishedReader, h catalog.Hold, action catalog.Action, note string, at time.Time) (catalog.HoldMutations, error)

// Decide records an operator's decision on holds in one transaction: each
// hold, in the order given, is read, planned by plan (which sees the writes
// of the holds before it) and written; then the decision is recorded with
// its time and note. An unknown hold, a hold named twice or a plan's error
// changes nothing. It returns the holds as decided.
func (s *Store) Decide(action catalog.Action, ids []uint64, note string, at time.Time, plan Planner) ([]catalog.Hold, error) {
	if len(ids) == 0 {
		return nil, errors.New("no hold ids given")
	}
	at = at.UTC()
	var out []catalog.Hold
	err := s.update(func(tx *bolt.Tx) error {
		out = nil
		hb := tx.Bucket(bHolds)
		pub := txReader{tx: tx}
		if k, _ := tx.Bucket(bRuns).Cursor().Last(); k != nil {
			pub.lastRun = binary.BigEndian.Uint64(k)
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
			m, err := plan(pub, h, action, note, at)
			if err != nil {
				return err
			}
			if m.Hold.ID != id {
				return fmt.Errorf("hold %d: the plan returned hold %d", id, m.Hold.ID)
			}
			if err := writeMutations(tx, m); err != nil {
				return err
			}
			out = append(out, m.Hold)
		}
		return appendDecision(tx, catalog.Decision{Action: action, At: at, Note: note, Holds: ids})
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	return out, nil
}

// writeMutations writes one hold's decision inside Decide's transaction.
func writeMutations(tx *bolt.Tx, m catalog.HoldMutations) error {
	offers, models, hist := tx.Bucket(bOfferings), tx.Bucket(bModels), tx.Bucket(bHistory)
	for i := range m.PutModels {
		if err := putJSON(models, []byte(m.PutModels[i].ID), &m.PutModels[i]); err != nil {
			return err
		}
	}
	for _, o := range m.PutOfferings {
		if err := putJSON(offers, []byte(o.Key()), o); err != nil {
			return err
		}
	}
	for _, key := range m.DropOfferings {
		if err := offers.Delete([]byte(key)); err != nil {
			return err
		}
	}
	for _, id := range m.DropModels {
		if err := models.Delete([]byte(id)); err != nil {
			return err
		}
	}
	for _, p := range m.Points {
		if err := putJSON(hist, historyKey(p.Offering, p.Point.Run), p.Point); err != nil {
			return err
		}
	}
	return putJSON(tx.Bucket(bHolds), u64(m.Hold.ID), m.Hold)
}

// txReader is the published catalogue inside a decision's transaction.
type txReader struct {
	tx      *bolt.Tx
	lastRun uint64
}

var _ catalog.PublishedReader = txReader{}

func (r txReader) LastRun() uint64 { return r.lastRun }

func (r txReader) Offering(key string) (*catalog.Offering, error) {
	var o catalog.Offering
	if err := getJSON(r.tx.Bucket(bOfferings), []byte(key), &o); err != nil {
		return nil, err
	}
	return &o, nil
}

func (r txReader) HasOffering(key string) bool {
	return r.tx.Bucket(bOfferings).Get([]byte(key)) != nil
}

func (r txReader) OfferingKeys(model string) []string {
	return offeringKeys(r.tx.Bucket(bOfferings), model)
}

func (r txReader) HasModel(id string) bool { return r.tx.Bucket(bModels).Get([]byte(id)) != nil }

func (r txReader) History(offering string) ([]catalog.PricePoint, error) {
	return historyOf(r.tx.Bucket(bHistory), offering)
}

// offeringKeys lists the keys of a model's offerings, in order.
func offeringKeys(offers *bolt.Bucket, model string) []string {
	prefix := []byte(model + "|")
	var keys []string
	c := offers.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, string(k))
	}
	return keys
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
			for _, k := range offeringKeys(offers, id) {
				var o catalog.Offering
				if err := getJSON(offers, []byte(k), &o); err != nil {
					return err
				}
				o.MarkReviewed(at)
				if err := putJSON(offers, []byte(k), o); err != nil {
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

// FailedDeliveries lists the runs before run whose webhook delivery
// failed since the last one that went through, at most max of them (the
// newest), oldest first.
func (s *Store) FailedDeliveries(before uint64, max int) ([]uint64, error) {
	var out []uint64
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDeliveries)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var k, v []byte
		if k, _ = c.Seek(u64(before)); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && len(out) < max; k, v = c.Prev() {
			var d catalog.Delivery
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("decode delivery %x: %w", k, err)
			}
			if d.OK {
				break
			}
			out = append(out, d.Run)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed deliveries: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}

// DeliveryTally is what the webhook delivery records say: how many
// deliveries succeeded and failed, and the latest run's.
type DeliveryTally struct {
	OK, Failed int
	// Last is the newest run's delivery; nil when none is recorded.
	Last *catalog.Delivery
}

// Deliveries tallies the webhook delivery records (one per run that had
// changes to report, made by any llmref process).
func (s *Store) Deliveries() (DeliveryTally, error) {
	var t DeliveryTally
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDeliveries)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var d catalog.Delivery
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("decode delivery %x: %w", k, err)
			}
			if d.OK {
				t.OK++
			} else {
				t.Failed++
			}
			t.Last = &d // keys are run ids in order: the last is the newest
			return nil
		})
	})
	if err != nil {
		return DeliveryTally{}, fmt.Errorf("deliveries: %w", err)
	}
	return t, nil
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
