package serve

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/internal/fixturetest"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/store"
	"github.com/llmref/llmref/webhook"
)

const testToken = "test-token-0123456789abcdef"

// fakeReview stands in for the store's held changes in HTTP-layer tests.
type fakeReview struct {
	mu      sync.Mutex
	holds   []catalog.Hold
	decided []string
}

func (f *fakeReview) Pending(*store.Store) ([]catalog.Hold, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]catalog.Hold(nil), f.holds...), nil
}

func (f *fakeReview) Decide(_ *store.Store, approve bool, ids []uint64, note string, at time.Time) ([]catalog.Hold, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		found := false
		for i, h := range f.holds {
			if h.ID == id {
				found = true
				f.holds = append(f.holds[:i], f.holds[i+1:]...)
				break
			}
		}
		if !found {
			return nil, store.ErrNotFound
		}
	}
	f.decided = append(f.decided, strings.Join([]string{map[bool]string{true: "approve", false: "reject"}[approve], note}, ":"))
	return nil, nil
}

func (f *fakeReview) ReportHTML(_ *store.Store, w io.Writer) error {
	_, err := io.WriteString(w, "<!doctype html><h1>Changes</h1>")
	return err
}

func (f *fakeReview) ReportKey(*store.Store) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprint(len(f.decided)), nil
}

type fixture struct {
	srv    *httptest.Server
	dir    string
	db     string
	export string
	review *fakeReview
}

func newFixture(t *testing.T, token string) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{dir: dir, db: filepath.Join(dir, "llmref.db"), export: filepath.Join(dir, "export"), review: &fakeReview{}}
	fixturetest.Replay(t, f.db, f.export, "2026-04-23")
	s, err := New(Options{DB: store.NewDB(f.db, time.Second), ExportDir: f.export, Publisher: testPublisher(f.export), Token: token, Review: f.review,
		Now: func() time.Time { return time.Date(2026, 4, 23, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(s)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) get(t *testing.T, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	return getURL(t, f.srv.URL+path, hdr...)
}

// getURL GETs url with the headers given (name, value pairs) and returns
// the response with its body read.
func getURL(t *testing.T, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	// A transport that neither adds nor undoes gzip, so the test sees
	// exactly what the server sent.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestExportETagAnd304(t *testing.T) {
	f := newFixture(t, testToken)
	resp, body := f.get(t, "/v1/index.json")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /v1/index.json: %d %s", resp.StatusCode, body)
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	if got := resp.Header.Get("ETag"); got != etag {
		t.Errorf("ETag %s, want the body's sha256 %s", got, etag)
	}
	if resp.Header.Get("Last-Modified") == "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("headers %v", resp.Header)
	}
	resp2, body2 := f.get(t, "/v1/index.json", "If-None-Match", etag)
	if resp2.StatusCode != http.StatusNotModified || len(body2) != 0 || resp2.Header.Get("ETag") != etag {
		t.Errorf("second GET with the ETag: %d, %d bytes, ETag %q; want 304, empty", resp2.StatusCode, len(body2), resp2.Header.Get("ETag"))
	}
	resp3, _ := f.get(t, "/v1/index.json", "If-Modified-Since", resp.Header.Get("Last-Modified"))
	if resp3.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d, want 304", resp3.StatusCode)
	}

	// Every file's ETag is its sha256 as index.json lists it.
	var idx export.Index
	if err := json.Unmarshal(body, &idx); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, fe := range idx.Files {
		if !strings.HasPrefix(fe.Path, "models/") {
			continue
		}
		r, b := f.get(t, "/v1/"+fe.Path)
		s := sha256.Sum256(b)
		if r.StatusCode != 200 || r.Header.Get("ETag") != `"`+fe.SHA256+`"` || hex.EncodeToString(s[:]) != fe.SHA256 {
			t.Errorf("%s: %d, ETag %s, want %s", fe.Path, r.StatusCode, r.Header.Get("ETag"), fe.SHA256)
		}
		checked++
	}
	if checked == 0 {
		t.Error("no model files in the index")
	}

	// gzip when asked, with the weak form of the same tag.
	rz, zbody := f.get(t, "/v1/index.json", "Accept-Encoding", "gzip, br")
	if rz.Header.Get("Content-Encoding") != "gzip" || rz.Header.Get("ETag") != "W/"+etag || !strings.Contains(rz.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip: headers %v", rz.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zbody))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, body) {
		t.Error("gzip body differs from the file")
	}
	if r, _ := f.get(t, "/v1/index.json", "Accept-Encoding", "gzip", "If-None-Match", etag); r.StatusCode != http.StatusNotModified || r.Header.Get("ETag") != "W/"+etag {
		t.Errorf("gzip + If-None-Match: %d, ETag %s; want 304 with the weak tag", r.StatusCode, r.Header.Get("ETag"))
	}
	if r, _ := f.get(t, "/v1/index.json", "If-None-Match", "W/"+etag); r.StatusCode != http.StatusNotModified {
		t.Errorf("the gzip tag does not revalidate the plain file: %d", r.StatusCode)
	}
	if r, _ := f.get(t, "/v1/index.json", "Accept-Encoding", "gzip;q=0"); r.Header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 still compressed")
	}
}

