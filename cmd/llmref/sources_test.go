package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/store"
)

// TestSourcesListsEverySource is the acceptance "llmref sources lists at
// least openrouter, openrouter endpoints, huggingface, openai, fireworks,
// bedrock, nvidia nim, bitdeer, litellm and models.dev", with each one's
// URLs, and the last run's status once there is one.
func TestSourcesListsEverySource(t *testing.T) {
	db := filepath.Join(t.TempDir(), "llmref.db")
	code, out, errs := llmref(t, "--db", db, "sources")
	if code != 0 {
		t.Fatalf("sources exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "last run: no database") {
		t.Errorf("no run yet, but:\n%s", out)
	}
	want := []string{"openrouter", "openrouter-endpoints", "huggingface", "openai", "fireworks", "bedrock", "nvidia-nim", "bitdeer", "litellm", "modelsdev"}
	lines := strings.Split(out, "\n")
	for _, name := range want {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, name+" ") }) {
			t.Errorf("sources lacks %s:\n%s", name, out)
		}
	}
	for _, u := range []string{
		"https://integrate.api.nvidia.com/v1/models",
		"https://www.bitdeer.ai/en/pricing",
		"https://models.dev/api.json",
	} {
		if !strings.Contains(out, u) {
			t.Errorf("sources lacks URL %s", u)
		}
	}

	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-23", "-q"); code != 0 {
		t.Fatalf("refresh exit %d: %s", code, errs)
	}
	code, out, errs = llmref(t, "--db", db, "sources", "--format", "json")
	if code != 0 {
		t.Fatalf("sources --format json exit %d: %s", code, errs)
	}
	var doc sourcesDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if doc.Run == nil || doc.Run.ID != 1 || doc.Run.Status != catalog.RunOK {
		t.Errorf("last run %+v", doc.Run)
	}
	got := map[string]sourceRow{}
	for _, s := range doc.Sources {
		got[s.Name] = s
	}
	for _, name := range want {
		s, ok := got[name]
		if !ok {
			t.Errorf("json lacks %s", name)
			continue
		}
		if s.LastRun == nil || s.LastRun.Status != catalog.SourceOK || len(s.URLs) == 0 || len(s.Schedules) == 0 || s.Requests == 0 {
			t.Errorf("%s: %+v; want its URLs, its planned requests, a schedule and an ok last run", name, s)
		}
	}
	if a := got["litellm"].Authority; a != catalog.AuthorityCrossCheck {
		t.Errorf("litellm authority %s", a)
	}
	// The cross-check maps say what they skipped: never silently.
	if n := got["litellm"].Note; !strings.Contains(n, "skipped: ") || !strings.Contains(n, "provider sambanova 1") {
		t.Errorf("litellm note %q", n)
	}
	code, out, _ = llmref(t, "--db", db, "sources")
	if code != 0 || !strings.Contains(out, "last run: 1 ok") || !strings.Contains(out, "  modelsdev: 9 providers, 13 models") {
		t.Errorf("sources after a run:\n%s", out)
	}
	if code, _, errs := llmref(t, "--db", db, "sources", "--format", "xml"); code != 2 || !strings.Contains(errs, "--format") {
		t.Errorf("bad format: exit %d, %q", code, errs)
	}
}

