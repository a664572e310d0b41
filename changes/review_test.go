package changes

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

var day = time.Date(2026, 4, 24, 2, 0, 0, 0, time.UTC)

func price(p catalog.Price) catalog.Fact[catalog.Price] {
	src := catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityProvider}
	return catalog.Fact[catalog.Price]{Value: p, Display: p.String(), Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(day), ChangedAt: catalog.StampOf(day)}
}

func fixed(m catalog.Money) catalog.Fact[catalog.Price] { return price(catalog.Fixed(m)) }

var free = price(catalog.Price{Kind: catalog.PriceFree})

func TestPriceReasons(t *testing.T) {
	r := DefaultRules()
	flagged := fixed(27_000_000)
	flagged.SetFlags([]catalog.Flag{{Kind: catalog.FlagUnitSlip, Detail: "1000× the history"}})
	tests := []struct {
		name      string
		old, next catalog.Fact[catalog.Price]
		want      []string // reason prefixes; none means it publishes
	}{
		{"+0.5%", fixed(200_000), fixed(201_000), nil},
		{"+50% exactly publishes", fixed(200_000), fixed(300_000), nil},
		{"+50.0005% is beyond", fixed(200_000), fixed(300_001), []string{RuleChangePct}},
		{"-50% exactly publishes", fixed(200_000), fixed(100_000), nil},
		{"-60%", fixed(200_000), fixed(80_000), []string{RuleChangePct}},
		{"×1000 slip", fixed(27_000), fixed(27_000_000), []string{RuleChangePct, RuleFactor}},
		{"÷10", fixed(1_000_000), fixed(100_000), []string{RuleChangePct, RuleFactor}},
		{"to free", fixed(140_000), free, []string{RuleZero}},
		{"from free", free, fixed(140_000), []string{RuleZero}},
		{"to fixed zero", fixed(140_000), fixed(0), []string{RuleZero}},
		{"variable to fixed publishes", price(catalog.Price{Kind: catalog.PriceVariable}), fixed(1), nil},
		{"first price publishes", catalog.Fact[catalog.Price]{}, fixed(1), nil},
		{"price gone publishes", fixed(1), catalog.Fact[catalog.Price]{}, nil},
		{"flagged", fixed(27_000), flagged, []string{RuleChangePct, RuleFactor, RuleFlagged}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.PriceReasons(tt.old, tt.next)
			if len(got) != len(tt.want) {
				t.Fatalf("reasons %q, want rules %v", got, tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w+": ") {
					t.Errorf("reason %q, want rule %s", got[i], w)
				}
			}
		})
	}
	if got := r.PriceReasons(fixed(27_000), fixed(27_000_000)); got[1] != "max_factor: 1000× larger is 10× or more" {
		t.Errorf("factor reason %q", got[1])
	}
	if got := (Rules{}).PriceReasons(fixed(27_000), flagged); len(got) != 0 {
		t.Errorf("zero rules hold: %q", got)
	}
	off := DefaultRules()
	off.MaxChangePct = 0
	if got := off.PriceReasons(fixed(200_000), fixed(1_900_000)); len(got) != 0 {
		t.Errorf("9.5× with the percentage rule off: %q", got)
	}
}

func snapshot(offers ...*catalog.Offering) *catalog.Snapshot {
	s := catalog.NewSnapshot()
	for _, o := range offers {
		if s.Models[o.ModelID] == nil {
			s.Models[o.ModelID] = &catalog.Model{ID: o.ModelID, Capabilities: map[catalog.Capability]catalog.Fact[bool]{},
				Name: catalog.Fact[string]{Value: o.ModelID, Display: o.ModelID, Source: o.Input.Source}}
		}
		s.Offerings[o.Key()] = o
	}
	return s
}

func offer(model string, in, out catalog.Fact[catalog.Price]) *catalog.Offering {
	return &catalog.Offering{ModelID: model, Provider: "openrouter", Input: in, Output: out}
}

