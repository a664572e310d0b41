package refresh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/changes"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/export/schema"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
	"github.com/llmref/llmref/webhook"
)

// anomalyDay is the test-only fixture day: the 2026-04-24 OpenRouter list
// with a ×1000 unit slip on Llama 3.2 1B Instruct's input price, gpt-oss-20b's
// output falling to zero, an ordinary +5.6% move on qwen3-coder, and only 7
// of its 22 models listed (13 of the 20 OpenRouter offerings published
// before vanish; the two others were unmatched ids).
const anomalyDay = "testdata/days/2026-04-25-anomalies"

func openRouterOnly(t *testing.T, day string) Options {
	t.Helper()
	o := replayOptions(t, "2026-04-24")
	if day != "2026-04-24" {
		rt, err := scrapers.NewReplay(os.DirFS(day))
		if err != nil {
			t.Fatal(err)
		}
		at := rt.Manifest().RecordedAt
		o.Fetch.Transport, o.Replay, o.Now = rt, day, func() time.Time { return at }
	}
	o.Sources = []scrapers.Source{&scrapers.OpenRouter{}}
	return o
}

const (
	llama1B  = "meta/llama-3.2-1b-instruct|openrouter||"
	gptOss   = "openai/gpt-oss-20b|openrouter||"
	qwen     = "qwen/qwen3-coder|openrouter||"
	gemini   = "google/gemini-2.5-flash|openrouter||"
	geminiID = "google/gemini-2.5-flash"
)

func runOK(t *testing.T, st *store.Store, o Options) *Result {
	t.Helper()
	res, err := Run(context.Background(), st, o)
	if err != nil {
		t.Fatalf("run %s: %v", o.Replay, err)
	}
	return res
}

func changeOf(cs *catalog.ChangeSet, kind catalog.ChangeKind, model, field string) *catalog.RunChange {
	for i := range cs.Changes {
		c := &cs.Changes[i]
		if c.Kind == kind && c.Model == model && c.Field == field && c.Provider == "openrouter" && c.Variant == "" {
			return c
		}
	}
	return nil
}

func holdOf(t *testing.T, st *store.Store, key string) catalog.Hold {
	t.Helper()
	hs, err := st.Holds()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.Key == key {
			return h
		}
	}
	t.Fatalf("no hold %s among %d", key, len(hs))
	return catalog.Hold{}
}

type exportedOffering struct {
	Model, Provider, Variant string
	Input, Output            struct {
		Status     string
		Value      *catalog.Price
		Stale      bool
		ReviewedAt *time.Time `json:"reviewed_at"`
	}
}

func exportedOfferings(t *testing.T, dir string) map[string]exportedOffering {
	t.Helper()
	var doc struct{ Offerings []exportedOffering }
	readJSON(t, filepath.Join(dir, "offerings.json"), &doc)
	out := map[string]exportedOffering{}
	for _, o := range doc.Offerings {
		out[catalog.OfferingKey(o.Model, o.Provider, "", o.Variant)] = o
	}
	return out
}

