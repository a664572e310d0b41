// Command crawl runs llmref's crawl stage alone over a bench site — the
// real collector (robots.txt, per-host workers, retries, conditional
// requests) and the real parsers, configured by the site's llmref.yaml —
// and keeps nothing: the same work as bench/cmd/baseline, so bench/run.sh
// can tell the crawler's cost from the rest of the pipeline's.
//
//	crawl --config bench/out/site/llmref.yaml
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/llmref/llmref/bench/site"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/scrapers"
)

func main() {
	path := flag.String("config", "", "llmref.yaml written by bench/cmd/site (required)")
	flag.Parse()
	if err := run(*path); err != nil {
		fmt.Fprintln(os.Stderr, "crawl:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	if path == "" {
		return errors.New("--config FILE is required")
	}
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	if err := site.LoopbackOnly(cfg); err != nil {
		return err
	}
	srcs, err := cfg.BuildSources()
	if err != nil {
		return err
	}
	start := time.Now()
	out, err := scrapers.Crawl(context.Background(), cfg.FetchOptions(), srcs, nil)
	if err != nil {
		return err
	}
	obs, failed := 0, 0
	for _, s := range out.Stats {
		obs += s.Observations
		failed += len(s.Errors)
	}
	el := time.Since(start)
	fmt.Printf("crawl: %d pages, %d observations, %d failed in %.3fs (%.0f pages/s)\n", len(out.Pages), obs, failed, el.Seconds(), float64(len(out.Pages))/el.Seconds())
	if failed > 0 {
		return fmt.Errorf("%d pages failed", failed)
	}
	return nil
}