func TestEachRequestIsServedFromOneGeneration(t *testing.T) {
	f := newFixture(t, testToken)
	_, before := f.get(t, "/v1/index.json")
	fixturetest.Replay(t, f.db, f.export, "2026-04-24") // swaps the link
	resp, after := f.get(t, "/v1/index.json")
	if resp.StatusCode != 200 || bytes.Equal(before, after) {
		t.Fatalf("after the swap: %d, same bytes %v", resp.StatusCode, bytes.Equal(before, after))
	}
	sum := sha256.Sum256(after)
	if resp.Header.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Error("the ETag is not the new generation's")
	}
}

func TestTraversalIs404(t *testing.T) {
	f := newFixture(t, testToken)
	gen, err := filepath.EvalSymlinks(f.export)
	if err != nil {
		t.Fatal(err)
	}
	// Symbolic links that lead out of the tree.
	if err := os.Symlink("/etc/passwd", filepath.Join(gen, "leak.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(gen, "etc")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../../../../../../etc/passwd", filepath.Join(gen, "models", "up.json")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"/v1/../../etc/passwd",
		"/v1/%2e%2e/%2e%2e/etc/passwd",
		"/v1/..%2f..%2fetc%2fpasswd",
		"/v1/models/..%2F..%2F..%2F..%2Fetc/passwd",
		"/v1/%252e%252e/%252e%252e/etc/passwd",
		"/v1/..\\..\\etc\\passwd",
		"/v1/./index.json",
		"/v1//etc/passwd",
		"/v1/leak.json",
		"/v1/etc/passwd",
		"/v1/models/up.json",
		"/v1/models",
		"/v1/models/",
		"/v1/",
		"/v1/index.json%00.txt",
	} {
		t.Run(p, func(t *testing.T) {
			resp, body := f.get(t, p)
			if resp.StatusCode != http.StatusNotFound || bytes.Contains(body, []byte("root:")) {
				t.Errorf("GET %s: %d %q; want 404", p, resp.StatusCode, body)
			}
		})
	}
}

func TestDecisionsNeedTheTokenAndSameOrigin(t *testing.T) {
	f := newFixture(t, testToken)
	f.review.holds = []catalog.Hold{{ID: 7, Kind: catalog.HoldPrice, Status: catalog.HoldPending}}
	post := func(t *testing.T, path, ctype, body string, hdr ...string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	js := "application/json"
	good := `{"ids":[7],"note":"checked the provider page"}`
	auth := "Bearer " + testToken
	for _, c := range []struct {
		name  string
		code  int
		ctype string
		body  string
		hdr   []string
	}{
		{"no token", 401, js, good, nil},
		{"wrong token", 401, js, good, []string{"Authorization", "Bearer test-token-0123456789abcdeX"}},
		{"basic auth", 401, js, good, []string{"Authorization", "Basic dGVzdDp0ZXN0"}},
		{"cross-site fetch", 403, js, good, []string{"Authorization", auth, "Sec-Fetch-Site", "cross-site"}},
		{"other origin", 403, js, good, []string{"Authorization", auth, "Origin", "https://evil.example"}},
		{"form post", 415, "application/x-www-form-urlencoded", "ids=7", []string{"Authorization", auth}},
		{"unknown field", 400, js, `{"ids":[7],"notes":"x"}`, []string{"Authorization", auth}},
		{"no ids", 400, js, `{"ids":[]}`, []string{"Authorization", auth}},
		{"no note", 400, js, `{"ids":[7]}`, []string{"Authorization", auth}},
		{"blank note", 400, js, `{"ids":[7],"note":"  \t "}`, []string{"Authorization", auth}},
		{"a hold named twice", 400, js, `{"ids":[7,7],"note":"x"}`, []string{"Authorization", auth}},
		{"unknown hold", 404, js, `{"ids":[99],"note":"x"}`, []string{"Authorization", auth}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := post(t, "/review/approve", c.ctype, c.body, c.hdr...); got != c.code {
				t.Errorf("%s: %d, want %d", c.name, got, c.code)
			}
		})
	}
	if len(f.review.decided) != 0 {
		t.Fatalf("refused requests decided %v", f.review.decided)
	}
	if got := post(t, "/review/approve", js, good, "Authorization", auth, "Origin", f.srv.URL, "Sec-Fetch-Site", "same-origin"); got != 200 {
		t.Fatalf("good approve: %d", got)
	}
	if len(f.review.decided) != 1 || f.review.decided[0] != "approve:checked the provider page" {
		t.Errorf("decided %v", f.review.decided)
	}
	if got := post(t, "/review/approve", js, good); got != 401 {
		t.Errorf("GET-less replay without token: %d", got)
	}
	if resp, _ := f.get(t, "/review/approve"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /review/approve: %d, want 405", resp.StatusCode)
	}

	// Without a configured token, nothing can be decided.
	open := newFixture(t, "")
	req, _ := http.NewRequest(http.MethodPost, open.srv.URL+"/review/reject", strings.NewReader(good))
	req.Header.Set("Content-Type", js)
	req.Header.Set("Authorization", "Bearer ")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("no token configured: %d, want 403", resp.StatusCode)
	}
}