// TestAnomaliesHeld is the acceptance for held changes: a ×1000
// slip, a price falling to zero and a provider losing most of its rows are
// neither published nor exported; the ordinary change is; approving one
// publishes it (export and history follow), rejecting another drops it, a
// rejected value the source repeats is not held again, and no run piles up
// duplicate holds.
func TestAnomaliesHeld(t *testing.T) {
	st := openStore(t)
	out := filepath.Join(t.TempDir(), "export")
	o := openRouterOnly(t, "2026-04-24")
	o.Publisher = testPublisher(out)
	runOK(t, st, o)
	before, _ := st.Snapshot()

	o = openRouterOnly(t, anomalyDay)
	o.Publisher = testPublisher(out)
	res := runOK(t, st, o)
	cs := res.Changes
	if cs == nil || cs.Run != res.Run.ID {
		t.Fatalf("change set %+v", cs)
	}
	slip := changeOf(cs, catalog.ChangePrice, "meta/llama-3.2-1b-instruct", "input")
	zero := changeOf(cs, catalog.ChangePrice, "openai/gpt-oss-20b", "output")
	fine := changeOf(cs, catalog.ChangePrice, "qwen/qwen3-coder", "output")
	gone := changeOf(cs, catalog.ChangeOfferingRemoved, geminiID, "")
	if slip == nil || zero == nil || fine == nil || gone == nil {
		t.Fatalf("missing changes in %+v", cs.Changes)
	}
	for _, c := range []*catalog.RunChange{slip, zero, gone} {
		if c.Status != catalog.ChangeHeld || c.Hold == 0 || len(c.Reasons) == 0 {
			t.Errorf("%s: status %s, hold %d, reasons %v; want held", c.Subject(), c.Status, c.Hold, c.Reasons)
		}
	}
	if !strings.Contains(strings.Join(slip.Reasons, ";"), "1000× larger") || !strings.Contains(strings.Join(zero.Reasons, ";"), "hold_zero") {
		t.Errorf("reasons: slip %v, zero %v", slip.Reasons, zero.Reasons)
	}
	if fine.Status != catalog.ChangePublished || fine.DeltaPct != "+5.6%" {
		t.Errorf("ordinary change %+v", fine)
	}
	breakage := holdOf(t, st, "breakage:openrouter")
	if gone.Hold != breakage.ID || len(breakage.RemovedOfferings) != 13 || !contains(breakage.RemovedModels, geminiID) {
		t.Errorf("breakage hold %d: %d offerings, models %v (change points at %d)", breakage.ID, len(breakage.RemovedOfferings), breakage.RemovedModels, gone.Hold)
	}
	if held, _ := st.Holds(catalog.HoldPending); len(held) != 3 {
		t.Fatalf("%d pending holds, want 3: %+v", len(held), held)
	}

	// Nothing held is published or exported: the old values stay.
	snap, _ := st.Snapshot()
	if got := snap.Offerings[llama1B].Input.Value.Amount; got != 27_000 {
		t.Errorf("published Llama input %d, want the old 27000", got)
	}
	if got := snap.Offerings[gptOss].Output.Value; got != catalog.Fixed(140_000) {
		t.Errorf("published gpt-oss-20b output %+v, want the old $0.14", got)
	}
	if got := snap.Offerings[qwen].Output.Value.Amount; got != 1_900_000 {
		t.Errorf("published qwen output %d, want the new 1900000", got)
	}
	if len(snap.Offerings) != len(before.Offerings) || snap.Models[geminiID] == nil || !snap.Offerings[gemini].Input.Stale {
		t.Errorf("a broken source removed offerings: %d published, %d before", len(snap.Offerings), len(before.Offerings))
	}
	exp := exportedOfferings(t, out)
	if e := exp[llama1B]; e.Input.Value == nil || e.Input.Value.Amount != 27_000 {
		t.Errorf("exported Llama input %+v", e.Input)
	}
	if e := exp[gptOss]; e.Output.Value == nil || e.Output.Value.Kind != catalog.PriceFixed {
		t.Errorf("exported gpt-oss-20b output %+v", e.Output)
	}
	if _, ok := exp[gemini]; !ok {
		t.Error("exported tree lost a vanished offering")
	}
	if h, _ := st.History("meta/llama-3.2-1b-instruct", "openrouter"); len(h[llama1B]) != 1 {
		t.Errorf("held slip reached the history: %+v", h[llama1B])
	}
	var rep changes.Report
	readJSON(t, filepath.Join(out, export.ChangesFile(res.Run.ID)), &rep)
	if want := 2 + len(breakage.RemovedOfferings) + len(breakage.RemovedModels); len(rep.Held()) != want || rep.Runs[0].ID != res.Run.ID {
		t.Errorf("exported change report: %d held entries, want %d (2 prices and the removals), runs %+v", len(rep.Held()), want, rep.Runs)
	}

	// Approve the zero, reject the slip.
	zeroHold, slipHold := holdOf(t, st, "price:"+gptOss+"#output"), holdOf(t, st, "price:"+llama1B+"#input")
	decided := time.Date(2026, 4, 25, 9, 30, 0, 0, time.UTC)
	if _, err := st.Decide(catalog.ActionApprove, []uint64{zeroHold.ID}, "OpenRouter made gpt-oss-20b output free", decided, changes.ApplyDecision); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Decide(catalog.ActionReject, []uint64{slipHold.ID}, "per-1K figure read as per-token", decided, changes.ApplyDecision); err != nil {
		t.Fatal(err)
	}
	snap, _ = st.Snapshot()
	f := snap.Offerings[gptOss].Output
	if f.Value.Kind != catalog.PriceFree || !f.ReviewedAt.Equal(catalog.StampOf(decided)) || !f.ChangedAt.Equal(catalog.StampOf(o.Now())) {
		t.Errorf("approved output %+v", f)
	}
	if snap.Offerings[llama1B].Input.Value.Amount != 27_000 {
		t.Error("rejected slip published")
	}
	h, _ := st.History("openai/gpt-oss-20b", "openrouter")
	pts := h[gptOss]
	if len(pts) != 2 || pts[1].Run != res.Run.ID || pts[1].Output.Kind != catalog.PriceFree || !pts[1].At.Equal(o.Now()) {
		t.Errorf("history after approval %+v; want the free output effective from run %d", pts, res.Run.ID)
	}
	last, _ := st.LastRun()
	if _, err := testPublisher(out).PublishSnapshot(context.Background(), st, snap, last); err != nil {
		t.Fatal(err)
	}
	exp = exportedOfferings(t, out)
	if e := exp[gptOss]; e.Output.Value == nil || e.Output.Value.Kind != catalog.PriceFree || e.Output.ReviewedAt == nil {
		t.Errorf("export after approval %+v", e.Output)
	}
	var hdoc export.HistoryDoc
	readJSON(t, filepath.Join(out, export.HistoryFile("openai/gpt-oss-20b")), &hdoc)
	if len(hdoc.Offerings) == 0 || len(hdoc.Offerings[0].Points) != 2 {
		t.Errorf("exported history %+v", hdoc)
	}
	validateExported(t, out, "changes", "history")

	// The same anomalies again: the rejected slip is not held again, the
	// breakage hold is the same one, nothing piles up.
	res = runOK(t, st, openRouterOnly(t, anomalyDay))
	slip = changeOf(res.Changes, catalog.ChangePrice, "meta/llama-3.2-1b-instruct", "input")
	if slip == nil || slip.Status != catalog.ChangeRejected || slip.Hold != slipHold.ID {
		t.Errorf("repeated rejected slip: %+v", slip)
	}
	if c := changeOf(res.Changes, catalog.ChangePrice, "openai/gpt-oss-20b", "output"); c != nil {
		t.Errorf("approved value reported again: %+v", c)
	}
	if held, _ := st.Holds(catalog.HoldPending); len(held) != 1 || held[0].ID != breakage.ID || held[0].LastRun != res.Run.ID {
		t.Errorf("pending after a repeat: %+v", held)
	}
	if all, _ := st.Holds(); len(all) != 3 {
		t.Errorf("%d holds after a repeat, want 3", len(all))
	}
	// Now that the source repeats it, the operator may still approve the
	// rejected value.
	if _, err := st.Decide(catalog.ActionApprove, []uint64{slipHold.ID}, "it was right after all", decided, changes.ApplyDecision); err != nil {
		t.Errorf("approve a rejected value the source repeats: %v", err)
	}

	// Approving the breakage removes the offerings, with removal points.
	if _, err := st.Decide(catalog.ActionApprove, []uint64{breakage.ID}, "OpenRouter retired them", decided, changes.ApplyDecision); err != nil {
		t.Fatal(err)
	}
	snap, _ = st.Snapshot()
	if _, ok := snap.Offerings[gemini]; ok || snap.Models[geminiID] != nil {
		t.Error("approved breakage left the offering or its model published")
	}
	h, _ = st.History(geminiID, "")
	if p := h[gemini]; len(p) == 0 || !p[len(p)-1].Removed {
		t.Errorf("no removal point: %+v", p)
	}
	if d, _ := st.Decisions(); len(d) != 4 {
		t.Errorf("%d decisions recorded, want 4: %+v", len(d), d)
	}
	if problems, err := st.Check(); err != nil || len(problems) != 0 {
		t.Errorf("check after the decisions: %v %v", problems, err)
	}
}

