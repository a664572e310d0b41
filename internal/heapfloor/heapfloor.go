// Package heapfloor keeps a short-lived process from collecting garbage
// while its heap is small.
//
// The Go runtime's first heap goal is 4 MB, and with GOGC=100 each goal is
// twice the live heap: a run that allocates 100 MB over a 10 MB working set
// collects a dozen times. A refresh that finds every page unchanged is such
// a run (it spent a fifth of its CPU collecting). Raise sets GOGC, cycle by
// cycle, so that the heap goal is about the floor until the live heap is big
// enough for GOGC=100 to ask for more; from then on the collector runs as it
// would have. A large run is barely touched; a small one collects once or
// twice. This is what the Go compiler does for itself
// (cmd/compile/internal/base.AdjustStartingHeap).
package heapfloor

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// normal is the GOGC the process runs with once the floor is behind it.
const normal = 100

// Samples read after every collection. Together they are what the
// runtime's heap goal grows with: goal = live + (live + stacks + globals)
// × GOGC/100.
var names = []string{"/gc/heap/live:bytes", "/gc/scan/stack:bytes", "/gc/scan/globals:bytes"}

var once sync.Once

// Raise puts a floor of about floor bytes under the heap goal. It does
// nothing when the environment sets GOGC or GOMEMLIMIT (the operator's
// choice stands) or when it was already called. Later calls are no-ops.
func Raise(floor uint64) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	once.Do(func() { raise(floor) })
}

// raise starts a tuner: it sets GOGC now and after every collection until
// the floor no longer matters.
func raise(floor uint64) {
	t := &tuner{floor: floor, samples: make([]metrics.Sample, len(names))}
	for i, n := range names {
		t.samples[i].Name = n
	}
	if t.adjust() {
		t.arm()
	}
}

type tuner struct {
	floor   uint64
	samples []metrics.Sample
}

// sentinel is a heap object whose finalizer runs once per collection; it
// holds a pointer so that the tiny allocator never batches it with others.
type sentinel struct{ _ *int }

// arm sets up the call after the next collection.
func (t *tuner) arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		if t.adjust() {
			t.arm()
		}
	})
}

// adjust sets the GOGC that puts the next goal at the floor, and reports
// whether the floor still matters (false once GOGC is back to normal).
func (t *tuner) adjust() bool {
	metrics.Read(t.samples)
	var v [3]uint64
	for i, s := range t.samples {
		if s.Value.Kind() == metrics.KindUint64 {
			v[i] = s.Value.Uint64()
		}
	}
	gogc := Percent(t.floor, v[0], v[1], v[2])
	debug.SetGCPercent(gogc)
	return gogc > normal
}

// minRoots is the runtime's own smallest heap goal at GOGC=100 (4 MB),
// which it scales with GOGC: counting the roots as at least this much
// makes that minimum, 4 MB × GOGC/100, the floor less the live heap, so
// the goal stays at or under the floor even when the heap is nearly empty
// (at start, before any collection has measured it).
const minRoots = 4 << 20

// Percent is the GOGC whose heap goal is at most floor for a live heap of
// live bytes with stacks and globals bytes of roots to scan, and never
// below 100.
func Percent(floor, live, stacks, globals uint64) int {
	if floor <= live {
		return normal
	}
	roots := max(live+stacks+globals, minRoots)
	return int(max((floor-live)*100/roots, normal))
}
