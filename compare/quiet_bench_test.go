package compare_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/llmref/llmref/compare"
)

// BenchmarkQuietNight exports a synthetic catalogue of LLMREF_BENCH_MODELS
// models (default 200; bench/quiet.sh sets 1000, 499,500 records) on three
// nights — the first, one on which every value was seen again and none
// changed, one on which one price changed — and counts the files each
// later night rewrote (written anew rather than hard-linked from the
// previous generation: a new inode or modification time). Those are the
// files a site serving the tree from object storage re-uploads and whose
// caches it invalidates.
func BenchmarkQuietNight(b *testing.B) {
	models, dir := benchScale(b)
	for i := 0; b.Loop(); i++ {
		name := "quiet-" + strconv.Itoa(i)
		n := &night{out: filepath.Join(dir, name), snap: synthetic(models), o: compare.DefaultOptions()}
		start := time.Now()
		night1 := n.export(b, 1)
		firstTime := time.Since(start)

		n.confirm(first.Add(24 * time.Hour))
		start = time.Now()
		night2 := n.export(b, 2)
		quietTime := time.Since(start)
		quiet, quietN := rewrites(night1, night2)
		if len(quiet["comparisons"]) != 0 {
			b.Fatalf("a nothing-changed night rewrote %d comparison records", len(quiet["comparisons"]))
		}

		changed := n.snap.ModelIDs()[models/2]
		n.reprice(changed, 77_777, first.Add(48*time.Hour))
		start = time.Now()
		night3 := n.export(b, 3)
		priceTime := time.Since(start)
		price, priceN := rewrites(night2, night3)
		if len(price["comparisons"]) != models-1 {
			b.Fatalf("one changed price rewrote %d comparison records, want %d", len(price["comparisons"]), models-1)
		}

		b.ReportMetric(float64(len(night3)), "files")
		b.ReportMetric(float64(quietN), "quiet-rewritten")
		b.ReportMetric(float64(priceN), "price-rewritten")
		b.ReportMetric(quietTime.Seconds(), "quiet-s")
		b.Logf("%d models, %d files: first night %s; nothing changed: %d files rewritten %v in %s; one price changed: %d rewritten %v in %s",
			models, len(night3), firstTime.Round(time.Millisecond), quietN, counts(quiet), quietTime.Round(time.Millisecond),
			priceN, counts(price), priceTime.Round(time.Millisecond))
		os.RemoveAll(n.out)
		os.RemoveAll(filepath.Join(dir, "."+name+".generations"))
	}
}
