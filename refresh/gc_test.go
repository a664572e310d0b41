package refresh

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestCollectSooner: with the default GOGC the post-crawl stages run at
// postCrawlGC, the staging at stagingGC, and the default comes back after
// them; a GOGC the operator chose (200, 50, off) stands throughout.
func TestCollectSooner(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)

	for _, tc := range []struct {
		gogc                   int // the process's GOGC before the run
		during, staging, after int
	}{
		{100, postCrawlGC, stagingGC, 100},
		{200, 200, 200, 200},
		{postCrawlGC, postCrawlGC, postCrawlGC, postCrawlGC},
		{-1, -1, -1, -1},
	} {
		debug.SetGCPercent(tc.gogc)
		gc := collectSooner()
		if got := debug.SetGCPercent(tc.during); got != tc.during {
			t.Errorf("GOGC=%d: during the stages GOGC is %d, want %d", tc.gogc, got, tc.during)
		}
		gc.staging()
		if got := debug.SetGCPercent(tc.staging); got != tc.staging {
			t.Errorf("GOGC=%d: while staging GOGC is %d, want %d", tc.gogc, got, tc.staging)
		}
		gc.restore()
		if got := debug.SetGCPercent(tc.after); got != tc.after {
			t.Errorf("GOGC=%d: after the stages GOGC is %d, want %d", tc.gogc, got, tc.after)
		}
	}
}

// TestCollectSoonerLimit: with no memory limit set, the post-crawl stages
// (collectSooner) and the crawl (boundCrawl) run under one of at least
// postCrawlLimit, and none is left after them; a limit the operator set
// (GOMEMLIMIT) stands throughout.
func TestCollectSoonerLimit(t *testing.T) {
	orig := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(orig)

	for name, start := range map[string]func() *gcPlan{"collectSooner": collectSooner, "boundCrawl": boundCrawl} {
		debug.SetMemoryLimit(math.MaxInt64)
		gc := start()
		if got := debug.SetMemoryLimit(-1); got < postCrawlLimit || got == math.MaxInt64 {
			t.Errorf("%s: the memory limit is %d, want at least %d", name, got, postCrawlLimit)
		}
		gc.restore()
		if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
			t.Errorf("%s: after it the memory limit is %d, want none", name, got)
		}

		debug.SetMemoryLimit(1 << 30) // the operator's
		gc = start()
		if got := debug.SetMemoryLimit(-1); got != 1<<30 {
			t.Errorf("%s: an operator's limit became %d", name, got)
		}
		gc.restore()
		if got := debug.SetMemoryLimit(-1); got != 1<<30 {
			t.Errorf("%s: an operator's limit became %d after it", name, got)
		}
	}
}

// TestCollectSoonerLimitGOGC: an operator who chose GOGC gets no memory
// limit of ours either.
func TestCollectSoonerLimitGOGC(t *testing.T) {
	t.Setenv("GOGC", "200")
	orig := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(orig)
	prev := debug.SetGCPercent(200)
	defer debug.SetGCPercent(prev)
	gc := collectSooner()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOGC set, the stages ran under a limit of %d", got)
	}
	gc.restore()
}

// TestCollectSoonerLimitFollows: the post-crawl limit follows the live
// heap up, collection by collection, to one and a half times it; after
// restore it no longer moves.
func TestCollectSoonerLimitFollows(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: no limit of ours")
	}
	orig := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(orig)
	defer func(n int64) { postCrawlLimit = n }(postCrawlLimit)
	postCrawlLimit = 8 << 20
	runtime.GC()
	gc := collectSooner()
	defer gc.restore()

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
	gc.restore()
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("after restore the limit is %d, want none", got)
	}
}
