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
//
// The floor is not free: a heap that grows to it takes fresh memory for
// what the collector would have reused, and on a virtual machine a first
// touch of a page costs microseconds. A command can start on a low floor
// and raise it once it knows it has work.
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

// the one tuner of the process, under mu; nil until the first Raise.
var (
	mu  sync.Mutex
	cur *tuner
)

// Raise puts a floor of about floor bytes under the heap goal. It does
// nothing when the environment sets GOGC or GOMEMLIMIT (the operator's
// choice stands). A later call with a higher floor lifts it (a command
// can start on a small floor and raise it once it knows it has work);
// one with a lower floor changes nothing.
func Raise(floor uint64) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	raise(floor)
}

// raise is Raise without the look at the environment (tests).
func raise(floor uint64) {
	mu.Lock()
	defer mu.Unlock()
	if cur == nil {
		cur = &tuner{samples: make([]metrics.Sample, len(names))}
		for i, n := range names {
			cur.samples[i].Name = n
		}
	}
	if floor <= cur.floor {
		return
	}
	cur.floor = floor
	if cur.adjust() && !cur.armed {
		cur.arm()
	}
}

// tuner sets GOGC after every collection until the floor no longer
// matters; its fields are under mu.
type tuner struct {
	floor   uint64
	samples []metrics.Sample
	armed   bool // a sentinel is waiting for the next collection
}

// sentinel is a heap object whose finalizer runs once per collection; it
// holds a pointer so that the tiny allocator never batches it with others.
type sentinel struct{ _ *int }

// arm sets up the call after the next collection.
func (t *tuner) arm() {
	t.armed = true
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		mu.Lock()
		defer mu.Unlock()
		t.armed = false
		if cur != t { // forgotten (tests)
			return
		}
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
