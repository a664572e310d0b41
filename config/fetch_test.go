package config

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmref/llmref/scrapers"
)

// TestFetchRetries follows `fetch.retries` from the file through
// FetchOptions into a real crawl (Crawl and Fetch each apply the options'
// defaults) against a page that always answers 503: `retries: 0` is one
// request, `retries: 1` two, and no setting the default 1 + 2.
func TestFetchRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name    string
		setting string
		want    int32
	}{
		{"retries 0", "  retries: 0\n", 1},
		{"retries 1", "  retries: 1\n", 2},
		{"unset", "", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := fmt.Sprintf("fetch:\n%s  backoff_base: 1ms\n  backoff_max: 2ms\nsources:\n  openai:\n    base_url: %s\n    models: [gpt-busy]\n", tc.setting, srv.URL)
			cfg, err := Parse(strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			srcs, err := cfg.BuildSources()
			if err != nil {
				t.Fatal(err)
			}
			var openai []scrapers.Source
			for _, s := range srcs {
				if s.Name() == "openai" { // only the source on loopback is crawled
					openai = append(openai, s)
				}
			}
			calls.Store(0)
			out, err := scrapers.Crawl(t.Context(), cfg.FetchOptions(), openai, nil)
			if err != nil {
				t.Fatal(err)
			}
			if st := out.Stats[0]; calls.Load() != tc.want || st.Requests != int(tc.want) {
				t.Errorf("%d requests (stats %+v); want %d", calls.Load(), st, tc.want)
			}
		})
	}
}

// TestSourceTimeout: fetch.source_timeout reaches the fetcher; unset, it
// is three quarters of run_timeout; it may not exceed run_timeout.
func TestSourceTimeout(t *testing.T) {
	for _, tc := range []struct {
		name, fetch string
		want        time.Duration
		err         string
	}{
		{"unset", "", 7*time.Minute + 30*time.Second, ""},
		{"a share of run_timeout", "  run_timeout: 40s\n", 30 * time.Second, ""},
		{"set", "  run_timeout: 40s\n  source_timeout: 10s\n", 10 * time.Second, ""},
		{"over run_timeout", "  run_timeout: 40s\n  source_timeout: 1m\n", 0, "fetch.source_timeout: 1m0s exceeds fetch.run_timeout (40s)"},
		{"negative", "  source_timeout: -1s\n", 0, "fetch.source_timeout: negative duration -1s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parseWant(t, "fetch:\n  delay: 0s\n"+tc.fetch, tc.err)
			if cfg == nil {
				return
			}
			if got := cfg.FetchOptions().SourceTimeout; got != tc.want {
				t.Errorf("SourceTimeout = %s, want %s", got, tc.want)
			}
		})
	}
}

// parseWant parses a configuration: with wantErr set, it checks that the
// error names it and returns nil; otherwise an error fails the test.
func parseWant(t *testing.T, yaml, wantErr string) *Config {
	t.Helper()
	cfg, err := Parse(strings.NewReader(yaml))
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("err = %v, want %q", err, wantErr)
		}
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
