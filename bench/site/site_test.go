package site

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

func build(t *testing.T, s *Site, base string) *config.Config {
	t.Helper()
	cfg, err := config.Parse(strings.NewReader(s.Config(base, "")))
	if err != nil {
		t.Fatalf("generated config: %v\n%s", err, s.Config(base, ""))
	}
	if err := LoopbackOnly(cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestPagesParse feeds every generated page to the real parser of the
// source the generated configuration points at it.
func TestPagesParse(t *testing.T) {
	s := New(Options{Pages: 40, Endpoints: HasEndpointsSource()})
	base := "http://127.0.0.1:1"
	srcs, err := build(t, s, base).BuildSources()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]struct {
		src  scrapers.Source
		kind string
	}{}
	for _, src := range srcs {
		for _, r := range src.Requests() {
			kinds[r.URL] = struct {
				src  scrapers.Source
				kind string
			}{src, r.Kind}
		}
	}
	n := 0
	for _, pg := range s.Pages() {
		k, ok := kinds[base+pg.Path]
		if !ok {
			t.Errorf("%s: no configured source reads it", pg.Path)
			continue
		}
		parsed, err := k.src.Parse(k.kind, scrapers.Response{URL: base + pg.Path, Status: 200, Header: http.Header{"Content-Type": {pg.ContentType}}, Body: pg.Body, RetrievedAt: time.Now()})
		if err != nil {
			t.Errorf("%s: %v", pg.Path, err)
			continue
		}
		if len(parsed.Observations) < 5 {
			t.Errorf("%s: %d observations", pg.Path, len(parsed.Observations))
		}
		n++
	}
	if n < 40 {
		t.Errorf("%d pages parsed, want at least 40", n)
	}
	// Same options, same bytes; day 2 moves a few prices only.
	again := New(Options{Pages: 40, Endpoints: HasEndpointsSource()})
	day2 := New(Options{Pages: 40, Endpoints: HasEndpointsSource(), Day: 2})
	changed := 0
	for _, pg := range s.Pages() {
		if !bytes.Equal(pg.Body, again.Page(pg.Path).Body) {
			t.Fatalf("%s: not deterministic", pg.Path)
		}
		if !bytes.Equal(pg.Body, day2.Page(pg.Path).Body) {
			changed++
		}
	}
	if changed == 0 || changed > 4 {
		t.Errorf("day 2 changed %d pages, want a few", changed)
	}
}

// TestRefreshOverLoopback is the benchmark's path in small: llmref
// configured by the generated file alone reads the site, and a second run
// finds every page unchanged (304s).
func TestRefreshOverLoopback(t *testing.T) {
	s := New(Options{Pages: 30, Endpoints: HasEndpointsSource()})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	cfg := build(t, s, srv.URL)
	srcs, err := cfg.BuildSources()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "llmref.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	opts := refresh.Options{Sources: srcs, Fetch: cfg.FetchOptions(), Normalization: cfg.Normalization()}
	res, err := refresh.Run(context.Background(), st, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Status != catalog.RunOK || res.Run.Models < len(s.OpenAIModels())+len(s.EndpointModels()) {
		t.Fatalf("run %+v", res.Run)
	}
	res, err = refresh.Run(context.Background(), st, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ss := range res.Run.Sources {
		if ss.Status == catalog.SourceSkipped {
			continue
		}
		if ss.Status != catalog.SourceUnchanged || ss.NotModified != ss.Requests {
			t.Errorf("second run, %s: %+v; want every page 304", ss.Source, ss)
		}
	}
}
