package main

import (
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmref/llmref/bench/site"
	"github.com/llmref/llmref/bench/urllist"
)

// TestRevalidate: against the bench site on loopback, both clients
// revalidate every page and every answer is a 304; bad flags and an empty
// URL list are refused.
func TestRevalidate(t *testing.T) {
	s := site.New(site.Options{Pages: 40, Endpoints: true})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	var targets []urllist.Target
	for _, pg := range s.Pages() {
		targets = append(targets, urllist.Target{Kind: pg.Kind, URL: srv.URL + pg.Path})
	}
	n := len(targets)
	path := filepath.Join(t.TempDir(), "urls.tsv")
	if err := urllist.Write(path, targets); err != nil {
		t.Fatal(err)
	}
	for _, client := range []string{"nethttp", "colly"} {
		var out strings.Builder
		if err := run(&out, path, 4, client); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("client=%s pages=%d not_modified=%d ", client, n, n); !strings.HasPrefix(out.String(), want) {
			t.Errorf("%s: %q; want it to start %q", client, out.String(), want)
		}
	}
	if err := run(io.Discard, path, 4, "curl"); err == nil {
		t.Error("--client curl accepted")
	}
	empty := filepath.Join(t.TempDir(), "empty.tsv")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(io.Discard, empty, 4, "nethttp"); err == nil {
		t.Error("an empty URL list accepted")
	}
}
