package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/changes"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/internal/fixturetest"
)

// TestChangesAfterDemo is the acceptance on the command line: after
// `llmref demo`, `llmref changes --format json` lists Llama 3.2 1B
// Instruct's OpenRouter output 0.20 → 0.201 (+0.5%), the new model and the
// offering that left; `llmref history` shows 0.20 and then 0.201 with their
// dates.
func TestChangesAfterDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if code, _, errs := llmref(t, "demo", "--dir", dir, "-q"); code != 0 {
		t.Fatalf("demo exit %d: %s", code, errs)
	}
	db := filepath.Join(dir, "llmref.db")
	code, out, errs := llmref(t, "changes", "--format", "json", "--db", db)
	if code != 0 {
		t.Fatalf("changes exit %d: %s", code, errs)
	}
	var rep changes.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("changes --format json: %v\n%s", err, out)
	}
	var price, added, left bool
	for _, e := range rep.Changes {
		switch {
		case e.Kind == catalog.ChangePrice && e.Model == "meta/llama-3.2-1b-instruct" && e.ModelName == "Llama 3.2 1B Instruct" &&
			e.Provider == "openrouter" && e.Variant == "" && e.Field == "output":
			price = e.OldPrice.Amount == 200_000 && e.NewPrice.Amount == 201_000 && e.DeltaPct == "+0.5%" && *e.Delta == 1_000 && e.Status == catalog.ChangePublished
		case e.Kind == catalog.ChangeModelAdded && e.Model == "deepseek/deepseek-v4-flash":
			added = true
		case e.Kind == catalog.ChangeOfferingRemoved && e.Model == "meta/llama-guard-3-8b" && e.Provider == "openrouter":
			left = true
		}
	}
	if !price || !added || !left || len(rep.Runs) != 1 || rep.Runs[0].ID != 2 {
		t.Errorf("report: price %v, model added %v, offering left %v, runs %+v", price, added, left, rep.Runs)
	}
	if !strings.Contains(out, `"usd_per_mtok": 0.201`) {
		t.Error("JSON report lacks the exact new price")
	}

	code, out, _ = llmref(t, "changes", "--db", db)
	if code != 0 || !strings.Contains(out, "| Llama 3.2 1B Instruct | output price | $0.20 | $0.201 | +$0.001 | +0.5% |") {
		t.Errorf("changes (Markdown) exit %d:\n%s", code, out)
	}
	code, out, _ = llmref(t, "changes", "--format", "html", "--run", "2", "--db", db)
	if code != 0 || !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, `<td data-label="change">output price</td>`) {
		t.Errorf("changes --format html exit %d", code)
	}
	code, out, _ = llmref(t, "changes", "--since", "2026-04-23", "--format", "json", "--db", db)
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || len(rep.Runs) != 2 {
		t.Errorf("changes --since: exit %d, %v, %d runs", code, err, len(rep.Runs))
	}

	code, out, errs = llmref(t, "history", "meta/llama-3.2-1b-instruct", "--provider", "openrouter", "--db", db)
	if code != 0 {
		t.Fatalf("history exit %d: %s", code, errs)
	}
	first := regexp.MustCompile(`(?m)^  2026-04-23 02:00 +1 +\$0\.027 +\$0\.20 `)
	second := regexp.MustCompile(`(?m)^  2026-04-24 02:00 +2 +\$0\.027 +\$0\.201 `)
	if !strings.HasPrefix(out, "meta/llama-3.2-1b-instruct at openrouter\n") || !first.MatchString(out) || !second.MatchString(out) ||
		first.FindStringIndex(out)[0] > second.FindStringIndex(out)[0] {
		t.Errorf("history:\n%s", out)
	}
	code, out, _ = llmref(t, "history", "meta/llama-3.2-1b-instruct", "--provider", "openrouter", "--format", "json", "--db", db)
	if code != 0 || !strings.Contains(out, `"at": "2026-04-24T02:00:00Z"`) {
		t.Errorf("history --format json exit %d:\n%s", code, out)
	}
}

