package changes

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
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
	// Counts are the changes the runs found anew, by kind; Carried
	// counts the changes still held since an earlier run, found again
	// (not in Counts). Statuses count every change by what became of it.
	Counts   map[string]int `json:"counts"`
	Carried  int            `json:"carried,omitempty"`
	Statuses map[string]int `json:"statuses"`
	Changes  []Entry        `json:"changes"`
	// Omitted counts the changes left out of Changes to keep a webhook's
	// report within its receiver's size limit (see Shortened): Counts and
	// Statuses still count them. Zero, and absent, in a whole report.
	Omitted int `json:"omitted,omitempty"`
	// CompleteReport is, with Omitted, where the whole report is: its path
	// in the published tree (changes/<run-id>.json); empty when the run
	// publishes no tree (`llmref changes --run N --format json` prints it).
	CompleteReport string `json:"complete_report,omitempty"`
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
	since  uint64     // the hold's first run
	// Carried marks a change still held since an earlier run: found
	// again, not new.
	Carried bool `json:"carried,omitempty"`
	// Why are the reasons in words, each once.
	Why []Reason `json:"why,omitempty"`
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
					e.Carried = ch.Status == catalog.ChangeHeld && h.FirstRun != 0 && h.FirstRun < cs.Run
					e.since = h.FirstRun
				}
				e.Review = rv
			}
			e.Why = Explain(ch.Reasons)
			if e.Carried {
				r.Carried++
			} else {
				r.Counts[string(ch.Kind)]++
			}
			r.Statuses[string(ch.Status)]++
			r.Changes = append(r.Changes, e)
		}
	}
	return r
}

// Shortened is the report with at most keep of its changes: those still
// waiting for an operator first, then the others, each in the report's
// order; the kept ones stay in the report's order. Omitted counts those
// left out (Counts and Statuses are the whole report's).
func (r Report) Shortened(keep int) Report {
	keep = max(keep, 0)
	if keep >= len(r.Changes) {
		return r
	}
	chosen := make([]bool, len(r.Changes))
	n := 0
	for _, held := range []bool{true, false} {
		for i, e := range r.Changes {
			if n < keep && e.pending() == held {
				chosen[i] = true
				n++
			}
		}
	}
	out := r
	out.Changes = make([]Entry, 0, keep)
	for i, e := range r.Changes {
		if chosen[i] {
			out.Changes = append(out.Changes, e)
		}
	}
	out.Omitted = r.Omitted + len(r.Changes) - len(out.Changes)
	return out
}