// TestHeldValueWithdrawn: when the source goes back to the published value,
// the pending hold is withdrawn by the run, with its reason.
func TestHeldValueWithdrawn(t *testing.T) {
	st := openStore(t)
	runOK(t, st, openRouterOnly(t, "2026-04-24"))
	runOK(t, st, openRouterOnly(t, anomalyDay))
	o := openRouterOnly(t, "2026-04-24")
	o.Now = func() time.Time { return time.Date(2026, 4, 26, 2, 0, 0, 0, time.UTC) }
	res := runOK(t, st, o)
	if held, _ := st.Holds(catalog.HoldPending); len(held) != 0 {
		t.Errorf("pending after the source recovered: %+v", held)
	}
	w, _ := st.Holds(catalog.HoldWithdrawn)
	if len(w) != 3 || w[0].Decision == nil || w[0].Decision.Run != res.Run.ID {
		t.Errorf("withdrawn %+v", w)
	}
	if c := changeOf(res.Changes, catalog.ChangeOfferingAdded, geminiID, ""); c != nil {
		t.Errorf("an offering a breakage kept is reported added again: %+v", c)
	}
	if _, err := st.Decide(catalog.ActionApprove, []uint64{w[0].ID}, "too late", time.Now(), changes.ApplyDecision); err == nil || !strings.Contains(err.Error(), "withdrawn") {
		t.Errorf("approving a withdrawn hold: %v", err)
	}
}