func many(n int, prefix string) []*catalog.Offering {
	var out []*catalog.Offering
	for i := range n {
		out = append(out, offer(prefix+string(rune('a'+i)), fixed(100_000), fixed(200_000)))
	}
	return out
}

func TestBreakage(t *testing.T) {
	prev := snapshot(many(8, "m/x-")...)
	tests := []struct {
		name  string
		keep  int
		rules Rules
		held  int
	}{
		{"one of eight leaves: a removal", 7, DefaultRules(), 0},
		{"two of eight: below the minimum of three", 6, DefaultRules(), 0},
		{"three of eight (37%): breakage", 5, DefaultRules(), 3},
		{"six of eight: breakage", 2, DefaultRules(), 6},
		{"rule off", 2, Rules{VanishedPct: 0}, 0},
		{"share 80%: six of eight (75%) is not more", 2, Rules{VanishedPct: 80, VanishedMin: 1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := snapshot(many(tt.keep, "m/x-")...)
			out := Review(Input{Published: prev, Next: next, Run: catalog.Run{StartedAt: day}, Rules: tt.rules})
			held := 0
			for _, c := range out.Changes.Changes {
				if c.Kind == catalog.ChangeOfferingRemoved && c.Status == catalog.ChangeHeld {
					held++
				}
			}
			if held != tt.held {
				t.Errorf("%d removals held, want %d", held, tt.held)
			}
			// Kept and held offerings are published, and their models.
			if want := tt.keep + tt.held; len(out.Publish.Offerings) != want || len(out.Publish.Models) != want {
				t.Errorf("%d offerings and %d models published", len(out.Publish.Offerings), len(out.Publish.Models))
			}
			if tt.held > 0 {
				h := out.Seen[0]
				if h.Kind != catalog.HoldBreakage || len(h.RemovedOfferings) != tt.held || len(h.RemovedModels) != tt.held || h.Source != "openrouter" {
					t.Errorf("hold %+v", h)
				}
				for _, k := range h.RemovedOfferings {
					if o := out.Publish.Offerings[k]; o == nil || !o.Input.Stale || o.Input.Value.Amount != 100_000 {
						t.Errorf("kept offering %s %+v; want the published one, stale", k, o)
					}
				}
			}
		})
	}
}

