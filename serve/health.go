package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/store"
)

// state is what /healthz and /metrics read from the database.
type state struct {
	err      error // the database could not be read
	runs     runsView
	sched    map[string]store.ScheduleState
	held     int
	heldErr  error
	sources  []SourceHealth
	exportOK bool
	export   *generation
	exportEr error
	// webhook is the webhook delivery records' tally, read when the
	// server's publisher has a webhook (nil otherwise, or unreadable: its
	// series and /healthz's webhook are left out then).
	webhook *store.DeliveryTally
}

// SourceHealth is one source's line in /healthz.
type SourceHealth struct {
	Name        string               `json:"name"`
	LastStatus  catalog.SourceStatus `json:"last_status"`
	LastRun     uint64               `json:"last_run"`
	LastSuccess *time.Time           `json:"last_success"`
	Errors      []string             `json:"errors,omitempty"`
	// ErrorsMore counts the errors of the source's last run not listed.
	ErrorsMore int  `json:"errors_more,omitempty"`
	Stale      bool `json:"stale"`
}

// readState reads the database once (one open, one handle) for a health
// or metrics answer.
func (s *Server) readState(ctx context.Context) *state {
	st := &state{}
	st.err = s.o.DB.Read(ctx, func(db *store.Store) error {
		var err error
		if st.runs, err = s.runs.read(db); err != nil {
			return err
		}
		if st.sched, err = db.ScheduleStates(); err != nil {
			return err
		}
		if s.o.Review != nil {
			st.held, st.heldErr = s.pending.count(db, s.o.Review)
		}
		if s.o.Publisher != nil && s.o.Publisher.Webhook.URL != "" {
			if t, err := db.Deliveries(); err == nil {
				st.webhook = &t
			}
		}
		return nil
	})
	st.sources = st.runs.sources(s.o.Now(), s.o.StaleAfter)
	if s.o.ExportDir != "" {
		st.export, st.exportEr = s.generation()
		st.exportOK = st.exportEr == nil
	}
	return st
}

// Health is the body of /healthz.
type Health struct {
	// Status is "ok", "degraded" (stale sources, a schedule whose last run
	// did not commit, the database held by another llmref process's
	// write) or "unhealthy" (the database or the export cannot be read,
	// nothing is published yet, or the last run failed). Unhealthy
	// answers 503; degraded answers 200, or 503 with ?strict=1.
	Status   string         `json:"status"`
	Time     time.Time      `json:"time"`
	Database DatabaseHealth `json:"database"`
	Export   *ExportHealth  `json:"export,omitempty"`
	LastRun  *RunHealth     `json:"last_run"`
	Sources  []SourceHealth `json:"sources"`
	// StaleSources names the stale sources.
	StaleSources []string         `json:"stale_sources"`
	HeldChanges  *int             `json:"held_changes,omitempty"`
	Schedules    []ScheduleHealth `json:"schedules,omitempty"`
	// Webhook is the webhook's latest delivery, when one is configured
	// and has delivered; one that failed makes the status degraded (the
	// operators did not get that run's report).
	Webhook  *catalog.Delivery `json:"webhook,omitempty"`
	Problems []string          `json:"problems,omitempty"`
}

// DatabaseHealth says whether the database can be read. A damaged file (truncated,
// or corrupt at a page) is not readable, and Error names the damage.
type DatabaseHealth struct {
	Path     string `json:"path"`
	Readable bool   `json:"readable"`
	Error    string `json:"error,omitempty"`
}

// ExportHealth says which generation of the tree is published.
type ExportHealth struct {
	Dir         string     `json:"dir"`
	Readable    bool       `json:"readable"`
	Run         uint64     `json:"run,omitempty"`
	GeneratedAt *time.Time `json:"generated_at,omitempty"`
	Error       string     `json:"error,omitempty"`
	// Behind is set when the tree holds an older run than the database's
	// last committed one (no run in progress).
	Behind bool `json:"behind,omitempty"`
}

// RunHealth is the last run's record, in short.
type RunHealth struct {
	ID         uint64            `json:"id"`
	Status     catalog.RunStatus `json:"status"`
	StartedAt  time.Time         `json:"started_at"`
	FinishedAt time.Time         `json:"finished_at"`
}

