package changes

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/llmref/llmref/catalog"
)

// ReportSchemaVersion is the version of the JSON report (and of the
// exported changes/<run-id>.json files).
const ReportSchemaVersion = 1

// Report is the change report of one or more runs. Its JSON form is what
// `llmref changes --format json` prints, what the export writes as
// changes/<run-id>.json and what the webhook receives; Markdown and HTML
// render it for people.
type Report struct {
	SchemaVersion int         `json:"schema_version"`
	Runs          []ReportRun `json:"runs"`
	// Counts are the changes by kind; Statuses by what became of them.
	Counts   map[string]int `json:"counts"`
	Statuses map[string]int `json:"statuses"`
	Changes  []Entry        `json:"changes"`
}

// ReportRun is a run the report covers.
type ReportRun struct {
	ID        uint64            `json:"id"`
	StartedAt time.Time         `json:"started_at"`
	Status    catalog.RunStatus `json:"status,omitempty"`
	Replay    string            `json:"replay,omitempty"`
}

// Entry is one change of the report.
type Entry struct {
	Run uint64 `json:"run"`
	catalog.RunChange
	ProviderName string `json:"provider_name,omitempty"`
	// Review is where the change's hold stands now: still pending, or
	// decided (approved, rejected, withdrawn, superseded) with when and
	// why.
	Review *HoldState `json:"review,omitempty"`
}

// HoldState is the current state of a held change.
type HoldState struct {
	Hold      uint64             `json:"hold"`
	Status    catalog.HoldStatus `json:"status"`
	DecidedAt *time.Time         `json:"decided_at,omitempty"`
	Note      string             `json:"note,omitempty"`
}

// NewReport builds the report of the given change sets. runs supplies each
// run's record (status, replay) and holds each hold's current state; either
// may miss entries.
func NewReport(sets []catalog.ChangeSet, runs map[uint64]catalog.Run, holds map[uint64]catalog.Hold) Report {
	r := Report{SchemaVersion: ReportSchemaVersion, Runs: []ReportRun{}, Changes: []Entry{}, Counts: map[string]int{}, Statuses: map[string]int{}}
	for _, cs := range sets {
		rr := ReportRun{ID: cs.Run, StartedAt: cs.At.UTC()}
		if run, ok := runs[cs.Run]; ok {
			rr.Status, rr.Replay = run.Status, run.Replay
		}
		r.Runs = append(r.Runs, rr)
		for _, ch := range cs.Changes {
			e := Entry{Run: cs.Run, RunChange: ch}
			if ch.Provider != "" {
				e.ProviderName = catalog.ProviderOf(ch.Provider).Name
			}
			if ch.Hold != 0 {
				rv := &HoldState{Hold: ch.Hold, Status: catalog.HoldPending}
				if h, ok := holds[ch.Hold]; ok {
					rv.Status = h.Status
					if h.Decision != nil {
						t := h.Decision.At.UTC()
						rv.DecidedAt, rv.Note = &t, h.Decision.Note
					}
				}
				e.Review = rv
			}
			r.Counts[string(ch.Kind)]++
			r.Statuses[string(ch.Status)]++
			r.Changes = append(r.Changes, e)
		}
	}
	return r
}

// Held lists the entries still waiting for an operator.
func (r Report) Held() []Entry {
	var out []Entry
	for _, e := range r.Changes {
		if e.Status == catalog.ChangeHeld && (e.Review == nil || e.Review.Status == catalog.HoldPending) {
			out = append(out, e)
		}
	}
	return out
}

// row is one line of a rendered table.
type row struct {
	Run        uint64
	Model      string // display name
	ModelID    string
	What       string
	Old, New   string
	Delta, Pct string
	SourceName string
	SourceURL  string
	Status     string // "", "held #3", "approved #3", ...
	Class      string // CSS class: held, rejected, approved
	Reasons    string
	Detail     string
	move       *big.Rat // size of a price move, for ordering
	holdID     uint64
}

// table is a titled group of rows.
type table struct {
	Title string
	Rows  []row
}

// view is the report laid out for people: held changes first, one table per
// provider (largest moves first), then models, specs, stale sources,
// conflicts and unmatched ids.
type view struct {
	Title     string
	Runs      []ReportRun
	Summary   string
	MultiRun  bool
	Held      []row
	Providers []table
	Models    []row
	Specs     []row
	Stale     []row
	Conflicts []row
	Unmatched []row
}

// money writes a USD amount with at least two decimals, exactly: $0.20,
// $0.201, $14.00, $0.027.
func money(m catalog.Money) string { return m.Text() }