// TestReviewCommands runs the anomaly day through the command line: review
// lists the held changes; approve publishes one (the export follows);
// reject drops another; unknown ids and models change nothing.
func TestReviewCommands(t *testing.T) {
	dir := t.TempDir()
	db, exp := filepath.Join(dir, "llmref.db"), filepath.Join(dir, "export")
	anomalies := filepath.Join("..", "..", "refresh", "testdata", "days", "2026-04-25-anomalies")
	for _, day := range []string{"2026-04-24", anomalies} {
		if code, _, errs := llmref(t, "refresh", "--source", "openrouter", "--replay", day, "--export", exp, "--db", db, "-q"); code != 0 {
			t.Fatalf("refresh %s: exit %d %s", day, code, errs)
		}
	}
	code, out, errs := llmref(t, "review", "--db", db)
	if code != 0 {
		t.Fatalf("review exit %d: %s", code, errs)
	}
	ids := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case regexp.MustCompile(`price change +Llama 3\.2 1B Instruct +OpenRouter `).MatchString(line) && strings.Contains(line, "input price $0.027 → $27.00 (+$26.973, +99900.0%)") &&
			strings.Contains(line, "moved +99900.0%, beyond the ±50% limit") && strings.Count(line, "suspected unit slip") == 1:
			ids["slip"] = f[0]
		case strings.Contains(line, "gpt-oss-20b") && strings.Contains(line, "output price $0.14 → free") && strings.Contains(line, "went from $0.14 to free"):
			ids["zero"] = f[0]
		case strings.Contains(line, "source breakage") && strings.Contains(line, "13 of 20 OpenRouter offerings vanished; approving removes 13 offerings"):
			ids["breakage"] = f[0]
		}
	}
	if len(ids) != 3 {
		t.Fatalf("review does not list the three anomalies (%v):\n%s", ids, out)
	}
	offerings := func() map[string]json.RawMessage {
		t.Helper()
		var doc struct {
			Offerings []struct {
				Model, Provider, Variant string
				Input, Output            json.RawMessage
			}
		}
		b, err := os.ReadFile(filepath.Join(exp, "offerings.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		m := map[string]json.RawMessage{}
		for _, o := range doc.Offerings {
			if o.Provider == "openrouter" && o.Variant == "" {
				m[o.Model+" input"], m[o.Model+" output"] = o.Input, o.Output
			}
		}
		return m
	}
	before := offerings()
	if !strings.Contains(string(before["openai/gpt-oss-20b output"]), `"micro_usd_per_mtok": 140000`) ||
		!strings.Contains(string(before["meta/llama-3.2-1b-instruct input"]), `"micro_usd_per_mtok": 27000`) || before["google/gemini-2.5-flash input"] == nil {
		t.Fatalf("held values reached the export (or the breakage removed offerings)")
	}

	// Bad decisions change nothing.
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"approve without note", []string{"approve", ids["zero"]}, 2, "--note TEXT is required"},
		{"approve a non-id", []string{"approve", "abc", "--note", "x"}, 2, `"abc" is not a hold id`},
		{"approve an unknown hold", []string{"approve", ids["zero"], "999", "--note", "x"}, 1, "hold 999: not found"},
		{"approve a hold twice", []string{"approve", ids["zero"], "#" + ids["zero"], "--note", "x"}, 2, "approve: hold " + ids["zero"] + " is named twice"},
		{"reject without ids", []string{"reject", "--note", "x"}, 2, "name at least one hold id"},
		{"ids and a selection", []string{"approve", ids["zero"], "--kind", "price", "--note", "x"}, 2, "give hold ids or a selection"},
		{"--all and another selection", []string{"reject", "--all", "--run", "2", "--note", "x"}, 2, "--all picks every hold: give it alone"},
		{"a kind that is none", []string{"approve", "--kind", "prices", "--note", "x"}, 2, `--kind "prices": want one of price, offering_added, source_breakage, source_surge`},
		{"a run that is no id", []string{"approve", "--run", "two", "--note", "x"}, 2, `--run "two" is not a run id`},
		{"a selection matching nothing", []string{"approve", "--provider", "nope", "--note", "x"}, 1, "no pending hold matches the selection"},
		{"a model that is no id", []string{"reject", "--model", "Llama 3.2", "--note", "x"}, 2, `reject: --model: model id "Llama 3.2": want creator/slug`},
		{"a selection without a note", []string{"approve", "--all"}, 2, "--note TEXT is required"},
		{"mark-reviewed unknown model", []string{"mark-reviewed", "meta/nope"}, 1, "model meta/nope: not found"},
		{"mark-reviewed bad id", []string{"mark-reviewed", "Not An Id"}, 2, "want creator/slug"},
		{"history unknown model", []string{"history", "meta/nope"}, 1, "unknown model meta/nope"},
		{"history unknown provider", []string{"history", "meta/llama-3.2-1b-instruct", "--provider", "nope"}, 1, `no offering at "nope"`},
		{"changes unknown run", []string{"changes", "--run", "99"}, 1, "unknown run 99"},
		{"changes bad run", []string{"changes", "--run", "x"}, 2, "want a run id"},
		{"changes bad since", []string{"changes", "--since", "yesterday"}, 2, "want a date"},
		{"changes run and since", []string{"changes", "--run", "1", "--since", "2026-04-01"}, 2, "not both"},
		{"changes bad format", []string{"changes", "--format", "pdf"}, 2, "want md, json or html"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := llmref(t, append(tt.args, "--db", db)...)
			if code != tt.code || !strings.Contains(errs, tt.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("%v: exit %d, stderr %q; want exit %d and one line naming %q", tt.args, code, errs, tt.code, tt.want)
			}
		})
	}
	if _, out, _ := llmref(t, "review", "--db", db); strings.Count(out, "\n") < 4 {
		t.Errorf("a failed decision closed holds:\n%s", out)
	}
	// A selection lists what it picks.
	if code, out, _ := llmref(t, "review", "--kind", "source_breakage", "--db", db); code != 0 || !strings.Contains(out, "source breakage") || strings.Contains(out, "$27.00") {
		t.Errorf("review --kind source_breakage:\n%s", out)
	}
	if code, out, _ := llmref(t, "review", "--model", "openai/gpt-oss-20b", "--run", "2", "--db", db); code != 0 || !strings.Contains(out, "went from $0.14 to free") || strings.Contains(out, "source breakage") || strings.Contains(out, "$27.00") {
		t.Errorf("review --model --run:\n%s", out)
	}
	if code, out, _ := llmref(t, "review", "--provider", "nope", "--db", db); code != 0 || !strings.Contains(out, "No held change matches the selection.") {
		t.Errorf("review of a selection matching nothing: exit %d\n%s", code, out)
	}

	// Approve the zero, reject the slip.
	code, out, errs = llmref(t, "approve", ids["zero"], "--note", "OpenRouter made it free", "--export", exp, "--db", db)
	if code != 0 || !strings.Contains(out, "approved #"+ids["zero"]) || !strings.Contains(out, "effective from run 2 (2026-04-25)") || !strings.Contains(out, "exported") {
		t.Fatalf("approve exit %d:\n%s%s", code, out, errs)
	}
	code, out, errs = llmref(t, "reject", "#"+ids["slip"], "--note", "per-1K price read as per-token", "--export", exp, "--db", db)
	if code != 0 || !strings.Contains(out, "rejected #"+ids["slip"]) {
		t.Fatalf("reject exit %d:\n%s%s", code, out, errs)
	}
	after := offerings()
	if !strings.Contains(string(after["openai/gpt-oss-20b output"]), `"kind": "free"`) || !strings.Contains(string(after["openai/gpt-oss-20b output"]), `"reviewed_at": "20`) {
		t.Errorf("approved value not exported: %s", after["openai/gpt-oss-20b output"])
	}
	if !strings.Contains(string(after["meta/llama-3.2-1b-instruct input"]), `"micro_usd_per_mtok": 27000`) {
		t.Errorf("rejected value exported: %s", after["meta/llama-3.2-1b-instruct input"])
	}
	code, out, _ = llmref(t, "history", "openai/gpt-oss-20b", "--provider", "openrouter", "--db", db)
	if code != 0 || !regexp.MustCompile(`(?m)^  2026-04-25 02:00 +2 +\$0\.03 +free `).MatchString(out) {
		t.Errorf("history after approval:\n%s", out)
	}
	b, err := os.ReadFile(filepath.Join(exp, "history", "openai--gpt-oss-20b.json"))
	if err != nil || !strings.Contains(string(b), `"kind": "free"`) {
		t.Errorf("exported history after approval: %v\n%s", err, b)
	}
	code, out, _ = llmref(t, "changes", "--db", db)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("approved #%s", ids["zero"])) || !strings.Contains(out, fmt.Sprintf("rejected #%s", ids["slip"])) || !strings.Contains(out, "| **#"+ids["breakage"]+"** | source breakage |") {
		t.Errorf("report after the decisions:\n%s", out)
	}
	if code, out, _ := llmref(t, "review", "--db", db); code != 0 || strings.Contains(out, "$27.00") || !strings.Contains(out, "source breakage") {
		t.Errorf("review after the decisions:\n%s", out)
	}
	if code, out, errs := llmref(t, "mark-reviewed", "meta/llama-3.2-1b-instruct", "--note", "card read", "--db", db); code != 0 || !strings.Contains(out, "marked reviewed") {
		t.Errorf("mark-reviewed exit %d: %s%s", code, out, errs)
	}
	// A decision by selection: the breakage, the one hold left.
	code, out, errs = llmref(t, "reject", "--kind", "source_breakage", "--source", "openrouter", "--note", "a short list, not a breakage", "--export", exp, "--db", db)
	if code != 0 || !strings.Contains(out, "rejected #"+ids["breakage"]) || strings.Count(out, "rejected #") != 1 {
		t.Errorf("reject --kind --source exit %d:\n%s%s", code, out, errs)
	}
	if code, out, _ := llmref(t, "review", "--db", db); code != 0 || !strings.Contains(out, "Nothing is held for review.") {
		t.Errorf("review after every decision:\n%s", out)
	}
}

