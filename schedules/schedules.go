// Package schedules runs llmref's refreshes on cron schedules inside the
// daemon (`llmref serve --schedule`), with every trap of robfig/cron v3
// handled:
//
//   - each entry is wrapped SkipIfStillRunning(Recover(job)) — Recover
//     innermost, so a panic never keeps the skip token and wedges the
//     schedule (robfig/cron #366);
//   - cron's logger is an adapter onto slog, so a skipped run is logged at
//     warning level with its schedule's name (the default logger drops the
//     Info level where cron reports skips);
//   - each run gets a context (cancelled when the daemon stops), a timeout
//     and a run record in the database, whatever its outcome;
//   - missed runs are caught up: each schedule's last success is stored in
//     bbolt, and at start-up (and then periodically) a schedule whose last
//     success is older than its last due time runs once — after downtime,
//     after a failed run, or after a DST gap that cron skipped;
//   - specs are parsed under recover (ParseSpec), so a bad one is an error
//     at configuration load, never a panic.
//
// One run at a time across all schedules: a run that would overlap another
// is skipped and logged, never queued.
package schedules

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/store"
)

// Schedule is one configured refresh schedule.
type Schedule struct {
	// Name identifies it in logs, metrics and the database.
	Name string
	// Spec is its cron spec (see ParseSpec).
	Spec string
	// Sources are the sources it refreshes; empty means all.
	Sources []string
	// Timeout bounds one run.
	Timeout time.Duration
}

// Triggers: why a run started.
const (
	TriggerCron    = "cron"
	TriggerCatchUp = "catch-up"
	// TriggerRetry is a run that reads again the sources an earlier run of
	// its schedule left failed (see Options.RetryFailedAfter).
	TriggerRetry = "retry"
)

// RunFunc performs one refresh; refresh.Run by default.
type RunFunc func(ctx context.Context, st *store.Store, o refresh.Options) (*refresh.Result, error)

// Options configure a Scheduler.
type Options struct {
	// Schedules are the schedules to run.
	Schedules []Schedule
	// Location is the zone of specs without a CRON_TZ= prefix; default UTC.
	Location *time.Location
	// DB is the database the runs write.
	DB *store.DB
	// Refresh are the options of every run; each schedule sets Only.
	Refresh refresh.Options
	// Run performs a refresh; default refresh.Run.
	Run RunFunc
	// CatchUpEvery is how often overdue schedules are looked for after the
	// look at start-up; zero means only at start-up.
	CatchUpEvery time.Duration
	// DefaultTimeout bounds a run whose schedule sets none; default 10m.
	DefaultTimeout time.Duration
	// RepublishAfter is how long after a run that committed but could not
	// publish its tree (the export failed, the object storage refused it)
	// the daemon publishes it again; each failed try doubles the wait, up
	// to MaxRepublishDelay. Default one minute.
	RepublishAfter time.Duration
	// RetryFailedAfter is how long after a run that left sources failed
	// (a partial run: the others committed; its tree published or not)
	// the daemon reads those sources alone again, and again as long as
	// they fail, each time that long after, until the schedule's next run
	// is sooner: a provider down at 02:00 is read at 02:30, not the next
	// night. Zero never retries. A run that read nothing is the
	// catch-up's (CatchUpEvery).
	RetryFailedAfter time.Duration
	// Now is the clock for catch-up decisions and run records.
	Now func() time.Time
	// Logger receives what the scheduler does; nil discards it.
	Logger *slog.Logger
}

// Scheduler runs the schedules. Start it once, Stop it once.
type Scheduler struct {
	o    Options
	log  *slog.Logger
	cron *cron.Cron
	jobs []*job // in configuration order

	ctx    context.Context // cancelled by Stop: cancels a running refresh
	cancel context.CancelFunc
	wg     sync.WaitGroup // every job execution and the start-up catch-up
	fired  atomic.Int64   // job executions started, for tests

	// republish wakes the loop that publishes a committed run's tree
	// again (see republishing); unpublished says one is waiting.
	republish   chan struct{}
	unpublished atomic.Bool
}

// MaxRepublishDelay bounds the wait between two tries at publishing a
// committed run's tree again.
const MaxRepublishDelay = 30 * time.Minute

