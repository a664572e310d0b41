package compare_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/export/schema"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/internal/golden"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

const (
	gpt   = "openai/gpt-5.3-codex"
	llama = "meta/llama-3.2-1b-instruct"
)

// replayDay replays a bundled fixture day, through every configured source
// of the built-in configuration, into a fresh store and returns its
// published catalogue.
func replayDay(t testing.TB, day string) *catalog.Snapshot {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "llmref.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	replay(t, st, day, 0, nil)
	snap, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// replay runs one refresh of st from a bundled fixture day with the
// built-in configuration's sources, its clock at the day's recording time
// plus after, publishing with pub (nil publishes nothing).
func replay(t testing.TB, st *store.Store, day string, after time.Duration, pub *publish.Publisher) *refresh.Result {
	t.Helper()
	cfg := config.Default()
	srcs, err := cfg.BuildSources()
	if err != nil {
		t.Fatal(err)
	}
	d, err := fixtures.Day(day)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := scrapers.NewReplay(d)
	if err != nil {
		t.Fatal(err)
	}
	at := rt.Manifest().RecordedAt.Add(after)
	fetch := cfg.FetchOptions()
	fetch.Transport = rt
	res, err := refresh.Run(context.Background(), st, refresh.Options{
		Sources: srcs, Fetch: fetch, Normalization: cfg.Normalization(), Replay: day, Publisher: pub,
		Now: func() time.Time { return at },
	})
	if err != nil && !errors.Is(err, refresh.ErrPartial) {
		t.Fatal(err)
	}
	return res
}

// TestDay1ReferencePair holds the reference page's pair on the first
// bundled day: the figures the issue names, then the whole record and its
// text as golden files.
func TestDay1ReferencePair(t *testing.T) {
	snap := replayDay(t, "2026-04-23")
	c, err := compare.Compare(snap, gpt, llama, compare.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	// a-vs-b is b-vs-a.
	c2, err := compare.Compare(snap, llama, gpt, compare.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	j1, _ := export.Canonical(c)
	j2, _ := export.Canonical(c2)
	if !bytes.Equal(j1, j2) {
		t.Error("the record depends on the order the two models were named in")
	}

	if c.Models.A.ID != llama || c.Models.B.ID != gpt {
		t.Fatalf("sides %s, %s; want %s first (canonical order)", c.Models.A.ID, c.Models.B.ID, llama)
	}
	if c.ID != "meta--llama-3.2-1b-instruct--vs--openai--gpt-5.3-codex" {
		t.Errorf("id %s", c.ID)
	}
	p := c.Pricing
	la, gb := p.Models.A.Cheapest, p.Models.B.Cheapest
	if la == nil || gb == nil {
		t.Fatalf("no cheapest offering: %+v / %+v", p.Models.A.Note, p.Models.B.Note)
	}
	if la.Provider != "openrouter" || la.Input.Value != catalog.Fixed(27_000) || la.Output.Value != catalog.Fixed(200_000) {
		t.Errorf("Llama's cheapest: %s %v / %v; want openrouter $0.027 / $0.20", la.Provider, la.Input.Value, la.Output.Value)
	}
	if gb.Input.Value != catalog.Fixed(1_750_000) || gb.Output.Value != catalog.Fixed(14_000_000) {
		t.Errorf("GPT-5.3-Codex's cheapest: %s %v / %v; want $1.75 / $14", gb.Provider, gb.Input.Value, gb.Output.Value)
	}
	if la.Blended.USD() != "0.0789" || gb.Blended.USD() != "5.425" {
		t.Errorf("blended %s vs %s; want 0.0789 vs 5.425", la.Blended.USD(), gb.Blended.USD())
	}
	if p.Cheaper != catalog.SideA || p.Difference.USD() != "5.3461" || p.DifferenceDisplay != "$5.35" {
		t.Errorf("cheaper %s, gap %s shown %s; want a (Llama), 5.3461 shown $5.35", p.Cheaper, p.Difference.USD(), p.DifferenceDisplay)
	}
	if len(p.Ratios) != 3 || p.Ratios[0].Basis != "input" || *p.Ratios[0].Times != "64.8" || p.Ratios[0].Cheaper != catalog.SideA ||
		p.Ratios[0].Display != "64.8× cheaper on input" {
		t.Errorf("input ratio %+v; want Llama 64.8× cheaper on input", p.Ratios)
	}
	if c.Providers.A.Count < 1 || c.Providers.B.Count < 1 {
		t.Errorf("provider counts %d / %d", c.Providers.A.Count, c.Providers.B.Count)
	}
	for _, cp := range []catalog.Capability{catalog.CapFunctionCalling, catalog.CapToolUse} {
		if !slices.Contains(c.Capabilities.OnlyB, cp) {
			t.Errorf("%s not among GPT-5.3-Codex's capabilities Llama lacks: %v", cp, c.Capabilities.OnlyB)
		}
	}
	// Structured outputs and every other capability: sorted as the sourced
	// data says, whatever it says.
	for _, cp := range catalog.Capabilities {
		ta, tb := catalog.TriOf(snap.Models[llama].Capabilities[cp]), catalog.TriOf(snap.Models[gpt].Capabilities[cp])
		var bucket []catalog.Capability
		switch {
		case ta == catalog.Unknown || tb == catalog.Unknown:
			bucket = c.Capabilities.Unsettled
		case ta == catalog.Yes && tb == catalog.Yes:
			bucket = c.Capabilities.Shared
		case ta == catalog.Yes:
			bucket = c.Capabilities.OnlyA
		case tb == catalog.Yes:
			bucket = c.Capabilities.OnlyB
		default:
			bucket = c.Capabilities.Neither
		}
		if !slices.Contains(bucket, cp) {
			t.Errorf("%s (Llama %s, GPT %s) sorted wrongly: %+v", cp, ta, tb, c.Capabilities)
		}
	}
	if c.Specs.Parameters.B.Sourced() || c.Specs.Parameters.B.String() != catalog.NotYetSourced {
		t.Errorf("GPT-5.3-Codex's parameters: %v; want not yet sourced", c.Specs.Parameters.B)
	}
	if len(c.Benchmarks.Rows) != 0 || c.Benchmarks.Statement == "" {
		t.Errorf("benchmarks %+v; want the statement that none are sourced", c.Benchmarks)
	}
	if len(c.Sources) == 0 || c.Dates.ChangedAt == nil {
		t.Errorf("sources %v, dates %+v", c.Sources, c.Dates)
	}
	// When a value was last seen moves every night: records leave it to
	// the model and offering files.
	if bytes.Contains(j1, []byte("retrieved_at")) {
		t.Error("the record carries a retrieval time")
	}

	// The export's fast encoder writes the same bytes, on real data too.
	sides, err := compare.Sides(snap, compare.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range sides {
		for _, y := range sides {
			if x == y {
				continue
			}
			c := compare.Build(x, y, compare.DefaultOptions())
			want, _ := export.Canonical(c)
			got, err := compare.EncodeIndented(x, y, compare.DefaultOptions())
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("EncodeIndented(%s, %s) differs from Canonical(Build): %v", x.Model.ID, y.Model.ID, err)
			}
			want, _ = export.CanonicalCompact(c)
			got, err = compare.Encode(x, y, compare.DefaultOptions())
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("Encode(%s, %s) differs from CanonicalCompact(Build): %v", x.Model.ID, y.Model.ID, err)
			}
		}
	}

	// The record follows its JSON Schema, which refuses a retrieval time.
	rel := compare.File(gpt, llama)
	if err := schema.Check(rel, j1); err != nil {
		t.Errorf("the record fails its schema: %v", err)
	}
	for _, path := range [][]string{
		{"specs", "released", "a"},
		{"pricing", "models", "b", "cheapest", "input"},
	} {
		var doc map[string]any
		if err := json.Unmarshal(j1, &doc); err != nil {
			t.Fatal(err)
		}
		v := any(doc)
		for _, k := range path {
			v = v.(map[string]any)[k]
		}
		v.(map[string]any)["retrieved_at"] = "2026-04-23T02:00:00Z"
		spoilt, _ := json.Marshal(doc)
		if err := schema.Check(rel, spoilt); err == nil {
			t.Errorf("the schema accepts a record whose %s carries a retrieval time", strings.Join(path, "."))
		}
	}

	// The record's sentences write figures as the text output does
	// ("$0.20", "400K"); its data fields keep the exact values.
	short := regexp.MustCompile(`\$[0-9]+(\.[0-9])?([^0-9.]|$)`)
	sentences := append([]string{c.Text.Summary}, c.Text.DeepDive...)
	for _, f := range c.Text.FAQ {
		sentences = append(sentences, f.Answer)
	}
	for _, s := range sentences {
		if m := short.FindString(s); m != "" || strings.Contains(s, "400,000") {
			t.Errorf("record text writes %q or 400,000; want money with two decimals and 400K: %s", m, s)
		}
	}
	if all := strings.Join(sentences, " "); !strings.Contains(all, "$0.20 output") || !strings.Contains(all, "400K tokens") {
		t.Errorf("record text lacks \"$0.20 output\" or \"400K tokens\": %s", all)
	}
	golden.Assert(t, "testdata/day1_llama-3.2-1b-instruct--vs--gpt-5.3-codex.golden.json", j1)
	var txt bytes.Buffer
	if err := compare.WriteText(&txt, c); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/day1_llama-3.2-1b-instruct--vs--gpt-5.3-codex.golden.txt", txt.Bytes())
}
