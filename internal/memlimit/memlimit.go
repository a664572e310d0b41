// Package memlimit puts the work that holds a catalogue (a refresh's
// crawl and the stages after it, an export) under a soft memory limit
// (debug.SetMemoryLimit) that follows the live heap up, so that the
// collector runs before the heap doubles, unless the operator chose a
// GOMEMLIMIT or a GOGC. A refresh, a rebuild and a publish (llmref export,
// a decision's republishing) use it.
package memlimit

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// postCrawlLimit is the least soft memory limit (debug.SetMemoryLimit) the
// stages after the crawl run under: twice the live heap, and never under
// this. The heap the crawl grew (its goal is twice its live heap) stays
// mapped after the collector frees it, and the post-crawl stages' peak
// came on top. Under the limit the runtime gives back what it does not
// need and collects before passing it; at twice the live heap it never has
// to collect more than GOGC=100 would, so a larger run is not slowed.
// First 8,000-page refresh, four alternated runs each: peak RSS 296-307 MB
// without, 274-296 MB with it (the file map's pages come on top of the
// limit, see store/mapped.go); CPU and wall time within the runs' noise.
//
// The limit follows the live heap as the stages grow it: after every
// collection it is raised to one and a half times the live heap when that
// is more (see follow), so that it never makes the collector run more
// often than a GOGC of 50 would. Set once, from the
// crawl's last collection, it fell under what normalising and reviewing
// 16,000 pages hold once the crawl's pages were kept more compactly (137
// MB live then, 260 MB at the stages' peak): the collector ran back to
// back, 26% of the CPU, 16-19 s a run instead of 13-15. Following, 8,000
// pages peaked at 252 MB (282-292 before), 16,000 at 437-442 MB (453-492),
// in the same CPU (ninth session).
var postCrawlLimit int64 = 224 << 20 // a variable for tests

// Plan is a run's memory limit while it crawls (Crawl) or after
// (Stages): limit is the one to put back (-1 when the operator
// chose one, or a GOGC, which then stands).
type Plan struct {
	limit int64
	// following is set while the limit is ours and follows the live heap
	// from base up (see follow); mu orders the follower's settings with
	// Restore.
	mu        sync.Mutex
	following bool
	base      int64
	// high is the highest limit the follower has set (see next).
	high int64
}

// Stages puts the stages after a crawl (or an export) under a memory
// limit of twice the live heap, at least postCrawlLimit, following the live heap up
// (see bound), unless the operator set a limit or a GOGC. The setting is
// the process's: a daemon's runs that overlap may end one another's, which
// costs memory, never correctness.
//
// The limit alone: the stages no longer run under a lower GOGC as well.
// GOGC 50 (normalising and reviewing) and 30 (staging and committing) came
// before the limit, which bounds the same peak (once the live heap is past
// two thirds of the limit, GOGC=50's goal is the limit's), and they only
// made the collector run more often under it. Since the crawl holds its
// parse results packed, a first refresh's heap floor was still up when the
// stages began, which kept them at GOGC=100 (the floor's GOGC read as the
// operator's); only a night with few new bodies ran at 50 and 30: at 8,000
// pages, 7.5-7.9 s of CPU without them against 7.9-9.0 with, peak RSS
// 301-307 MB against 301-306 (alternated, eleventh session).
func Stages() *Plan {
	p := &Plan{limit: -1}
	p.bound(func() int64 { return max(postCrawlLimit, 2*liveHeap()) })
	return p
}

// Crawl puts the crawl under the memory limit the stages after it
// run under (postCrawlLimit, or one and a half times the live heap when
// that is more, following it: see follow), unless the operator set a
// limit or a GOGC; Restore lifts it. The crawl keeps every page's parse
// results until normalising: 130 MB live at 16,000 pages, which GOGC=100
// let grow to twice that, so that the crawl's end became a first refresh's
// peak (377 MB with 51 MB of the file map) once the stages after it held
// less. Under 8,000 pages the live heap never brings the limit near
// GOGC=100's goal, and nothing changes.
func Crawl() *Plan {
	p := &Plan{limit: -1}
	p.bound(func() int64 { return postCrawlLimit })
	return p
}

// bound puts the process under a memory limit of base() that follows the
// live heap up (see follow), until Restore. No limit set (GOMEMLIMIT) and
// no GOGC chosen is the condition: an operator who set either runs the
// collector their way.
func (p *Plan) bound(base func() int64) {
	if limit := debug.SetMemoryLimit(-1); limit == math.MaxInt64 && os.Getenv("GOGC") == "" {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.limit, p.following, p.base = limit, true, base()
		debug.SetMemoryLimit(p.base)
		p.follow()
	}
}

// liveHeap is the live heap the last collection found.
func liveHeap() int64 {
	live, _ := heapUse()
	return live
}

// heapUse is the live heap the last collection found, and what else the
// runtime counts against the memory limit besides the heap's objects and
// its free pages: the unused part of the heap's spans (a span a few live
// objects keep is all in use), stacks, and the runtime's metadata.
func heapUse() (live, overhead int64) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/free:bytes"},
		{Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	v := make([]int64, len(s))
	for i := range s {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return 0, 0
		}
		v[i] = int64(min(s[i].Value.Uint64(), math.MaxInt64/4))
	}
	return v[0], max(v[1]-v[2]-v[3]-v[4], 0)
}

// follow sets the memory limit again after the next collection — base, or
// one and a half times the live heap that collection found when that is
// more — and so on after every one, until Restore. p.mu is held.
func (p *Plan) follow() {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if !p.following {
			return
		}
		debug.SetMemoryLimit(p.next(heapUse()))
		p.follow()
	})
}

// headroomMax is the most room over the live heap the follower gives the
// heap (see next): one and a half times the live heap up to 160 MB live,
// 80 MB over it beyond. Only a run that keeps more than 160 MB live is
// touched (16,000 pages: ~195 MB at the stages' peak); there the collector
// runs ~20% more often in those stages. 16,000 pages, six alternated runs
// each: peak RSS median 317 MB against 344, CPU 13.6 s against 13.45
// (with 72 MB: 301-309 MB, CPU +9%; 64 MB: 295-312, +10-20%).
const headroomMax = 80 << 20

// next is the memory limit to follow a collection that found live bytes
// live, with overhead bytes of the runtime's own besides (see heapUse):
// base, or one and a half times the live heap when that is more (at most
// headroomMax over it), and the
// overhead on top as far as the highest limit the plan has set. The
// runtime counts the overhead against the limit, so one and a half times
// the live heap alone left the collector less than GOGC=50's room once it
// grew: after a run's catalogue is staged and let go, the spans its
// survivors keep are 50-60 MB unused at 16,000 pages, and the commit ran
// the collector back to back (goal = live heap), 8-13 times in half a
// second. The high mark keeps the peak where it was: the overhead fills
// room an earlier, larger heap already took. Three alternated pairs at
// 16,000 pages: CPU 12.5-14.3 s against 14.6-15.3, peak RSS the same
// (thirteenth session).
func (p *Plan) next(live, overhead int64) int64 {
	head := min(live/2, headroomMax)
	lim := max(p.base, live+head)
	lim = max(lim, min(live+head+overhead, p.high))
	p.high = max(p.high, lim)
	return lim
}

// gcSentinel is a heap object whose finalizer runs after the collection
// that finds it unreachable; it holds a pointer so that the tiny allocator
// never batches it with others.
type gcSentinel struct{ _ *int }

// Restore puts back the memory limit from before Stages or
// Crawl.
func (p *Plan) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.following = false
	if p.limit >= 0 {
		debug.SetMemoryLimit(p.limit)
	}
}
