package scrapers

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// sourceSite serves, on loopback, the pages of the sources this file's
// sources read: a robots.txt that keeps /private/ out, NVIDIA's list (503
// once, then 200), a reference page, a price table behind a redirect, an
// x-gzip-encoded LiteLLM map and models.dev's catalogue.
func sourceSite(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var listHits atomic.Int32
	files := map[string]struct {
		ct   string
		body []byte
	}{
		"/nim/reference/meta-llama-3_2-1b-instruct": {"text/html; charset=utf-8", fixtureBody(t, "2026-04-23", "docs.api.nvidia.com/nim/reference/meta-llama-3_2-1b-instruct.html")},
		"/en/pricing":     {"text/html; charset=utf-8", fixtureBody(t, "2026-04-23", "www.bitdeer.ai/en/pricing.html")},
		"/api.json":       {"application/json", fixtureBody(t, "2026-04-23", "models.dev/api.json")},
		"/private/prices": {"text/html", []byte("<p>never fetched</p>")},
	}
	nim := fixtureBody(t, "2026-04-23", "integrate.api.nvidia.com/v1/models.json")
	litellm := fixtureBody(t, "2026-04-23", litellmFixture)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
		case "/v1/models":
			if listHits.Add(1) == 1 {
				http.Error(w, "upstream busy", http.StatusServiceUnavailable)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("ETag", `"list-1"`)
			w.Write(nim)
		case "/old/pricing":
			http.Redirect(w, r, "/en/pricing", http.StatusMovedPermanently)
		case "/litellm.json":
			w.Header().Set("Content-Type", "application/json")
			if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				// x-gzip: Go's transport leaves it encoded; llmref decodes it.
				w.Header().Set("Content-Encoding", "x-gzip")
				zw := gzip.NewWriter(w)
				zw.Write(litellm)
				zw.Close()
				return
			}
			w.Write(litellm)
		default:
			f, ok := files[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", f.ct)
			w.Header().Set("Last-Modified", "Thu, 12 Mar 2026 08:14:55 GMT")
			w.Write(f.body)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &listHits
}

// siteSources are four of this half's sources pointed at the site through
// their base URLs, and a table the site's robots.txt disallows.
func siteSources(t *testing.T, base string) []Source {
	t.Helper()
	tbl := bitdeerSpec()
	tbl.URL = base + "/old/pricing"
	private := bitdeerSpec()
	private.Name, private.URL = "private-table", base+"/private/prices"
	return []Source{
		&NVIDIA{BaseURL: base, DocsURL: base, Models: []string{nimLlama}},
		mustTable(t, tbl),
		mustTable(t, private),
		&LiteLLM{URL: base + "/litellm.json"},
		&ModelsDev{URL: base + "/api.json"},
	}
}

// observationsByURL renders each page's observations without their
// retrieval time, for comparing two crawls.
func observationsByURL(t *testing.T, o *Outcome) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range o.Pages {
		obs := make([]catalog.Observation, len(p.Observations))
		for i, ob := range p.Observations {
			ob.RetrievedAt = time.Time{}
			obs[i] = ob
		}
		b, err := json.Marshal(obs)
		if err != nil {
			t.Fatal(err)
		}
		out[p.URL] = string(b)
	}
	return out
}

