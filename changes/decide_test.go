package changes

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// memReader is the published state a decision reads, in memory: a
// snapshot, its offerings' history and the latest run. It hands out
// copies, as the store's reader decodes fresh ones.
type memReader struct {
	snap *catalog.Snapshot
	hist map[string][]catalog.PricePoint
	last uint64
}

var _ catalog.PublishedReader = memReader{}

var errMissing = errors.New("not in the published state")

func (r memReader) LastRun() uint64 { return r.last }

func (r memReader) Offering(key string) (*catalog.Offering, error) {
	o := r.snap.Offerings[key]
	if o == nil {
		return nil, fmt.Errorf("offering %s: %w", key, errMissing)
	}
	cp := *o
	cp.Tiers = slices.Clone(o.Tiers)
	return &cp, nil
}

func (r memReader) HasOffering(key string) bool { return r.snap.Offerings[key] != nil }

func (r memReader) OfferingKeys(model string) []string {
	var keys []string
	for _, o := range r.snap.OfferingsOf(model) {
		keys = append(keys, o.Key())
	}
	return keys
}

func (r memReader) HasModel(id string) bool { return r.snap.Models[id] != nil }

func (r memReader) History(key string) ([]catalog.PricePoint, error) {
	return slices.Clone(r.hist[key]), nil
}

// runAt is when run n started.
func runAt(n uint64) time.Time { return day.Add(time.Duration(n) * 24 * time.Hour) }

const abKey = "a/b|openrouter||"

// pt is a point of a/b at OpenRouter, from its source.
func pt(run uint64, in, out catalog.Money) catalog.PricePoint {
	i, o := catalog.Fixed(in), catalog.Fixed(out)
	return catalog.PricePoint{Run: run, At: runAt(run), Input: &i, Output: &o, Source: fixed(0).Source.URL()}
}

// heldPrice is a pending hold of a/b's price field at OpenRouter, first
// given by run first and again by run last.
func heldPrice(id uint64, field string, old, next catalog.Money, first, last uint64) catalog.Hold {
	op, np, f := catalog.Fixed(old), catalog.Fixed(next), fixed(next)
	f.RetrievedAt, f.ChangedAt = catalog.StampOf(runAt(last)), catalog.StampOf(runAt(first))
	return catalog.Hold{ID: id, Kind: catalog.HoldPrice, Key: "price:" + abKey + "#" + field, Value: fingerprint(f), Status: catalog.HoldPending,
		Reasons: []string{RuleFactor + ": test"}, Field: field, Price: &f,
		Changes:  []catalog.Change{{Kind: catalog.ChangePrice, Model: "a/b", Provider: "openrouter", Field: field, OldPrice: &op, NewPrice: &np, Source: f.Source}},
		FirstRun: first, FirstSeen: runAt(first), LastRun: last, LastSeen: runAt(last)}
}

