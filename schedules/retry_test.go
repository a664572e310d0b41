package schedules

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/store"
)

// retryHarness is a scheduler of one schedule, "prices" (openrouter and
// fireworks, due hourly), whose partial runs are retried after after.
func retryHarness(t *testing.T, run *fakeRun, after time.Duration) *harness {
	t.Helper()
	return newHarness(t, run, Options{
		Schedules:        []Schedule{{Name: "prices", Spec: "@every 1h", Sources: []string{"openrouter", "fireworks"}}},
		Refresh:          refreshWith("openrouter", "fireworks"),
		RetryFailedAfter: after,
		RepublishAfter:   time.Hour, // a retry publishes first
	})
}

// triggers are the schedule's runs, oldest first: "trigger/status".
func triggers(t *testing.T, h *harness) []string {
	t.Helper()
	var got []string
	for _, r := range h.records(t) {
		got = append(got, r.Trigger+"/"+string(r.Status))
	}
	slices.Reverse(got) // the records come newest first
	return got
}

// TestPartialRunRetriesFailedSources: a run that leaves a source failed is
// followed, RetryFailedAfter later, by a run of that source alone, and by
// another as long as it fails (a retry that reads nothing at all is one);
// once it is read, no more.
func TestPartialRunRetriesFailedSources(t *testing.T) {
	run := &fakeRun{delay: time.Millisecond, failing: map[int64][]string{1: {"fireworks"}}, readsNothing: map[int64]bool{2: true}}
	h := retryHarness(t, run, 50*time.Millisecond)
	h.s.Start(context.Background()) // never succeeded: the catch-up runs it at once
	waitFor(t, "a retry that reads the source", func() bool { return len(okRecords(h.records(t))) >= 1 })
	time.Sleep(150 * time.Millisecond) // a fourth run would have come by now
	got := triggers(t, h)
	if want := []string{"catch-up/partial", "retry/failed", "retry/ok"}; !slices.Equal(got, want) {
		t.Errorf("runs %v; want %v", got, want)
	}
	if st := h.s.Statuses()[0]; !st.RetryAt.IsZero() || st.RetrySources != nil {
		t.Errorf("status once the sources are read: a retry still waits at %v for %v", st.RetryAt, st.RetrySources)
	}
	run.mu.Lock()
	defer run.mu.Unlock()
	if len(run.only) != 3 || !slices.Equal(run.only[0], []string{"openrouter", "fireworks"}) || !slices.Equal(run.only[1], []string{"fireworks"}) || !slices.Equal(run.only[2], []string{"fireworks"}) {
		t.Errorf("sources read %v; want the schedule's, then fireworks alone twice", run.only)
	}
}

// TestRetryNotWhenTheNextRunIsSooner: a retry that would come after the
// schedule's next run is not made; that run reads the source anyway.
func TestRetryNotWhenTheNextRunIsSooner(t *testing.T) {
	run := &fakeRun{delay: time.Millisecond, failing: map[int64][]string{1: {"fireworks"}}}
	h := retryHarness(t, run, 2*time.Hour)
	h.s.Start(context.Background())
	waitFor(t, "the partial run", func() bool { return len(h.records(t)) >= 1 })
	waitFor(t, "the log line", func() bool {
		return strings.Contains(h.log.String(), "failed sources not retried: the schedule's next run is sooner")
	})
	if n := run.calls.Load(); n != 1 {
		t.Errorf("%d runs; want 1", n)
	}
}

// TestStopCancelsARetry: a retry waiting when the daemon stops is not
// made, and Stop does not wait for it.
func TestStopCancelsARetry(t *testing.T) {
	run := &fakeRun{delay: time.Millisecond, failing: map[int64][]string{1: {"fireworks"}}}
	h := retryHarness(t, run, 300*time.Millisecond)
	h.s.Start(context.Background())
	waitFor(t, "the partial run", func() bool {
		rs := h.records(t)
		return len(rs) >= 1 && rs[0].Status == store.SchedulePartial
	})
	waitFor(t, "the retry asked for", func() bool { return strings.Contains(h.log.String(), "failed sources will be read again") })
	if st := h.s.Statuses()[0]; st.RetryAt.IsZero() || !slices.Equal(st.RetrySources, []string{"fireworks"}) {
		t.Errorf("status while the retry waits: at %v, sources %v", st.RetryAt, st.RetrySources)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.s.Stop(ctx); err != nil { // does not wait for the retry's timer
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	if n := run.calls.Load(); n != 1 {
		t.Errorf("%d runs after Stop; want the partial one alone", n)
	}
}

// TestUnpublishedPartialRunRetriesToo: a partial run whose tree failed to
// publish (recorded unpublished) has its failed sources read again as
// well; the retry commits and publishes.
func TestUnpublishedPartialRunRetriesToo(t *testing.T) {
	run := &fakeRun{delay: time.Millisecond, failing: map[int64][]string{1: {"fireworks"}}, unpublished: map[int64]bool{1: true}}
	h := retryHarness(t, run, 50*time.Millisecond)
	h.s.Start(context.Background())
	waitFor(t, "the retry", func() bool { return len(okRecords(h.records(t))) >= 1 })
	got := triggers(t, h)
	if want := []string{"catch-up/unpublished", "retry/ok"}; !slices.Equal(got, want) {
		t.Errorf("runs %v; want %v", got, want)
	}
}
