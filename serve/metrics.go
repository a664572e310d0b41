package serve

import (
	"bufio"
	"context"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/schedules"
	"github.com/llmref/llmref/store"
)

// serveMetrics writes the Prometheus text exposition format (version
// 0.0.4), by hand: a dozen families do not need a client library. Series
// from the database (runs, sources, schedules' last successes, held
// changes) cover runs made by any llmref process; series from this
// process (schedule runs by status, skips, durations, HTTP responses)
// start at zero with the daemon, as Prometheus counters do.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	st := s.readState(ctx)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriter(w)
	e := &expo{w: bw}

	e.family("llmref_database_readable", "gauge", "Whether the database could be read for this scrape (1) or not (0).")
	e.sample("llmref_database_readable", nil, b2f(st.err == nil))

	if st.err == nil {
		byStatus := map[string]int{}
		for _, run := range st.runs {
			byStatus[string(run.Status)]++
		}
		e.family("llmref_runs", "gauge", "Refresh runs recorded in the database, by status.")
		for _, k := range []string{string(catalog.RunOK), string(catalog.RunPartial), string(catalog.RunFailed)} {
			e.sample("llmref_runs", labels("status", k), float64(byStatus[k]))
		}
		if lr := st.lastRun; lr != nil {
			e.family("llmref_last_run_id", "gauge", "Id of the latest refresh run.")
			e.sample("llmref_last_run_id", nil, float64(lr.ID))
			e.family("llmref_last_run_timestamp_seconds", "gauge", "When the latest refresh run finished (Unix time).")
			e.sample("llmref_last_run_timestamp_seconds", nil, unix(lr.FinishedAt))
			e.family("llmref_last_run_duration_seconds", "gauge", "How long the latest refresh run took.")
			e.sample("llmref_last_run_duration_seconds", nil, lr.FinishedAt.Sub(lr.StartedAt).Seconds())
			e.family("llmref_catalogue_models", "gauge", "Models in the catalogue after the latest run.")
			e.sample("llmref_catalogue_models", nil, float64(lr.Models))
			e.family("llmref_catalogue_offerings", "gauge", "Offerings in the catalogue after the latest run.")
			e.sample("llmref_catalogue_offerings", nil, float64(lr.Offerings))
			e.family("llmref_catalogue_unmatched", "gauge", "Source ids that resolved to no model in the latest run.")
			e.sample("llmref_catalogue_unmatched", nil, float64(lr.Unmatched))
		}
		// Each source's figures in the latest run that read it.
		last := map[string]catalog.SourceStats{}
		for _, run := range st.runs {
			for _, ss := range run.Sources {
				if ss.Status != catalog.SourceSkipped {
					last[ss.Source] = ss
				}
			}
		}
		names := make([]string, 0, len(last))
		for n := range last {
			names = append(names, n)
		}
		sort.Strings(names)
		perSource := []struct {
			name, help string
			v          func(catalog.SourceStats) float64
		}{
			{"llmref_source_pages", "Pages (requests) the source's latest run fetched.", func(s catalog.SourceStats) float64 { return float64(s.Requests) }},
			{"llmref_source_not_modified_pages", "Pages answered 304 Not Modified in the source's latest run.", func(s catalog.SourceStats) float64 { return float64(s.NotModified) }},
			{"llmref_source_retries", "Retries in the source's latest run.", func(s catalog.SourceStats) float64 { return float64(s.Retries) }},
			{"llmref_source_errors", "Errors in the source's latest run.", func(s catalog.SourceStats) float64 { return float64(len(s.Errors)) }},
			{"llmref_source_bytes", "Body bytes fetched in the source's latest run.", func(s catalog.SourceStats) float64 { return float64(s.Bytes) }},
			{"llmref_source_observations", "Observations the source's latest run produced.", func(s catalog.SourceStats) float64 { return float64(s.Observations) }},
			{"llmref_source_duration_seconds", "How long the source took in its latest run.", func(s catalog.SourceStats) float64 { return float64(s.DurationMS) / 1000 }},
		}
		for _, m := range perSource {
			e.family(m.name, "gauge", m.help)
			for _, n := range names {
				e.sample(m.name, labels("source", n), m.v(last[n]))
			}
		}
		e.family("llmref_source_last_success_timestamp_seconds", "gauge", "When the source was last read successfully (Unix time; 0 if never).")
		for _, h := range st.sources {
			v := 0.0
			if h.LastSuccess != nil {
				v = unix(*h.LastSuccess)
			}
			e.sample("llmref_source_last_success_timestamp_seconds", labels("source", h.Name), v)
		}
		e.family("llmref_source_stale", "gauge", "Whether the source is stale: failed last, never succeeded, or succeeded too long ago.")
		for _, h := range st.sources {
			e.sample("llmref_source_stale", labels("source", h.Name), b2f(h.Stale))
		}
		if s.o.Review != nil && st.heldErr == nil {
			e.family("llmref_held_changes", "gauge", "Held changes waiting for an operator's decision.")
			e.sample("llmref_held_changes", nil, float64(st.held))
		}
	}
	if st.export != nil {
		e.family("llmref_export_run", "gauge", "The run whose data the published export tree holds.")
		e.sample("llmref_export_run", nil, float64(st.export.run))
	}
	if s.o.Schedules != nil {
		s.scheduleMetrics(e, st)
	}
	e.family("llmref_http_responses_total", "counter", "HTTP responses by handler and status code.")
	counts := s.metrics.snapshot()
	keys := make([][2]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	for _, k := range keys {
		e.sample("llmref_http_responses_total", labels("handler", k[0], "code", k[1]), float64(counts[k]))
	}
	bw.Flush()
}

