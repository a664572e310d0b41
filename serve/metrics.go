package serve

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/schedules"
	"github.com/llmref/llmref/store"
)

// httpMetrics is a server's own registry: the Go runtime and process
// collectors and the HTTP series, which live as long as the server (a
// registry per server, so that tests can run several).
type httpMetrics struct {
	reg       *prometheus.Registry
	responses *prometheus.CounterVec
	durations *prometheus.HistogramVec
}

// httpDurationBuckets are the upper bounds, in seconds, of request
// durations: Prometheus' defaults, then up to the write timeout (an
// approval republishes the export).
var httpDurationBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}

func newHTTPMetrics() *httpMetrics {
	m := &httpMetrics{
		reg: prometheus.NewRegistry(),
		responses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llmref_http_responses_total",
			Help: "HTTP responses by handler and status code, counted when the status is sent.",
		}, []string{"handler", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "llmref_http_request_duration_seconds",
			Help:    "Time from a request's routing to the end of its response, by handler and status code.",
			Buckets: httpDurationBuckets,
		}, []string{"handler", "code"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.responses, m.durations,
	)
	return m
}

// count counts a response whose status has just been committed.
func (m *httpMetrics) count(handler string, code int) {
	m.responses.WithLabelValues(handler, strconv.Itoa(code)).Inc()
}

// observe records a finished request's duration.
func (m *httpMetrics) observe(handler string, code int, d time.Duration) {
	m.durations.WithLabelValues(handler, strconv.Itoa(code)).Observe(d.Seconds())
}

// serveMetrics answers in the Prometheus exposition format negotiated with
// the scraper (the text format by default): the server's registry, and the
// series a scrapeCollector reads from the database and the scheduler for
// this scrape. Series from the database (runs, sources, schedules' last
// successes, held changes) cover runs made by any llmref process; series
// from this process (schedule runs by status, skips, durations, HTTP
// responses, go_*, process_*) start with the daemon, as Prometheus
// counters do. A series that cannot be encoded fails the scrape (500)
// rather than going missing unseen.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	scrape := prometheus.NewRegistry()
	if err := scrape.Register(&scrapeCollector{s: s, ctx: ctx}); err != nil {
		s.log.Error("metrics", "err", err)
		http.Error(w, "metrics: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	promhttp.HandlerFor(prometheus.Gatherers{s.metrics.reg, scrape}, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(s.log.Handler(), slog.LevelError),
		ErrorHandling: promhttp.HTTPErrorOnError,
	}).ServeHTTP(w, r)
}

// The series read at scrape time. Names, types and labels are listed in
// the README; renaming one breaks operators' dashboards and alerts.
var (
	descDatabaseReadable  = desc("llmref_database_readable", "Whether the database could be read for this scrape (1) or not (0).")
	descRuns              = desc("llmref_runs_total", "Refresh runs recorded in the database, by status (ok, partial, failed).", "status")
	descLastRunID         = desc("llmref_last_run_id", "Id of the latest refresh run.")
	descLastRunTime       = desc("llmref_last_run_timestamp_seconds", "When the latest refresh run finished (Unix time).")
	descLastRunDuration   = desc("llmref_last_run_duration_seconds", "How long the latest refresh run took.")
	descCatalogueModels   = desc("llmref_catalogue_models", "Models in the catalogue after the latest run.")
	descCatalogueOffers   = desc("llmref_catalogue_offerings", "Offerings in the catalogue after the latest run.")
	descCatalogueUnmatch  = desc("llmref_catalogue_unmatched", "Source ids that resolved to no model in the latest run.")
	descSourceLastSuccess = desc("llmref_source_last_success_timestamp_seconds", "When the source was last read successfully (Unix time; 0 if never).", "source")
	descSourceStale       = desc("llmref_source_stale", "Whether the source is stale: failed last, never succeeded, or succeeded too long ago.", "source")
	descHeldChanges       = desc("llmref_held_changes", "Held changes waiting for an operator's decision.")
	descExportRun         = desc("llmref_export_run", "The run whose data the published export tree holds.")
	descWebhookDeliveries = desc("llmref_webhook_deliveries_total", "Webhook deliveries of change reports recorded in the database, by any llmref process, by status (ok, failed).", "status")
	descWebhookLastOK     = desc("llmref_webhook_last_delivery_ok", "Whether the latest run's webhook delivery succeeded (1) or failed (0).")
	descWebhookLastTime   = desc("llmref_webhook_last_delivery_timestamp_seconds", "When the latest run's webhook delivery was made (Unix time).")
	descWebhookOmitted    = desc("llmref_webhook_last_delivery_omitted_changes", "Changes left out of the latest report sent, to keep it within review.webhook.max_bytes.")

	descScheduleRuns        = desc("llmref_schedule_runs_total", "Scheduled runs by this process, by schedule and status.", "schedule", "status")
	descScheduleSkipped     = desc("llmref_schedule_skipped_total", "Scheduled runs skipped because another run was in progress.", "schedule")
	descScheduleRunning     = desc("llmref_schedule_running", "Whether the schedule's run is in progress.", "schedule")
	descScheduleUnpublished = desc("llmref_schedule_unpublished", "Whether the schedule's last run committed but its tree is not published yet (the daemon tries again).", "schedule")
	descScheduleNext        = desc("llmref_schedule_next_run_timestamp_seconds", "When the schedule fires next (Unix time).", "schedule")
	descScheduleRetry       = desc("llmref_schedule_retry_timestamp_seconds", "When the sources the schedule's last run left failed are read again (Unix time); 0 when no retry waits.", "schedule")
	descScheduleLastSuccess = desc("llmref_schedule_last_success_timestamp_seconds", "When the schedule's last successful run started (Unix time; 0 if never), kept across restarts.", "schedule")
	descScheduleDuration    = desc("llmref_schedule_run_duration_seconds", "Durations of this process's scheduled runs.", "schedule")
)