// job is one schedule's cron job.
type job struct {
	s       *Scheduler
	sch     Schedule
	sched   cron.Schedule
	entry   cron.EntryID
	wrapped cron.Job // the chain-wrapped job, for catch-up runs
	catchUp atomic.Bool
	// busy is held by the schedule's run in progress: a retry (which the
	// chain does not see) and a cron or catch-up run never overlap.
	busy sync.Mutex

	mu     sync.Mutex
	status Status
}

// New checks the schedules and prepares a scheduler.
func New(o Options) (*Scheduler, error) {
	if o.DB == nil {
		return nil, errors.New("schedules: no database")
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Run == nil {
		o.Run = refresh.Run
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.DefaultTimeout <= 0 {
		o.DefaultTimeout = 10 * time.Minute
	}
	if o.RepublishAfter <= 0 {
		o.RepublishAfter = time.Minute
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{o: o, log: log.With("component", "schedules"), republish: make(chan struct{}, 1)}
	s.cron = cron.New(cron.WithLocation(o.Location), cron.WithLogger(cronLogger{log: s.log}))
	known := map[string]bool{}
	for _, src := range o.Refresh.Sources {
		known[src.Name()] = true
	}
	seen := map[string]bool{}
	for _, sch := range o.Schedules {
		if seen[sch.Name] {
			return nil, fmt.Errorf("schedule %s: defined twice", sch.Name)
		}
		seen[sch.Name] = true
		sched, err := ParseSpec(sch.Spec, o.Location)
		if err != nil {
			return nil, fmt.Errorf("schedule %s: %w", sch.Name, err)
		}
		for _, src := range sch.Sources {
			if !known[src] {
				return nil, fmt.Errorf("schedule %s: source %q is not enabled in the configuration", sch.Name, src)
			}
		}
		if sch.Timeout <= 0 {
			sch.Timeout = o.DefaultTimeout
		}
		j := &job{s: s, sch: sch, sched: sched}
		j.status = Status{Name: sch.Name, Spec: sch.Spec, Sources: slices.Clone(sch.Sources), Timeout: sch.Timeout, Runs: map[store.ScheduleStatus]int{}}
		l := cronLogger{log: s.log.With("schedule", sch.Name), skipped: j.skipped}
		// Recover innermost: SkipIfStillRunning(Recover(job)). The other
		// way round, a panic would keep Skip's token and wedge the
		// schedule for good.
		j.wrapped = cron.NewChain(cron.SkipIfStillRunning(l), cron.Recover(l)).Then(j)
		j.entry = s.cron.Schedule(sched, j.wrapped)
		s.jobs = append(s.jobs, j)
	}
	if o.CatchUpEvery > 0 {
		l := cronLogger{log: s.log.With("schedule", "catch-up")}
		s.cron.Schedule(cron.Every(o.CatchUpEvery), cron.NewChain(cron.SkipIfStillRunning(l), cron.Recover(l)).Then(cron.FuncJob(func() {
			s.catchUp()
		})))
	}
	return s, nil
}

// Start looks for overdue schedules (running each once, in the background)
// and starts the cron clock. Runs stop when Stop is called or ctx is done.
func (s *Scheduler) Start(ctx context.Context) {
	s.ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		select {
		case <-ctx.Done():
			s.cancel()
		case <-s.ctx.Done():
		}
	}()
	s.wg.Add(2)
	go s.republishing()
	go func() {
		defer s.wg.Done()
		s.resumeRepublish()
		s.catchUp()
	}()
	s.cron.Start()
	for _, j := range s.jobs {
		s.log.Info("schedule", "name", j.sch.Name, "spec", j.sch.Spec, "sources", sourcesLabel(j.sch.Sources), "next", s.next(j))
	}
}

// Stop stops the clock, cancels a running refresh (which then commits
// nothing) and waits, until ctx is done, for every run to record how it
// ended.
func (s *Scheduler) Stop(ctx context.Context) error {
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	cronDone := s.cron.Stop()
	done := make(chan struct{})
	go func() {
		<-cronDone.Done()
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("schedules: stop: a run did not finish in time: %w", ctx.Err())
	}
}

// catchUp runs, once each and in configuration order, the schedules whose
// last success is older than their last due time.
func (s *Scheduler) catchUp() {
	var states map[string]store.ScheduleState
	err := s.o.DB.Read(s.ctx, func(st *store.Store) error {
		var err error
		states, err = st.ScheduleStates()
		return err
	})
	if err != nil && !isNoDatabase(err) {
		s.log.Error("catch-up: cannot read the schedules' last successes", "err", err)
		return
	}
	now := s.o.Now()
	for _, j := range s.jobs {
		if s.ctx.Err() != nil {
			return
		}
		last := states[j.sch.Name].LastSuccess
		due, ok := overdue(j.sched, last, now, s.o.Location)
		if !ok {
			continue
		}
		if last.IsZero() {
			s.log.Info("catch-up: schedule has never succeeded; running it now", "schedule", j.sch.Name)
		} else {
			s.log.Info("catch-up: a due run was missed; running it now", "schedule", j.sch.Name, "last_success", last, "was_due", due)
		}
		j.catchUp.Store(true)
		j.wrapped.Run() // the chain-wrapped job: skips and panics handled as for cron's runs
		j.catchUp.Store(false)
	}
}

// overdue reports whether a schedule whose last success started at last is
// due again at now, and when it was due. A schedule that never succeeded
// is due. In a zone with daylight saving time, cron skips a time that does
// not exist on the day clocks go forward; the due time is also computed at
// the fixed UTC offset the last success had, so such a run is caught up.
func overdue(sched cron.Schedule, last, now time.Time, loc *time.Location) (time.Time, bool) {
	if last.IsZero() {
		return now, true
	}
	due := sched.Next(last.In(loc))
	if ss, ok := sched.(*cron.SpecSchedule); ok {
		fixed := *ss
		_, off := last.In(ss.Location).Zone()
		fixed.Location = time.FixedZone("fixed", off)
		if d := fixed.Next(last); !d.IsZero() && (due.IsZero() || d.Before(due)) {
			due = d
		}
	}
	if due.IsZero() || due.After(now) {
		return due, false
	}
	return due, true
}

// Run is one execution of a schedule's refresh; it is what cron calls,
// behind the chain.
func (j *job) Run() {
	trigger := TriggerCron
	if j.catchUp.Load() {
		trigger = TriggerCatchUp
	}
	j.run(trigger, j.sch.Sources)
}

// run reads only (every enabled source when empty) for j's schedule,
// records how it went, and asks for a retry of the sources it left
// failed (see retryLater). It reports false when it did not run because
// another run held the database or this schedule.
func (j *job) run(trigger string, only []string) (ran bool) {
	s := j.s
	s.wg.Add(1)
	defer s.wg.Done()
	s.fired.Add(1)
	log := s.log.With("schedule", j.sch.Name, "trigger", trigger)
	if s.ctx.Err() != nil {
		return true // stopping
	}
	if !j.busy.TryLock() {
		j.skipped("a run of this schedule is in progress")
		return false
	}
	defer j.busy.Unlock()
	rec := store.ScheduleRun{Schedule: j.sch.Name, Trigger: trigger, StartedAt: s.o.Now().UTC()}
	j.setRunning(rec.StartedAt)
	recorded := false
	defer func() {
		if r := recover(); r != nil {
			if !recorded {
				rec.Status, rec.Error = store.SchedulePanicked, fmt.Sprint(r)
				j.finish(rec, nil, log)
			}
			panic(r) // on to cron.Recover, which logs the stack; the chain stays usable
		}
		if !recorded {
			j.finish(rec, nil, log)
		}
	}()

	ctx, cancel := context.WithTimeout(s.ctx, j.sch.Timeout)
	defer cancel()
	opts := s.o.Refresh
	opts.Only = slices.Clone(only)
	opts.Logger = log
	var failed []string // the sources a partial run left failed
	err := s.o.DB.TryWrite(ctx, func(st *store.Store) error {
		log.Info("run started", "sources", sourcesLabel(only), "timeout", j.sch.Timeout)
		defer func() {
			if r := recover(); r != nil {
				// Record it while the database is still open, then let
				// the panic go on up the chain.
				rec.Status, rec.Error = store.SchedulePanicked, fmt.Sprint(r)
				j.finish(rec, st, log)
				recorded = true
				panic(r)
			}
		}()
		res, err := s.o.Run(ctx, st, opts)
		rec = classify(rec, res, err, ctx, s.ctx)
		rec.FinishedAt = s.o.Now().UTC()
		j.finish(rec, st, log)
		recorded = true
		switch rec.Status {
		case store.ScheduleUnpublished:
			s.wantRepublish(j)
		case store.ScheduleOK, store.SchedulePartial:
			s.published() // this run's tree is the published one
		}
		switch {
		case res != nil && (rec.Status == store.SchedulePartial || rec.Status == store.ScheduleUnpublished):
			for _, fs := range res.Run.FailedSources() {
				failed = append(failed, fs.Source)
			}
		case trigger == TriggerRetry && errors.Is(err, refresh.ErrFailed):
			failed = only // none of them read yet: try again
		}
		return nil
	})
	if errors.Is(err, store.ErrBusy) {
		j.skipped("another run is in progress")
		j.clearRunning()
		recorded = true
		return false
	}
	if err != nil {
		// The database could not be opened: nothing ran.
		rec.Status, rec.Error, rec.FinishedAt = store.ScheduleFailed, err.Error(), s.o.Now().UTC()
		return true
	}
	if len(failed) > 0 {
		j.retryLater(failed, log)
	}
	releaseMemory() // the run is over and its database let go
	return true
}

// retryLater reads the sources a run left failed again, alone, after
// Options.RetryFailedAfter, unless the schedule's next run comes first
// (it reads them anyway) or the daemon stops meanwhile. A retry that
// finds the database or the schedule busy waits as long again.
func (j *job) retryLater(failed []string, log *slog.Logger) {
	s := j.s
	after := s.o.RetryFailedAfter
	if after <= 0 {
		return
	}
	if next := s.next(j); !next.IsZero() && !time.Now().Add(after).Before(next) {
		log.Info("failed sources not retried: the schedule's next run is sooner", "sources", sourcesLabel(failed), "next", next)
		return
	}
	log.Warn("failed sources will be read again", "sources", sourcesLabel(failed), "in", after)
	j.mu.Lock()
	j.status.RetryAt, j.status.RetrySources = s.o.Now().UTC().Add(after), slices.Clone(failed)
	j.mu.Unlock()
	s.wg.Add(1) // under the run's own count: never after Stop's Wait began
	go func() {
		defer s.wg.Done()
		t := time.NewTimer(after)
		defer t.Stop()
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		j.mu.Lock()
		j.status.RetryAt, j.status.RetrySources = time.Time{}, nil
		j.mu.Unlock()
		if !j.retry(failed) {
			j.retryLater(failed, log)
		}
	}()
}

// retry runs a retry of failed; a panic in it is logged with its stack
// (cron.Recover does this for the scheduled runs), not let kill the
// daemon.
func (j *job) retry(failed []string) (ran bool) {
	defer func() {
		if r := recover(); r != nil {
			j.s.log.Error("panic in a retry", "schedule", j.sch.Name, "panic", r, "stack", string(debug.Stack()))
			ran = true
		}
	}()
	return j.run(TriggerRetry, failed)
}

// releaseMemory gives the memory a finished run used back to the system at
// once: a daemon runs for minutes a day and idles the rest. Left to the
// runtime, it kept the run's heap until its next forced collection (two
// minutes or more) and then some: after an 8,000-page first run, 191 MB
// for three and a half minutes, then 93 MB while idle; with this, 74 MB
// from the run's end (55 MB of heap and runtime, 21 MB of the database
// file's pages). One collection of what is left live after a run (a few
// tens of MB), once a run.
func releaseMemory() { debug.FreeOSMemory() }

// wantRepublish asks the republishing loop to publish the last committed
// run's tree again, for j's run.
func (s *Scheduler) wantRepublish(j *job) {
	j.mu.Lock()
	j.status.Unpublished = true
	j.mu.Unlock()
	s.unpublished.Store(true)
	select {
	case s.republish <- struct{}{}:
	default: // already asked
	}
}

// published notes that the last committed run's tree is published.
func (s *Scheduler) published() {
	s.unpublished.Store(false)
	for _, j := range s.jobs {
		j.mu.Lock()
		j.status.Unpublished = false
		j.mu.Unlock()
	}
}

// resumeRepublish asks for a republish at start-up when a schedule's last
// run committed but did not publish its tree (the daemon stopped before a
// retry succeeded).
func (s *Scheduler) resumeRepublish() {
	var states map[string]store.ScheduleState
	err := s.o.DB.Read(s.ctx, func(st *store.Store) error {
		var err error
		states, err = st.ScheduleStates()
		return err
	})
	if err != nil {
		return // catchUp reports an unreadable database
	}
	for _, j := range s.jobs {
		if st := states[j.sch.Name]; st.LastStatus == store.ScheduleUnpublished && !st.Republished {
			s.wantRepublish(j)
		}
	}
}

// republishing publishes the last committed run's tree again, without
// reading the sources again, when a run committed but could not publish it
// (an object storage down, a bucket not made yet, a full disk): after
// RepublishAfter, then twice as long after each failed try (at most
// MaxRepublishDelay), until it is published, a later run publishes its
// own, or the daemon stops. Meanwhile /healthz says the served tree is
// behind the database.
func (s *Scheduler) republishing() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.republish:
		}
		for delay := s.o.RepublishAfter; s.unpublished.Load(); delay = min(2*delay, MaxRepublishDelay) {
			t := time.NewTimer(delay)
			select {
			case <-s.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if !s.unpublished.Load() {
				break // a run published since
			}
			err := s.o.DB.TryWrite(s.ctx, func(st *store.Store) error {
				stats, err := s.o.Refresh.Publisher.Publish(s.ctx, st)
				if err != nil {
					return err
				}
				if stats != nil {
					s.log.Info("published the tree again", "to", s.o.Refresh.Publisher.Location(), "files", stats.Files, "written", stats.Written)
				}
				return st.MarkRepublished() // a restart does not publish it once more
			})
			switch {
			case err == nil:
				s.published()
			case errors.Is(err, store.ErrBusy):
				s.log.Info("publishing the tree again: a run is writing; trying later", "in", min(2*delay, MaxRepublishDelay))
			default:
				s.log.Error("publishing the tree again failed; trying later", "err", err, "in", min(2*delay, MaxRepublishDelay))
			}
		}
	}
}