// TestHoldLifecycle runs one anomaly through the runs that follow it: the
// same value again (one hold, updated), another anomalous value
// (superseded), the published value again (withdrawn), and a value an
// operator rejected (not held again).
func TestHoldLifecycle(t *testing.T) {
	const key = "price:a/b|openrouter||#input"
	pub := snapshot(offer("a/b", fixed(100_000), fixed(200_000)))
	slip := snapshot(offer("a/b", fixed(100_000_000), fixed(200_000)))
	run := func(n int, next *catalog.Snapshot, holds []catalog.Hold) Outcome {
		return Review(Input{Published: pub, Next: next, Run: catalog.Run{StartedAt: day.Add(time.Duration(n) * 24 * time.Hour)}, Rules: DefaultRules(), Holds: holds})
	}
	// Run 1: held, new.
	o1 := run(1, slip, nil)
	if len(o1.Seen) != 1 || o1.Seen[0].ID != 0 || o1.Seen[0].Key != key || o1.Seen[0].Status != catalog.HoldPending {
		t.Fatalf("first sighting %+v", o1.Seen)
	}
	if o1.Publish.Offerings["a/b|openrouter||"].Input.Value.Amount != 100_000 {
		t.Error("held value published")
	}
	if c := o1.Changes.Changes[0]; c.Status != catalog.ChangeHeld || c.HoldKey != key {
		t.Errorf("change %+v", c)
	}
	h := o1.Seen[0]
	h.ID, h.FirstRun, h.LastRun = 7, 1, 1 // as the store numbers it

	// Run 2: the same value: the same hold, seen again.
	o2 := run(2, slip, []catalog.Hold{h})
	if len(o2.Seen) != 1 || o2.Seen[0].ID != 7 || !o2.Seen[0].FirstSeen.Equal(h.FirstSeen) || !o2.Seen[0].LastSeen.After(h.FirstSeen) || len(o2.Closed) != 0 {
		t.Errorf("repeat: seen %+v closed %+v", o2.Seen, o2.Closed)
	}
	if c := o2.Changes.Changes[0]; c.Hold != 7 || c.HoldKey != "" {
		t.Errorf("repeat change %+v", c)
	}

	// Run 3: another anomalous value supersedes it.
	other := snapshot(offer("a/b", fixed(100_000_000_000), fixed(200_000)))
	o3 := run(3, other, []catalog.Hold{h})
	if len(o3.Closed) != 1 || o3.Closed[0].Status != catalog.HoldSuperseded || o3.Closed[0].Decision.Action != catalog.ActionSupersede {
		t.Errorf("supersede: closed %+v", o3.Closed)
	}
	if len(o3.Seen) != 1 || o3.Seen[0].ID != 0 {
		t.Errorf("supersede: seen %+v", o3.Seen)
	}

	// Run 4: the published value again withdraws it.
	o4 := run(4, pub, []catalog.Hold{h})
	if len(o4.Closed) != 1 || o4.Closed[0].Status != catalog.HoldWithdrawn || len(o4.Seen) != 0 || len(o4.Changes.Changes) != 0 {
		t.Errorf("withdraw: %+v", o4)
	}

	// Run 5: a rejected value the source repeats is reported, not held.
	rej := h
	rej.Status = catalog.HoldRejected
	o5 := run(5, slip, []catalog.Hold{rej})
	if c := o5.Changes.Changes[0]; c.Status != catalog.ChangeRejected || c.Hold != 7 {
		t.Errorf("rejected repeat %+v", c)
	}
	if len(o5.Seen) != 1 || o5.Seen[0].Status != catalog.HoldRejected || len(o5.Closed) != 0 {
		t.Errorf("rejected repeat: seen %+v closed %+v", o5.Seen, o5.Closed)
	}
	if o5.Publish.Offerings["a/b|openrouter||"].Input.Value.Amount != 100_000 {
		t.Error("rejected value published")
	}
	// ... but another anomalous value is held afresh.
	o6 := run(6, other, []catalog.Hold{rej})
	if len(o6.Seen) != 1 || o6.Seen[0].ID != 0 || o6.Changes.Changes[0].Status != catalog.ChangeHeld {
		t.Errorf("new value after a rejection: %+v", o6.Seen)
	}
}

func TestFlaggedNewOffering(t *testing.T) {
	pub := snapshot(offer("a/b", fixed(100_000), fixed(200_000)))
	next := snapshot(offer("a/b", fixed(100_000), fixed(200_000)))
	o := &catalog.Offering{ModelID: "a/b", Provider: "bedrock", Region: "eu-west-1", Input: fixed(130_000), Output: fixed(130_000)}
	o.Input.SetFlags([]catalog.Flag{{Kind: catalog.FlagDiscrepancy, Detail: "cross-checks say $0.10"}})
	next.Offerings[o.Key()] = o
	out := Review(Input{Published: pub, Next: next, Run: catalog.Run{StartedAt: day}, Rules: DefaultRules()})
	if _, ok := out.Publish.Offerings[o.Key()]; ok {
		t.Error("a new offering with a flagged price was published")
	}
	if len(out.Seen) != 1 || out.Seen[0].Kind != catalog.HoldOfferingAdded || out.Seen[0].Offering == nil || !strings.Contains(out.Seen[0].Reasons[0], "discrepancy") {
		t.Errorf("hold %+v", out.Seen)
	}
	// Without the flag rule it publishes.
	r := DefaultRules()
	r.HoldFlagged = false
	out = Review(Input{Published: pub, Next: next, Run: catalog.Run{StartedAt: day}, Rules: r})
	if _, ok := out.Publish.Offerings[o.Key()]; !ok || len(out.Seen) != 0 {
		t.Error("hold_flagged: false still held the offering")
	}
}