func (s *Server) scheduleMetrics(e *expo, st *state) {
	scheds := s.o.Schedules()
	e.family("llmref_schedule_runs_total", "counter", "Scheduled runs by this process, by schedule and status.")
	for _, sc := range scheds {
		for _, status := range []store.ScheduleStatus{store.ScheduleOK, store.SchedulePartial, store.ScheduleFailed, store.ScheduleCancelled, store.ScheduleTimeout, store.SchedulePanicked} {
			e.sample("llmref_schedule_runs_total", labels("schedule", sc.Name, "status", string(status)), float64(sc.Runs[status]))
		}
	}
	e.family("llmref_schedule_skipped_total", "counter", "Scheduled runs skipped because another run was in progress.")
	for _, sc := range scheds {
		e.sample("llmref_schedule_skipped_total", labels("schedule", sc.Name), float64(sc.Skipped))
	}
	e.family("llmref_schedule_running", "gauge", "Whether the schedule's run is in progress.")
	for _, sc := range scheds {
		e.sample("llmref_schedule_running", labels("schedule", sc.Name), b2f(sc.Running))
	}
	e.family("llmref_schedule_next_run_timestamp_seconds", "gauge", "When the schedule fires next (Unix time).")
	for _, sc := range scheds {
		e.sample("llmref_schedule_next_run_timestamp_seconds", labels("schedule", sc.Name), unix(sc.Next))
	}
	if st.err == nil {
		e.family("llmref_schedule_last_success_timestamp_seconds", "gauge", "When the schedule's last successful run started (Unix time; 0 if never), kept across restarts.")
		for _, sc := range scheds {
			e.sample("llmref_schedule_last_success_timestamp_seconds", labels("schedule", sc.Name), unix(st.sched[sc.Name].LastSuccess))
		}
	}
	e.family("llmref_schedule_run_duration_seconds", "histogram", "Durations of this process's scheduled runs.")
	for _, sc := range scheds {
		var cum uint64
		for i, le := range schedules.DurationBuckets {
			if sc.Durations.Counts != nil {
				cum += sc.Durations.Counts[i]
			}
			e.sample("llmref_schedule_run_duration_seconds_bucket", labels("schedule", sc.Name, "le", fmtFloat(le)), float64(cum))
		}
		e.sample("llmref_schedule_run_duration_seconds_bucket", labels("schedule", sc.Name, "le", "+Inf"), float64(sc.Durations.Count))
		e.sample("llmref_schedule_run_duration_seconds_sum", labels("schedule", sc.Name), sc.Durations.Sum)
		e.sample("llmref_schedule_run_duration_seconds_count", labels("schedule", sc.Name), float64(sc.Durations.Count))
	}
}

// expo writes metric families in the text format.
type expo struct{ w *bufio.Writer }

func (e *expo) family(name, typ, help string) {
	e.w.WriteString("# HELP " + name + " " + escapeHelp(help) + "\n")
	e.w.WriteString("# TYPE " + name + " " + typ + "\n")
}

func (e *expo) sample(name string, ls []string, v float64) {
	e.w.WriteString(name)
	if len(ls) > 0 {
		e.w.WriteByte('{')
		for i := 0; i+1 < len(ls); i += 2 {
			if i > 0 {
				e.w.WriteByte(',')
			}
			e.w.WriteString(ls[i] + `="` + escapeLabel(ls[i+1]) + `"`)
		}
		e.w.WriteByte('}')
	}
	e.w.WriteString(" " + fmtFloat(v) + "\n")
}

func labels(kv ...string) []string { return kv }

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func fmtFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
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