// classify turns a refresh's outcome into the run record's status.
func classify(rec store.ScheduleRun, res *refresh.Result, err error, runCtx, daemonCtx context.Context) store.ScheduleRun {
	if res != nil {
		rec.RunID = res.Run.ID
	}
	switch {
	case err == nil:
		rec.Status = store.ScheduleOK
	case errors.Is(err, refresh.ErrNotPublished):
		// Committed: the tree is published again by the retries (see
		// republish), not by reading the sources again.
		rec.Status = store.ScheduleUnpublished
	case errors.Is(err, refresh.ErrPartial):
		rec.Status = store.SchedulePartial
	case daemonCtx.Err() != nil:
		rec.Status = store.ScheduleCancelled
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		rec.Status = store.ScheduleTimeout
	default:
		rec.Status = store.ScheduleFailed
	}
	if err != nil && rec.Status != store.SchedulePartial {
		rec.Error = err.Error()
	}
	return rec
}

// finish records the run in the database (when it is open) and in the
// schedule's status, and logs it.
func (j *job) finish(rec store.ScheduleRun, st *store.Store, log *slog.Logger) {
	if rec.FinishedAt.IsZero() {
		rec.FinishedAt = j.s.o.Now().UTC()
	}
	if st != nil {
		if _, err := st.RecordScheduleRun(rec); err != nil {
			log.Error("cannot record the run", "err", err)
		}
	}
	d := rec.FinishedAt.Sub(rec.StartedAt)
	j.mu.Lock()
	j.status.Running = false
	j.status.Runs[rec.Status]++
	j.status.LastRun = &rec
	j.status.Durations.observe(d.Seconds())
	if rec.Status.Success() {
		j.status.LastSuccess = rec.StartedAt
	}
	j.mu.Unlock()
	attrs := []any{"status", rec.Status, "run", rec.RunID, "duration", d.Round(time.Millisecond)}
	switch {
	case rec.Status == store.ScheduleOK:
		log.Info("run finished", attrs...)
	case rec.Status == store.SchedulePartial:
		log.Warn("run finished; some sources failed", attrs...)
	case rec.Status == store.ScheduleUnpublished:
		log.Error("run committed, but its tree was not published; publishing it again shortly", append(attrs, "err", rec.Error)...)
	default:
		log.Error("run did not commit", append(attrs, "err", rec.Error)...)
	}
}

