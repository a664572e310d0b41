package site

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

// benchPages is the site size of the refresh benchmarks (BENCH_PAGES, 2000
// by default), the same as bench/run.sh's.
func benchPages() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_PAGES")); err == nil && n > 0 {
		return n
	}
	return 2000
}

type benchRig struct {
	site *Site
	opts refresh.Options
}

func newRig(b *testing.B) *benchRig {
	b.Helper()
	s := New(Options{Pages: benchPages(), Endpoints: HasEndpointsSource()})
	srv := httptest.NewServer(s.Handler())
	b.Cleanup(srv.Close)
	cfg, err := config.Parse(strings.NewReader(s.Config(srv.URL, "fetch:\n  parallelism: 8\n")))
	if err != nil {
		b.Fatal(err)
	}
	if err := LoopbackOnly(cfg); err != nil {
		b.Fatal(err)
	}
	srcs, err := cfg.BuildSources()
	if err != nil {
		b.Fatal(err)
	}
	return &benchRig{site: s, opts: refresh.Options{Sources: srcs, Fetch: cfg.FetchOptions(), Normalization: cfg.Normalization()}}
}

func (r *benchRig) run(b *testing.B, st *store.Store) *refresh.Result {
	res, err := refresh.Run(context.Background(), st, r.opts)
	if err != nil {
		b.Fatal(err)
	}
	if res.Run.Status != catalog.RunOK {
		b.Fatalf("run %+v", res.Run)
	}
	return res
}

// freshStore opens round i's own empty database.
func freshStore(b *testing.B, i int) *store.Store {
	b.Helper()
	st, err := store.Open(filepath.Join(b.TempDir(), fmt.Sprintf("llmref-%d.db", i)), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkRefreshFirst is llmref's whole refresh of the loopback site into
// an empty database, in process (for profiles: go test -bench RefreshFirst
// -cpuprofile cpu.out ./bench/site/). bench/run.sh measures the binary.
func BenchmarkRefreshFirst(b *testing.B) {
	rig := newRig(b)
	pages := len(rig.site.Pages())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := freshStore(b, i)
		b.StartTimer()
		rig.run(b, st)
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(pages)*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkRefreshUnchanged is a refresh that finds every page unchanged
// (304 Not Modified).
func BenchmarkRefreshUnchanged(b *testing.B) {
	rig := newRig(b)
	st, err := store.Open(filepath.Join(b.TempDir(), "llmref.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	rig.run(b, st)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rig.run(b, st)
	}
	b.ReportMetric(float64(len(rig.site.Pages()))*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkRefreshSecond is the refresh bench/run.sh measures as "nothing
// changed": the second run into a database the first run just filled, each
// round from an empty database. Only the second run is timed, and its CPU
// samples carry the label run=second, so a profile of it alone is
// go tool pprof -tagfocus run=second.
func BenchmarkRefreshSecond(b *testing.B) {
	rig := newRig(b)
	ctx := pprof.WithLabels(context.Background(), pprof.Labels("run", "second"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := freshStore(b, i)
		rig.run(b, st)
		b.StartTimer()
		pprof.SetGoroutineLabels(ctx)
		rig.run(b, st)
		pprof.SetGoroutineLabels(context.Background())
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(rig.site.Pages()))*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkCrawlOnly is llmref's crawl stage alone — one colly collector
// with robots.txt, per-host workers, retries and conditional requests,
// fetching and parsing every page with the real parsers, nothing
// normalised or kept: the same work as bench/cmd/baseline, so the two
// pages/s compare the fetchers and parsers themselves.
func BenchmarkCrawlOnly(b *testing.B) {
	rig := newRig(b)
	pages := len(rig.site.Pages())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := scrapers.Crawl(context.Background(), rig.opts.Fetch, rig.opts.Sources, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(out.Pages) != pages {
			b.Fatalf("%d pages crawled, want %d", len(out.Pages), pages)
		}
	}
	b.ReportMetric(float64(pages)*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}
