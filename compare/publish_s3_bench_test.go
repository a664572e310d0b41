package compare_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/objstore"
	"github.com/llmref/llmref/objstore/s3test"
	"github.com/llmref/llmref/publish"
)

// BenchmarkPublishS3 publishes the synthetic catalogue's tree (catalogue
// files and every comparison record) to a real S3 protocol server on
// loopback (gofakes3, objects kept on disk), then publishes it again
// unchanged, then with one price changed, then as the next night's run
// (every fact retrieved again a day later, one more price changed), and
// reports the objects each publish put. LLMREF_BENCH_MODELS sets the models (default 200; 1,000
// means 499,500 records, ~7 GB twice over: locally and in the bucket);
// LLMREF_BENCH_DIR the folder (default a temporary one).
func BenchmarkPublishS3(b *testing.B) {
	n, root := benchScale(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		dir := filepath.Join(root, "s3-"+strconv.Itoa(i))
		// gofakes3's file backend fails to list a folder that does not
		// exist (S3 lists nothing): the generations' folder is made first.
		if err := os.MkdirAll(filepath.Join(dir, "bucket", "v1", "generations"), 0o755); err != nil {
			b.Fatal(err)
		}
		srv := s3test.StartOnDisk(b, "llmref", filepath.Join(dir, "bucket"))
		o, err := objstore.Options{}.Resolve(srv.Getenv)
		if err != nil {
			b.Fatal(err)
		}
		bucket, err := objstore.Open(objstore.Target{Bucket: "llmref", Prefix: "v1"}, o)
		if err != nil {
			b.Fatal(err)
		}
		remote := &publish.Remote{Store: bucket}
		out := filepath.Join(dir, "cache")
		snap := synthetic(n)
		// publish builds the tree as run id and syncs it, returning what
		// the sync did and how long it took.
		publishRun := func(id uint64) (publish.RemoteStats, time.Duration) {
			prev, _ := filepath.EvalSymlinks(out)
			run := catalog.Run{ID: id, FinishedAt: time.Date(2026, 4, 23, 2, 0, int(id), 0, time.UTC)}
			if _, err := export.Write(out, snap, run, func(t *export.Tree) error {
				_, err := publish.WriteComparisons(t, snap, compare.DefaultOptions())
				return err
			}); err != nil {
				b.Fatal(err)
			}
			gen, err := filepath.EvalSymlinks(out)
			if err != nil {
				b.Fatal(err)
			}
			srv.Reset()
			start := time.Now()
			st, err := remote.Sync(ctx, gen, prev, run)
			if err != nil {
				b.Fatal(err)
			}
			if len(srv.Puts()) != st.Requests {
				b.Fatalf("the server stored %d objects, the sync says %d", len(srv.Puts()), st.Requests)
			}
			return st, time.Since(start)
		}
		first, firstTime := publishRun(1)
		again, againTime := publishRun(1)
		setInput(snap, snap.ModelIDs()[n/2], 77_777)
		one, oneTime := publishRun(2)
		if first.Uploaded != first.Files || again.Requests != 0 || one.Requests > n+100 {
			b.Fatalf("first %+v; again %+v; one price changed %+v", first, again, one)
		}
		nextNight(snap, snap.ModelIDs()[n/3], 88_888, time.Date(2026, 4, 24, 2, 0, 0, 0, time.UTC))
		night, nightTime := publishRun(3)
		b.ReportMetric(float64(first.Requests), "first-puts")
		b.ReportMetric(firstTime.Seconds(), "first-s")
		b.ReportMetric(float64(again.Requests), "unchanged-puts")
		b.ReportMetric(float64(one.Requests), "one-change-puts")
		b.ReportMetric(oneTime.Seconds(), "one-change-s")
		b.ReportMetric(float64(night.Requests), "next-night-puts")
		b.Logf("%d models, %d files: first publish %d objects (%d bytes) in %s; unchanged %d objects in %s; one price changed %d objects (%d files, %d bytes) in %s",
			n, first.Files, first.Requests, first.Bytes, firstTime.Round(time.Millisecond), again.Requests, againTime.Round(time.Millisecond),
			one.Requests, one.Uploaded, one.Bytes, oneTime.Round(time.Millisecond))
		b.Logf("the next night (every fact retrieved again, one price changed): %d objects (%d files, %d bytes) in %s",
			night.Requests, night.Uploaded, night.Bytes, nightTime.Round(time.Millisecond))
		os.RemoveAll(dir)
		os.RemoveAll(filepath.Join(dir, ".cache.generations"))
	}
}

// nextNight is the synthetic catalogue as the next night's refresh leaves
// it: every fact's source page seen again at (retrieved_at moves, as
// catalog.Snapshot.StampRetrieved does in a refresh), and the input price
// of model's first offering changed to m.
func nextNight(s *catalog.Snapshot, model string, m catalog.Money, at time.Time) {
	seen := map[string]time.Time{}
	for _, md := range s.Models {
		for _, src := range []catalog.SourceRef{md.Name.Source.Ref(), md.Released.Source.Ref(), md.ContextWindow.Source.Ref(), md.Parameters.Source.Ref(),
			md.Architecture.Source.Ref(), md.Licence.Source.Ref(), md.KnowledgeCutoff.Source.Ref(), md.InputModalities.Source.Ref()} {
			seen[src.URL] = at
		}
		for _, f := range md.Capabilities {
			seen[f.Source.URL()] = at
		}
	}
	for _, o := range s.Offerings {
		seen[o.Input.Source.URL()], seen[o.Output.Source.URL()] = at, at
	}
	delete(seen, "")
	s.StampRetrieved(seen)
	setInput(s, model, m)
	s.OfferingsOf(model)[0].Input.ChangedAt = catalog.StampOf(at)
}