func priceText(p *catalog.Price, fallback string) string {
	if p == nil {
		if fallback == "" {
			return "—"
		}
		return fallback
	}
	switch p.Kind {
	case catalog.PriceFixed:
		return money(p.Amount)
	case catalog.PriceFree:
		return "free"
	case catalog.PriceVariable:
		return "variable"
	}
	return string(p.Kind)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func statusText(e Entry) (string, string) {
	switch {
	case e.Review != nil && e.Review.Status != catalog.HoldPending:
		return fmt.Sprintf("%s #%d", e.Review.Status, e.Review.Hold), string(e.Review.Status)
	case e.Status == catalog.ChangeHeld:
		return fmt.Sprintf("HELD #%d", e.Hold), "held"
	case e.Status == catalog.ChangeRejected:
		return fmt.Sprintf("rejected before (#%d)", e.Hold), "rejected"
	}
	return "", ""
}

func kindText(e Entry) string {
	switch e.Kind {
	case catalog.ChangePrice:
		return strings.ReplaceAll(e.Field, "_", " ") + " price"
	case catalog.ChangeOfferingAdded:
		return "offering added"
	case catalog.ChangeOfferingRemoved:
		return "offering removed"
	case catalog.ChangeModelAdded:
		return "model added"
	case catalog.ChangeModelRemoved:
		return "model removed"
	case catalog.ChangeSpec:
		return strings.ReplaceAll(e.Field, "_", " ")
	case catalog.ChangeConflict:
		return "conflict on " + strings.ReplaceAll(e.Field, "_", " ")
	case catalog.ChangeUnmatched:
		return "unmatched id"
	case catalog.ChangeSourceStale:
		return "source stale"
	}
	return string(e.Kind)
}

func newRow(e Entry) row {
	rw := row{Run: e.Run, holdID: e.Hold, ModelID: e.Model, Model: e.ModelName, What: kindText(e), Old: orDash(e.Old), New: orDash(e.New),
		SourceName: e.Source.Name, SourceURL: e.Source.URL, Detail: e.Detail, Reasons: strings.Join(e.Reasons, "; ")}
	if rw.Model == "" {
		rw.Model = e.Model
	}
	if e.Region != "" {
		rw.What += " (" + e.Region + ")"
	}
	if e.Variant != "" {
		rw.What += " :" + e.Variant
	}
	rw.Status, rw.Class = statusText(e)
	if e.Kind == catalog.ChangeOfferingAdded || e.Kind == catalog.ChangeOfferingRemoved {
		rw.Old, rw.New = shortPrices(rw.Old), shortPrices(rw.New)
	}
	if e.Kind == catalog.ChangePrice {
		rw.Old, rw.New = priceText(e.OldPrice, catalog.NotYetSourced), priceText(e.NewPrice, catalog.NotYetSourced)
		if e.Delta != nil {
			d := *e.Delta
			if d >= 0 {
				rw.Delta = "+" + money(d)
			} else {
				rw.Delta = "−" + money(-d)
			}
			rw.Pct = e.DeltaPct
		}
		rw.move = moveSize(e.OldPrice, e.NewPrice)
	}
	return rw
}

// moveSize is |new − old| / old for two listed amounts; a move to or from
// zero, free or nothing counts as a whole (1).
func moveSize(old, next *catalog.Price) *big.Rat {
	if old != nil && next != nil && old.Comparable() && next.Comparable() && old.Amount != 0 {
		d := new(big.Rat).SetInt64(int64(next.Amount - old.Amount))
		d.Abs(d)
		return d.Quo(d, new(big.Rat).SetInt64(int64(old.Amount)))
	}
	return big.NewRat(1, 1)
}

func (r Report) view() view {
	v := view{Runs: r.Runs, MultiRun: len(r.Runs) > 1}
	switch len(r.Runs) {
	case 0:
		v.Title = "llmref changes: no runs"
	case 1:
		v.Title = fmt.Sprintf("llmref changes: run %d", r.Runs[0].ID)
	default:
		v.Title = fmt.Sprintf("llmref changes: runs %d–%d", r.Runs[0].ID, r.Runs[len(r.Runs)-1].ID)
	}
	providers := map[string]*table{}
	// One line per hold: a source breakage holds many removals at once.
	heldAt := map[uint64]int{}
	type group struct{ offerings, models int }
	groups := map[uint64]*group{}
	for _, e := range r.Changes {
		rw := newRow(e)
		if e.Status == catalog.ChangeHeld && (e.Review == nil || e.Review.Status == catalog.HoldPending) {
			g := groups[e.Hold]
			if g == nil {
				g = &group{}
				groups[e.Hold] = g
			}
			switch e.Kind {
			case catalog.ChangeOfferingRemoved:
				g.offerings++
			case catalog.ChangeModelRemoved:
				g.models++
			}
			if _, seen := heldAt[e.Hold]; !seen || e.Hold == 0 {
				h := rw
				h.What = strings.TrimSpace(rw.Model + " — " + rw.What)
				if e.Provider != "" {
					h.What = strings.TrimSpace(fmt.Sprintf("%s at %s — %s", rw.Model, e.ProviderName, rw.What))
				}
				heldAt[e.Hold] = len(v.Held)
				v.Held = append(v.Held, h)
			}
		}
		switch e.Kind {
		case catalog.ChangePrice, catalog.ChangeOfferingAdded, catalog.ChangeOfferingRemoved:
			t := providers[e.Provider]
			if t == nil {
				t = &table{Title: e.ProviderName}
				providers[e.Provider] = t
			}
			t.Rows = append(t.Rows, rw)
		case catalog.ChangeSpec:
			if e.Provider != "" {
				rw.What = e.ProviderName + " " + rw.What
			}
			v.Specs = append(v.Specs, rw)
		case catalog.ChangeModelAdded, catalog.ChangeModelRemoved:
			v.Models = append(v.Models, rw)
		case catalog.ChangeSourceStale:
			v.Stale = append(v.Stale, rw)
		case catalog.ChangeConflict:
			if e.Provider != "" {
				rw.What = e.ProviderName + " " + rw.What
			}
			v.Conflicts = append(v.Conflicts, rw)
		case catalog.ChangeUnmatched:
			v.Unmatched = append(v.Unmatched, rw)
		}
	}
	for id, i := range heldAt {
		if g := groups[id]; g.offerings+g.models > 1 {
			h := &v.Held[i]
			h.What = fmt.Sprintf("%s: %s and %s vanished at once (source breakage)", h.SourceName, plural(g.offerings, "offering"), plural(g.models, "model"))
			h.Old, h.New, h.Delta, h.Pct = "published", "removed", "", ""
		}
	}
	sort.SliceStable(v.Held, func(i, j int) bool {
		return v.Held[i].Run < v.Held[j].Run || v.Held[i].Run == v.Held[j].Run && v.Held[i].holdID < v.Held[j].holdID
	})
	names := make([]string, 0, len(providers))
	for p := range providers {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		t := providers[p]
		sort.SliceStable(t.Rows, func(i, j int) bool {
			a, b := t.Rows[i], t.Rows[j]
			if (a.move != nil) != (b.move != nil) {
				return a.move != nil // price changes before offerings added and removed
			}
			if a.move != nil {
				if c := a.move.Cmp(b.move); c != 0 {
					return c > 0 // largest moves first
				}
			}
			return false
		})
		v.Providers = append(v.Providers, *t)
	}
	v.Summary = r.summary()
	return v
}

func (r Report) summary() string {
	var parts []string
	for _, k := range []struct {
		kind       catalog.ChangeKind
		one, other string
	}{
		{catalog.ChangePrice, "price changed", "prices changed"},
		{catalog.ChangeOfferingAdded, "offering added", "offerings added"},
		{catalog.ChangeOfferingRemoved, "offering removed", "offerings removed"},
		{catalog.ChangeModelAdded, "model added", "models added"},
		{catalog.ChangeModelRemoved, "model removed", "models removed"},
		{catalog.ChangeSpec, "spec changed", "specs changed"},
		{catalog.ChangeSourceStale, "source stale", "sources stale"},
		{catalog.ChangeConflict, "conflict appeared", "conflicts appeared"},
		{catalog.ChangeUnmatched, "unmatched id appeared", "unmatched ids appeared"},
	} {
		switch n := r.Counts[string(k.kind)]; n {
		case 0:
		case 1:
			parts = append(parts, "1 "+k.one)
		default:
			parts = append(parts, fmt.Sprintf("%d %s", n, k.other))
		}
	}
	if len(parts) == 0 {
		return "No changes."
	}
	s := strings.Join(parts, ", ") + "."
	held := r.Held()
	ids := map[uint64]bool{}
	for _, e := range held {
		ids[e.Hold] = true
	}
	switch {
	case len(held) == 0:
		s += " Nothing is held for review."
	case len(held) == 1:
		s += " 1 change is held for review."
	case len(ids) == len(held):
		s += fmt.Sprintf(" %d changes are held for review.", len(held))
	default:
		s += fmt.Sprintf(" %d changes are held for review, in %s.", len(held), plural(len(ids), "hold"))
	}
	if n := r.Statuses[string(catalog.ChangeRejected)]; n > 0 {
		s += fmt.Sprintf(" %d repeat a value an operator rejected (kept out).", n)
	}
	return s
}

// PriceText writes a price for people: "$0.20", "$0.201", "free",
// "variable", or "—" for none.
func PriceText(p *catalog.Price) string { return priceText(p, "") }

// shortPrices drops the unit from an offering's price summary: "$0.027 in /
// $0.2 out" (every price is per 1M tokens).
func shortPrices(s string) string { return strings.ReplaceAll(s, " / 1M tokens", "") }