// localSite serves this half's sources (and OpenRouter's model list) from
// the bundled day 1, with Bitdeer
// AI's Llama 3.2 1B Instruct price changed to $0.07 so that a test can tell
// the site's data from the fixtures'.
func localSite(t *testing.T) *httptest.Server {
	t.Helper()
	day, err := fixtures.Day("2026-04-23")
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		b, err := fs.ReadFile(day, name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	bitdeer := strings.Replace(string(read("www.bitdeer.ai/en/pricing.html")), `<td class="price price-input">$0.06</td>`, `<td class="price price-input">$0.07</td>`, 1)
	pages := map[string]struct {
		ct   string
		body []byte
	}{
		"/robots.txt": {"text/plain", []byte("User-agent: *\nAllow: /\n")},
		"/v1/models":  {"application/json", read("integrate.api.nvidia.com/v1/models.json")},
		"/nim/reference/meta-llama-3_2-1b-instruct": {"text/html; charset=utf-8", read("docs.api.nvidia.com/nim/reference/meta-llama-3_2-1b-instruct.html")},
		"/en/pricing":   {"text/html; charset=utf-8", []byte(bitdeer)},
		"/litellm.json": {"application/json", read("raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json")},
		"/api.json":     {"application/json", read("models.dev/api.json")},
		// OpenRouter's list (an aggregator) makes the models exist:
		// provider pages and cross-checks only attach to them.
		"/api/v1/models": {"application/json", read("openrouter.ai/api/v1/models.json")},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", p.ct)
		w.Write(p.body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// localConfig writes a configuration file that points this half's sources
// and OpenRouter's list at base and turns every other source off, so
// nothing leaves loopback.
func localConfig(t *testing.T, base string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "fetch:\n  retries: 0\n  delay: 0s\nsources:\n")
	mine := map[string]string{
		"nvidia-nim": fmt.Sprintf("    base_url: %s\n    docs_base_url: %s\n", base, base),
		"litellm":    fmt.Sprintf("    url: %s/litellm.json\n", base),
		"modelsdev":  fmt.Sprintf("    url: %s/api.json\n", base),
		"openrouter": fmt.Sprintf("    base_url: %s\n", base),
	}
	for _, name := range config.SourceNames() {
		switch {
		case name == "custom":
			fmt.Fprintf(&b, `  custom:
    - name: bitdeer
      url: %s/en/pricing
      provider: bitdeer
      rows: 'table.pricing-table[data-category="llm"] tbody tr.pricing-row'
      unit: per_1m
      columns:
        model_id: {attr: data-model-id}
        name: td.model .model-name
        input: td.price-input
        output: td.price-output
`, base)
		case mine[name] != "":
			fmt.Fprintf(&b, "  %s:\n%s", name, mine[name])
		default:
			fmt.Fprintf(&b, "  %s:\n    enabled: false\n", name)
		}
	}
	path := filepath.Join(t.TempDir(), "llmref.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLocalServerThroughConfig is the acceptance "pointing a source at a
// local server through the config file alone (no code change) ingests that
// server's data".
func TestLocalServerThroughConfig(t *testing.T) {
	srv := localSite(t)
	cfg := localConfig(t, srv.URL)
	dir := t.TempDir()
	db, out := filepath.Join(dir, "llmref.db"), filepath.Join(dir, "export")
	code, stdout, errs := llmref(t, "--config", cfg, "--db", db, "refresh", "--export", out)
	if code != 0 {
		t.Fatalf("refresh exit %d: %s\n%s", code, errs, stdout)
	}
	var doc struct {
		Offerings []struct {
			Provider string `json:"provider"`
			Input    struct {
				Value  json.RawMessage `json:"value"`
				Source struct{ Name, URL string }
			} `json:"input"`
		} `json:"offerings"`
	}
	b, err := os.ReadFile(filepath.Join(out, "models", "meta--llama-3.2-1b-instruct.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, o := range doc.Offerings {
		seen[o.Provider] = true
		switch o.Provider {
		case "bitdeer":
			if !strings.Contains(string(o.Input.Value), `"micro_usd_per_mtok":70000`) && !strings.Contains(string(o.Input.Value), `"micro_usd_per_mtok": 70000`) {
				t.Errorf("bitdeer input %s; want the local server's $0.07", o.Input.Value)
			}
			if o.Input.Source.URL != srv.URL+"/en/pricing" {
				t.Errorf("bitdeer price sourced from %s", o.Input.Source.URL)
			}
		case "nvidia-nim":
			if !strings.Contains(string(o.Input.Value), `"free"`) {
				t.Errorf("nvidia-nim input %s; want free", o.Input.Value)
			}
		}
	}
	if !seen["bitdeer"] || !seen["nvidia-nim"] {
		t.Errorf("offerings at %v; want bitdeer and nvidia-nim from the local server", seen)
	}
}

// TestRecordCommand records the local site through the command line, then
// replays the recorded day: the same observations come out as from the
// live site.
func TestRecordCommand(t *testing.T) {
	srv := localSite(t)
	cfg := localConfig(t, srv.URL)
	dir := t.TempDir()
	day := filepath.Join(dir, "recorded")
	code, out, errs := llmref(t, "--config", cfg, "record", day)
	if code != 0 {
		t.Fatalf("record exit %d: %s\n%s", code, errs, out)
	}
	if !strings.Contains(out, "recorded ") || !strings.Contains(out, "--replay "+day) {
		t.Errorf("record output:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(day, "manifest.json")); err != nil {
		t.Fatal(err)
	}
	// A second recording into the same folder is refused, and keeps it.
	if code, _, errs := llmref(t, "--config", cfg, "record", day); code != 1 || !strings.Contains(errs, "not empty") {
		t.Errorf("second record: exit %d, %q", code, errs)
	}
	if code, _, errs := llmref(t, "--config", cfg, "record"); code != 2 || !strings.Contains(errs, "DIR") {
		t.Errorf("record without DIR: exit %d, %q", code, errs)
	}
	if code, _, errs := llmref(t, "--config", cfg, "record", filepath.Join(dir, "x"), "--source", "nope"); code != 2 || !strings.Contains(errs, "unknown source") {
		t.Errorf("record --source nope: exit %d, %q", code, errs)
	}

	liveDB, replayDB := filepath.Join(dir, "live.db"), filepath.Join(dir, "replay.db")
	if code, _, errs := llmref(t, "--config", cfg, "--db", liveDB, "refresh", "-q"); code != 0 {
		t.Fatalf("live refresh exit %d: %s", code, errs)
	}
	srv.Close() // the replay needs no server
	if code, _, errs := llmref(t, "--config", cfg, "--db", replayDB, "refresh", "--replay", day, "-q"); code != 0 {
		t.Fatalf("replayed refresh exit %d: %s", code, errs)
	}
	live, replayed := storedObservations(t, liveDB), storedObservations(t, replayDB)
	if len(live) < 5 {
		t.Errorf("live refresh stored %d pages", len(live))
	}
	for u, w := range live {
		if replayed[u] != w {
			t.Errorf("%s: replayed observations differ:\n live   %.200s\n replay %.200s", u, w, replayed[u])
		}
	}
	if len(replayed) != len(live) {
		t.Errorf("replay stored %d pages, live %d", len(replayed), len(live))
	}
}

// storedObservations reads each stored page's observations, without their
// retrieval times.
func storedObservations(t *testing.T, db string) map[string]string {
	t.Helper()
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pages, err := st.Pages()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for u, p := range pages {
		for i := range p.Observations {
			p.Observations[i].RetrievedAt = time.Time{}
		}
		b, _ := json.Marshal(p.Observations)
		out[u] = string(b)
	}
	return out
}

// TestDemoOffersNIMAndBitdeer checks this half's part of the acceptance
// "after llmref demo, the export offers Llama 3.2 1B Instruct at ... NVIDIA
// NIM ... and Bitdeer AI": NVIDIA free (never $0), Bitdeer at its
// illustrative price, and OpenRouter still the cheapest on a 70/30 blend.
func TestDemoOffersNIMAndBitdeer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if code, _, errs := llmref(t, "demo", "--dir", dir, "-q"); code != 0 {
		t.Fatalf("demo exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(filepath.Join(dir, "export", "models", "meta--llama-3.2-1b-instruct.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Model     map[string]json.RawMessage `json:"model"`
		Offerings []struct {
			Provider string                         `json:"provider"`
			Variant  string                         `json:"variant"`
			Region   string                         `json:"region"`
			Input    struct{ Value *catalog.Price } `json:"input"`
			Output   struct{ Value *catalog.Price } `json:"output"`
		} `json:"offerings"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	providers := map[string]bool{}
	best, bestBlend := "", int64(-1)
	for _, o := range doc.Offerings {
		providers[o.Provider] = true
		in, out := o.Input.Value, o.Output.Value
		switch o.Provider {
		case "nvidia-nim":
			if in == nil || out == nil || in.Kind != catalog.PriceFree || out.Kind != catalog.PriceFree {
				t.Errorf("nvidia-nim prices %+v / %+v; want free", in, out)
			}
		case "bitdeer":
			if in == nil || out == nil || in.Amount != 60_000 || out.Amount != 240_000 {
				t.Errorf("bitdeer prices %+v / %+v; want $0.06 / $0.24", in, out)
			}
		}
		if in == nil || out == nil || !in.Comparable() || !out.Comparable() {
			continue
		}
		if blend := 7*int64(in.Amount) + 3*int64(out.Amount); bestBlend < 0 || blend < bestBlend {
			best, bestBlend = o.Provider, blend
		}
	}
	for _, p := range []string{"openrouter", "fireworks", "nvidia-nim", "bedrock", "bitdeer"} {
		if !providers[p] {
			t.Errorf("the export does not offer Llama 3.2 1B Instruct at %s (offered at %v)", p, providers)
		}
	}
	if best != "openrouter" {
		t.Errorf("cheapest blended offering at %s, want openrouter", best)
	}
	// NVIDIA's reference page states the model's facts at provider
	// authority; the creator's card still wins them.
	for _, field := range []string{"released", "licence", "context_window", "knowledge_cutoff"} {
		var f struct {
			Source struct{ Name string } `json:"source"`
		}
		if err := json.Unmarshal(doc.Model[field], &f); err != nil || f.Source.Name != "huggingface" {
			t.Errorf("%s sourced from %q (%v), want the creator's card", field, f.Source.Name, err)
		}
	}
}