func TestReviewPage(t *testing.T) {
	f := newFixture(t, testToken)
	old, next := catalog.Fixed(200_000), catalog.Fixed(200_000_000)
	delta := next.Amount - old.Amount
	or := catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models"}
	f.review.holds = []catalog.Hold{{ID: 3, Kind: catalog.HoldPrice, Status: catalog.HoldPending,
		Reasons: []string{"max_change_pct: +99900.0% is beyond ±50%", "hold_flagged: suspected unit slip (one check, suspected unit slip)", "hold_flagged: suspected unit slip (another: suspected unit slip)", "a\x1b[2J"},
		Changes: []catalog.Change{{Kind: catalog.ChangePrice, Model: "meta/llama-3.2-1b-instruct", Provider: "openrouter", Field: "output", Old: "$0.20", New: "$200", OldPrice: &old, NewPrice: &next,
			Delta: &delta, DeltaPct: "+99900.0%", Source: catalog.SourceOf(catalog.SourceRef{Name: "openrouter", URL: "javascript:alert(1)"})}}},
		{ID: 4, Kind: catalog.HoldBreakage, Status: catalog.HoldPending, Source: "openrouter", Reasons: []string{"vanished_pct: 4 of 5 openrouter offerings vanished in one run (80%, more than 25%)"},
			RemovedOfferings: []string{"a", "b"}, RemovedModels: []string{"meta/llama-3.2-1b-instruct"},
			Changes: []catalog.Change{
				{Kind: catalog.ChangeOfferingRemoved, Model: "meta/llama-3.2-1b-instruct", Provider: "openrouter", Source: catalog.SourceOf(or)},
				{Kind: catalog.ChangeOfferingRemoved, Model: "meta/llama-3.2-1b-instruct", Provider: "bitdeer", Source: catalog.SourceOf(or)},
				{Kind: catalog.ChangeModelRemoved, Model: "meta/llama-3.2-1b-instruct", Source: catalog.SourceOf(or)},
				{Kind: catalog.ChangeOfferingRemoved, Model: "meta/gone", Provider: "openrouter", Source: catalog.SourceOf(or)},
			}}}
	resp, body := f.get(t, "/review")
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	for _, want := range []string{`id="hold-3"`, `data-action="approve" data-hold="3"`, `data-action="reject"`, `src="/review/review.js"`,
		`<span class="id">#3</span> <span class="kind">price change</span>`, `<strong title="meta/llama-3.2-1b-instruct">Llama 3.2 1B Instruct</strong>`,
		`<td data-label="Provider">OpenRouter<span class="source">openrouter</span></td>`,
		`<td data-label="Change"><span class="field">output price</span><span class="old">$0.20</span> → <span class="new">$200.00</span><span class="delta">Δ &#43;$199.80 · &#43;99900.0%</span></td>`,
		"<li>moved &#43;99900.0%, beyond the ±50% limit</li>", "<li>suspected unit slip (2 checks)<details>", "<li>a\\x1b[2J</li>",
		"<strong>4 of 5 OpenRouter offerings vanished</strong>", "<summary>approving removes 2 offerings and 1 model</summary>",
		"<li>Llama 3.2 1B Instruct at OpenRouter, Bitdeer AI — model removed too</li>", "<li>meta/gone at OpenRouter</li>",
		`class="note" type="text" required`} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("review page lacks %q\n%s", want, body)
		}
	}
	if bytes.Contains(body, []byte("\x1b")) || bytes.Contains(body, []byte("max_change_pct")) || bytes.Count(body, []byte("suspected unit slip")) != 1 {
		t.Error("review page shows a control character, a rule's key or a reason twice")
	}
	if bytes.Contains(body, []byte("javascript:")) {
		t.Error("a javascript: source URL became a link")
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if r, b := f.get(t, "/review/review.js"); r.StatusCode != 200 || !bytes.Contains(b, []byte("Authorization")) {
		t.Errorf("review.js: %d", r.StatusCode)
	}
	if r, b := f.get(t, "/changes"); r.StatusCode != 200 || !bytes.Contains(b, []byte("<h1>Changes</h1>")) {
		t.Errorf("/changes: %d %s", r.StatusCode, b)
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t, testToken)
	f.get(t, "/v1/index.json")
	// The middleware observes a request after its handler returns, which
	// can be just after the client has the response: wait for it.
	fams, _ := scrape(t, f.srv.URL)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); fams, _ = scrape(t, f.srv.URL) {
		if _, ok := value(fams, "llmref_http_request_duration_seconds", "handler", "export", "code", "200"); ok {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	checkTypes(t, fams, map[string]dto.MetricType{
		"llmref_database_readable": dto.MetricType_GAUGE, "llmref_runs_total": dto.MetricType_COUNTER,
		"llmref_last_run_duration_seconds": dto.MetricType_GAUGE, "llmref_source_pages": dto.MetricType_GAUGE,
		"llmref_source_errors": dto.MetricType_GAUGE, "llmref_source_last_success_timestamp_seconds": dto.MetricType_GAUGE,
		"llmref_held_changes": dto.MetricType_GAUGE, "llmref_http_responses_total": dto.MetricType_COUNTER,
		"llmref_http_request_duration_seconds": dto.MetricType_HISTOGRAM, "go_goroutines": dto.MetricType_GAUGE,
	})
	for _, w := range []series{
		{"llmref_runs_total", []string{"status", "ok"}, 1},
		{"llmref_source_stale", []string{"source", "openrouter"}, 0},
		{"llmref_http_responses_total", []string{"handler", "export", "code", "200"}, 1},
		{"llmref_http_request_duration_seconds", []string{"handler", "export", "code", "200"}, 1},
	} {
		if v, ok := value(fams, w.name, w.labels...); !ok || v != w.v {
			t.Errorf("%s%v = %v (present %v), want %v", w.name, w.labels, v, ok, w.v)
		}
	}
}

func TestHealthz(t *testing.T) {
	f := newFixture(t, testToken)
	resp, body := f.get(t, "/healthz")
	var h Health
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || h.Status != "ok" || !h.Database.Readable || h.LastRun == nil || h.LastRun.ID != 1 || h.Export == nil || h.Export.Run != 1 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if len(h.Sources) == 0 || h.HeldChanges == nil || *h.HeldChanges != 0 {
		t.Errorf("sources %v held %v", h.Sources, h.HeldChanges)
	}

	// Three days later every source is stale: degraded, 200; 503 if strict.
	s, _ := New(Options{DB: store.NewDB(f.db, time.Second), ExportDir: f.export, Now: func() time.Time { return time.Date(2026, 4, 26, 12, 0, 0, 0, time.UTC) }})
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	json.Unmarshal(rec.Body.Bytes(), &h)
	if rec.Code != 200 || h.Status != "degraded" || len(h.StaleSources) == 0 {
		t.Errorf("stale: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz?strict=1", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("strict stale: %d", rec.Code)
	}

	// No database: unhealthy.
	s, _ = New(Options{DB: store.NewDB(filepath.Join(t.TempDir(), "none.db"), time.Second)})
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "no database yet") {
		t.Errorf("no database: %d %s", rec.Code, rec.Body)
	}
	// A database another process holds for writing (cron's refresh):
	// degraded, answered within the open timeout.
	other, err := store.Open(f.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	s, _ = New(Options{DB: store.NewDB(f.db, 100*time.Millisecond)})
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"status": "degraded"`) || !strings.Contains(rec.Body.String(), store.ErrLocked.Error()) {
		t.Errorf("locked database: %d %s", rec.Code, rec.Body)
	}
}

// TestStoreReview runs the review endpoints over the real store: a held
// ×1000 slip is listed, /changes shows the report, approving publishes the
// value into the export, approving it again is a conflict.
func TestStoreReview(t *testing.T) {
	dir := t.TempDir()
	db, out := filepath.Join(dir, "llmref.db"), filepath.Join(dir, "export")
	fixturetest.Replay(t, db, out, "2026-04-23")
	fixturetest.Replay(t, db, out, fixturetest.SlipDay(t))
	// The daemon's publisher blends 50/50 (the replays published 70/30):
	// a decision republishes with it.
	pub := publish.New(out, compare.Options{Blend: catalog.Blend{InputPct: 50, OutputPct: 50}}, webhook.Webhook{})
	s, err := New(Options{DB: store.NewDB(db, time.Second), ExportDir: out, Publisher: pub, Token: testToken, Review: StoreReview{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	pending, _ := st.Holds(catalog.HoldPending)
	st.Close()
	var id uint64
	for _, h := range pending {
		if h.Key == "price:"+catalog.OfferingKey("meta/llama-3.2-1b-instruct", "openrouter", "", "")+"#output" {
			id = h.ID
		}
	}
	if id == 0 {
		t.Fatalf("the slip is not held: %+v", pending)
	}
	get := func(p string) string {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", p, resp.StatusCode, b)
		}
		return string(b)
	}
	if page := get("/review"); !strings.Contains(page, `id="hold-`+strconv.FormatUint(id, 10)+`"`) || !strings.Contains(page, "$201") {
		t.Errorf("/review lacks the held slip")
	}
	if rep := get("/changes"); !strings.Contains(rep, "<html") || !strings.Contains(rep, "Llama 3.2 1B Instruct") {
		t.Errorf("/changes is not the HTML report:\n%.500s", rep)
	}
	if m := get("/metrics"); !strings.Contains(m, "llmref_held_changes "+strconv.Itoa(len(pending))) {
		t.Errorf("/metrics: no llmref_held_changes %d", len(pending))
	}
	if doc := get("/v1/models/meta--llama-3.2-1b-instruct.json"); strings.Contains(doc, `"micro_usd_per_mtok": 201000000`) {
		t.Fatal("the held value is exported before approval")
	}
	// decide posts an operator's decision on one hold and returns the status.
	post := func(action, body string) int {
		req, _ := http.NewRequest("POST", srv.URL+"/review/"+action, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	decide := func(action string, hold uint64, note string) int {
		return post(action, `{"ids":[`+strconv.FormatUint(hold, 10)+`],"note":"`+note+`"}`)
	}
	// A hold named twice, or no note: 400, and nothing decided.
	if code := post("approve", fmt.Sprintf(`{"ids":[%d,%d],"note":"twice"}`, id, id)); code != http.StatusBadRequest {
		t.Errorf("a hold named twice: %d, want 400", code)
	}
	if code := decide("approve", id, " "); code != http.StatusBadRequest {
		t.Errorf("no note: %d, want 400", code)
	}
	if page := get("/review"); !strings.Contains(page, `id="hold-`+strconv.FormatUint(id, 10)+`"`) {
		t.Fatal("a refused decision closed the hold")
	}
	approve := func() int { return decide("approve", id, "confirmed") }
	if code := approve(); code != 200 {
		t.Fatalf("approve: %d", code)
	}
	// The count of held changes follows the decision (it is kept between
	// runs and decisions).
	if m := get("/metrics"); !strings.Contains(m, "llmref_held_changes "+strconv.Itoa(len(pending)-1)) {
		t.Errorf("/metrics after an approval: no llmref_held_changes %d", len(pending)-1)
	}
	if doc := get("/v1/models/meta--llama-3.2-1b-instruct.json"); !strings.Contains(doc, `"micro_usd_per_mtok": 201000000`) {
		t.Error("the approved value is not exported")
	}
	if m := get("/v1/comparisons.json"); !strings.Contains(m, `"input_pct": 50`) || !strings.Contains(m, `"output_pct": 50`) {
		t.Errorf("the decision republished comparisons without the daemon's 50/50 blend:\n%.300s", m)
	}
	if code := approve(); code != http.StatusConflict {
		t.Errorf("approving twice: %d, want 409", code)
	}
	// Reject another: it leaves the pending list, the published value stays.
	var other uint64
	for _, h := range pending {
		if h.ID != id {
			other = h.ID
			break
		}
	}
	if other == 0 {
		t.Fatal("only one hold")
	}
	if code := decide("reject", other, "a scraper slip"); code != 200 {
		t.Fatalf("reject: %d", code)
	}
	if page := get("/review"); strings.Contains(page, `id="hold-`+strconv.FormatUint(other, 10)+`"`) {
		t.Error("the rejected hold is still pending")
	}
}

// testPublisher republishes to out with the default comparisons.
func testPublisher(out string) *publish.Publisher {
	return publish.New(out, compare.DefaultOptions(), webhook.Webhook{})
}