// TestApprovePrice: the approved price is published, reviewed, changed
// when a source first gave it, and takes effect in history from that run;
// a point written while it waited gets it too.
func TestApprovePrice(t *testing.T) {
	approvedAt := runAt(3).Add(5 * time.Hour)
	removed := catalog.PricePoint{Run: 2, At: runAt(2), Removed: true}
	tests := []struct {
		name  string
		field string
		first uint64
		hist  []catalog.PricePoint
		want  []catalog.PricePoint
	}{
		{"waited a run while the input moved", "output", 2,
			[]catalog.PricePoint{pt(1, 27_000, 200_000), pt(3, 30_000, 200_000)},
			[]catalog.PricePoint{pt(2, 27_000, 2_500_000), pt(3, 30_000, 2_500_000)}},
		{"the first run wrote a point", "output", 2,
			[]catalog.PricePoint{pt(1, 27_000, 200_000), pt(2, 30_000, 200_000)},
			[]catalog.PricePoint{pt(2, 30_000, 2_500_000)}},
		{"a later point with another price keeps it", "output", 2,
			[]catalog.PricePoint{pt(1, 27_000, 200_000), pt(3, 27_000, 300_000), {Run: 4, At: runAt(4), Removed: true}},
			[]catalog.PricePoint{pt(2, 27_000, 2_500_000)}},
		{"no history yet", "output", 2, nil,
			[]catalog.PricePoint{pt(2, 27_000, 2_500_000)}},
		{"after a removal the offering's point", "output", 3,
			[]catalog.PricePoint{pt(1, 27_000, 200_000), removed},
			[]catalog.PricePoint{pt(3, 27_000, 2_500_000)}},
		{"input", "input", 2,
			[]catalog.PricePoint{pt(1, 27_000, 200_000), pt(3, 27_000, 300_000)},
			[]catalog.PricePoint{pt(2, 2_500_000, 200_000), pt(3, 2_500_000, 300_000)}},
		{"a price history does not track", "cache_write", 2,
			[]catalog.PricePoint{pt(1, 27_000, 200_000)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := snapshot(offer("a/b", fixed(27_000), fixed(200_000)))
			h := heldPrice(7, tt.field, pub.Offerings[abKey].PriceField(tt.field).Value.Amount, 2_500_000, tt.first, 3)
			r := memReader{snap: pub, hist: map[string][]catalog.PricePoint{abKey: tt.hist}, last: 3}
			m, err := ApplyDecision(r, h, catalog.ActionApprove, "checked on the provider's page", approvedAt)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.PutOfferings) != 1 || len(m.DropOfferings) != 0 || len(m.DropModels) != 0 {
				t.Fatalf("writes %+v", m)
			}
			o := m.PutOfferings[0]
			f := o.PriceField(tt.field)
			if o.Key() != abKey || f.Value != catalog.Fixed(2_500_000) || !f.ReviewedAt.Equal(catalog.StampOf(approvedAt)) || !f.ChangedAt.Equal(catalog.StampOf(runAt(tt.first))) || f.Stale {
				t.Errorf("published %s %+v", tt.field, f)
			}
			if tt.field != "input" && !reflect.DeepEqual(o.Input, pub.Offerings[abKey].Input) {
				t.Errorf("input changed: %+v", o.Input)
			}
			var got []catalog.PricePoint
			for _, p := range m.Points {
				if p.Offering != abKey {
					t.Errorf("point of %s", p.Offering)
				}
				got = append(got, p.Point)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("points\n got %+v\nwant %+v", got, tt.want)
			}
			if m.Hold.Status != catalog.HoldApproved || m.Hold.ID != 7 ||
				!reflect.DeepEqual(*m.Hold.Decision, catalog.Decision{Action: catalog.ActionApprove, At: approvedAt, Note: "checked on the provider's page", Holds: []uint64{7}}) {
				t.Errorf("hold %+v %+v", m.Hold, m.Hold.Decision)
			}
			if pub.Offerings[abKey].Output.Value.Amount != 200_000 || !reflect.DeepEqual(r.hist[abKey], tt.hist) {
				t.Error("the published state given was changed")
			}
		})
	}
}

// TestReject: a rejected value changes nothing published; the hold records
// the decision.
func TestReject(t *testing.T) {
	slip := heldPrice(4, "input", 27_000, 27_000_000, 2, 2) // per-1K read as per-token
	r := memReader{snap: snapshot(offer("a/b", fixed(27_000), fixed(200_000))), last: 2}
	m, err := ApplyDecision(r, slip, catalog.ActionReject, "a unit slip", runAt(3))
	if err != nil {
		t.Fatal(err)
	}
	want := slip
	want.Status = catalog.HoldRejected
	want.Decision = &catalog.Decision{Action: catalog.ActionReject, At: runAt(3), Note: "a unit slip", Holds: []uint64{4}}
	if !reflect.DeepEqual(m, catalog.HoldMutations{Hold: want}) {
		t.Errorf("reject wrote %+v", m)
	}
}