// Held lists the entries still waiting for an operator.
func (r Report) Held() []Entry {
	var out []Entry
	for _, e := range r.Changes {
		if e.pending() {
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
	Detail     string
	move       *big.Rat // size of a price move, for ordering
}

// heldRow is one hold of the Held section: the change (or, for a source
// breakage, the many removals) it keeps out.
type heldRow struct {
	HoldView
	Run   uint64
	Since uint64 // the hold's first run when it is earlier than Run
}

// table is a titled group of rows; More counts those left out of a
// shortened page (see capRows).
type table struct {
	Title string
	Rows  []row
	More  int
}

// view is the report laid out for people: held changes first (and only
// there), one table per provider (largest moves first), then models,
// specs, stale sources, conflicts and unmatched ids.
type view struct {
	Title     string
	Runs      []ReportRun
	Summary   string
	MultiRun  bool
	Held      []heldRow
	Providers []table
	Models    []row
	Specs     []row
	Stale     []row
	Conflicts []row
	Unmatched []row
	// More counts each section's rows left out of a shortened page
	// (HTMLShort), by section; Whole says where the whole report is.
	More  sectionsMore
	Whole string
}

// sectionsMore counts the rows a shortened page leaves out, by section.
type sectionsMore struct {
	Held, Models, Specs, Stale, Conflicts, Unmatched int
}

// capRows keeps at most n rows of each section (the first ones: the
// largest moves in a provider's table), counting the rest in More.
func (v *view) capRows(n int) {
	cut := func(rows []row) ([]row, int) {
		if len(rows) <= n {
			return rows, 0
		}
		return rows[:n], len(rows) - n
	}
	if len(v.Held) > n {
		v.Held, v.More.Held = v.Held[:n], len(v.Held)-n
	}
	for i := range v.Providers {
		v.Providers[i].Rows, v.Providers[i].More = cut(v.Providers[i].Rows)
	}
	v.Models, v.More.Models = cut(v.Models)
	v.Specs, v.More.Specs = cut(v.Specs)
	v.Stale, v.More.Stale = cut(v.Stale)
	v.Conflicts, v.More.Conflicts = cut(v.Conflicts)
	v.Unmatched, v.More.Unmatched = cut(v.Unmatched)
}

// priceText writes a price in the text style (catalog.Money.Text: at least
// two decimals, exactly), or fallback when there is none.
func priceText(p *catalog.Price, fallback string) string {
	if p == nil {
		if fallback == "" {
			return "—"
		}
		return fallback
	}
	switch p.Kind {
	case catalog.PriceFixed:
		return p.Amount.Text()
	case catalog.PriceFree:
		return "free"
	case catalog.PriceVariable:
		return "variable"
	}
	return p.Kind.String()
}

// valueText writes a change's old or new value, a display form as the
// catalogue keeps it, in the style of the text output: a fixed price
// (catalog.Price's display, "$0.2 / 1M tokens") as money with at least two
// decimals and no unit ("$0.20": every price here is per 1M tokens), and a
// token count of a context or max-output field written in full ("400,000",
// "131072") in K and M ("400K", "128K"). Anything else stays as it is; the
// exact display is in the change's JSON.
func valueText(field, display string) string {
	if amount, ok := strings.CutPrefix(display, "$"); ok {
		if amount, ok := strings.CutSuffix(amount, " / 1M tokens"); ok {
			if m, err := catalog.ParseUSD(amount); err == nil {
				return m.Text()
			}
		}
	}
	switch field {
	case "context_window", "context", "max_output":
		n, err := strconv.ParseInt(strings.ReplaceAll(display, ",", ""), 10, 64)
		if err == nil && n > 0 && (display == strconv.FormatInt(n, 10) || display == catalog.Thousands(n)) {
			return catalog.Tokens{N: n}.Text()
		}
	}
	return display
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
		return fieldText(e.Field) + " price"
	case catalog.ChangeOfferingAdded:
		return "offering added"
	case catalog.ChangeOfferingRemoved:
		return "offering removed"
	case catalog.ChangeModelAdded:
		return "model added"
	case catalog.ChangeModelRemoved:
		return "model removed"
	case catalog.ChangeSpec:
		return fieldText(e.Field)
	case catalog.ChangeConflict:
		return "conflict on " + fieldText(e.Field)
	case catalog.ChangeUnmatched:
		return "unmatched id"
	case catalog.ChangeSourceStale:
		return "source stale"
	}
	return fieldText(string(e.Kind))
}

func newRow(e Entry) row {
	rw := row{Run: e.Run, ModelID: e.Model, Model: orID(e.ModelName, e.Model), What: kindText(e), Old: orDash(e.Old), New: orDash(e.New),
		SourceName: e.Source.Name(), SourceURL: e.Source.URL(), Detail: e.Detail}
	if e.Region != "" {
		rw.What += " (" + e.Region + ")"
	}
	if e.Variant != "" {
		rw.What += " :" + e.Variant
	}
	rw.Status, rw.Class = statusText(e)
	switch e.Kind {
	case catalog.ChangeOfferingAdded, catalog.ChangeOfferingRemoved:
		rw.Old, rw.New = shortPrices(rw.Old), shortPrices(rw.New)
	case catalog.ChangeSpec, catalog.ChangeConflict:
		rw.Old, rw.New = valueText(e.Field, rw.Old), valueText(e.Field, rw.New)
	}
	if e.Kind == catalog.ChangePrice {
		rw.Old, rw.New = priceText(e.OldPrice, catalog.NotYetSourced), priceText(e.NewPrice, catalog.NotYetSourced)
		if e.Delta != nil {
			rw.Delta, rw.Pct = deltaText(e.Delta), e.DeltaPct
		}
		rw.move = moveSize(e.OldPrice, e.NewPrice)
	}
	return rw
}

// pending reports whether e waits for an operator: held, and its hold not
// decided since.
func (e Entry) pending() bool {
	return e.Status == catalog.ChangeHeld && (e.Review == nil || e.Review.Status == catalog.HoldPending)
}

// heldRows gives one row per pending hold, in order of the first run of
// the report that holds it and of hold: the hold's changes in that run, as
// the report's entries carry them, described as the review page describes
// a hold.
func (r Report) heldRows() []heldRow {
	type group struct {
		hold  catalog.Hold
		run   uint64 // the first run of the report that holds it
		since uint64
	}
	var order []*group
	byHold := map[uint64]*group{}
	names := map[string]string{}
	for _, e := range r.Changes {
		if e.ModelName != "" {
			names[e.Model] = e.ModelName
		}
		if !e.pending() {
			continue
		}
		g := byHold[e.Hold]
		switch {
		case g == nil || e.Hold == 0: // not numbered: a hold of its own
			g = &group{hold: catalog.Hold{ID: e.Hold, Kind: catalog.HoldPrice, Reasons: e.Reasons}, run: e.Run}
			if e.Carried {
				g.since = e.since
			}
			if e.Hold != 0 {
				byHold[e.Hold] = g
			}
			order = append(order, g)
		case g.run != e.Run:
			continue // held again in a later run of the report: listed once
		}
		h := &g.hold
		h.Changes = append(h.Changes, e.Change)
		switch e.Kind {
		case catalog.ChangeOfferingAdded:
			h.Kind = catalog.HoldOfferingAdded
		case catalog.ChangeOfferingRemoved:
			h.RemovedOfferings = append(h.RemovedOfferings, catalog.OfferingKey(e.Model, e.Provider, e.Region, e.Variant))
		case catalog.ChangeModelRemoved:
			h.RemovedModels = append(h.RemovedModels, e.Model)
		}
	}
	name := func(id string) string { return names[id] }
	out := make([]heldRow, 0, len(order))
	for _, g := range order {
		h := &g.hold
		if len(h.RemovedOfferings)+len(h.RemovedModels) > 0 {
			h.Kind = catalog.HoldBreakage
			h.Source = breakageSource(h)
		}
		if src := surgeSource(h.Reasons); src != "" {
			h.Kind, h.Source = catalog.HoldSurge, src
		}
		out = append(out, heldRow{HoldView: DescribeHold(*h, name), Run: g.run, Since: g.since})
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Run < out[j].Run || out[i].Run == out[j].Run && out[i].ID < out[j].ID
	})
	return out
}

