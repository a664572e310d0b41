package hostilesuite

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmref/llmref/bench/site"
	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

var longFlag = flag.Bool("long", false, "run the long mode: the real binary against every bomb, peak RSS measured (or LLMREF_LONG=1)")

// long reports whether the suite runs its long mode.
func long() bool { return *longFlag || os.Getenv("LLMREF_LONG") == "1" }

// hostile is one hostile OpenAI model page: how the server sends it and
// what the failure of its page must say (%d is fetch.max_body_bytes).
type hostile struct {
	id   string
	kind kind
	want string
	send func(w http.ResponseWriter, r *http.Request, s *server) error
}

// kind sorts the hostile pages by the test that meets them.
type kind int

const (
	bomb  kind = iota // a 2 GiB decompression bomb
	other             // fails fast, with its own cause
	hang              // only the fetch timeout ends it
)

// bombHeaders returns a sender of a bomb with the given headers.
func bombHeaders(encoding, ctype string, contentLength int64, write func(io.Writer, int) error) func(http.ResponseWriter, *http.Request, *server) error {
	return func(w http.ResponseWriter, _ *http.Request, _ *server) error {
		if encoding != "" {
			w.Header().Set("Content-Encoding", encoding)
		}
		w.Header().Set("Content-Type", ctype)
		if contentLength > 0 {
			w.Header().Set("Content-Length", strconv.FormatInt(contentLength, 10))
		}
		return write(w, bombMiB)
	}
}

const afterDecoding = "body exceeds %d bytes after decoding"

var hostiles = []hostile{
	{"gpt-bomb-gzip", bomb, afterDecoding, bombHeaders("gzip", "text/html", gzipSize(bombMiB), writeGzip)},
	{"gpt-bomb-x-gzip", bomb, afterDecoding, bombHeaders("x-gzip", "text/html", 0, writeGzip)},
	{"gpt-bomb-gzip-identity", bomb, afterDecoding, bombHeaders("gzip, identity", "text/html", 0, writeGzip)},
	{"gpt-bomb-gzip-file", bomb, afterDecoding, bombHeaders("", "application/gzip", gzipSize(bombMiB), writeGzip)},
	{"gpt-bomb-deflate-zlib", bomb, afterDecoding, bombHeaders("deflate", "text/html", 0, writeZlib)},
	{"gpt-bomb-deflate-raw", bomb, afterDecoding, bombHeaders("deflate", "text/html", 0, writeDeflate)},
	{"gpt-bomb-deflate-gzip", bomb, afterDecoding, bombHeaders("deflate, gzip", "text/html", 0, writeGzipOverZlib)},
	{"gpt-endless", other, afterDecoding, func(w http.ResponseWriter, _ *http.Request, s *server) error {
		w.Header().Set("Content-Type", "text/html")
		chunk := []byte(strings.Repeat("<p>more</p>", 64<<10/11))
		for start := time.Now(); time.Since(start) < time.Minute; { // chunked, never ends
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
		return nil
	}},
	{"gpt-empty-members", other, "body exceeds %d bytes on the wire", func(w http.ResponseWriter, _ *http.Request, s *server) error {
		w.Header().Set("Content-Encoding", "gzip")
		flood := []byte(strings.Repeat(string(emptyGzipMember), 64<<10/len(emptyGzipMember)))
		for start := time.Now(); time.Since(start) < time.Minute; {
			if _, err := w.Write(flood); err != nil {
				return err
			}
		}
		return nil
	}},
	{"gpt-length-short", other, "expected markup not found", func(w http.ResponseWriter, r *http.Request, s *server) error {
		// Content-Length says 512 and the whole page follows: HTTP/1.1
		// framing makes the body 512 bytes, the rest is garbage before
		// a next response, so the page must fail at its parser.
		return s.lie(w, r, 512, true)
	}},
	{"gpt-length-long", other, "unexpected EOF", func(w http.ResponseWriter, r *http.Request, s *server) error {
		return s.lie(w, r, 1<<20, true)
	}},
	{"gpt-length-long-hang", hang, "timeout", func(w http.ResponseWriter, r *http.Request, s *server) error {
		return s.lie(w, r, 1<<20, false)
	}},
	{"gpt-drip", hang, "timeout", func(w http.ResponseWriter, r *http.Request, s *server) error {
		w.Header().Set("Content-Type", "text/html")
		for start := time.Now(); time.Since(start) < 20*time.Second; time.Sleep(50 * time.Millisecond) {
			if _, err := w.Write([]byte("<")); err != nil {
				return err
			}
			if err := http.NewResponseController(w).Flush(); err != nil {
				return err
			}
		}
		return nil
	}},
	{"gpt-brotli", other, `unsupported Content-Encoding "br"`, func(w http.ResponseWriter, _ *http.Request, _ *server) error {
		w.Header().Set("Content-Encoding", "br")
		_, err := w.Write([]byte{0x1b, 0x03, 0x00, 0xf8, 0x25, 0x00})
		return err
	}},
}

// healthy is the OpenAI page that stays good among the hostile ones.
func healthy(s *site.Site) string { return s.OpenAIModels()[0] }

// server serves the generated site, and the hostile pages among its OpenAI
// model pages; it counts the requests and the body bytes written per path.
type server struct {
	site   *site.Site
	byID   map[string]hostile
	redirs map[string]string // model id → where it redirects

	hits    tally // requests per path
	written tally // body bytes written per path
}

func newServer(s *site.Site) *server {
	srv := &server{site: s, byID: map[string]hostile{}, redirs: map[string]string{}}
	for _, h := range hostiles {
		srv.byID[h.id] = h
	}
	return srv
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, _ := strings.CutPrefix(r.URL.Path, "/api/docs/models/")
	s.hits.add(r.URL.Path, 1)
	if to, ok := s.redirs[id]; ok {
		http.Redirect(w, r, to, http.StatusFound)
		return
	}
	h, ok := s.byID[id]
	if !ok {
		s.site.Handler().ServeHTTP(w, r)
		return
	}
	cw := &countingResponse{ResponseWriter: w}
	h.send(cw, r, s) // its error is the client going away
	s.written.add(r.URL.Path, cw.n)
}

// lie sends an OpenAI page with a false Content-Length, then closes the
// connection or keeps it open (until the client goes, or 30 s).
func (s *server) lie(w http.ResponseWriter, _ *http.Request, length int, closeAfter bool) error {
	page := s.site.OpenAIPage(0, healthy(s.site))
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n", length)
	if _, err := conn.Write(page); err != nil || closeAfter {
		return err
	}
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err = io.Copy(io.Discard, conn)
	return err
}

// tally counts per path, safely from several goroutines.
type tally struct {
	mu sync.Mutex
	m  map[string]int64
}

func (t *tally) add(path string, n int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]int64{}
	}
	t.m[path] += n
}