func (j *job) setRunning(at time.Time) {
	j.mu.Lock()
	j.status.Running, j.status.RunningSince = true, at
	j.mu.Unlock()
}

func (j *job) clearRunning() {
	j.mu.Lock()
	j.status.Running = false
	j.mu.Unlock()
}

// skipped counts and logs a run that did not start because another was
// in progress.
func (j *job) skipped(why string) {
	j.mu.Lock()
	j.status.Skipped++
	j.mu.Unlock()
	j.s.log.Warn("run skipped", "schedule", j.sch.Name, "reason", why)
}

func (s *Scheduler) next(j *job) time.Time { return s.cron.Entry(j.entry).Next }

// Status is what the daemon shows of one schedule (/healthz, /metrics).
type Status struct {
	Name         string
	Spec         string
	Sources      []string
	Timeout      time.Duration
	Next         time.Time
	Running      bool
	RunningSince time.Time
	// LastSuccess is when the last run that committed started, as seen by
	// this process (the database keeps it across restarts).
	LastSuccess time.Time
	LastRun     *store.ScheduleRun
	// Runs counts this process's runs by status; Skipped the runs that did
	// not start because another was in progress.
	Runs      map[store.ScheduleStatus]int
	Skipped   int
	Durations Histogram
	// Unpublished is set while the schedule's last run has committed but
	// its tree is not published yet: the daemon is publishing it again
	// (see Options.RepublishAfter).
	Unpublished bool
	// RetryAt and RetrySources are the retry waiting, if any: the
	// sources a run left failed, read again alone at RetryAt (see
	// Options.RetryFailedAfter).
	RetryAt      time.Time
	RetrySources []string
}