// surgeSource names the source of a surge hold from its reason
// ("added_pct: openrouter added 102 new offerings …"); "" for another hold.
func surgeSource(reasons []string) string {
	for _, r := range reasons {
		if rest, ok := strings.CutPrefix(r, RuleAdded+": "); ok {
			src, _, _ := strings.Cut(rest, " ")
			return src
		}
	}
	return ""
}

// breakageSource names the broken source of a breakage hold from its
// reason ("13 of 20 openrouter offerings vanished"), else from its changes.
func breakageSource(h *catalog.Hold) string {
	for _, r := range h.Reasons {
		if rest, ok := strings.CutPrefix(r, RuleVanished+": "); ok {
			if m := reVanished.FindStringSubmatch(rest); m != nil {
				return m[3]
			}
		}
	}
	if len(h.Changes) > 0 {
		return h.Changes[0].Source.Name()
	}
	return ""
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
	v := view{Runs: r.Runs, MultiRun: len(r.Runs) > 1, Held: r.heldRows()}
	switch len(r.Runs) {
	case 0:
		v.Title = "llmref changes: no runs"
	case 1:
		v.Title = fmt.Sprintf("llmref changes: run %d", r.Runs[0].ID)
	default:
		v.Title = fmt.Sprintf("llmref changes: runs %d–%d", r.Runs[0].ID, r.Runs[len(r.Runs)-1].ID)
	}
	providers := map[string]*table{}
	for _, e := range r.Changes {
		if e.pending() {
			continue // in the Held section only
		}
		rw := newRow(e)
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
		if r.Carried == 0 {
			return "No changes."
		}
		parts = append(parts, "No new changes")
	}
	s := strings.Join(parts, ", ") + "."
	// A change held across the runs of the report is one change.
	changes, ids, earlier := map[string]bool{}, map[uint64]bool{}, map[uint64]bool{}
	for _, e := range r.Held() {
		changes[fmt.Sprintf("%d %s %s", e.Hold, e.Kind, e.Subject())] = true
		if !ids[e.Hold] {
			ids[e.Hold] = true
			earlier[e.Hold] = e.Carried // its first appearance in the report
		}
	}
	carried := 0
	for _, c := range earlier {
		if c {
			carried++
		}
	}
	switch n := len(changes); {
	case n == 0:
		s += " Nothing is held for review."
	case n == 1:
		s += " 1 change is held for review"
	case len(ids) == n:
		s += fmt.Sprintf(" %d changes are held for review", n)
	default:
		s += fmt.Sprintf(" %d changes are held for review, in %s", n, plural(len(ids), "hold"))
	}
	switch {
	case len(changes) == 0:
	case carried == 0:
		s += "."
	case carried == len(ids) && len(ids) == 1:
		s += ", since an earlier run."
	case carried == len(ids):
		s += ", all since earlier runs."
	case carried == 1:
		s += "; 1 hold is from an earlier run."
	default:
		s += fmt.Sprintf("; %d holds are from earlier runs.", carried)
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
// $0.20 out" (every price is per 1M tokens).
func shortPrices(s string) string { return strings.ReplaceAll(s, " / 1M tokens", "") }
