package faultsuite

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmref/llmref/bench/site"
	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/store"
)

// fault is one provoked failure: the OpenAI model page that suffers it and
// what the run's figures must say about it.
type fault struct {
	model string
	want  string
}

var faults = []fault{
	{"gpt-f500", "HTTP 500"},
	{"gpt-f502", "HTTP 502"},
	{"gpt-f503", "HTTP 503"},
	{"gpt-f429", "HTTP 429"},
	{"gpt-timeout", "timeout"},
	{"gpt-reset", "connection reset"},
	{"gpt-truncated", "unexpected EOF"},
	{"gpt-oversize", "body exceeds 262144 bytes after decoding"},
	{"gpt-badhtml", "expected markup not found"},
	{"gpt-redirect", "redirect to another host refused"},
	{"gpt-robots", "disallowed by robots.txt"},
}

// healthy is a page that stays good on the faulty day.
const healthy = "gpt-healthy"

// server is the fault server: good until faulty is set.
type server struct {
	site   *site.Site
	other  string // another host, for the off-site redirect
	faulty atomic.Bool

	mu   sync.Mutex
	hits map[string][]time.Time
}

func (s *server) hit(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[path] = append(s.hits[path], time.Now())
}

func (s *server) hitsOf(path string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.hits[path])
}

const maxBody = 256 << 10

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.hit(r.URL.Path)
	faulty := s.faulty.Load()
	if r.URL.Path == "/robots.txt" {
		w.Header().Set("Content-Type", "text/plain")
		if faulty {
			w.Write([]byte("User-agent: *\nDisallow: /api/docs/models/gpt-robots\n"))
			return
		}
		w.Write([]byte(site.Robots))
		return
	}
	if r.URL.Path == "/api/v1/models" {
		w.Header().Set("Content-Type", "application/json")
		if faulty {
			// Malformed JSON: the list cut off mid-object.
			w.Write([]byte(`{"data":[{"id":"meta-llama/llama-3.2-1b-instruct","name":"Meta: Llama 3.2 1B Instruct","pricing":{"prompt":"0.000000027",`))
			return
		}
		w.Write(s.site.ModelList())
		return
	}
	if pg := s.site.Page(r.URL.Path); pg != nil && !strings.HasPrefix(r.URL.Path, "/api/docs/models/") {
		w.Header().Set("Content-Type", pg.ContentType)
		w.Write(pg.Body)
		return
	}
	id, ok := strings.CutPrefix(r.URL.Path, "/api/docs/models/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	page := s.site.OpenAIPage(len(id), id)
	if !faulty || id == healthy {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
		return
	}
	switch id {
	case "gpt-f500":
		http.Error(w, "internal error", http.StatusInternalServerError)
	case "gpt-f502":
		http.Error(w, "bad gateway", http.StatusBadGateway)
	case "gpt-f503":
		w.Header().Set("Retry-After", "0")
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	case "gpt-f429":
		w.Header().Set("Retry-After", "1")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case "gpt-timeout":
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	case "gpt-reset":
		conn := hijack(w)
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // close with RST
		}
		conn.Close()
	case "gpt-truncated":
		conn := hijack(w)
		fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n", len(page))
		conn.Write(page[:len(page)/3])
		conn.Close()
	case "gpt-oversize":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
		w.Write([]byte("<!--" + strings.Repeat("padding ", maxBody/8+1) + "-->"))
	case "gpt-badhtml":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><html><body><main><h1>We'll be right back</h1><p>The docs are down for maintenance.</p></main></body></html>"))
	case "gpt-redirect":
		http.Redirect(w, r, s.other+"/moved/"+id, http.StatusFound)
	default: // gpt-robots: never asked for, robots.txt forbids it
		w.Write(page)
	}
}

func hijack(w http.ResponseWriter) net.Conn {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	return conn
}