// Statuses returns every schedule's status, in configuration order.
func (s *Scheduler) Statuses() []Status {
	out := make([]Status, 0, len(s.jobs))
	for _, j := range s.jobs {
		j.mu.Lock()
		st := j.status
		st.Runs = make(map[store.ScheduleStatus]int, len(j.status.Runs))
		for k, v := range j.status.Runs {
			st.Runs[k] = v
		}
		st.Durations.Counts = slices.Clone(j.status.Durations.Counts)
		st.RetrySources = slices.Clone(j.status.RetrySources)
		if j.status.LastRun != nil {
			r := *j.status.LastRun
			st.LastRun = &r
		}
		j.mu.Unlock()
		st.Next = s.next(j)
		out = append(out, st)
	}
	return out
}

// Histogram counts run durations in seconds into DurationBuckets.
type Histogram struct {
	// Counts[i] is the number of observations ≤ DurationBuckets[i]
	// (not cumulative); the last element counts the rest.
	Counts []uint64
	Sum    float64
	Count  uint64
}

// DurationBuckets are the upper bounds, in seconds, of run durations.
var DurationBuckets = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600}

func (h *Histogram) observe(v float64) {
	if h.Counts == nil {
		h.Counts = make([]uint64, len(DurationBuckets)+1)
	}
	i := sort.SearchFloat64s(DurationBuckets, v)
	h.Counts[i]++
	h.Sum += v
	h.Count++
}

func sourcesLabel(s []string) string {
	if len(s) == 0 {
		return "all"
	}
	return strings.Join(s, ",")
}

// isNoDatabase reports an open that failed because the file does not exist
// yet (a first start): nothing has succeeded, everything is due.
func isNoDatabase(err error) bool {
	return errors.Is(err, fs.ErrNotExist)
}

// cronLogger adapts robfig/cron's logger onto slog. Cron's chatter (wake,
// run, schedule) goes to debug; a skip is a warning, counted.
type cronLogger struct {
	log     *slog.Logger
	skipped func(why string)
}

// Info receives cron's routine messages, and SkipIfStillRunning's "skip".
func (l cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		if l.skipped != nil {
			l.skipped("the previous run of this schedule is still running")
			return
		}
		l.log.Warn("run skipped: the previous run is still running")
		return
	}
	l.log.Debug("cron: "+msg, kv...)
}

// Error receives cron's errors, and Recover's panics with their stacks.
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}