func TestDiffKinds(t *testing.T) {
	src := catalog.SourceRef{Name: "huggingface", URL: "https://huggingface.co/x", Authority: catalog.AuthorityCreator}
	ctx := func(n int64, stale bool, conflicts ...catalog.Conflict) catalog.Fact[catalog.Tokens] {
		return catalog.Fact[catalog.Tokens]{Value: catalog.Tokens{N: n}, Display: catalog.CompactCount(n), Source: catalog.SourceOf(src), Stale: stale}.WithConflicts(conflicts)
	}
	prev := snapshot(offer("a/b", fixed(1), fixed(2)))
	prev.Models["a/b"].ContextWindow = ctx(128_000, false)
	prev.Unmatched = []catalog.Unmatched{{Source: "openrouter", ID: "openrouter/auto", Reason: "router"}}
	next := snapshot(offer("a/b", fixed(1), fixed(2)))
	conflict := catalog.Conflict{Display: "60K", Raw: "60000", Source: catalog.SourceRef{Name: "openrouter", Authority: catalog.AuthorityAggregator}}
	next.Models["a/b"].ContextWindow = ctx(131_072, true, conflict)
	next.Offerings["a/b|openrouter||"].Context = ctx(60_000, false)
	next.Unmatched = []catalog.Unmatched{prev.Unmatched[0], {Source: "openrouter", ID: "x/unknown", Reason: "no rule", URL: "https://openrouter.ai/api/v1/models"}}
	run := catalog.Run{StartedAt: day, Sources: []catalog.SourceStats{{Source: "huggingface", Status: catalog.SourceFailed, Errors: []string{"HTTP 503"}}}}
	out := Review(Input{Published: prev, Next: next, Run: run, Rules: DefaultRules()})
	got := map[catalog.ChangeKind][]catalog.RunChange{}
	for _, c := range out.Changes.Changes {
		got[c.Kind] = append(got[c.Kind], c)
		if c.Status != catalog.ChangePublished {
			t.Errorf("%s held", c)
		}
	}
	if c := got[catalog.ChangeSpec]; len(c) != 2 || c[0].Field != "context_window" || c[0].Old != "128K" || c[0].New != "131,072" || c[1].Provider != "openrouter" || c[1].Field != "context" || c[1].New != "60K" {
		t.Errorf("spec changes %+v", c)
	}
	if c := got[catalog.ChangeConflict]; len(c) != 1 || c[0].New != "60K" || c[0].Source.Name() != "openrouter" {
		t.Errorf("conflicts %+v", c)
	}
	if c := got[catalog.ChangeUnmatched]; len(c) != 1 || c[0].New != "x/unknown" {
		t.Errorf("unmatched %+v", c)
	}
	if c := got[catalog.ChangeSourceStale]; len(c) != 1 || c[0].Source.Name() != "huggingface" || !strings.Contains(c[0].Detail, "1 fact (0 offerings)") || !strings.Contains(c[0].Detail, "HTTP 503") {
		t.Errorf("stale %+v", c)
	}
}

