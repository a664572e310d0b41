package memlimit

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestBoundStagesLeavesGOGC: the stages after the crawl run under a
// memory limit alone: whatever GOGC the process has (the default, the
// heap floor's, the operator's, off) stands through them.
func TestBoundStagesLeavesGOGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	for _, gogc := range []int{100, 200, 50, -1} {
		debug.SetGCPercent(gogc)
		gc := Stages()
		if got := debug.SetGCPercent(gogc); got != gogc {
			t.Errorf("GOGC=%d: during the stages GOGC is %d", gogc, got)
		}
		gc.Restore()
		if got := debug.SetGCPercent(gogc); got != gogc {
			t.Errorf("GOGC=%d: after the stages GOGC is %d", gogc, got)
		}
	}
}

// TestBoundStagesLimit: with no memory limit set, the post-crawl stages
// (Stages) and the crawl (Crawl) run under one of at least
// postCrawlLimit, and none is left after them; a limit the operator set
// (GOMEMLIMIT) stands throughout.
func TestBoundStagesLimit(t *testing.T) {
	orig := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(orig)

	for name, start := range map[string]func() *Plan{"Stages": Stages, "Crawl": Crawl} {
		debug.SetMemoryLimit(math.MaxInt64)
		gc := start()
		if got := debug.SetMemoryLimit(-1); got < postCrawlLimit || got == math.MaxInt64 {
			t.Errorf("%s: the memory limit is %d, want at least %d", name, got, postCrawlLimit)
		}
		gc.Restore()
		if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
			t.Errorf("%s: after it the memory limit is %d, want none", name, got)
		}

		debug.SetMemoryLimit(1 << 30) // the operator's
		gc = start()
		if got := debug.SetMemoryLimit(-1); got != 1<<30 {
			t.Errorf("%s: an operator's limit became %d", name, got)
		}
		gc.Restore()
		if got := debug.SetMemoryLimit(-1); got != 1<<30 {
			t.Errorf("%s: an operator's limit became %d after it", name, got)
		}
	}
}

// TestBoundStagesLimitGOGC: an operator who chose GOGC gets no memory
// limit of ours either.
func TestBoundStagesLimitGOGC(t *testing.T) {
	t.Setenv("GOGC", "200")
	orig := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(orig)
	prev := debug.SetGCPercent(200)
	defer debug.SetGCPercent(prev)
	gc := Stages()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOGC set, the stages ran under a limit of %d", got)
	}
	gc.Restore()
}

// TestBoundStagesLimitFollows: the post-crawl limit follows the live
// heap up, collection by collection, to one and a half times it; after
// restore it no longer moves.
func TestBoundStagesLimitFollows(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: no limit of ours")
	}
	orig := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(orig)
	defer func(n int64) { postCrawlLimit = n }(postCrawlLimit)
	postCrawlLimit = 8 << 20
	runtime.GC()
	gc := Stages()
	defer gc.Restore()

	keep := make([][]byte, 0, 48)
	for range 48 {
		keep = append(keep, make([]byte, 1<<20))
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the finalizer runs on its own goroutine
		if got := debug.SetMemoryLimit(-1); got >= 48<<20*3/2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("with 48 MB live the limit stayed %d MB", debug.SetMemoryLimit(-1)>>20)
		}
	}
	runtime.KeepAlive(keep)
	gc.Restore()
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("after restore the limit is %d, want none", got)
	}
}

// TestGCPlanNext: the limit is base or one and a half times the live heap;
// the runtime's overhead comes on top only as far as the highest limit
// set before, so that a heap that shrank after a peak (its spans held by
// survivors) is not collected back to back, and the peak is not raised.
func TestGCPlanNext(t *testing.T) {
	const mb = 1 << 20
	p := &Plan{base: 100 * mb}
	for i, step := range []struct{ live, over, want int64 }{
		{10 * mb, 5 * mb, 100 * mb},   // base
		{100 * mb, 10 * mb, 150 * mb}, // a new high: 1.5x live, no overhead on top
		{160 * mb, 20 * mb, 240 * mb}, // higher still
		{100 * mb, 60 * mb, 210 * mb}, // shrank: 150 + 60 overhead, under the high mark
		{140 * mb, 60 * mb, 240 * mb}, // 210 + 60 capped at the high mark of 240
		{40 * mb, 10 * mb, 100 * mb},  // 60 + 10 under base
		{150 * mb, 0, 225 * mb},       // grew back, no overhead: 1.5x live
		{200 * mb, 0, 280 * mb},       // past 160 MB live: 80 MB of room, not 100
		{120 * mb, 60 * mb, 240 * mb}, // shrank again: 180 + 60
	} {
		if got := p.next(step.live, step.over); got != step.want {
			t.Errorf("step %d (live %d MB, overhead %d MB): limit %d MB, want %d", i, step.live/mb, step.over/mb, got/mb, step.want/mb)
		}
	}
}
