// Package e2e drives llmref's operator pages in a real browser (headless
// Debian Chromium through chromedp) and checks /metrics with Prometheus's
// own parser. It is a module of its own so that the main module's
// dependencies stay lean; run it with
//
//	cd e2e && go test ./... -screenshot /tmp/review.png
//
// The browser test skips when no Chromium is installed (CI has only Go).
package e2e

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/internal/fixturetest"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/serve"
	"github.com/llmref/llmref/store"
	"github.com/llmref/llmref/webhook"
)

var screenshot = flag.String("screenshot", "", "write the review page's screenshots to this PNG path (and -before.png beside it)")

const token = "e2e-operator-token-0123456789"

type site struct {
	srv    *httptest.Server
	db     string
	export string
}

// newSite runs llmref's HTTP server on loopback over a database holding
// the ×1000 slip.
func newSite(t *testing.T) *site {
	t.Helper()
	dir := t.TempDir()
	s := &site{db: filepath.Join(dir, "llmref.db"), export: filepath.Join(dir, "export")}
	fixturetest.Replay(t, s.db, s.export, "2026-04-23")
	fixturetest.Replay(t, s.db, s.export, fixturetest.SlipDay(t))
	h, err := serve.New(serve.Options{DB: store.NewDB(s.db, 5*time.Second), ExportDir: s.export, Publisher: publish.New(s.export, compare.DefaultOptions(), webhook.Webhook{}), Token: token, Review: serve.StoreReview{}})
	if err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewServer(h)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) get(t *testing.T, path string) string {
	t.Helper()
	resp, err := http.Get(s.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// slipHold is the id of the held ×1000 slip.
func (s *site) slipHold(t *testing.T) uint64 {
	t.Helper()
	st, err := store.Open(s.db, store.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	held, err := st.Holds(catalog.HoldPending)
	if err != nil {
		t.Fatal(err)
	}
	key := "price:" + catalog.OfferingKey("meta/llama-3.2-1b-instruct", "openrouter", "", "") + "#output"
	for _, h := range held {
		if h.Key == key {
			return h.ID
		}
	}
	t.Fatalf("the slip is not held: %+v", held)
	return 0
}

func chromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestApproveByClicking opens /review in headless Chromium, enters the
// operator token, clicks the held slip's Approve button, and checks that
// the page says so and the approved price is in the exported tree.
func TestApproveByClicking(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium (apt-get install chromium)")
	}
	s := newSite(t)
	id := s.slipHold(t)
	const exported = `"micro_usd_per_mtok": 201000000`
	if doc := s.get(t, "/v1/models/meta--llama-3.2-1b-instruct.json"); strings.Contains(doc, exported) {
		t.Fatal("the held value is exported before approval")
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()

	row := fmt.Sprintf("#hold-%d", id)
	approve := chromedp.CSS(row + ` button[data-action="approve"]`)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser: %v", err)
		}
	}
	shot := func() []byte {
		t.Helper()
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		return b
	}
	do(chromedp.Navigate(s.srv.URL+"/review"),
		chromedp.WaitVisible(approve),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.SendKeys(chromedp.CSS(row+" input.note"), "checked the provider page"))
	before := shot()
	do(chromedp.Click(approve), chromedp.WaitVisible(chromedp.CSS(row+".approved")))
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
	if err != nil {
		t.Fatal(err)
	}
	after := shot()
	if !strings.Contains(status, fmt.Sprintf("Hold %d approved", id)) || !strings.Contains(status, "Export republished") {
		t.Errorf("status line %q", status)
	}
	if path := *screenshot; path != "" {
		if err := os.WriteFile(strings.TrimSuffix(path, ".png")+"-before.png", before, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, after, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshots: %s (after the click), %s-before.png", path, strings.TrimSuffix(path, ".png"))
	}
	if doc := s.get(t, "/v1/models/meta--llama-3.2-1b-instruct.json"); !strings.Contains(doc, exported) {
		t.Error("after the click the approved price is not in the export")
	}
	if page := s.get(t, "/review"); strings.Contains(page, fmt.Sprintf(`id="hold-%d"`, id)) {
		t.Error("the approved hold is still listed as pending")
	}
}

// TestReviewWithoutTokenInBrowser: a click without the token is refused by
// the page itself, and a wrong token by the server (401), both shown.
func TestReviewWithoutTokenInBrowser(t *testing.T) {
	ctx := browser(t)
	s := newSite(t)
	id := s.slipHold(t)
	approve := chromedp.CSS(fmt.Sprintf(`#hold-%d button[data-action="approve"]`, id))
	if err := chromedp.Do(ctx, chromedp.Navigate(s.srv.URL+"/review"), chromedp.WaitVisible(approve), chromedp.Click(approve)); err != nil {
		t.Fatalf("browser: %v", err)
	}
	noToken, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
	if err != nil {
		t.Fatal(err)
	}
	// A token but no note: the page asks for one (the server would say 400).
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("token"), "not-the-token-0123456789"), chromedp.Click(approve)); err != nil {
		t.Fatalf("browser: %v", err)
	}
	noNote, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(noNote, "write a note") {
		t.Errorf("status without a note %q", noNote)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#hold-%d input.note", id)), "looks wrong"),
		chromedp.Click(approve),
		chromedp.Poll[chromedp.Void](`document.getElementById("status").textContent.includes("bearer token")`)); err != nil {
		t.Fatalf("browser: %v", err)
	}
	wrong, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(noToken, "Enter the operator token") || !strings.Contains(wrong, "a valid bearer token is required") {
		t.Errorf("status lines %q, %q", noToken, wrong)
	}
	if s.slipHold(t) != id {
		t.Error("the hold was decided without the token")
	}
}