// TestBreakageCascade: when a broken source defined the models, another
// provider's offerings of those models vanish with them; they join the
// broken source's hold instead of counting as a breakage of their own.
func TestBreakageCascade(t *testing.T) {
	prevOffers := many(6, "m/x-")
	next := snapshot(prevOffers[:2]...)
	for i, o := range prevOffers[2:5] {
		b := &catalog.Offering{ModelID: o.ModelID, Provider: "bitdeer", Input: fixed(100_000), Output: fixed(100_000)}
		r := b.Input.Source.Ref()
		r.Name = "bitdeer"
		b.Input.Source, b.Output.Source = catalog.SourceOf(r), catalog.SourceOf(r)
		prevOffers = append(prevOffers, b)
		if i == 0 {
			// One bitdeer offering stays, of a model that stays.
			b2 := *b
			b2.ModelID = "m/x-a"
			prevOffers = append(prevOffers, &b2)
			next.Offerings[b2.Key()] = &b2
		}
	}
	prev := snapshot(prevOffers...)
	out := Review(Input{Published: prev, Next: next, Run: catalog.Run{StartedAt: day}, Rules: DefaultRules()})
	if len(out.Seen) != 1 {
		t.Fatalf("%d holds, want one (openrouter's): %+v", len(out.Seen), out.Seen)
	}
	h := out.Seen[0]
	if h.Source != "openrouter" || len(h.RemovedOfferings) != 7 || len(h.RemovedModels) != 4 || !strings.Contains(h.Reasons[0], "4 of 6 openrouter offerings") || !strings.Contains(h.Reasons[0], "3 offerings of other sources left with their models") {
		t.Errorf("hold %+v", h)
	}
	if len(out.Publish.Offerings) != len(prev.Offerings) {
		t.Errorf("%d offerings published, want all %d kept", len(out.Publish.Offerings), len(prev.Offerings))
	}
}

// TestHeldBreakageUnmatched: while a breakage hold keeps a broken source's
// models published, the ids other sources give for those models are not
// listed as unmatched.
func TestHeldBreakageUnmatched(t *testing.T) {
	prev := snapshot(many(8, "m/x-")...)
	next := snapshot(many(2, "m/x-")...)
	gone := ""
	for id := range prev.Models {
		if next.Models[id] == nil {
			gone = id
			break
		}
	}
	next.Unmatched = []catalog.Unmatched{
		{Source: "litellm", ID: "x", Reason: "resolves to " + gone + ", which no creator or aggregator source defines", Resolves: gone},
		{Source: "litellm", ID: "y", Reason: "no creator can be told from the id"},
	}
	out := Review(Input{Published: prev, Next: next, Run: catalog.Run{StartedAt: day}, Rules: DefaultRules()})
	if out.Publish.Models[gone] == nil {
		t.Fatalf("the held breakage did not keep %s published", gone)
	}
	if len(out.Publish.Unmatched) != 1 || out.Publish.Unmatched[0].ID != "y" {
		t.Errorf("published unmatched %+v; want only the id no kept model explains", out.Publish.Unmatched)
	}
}

// TestSurge: a run that adds more than added_pct of a source's published
// offerings (and at least added_min) holds the additions, with the new
// models that come only with them; a source's first run never is.
func TestSurge(t *testing.T) {
	base := many(40, "m/x-")
	added := func(n int) []*catalog.Offering { return many(n, "m/y-") }
	tests := []struct {
		name       string
		prev, next []*catalog.Offering
		rules      Rules
		held       int
	}{
		{"ten new of forty: news, not a surge", base, append(slices.Clone(base), added(10)...), DefaultRules(), 0},
		{"twenty new of forty (50%): surge", base, append(slices.Clone(base), added(20)...), DefaultRules(), 20},
		{"twenty of forty is not more than 60%", base, append(slices.Clone(base), added(20)...), Rules{AddedPct: 60, AddedMin: 1}, 0},
		{"a source's first run is never held", nil, added(60), DefaultRules(), 0},
		{"rule off", base, append(slices.Clone(base), added(30)...), Rules{AddedPct: 0}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := Review(Input{Published: snapshot(tt.prev...), Next: snapshot(tt.next...), Run: catalog.Run{StartedAt: day}, Rules: tt.rules})
			heldOffers, heldModels := 0, 0
			for _, c := range out.Changes.Changes {
				switch {
				case c.Kind == catalog.ChangeOfferingAdded && c.Status == catalog.ChangeHeld:
					heldOffers++
				case c.Kind == catalog.ChangeModelAdded && c.Status == catalog.ChangeHeld:
					heldModels++
				}
			}
			if heldOffers != tt.held || heldModels != tt.held {
				t.Fatalf("%d additions and %d new models held, want %d each", heldOffers, heldModels, tt.held)
			}
			if want := len(tt.next) - tt.held; len(out.Publish.Offerings) != want || len(out.Publish.Models) != want {
				t.Errorf("%d offerings and %d models published, want %d", len(out.Publish.Offerings), len(out.Publish.Models), want)
			}
			if tt.held == 0 {
				return
			}
			h := out.Seen[0]
			if h.Kind != catalog.HoldSurge || h.Key != "surge:openrouter" || len(h.AddedOfferings) != tt.held || len(h.AddedModels) != tt.held ||
				!strings.HasPrefix(h.Reasons[0], RuleAdded+": openrouter added 20 new offerings in one run to its 40 published (50%") {
				t.Errorf("hold %+v", h)
			}
			// The same additions again: the same hold, seen again.
			again := Review(Input{Published: snapshot(tt.prev...), Next: snapshot(tt.next...), Run: catalog.Run{StartedAt: day.Add(24 * time.Hour)},
				Rules: tt.rules, Holds: []catalog.Hold{{ID: 9, Kind: h.Kind, Key: h.Key, Value: h.Value, Status: catalog.HoldPending}}})
			if len(again.Seen) != 1 || again.Seen[0].ID != 9 || len(again.Closed) != 0 {
				t.Errorf("the same surge again: seen %+v closed %+v", again.Seen, again.Closed)
			}
		})
	}
}