func TestRecordThenReplay(t *testing.T) {
	srv, _ := sourceSite(t)
	dir := filepath.Join(t.TempDir(), "day")
	o := testOptions()
	o.Transport = NewTransport(2)
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	o.Now = func() time.Time { return at }
	res, err := Record(context.Background(), o, siteSources(t, srv.URL), dir)
	if err != nil {
		t.Fatal(err)
	}
	m := res.Manifest
	if m.Day != "2026-11-25" || !m.RecordedAt.Equal(at) {
		t.Errorf("manifest day %q at %v", m.Day, m.RecordedAt)
	}
	byURL := map[string]Recorded{}
	for _, r := range m.Responses {
		byURL[r.URL] = r
	}
	if r, ok := byURL[srv.URL+"/robots.txt"]; !ok || r.Status != 200 || r.Body == "" {
		t.Errorf("robots.txt not recorded: %+v", r)
	}
	if r := byURL[srv.URL+"/v1/models"]; r.Status != 200 || r.Headers["ETag"] != `"list-1"` {
		t.Errorf("list after a 503: %+v; want the final 200 with its ETag", r)
	}
	if r := byURL[srv.URL+"/old/pricing"]; r.Status != 301 || r.Headers["Location"] != "/en/pricing" {
		t.Errorf("redirect: %+v", r)
	}
	if _, ok := byURL[srv.URL+"/private/prices"]; ok {
		t.Error("a URL robots.txt disallows was fetched and recorded")
	}
	lit := byURL[srv.URL+"/litellm.json"]
	body, err := os.ReadFile(filepath.Join(dir, lit.Body))
	if err != nil || !bytes.Equal(body, fixtureBody(t, "2026-04-23", litellmFixture)) || lit.Headers["Content-Encoding"] != "" {
		t.Errorf("gzip body recorded as %d bytes (%v), headers %v; want the decoded body", len(body), err, lit.Headers)
	}
	if st := statsOf(res.Outcome, "private-table"); st.Status != catalog.SourceFailed || st.RobotsDenied != 1 {
		t.Errorf("private table %+v; want failed, denied by robots.txt", st)
	}
	if st := statsOf(res.Outcome, "nvidia-nim"); st.Status != catalog.SourceOK || st.Retries != 1 {
		t.Errorf("nvidia-nim %+v; want ok after one retry", st)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".day.recording-*")); len(left) != 0 {
		t.Errorf("temporary folders left: %v", left)
	}

	// The recorded day plays back through the real collector and gives
	// the observations the live site gives.
	live, err := Crawl(context.Background(), o, siteSources(t, srv.URL), nil)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := NewReplay(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	ro := testOptions()
	ro.Transport = rt
	replayed, err := Crawl(context.Background(), ro, siteSources(t, srv.URL), nil)
	if err != nil {
		t.Fatal(err)
	}
	want, got := observationsByURL(t, live), observationsByURL(t, replayed)
	if len(want) != 5 {
		t.Errorf("live crawl read %d pages, want 5", len(want))
	}
	for u, w := range want {
		if got[u] != w {
			t.Errorf("%s: replayed observations differ from live ones:\n live   %.300s\n replay %.300s", u, w, got[u])
		}
	}
	if len(got) != len(want) {
		t.Errorf("replay read %d pages, live %d", len(got), len(want))
	}
	if st := statsOf(replayed, "private-table"); st.RobotsDenied != 1 {
		t.Errorf("replay of the disallowed table: %+v", st)
	}
}

func TestRecordRefusesAndLeavesNothing(t *testing.T) {
	srv, _ := sourceSite(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "day")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	o := testOptions()
	sources := []Source{&ModelsDev{URL: srv.URL + "/api.json"}}
	if _, err := Record(context.Background(), o, sources, dir); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("recording into a folder with files: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "mine" {
		t.Error("the folder's file was touched")
	}
	// A cancelled recording writes nothing.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	empty := filepath.Join(parent, "cancelled")
	if _, err := Record(ctx, o, sources, empty); err == nil {
		t.Error("cancelled recording: no error")
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Errorf("cancelled recording left %s: %v", empty, err)
	}
	// An empty folder is filled.
	os.MkdirAll(filepath.Join(parent, "fresh"), 0o755)
	if _, err := Record(context.Background(), o, sources, filepath.Join(parent, "fresh")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(parent, "fresh", ManifestFile)); err != nil {
		t.Error(err)
	}
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".recording-") {
			t.Errorf("temporary folder left: %s", e.Name())
		}
	}
}

func TestUniquePath(t *testing.T) {
	used := map[string]bool{"a/models.json": true, "a/models-2.json": true}
	if got := uniquePath("a/Models.json", used); got != "a/Models-3.json" {
		t.Errorf("uniquePath = %q", got)
	}
	if got := uniquePath("a/other.json", used); got != "a/other.json" {
		t.Errorf("uniquePath = %q", got)
	}
}
