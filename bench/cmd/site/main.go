// Command site serves a generated loopback site of source pages (see
// package bench/site) and writes what the benchmark's three crawlers need
// into a folder: llmref.yaml (llmref's configuration, pointing its sources
// at the site), urls.tsv (kind, URL and expected source of every content
// page, for the baseline and Scrapy) and base (the site's root URL).
//
//	site --pages 2000 --out bench/out/site [--addr 127.0.0.1:0] [--day 1]
//
// It serves until it is interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/llmref/llmref/bench/site"
	"github.com/llmref/llmref/bench/urllist"
	"github.com/llmref/llmref/config"
)

func main() {
	pages := flag.Int("pages", 2000, "content pages to generate")
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	out := flag.String("out", "", "folder to write llmref.yaml, urls.tsv and base into (required)")
	day := flag.Int("day", 1, "day 1 or 2 (day 2 moves a few prices)")
	endpoints := flag.String("endpoints", "auto", "half the pages as OpenRouter endpoints JSON: yes, no, or auto (when llmref has the source)")
	parallelism := flag.Int("parallelism", 8, "llmref's fetch.parallelism in the written configuration")
	flag.Parse()
	if err := run(*pages, *addr, *out, *day, *endpoints, *parallelism); err != nil {
		fmt.Fprintln(os.Stderr, "site:", err)
		os.Exit(1)
	}
}

func run(pages int, addr, out string, day int, endpoints string, parallelism int) error {
	if out == "" {
		return errors.New("--out DIR is required")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--addr %q: only loopback addresses are served", addr)
	}
	withEndpoints := site.HasEndpointsSource()
	switch endpoints {
	case "yes":
		withEndpoints = true
	case "no":
		withEndpoints = false
	case "auto":
	default:
		return fmt.Errorf("--endpoints %q: want yes, no or auto", endpoints)
	}
	s := site.New(site.Options{Pages: pages, Endpoints: withEndpoints, Day: day})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	extra := fmt.Sprintf("fetch:\n  parallelism: %d\n  timeout: 30s\n  run_timeout: 30m\n", parallelism)
	yml := s.Config(base, extra)
	cfg, err := config.Parse(strings.NewReader(yml))
	if err != nil {
		return fmt.Errorf("generated configuration: %w", err)
	}
	if err := site.LoopbackOnly(cfg); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "llmref.yaml"), []byte(yml), 0o644); err != nil {
		return err
	}
	var targets []urllist.Target
	for _, pg := range s.Pages() {
		targets = append(targets, urllist.Target{Kind: pg.Kind, URL: base + pg.Path})
	}
	if err := urllist.Write(filepath.Join(out, "urls.tsv"), targets); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "base"), []byte(base+"\n"), 0o644); err != nil {
		return err
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn)}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	fmt.Printf("serving %d pages at %s\n", len(s.Pages()), base)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
