package schedules

import (
	"context"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/store"
)

// TestRunGivesItsMemoryBack: once a scheduled run is over, what it
// allocated is collected and its pages go back to the system at once (a
// daemon idles between runs), not at the runtime's next forced collection
// minutes later: the heap's free, unreturned pages are few and the run's
// garbage is gone from the heap.
func TestRunGivesItsMemoryBack(t *testing.T) {
	run := &fakeRun{delay: time.Millisecond}
	h := newHarness(t, run, Options{Schedules: []Schedule{{Name: "prices", Spec: "@every 1h"}}, Refresh: refreshWith("openrouter")})
	const garbage = 64 << 20
	h.s.o.Run = func(ctx context.Context, st *store.Store, o refresh.Options) (*refresh.Result, error) {
		b := make([]byte, garbage) // a run's working memory, dropped when it ends
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		return run.run(ctx, st, o)
	}
	h.justSucceeded(t, "prices") // no catch-up run at start: the test runs it
	h.s.Start(context.Background())
	objects := heapMetric("/memory/classes/heap/objects:bytes")
	h.s.jobs[0].Run()
	if n := okRecords(h.records(t)); len(n) != 1 {
		t.Fatalf("the run was not recorded ok: %+v", h.records(t))
	}
	free, after := heapMetric("/memory/classes/heap/free:bytes"), heapMetric("/memory/classes/heap/objects:bytes")
	if free > 16<<20 {
		t.Errorf("%d MB of the heap free but not given back after the run", free>>20)
	}
	if after > objects+garbage/2 {
		t.Errorf("heap objects %d MB after the run, %d MB before it: the run's %d MB were not collected", after>>20, objects>>20, garbage>>20)
	}
}

func heapMetric(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