// TestDecisionKeepsConfiguredBlend: a decision republishes the tree with
// the configured blend, as the refresh did (it used to rebuild every
// comparison record with the default 70/30 until the next refresh).
func TestDecisionKeepsConfiguredBlend(t *testing.T) {
	dir := t.TempDir()
	db, exp := filepath.Join(dir, "llmref.db"), filepath.Join(dir, "export")
	cfg := filepath.Join(dir, "llmref.yaml")
	yaml := "export:\n  dir: " + exp + "\ncompare:\n  blend:\n    input: 50\n    output: 50\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	blend := func() string {
		t.Helper()
		var m struct {
			Blend catalog.Blend `json:"blend"`
		}
		b, err := os.ReadFile(filepath.Join(exp, "comparisons.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d/%d", m.Blend.InputPct, m.Blend.OutputPct)
	}
	anomalies := filepath.Join("..", "..", "refresh", "testdata", "days", "2026-04-25-anomalies")
	for _, day := range []string{"2026-04-24", anomalies} {
		if code, _, errs := llmref(t, "refresh", "--config", cfg, "--source", "openrouter", "--replay", day, "--db", db, "-q"); code != 0 {
			t.Fatalf("refresh %s: exit %d %s", day, code, errs)
		}
	}
	if got := blend(); got != "50/50" {
		t.Fatalf("after the refresh the records blend %s, want the configured 50/50", got)
	}
	code, out, errs := llmref(t, "review", "--format", "json", "--config", cfg, "--db", db)
	if code != 0 {
		t.Fatalf("review exit %d: %s", code, errs)
	}
	var held []catalog.Hold
	if err := json.Unmarshal([]byte(out), &held); err != nil || len(held) == 0 {
		t.Fatalf("review --format json: %v %s", err, out)
	}
	for _, verb := range []string{"approve", "reject"} {
		id := fmt.Sprint(held[0].ID)
		held = held[1:]
		if code, _, errs := llmref(t, verb, id, "--note", "checked", "--config", cfg, "--db", db, "-q"); code != 0 {
			t.Fatalf("%s exit %d: %s", verb, code, errs)
		}
		if got := blend(); got != "50/50" {
			t.Errorf("after %s the records blend %s, want the configured 50/50", verb, got)
		}
	}
}

