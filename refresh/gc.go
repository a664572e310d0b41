package refresh

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// postCrawlGC is the collector's GOGC while a run normalises and reviews.
// Those stages hold the new catalogue (and, on a nightly run, the
// published one): a live heap of ~170 MB at 8,000 pages, which the
// default GOGC of 100 lets grow to twice that before it collects. At 50
// the heap grows by half instead. First 8,000-page refresh, three runs
// each: peak RSS 468-489 MB at 100, 384-390 at 50, 351 at 30; CPU
// 8.5-9.8 s, 8.8-10.3 s, 10.2-11.4 s. The crawl before them keeps the
// default: it allocates fast over a small live heap, where a lower GOGC
// costs far more.
const postCrawlGC = 50

// stagingGC is the collector's GOGC once the review is done, while the
// run stages and commits: the live heap is at its largest there (the
// catalogue, the change report, a staging batch), and the stages allocate
// little over it (the records they encode), so collecting more often
// costs few cycles. First 8,000-page refresh alternated six times with
// 50 kept to the end: peak heap 244 -> 212 MB, peak RSS 318-330 -> 304-318
// MB, CPU 8.7-10.0 against 8.5-10.4 s (within the rounds' noise). A
// nightly run with changes peaks while normalising, before this: its peak
// did not move (560 against 562 MB).
const stagingGC = 30

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
// often than the stages' GOGC (postCrawlGC) would. Set once, from the
// crawl's last collection, it fell under what normalising and reviewing
// 16,000 pages hold once the crawl's pages were kept more compactly (137
// MB live then, 260 MB at the stages' peak): the collector ran back to
// back, 26% of the CPU, 16-19 s a run instead of 13-15. Following, 8,000
// pages peaked at 252 MB (282-292 before), 16,000 at 437-442 MB (453-492),
// in the same CPU (ninth session).
var postCrawlLimit int64 = 224 << 20 // a variable for tests

// gcPlan is a run's collector settings after the crawl (see
// collectSooner); ours is false when the operator chose a GOGC, which
// then stands throughout, and limit is the memory limit to put back (-1
// when the operator chose one, which stands).
type gcPlan struct {
	ours  bool
	prev  int
	limit int64
	// following is set while the limit is ours and follows the live heap
	// from base up (see follow); mu orders the follower's settings with
	// restore.
	mu        sync.Mutex
	following bool
	base      int64
}

// collectSooner sets the collector's GOGC to postCrawlGC, unless the
// operator set another GOGC than the default. The setting is the
// process's: a daemon's runs that overlap may end one another's, which
// costs memory, never correctness.
func collectSooner() *gcPlan {
	p := &gcPlan{limit: -1}
	p.bound(func() int64 { return max(postCrawlLimit, 2*liveHeap()) })
	prev := debug.SetGCPercent(postCrawlGC)
	if prev != 100 { // GOGC set by the operator (or off): theirs to choose
		debug.SetGCPercent(prev)
		p.prev = prev
		return p
	}
	p.ours, p.prev = true, prev
	return p
}

// boundCrawl puts the crawl under the memory limit the stages after it
// run under (postCrawlLimit, or one and a half times the live heap when
// that is more, following it: see follow), unless the operator set a
// limit or a GOGC; restore lifts it. The crawl keeps every page's parse
// results until normalising: 130 MB live at 16,000 pages, which GOGC=100
// let grow to twice that, so that the crawl's end became a first refresh's
// peak (377 MB with 51 MB of the file map) once the stages after it held
// less. Under 8,000 pages the live heap never brings the limit near
// GOGC=100's goal, and nothing changes.
func boundCrawl() *gcPlan {
	p := &gcPlan{limit: -1}
	p.bound(func() int64 { return postCrawlLimit })
	return p
}

// bound puts the process under a memory limit of base() that follows the
// live heap up (see follow), until restore. No limit set (GOMEMLIMIT) and
// no GOGC chosen is the condition: an operator who set either runs the
// collector their way.
func (p *gcPlan) bound(base func() int64) {
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
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(min(s[0].Value.Uint64(), math.MaxInt64/4))
}

// staging lowers GOGC to stagingGC for the stages after the review.
func (p *gcPlan) staging() {
	if p.ours {
		debug.SetGCPercent(stagingGC)
	}
}

// follow sets the memory limit again after the next collection — base, or
// one and a half times the live heap that collection found when that is
// more — and so on after every one, until restore. p.mu is held.
func (p *gcPlan) follow() {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if !p.following {
			return
		}
		debug.SetMemoryLimit(max(p.base, liveHeap()*3/2))
		p.follow()
	})
}

// gcSentinel is a heap object whose finalizer runs after the collection
// that finds it unreachable; it holds a pointer so that the tiny allocator
// never batches it with others.
type gcSentinel struct{ _ *int }

// restore puts back the GOGC and the memory limit from before
// collectSooner.
func (p *gcPlan) restore() {
	if p.ours {
		debug.SetGCPercent(p.prev)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.following = false
	if p.limit >= 0 {
		debug.SetMemoryLimit(p.limit)
	}
}