// perSource are each source's figures in the latest run that read it.
var perSource = []struct {
	desc *prometheus.Desc
	v    func(catalog.SourceStats) float64
}{
	{desc("llmref_source_pages", "Pages (requests) the source's latest run fetched.", "source"), func(s catalog.SourceStats) float64 { return float64(s.Requests) }},
	{desc("llmref_source_not_modified_pages", "Pages answered 304 Not Modified in the source's latest run.", "source"), func(s catalog.SourceStats) float64 { return float64(s.NotModified) }},
	{desc("llmref_source_retries", "Retries in the source's latest run.", "source"), func(s catalog.SourceStats) float64 { return float64(s.Retries) }},
	{desc("llmref_source_errors", "Errors in the source's latest run.", "source"), func(s catalog.SourceStats) float64 { return float64(s.ErrorCount()) }},
	{desc("llmref_source_bytes", "Body bytes fetched in the source's latest run.", "source"), func(s catalog.SourceStats) float64 { return float64(s.Bytes) }},
	{desc("llmref_source_observations", "Observations the source's latest run produced.", "source"), func(s catalog.SourceStats) float64 { return float64(s.Observations) }},
	{desc("llmref_source_duration_seconds", "How long the source took in its latest run.", "source"), func(s catalog.SourceStats) float64 { return float64(s.DurationMS) / 1000 }},
}

// runStatuses are the statuses llmref_runs_total always has a series for
// (0 until a run ends so): a rate over a series that appears only with
// the first failure would miss that failure.
var runStatuses = []catalog.RunStatus{catalog.RunOK, catalog.RunPartial, catalog.RunFailed}

// scheduleStatuses are the statuses llmref_schedule_runs_total always has
// a series for.
var scheduleStatuses = []store.ScheduleStatus{store.ScheduleOK, store.SchedulePartial, store.ScheduleUnpublished, store.ScheduleFailed, store.ScheduleCancelled, store.ScheduleTimeout, store.SchedulePanicked}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

// scrapeCollector reads the database (once, through the server's
// schedules.DB, within ctx) and the scheduler when it is collected: one
// collector per scrape.
type scrapeCollector struct {
	s   *Server
	ctx context.Context
}

// Describe sends every series the collector may send, so that the
// registry checks their names against its other collectors'.
func (c *scrapeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDatabaseReadable, descRuns, descLastRunID, descLastRunTime, descLastRunDuration,
		descCatalogueModels, descCatalogueOffers, descCatalogueUnmatch, descSourceLastSuccess, descSourceStale, descHeldChanges,
		descExportRun, descWebhookDeliveries, descWebhookLastOK, descWebhookLastTime, descWebhookOmitted, descScheduleRuns, descScheduleSkipped, descScheduleRunning, descScheduleUnpublished, descScheduleNext, descScheduleRetry, descScheduleLastSuccess, descScheduleDuration} {
		ch <- d
	}
	for _, m := range perSource {
		ch <- m.desc
	}
}

