package schedules

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

// every fires every d, for tests: robfig's own @every rounds to a second.
type every time.Duration

func (e every) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }

// safeBuffer is a log sink written by several goroutines.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fakeRun is a refresh seam: it commits a real run record into the real
// store (so run ids and the database are real), after an optional delay
// or panic, and counts how many runs are in flight at once.
type fakeRun struct {
	delay   time.Duration
	panicOn map[int64]bool // call number (1-based) → panic
	// failing, when set, names the sources call n leaves failed: the
	// run is partial (it commits, and says so).
	failing map[int64][]string
	// readsNothing makes call n read none of its sources: it commits
	// nothing and records a failed run, as refresh.Run does.
	readsNothing map[int64]bool
	// unpublished makes call n's tree fail to publish (after its commit).
	unpublished map[int64]bool
	calls       atomic.Int64
	inFlight    atomic.Int64
	maxIn       atomic.Int64
	mu          sync.Mutex
	only        [][]string
}

func (f *fakeRun) run(ctx context.Context, st *store.Store, o refresh.Options) (*refresh.Result, error) {
	n := f.calls.Add(1)
	in := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxIn.Load()
		if in <= m || f.maxIn.CompareAndSwap(m, in) {
			break
		}
	}
	f.mu.Lock()
	f.only = append(f.only, o.Only)
	f.mu.Unlock()
	if f.panicOn[n] {
		panic("parser blew up")
	}
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return nil, ctx.Err() // like refresh.Run: cancelled, commits nothing
	}
	now := time.Now().UTC()
	if f.readsNothing[n] {
		id, err := st.RecordRun(catalog.Run{StartedAt: now, FinishedAt: now, Status: catalog.RunFailed, Only: o.Only, Error: "no source could be read"})
		if err != nil {
			return nil, err
		}
		return &refresh.Result{Run: catalog.Run{ID: id, Status: catalog.RunFailed}}, fmt.Errorf("run %d: %w: no source could be read", id, refresh.ErrFailed)
	}
	run := catalog.Run{StartedAt: now, FinishedAt: now, Status: catalog.RunOK}
	for _, src := range f.failing[n] {
		run.Status = catalog.RunPartial
		run.Sources = append(run.Sources, catalog.SourceStats{Source: src, Status: catalog.SourceFailed, Statuses: map[string]int{}, Errors: []string{"https://" + src + "/: host down"}})
	}
	id, err := st.CommitRun(store.Commit{Run: run})
	if err != nil {
		return nil, err
	}
	run.ID = id
	if f.unpublished[n] {
		return &refresh.Result{Run: run}, fmt.Errorf("run %d committed, but the export failed: %w", id, refresh.ErrNotPublished)
	}
	if run.Status == catalog.RunPartial {
		return &refresh.Result{Run: run}, fmt.Errorf("run %d: %w", id, refresh.ErrPartial)
	}
	return &refresh.Result{Run: run}, nil
}

type harness struct {
	s   *Scheduler
	db  *store.DB
	log *safeBuffer
	run *fakeRun
}

// newHarness builds a scheduler over a real database in a temp folder.
// Specs starting "test:" fire every that many milliseconds.
func newHarness(t *testing.T, run *fakeRun, o Options) *harness {
	t.Helper()
	h := &harness{db: store.NewDB(filepath.Join(t.TempDir(), "llmref.db"), time.Second), log: &safeBuffer{}, run: run}
	o.DB = h.db
	o.Run = run.run
	o.Logger = slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Real schedule specs for the checks; fast test schedules for firing.
	fast := map[string]time.Duration{}
	for i, sch := range o.Schedules {
		if ms, ok := strings.CutPrefix(sch.Spec, "test:"); ok {
			d, err := time.ParseDuration(ms + "ms")
			if err != nil {
				t.Fatal(err)
			}
			fast[sch.Name] = d
			o.Schedules[i].Spec = "@every 1h"
		}
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range s.jobs {
		if d, ok := fast[j.sch.Name]; ok {
			s.cron.Remove(j.entry)
			j.sched = every(d)
			j.entry = s.cron.Schedule(every(d), j.wrapped)
		}
	}
	h.s = s
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	return h
}

// waitFor polls cond for up to 10 s (a shared, busy machine: generous).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func (h *harness) records(t *testing.T) []store.ScheduleRun {
	t.Helper()
	var out []store.ScheduleRun
	err := h.db.Read(context.Background(), func(st *store.Store) error {
		var err error
		out, err = st.ScheduleRuns(0)
		return err
	})
	if err != nil && !isNoDatabase(err) {
		t.Fatal(err)
	}
	return out
}