// configFor points the OpenAI, OpenRouter and OpenRouter-endpoints sources
// at the fault server and turns every other source off.
func configFor(t *testing.T, base string, s *site.Site) *config.Config {
	t.Helper()
	var b strings.Builder
	b.WriteString("fetch:\n  timeout: 1s\n  retries: 1\n  backoff_base: 10ms\n  backoff_max: 40ms\n  retry_after_max: 5s\n")
	fmt.Fprintf(&b, "  max_body_bytes: %d\n", maxBody)
	b.WriteString("sources:\n")
	for _, name := range config.SourceNames() {
		switch name {
		case "openai":
			fmt.Fprintf(&b, "  openai:\n    base_url: %s\n    models:\n      - %s\n", base, healthy)
			for _, f := range faults {
				fmt.Fprintf(&b, "      - %s\n", f.model)
			}
		case "openrouter":
			fmt.Fprintf(&b, "  openrouter:\n    base_url: %s\n", base)
		case "openrouter-endpoints":
			fmt.Fprintf(&b, "  openrouter-endpoints:\n    base_url: %s\n    models:\n", base)
			for _, m := range s.EndpointModels() {
				fmt.Fprintf(&b, "      - %s\n", m)
			}
		default:
			if site.ListShaped(name) {
				fmt.Fprintf(&b, "  %s: []\n", name)
			} else {
				fmt.Fprintf(&b, "  %s:\n    enabled: false\n", name)
			}
		}
	}
	cfg, err := config.Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("config: %v\n%s", err, b.String())
	}
	if err := site.LoopbackOnly(cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestFaults(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("elsewhere")) }))
	defer other.Close()
	fs := &server{site: site.New(site.Options{Pages: 6, Endpoints: site.HasEndpointsSource()}), other: other.URL, hits: map[string][]time.Time{}}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	cfg := configFor(t, srv.URL, fs.site)
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

	// The good day.
	res, err := refresh.Run(context.Background(), st, opts)
	if err != nil {
		t.Fatalf("good day: %v", err)
	}
	if res.Run.Status != catalog.RunOK {
		t.Fatalf("good day: %+v", res.Run)
	}
	before, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append([]fault{{model: healthy}}, faults...) {
		if before.Models["openai/"+f.model] == nil {
			t.Fatalf("good day: no model openai/%s", f.model)
		}
	}

	// The faulty day.
	fs.faulty.Store(true)
	start := time.Now()
	res, err = refresh.Run(context.Background(), st, opts)
	t.Logf("faulty day took %v", time.Since(start))
	for _, f := range faults {
		t.Logf("%s: %d requests", f.model, len(fs.hitsOf("/api/docs/models/"+f.model))-1)
	}
	if !errors.Is(err, refresh.ErrPartial) || res == nil || res.Run.Status != catalog.RunPartial {
		t.Fatalf("faulty day: err %v, result %+v; want a partial run", err, res)
	}
	stats := map[string]catalog.SourceStats{}
	for _, s := range res.Run.Sources {
		stats[s.Source] = s
	}

	// Every failure is named in the run's figures.
	oa := stats["openai"]
	if oa.Status != catalog.SourceFailed {
		t.Errorf("openai: status %s, want failed", oa.Status)
	}
	for _, f := range faults {
		u := srv.URL + "/api/docs/models/" + f.model
		found := ""
		for _, e := range oa.Errors {
			if strings.HasPrefix(e, u+": ") {
				found = e
			}
		}
		switch {
		case found == "":
			t.Errorf("%s: no error names %s in %q", f.model, u, oa.Errors)
		case !strings.Contains(found, f.want):
			t.Errorf("%s: error %q does not say %q", f.model, found, f.want)
		}
	}
	if len(oa.Errors) != len(faults) {
		t.Errorf("openai: %d errors, want %d (the healthy page must not fail): %q", len(oa.Errors), len(faults), oa.Errors)
	}
	if oa.RobotsDenied != 1 || oa.Retries < 7 {
		t.Errorf("openai: %d robots denials, %d retries; want 1 and a retry for each of the seven retryable faults", oa.RobotsDenied, oa.Retries)
	}
	or := stats["openrouter"]
	if or.Status != catalog.SourceFailed || len(or.Errors) != 1 || !strings.Contains(or.Errors[0], "parse openrouter models") {
		t.Errorf("openrouter (malformed JSON): %+v", or)
	}
	if es, ok := stats["openrouter-endpoints"]; ok && es.Status == catalog.SourceFailed {
		t.Errorf("openrouter-endpoints failed although its pages are good: %q", es.Errors)
	}

	// Retry-After was honoured; the disallowed page was never fetched.
	if h := fs.hitsOf("/api/docs/models/gpt-f429"); len(h) != 3 || h[2].Sub(h[1]) < 900*time.Millisecond {
		t.Errorf("429 with Retry-After: 1: hits %v; want the good day's, then two a second apart", h)
	}
	if h := fs.hitsOf("/api/docs/models/gpt-robots"); len(h) != 1 {
		t.Errorf("a page robots.txt forbids was fetched %d times on the faulty day", len(h)-1)
	}

	// Every earlier fact is kept.
	after, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Models) != len(before.Models) || len(after.Offerings) != len(before.Offerings) {
		t.Fatalf("faulty day: %d models, %d offerings; the good day had %d and %d", len(after.Models), len(after.Offerings), len(before.Models), len(before.Offerings))
	}
	for key, o := range before.Offerings {
		a := after.Offerings[key]
		if a == nil || !a.Input.Value.Equal(o.Input.Value) || !a.Output.Value.Equal(o.Output.Value) || a.Context.Value != o.Context.Value {
			t.Errorf("offering %s changed or lost: %+v → %+v", key, o, a)
		}
	}
	for id, m := range before.Models {
		a := after.Models[id]
		if a == nil || a.ContextWindow.Value != m.ContextWindow.Value || a.KnowledgeCutoff.Value != m.KnowledgeCutoff.Value || a.Name.Value != m.Name.Value {
			t.Errorf("model %s changed or lost", id)
		}
	}
	if problems, err := st.Check(); err != nil || len(problems) > 0 {
		t.Errorf("database after the faulty day: %v %v", problems, err)
	}
}
