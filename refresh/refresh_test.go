package refresh

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/normalize"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
	"github.com/llmref/llmref/webhook"
)

func sources() []scrapers.Source {
	return []scrapers.Source{
		&scrapers.OpenRouter{},
		&scrapers.HuggingFace{Repos: []string{"meta-llama/Llama-3.2-1B-Instruct"}},
		&scrapers.OpenAI{Models: []string{"gpt-5.3-codex"}},
	}
}

func replayOptions(t *testing.T, day string) Options {
	t.Helper()
	d, err := fixtures.Day(day)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := scrapers.NewReplay(d)
	if err != nil {
		t.Fatal(err)
	}
	at := rt.Manifest().RecordedAt
	return Options{Sources: sources(), Fetch: scrapers.Options{Transport: rt}, Replay: day, Now: func() time.Time { return at }}
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "llmref.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

type factJSON struct {
	Status      string          `json:"status"`
	Value       json.RawMessage `json:"value"`
	Display     string          `json:"display"`
	Source      struct{ Name, URL string }
	RetrievedAt string `json:"retrieved_at"`
}

func fact(t *testing.T, raw json.RawMessage) factJSON {
	t.Helper()
	var f factJSON
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("fact %s: %v", raw, err)
	}
	return f
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestTwoFixtureDays is the spine's acceptance: the real pipeline over the
// bundled days, checked in the exported files.
func TestTwoFixtureDays(t *testing.T) {
	st := openStore(t)
	out := filepath.Join(t.TempDir(), "export")
	for _, day := range []string{"2026-04-23", "2026-04-24"} {
		o := replayOptions(t, day)
		o.Publisher = testPublisher(out)
		res, err := Run(context.Background(), st, o)
		if err != nil {
			t.Fatalf("%s: %v", day, err)
		}
		if res.Run.Status != catalog.RunOK || res.Export == nil {
			t.Fatalf("%s: %+v", day, res.Run)
		}
	}
	var doc struct {
		Model     map[string]json.RawMessage `json:"model"`
		Offerings []struct {
			Provider string   `json:"provider"`
			Input    factJSON `json:"input"`
			Output   factJSON `json:"output"`
		} `json:"offerings"`
	}
	readJSON(t, filepath.Join(out, "models", "meta--llama-3.2-1b-instruct.json"), &doc)
	found := false
	for _, o := range doc.Offerings {
		if o.Provider != "openrouter" {
			continue
		}
		found = true
		if !strings.Contains(string(o.Input.Value), `"usd_per_mtok": 0.027`) || !strings.Contains(string(o.Output.Value), `"usd_per_mtok": 0.201`) {
			t.Errorf("OpenRouter prices %s / %s; want exactly 0.027 and 0.201", o.Input.Value, o.Output.Value)
		}
		for _, f := range []factJSON{o.Input, o.Output} {
			if f.Source.URL != "https://openrouter.ai/api/v1/models" || f.RetrievedAt != "2026-04-24T02:00:00Z" {
				t.Errorf("price fact without its source or retrieval: %+v", f)
			}
		}
	}
	if !found {
		t.Fatal("no OpenRouter offering for Llama 3.2 1B Instruct")
	}
	want := map[string]string{
		"released":         "2024-09-25",
		"context_window":   "128K",
		"parameters":       "1.23B",
		"licence":          "Llama 3.2 Community License (open weights)",
		"knowledge_cutoff": "2023-12",
	}
	for field, display := range want {
		f := fact(t, doc.Model[field])
		if f.Status != "sourced" || f.Display != display || f.Source.Name == "" || f.Source.URL == "" {
			t.Errorf("%s = %+v, want %q with its source", field, f, display)
		}
	}
	var gpt struct {
		Model map[string]json.RawMessage `json:"model"`
	}
	readJSON(t, filepath.Join(out, "models", "openai--gpt-5.3-codex.json"), &gpt)
	if f := fact(t, gpt.Model["parameters"]); f.Status != "not_yet_sourced" {
		t.Errorf("GPT-5.3-Codex parameters %+v; no source gives them", f)
	}
	if f := fact(t, gpt.Model["context_window"]); f.Display != "400,000" {
		t.Errorf("GPT-5.3-Codex context %+v", f)
	}

	// Exporting the same data twice gives the same bytes.
	snap, _ := st.Snapshot()
	last, _ := st.LastRun()
	other := filepath.Join(t.TempDir(), "again")
	if _, err := testPublisher(other).PublishSnapshot(context.Background(), st, snap, last); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"index.json", "models.json", "offerings.json", "models/meta--llama-3.2-1b-instruct.json"} {
		a, _ := os.ReadFile(filepath.Join(out, f))
		b, _ := os.ReadFile(filepath.Join(other, f))
		if string(a) != string(b) {
			t.Errorf("%s differs between two exports of the same data", f)
		}
	}

	h, err := st.History("meta/llama-3.2-1b-instruct", "openrouter")
	if err != nil {
		t.Fatal(err)
	}
	pts := h[catalog.OfferingKey("meta/llama-3.2-1b-instruct", "openrouter", "", "")]
	if len(pts) != 2 || pts[0].Output.Amount != 200_000 || pts[1].Output.Amount != 201_000 {
		t.Errorf("history %+v", pts)
	}
}