// justSucceeded marks every schedule as having succeeded now, so that
// start-up catch-up stays out of a test about cron firing.
func (h *harness) justSucceeded(t *testing.T, names ...string) {
	t.Helper()
	err := h.db.Write(context.Background(), func(st *store.Store) error {
		for _, n := range names {
			if _, err := st.RecordScheduleRun(store.ScheduleRun{Schedule: n, Trigger: "test", StartedAt: time.Now().UTC(), FinishedAt: time.Now().UTC(), Status: store.ScheduleOK}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSchedulesFire(t *testing.T) {
	run := &fakeRun{delay: 5 * time.Millisecond}
	h := newHarness(t, run, Options{Schedules: []Schedule{{Name: "prices", Spec: "test:100", Sources: []string{"openrouter"}}}, Refresh: refreshWith("openrouter", "openai")})
	h.justSucceeded(t, "prices")
	h.s.Start(context.Background())
	waitFor(t, "three runs", func() bool { return run.calls.Load() >= 3 })
	// On a loaded machine more than one period can pass between the
	// "just succeeded" record and Start, and the scheduler rightly catches
	// up once first: count the cron-triggered records, accept a catch-up.
	waitFor(t, "three records of cron runs", func() bool {
		n := 0
		for _, r := range okRecords(h.records(t)) {
			if r.Trigger == TriggerCron {
				n++
			}
		}
		return n >= 3
	})
	for _, r := range okRecords(h.records(t)) {
		if r.Schedule != "prices" || (r.Trigger != TriggerCron && r.Trigger != TriggerCatchUp) || r.RunID == 0 || r.FinishedAt.Before(r.StartedAt) {
			t.Errorf("run record %+v", r)
		}
	}
	run.mu.Lock()
	if got := run.only[0]; len(got) != 1 || got[0] != "openrouter" {
		t.Errorf("run read sources %v, want the schedule's [openrouter]", got)
	}
	run.mu.Unlock()
	// The status counts a run after its record is written: wait for it
	// rather than race the next tick.
	waitFor(t, "the status to count three runs", func() bool {
		st := h.s.Statuses()[0]
		return st.Runs[store.ScheduleOK] >= 3 && st.Durations.Count >= 3
	})
	if st := h.s.Statuses()[0]; st.LastSuccess.IsZero() || st.Next.IsZero() {
		t.Errorf("status %+v", st)
	}
}

func okRecords(rs []store.ScheduleRun) []store.ScheduleRun {
	var out []store.ScheduleRun
	for _, r := range rs {
		if r.Trigger != "test" && r.Status == store.ScheduleOK {
			out = append(out, r)
		}
	}
	return out
}

func TestOverlapIsSkippedAndLogged(t *testing.T) {
	run := &fakeRun{delay: 600 * time.Millisecond}
	h := newHarness(t, run, Options{Schedules: []Schedule{
		{Name: "prices", Spec: "test:100"},
		{Name: "cards", Spec: "test:130"},
	}, Refresh: refreshWith("openrouter")})
	h.justSucceeded(t, "prices", "cards")
	h.s.Start(context.Background())
	waitFor(t, "two finished runs", func() bool { return len(okRecords(h.records(t))) >= 2 })
	if m := run.maxIn.Load(); m != 1 {
		t.Errorf("%d runs at once; want one at a time across all schedules", m)
	}
	logs := h.log.String()
	if !strings.Contains(logs, `level=WARN msg="run skipped" component=schedules schedule=prices reason="the previous run of this schedule is still running"`) &&
		!strings.Contains(logs, `level=WARN msg="run skipped" component=schedules schedule=cards reason="the previous run of this schedule is still running"`) {
		t.Errorf("no skip of an overlapping run of the same schedule logged:\n%s", logs)
	}
	if !strings.Contains(logs, `reason="another run is in progress"`) {
		t.Errorf("no skip of a run overlapping another schedule's logged:\n%s", logs)
	}
	skipped := 0
	for _, st := range h.s.Statuses() {
		skipped += st.Skipped
	}
	if skipped == 0 {
		t.Error("skips not counted")
	}
}

func TestPanicDoesNotWedgeTheSchedule(t *testing.T) {
	run := &fakeRun{delay: time.Millisecond, panicOn: map[int64]bool{1: true}}
	h := newHarness(t, run, Options{Schedules: []Schedule{{Name: "prices", Spec: "test:100"}}, Refresh: refreshWith("openrouter")})
	h.justSucceeded(t, "prices")
	h.s.Start(context.Background())
	waitFor(t, "a run after the panic", func() bool { return len(okRecords(h.records(t))) >= 2 })
	var panicked *store.ScheduleRun
	for _, r := range h.records(t) {
		if r.Status == store.SchedulePanicked {
			panicked = &r
		}
	}
	if panicked == nil || panicked.Error != "parser blew up" {
		t.Fatalf("the panicking run was not recorded: %+v", h.records(t))
	}
	logs := h.log.String()
	if !strings.Contains(logs, "cron: panic") || !strings.Contains(logs, "goroutine") {
		t.Errorf("cron.Recover did not log the panic with its stack:\n%s", logs)
	}
}

// TestChainOrderMatters shows the trap ENGINEERING.md names: with Recover
// outermost, one panic keeps SkipIfStillRunning's token and every later run
// is skipped; with Recover innermost (as New wires it) the next run runs.
func TestChainOrderMatters(t *testing.T) {
	var buf safeBuffer
	l := cronLogger{log: slog.New(slog.NewTextHandler(&buf, nil))}
	calls := 0
	job := cron.FuncJob(func() {
		calls++
		if calls == 1 {
			panic("boom")
		}
	})
	wrong := cron.NewChain(cron.Recover(l), cron.SkipIfStillRunning(l)).Then(job)
	wrong.Run()
	wrong.Run()
	if calls != 1 {
		t.Fatalf("wrong order: %d calls; the trap is gone?", calls)
	}
	calls = 0
	right := cron.NewChain(cron.SkipIfStillRunning(l), cron.Recover(l)).Then(job)
	right.Run()
	right.Run()
	if calls != 2 {
		t.Errorf("right order: %d calls, want 2", calls)
	}
}

func TestMissedRunIsCaughtUpAtStart(t *testing.T) {
	now := time.Date(2026, 4, 25, 10, 0, 0, 0, time.UTC)
	run := &fakeRun{delay: time.Millisecond}
	h := newHarness(t, run, Options{
		Schedules: []Schedule{
			{Name: "prices", Spec: "0 2 * * *"},            // last success two days ago: missed
			{Name: "cards", Spec: "CRON_TZ=UTC 0 3 * * 1"}, // weekly, last success this Monday: not due
			{Name: "fresh", Spec: "@daily"},                // never succeeded: due
		},
		Refresh: refreshWith("openrouter"),
		Now:     func() time.Time { return now },
	})
	err := h.db.Write(context.Background(), func(st *store.Store) error {
		for name, at := range map[string]time.Time{
			"prices": time.Date(2026, 4, 23, 2, 0, 5, 0, time.UTC),
			"cards":  time.Date(2026, 4, 20, 3, 0, 0, 0, time.UTC), // a Monday
		} {
			if _, err := st.RecordScheduleRun(store.ScheduleRun{Schedule: name, Trigger: TriggerCron, StartedAt: at, FinishedAt: at, Status: store.ScheduleOK}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.s.Start(context.Background())
	// The two seeded records are ok too: wait for the catch-up runs
	// themselves (started now), not for any two ok records.
	caughtUp := func() int {
		n := 0
		for _, r := range okRecords(h.records(t)) {
			if r.StartedAt.Equal(now) {
				n++
			}
		}
		return n
	}
	waitFor(t, "catch-up runs", func() bool { return caughtUp() >= 2 })
	time.Sleep(100 * time.Millisecond) // a third (cards) would have started by now
	got := map[string]string{}
	for _, r := range h.records(t) {
		if !r.StartedAt.Equal(now) {
			continue
		}
		got[r.Schedule] = r.Trigger + "/" + string(r.Status)
	}
	want := map[string]string{"prices": "catch-up/ok", "fresh": "catch-up/ok"}
	if len(got) != len(want) || got["prices"] != want["prices"] || got["fresh"] != want["fresh"] {
		t.Errorf("catch-up ran %v; want %v (cards is not due)", got, want)
	}
	var states map[string]store.ScheduleState
	h.db.Read(context.Background(), func(st *store.Store) error { states, err = st.ScheduleStates(); return err })
	if !states["prices"].LastSuccess.Equal(now) {
		t.Errorf("prices' last success %v, want %v", states["prices"].LastSuccess, now)
	}
}

func TestOverdue(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	daily, _ := ParseSpec("0 2 * * *", time.UTC)
	nyDaily, _ := ParseSpec("30 2 * * *", ny)
	weekdays, _ := ParseSpec("CRON_TZ=UTC 0 2 * * 1-5", time.UTC)
	at := func(loc *time.Location, y, mo, d, h, mi int) time.Time {
		return time.Date(y, time.Month(mo), d, h, mi, 0, 0, loc)
	}
	for _, c := range []struct {
		name      string
		sched     cron.Schedule
		loc       *time.Location
		last, now time.Time
		want      bool
	}{
		{"never succeeded", daily, time.UTC, time.Time{}, at(time.UTC, 2026, 4, 25, 1, 0), true},
		{"down over the 02:00 run", daily, time.UTC, at(time.UTC, 2026, 4, 24, 2, 0), at(time.UTC, 2026, 4, 25, 3, 0), true},
		{"down before 02:00 only", daily, time.UTC, at(time.UTC, 2026, 4, 24, 2, 0), at(time.UTC, 2026, 4, 25, 1, 30), false},
		{"the weekend is not missed", weekdays, time.UTC, at(time.UTC, 2026, 4, 24, 2, 0), at(time.UTC, 2026, 4, 26, 12, 0), false},
		{"a weekday is", weekdays, time.UTC, at(time.UTC, 2026, 4, 24, 2, 0), at(time.UTC, 2026, 4, 27, 2, 30), true},
		// 2026-03-08: clocks in New York jump from 02:00 to 03:00; cron
		// skips 02:30 that day. The run is still caught up.
		{"DST spring-forward gap", nyDaily, ny, at(ny, 2026, 3, 7, 2, 30), at(ny, 2026, 3, 8, 4, 0), true},
		{"before the gap's run", nyDaily, ny, at(ny, 2026, 3, 7, 2, 30), at(ny, 2026, 3, 8, 1, 0), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, got := overdue(c.sched, c.last, c.now, c.loc); got != c.want {
				t.Errorf("overdue = %v, want %v", got, c.want)
			}
		})
	}
	// The gap is real: cron's own next time skips the day.
	if n := nyDaily.Next(at(ny, 2026, 3, 7, 2, 30)); n.Day() != 9 {
		t.Errorf("cron's next after the gap is %v; the DST case above tests nothing", n)
	}
}

func TestStopCancelsARunningRefresh(t *testing.T) {
	run := &fakeRun{delay: time.Hour}
	h := newHarness(t, run, Options{Schedules: []Schedule{{Name: "prices", Spec: "@daily"}}, Refresh: refreshWith("openrouter")})
	h.s.Start(context.Background()) // never succeeded: the catch-up starts a run
	waitFor(t, "the run to start", func() bool { return run.inFlight.Load() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	rs := h.records(t)
	if len(rs) != 1 || rs[0].Status != store.ScheduleCancelled || rs[0].RunID != 0 {
		t.Fatalf("records %+v; want one cancelled run that committed nothing", rs)
	}
	var runs []catalog.Run
	h.db.Read(context.Background(), func(st *store.Store) error { runs, _ = st.Runs(); return nil })
	if len(runs) != 0 {
		t.Errorf("a cancelled run committed %d refresh runs", len(runs))
	}
}

func TestRunTimeout(t *testing.T) {
	run := &fakeRun{delay: time.Hour}
	h := newHarness(t, run, Options{Schedules: []Schedule{{Name: "prices", Spec: "@daily", Timeout: 50 * time.Millisecond}}, Refresh: refreshWith("openrouter")})
	h.s.Start(context.Background())
	waitFor(t, "a timed-out run", func() bool {
		rs := h.records(t)
		return len(rs) == 1 && rs[0].Status == store.ScheduleTimeout
	})
}

func TestNewRejects(t *testing.T) {
	db := store.NewDB(filepath.Join(t.TempDir(), "x.db"), time.Second)
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{DB: db, Schedules: []Schedule{{Name: "a", Spec: "TZ=UTC"}}}, "nothing follows the time zone"},
		{Options{DB: db, Schedules: []Schedule{{Name: "a", Spec: "@daily", Sources: []string{"fireworks"}}}, Refresh: refreshWith("openrouter")}, `source "fireworks" is not enabled`},
		{Options{DB: db, Schedules: []Schedule{{Name: "a", Spec: "@daily"}, {Name: "a", Spec: "@hourly"}}}, "defined twice"},
	} {
		t.Run(c.want, func(t *testing.T) {
			if _, err := New(c.o); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("New: %v; want %q", err, c.want)
			}
		})
	}
}

func TestParseSpecNeverPanics(t *testing.T) {
	// robfig/cron v3.0.1 itself panics on these (#554).
	for _, spec := range []string{"TZ=", "CRON_TZ=", "TZ=UTC", "CRON_TZ=Europe/Berlin", "TZ= "} {
		t.Run(spec, func(t *testing.T) {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("ParseSpec(%q) panicked: %v", spec, r)
					}
				}()
				if _, err := ParseSpec(spec, time.UTC); err == nil {
					t.Errorf("ParseSpec(%q): no error", spec)
				}
			}()
		})
	}
	paniced := func(spec string) (p bool) {
		defer func() { p = recover() != nil }()
		cron.ParseStandard(spec)
		return false
	}
	if !paniced("TZ=") {
		t.Log("robfig/cron no longer panics on TZ= (fixed upstream?)")
	}
	good := map[string]time.Time{
		"0 2 * * *":                       time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC),
		"CRON_TZ=Europe/Berlin 0 2 * * *": time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC),
		"@weekly":                         time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC),
	}
	for spec, want := range good {
		t.Run(spec, func(t *testing.T) {
			s, err := ParseSpec(spec, time.UTC)
			if err != nil {
				t.Errorf("ParseSpec(%q): %v", spec, err)
				return
			}
			if got := s.Next(time.Date(2026, 1, 1, 0, 0, 30, 0, time.UTC)); !got.Equal(want) {
				t.Errorf("%q next %v, want %v", spec, got, want)
			}
		})
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	s, _ := ParseSpec("0 2 * * *", berlin)
	if got := s.Next(time.Date(2026, 1, 1, 0, 0, 30, 0, time.UTC)); !got.Equal(time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("a spec without CRON_TZ is not read in the configured zone: %v", got)
	}
}

// refreshWith names the enabled sources (the fake run reads nothing).
func refreshWith(names ...string) refresh.Options {
	var o refresh.Options
	for _, n := range names {
		switch n {
		case "openrouter":
			o.Sources = append(o.Sources, &scrapers.OpenRouter{})
		case "openai":
			o.Sources = append(o.Sources, &scrapers.OpenAI{})
		case "fireworks":
			o.Sources = append(o.Sources, &scrapers.Fireworks{})
		}
	}
	return o
}