// ScheduleHealth is one schedule's line in /healthz.
type ScheduleHealth struct {
	Name        string     `json:"name"`
	Spec        string     `json:"spec"`
	Next        *time.Time `json:"next,omitempty"`
	Running     bool       `json:"running"`
	LastSuccess *time.Time `json:"last_success"`
	LastStatus  string     `json:"last_status,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	// Unpublished is set while the last run's tree is not published yet.
	Unpublished bool `json:"unpublished,omitempty"`
	// Retry is the retry waiting, if any: the sources the last run left
	// failed, read again alone at the time given.
	Retry *RetryHealth `json:"retry,omitempty"`
}

// RetryHealth is a schedule's retry waiting.
type RetryHealth struct {
	At      time.Time `json:"at"`
	Sources []string  `json:"sources"`
}

// running reports whether a scheduled run is in progress: between its
// commit and its export the tree lags the database for that long.
func (s *Server) running() bool {
	if s.o.Schedules == nil {
		return false
	}
	for _, sc := range s.o.Schedules() {
		if sc.Running {
			return true
		}
	}
	return false
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	h := s.Health(ctx)
	code := http.StatusOK
	switch {
	case h.Status == "unhealthy":
		code = http.StatusServiceUnavailable
	case h.Status == "degraded" && r.URL.Query().Get("strict") == "1":
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(h)
}

// Health is what /healthz answers: the database, the export, the last
// run, each source, the held changes, the schedules and the webhook, with
// a status ("ok", "degraded" or "unhealthy") and the problems that made
// it. `llmref health` prints the same without a daemon.
func (s *Server) Health(ctx context.Context) Health {
	st := s.readState(ctx)
	h := Health{Status: "ok", Time: s.o.Now().UTC(), Database: DatabaseHealth{Path: s.o.DB.Path(), Readable: st.err == nil}, Sources: st.sources, StaleSources: []string{}}
	if h.Sources == nil {
		h.Sources = []SourceHealth{}
	}
	unhealthy, degraded := false, false
	if st.err != nil {
		h.Database.Error = st.err.Error()
		switch {
		case errors.Is(st.err, store.ErrLocked):
			// A refresh from the command line (cron) holds the file: the
			// service is fine, its data is being renewed.
			degraded = true
			h.Problems = append(h.Problems, "the database is being written by another llmref process")
		case errors.Is(st.err, fs.ErrNotExist):
			unhealthy = true
			h.Problems = append(h.Problems, "no database yet: the first refresh has not run")
		case errors.Is(st.err, store.ErrTruncated), errors.Is(st.err, store.ErrCorrupt):
			// The export published before the damage is still served;
			// nothing reads or writes the file until it is restored.
			unhealthy = true
			h.Problems = append(h.Problems, "the database file is damaged: "+st.err.Error())
		default:
			unhealthy = true
			h.Problems = append(h.Problems, "the database cannot be read")
		}
	}
	if s.o.ExportDir != "" {
		e := &ExportHealth{Dir: s.o.ExportDir, Readable: st.exportOK}
		if st.export != nil {
			e.Run = st.export.run
			t := st.export.at
			e.GeneratedAt = &t
		}
		switch {
		case errors.Is(st.exportEr, errNoExport):
			e.Error = st.exportEr.Error()
			unhealthy = true
			h.Problems = append(h.Problems, "nothing is published yet: no run has committed a catalogue to the export directory")
		case st.exportEr != nil:
			e.Error = st.exportEr.Error()
			unhealthy = true
			h.Problems = append(h.Problems, "the export tree cannot be read")
		}
		if last := st.runs.lastCommitted; st.export != nil && last != nil && st.export.run < last.ID && !s.running() {
			// A run committed, and its export failed or was never made
			// (a refresh with no export): readers get an older catalogue
			// than the database holds.
			e.Behind = true
			degraded = true
			h.Problems = append(h.Problems, fmt.Sprintf("the served tree is behind the database: it holds run %d, run %d committed since (the next run, or llmref export, publishes it)", st.export.run, last.ID))
		}
		h.Export = e
	}
	if lr := st.runs.lastRun; lr != nil {
		h.LastRun = &RunHealth{ID: lr.ID, Status: lr.Status, StartedAt: lr.StartedAt, FinishedAt: lr.FinishedAt}
		switch {
		case lr.Status == catalog.RunFailed && len(lr.Only) > 0:
			// A run of some sources alone (a retry of the ones a run left
			// failed, refresh --source) read none of them: those are
			// stale, the rest of the catalogue stands as it was.
			degraded = true
			h.Problems = append(h.Problems, fmt.Sprintf("the last run (%d), of %s alone, failed: none of them was read, the catalogue stands as before",
				lr.ID, strings.Join(lr.Only, ", ")))
		case lr.Status == catalog.RunFailed:
			// No source was read: what is published is as old as the run
			// before, and the next one needs a look before it is trusted.
			unhealthy = true
			h.Problems = append(h.Problems, fmt.Sprintf("the last run (%d) failed: no source was read and nothing was published", lr.ID))
		}
	}
	if st.err == nil && !st.runs.committed() {
		unhealthy = true
		h.Problems = append(h.Problems, "no published catalogue: no run has committed yet")
	}
	for _, src := range st.sources {
		if src.Stale {
			h.StaleSources = append(h.StaleSources, src.Name)
			degraded = true
		}
	}
	if len(h.StaleSources) > 0 {
		h.Problems = append(h.Problems, "stale sources: "+strings.Join(h.StaleSources, ", "))
	}
	if s.o.Review != nil && st.err == nil && st.heldErr == nil {
		n := st.held
		h.HeldChanges = &n
	}
	if s.o.Schedules != nil {
		for _, sc := range s.o.Schedules() {
			sh := ScheduleHealth{Name: sc.Name, Spec: sc.Spec, Running: sc.Running}
			if !sc.Next.IsZero() {
				t := sc.Next
				sh.Next = &t
			}
			if d, ok := st.sched[sc.Name]; ok {
				if !d.LastSuccess.IsZero() {
					t := d.LastSuccess
					sh.LastSuccess = &t
				}
				sh.LastStatus, sh.LastError = string(d.LastStatus), d.LastError
				if d.LastStatus != "" && !d.LastStatus.Success() {
					degraded = true
					h.Problems = append(h.Problems, "schedule "+sc.Name+": last run "+string(d.LastStatus))
				}
			}
			if !sc.RetryAt.IsZero() {
				sh.Retry = &RetryHealth{At: sc.RetryAt, Sources: sc.RetrySources}
			}
			if sc.Unpublished {
				// Committed, and the tree not published yet: readers of the
				// object storage get the run before (the served folder may
				// already hold the new one).
				sh.Unpublished = true
				degraded = true
				h.Problems = append(h.Problems, "schedule "+sc.Name+": its last run committed, but its tree is not published yet (the daemon tries again)")
			}
			h.Schedules = append(h.Schedules, sh)
		}
	}
	if w := st.webhook; w != nil && w.Last != nil {
		h.Webhook = w.Last
		if !w.Last.OK {
			degraded = true
			h.Problems = append(h.Problems, fmt.Sprintf("the webhook's delivery of run %d's report failed: %s", w.Last.Run, w.Last.Error))
		}
	}
	switch {
	case unhealthy:
		h.Status = "unhealthy"
	case degraded:
		h.Status = "degraded"
	}
	return h
}

// pendingCount keeps the number of pending holds under the key of what
// they depend on (Review.ReportKey: the latest run and the decisions), so
// that /healthz and /metrics decode the holds again only after a run or a
// decision: every hold ever made is kept, a surge's with every offering
// and model it would add, and each answer decoded them all.
type pendingCount struct {
	mu  sync.Mutex
	key string
	n   int
}

func (c *pendingCount) count(db *store.Store, rv Review) (int, error) {
	key, err := rv.ReportKey(db)
	if err != nil {
		key = "" // no run yet, or unreadable: count them now
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if key != "" && key == c.key {
		return c.n, nil
	}
	held, err := rv.Pending(db)
	if err != nil {
		return 0, err
	}
	c.key, c.n = key, len(held)
	return c.n, nil
}