// browser starts headless Chromium for a test; it skips the test when
// none is installed.
func browser(t *testing.T) context.Context {
	t.Helper()
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium (apt-get install chromium)")
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelT)
	return ctx
}

// TestReviewPageLayout opens /review over the anomaly day (a ×1000 slip, a
// price falling to free, a source breakage, a flagged new offering) and
// the change report, at 1280 and 390 px wide: no page is wider than the
// window, every hold is one row (one card on a phone) naming its kind,
// model and provider in words, and a breakage's removals stay folded.
func TestReviewPageLayout(t *testing.T) {
	ctx := browser(t)
	dir := t.TempDir()
	s := &site{db: filepath.Join(dir, "llmref.db"), export: filepath.Join(dir, "export")}
	fixturetest.Replay(t, s.db, s.export, "2026-04-24")
	fixturetest.Replay(t, s.db, s.export, filepath.Join("..", "refresh", "testdata", "days", "2026-04-25-anomalies"))
	h, err := serve.New(serve.Options{DB: store.NewDB(s.db, 5*time.Second), ExportDir: s.export, Publisher: publish.New(s.export, compare.DefaultOptions(), webhook.Webhook{}), Token: token, Review: serve.StoreReview{}})
	if err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewServer(h)
	t.Cleanup(s.srv.Close)

	for _, width := range []int64{1280, 390} {
		for _, page := range []string{"/review", "/changes"} {
			do := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(width, 900), chromedp.Navigate(s.srv.URL + page), chromedp.WaitVisible(chromedp.CSS("h1"))}
			if err := chromedp.Do(ctx, do...); err != nil {
				t.Fatalf("%s at %d px: %v", page, width, err)
			}
			overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
			if err != nil {
				t.Fatal(err)
			}
			if overflow {
				t.Errorf("%s at %d px is wider than the window", page, width)
			}
			if page == "/review" {
				rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#holds tbody tr")].map(r => r.innerText.replace(/\s+/g, " "))`))
				if err != nil {
					t.Fatal(err)
				}
				var slip, breakage bool
				for _, r := range rows {
					slip = slip || strings.Contains(r, "#") && strings.Contains(r, "price change") && strings.Contains(r, "Llama 3.2 1B Instruct") && strings.Contains(r, "OpenRouter") &&
						strings.Contains(r, "$0.027 → $27.00") && strings.Contains(r, "+99900.0%") && strings.Count(r, "suspected unit slip") == 1
					breakage = breakage || strings.Contains(r, "source breakage") && strings.Contains(r, "13 of 20 OpenRouter offerings vanished") && !strings.Contains(r, "Claude Sonnet 4.6")
				}
				if len(rows) != 4 || !slip || !breakage {
					t.Errorf("/review at %d px: %d rows, slip %v, breakage folded %v:\n%s", width, len(rows), slip, breakage, strings.Join(rows, "\n"))
				}
			}
			if path := *screenshot; path != "" {
				b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%s-%s-%d.png", strings.TrimSuffix(path, ".png"), strings.Trim(page, "/"), width)
				if err := os.WriteFile(name, b, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("screenshot: %s", name)
			}
		}
	}
}

// TestMetricsParseWithPrometheus reads /metrics with Prometheus's own text
// parser.
func TestMetricsParseWithPrometheus(t *testing.T) {
	s := newSite(t)
	s.get(t, "/v1/index.json")
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(s.get(t, "/metrics")))
	if err != nil {
		t.Fatalf("Prometheus cannot parse /metrics: %v", err)
	}
	for _, name := range []string{"llmref_runs_total", "llmref_held_changes", "llmref_source_pages", "llmref_source_errors", "llmref_source_last_success_timestamp_seconds", "llmref_http_responses_total"} {
		if fams[name] == nil || len(fams[name].Metric) == 0 {
			t.Errorf("no %s", name)
		}
	}
	if g := fams["llmref_held_changes"].GetMetric()[0].GetGauge().GetValue(); g < 1 {
		t.Errorf("llmref_held_changes %v; the slip is held", g)
	}
}