// inventedDay writes the bundled day 2026-04-24 with n invented models
// appended to OpenRouter's list, each priced, and returns its directory.
func inventedDay(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "2026-04-24-invented")
	err := fixtures.CopyDay("2026-04-24", dir, func(p string, b []byte) ([]byte, error) {
		if p != fixturetest.SlipPath {
			return b, nil
		}
		var doc struct {
			Data []json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, err
		}
		for i := range n {
			doc.Data = append(doc.Data, json.RawMessage(fmt.Sprintf(`{"id":"invented/model-%04d","name":"Invented: Model %04d","created":1777000000,
				"context_length":8192,"architecture":{"input_modalities":["text"],"output_modalities":["text"]},
				"pricing":{"prompt":"0.000001","completion":"0.000002"},"supported_parameters":["tools"]}`, i, i)))
		}
		return json.Marshal(doc)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSurgeIsHeld: one upstream response that adds invented models (100
// here; the issue saw 1,000 and half a million comparison files) publishes
// none of them until an operator approves the surge.
func TestSurgeIsHeld(t *testing.T) {
	dir := t.TempDir()
	db, exp := filepath.Join(dir, "llmref.db"), filepath.Join(dir, "export")
	count := func() (models, pairs int) {
		t.Helper()
		var idx struct {
			Counts map[string]int `json:"counts"`
		}
		b, err := os.ReadFile(filepath.Join(exp, "index.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &idx); err != nil {
			t.Fatal(err)
		}
		return idx.Counts["models"], idx.Counts["comparisons"]
	}
	if code, _, errs := llmref(t, "refresh", "--source", "openrouter", "--replay", "2026-04-23", "--export", exp, "--db", db, "-q"); code != 0 {
		t.Fatalf("day 1: exit %d %s", code, errs)
	}
	code, out, errs := llmref(t, "refresh", "--source", "openrouter", "--replay", inventedDay(t, 100), "--export", exp, "--db", db)
	if code != 0 || !strings.Contains(out, "held for review") {
		t.Fatalf("invented day: exit %d, want 0 with the surge held:\n%s%s", code, out, errs)
	}
	models, pairs := count()
	if models > 40 || pairs > 40*39/2 {
		t.Fatalf("the surge reached the export: %d models, %d comparisons", models, pairs)
	}
	code, out, _ = llmref(t, "review", "--format", "json", "--db", db)
	var held []catalog.Hold
	if err := json.Unmarshal([]byte(out), &held); code != 0 || err != nil {
		t.Fatalf("review: %d %v", code, err)
	}
	var surge *catalog.Hold
	for i := range held {
		if held[i].Kind == catalog.HoldSurge {
			surge = &held[i]
		}
	}
	// The night's one real addition (DeepSeek V4 Flash, paid and free)
	// waits with the surge: additions are held together.
	if surge == nil || len(surge.AddedModels) != 101 || len(surge.AddedOfferings) != 102 {
		t.Fatalf("no surge hold of the 100 invented models (%d holds)", len(held))
	}
	if code, _, errs := llmref(t, "approve", fmt.Sprint(surge.ID), "--note", "they are real", "--export", exp, "--db", db, "-q"); code != 0 {
		t.Fatalf("approve: exit %d %s", code, errs)
	}
	if m, _ := count(); m != models+101 {
		t.Errorf("after approval %d models published, want %d", m, models+101)
	}
}

// TestNotifyAgain: a report the webhook missed (its receiver down) is sent
// again with notify, and the delivery record says so; a failing receiver
// is an error naming it; no webhook configured or an unknown run, one line.
func TestNotifyAgain(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "llmref.db")
	for _, day := range []string{"2026-04-23", "2026-04-24"} {
		if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", day, "-q"); code != 0 && code != 3 {
			t.Fatalf("refresh %s: exit %d: %s", day, code, errs)
		}
	}
	var mu sync.Mutex
	status, got := http.StatusServiceUnavailable, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rep changes.Report
		err := json.NewDecoder(r.Body).Decode(&rep)
		mu.Lock()
		defer mu.Unlock()
		if err != nil || len(rep.Runs) != 1 || rep.Runs[0].ID != 2 || r.Header.Get("webhook-id") == "" {
			http.Error(w, "not run 2's report", http.StatusBadRequest)
			return
		}
		got++
		w.WriteHeader(status)
	}))
	defer srv.Close()
	cfg := filepath.Join(dir, "llmref.yaml")
	if err := os.WriteFile(cfg, []byte("review:\n  webhook:\n    url: "+srv.URL+"\n    retries: 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := llmref(t, "notify", "--config", cfg, "--db", db)
	if code != 1 || !strings.Contains(errs, "notify: run 2's report: webhook: HTTP 503") {
		t.Errorf("notify to a receiver that is down: exit %d: %s", code, errs)
	}
	mu.Lock()
	status = http.StatusNoContent
	mu.Unlock()
	code, out, errs := llmref(t, "notify", "--config", cfg, "--db", db, "--run", "2")
	if code != 0 || !strings.Contains(out, "sent run 2's report to "+srv.URL+": HTTP 204 after 1 attempt(s)") || got != 2 {
		t.Errorf("notify once it is back: exit %d (%d received)\n%s%s", code, got, out, errs)
	}
	_, out, _ = llmref(t, "health", "--config", cfg, "--db", db, "--format", "json")
	var h struct {
		Webhook *catalog.Delivery `json:"webhook"`
	}
	if json.Unmarshal([]byte(out), &h) != nil || h.Webhook == nil || !h.Webhook.OK || h.Webhook.Run != 2 {
		t.Errorf("the delivery record after notify: %s", out)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"notify", "--db", db}, 1, "notify: no webhook is configured (review.webhook.url)"},
		{[]string{"notify", "--config", cfg, "--db", db, "--run", "9"}, 1, "notify: unknown run 9"},
		{[]string{"notify", "--config", cfg, "--db", db, "--run", "x"}, 2, `--run "x": want a run id`},
	} {
		code, _, errs := llmref(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line naming %q", c.args, code, errs, c.code, c.want)
		}
	}
}
