package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/fixturetest"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/schedules"
	"github.com/llmref/llmref/store"
	"github.com/llmref/llmref/webhook"
)

// scrape GETs /metrics from base, checks that Prometheus' own text parser
// reads it, and returns the families and the body.
func scrape(t *testing.T, base string) (map[string]*dto.MetricFamily, []byte) {
	t.Helper()
	resp, body := getURL(t, base+"/metrics")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("Prometheus cannot parse /metrics: %v\n%s", err, body)
	}
	return fams, body
}

// value is the value of the family's series with exactly these labels
// (name, value pairs); ok is false when there is none.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) (v float64, ok bool) {
	for _, m := range fams[name].GetMetric() {
		if len(m.GetLabel())*2 != len(labels) {
			continue
		}
		match := true
		for _, lp := range m.GetLabel() {
			i := slices.Index(labels, lp.GetName())
			if i < 0 || i%2 != 0 || labels[i+1] != lp.GetValue() {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// checkTypes checks that each named family is there, of its type.
func checkTypes(t *testing.T, fams map[string]*dto.MetricFamily, want map[string]dto.MetricType) {
	t.Helper()
	for name, typ := range want {
		switch {
		case fams[name] == nil:
			t.Errorf("no %s", name)
		case fams[name].GetType() != typ:
			t.Errorf("%s is a %v, want a %v", name, fams[name].GetType(), typ)
		}
	}
}

// TestMetricsLintOnALiveServer serves the real daemon's handler on a
// loopback listener, sends it the requests operators' dashboards see, and
// lints the /metrics it answers as `promtool check metrics` does: no
// problem is allowed, in llmref's series or in go_* and process_*.
func TestMetricsLintOnALiveServer(t *testing.T) {
	dir := t.TempDir()
	db, out := filepath.Join(dir, "llmref.db"), filepath.Join(dir, "export")
	fixturetest.Replay(t, db, out, "2026-04-23")
	now := time.Date(2026, 4, 23, 12, 0, 0, 0, time.UTC)
	recordScheduleRun(t, db, store.ScheduleRun{Schedule: "prices", Trigger: "cron", StartedAt: now.Add(-2 * time.Hour), FinishedAt: now.Add(-time.Hour), Status: store.ScheduleOK, RunID: 1})
	// A scheduler's status as schedules.Scheduler.Statuses reports it:
	// runs of 3 s, 40 s and two hours.
	counts := make([]uint64, len(schedules.DurationBuckets)+1)
	counts[1], counts[4], counts[len(counts)-1] = 1, 1, 1
	statuses := []schedules.Status{{Name: "prices", Spec: "0 2 * * *", Next: now.Add(14 * time.Hour), Running: true,
		RetryAt: now.Add(30 * time.Minute), RetrySources: []string{"fireworks"},
		Runs: map[store.ScheduleStatus]int{store.ScheduleOK: 2, store.ScheduleFailed: 1}, Skipped: 1,
		Durations: schedules.Histogram{Counts: counts, Sum: 3 + 40 + 7200, Count: 3}}}
	review := &fakeReview{holds: []catalog.Hold{{ID: 4, Kind: catalog.HoldPrice, Status: catalog.HoldPending}}}

	cases := []struct {
		name string
		o    Options
		// want are series the scrape must have, with their values.
		want []series
		// absent are families the scrape must not have.
		absent []string
		// types are families the scrape must have, besides the runtime's,
		// the process's and the HTTP ones, with their types.
		types map[string]dto.MetricType
	}{
		{"fixture with schedules", Options{DB: store.NewDB(db, time.Second), ExportDir: out, Token: testToken, Review: review,
			Schedules: func() []schedules.Status { return statuses }, Now: func() time.Time { return now }},
			[]series{
				{"llmref_database_readable", nil, 1},
				{"llmref_runs_total", []string{"status", "ok"}, 1},
				{"llmref_runs_total", []string{"status", "failed"}, 0},
				{"llmref_held_changes", nil, 1},
				{"llmref_export_run", nil, 1},
				{"llmref_source_stale", []string{"source", "openrouter"}, 0},
				{"llmref_schedule_runs_total", []string{"schedule", "prices", "status", "ok"}, 2},
				{"llmref_schedule_runs_total", []string{"schedule", "prices", "status", "panicked"}, 0},
				{"llmref_schedule_skipped_total", []string{"schedule", "prices"}, 1},
				{"llmref_schedule_running", []string{"schedule", "prices"}, 1},
				{"llmref_schedule_next_run_timestamp_seconds", []string{"schedule", "prices"}, float64(now.Add(14 * time.Hour).Unix())},
				{"llmref_schedule_retry_timestamp_seconds", []string{"schedule", "prices"}, float64(now.Add(30 * time.Minute).Unix())},
				{"llmref_schedule_last_success_timestamp_seconds", []string{"schedule", "prices"}, float64(now.Add(-2 * time.Hour).Unix())},
				{"llmref_schedule_run_duration_seconds", []string{"schedule", "prices"}, 3},
				{"llmref_http_responses_total", []string{"handler", "export", "code", "200"}, 1},
				{"llmref_http_responses_total", []string{"handler", "export", "code", "304"}, 1},
				{"llmref_http_responses_total", []string{"handler", "rejected", "code", "404"}, 1},
				{"llmref_http_responses_total", []string{"handler", "unmatched", "code", "404"}, 1},
				{"llmref_http_responses_total", []string{"handler", "unmatched", "code", "405"}, 1},
				{"llmref_http_responses_total", []string{"handler", "approve", "code", "401"}, 1},
				{"llmref_http_request_duration_seconds", []string{"handler", "export", "code", "200"}, 1},
				{"llmref_http_request_duration_seconds", []string{"handler", "approve", "code", "401"}, 1},
			}, nil,
			map[string]dto.MetricType{"llmref_runs_total": dto.MetricType_COUNTER, "llmref_source_pages": dto.MetricType_GAUGE,
				"llmref_schedule_runs_total": dto.MetricType_COUNTER, "llmref_schedule_run_duration_seconds": dto.MetricType_HISTOGRAM}},
		{"no database yet", Options{DB: store.NewDB(filepath.Join(dir, "none.db"), time.Second)},
			[]series{{"llmref_database_readable", nil, 0}, {"llmref_http_responses_total", []string{"handler", "export", "code", "404"}, 2}},
			[]string{"llmref_runs_total", "llmref_source_pages", "llmref_held_changes", "llmref_schedule_runs_total"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(c.o)
			if err != nil {
				t.Fatal(err)
			}
			base := serveOnLoopback(t, s)
			etag := ""
			for _, req := range []struct{ method, path, etag string }{
				{"GET", "/v1/index.json", ""},
				{"GET", "/v1/index.json", "etag"},
				{"GET", "/v1/../etc/passwd", ""},
				{"GET", "/no/such/page", ""},
				{"PUT", "/healthz", ""},
				{"POST", "/review/approve", ""},
			} {
				r, _ := http.NewRequest(req.method, base+req.path, strings.NewReader(`{"ids":[4]}`))
				if req.etag != "" {
					r.Header.Set("If-None-Match", etag)
				}
				resp, err := http.DefaultClient.Do(r)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if etag == "" {
					etag = resp.Header.Get("ETag")
				}
			}
			fams, body := scrape(t, base)

			problems, err := promlint.New(bytes.NewReader(body)).Lint()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Errorf("promlint: %s: %s", p.Metric, p.Text)
			}
			for _, w := range c.want {
				if v, ok := value(fams, w.name, w.labels...); !ok || v != w.v {
					t.Errorf("%s%v = %v (present %v), want %v", w.name, w.labels, v, ok, w.v)
				}
			}
			for _, name := range c.absent {
				if fams[name] != nil {
					t.Errorf("%s present without a database", name)
				}
			}
			// The runtime's and the process's own series.
			wantTypes := map[string]dto.MetricType{"go_goroutines": dto.MetricType_GAUGE, "go_gc_duration_seconds": dto.MetricType_SUMMARY,
				"llmref_http_request_duration_seconds": dto.MetricType_HISTOGRAM, "llmref_http_responses_total": dto.MetricType_COUNTER}
			if runtime.GOOS == "linux" {
				wantTypes["process_cpu_seconds_total"] = dto.MetricType_COUNTER
				wantTypes["process_resident_memory_bytes"] = dto.MetricType_GAUGE
			}
			for name, typ := range c.types {
				wantTypes[name] = typ
			}
			checkTypes(t, fams, wantTypes)
		})
	}

	// The schedule's histogram: cumulative buckets over DurationBuckets.
	s, err := New(cases[0].o)
	if err != nil {
		t.Fatal(err)
	}
	fams, _ := scrape(t, serveOnLoopback(t, s))
	h := fams["llmref_schedule_run_duration_seconds"].GetMetric()[0].GetHistogram()
	got := map[float64]uint64{}
	for _, b := range h.GetBucket() {
		got[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	if len(h.GetBucket()) != len(schedules.DurationBuckets)+1 || got[math.Inf(1)] != 3 || got[1] != 0 || got[5] != 1 || got[30] != 1 || got[60] != 2 || got[3600] != 2 ||
		h.GetSampleCount() != 3 || h.GetSampleSum() != 7243 {
		t.Errorf("llmref_schedule_run_duration_seconds: %v", h)
	}
}

// series is one expected sample.
type series struct {
	name   string
	labels []string
	v      float64
}

// serveOnLoopback runs s.Serve on a 127.0.0.1 listener until the test
// ends, and returns its base URL.
func serveOnLoopback(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, 5*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func recordScheduleRun(t *testing.T, db string, r store.ScheduleRun) {
	t.Helper()
	withStore(t, db, func(st *store.Store) {
		if _, err := st.RecordScheduleRun(r); err != nil {
			t.Fatal(err)
		}
	})
}

// TestMetricsCountRunsByStatus records a partial and a failed run after the
// fixture's good one (and a run still marked running, as a crashed process
// leaves it) and finds each counted under its status.
func TestMetricsCountRunsByStatus(t *testing.T) {
	db, at := firstDayDB(t)
	withStore(t, db, func(st *store.Store) {
		for i, status := range []catalog.RunStatus{catalog.RunPartial, catalog.RunRunning, catalog.RunFailed} {
			start := at.Add(time.Duration(i) * time.Hour)
			run := catalog.Run{StartedAt: start, FinishedAt: start.Add(time.Minute), Status: status,
				Sources: []catalog.SourceStats{{Source: "openrouter", Status: catalog.SourceFailed, Errors: []string{"GET: 503"}}}}
			if status == catalog.RunRunning {
				run.FinishedAt = time.Time{}
			}
			if _, err := st.CommitRun(store.Commit{Run: run}); err != nil {
				t.Fatal(err)
			}
		}
	})
	s, err := New(Options{DB: store.NewDB(db, time.Second), Now: func() time.Time { return at.Add(3 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	fams, body := scrape(t, serveOnLoopback(t, s))
	for _, w := range []series{
		{"llmref_runs_total", []string{"status", "ok"}, 1},
		{"llmref_runs_total", []string{"status", "partial"}, 1},
		{"llmref_runs_total", []string{"status", "failed"}, 1},
		{"llmref_last_run_id", nil, 4},
		{"llmref_last_run_duration_seconds", nil, 60},
		{"llmref_source_errors", []string{"source", "openrouter"}, 1},
		{"llmref_source_stale", []string{"source", "openrouter"}, 1},
	} {
		if v, ok := value(fams, w.name, w.labels...); !ok || v != w.v {
			t.Errorf("%s%v = %v (present %v), want %v\n%s", w.name, w.labels, v, ok, w.v, body)
		}
	}
	if _, ok := value(fams, "llmref_runs_total", "status", "running"); ok {
		t.Error("a run in progress is counted: the counter would go down when it ends")
	}
	checkTypes(t, fams, map[string]dto.MetricType{"llmref_runs_total": dto.MetricType_COUNTER})
}

// TestMetricsCountAtCommitTimeAtEnd holds a handler after it has sent its
// status: a scrape meanwhile finds the response counted (the client may
// already be reading it) and no duration yet; once the response has ended,
// its duration is observed.
func TestMetricsCountAtCommitTimeAtEnd(t *testing.T) {
	s, err := New(Options{DB: store.NewDB(filepath.Join(t.TempDir(), "none.db"), time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	s.handle("GET /slow", "slow", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		http.NewResponseController(w).Flush()
		<-release
	})
	base := serveOnLoopback(t, s)
	resp, err := http.Get(base + "/slow")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	fams, _ := scrape(t, base)
	if v, ok := value(fams, "llmref_http_responses_total", "handler", "slow", "code", "202"); !ok || v != 1 {
		t.Errorf("while the body is open: llmref_http_responses_total %v (present %v), want 1", v, ok)
	}
	if _, ok := value(fams, "llmref_http_request_duration_seconds", "handler", "slow", "code", "202"); ok {
		t.Error("a duration was observed before the handler returned")
	}
	close(release)
	// net/http ends the chunked body after the whole handler chain has
	// returned, so at EOF the wrapper has observed the duration.
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	fams, _ = scrape(t, base)
	if v, _ := value(fams, "llmref_http_request_duration_seconds", "handler", "slow", "code", "202"); v != 1 {
		t.Errorf("after the end: %v durations observed, want 1", v)
	}
	if v, _ := value(fams, "llmref_http_responses_total", "handler", "slow", "code", "202"); v != 1 {
		t.Errorf("llmref_http_responses_total %v after the end, want 1 (counted once)", v)
	}
}

// TestMetricsBadLabelFailsTheScrape gives a schedule a name Prometheus
// cannot carry (invalid UTF-8): the scrape fails with 500, naming the
// series, instead of answering without it or crashing the daemon.
func TestMetricsBadLabelFailsTheScrape(t *testing.T) {
	s, err := New(Options{DB: store.NewDB(filepath.Join(t.TempDir(), "none.db"), time.Second),
		Schedules: func() []schedules.Status { return []schedules.Status{{Name: "prices\xff"}} }})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := getURL(t, serveOnLoopback(t, s)+"/metrics")
	if resp.StatusCode != http.StatusInternalServerError || !bytes.Contains(body, []byte("llmref_schedule")) {
		t.Errorf("%d\n%s", resp.StatusCode, body)
	}
}

// TestMetricsWebhookDeliveries: with a webhook configured, the delivery
// records (any process's) are counted by status, and the latest says
// whether it went through, when, and how many changes it left out; with
// none configured the series are absent (an old failure of a webhook
// since removed would alert forever).
func TestMetricsWebhookDeliveries(t *testing.T) {
	db, at := firstDayDB(t)
	withStore(t, db, func(st *store.Store) {
		for _, d := range []catalog.Delivery{
			{Run: 1, URL: "https://hooks.example.org/x", At: at, Attempts: 1, Status: 204, OK: true},
			{Run: 2, URL: "https://hooks.example.org/x", At: at.Add(24 * time.Hour), Attempts: 4, Status: 413, Error: "HTTP 413", Omitted: 120},
		} {
			if err := st.RecordDelivery(d); err != nil {
				t.Fatal(err)
			}
		}
	})
	for _, hook := range []string{"", "https://hooks.example.org/x"} {
		pub := &publish.Publisher{Webhook: webhook.Webhook{URL: hook}}
		s, err := New(Options{DB: store.NewDB(db, time.Second), Publisher: pub})
		if err != nil {
			t.Fatal(err)
		}
		base := serveOnLoopback(t, s)
		fams, body := scrape(t, base)
		_, hb := getURL(t, base+"/healthz")
		var h Health
		if err := json.Unmarshal(hb, &h); err != nil {
			t.Fatal(err)
		}
		failed := slices.ContainsFunc(h.Problems, func(p string) bool {
			return p == "the webhook's delivery of run 2's report failed: HTTP 413"
		})
		if hook == "" {
			if fams["llmref_webhook_deliveries_total"] != nil || fams["llmref_webhook_last_delivery_ok"] != nil {
				t.Errorf("webhook series without a webhook:\n%s", body)
			}
			if h.Webhook != nil || failed {
				t.Errorf("/healthz speaks of a webhook that is not configured: %s", hb)
			}
			continue
		}
		if h.Status != "degraded" || !failed || h.Webhook == nil || h.Webhook.OK || h.Webhook.Omitted != 120 {
			t.Errorf("/healthz after a failed delivery: %s", hb)
		}
		for _, w := range []series{
			{"llmref_webhook_deliveries_total", []string{"status", "ok"}, 1},
			{"llmref_webhook_deliveries_total", []string{"status", "failed"}, 1},
			{"llmref_webhook_last_delivery_ok", nil, 0},
			{"llmref_webhook_last_delivery_timestamp_seconds", nil, float64(at.Add(24 * time.Hour).Unix())},
			{"llmref_webhook_last_delivery_omitted_changes", nil, 120},
		} {
			if v, ok := value(fams, w.name, w.labels...); !ok || v != w.v {
				t.Errorf("%s%v = %v (present %v), want %v\n%s", w.name, w.labels, v, ok, w.v, body)
			}
		}
		checkTypes(t, fams, map[string]dto.MetricType{"llmref_webhook_deliveries_total": dto.MetricType_COUNTER, "llmref_webhook_last_delivery_ok": dto.MetricType_GAUGE})
		problems, err := promlint.New(bytes.NewReader(body)).Lint()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("promlint: %s: %s", p.Metric, p.Text)
		}
	}
}

// firstDayDB is a database with the first bundled day replayed into it
// (its tree published beside it), and a time the day after.
func firstDayDB(t *testing.T) (db string, dayAfter time.Time) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "llmref.db")
	fixturetest.Replay(t, db, filepath.Join(dir, "export"), "2026-04-23")
	return db, time.Date(2026, 4, 24, 2, 0, 0, 0, time.UTC)
}

// withStore runs fn with the database at db open for writing.
func withStore(t *testing.T, db string, fn func(st *store.Store)) {
	t.Helper()
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fn(st)
}
