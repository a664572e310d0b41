package refresh

import (
	"runtime/debug"
	"testing"
)

// TestCollectSooner: the post-crawl stages run at postCrawlGC, the
// staging at stagingGC, and the default comes back after them; a GOGC the
// operator chose stands throughout.
func TestCollectSooner(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)

	gc := collectSooner()
	if got := debug.SetGCPercent(postCrawlGC); got != postCrawlGC {
		t.Errorf("during the stages GOGC is %d, want %d", got, postCrawlGC)
	}
	gc.staging()
	if got := debug.SetGCPercent(stagingGC); got != stagingGC {
		t.Errorf("while staging GOGC is %d, want %d", got, stagingGC)
	}
	gc.restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after the stages GOGC is %d, want the default back", got)
	}

	for _, own := range []int{200, postCrawlGC, -1} { // the operator's GOGC=200, =50, =off
		debug.SetGCPercent(own)
		gc = collectSooner()
		if got := debug.SetGCPercent(own); got != own {
			t.Errorf("an operator's GOGC=%d became %d", own, got)
		}
		gc.staging()
		if got := debug.SetGCPercent(own); got != own {
			t.Errorf("an operator's GOGC=%d became %d while staging", own, got)
		}
		gc.restore()
		if got := debug.SetGCPercent(100); got != own {
			t.Errorf("after the stages an operator's GOGC=%d is %d", own, got)
		}
	}
}