// TestWebhook delivers the run's JSON report to a loopback server that
// fails once: retried, recorded, after the commit.
func TestWebhook(t *testing.T) {
	url, got := hookReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Llmref-Run") == "" {
			http.Error(w, "bad headers", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	st := openStore(t)
	runOK(t, st, replayOptions(t, "2026-04-23"))
	o := replayOptions(t, "2026-04-24")
	o.Publisher = &publish.Publisher{Webhook: webhook.Webhook{URL: url, Retries: 2, Backoff: time.Millisecond, Timeout: 10 * time.Second}}
	res := runOK(t, st, o)
	d := res.Delivery
	if d == nil || !d.OK || d.Attempts != 2 || d.Status != http.StatusNoContent {
		t.Fatalf("delivery %+v", d)
	}
	if rec, err := st.Delivery(res.Run.ID); err != nil || rec.Attempts != 2 || !rec.OK {
		t.Errorf("recorded delivery %+v %v", rec, err)
	}
	var rep changes.Report
	if err := json.Unmarshal(got()[1], &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Runs) != 1 || rep.Runs[0].ID != res.Run.ID || rep.Counts[string(catalog.ChangePrice)] == 0 {
		t.Errorf("webhook report %+v", rep)
	}
	found := false
	for _, e := range rep.Changes {
		found = found || (e.Model == "meta/llama-3.2-1b-instruct" && e.Field == "output" && e.DeltaPct == "+0.5%")
	}
	if !found {
		t.Error("webhook report lacks the Llama output change")
	}
}

// TestWebhookDownNeverFailsTheRun: a receiver that always fails costs a
// bounded time, is recorded, and the run is committed all the same.
func TestWebhookDownNeverFailsTheRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	st := openStore(t)
	runOK(t, st, replayOptions(t, "2026-04-23"))
	o := replayOptions(t, "2026-04-24")
	o.Publisher = &publish.Publisher{Webhook: webhook.Webhook{URL: srv.URL, Retries: 3, Backoff: time.Millisecond, Timeout: 5 * time.Second}}
	res, err := Run(context.Background(), st, o)
	if err != nil {
		t.Fatalf("a failing webhook failed the run: %v", err)
	}
	if last, _ := st.LastRun(); last.ID != res.Run.ID {
		t.Error("run not committed")
	}
	d, err := st.Delivery(res.Run.ID)
	if err != nil || d.OK || d.Attempts != 4 || d.Status != http.StatusBadGateway || !strings.Contains(d.Error, "502") {
		t.Errorf("delivery %+v %v", d, err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// validateExported checks every file of the given folders of an exported
// tree against its JSON Schema (export/schema).
func validateExported(t *testing.T, out string, dirs ...string) {
	t.Helper()
	n := 0
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(out, d, "*.json"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rel := d + "/" + filepath.Base(f)
			if err := schema.Check(rel, data); err != nil {
				t.Errorf("%s: %v", rel, err)
			}
			n++
		}
	}
	if n == 0 {
		t.Errorf("no files in %v to validate", dirs)
	}
}

// TestSchemasRejectBadChanges: the two schemas refuse what the contract
// forbids.
func TestSchemasRejectBadChanges(t *testing.T) {
	for _, b := range []struct{ name, rel, doc string }{
		{"held change without its hold", "changes/2.json", `{"schema_version":1,"runs":[],"counts":{},"statuses":{},"changes":[{"run":2,"kind":"price_changed","status":"held","source":{"name":"x","url":"","authority":"provider"}}]}`},
		{"unknown kind", "changes/2.json", `{"schema_version":1,"runs":[],"counts":{"price_changed":1},"statuses":{},"changes":[{"run":2,"kind":"price_moved","status":"published","source":{"name":"x","url":"","authority":"provider"}}]}`},
		{"removed point with a price", "history/a--b.json", `{"schema_version":2,"model":"a/b","offerings":[{"key":"a/b|p||","provider":"p","points":[{"run":1,"at":"2026-04-23T02:00:00Z","removed":true,"input":{"kind":"free"}}]}]}`},
		{"fixed price without micro-dollars", "history/a--b.json", `{"schema_version":2,"model":"a/b","offerings":[{"key":"a/b|p||","provider":"p","points":[{"run":1,"at":"2026-04-23T02:00:00Z","output":{"kind":"fixed","usd_per_mtok":0.2}}]}]}`},
	} {
		t.Run(b.name, func(t *testing.T) {
			if err := schema.Check(b.rel, []byte(b.doc)); err == nil {
				t.Errorf("%s accepted: %s", b.rel, b.doc)
			}
		})
	}
}

// TestWebhookSentWhenTheTreeIsNotPublished: a run that commits but whose
// tree cannot be published still reports its changes to the webhook (the
// README: after each run with changes); it sent nothing before.
func TestWebhookSentWhenTheTreeIsNotPublished(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	st := openStore(t)
	runOK(t, st, replayOptions(t, "2026-04-23"))
	blocked := filepath.Join(t.TempDir(), "site")
	if err := os.WriteFile(blocked, []byte("a file where the tree goes"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := replayOptions(t, "2026-04-24")
	o.Publisher = &publish.Publisher{Dir: blocked, Webhook: webhook.Webhook{URL: srv.URL, Timeout: 5 * time.Second}}
	res, err := Run(context.Background(), st, o)
	if !errors.Is(err, ErrNotPublished) {
		t.Fatalf("err = %v, want the tree not published", err)
	}
	if d := res.Delivery; d == nil || !d.OK || posts.Load() != 1 {
		t.Errorf("delivery %+v after %d posts; want the run's report delivered once", d, posts.Load())
	}
}

// TestWebhookReportShortenedToItsLimit: a report larger than the
// webhook's limit (a first run's, every model and offering new, is ~750 KB
// at 300 models; nginx answers 413 past 1 MiB) is sent shortened to fit:
// the changes waiting for an operator first, the counts of the whole, how
// many were left out and where the whole report is; it is recorded so. The
// exported changes/<run>.json stays whole.
func TestWebhookReportShortenedToItsLimit(t *testing.T) {
	url, got := hookReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	last := func() []byte { b := got(); return b[len(b)-1] }
	// The same two days into three databases: the whole report, then
	// under a limit of a third of its size (not every held change fits)
	// and of the size of its held changes alone (they all fit).
	var whole changes.Report
	var wholeBody []byte
	for try := range 3 {
		st := openStore(t)
		out := filepath.Join(t.TempDir(), "export")
		o := openRouterOnly(t, "2026-04-24")
		o.Publisher = testPublisher(out)
		runOK(t, st, o)
		o = openRouterOnly(t, anomalyDay)
		o.Publisher = testPublisher(out)
		limit := 0
		switch try {
		case 1:
			limit = len(wholeBody) / 3
		case 2:
			held := whole.Shortened(len(whole.Held()))
			held.CompleteReport = export.ChangesFile(2)
			b, err := export.Canonical(held)
			if err != nil {
				t.Fatal(err)
			}
			limit = len(b)
		}
		o.Publisher.Webhook = webhook.Webhook{URL: url, Timeout: 10 * time.Second, MaxBytes: limit}
		res := runOK(t, st, o)
		body := last()
		if try == 0 {
			wholeBody = body
			if err := json.Unmarshal(body, &whole); err != nil || whole.Omitted != 0 || res.Delivery.Omitted != 0 || len(whole.Held()) < 2 {
				t.Fatalf("whole report: %v, omitted %d, held %d", err, whole.Omitted, len(whole.Held()))
			}
			continue
		}
		if len(body) > limit {
			t.Errorf("report of %d bytes sent under a limit of %d", len(body), limit)
		}
		if err := schema.Check(export.ChangesFile(res.Run.ID), body); err != nil {
			t.Errorf("shortened report against the changes schema: %v", err)
		}
		var short changes.Report
		if err := json.Unmarshal(body, &short); err != nil {
			t.Fatal(err)
		}
		if short.Omitted == 0 || short.Omitted+len(short.Changes) != len(whole.Changes) || res.Delivery.Omitted != short.Omitted {
			t.Errorf("omitted %d (recorded %d) with %d sent, of %d", short.Omitted, res.Delivery.Omitted, len(short.Changes), len(whole.Changes))
		}
		if rec, err := st.Delivery(res.Run.ID); err != nil || rec.Omitted != short.Omitted || !rec.OK {
			t.Errorf("recorded delivery %+v %v", rec, err)
		}
		// Held changes first: every one of them sent, or nothing else.
		if h := len(short.Held()); h == 0 || (h < len(whole.Held()) && h != len(short.Changes)) || (try == 2 && h != len(whole.Held())) {
			t.Errorf("limit %d: %d of %d held changes sent, among %d", limit, h, len(whole.Held()), len(short.Changes))
		}
		if short.CompleteReport != export.ChangesFile(res.Run.ID) || fmt.Sprint(short.Counts, short.Statuses) != fmt.Sprint(whole.Counts, whole.Statuses) {
			t.Errorf("complete_report %q, counts %v %v; want the whole's %v %v", short.CompleteReport, short.Counts, short.Statuses, whole.Counts, whole.Statuses)
		}
		exported, err := os.ReadFile(filepath.Join(out, export.ChangesFile(res.Run.ID)))
		var tree changes.Report
		if err == nil {
			err = json.Unmarshal(exported, &tree)
		}
		if err != nil || len(tree.Changes) != len(whole.Changes) || tree.Omitted != 0 {
			t.Errorf("exported report: %d changes, omitted %d (%v)", len(tree.Changes), tree.Omitted, err)
		}
	}
}

// hookReceiver is a loopback webhook receiver: it keeps the body of each
// request and answers it with answer (n counts the requests from 1); got
// returns the bodies so far.
func hookReceiver(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) (url string, got func() [][]byte) {
	t.Helper()
	var mu sync.Mutex
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		n := len(bodies)
		mu.Unlock()
		answer(n, w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() [][]byte {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(bodies)
	}
}

// TestWebhookSendsAgainWhatItMissed: a report whose delivery failed (the
// receiver down that night) is sent again after the next run's report
// goes through, and both records then say delivered.
func TestWebhookSendsAgainWhatItMissed(t *testing.T) {
	url, got := hookReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	hook := webhook.Webhook{URL: url, Timeout: 5 * time.Second}
	st := openStore(t)
	o := replayOptions(t, "2026-04-23")
	o.Publisher = &publish.Publisher{Webhook: hook}
	first := runOK(t, st, o)
	if first.Delivery == nil || first.Delivery.OK {
		t.Fatalf("the first delivery: %+v", first.Delivery)
	}
	o = replayOptions(t, "2026-04-24")
	o.Publisher = &publish.Publisher{Webhook: hook}
	second := runOK(t, st, o)
	if second.Delivery == nil || !second.Delivery.OK {
		t.Fatalf("the second delivery: %+v", second.Delivery)
	}
	bodies := got()
	if len(bodies) != 3 {
		t.Fatalf("%d posts, want 3 (run 1 failing, run 2, run 1 again)", len(bodies))
	}
	var rep changes.Report
	if err := json.Unmarshal(bodies[2], &rep); err != nil || len(rep.Runs) != 1 || rep.Runs[0].ID != first.Run.ID {
		t.Errorf("the third post is not run %d's report: %v %+v", first.Run.ID, err, rep.Runs)
	}
	for _, id := range []uint64{first.Run.ID, second.Run.ID} {
		if d, err := st.Delivery(id); err != nil || !d.OK {
			t.Errorf("run %d's delivery record: %+v %v", id, d, err)
		}
	}
}
