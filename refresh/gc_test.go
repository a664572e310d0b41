package refresh

import (
	"runtime/debug"
	"testing"
)

// TestCollectSooner: the post-crawl stages run at postCrawlGC and the
// default comes back after them; a GOGC the operator chose stands.
func TestCollectSooner(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)

	restore := collectSooner()
	if got := debug.SetGCPercent(postCrawlGC); got != postCrawlGC {
		t.Errorf("during the stages GOGC is %d, want %d", got, postCrawlGC)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after the stages GOGC is %d, want the default back", got)
	}

	debug.SetGCPercent(200) // the operator's GOGC=200
	restore = collectSooner()
	if got := debug.SetGCPercent(200); got != 200 {
		t.Errorf("an operator's GOGC=200 became %d", got)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 200 {
		t.Errorf("after the stages an operator's GOGC=200 is %d", got)
	}
}