func (t *tally) of(path string) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[path]
}

type countingResponse struct {
	http.ResponseWriter
	n int64
}

func (c *countingResponse) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingResponse) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// configText is bench/site's generated configuration for base (the site's
// sources, every other one off) with fetch settings first and the given
// hostile pages added to the OpenAI source's models.
func configText(t *testing.T, s *site.Site, base, fetch string, ids []string) string {
	t.Helper()
	text := s.Config(base, fetch)
	models := "  openai:\n    base_url: " + base + "\n    models:\n"
	if strings.Count(text, models) != 1 {
		t.Fatalf("bench/site's configuration has no single OpenAI model list:\n%s", text)
	}
	var add strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&add, "      - %s\n", id)
	}
	return strings.Replace(text, models, models+add.String(), 1)
}

// loadConfig parses a configuration and checks it reads only loopback.
func loadConfig(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, err := config.Parse(strings.NewReader(text))
	if err != nil {
		t.Fatalf("config: %v\n%s", err, text)
	}
	if err := site.LoopbackOnly(cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// openAISource is the configuration's OpenAI source alone.
func openAISource(t *testing.T, cfg *config.Config) []scrapers.Source {
	t.Helper()
	srcs, err := cfg.BuildSources()
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range srcs {
		if src.Name() == "openai" {
			return []scrapers.Source{src}
		}
	}
	t.Fatal("the configuration has no OpenAI source")
	return nil
}

// wireCounter is a transport that counts the body bytes the fetcher reads
// from the wire, per path (below llmref's decoding: it asks for the
// encodings itself, so Go's transport decodes nothing).
type wireCounter struct {
	next http.RoundTripper
	read tally
}

func (c *wireCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &countingBody{ReadCloser: resp.Body, add: func(n int) { c.read.add(req.URL.Path, int64(n)) }}
	return resp, nil
}

type countingBody struct {
	io.ReadCloser
	add func(int)
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.add(n)
	return n, err
}

// hostileIDs lists the ids of the hostile pages of the given kinds.
func hostileIDs(kinds ...kind) []string {
	var ids []string
	for _, h := range hostiles {
		if slices.Contains(kinds, h.kind) {
			ids = append(ids, h.id)
		}
	}
	return ids
}

// newSite is the small generated site the hostile pages join: two OpenAI
// pages, and the OpenRouter list (and endpoints pages) of the healthy
// sources.
func newSite() *site.Site {
	return site.New(site.Options{Pages: 4, Endpoints: site.HasEndpointsSource()})
}

// TestHostileSources refreshes, in process, the healthy sources and every
// hostile page that fails fast (the hanging ones: TestHostileHangs) with a
// 4 MiB body limit: above a bomb's ~2 MiB on the wire, so that its
// Content-Length, when it sends one, passes and the decoded bytes are what
// fail it. The timeout stays the default 30 s, so that a loaded machine
// does not turn a bomb into a timeout.
func TestHostileSources(t *testing.T) {
	const limit = 4 << 20
	s := newSite()
	hs := newServer(s)
	srv := httptest.NewServer(hs)
	defer srv.Close()
	cfg := loadConfig(t, configText(t, s, srv.URL, fmt.Sprintf("fetch:\n  parallelism: 4\n  retries: 1\n  backoff_base: 10ms\n  backoff_max: 40ms\n  max_body_bytes: %d\n", limit), hostileIDs(bomb, other)))
	srcs, err := cfg.BuildSources()
	if err != nil {
		t.Fatal(err)
	}
	wire := &wireCounter{next: scrapers.NewTransport(4)}
	opts := refresh.Options{Sources: srcs, Fetch: cfg.FetchOptions(), Normalization: cfg.Normalization()}
	opts.Fetch.Transport = wire
	st, err := store.Open(filepath.Join(t.TempDir(), "llmref.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	start := time.Now()
	res, err := refresh.Run(context.Background(), st, opts)
	t.Logf("the hostile run took %v", time.Since(start))
	if !errors.Is(err, refresh.ErrPartial) || res == nil || res.Run.Status != catalog.RunPartial {
		t.Fatalf("err %v, result %+v; want a partial run", err, res)
	}
	var oa catalog.SourceStats
	for _, ss := range res.Run.Sources {
		if ss.Source == "openai" {
			oa = ss
		}
	}
	checkPages(t, hs, wire, srv.URL, oa.Errors, limit, bomb, other)
	checkHealthy(t, st, s)
}

// TestHostileHangs: a Content-Length longer than the body on a connection
// left open, and a body dripped a byte at a time, end at the fetch
// timeout, once each (retries: 0), instead of hanging the run.
func TestHostileHangs(t *testing.T) {
	s := newSite()
	hs := newServer(s)
	srv := httptest.NewServer(hs)
	defer srv.Close()
	cfg := loadConfig(t, configText(t, s, srv.URL, "fetch:\n  timeout: 1s\n  retries: 0\n", hostileIDs(hang)))
	wire := &wireCounter{next: scrapers.NewTransport(2)}
	o := cfg.FetchOptions()
	o.Transport = wire
	out, err := scrapers.Crawl(context.Background(), o, openAISource(t, cfg), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkPages(t, hs, wire, srv.URL, out.Stats[0].Errors, o.Defaults().MaxBodyBytes, hang)
	for _, id := range hostileIDs(hang) {
		if n := hs.hits.of("/api/docs/models/" + id); n != 1 {
			t.Errorf("%s: %d requests; retries: 0 means one", id, n)
		}
	}
}

// checkPages checks that each hostile page of the given kinds failed with
// its cause, read no more than the limit from the wire per request, and,
// for a bomb, was fetched once and read no more than 64 KiB; and that no
// other page failed.
func checkPages(t *testing.T, hs *server, wire *wireCounter, base string, errs []string, limit int64, kinds ...kind) {
	t.Helper()
	ids := hostileIDs(kinds...)
	for _, id := range ids {
		h := hs.byID[id]
		t.Run(id, func(t *testing.T) {
			path := "/api/docs/models/" + id
			want := h.want
			if strings.Contains(want, "%d") {
				want = fmt.Sprintf(want, limit)
			}
			if e := errorFor(errs, base+path); !strings.Contains(e, want) {
				t.Errorf("error %q; want it to say %q", e, want)
			}
			read, hits := wire.read.of(path), hs.hits.of(path)
			t.Logf("%d bytes read from the wire (the server wrote %d), %d requests", read, hs.written.of(path), hits)
			if h.kind == bomb {
				if read > 64<<10 {
					t.Errorf("%d bytes read from the wire for a %d-byte limit; a bomb needs ~1 KiB per MiB", read, limit)
				}
				if hits != 1 {
					t.Errorf("%d requests; a body over the limit is not retried", hits)
				}
			}
			if hits > 0 && read/hits > limit+64<<10 {
				t.Errorf("%d bytes read from the wire per request, past the %d-byte limit", read/hits, limit)
			}
		})
	}
	if len(errs) != len(ids) {
		t.Errorf("%d pages failed for %d hostile pages (the healthy ones must not fail): %q", len(errs), len(ids), errs)
	}
}

// errorFor is the error a source's figures name for url.
func errorFor(errs []string, url string) string {
	for _, e := range errs {
		if rest, ok := strings.CutPrefix(e, url+": "); ok {
			return rest
		}
	}
	return ""
}

// checkHealthy checks that the last run recorded the healthy sources and
// page: OpenRouter ok with its facts, the healthy OpenAI model present.
func checkHealthy(t *testing.T, st *store.Store, s *site.Site) {
	t.Helper()
	run, err := st.LastRun()
	if err != nil {
		t.Fatal(err)
	}
	for _, ss := range run.Sources {
		if ss.Source == "openrouter" && (ss.Status != catalog.SourceOK || ss.Observations == 0) {
			t.Errorf("openrouter, the healthy source: %+v", ss)
		}
	}
	snap, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if snap.Models["openai/"+healthy(s)] == nil || len(snap.Offerings) == 0 {
		t.Errorf("the healthy facts are missing: %d models (openai/%s among them: %v), %d offerings",
			len(snap.Models), healthy(s), snap.Models["openai/"+healthy(s)] != nil, len(snap.Offerings))
	}
}

// TestRedirectSchemes: a source on https whose page redirects to http is
// refused, as is one redirecting to another host; a same-host https
// redirect is followed. The fetcher trusts the test certificate through
// its transport, as a deployment's would trust a real one.
func TestRedirectSchemes(t *testing.T) {
	s := newSite()
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		s.Handler().ServeHTTP(w, r)
	}))
	defer plain.Close()
	other := httptest.NewTLSServer(s.Handler())
	defer other.Close()
	hs := newServer(s)
	tls := httptest.NewTLSServer(hs)
	defer tls.Close()
	page := "/api/docs/models/" + healthy(s)
	hs.redirs["gpt-downgrade"] = plain.URL + page
	hs.redirs["gpt-elsewhere"] = other.URL + page
	hs.redirs["gpt-moved"] = page
	ids := []string{"gpt-downgrade", "gpt-elsewhere", "gpt-moved"}
	text := configText(t, s, tls.URL, "fetch:\n  timeout: 2s\n", ids)
	if !strings.Contains(text, "base_url: https://127.0.0.1:") {
		t.Fatalf("the OpenAI source is not on https:\n%s", text)
	}
	cfg := loadConfig(t, text)
	o := cfg.FetchOptions()
	o.Transport = tls.Client().Transport
	out, err := scrapers.Crawl(context.Background(), o, openAISource(t, cfg), nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := out.Stats[0].Errors
	for id, want := range map[string]string{"gpt-downgrade": "redirect from https to http refused", "gpt-elsewhere": "redirect to another host refused", "gpt-moved": "", healthy(s): ""} {
		t.Run(id, func(t *testing.T) {
			e := errorFor(errs, tls.URL+"/api/docs/models/"+id)
			if (want == "" && e != "") || !strings.Contains(e, want) {
				t.Errorf("%s: error %q; want %q", id, e, want)
			}
		})
	}
	if n, want := len(out.Pages), len(s.OpenAIModels())+1; n != want {
		t.Errorf("%d pages read; want %d: the site's healthy ones and the one moved on the same host", n, want)
	}
	if n := plainHits.Load(); n != 0 {
		t.Errorf("the plain-http server got %d requests; the downgrade must not be followed", n)
	}
}
