// Command revalidate measures the floor under a refresh in which nothing
// changed: every URL of a bench site is fetched once to learn its ETag,
// then revalidated with If-None-Match (each answer a 304), and only that
// second pass is measured: the CPU (user+sys) this process spent on it.
// Nothing is parsed, kept or written. With --client nethttp the pass is
// plain net/http with a worker pool; with --client colly it goes through
// one colly collector (async, a parallelism limit, the same transport),
// the way llmref's fetcher must make every request (DESIGN.md: one
// collector per run). bench/run.sh prints both beside llmref's own
// nothing-changed refresh, as fractions of its first refresh's CPU.
//
//	revalidate --urls bench/out/site/urls.tsv --concurrency 8 --client colly
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/llmref/llmref/bench/urllist"
)

func main() {
	urls := flag.String("urls", "", "urls.tsv written by bench/cmd/site (required)")
	concurrency := flag.Int("concurrency", 8, "requests in flight")
	client := flag.String("client", "nethttp", "what revalidates: nethttp or colly")
	flag.Parse()
	if err := run(os.Stdout, *urls, *concurrency, *client); err != nil {
		fmt.Fprintln(os.Stderr, "revalidate:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, path string, concurrency int, client string) error {
	if client != "nethttp" && client != "colly" {
		return fmt.Errorf("--client %q: want nethttp or colly", client)
	}
	list, err := urllist.Read(path)
	if err != nil {
		return err
	}
	targets := make([]string, len(list))
	for i, t := range list {
		targets[i] = t.URL
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = concurrency
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	// Learn every page's validator, as the first refresh stored it.
	etags := make([]string, len(targets))
	if err := pool(len(targets), concurrency, func(i int) error {
		resp, err := hc.Get(targets[i])
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if etags[i] = resp.Header.Get("ETag"); etags[i] == "" {
			return fmt.Errorf("%s: no ETag", targets[i])
		}
		return err
	}); err != nil {
		return err
	}

	var notModified atomic.Int64
	before := cpu()
	start := time.Now()
	switch client {
	case "nethttp":
		err = pool(len(targets), concurrency, func(i int) error {
			req, err := http.NewRequest(http.MethodGet, targets[i], nil)
			if err != nil {
				return err
			}
			req.Header.Set("If-None-Match", etags[i])
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusNotModified {
				notModified.Add(1)
			}
			return err
		})
	case "colly":
		err = viaColly(targets, etags, concurrency, tr, &notModified)
	}
	if err != nil {
		return err
	}
	spent, wall := cpu()-before, time.Since(start)
	fmt.Fprintf(out, "client=%s pages=%d not_modified=%d cpu_s=%.3f wall_s=%.3f us_per_page=%.1f\n",
		client, len(targets), notModified.Load(), spent.Seconds(), wall.Seconds(), float64(spent.Microseconds())/float64(len(targets)))
	if int(notModified.Load()) != len(targets) {
		return fmt.Errorf("%d of %d pages answered 304: the site changed between the passes", notModified.Load(), len(targets))
	}
	return nil
}

// viaColly revalidates every target through one colly collector, called
// from a pool of workers as llmref's fetcher calls its collector
// (synchronous requests; revisits allowed, since the frontier is ours; no
// charset detection, no body limit of colly's own).
func viaColly(targets, etags []string, concurrency int, tr http.RoundTripper, notModified *atomic.Int64) error {
	c := colly.NewCollector()
	c.WithTransport(tr)
	c.AllowURLRevisit = true
	c.ParseHTTPErrorResponse = true // a 304 is an answer, not an error
	c.MaxBodySize = 0
	c.DetectCharset = false
	c.OnResponse(func(r *colly.Response) {
		if r.StatusCode == http.StatusNotModified {
			notModified.Add(1)
		}
	})
	return pool(len(targets), concurrency, func(i int) error {
		hdr := http.Header{"If-None-Match": {etags[i]}}
		if err := c.Request(http.MethodGet, targets[i], nil, nil, hdr); err != nil {
			return fmt.Errorf("%s: %w", targets[i], err)
		}
		return nil
	})
}

// pool runs fn for 0..n-1 on workers goroutines and returns the first error.
func pool(n, workers int, fn func(int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if err := fn(i); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// cpu is the CPU (user+sys) this process has spent so far.
func cpu() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