// Collect sends the series. A label value Prometheus cannot take (say,
// invalid UTF-8 in a source name) is sent as an invalid metric, which
// fails the scrape instead of panicking the collecting goroutine.
func (c *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.s
	st := s.readState(c.ctx)
	emit := func(d *prometheus.Desc, t prometheus.ValueType, v float64, lv ...string) {
		m, err := prometheus.NewConstMetric(d, t, v, lv...)
		if err != nil {
			m = prometheus.NewInvalidMetric(d, err)
		}
		ch <- m
	}
	gauge := func(d *prometheus.Desc, v float64, lv ...string) { emit(d, prometheus.GaugeValue, v, lv...) }

	gauge(descDatabaseReadable, b2f(st.err == nil))
	if st.err == nil {
		byStatus := st.runs.byStatus
		// Every status a finished run can have, and any other a newer
		// llmref wrote; a run still recorded as running is not counted (its
		// status will change, and a counter must not go down).
		var others []catalog.RunStatus
		for k := range byStatus {
			if k != catalog.RunRunning && !slices.Contains(runStatuses, k) {
				others = append(others, k)
			}
		}
		slices.Sort(others)
		statuses := append(slices.Clone(runStatuses), others...)
		for _, k := range statuses {
			emit(descRuns, prometheus.CounterValue, float64(byStatus[k]), string(k))
		}
		if lr := st.runs.lastRun; lr != nil {
			gauge(descLastRunID, float64(lr.ID))
			gauge(descLastRunTime, unix(lr.FinishedAt))
			gauge(descLastRunDuration, lr.FinishedAt.Sub(lr.StartedAt).Seconds())
			gauge(descCatalogueModels, float64(lr.Models))
			gauge(descCatalogueOffers, float64(lr.Offerings))
			gauge(descCatalogueUnmatch, float64(lr.Unmatched))
		}
		for _, m := range perSource {
			for n, ss := range st.runs.stats {
				gauge(m.desc, m.v(ss), n)
			}
		}
		for _, h := range st.sources {
			v := 0.0
			if h.LastSuccess != nil {
				v = unix(*h.LastSuccess)
			}
			gauge(descSourceLastSuccess, v, h.Name)
			gauge(descSourceStale, b2f(h.Stale), h.Name)
		}
		if s.o.Review != nil && st.heldErr == nil {
			gauge(descHeldChanges, float64(st.held))
		}
		if w := st.webhook; w != nil {
			emit(descWebhookDeliveries, prometheus.CounterValue, float64(w.OK), "ok")
			emit(descWebhookDeliveries, prometheus.CounterValue, float64(w.Failed), "failed")
			if d := w.Last; d != nil {
				gauge(descWebhookLastOK, b2f(d.OK))
				gauge(descWebhookLastTime, unix(d.At))
				gauge(descWebhookOmitted, float64(d.Omitted))
			}
		}
	}
	if st.export != nil {
		gauge(descExportRun, float64(st.export.run))
	}
	if s.o.Schedules != nil {
		c.collectSchedules(ch, st, emit)
	}
}

func (c *scrapeCollector) collectSchedules(ch chan<- prometheus.Metric, st *state, emit func(*prometheus.Desc, prometheus.ValueType, float64, ...string)) {
	for _, sc := range c.s.o.Schedules() {
		for _, status := range scheduleStatuses {
			emit(descScheduleRuns, prometheus.CounterValue, float64(sc.Runs[status]), sc.Name, string(status))
		}
		emit(descScheduleSkipped, prometheus.CounterValue, float64(sc.Skipped), sc.Name)
		emit(descScheduleRunning, prometheus.GaugeValue, b2f(sc.Running), sc.Name)
		emit(descScheduleUnpublished, prometheus.GaugeValue, b2f(sc.Unpublished), sc.Name)
		emit(descScheduleNext, prometheus.GaugeValue, unix(sc.Next), sc.Name)
		emit(descScheduleRetry, prometheus.GaugeValue, unix(sc.RetryAt), sc.Name)
		if st.err == nil {
			emit(descScheduleLastSuccess, prometheus.GaugeValue, unix(st.sched[sc.Name].LastSuccess), sc.Name)
		}
		buckets := make(map[float64]uint64, len(schedules.DurationBuckets))
		var cum uint64
		for i, le := range schedules.DurationBuckets {
			if i < len(sc.Durations.Counts) {
				cum += sc.Durations.Counts[i]
			}
			buckets[le] = cum
		}
		m, err := prometheus.NewConstHistogram(descScheduleDuration, sc.Durations.Count, sc.Durations.Sum, buckets, sc.Name)
		if err != nil {
			m = prometheus.NewInvalidMetric(descScheduleDuration, err)
		}
		ch <- m
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func unix(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixMilli()) / 1000
}
