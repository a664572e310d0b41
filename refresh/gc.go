package refresh

import "runtime/debug"

// postCrawlGC is the collector's GOGC while a run normalises, reviews,
// stages and commits. Those stages hold the new catalogue (and, on a
// nightly run, the published one): a live heap of ~180 MB at 8,000 pages,
// which the default GOGC of 100 lets grow to twice that before it
// collects. At 50 the heap grows by half instead. First 8,000-page refresh,
// three runs each: peak RSS 468-489 MB at 100, 384-390 at 50, 351 at 30;
// CPU 8.5-9.8 s, 8.8-10.3 s, 10.2-11.4 s. The crawl before them keeps the
// default: it allocates fast over a small live heap, where a lower GOGC
// costs far more.
const postCrawlGC = 50

// collectSooner sets the collector's GOGC to postCrawlGC, unless the
// operator set another GOGC than the default, and returns what restores
// it. The setting is the process's: a daemon's runs that overlap may end
// one another's, which costs memory, never correctness.
func collectSooner() (restore func()) {
	prev := debug.SetGCPercent(postCrawlGC)
	if prev != 100 { // GOGC set by the operator (or off): theirs to choose
		debug.SetGCPercent(prev)
		return func() {}
	}
	return func() { debug.SetGCPercent(prev) }
}