// TestApproveOffering: a held new offering is added, every sourced fact
// reviewed, with its point at the run that first gave it.
func TestApproveOffering(t *testing.T) {
	at := runAt(4)
	held := &catalog.Offering{ModelID: "a/b", Provider: "bedrock", Region: "eu-west-1", Input: fixed(130_000), Output: fixed(130_000),
		Tiers: []catalog.PriceTier{{AboveTokens: 200_000, Input: fixed(260_000)}}}
	key := held.Key()
	hold := catalog.Hold{ID: 3, Kind: catalog.HoldOfferingAdded, Key: "offering:" + key, Status: catalog.HoldPending, Offering: held,
		FirstRun: 2, FirstSeen: runAt(2), LastRun: 3, LastSeen: runAt(3)}
	point := func(run uint64, at time.Time) catalog.PricePoint {
		p := pt(run, 130_000, 130_000)
		p.At = at
		return p
	}
	tests := []struct {
		name string
		hist []catalog.PricePoint
		want []catalog.PricePoint
	}{
		{"never published", nil, []catalog.PricePoint{point(2, runAt(2))}},
		{"published before, removed", []catalog.PricePoint{pt(1, 1, 1), {Run: 2, At: runAt(2).Add(time.Minute), Removed: true}},
			[]catalog.PricePoint{point(2, runAt(2).Add(time.Minute))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := memReader{snap: snapshot(offer("a/b", fixed(1), fixed(2))), hist: map[string][]catalog.PricePoint{key: tt.hist}, last: 3}
			m, err := ApplyDecision(r, hold, catalog.ActionApprove, "Bedrock's page says so", at)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.PutOfferings) != 1 || m.Hold.Status != catalog.HoldApproved {
				t.Fatalf("writes %+v", m)
			}
			o := m.PutOfferings[0]
			if o.Key() != key || !o.Input.ReviewedAt.Equal(catalog.StampOf(at)) || !o.Output.ReviewedAt.Equal(catalog.StampOf(at)) || !o.Tiers[0].Input.ReviewedAt.Equal(catalog.StampOf(at)) ||
				!o.Context.ReviewedAt.IsZero() || !o.Tiers[0].Output.ReviewedAt.IsZero() {
				t.Errorf("published offering %+v", o)
			}
			if !held.Input.ReviewedAt.IsZero() || !held.Tiers[0].Input.ReviewedAt.IsZero() || !m.Hold.Offering.Tiers[0].Input.ReviewedAt.IsZero() {
				t.Error("the held offering was changed")
			}
			var got []catalog.PricePoint
			for _, p := range m.Points {
				got = append(got, p.Point)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("points\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestApproveBreakage: the broken source's offerings still published go,
// each with a removal point, and the models left without an offering.
func TestApproveBreakage(t *testing.T) {
	a, b, gone := "m/x-a|openrouter||", "m/x-b|openrouter||", "m/x-c|openrouter||"
	other := &catalog.Offering{ModelID: "m/x-b", Provider: "bitdeer", Input: fixed(1), Output: fixed(1)}
	pub := snapshot(offer("m/x-a", fixed(1), fixed(1)), offer("m/x-b", fixed(1), fixed(1)), other)
	r := memReader{snap: pub, last: 3, hist: map[string][]catalog.PricePoint{
		a: {pt(1, 1, 1)},
		b: {pt(1, 1, 1), pt(2, 1, 2)}, // the history already reaches the hold's first run
	}}
	h := catalog.Hold{ID: 9, Kind: catalog.HoldBreakage, Key: "breakage:openrouter", Source: "openrouter", Status: catalog.HoldPending,
		RemovedOfferings: []string{a, b, gone, a}, RemovedModels: []string{"m/x-a", "m/x-b", "m/x-c"},
		FirstRun: 2, FirstSeen: runAt(2), LastRun: 3, LastSeen: runAt(3)}
	m, err := ApplyDecision(r, h, catalog.ActionApprove, "OpenRouter retired them", runAt(4))
	if err != nil {
		t.Fatal(err)
	}
	want := catalog.HoldMutations{
		DropOfferings: []string{a, b},
		DropModels:    []string{"m/x-a", "m/x-c"}, // m/x-b keeps its bitdeer offering
		Points: []catalog.OfferingPoint{
			{Offering: a, Point: catalog.PricePoint{Run: 2, At: runAt(2), Removed: true}},
			{Offering: b, Point: catalog.PricePoint{Run: 3, At: runAt(3), Removed: true}},
		},
	}
	got := m
	got.Hold = catalog.Hold{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("breakage writes\n got %+v\nwant %+v", got, want)
	}
	if m.Hold.Status != catalog.HoldApproved || m.Hold.Decision.Note != "OpenRouter retired them" {
		t.Errorf("hold %+v", m.Hold)
	}
}

// TestDecideStatus: only a pending hold is decided, or a rejected one the
// latest run still gave, on approval.
func TestDecideStatus(t *testing.T) {
	decided := &catalog.Decision{Action: catalog.ActionApprove, At: runAt(3), Holds: []uint64{7}}
	tests := []struct {
		name   string
		status catalog.HoldStatus
		last   uint64 // the hold's last run; the latest run is 3
		action catalog.Action
		want   string // an error's text; "" decides
	}{
		{"pending approved", catalog.HoldPending, 2, catalog.ActionApprove, ""},
		{"pending rejected", catalog.HoldPending, 2, catalog.ActionReject, ""},
		{"rejected, the source repeats it: approved", catalog.HoldRejected, 3, catalog.ActionApprove, ""},
		{"rejected, the source moved on", catalog.HoldRejected, 2, catalog.ActionApprove, "hold 7 was rejected on 2026-04-27T02:00:00Z: not pending"},
		{"rejected again", catalog.HoldRejected, 3, catalog.ActionReject, "hold 7 was rejected on 2026-04-27T02:00:00Z: not pending"},
		{"approved", catalog.HoldApproved, 3, catalog.ActionReject, "hold 7 was approved on 2026-04-27T02:00:00Z: not pending"},
		{"withdrawn", catalog.HoldWithdrawn, 3, catalog.ActionApprove, "hold 7 was withdrawn on 2026-04-27T02:00:00Z: not pending"},
		{"superseded", catalog.HoldSuperseded, 3, catalog.ActionApprove, "hold 7 was superseded on 2026-04-27T02:00:00Z: not pending"},
		{"not a decision on a hold", catalog.HoldPending, 2, catalog.ActionMarkReviewed, `hold 7: "mark_reviewed" is not a decision on a hold`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := heldPrice(7, "output", 200_000, 2_500_000, 2, tt.last)
			h.Status = tt.status
			if tt.status != catalog.HoldPending {
				h.Decision = decided
			}
			r := memReader{snap: snapshot(offer("a/b", fixed(27_000), fixed(200_000))), last: 3}
			m, err := ApplyDecision(r, h, tt.action, "note", runAt(4))
			if tt.want == "" {
				if err != nil || m.Hold.Decision.Action != tt.action || m.Hold.Decision == decided {
					t.Errorf("%+v %v", m.Hold, err)
				}
				return
			}
			if err == nil || err.Error() != tt.want || (strings.HasSuffix(tt.want, "not pending") != errors.Is(err, catalog.ErrNotPending)) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if !reflect.DeepEqual(m, catalog.HoldMutations{}) {
				t.Errorf("a refused decision wrote %+v", m)
			}
		})
	}
}

// TestApproveRefused: a hold that cannot be published any more, or that
// is malformed, is refused with the reason.
func TestApproveRefused(t *testing.T) {
	price := func(edit func(*catalog.Hold)) catalog.Hold {
		h := heldPrice(5, "output", 200_000, 2_500_000, 2, 2)
		edit(&h)
		return h
	}
	tests := []struct {
		name    string
		hold    catalog.Hold
		want    string
		missing bool // the error wraps the reader's not-found error
	}{
		{"offering gone", price(func(h *catalog.Hold) { h.Key = "price:a/b|bedrock||#output" }),
			"approve hold 5: offering a/b|bedrock|| is no longer published: offering a/b|bedrock||: not in the published state", true},
		{"no field in the key", price(func(h *catalog.Hold) { h.Key = "price:" + abKey }), `approve hold 5: malformed hold "price:a/b|openrouter||"`, false},
		{"no price", price(func(h *catalog.Hold) { h.Price = nil }), `approve hold 5: malformed hold "price:a/b|openrouter||#output"`, false},
		{"unknown field", price(func(h *catalog.Hold) { h.Field = "per_image" }), `approve hold 5: unknown price field "per_image"`, false},
		{"offering without its offering", catalog.Hold{ID: 5, Kind: catalog.HoldOfferingAdded, Key: "offering:x", Status: catalog.HoldPending},
			`approve hold 5: malformed hold "offering:x"`, false},
		{"model gone", catalog.Hold{ID: 5, Kind: catalog.HoldOfferingAdded, Key: "offering:x", Status: catalog.HoldPending,
			Offering: &catalog.Offering{ModelID: "c/d", Provider: "bedrock"}}, "approve hold 5: model c/d is no longer published", false},
		{"unknown kind", catalog.Hold{ID: 5, Kind: "spec", Key: "spec:x", Status: catalog.HoldPending}, `approve hold 5: unknown hold kind "spec"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := memReader{snap: snapshot(offer("a/b", fixed(27_000), fixed(200_000))), last: 2}
			m, err := ApplyDecision(r, tt.hold, catalog.ActionApprove, "note", runAt(3))
			if err == nil || err.Error() != tt.want || errors.Is(err, errMissing) != tt.missing {
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if !reflect.DeepEqual(m, catalog.HoldMutations{}) {
				t.Errorf("a refused approval wrote %+v", m)
			}
			// Rejecting it needs nothing published.
			if _, err := ApplyDecision(r, tt.hold, catalog.ActionReject, "note", runAt(3)); err != nil {
				t.Errorf("reject: %v", err)
			}
		})
	}
}

// TestApproveSurge: approving a surge publishes its new models and
// offerings, reviewed at the decision, each offering with its point at the
// run that first gave it; a model no longer published refuses.
func TestApproveSurge(t *testing.T) {
	at := runAt(4)
	adds := many(3, "n/y-")
	hold := catalog.Hold{ID: 5, Kind: catalog.HoldSurge, Key: "surge:openrouter", Source: "openrouter", Status: catalog.HoldPending,
		FirstRun: 2, FirstSeen: runAt(2), LastRun: 3, LastSeen: runAt(3)}
	for _, o := range adds[:2] {
		hold.AddedOfferings = append(hold.AddedOfferings, *o)
		hold.AddedModels = append(hold.AddedModels, catalog.Model{ID: o.ModelID, Name: fixedName(o.ModelID), Capabilities: map[catalog.Capability]catalog.Fact[bool]{}})
	}
	hold.AddedOfferings = append(hold.AddedOfferings, *adds[2]) // its model is published already
	r := memReader{snap: snapshot(offer(adds[2].ModelID, fixed(1), fixed(2))), last: 3}
	m, err := ApplyDecision(r, hold, catalog.ActionApprove, "OpenRouter did add them", at)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.PutModels) != 2 || len(m.PutOfferings) != 3 || len(m.Points) != 3 || m.Hold.Status != catalog.HoldApproved {
		t.Fatalf("writes %+v", m)
	}
	if !m.PutModels[0].Name.ReviewedAt.Equal(catalog.StampOf(at)) || !m.PutOfferings[0].Input.ReviewedAt.Equal(catalog.StampOf(at)) || !hold.AddedOfferings[0].Input.ReviewedAt.IsZero() {
		t.Error("the published additions are not reviewed at the decision, or the hold's were changed")
	}
	if p := m.Points[0].Point; p.Run != 2 || !p.At.Equal(runAt(2)) || p.Input == nil || p.Input.Amount != 100_000 {
		t.Errorf("point %+v; want run 2's", p)
	}
	hold.AddedModels = nil // now two offerings' models are published nowhere
	if _, err := ApplyDecision(r, hold, catalog.ActionApprove, "x", at); err == nil || !strings.Contains(err.Error(), "no longer published") {
		t.Errorf("approve without the models: %v", err)
	}
}

func fixedName(id string) catalog.Fact[string] {
	return catalog.Fact[string]{Value: id, Display: id, Source: catalog.SourceOf(catalog.SourceRef{Name: "openrouter"}), RetrievedAt: catalog.StampOf(day), ChangedAt: catalog.StampOf(day)}
}