type downTransport struct{}

func (downTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "robots.txt") {
		return &http.Response{StatusCode: 404, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: r}, nil
	}
	return nil, errors.New("connection refused by test")
}

// hostDown fails every request to one host and sends the rest on.
type hostDown struct {
	host string
	next http.RoundTripper
}

func (h hostDown) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == h.host {
		return downTransport{}.RoundTrip(r)
	}
	return h.next.RoundTrip(r)
}

// TestFailedRunCommitsNothing: with every source down, the run is recorded
// as failed (ErrFailed, exit 1 on the command line) and the published
// catalogue stays exactly as it was; the next run still compares against
// the last committed one.
func TestFailedRunCommitsNothing(t *testing.T) {
	st := openStore(t)
	first, err := Run(context.Background(), st, replayOptions(t, "2026-04-23"))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := st.Snapshot()
	pagesBefore, _ := st.Pages()
	o := replayOptions(t, "2026-04-24")
	o.Fetch = scrapers.Options{Transport: downTransport{}, MaxRetries: -1}
	res, err := Run(context.Background(), st, o)
	if !errors.Is(err, ErrFailed) || res == nil || res.Run.Status != catalog.RunFailed || res.Run.Error == "" {
		t.Fatalf("all sources down: %v %+v", err, res)
	}
	after, _ := st.Snapshot()
	if !reflect.DeepEqual(after, before) {
		t.Error("a run that read nothing changed the published catalogue")
	}
	if pagesAfter, _ := st.Pages(); !reflect.DeepEqual(pagesAfter, pagesBefore) {
		t.Error("a run that read nothing changed the stored pages")
	}
	last, _ := st.LastRun()
	committed, _ := st.LastCommittedRun()
	if last.ID != res.Run.ID || last.Status != catalog.RunFailed || committed.ID != first.Run.ID {
		t.Errorf("run records: last %d %s, last committed %d; want the failed run %d and the first %d", last.ID, last.Status, committed.ID, res.Run.ID, first.Run.ID)
	}
	// A tree published afterwards (llmref export) is the committed run's,
	// and says so: never stamped with the failed run that committed nothing.
	out := filepath.Join(t.TempDir(), "export")
	if _, err := testPublisher(out).Publish(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(out, export.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	var idx export.Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	if idx.Run != first.Run.ID || !idx.GeneratedAt.Equal(first.Run.FinishedAt.UTC()) {
		t.Errorf("a tree published after a failed run names run %d at %s; want the committed run %d", idx.Run, idx.GeneratedAt, first.Run.ID)
	}
}

func TestPartialRunKeepsFacts(t *testing.T) {
	st := openStore(t)
	if _, err := Run(context.Background(), st, replayOptions(t, "2026-04-23")); err != nil {
		t.Fatal(err)
	}
	before, _ := st.Snapshot()
	o := replayOptions(t, "2026-04-24")
	o.Fetch.Transport = hostDown{host: "openrouter.ai", next: o.Fetch.Transport}
	o.Fetch.MaxRetries = -1
	res, err := Run(context.Background(), st, o)
	if !errors.Is(err, ErrPartial) || res == nil || res.Run.Status != catalog.RunPartial {
		t.Fatalf("openrouter down: %v %+v", err, res)
	}
	after, _ := st.Snapshot()
	if len(after.Models) != len(before.Models) || len(after.Offerings) != len(before.Offerings) {
		t.Fatalf("a failed run lost facts: %d/%d models, %d/%d offerings", len(after.Models), len(before.Models), len(after.Offerings), len(before.Offerings))
	}
	o2 := after.Offerings[catalog.OfferingKey("meta/llama-3.2-1b-instruct", "openrouter", "", "")]
	if !o2.Output.Stale || o2.Output.Value.Amount != 200_000 {
		t.Errorf("kept price %+v; want the earlier 0.20, stale", o2.Output)
	}
}

func TestOnlyOneSource(t *testing.T) {
	st := openStore(t)
	if _, err := Run(context.Background(), st, replayOptions(t, "2026-04-23")); err != nil {
		t.Fatal(err)
	}
	o := replayOptions(t, "2026-04-24")
	o.Only = []string{"openrouter"}
	res, err := Run(context.Background(), st, o)
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := st.Snapshot()
	if m := snap.Models["meta/llama-3.2-1b-instruct"]; m == nil || m.Released.Source.Name() != "huggingface" {
		t.Error("a run of one source lost another source's facts")
	}
	skipped := 0
	for _, s := range res.Run.Sources {
		if s.Status == catalog.SourceSkipped {
			skipped++
		}
	}
	if skipped != 2 {
		t.Errorf("%d sources reported skipped, want 2", skipped)
	}
	if !slices.Equal(res.Run.Only, []string{"openrouter"}) {
		t.Errorf("the run record's only %q; want [openrouter]", res.Run.Only)
	}
	if full, _ := Run(context.Background(), st, replayOptions(t, "2026-04-24")); full == nil || full.Run.Only != nil {
		t.Errorf("a run of every source records only %v", full)
	}
	o.Only = []string{"nope"}
	if _, err := Run(context.Background(), st, o); err == nil || !strings.Contains(err.Error(), "unknown source") {
		t.Errorf("unknown source: %v", err)
	}
}

// TestUnchangedRunKeepsCatalogue replays a day twice: the second run finds
// every page unchanged (304s, the same content), keeps the published
// catalogue without normalising again, and moves only retrieved_at. Only
// the first run calls Kept (the command line's heap floor), once for its
// first body of the few.
func TestUnchangedRunKeepsCatalogue(t *testing.T) {
	st := openStore(t)
	var firstBodies atomic.Int32
	o := replayOptions(t, "2026-04-23")
	o.Kept = func(n int) {
		if n == 1 {
			firstBodies.Add(1)
		}
	}
	first, err := Run(context.Background(), st, o)
	if err != nil {
		t.Fatal(err)
	}
	if n := firstBodies.Load(); n != 1 {
		t.Errorf("the first run called Kept for its first body %d times, want 1", n)
	}
	before, _ := st.Snapshot()
	o = replayOptions(t, "2026-04-23")
	o.Kept = func(int) { firstBodies.Add(1) }
	later := time.Date(2026, 4, 23, 14, 0, 0, 0, time.UTC)
	o.Now = func() time.Time { return later }
	res, err := Run(context.Background(), st, o)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Run.Unchanged || res.Run.Models != first.Run.Models || res.Run.Offerings != first.Run.Offerings {
		t.Fatalf("second run %+v; want it to keep the catalogue", res.Run)
	}
	if n := firstBodies.Load(); n != 1 {
		t.Errorf("a run that found every page unchanged called Kept (%d calls in all)", n)
	}
	after, _ := st.Snapshot()
	key := catalog.OfferingKey("meta/llama-3.2-1b-instruct", "openrouter", "", "")
	if got := after.Offerings[key].Output; !got.RetrievedAt.Equal(catalog.StampOf(later)) || !got.ChangedAt.Equal(before.Offerings[key].Output.ChangedAt) || got.Value != before.Offerings[key].Output.Value {
		t.Errorf("kept price %+v; want the same value and changed_at, retrieved at %v", got, later)
	}
	if m := after.Models["meta/llama-3.2-1b-instruct"]; !m.Released.RetrievedAt.Equal(catalog.StampOf(later)) {
		t.Errorf("a card fact confirmed by a 304 kept retrieved_at %v", m.Released.RetrievedAt)
	}
	if len(after.Models) != len(before.Models) || len(after.Offerings) != len(before.Offerings) {
		t.Error("the kept catalogue lost records")
	}

	// Another alias table is another normalisation: the run normalises
	// again although every page is unchanged.
	o.Normalization, _ = normalize.NewSettings(map[string]string{"openrouter:x-ai/grok-4.1-fast": "xai/grok-4.1"}, 0)
	res, err = Run(context.Background(), st, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Unchanged {
		t.Error("a changed alias table did not normalise again")
	}
	if snap, _ := st.Snapshot(); snap.Models["xai/grok-4.1"] == nil {
		t.Error("the new alias was not applied")
	}
	if problems, err := st.Check(); err != nil || len(problems) != 0 {
		t.Errorf("check: %v %v", problems, err)
	}
}

// TestRebuild re-reads the stored bodies with today's parsers: the same
// parsers give the same catalogue, as a run of its own that fetched nothing.
func TestRebuild(t *testing.T) {
	st := openStore(t)
	if _, err := Run(context.Background(), st, replayOptions(t, "2026-04-23")); err != nil {
		t.Fatal(err)
	}
	before, _ := st.Snapshot()
	o := replayOptions(t, "2026-04-23")
	o.Fetch.Transport = downTransport{} // a rebuild must not fetch
	res, err := Rebuild(context.Background(), st, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Replay != "rebuild" || res.Run.Status != catalog.RunOK || res.Run.ID != 2 {
		t.Fatalf("rebuild run %+v", res.Run)
	}
	after, _ := st.Snapshot()
	if len(after.Models) != len(before.Models) || len(after.Offerings) != len(before.Offerings) {
		t.Fatalf("rebuild changed the catalogue: %d/%d models, %d/%d offerings", len(after.Models), len(before.Models), len(after.Offerings), len(before.Offerings))
	}
	for k, o := range before.Offerings {
		if a := after.Offerings[k]; a == nil || a.Input.Value != o.Input.Value || a.Output.Value != o.Output.Value {
			t.Errorf("%s: %+v after a rebuild, %+v before", k, a, o)
		}
	}
	if len(res.Changes.Changes) != 0 {
		t.Errorf("the same parsers reported changes: %+v", res.Changes.Changes)
	}
	if problems, err := st.Check(); err != nil || len(problems) != 0 {
		t.Errorf("check: %v %v", problems, err)
	}
	if _, err := Rebuild(context.Background(), openStore(t), o); err == nil {
		t.Error("a rebuild of an empty database succeeded")
	}
}

// testPublisher publishes to out with the default comparisons and no
// webhook.
func testPublisher(out string) *publish.Publisher {
	return publish.New(out, compare.DefaultOptions(), webhook.Webhook{})
}

// TestCarryUnselected: the run's pages and the stored pages of the
// sources it did not read come back in URL order, those carried marked
// reused; a stored page this run read again is this run's.
func TestCarryUnselected(t *testing.T) {
	or, oa := &scrapers.OpenRouter{}, &scrapers.OpenAI{Models: []string{"gpt-5.3-codex"}}
	all := []scrapers.Source{or, oa}
	read := []catalog.Page{{Source: "openrouter", URL: "https://c/"}, {Source: "openrouter", URL: "https://a/"}}
	prev := map[string]catalog.Page{
		"https://b/": {Source: "openai", URL: "https://b/"},
		"https://d/": {Source: "openai", URL: "https://d/"},
		"https://a/": {Source: "openai", URL: "https://a/"}, // read by openrouter now
		"https://e/": {Source: "openrouter", URL: "https://e/"},
	}
	got := carryUnselected(read, prev, all, []scrapers.Source{or})
	var urls []string
	for _, p := range got {
		urls = append(urls, p.URL)
		if carried := p.Source == "openai"; p.Reused != carried {
			t.Errorf("%s (%s): reused %v", p.URL, p.Source, p.Reused)
		}
	}
	if want := []string{"https://a/", "https://b/", "https://c/", "https://d/"}; !slices.Equal(urls, want) {
		t.Errorf("pages %v, want %v", urls, want)
	}
	if got := carryUnselected(read, prev, all, all); len(got) != 2 || got[0].URL != "https://a/" || got[1].URL != "https://c/" {
		t.Errorf("every source read: %+v", got)
	}
	if read[0].URL != "https://c/" {
		t.Error("the run's own pages were reordered")
	}
}