// TestSurgeKeepsModelsOfferedElsewhere: a new model that another source
// also offers this run is published (with that offering); only the
// surge's offering of it is held.
func TestSurgeKeepsModelsOfferedElsewhere(t *testing.T) {
	base := many(40, "m/x-")
	adds := many(20, "m/y-")
	other := &catalog.Offering{ModelID: adds[0].ModelID, Provider: "fireworks", Input: fixed(1), Output: fixed(2)}
	fw := other.Input.Source.Ref()
	fw.Name = "fireworks"
	other.Input.Source, other.Output.Source = catalog.SourceOf(fw), catalog.SourceOf(fw)
	out := Review(Input{Published: snapshot(base...), Next: snapshot(append(append(slices.Clone(base), adds...), other)...),
		Run: catalog.Run{StartedAt: day}, Rules: DefaultRules()})
	if len(out.Seen) != 1 || len(out.Seen[0].AddedOfferings) != 20 || len(out.Seen[0].AddedModels) != 19 {
		t.Fatalf("holds %+v", out.Seen)
	}
	if out.Publish.Models[adds[0].ModelID] == nil || out.Publish.Offerings[other.Key()] == nil || out.Publish.Offerings[adds[0].Key()] != nil {
		t.Error("the model offered elsewhere is not published with only that offering")
	}
}

// TestReviewStops: a closed Input.Stop ends the review with Stopped and
// nothing else; left open, it changes nothing.
func TestReviewStops(t *testing.T) {
	prev := snapshot(many(8, "m/x-")...)
	next := snapshot(many(2, "m/x-")...) // six of eight leave: a breakage held
	in := Input{Published: prev, Next: next, Run: catalog.Run{StartedAt: day}, Rules: DefaultRules()}
	want := Review(in)
	if len(want.Seen) == 0 || len(want.Changes.Changes) == 0 {
		t.Fatal("the test's review holds nothing")
	}
	open := make(chan struct{})
	in.Stop = open
	if got := Review(in); got.Stopped || !reflect.DeepEqual(got, want) {
		t.Fatalf("left open: stopped %v, outcome differs: %v", got.Stopped, !reflect.DeepEqual(got, want))
	}
	closed := make(chan struct{})
	close(closed)
	in.Stop = closed
	if got := Review(in); !got.Stopped || !reflect.DeepEqual(got, Outcome{Stopped: true}) {
		t.Fatalf("closed: %+v", got)
	}
}
