package scrapers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

// testOptions are quick options for loopback servers.
func testOptions() Options {
	return Options{Timeout: 2 * time.Second, MaxRetries: 2, BackoffBase: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond, MaxBodyBytes: 1 << 16}
}

// fetchAll fetches reqs and returns the outcomes by URL.
func fetchAll(t *testing.T, o Options, reqs ...Request) map[string]Fetched {
	t.Helper()
	var mu sync.Mutex
	out := map[string]Fetched{}
	err := Fetch(context.Background(), o, reqs, func(f Fetched) []Request {
		mu.Lock()
		defer mu.Unlock()
		out[f.URL] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFetchRobotsDisallow(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte("User-agent: *\nDisallow: /private\n"))
			return
		}
		hits.Add(1)
		if !strings.Contains(r.UserAgent(), "llmref") || !strings.Contains(r.UserAgent(), "https://") {
			t.Errorf("User-Agent %q does not identify llmref with a contact URL", r.UserAgent())
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	got := fetchAll(t, testOptions(), Request{URL: srv.URL + "/private/page"}, Request{URL: srv.URL + "/public"})
	if f := got[srv.URL+"/private/page"]; !f.RobotsDenied || !errors.Is(f.Err, ErrRobotsDisallow) {
		t.Errorf("disallowed page: %+v", f)
	}
	if f := got[srv.URL+"/public"]; f.Err != nil || string(f.Body) != "ok" {
		t.Errorf("allowed page: %+v", f)
	}
	if hits.Load() != 1 {
		t.Errorf("%d requests besides robots.txt, want 1 (the disallowed page must not be fetched)", hits.Load())
	}
}

func TestFetchRetryAfter(t *testing.T) {
	var calls atomic.Int32
	var first time.Time
	var waited time.Duration
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		if calls.Add(1) == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		waited = time.Since(first)
		w.Write([]byte("finally"))
	}))
	defer srv.Close()
	f := fetchAll(t, testOptions(), Request{URL: srv.URL + "/p"})[srv.URL+"/p"]
	if f.Err != nil || string(f.Body) != "finally" || f.Attempts != 2 || f.Statuses[429] != 1 || f.Statuses[200] != 1 {
		t.Fatalf("outcome %+v", f)
	}
	if waited < 900*time.Millisecond {
		t.Errorf("retried after %v; Retry-After: 1 asks for a second", waited)
	}
}

func TestFetchGivesUpAfterCap(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	f := fetchAll(t, testOptions(), Request{URL: srv.URL + "/p"})[srv.URL+"/p"]
	var se *StatusError
	if !errors.As(f.Err, &se) || se.Code != 503 {
		t.Fatalf("error %v, want a 503 status error", f.Err)
	}
	if calls.Load() != 3 || f.Attempts != 3 {
		t.Errorf("%d calls, %d attempts; want 3 (1 + 2 retries)", calls.Load(), f.Attempts)
	}
}

func TestFetchNoRetryOn404(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			calls.Add(1)
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	f := fetchAll(t, testOptions(), Request{URL: srv.URL + "/p"})[srv.URL+"/p"]
	if f.Err == nil || calls.Load() != 1 {
		t.Errorf("404: err %v after %d calls; want an error after one call", f.Err, calls.Load())
	}
}

func TestFetchOversizeBody(t *testing.T) {
	big := strings.Repeat("x", 1<<17)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/declared":
			w.Write([]byte(big)) // Content-Length is set: refused before reading
		case "/chunked":
			fl := w.(http.Flusher)
			for i := 0; i < 4; i++ {
				w.Write([]byte(big[:1<<15]))
				fl.Flush()
			}
			w.Write([]byte("tail"))
		}
	}))
	defer srv.Close()
	got := fetchAll(t, testOptions(), Request{URL: srv.URL + "/declared"}, Request{URL: srv.URL + "/chunked"})
	for _, p := range []string{"/declared", "/chunked"} {
		if f := got[srv.URL+p]; !errors.Is(f.Err, ErrBodyTooLarge) || f.Body != nil {
			t.Errorf("%s: err %v, body %d bytes; want ErrBodyTooLarge and no body", p, f.Err, len(f.Body))
		}
	}
}

func TestFetchConditional(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte("body"))
	}))
	defer srv.Close()
	o := testOptions()
	o.Validators = func(string) (string, string) { return `"v1"`, "" }
	f := fetchAll(t, o, Request{URL: srv.URL + "/p"})[srv.URL+"/p"]
	if !f.NotModified || f.Err != nil || f.Status != 304 {
		t.Errorf("conditional request: %+v", f)
	}
}

func TestFetchOffsiteRedirect(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("elsewhere")) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/same":
			http.Redirect(w, r, "/target", http.StatusFound)
		case "/target":
			w.Write([]byte("here"))
		default:
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
		}
	}))
	defer srv.Close()
	got := fetchAll(t, testOptions(), Request{URL: srv.URL + "/away"}, Request{URL: srv.URL + "/same"})
	if f := got[srv.URL+"/away"]; !errors.Is(f.Err, ErrOffsiteRedirect) {
		t.Errorf("offsite redirect: err %v", f.Err)
	}
	if f := got[srv.URL+"/same"]; f.Err != nil || string(f.Body) != "here" {
		t.Errorf("same-host redirect: %+v", f)
	}
}

func TestFetchFollowsLinksOnce(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			calls.Add(1)
		}
		w.Write([]byte(r.URL.Path))
	}))
	defer srv.Close()
	var mu sync.Mutex
	seen := map[string]int{}
	err := Fetch(context.Background(), testOptions(), []Request{{URL: srv.URL + "/a"}}, func(f Fetched) []Request {
		mu.Lock()
		seen[f.URL]++
		mu.Unlock()
		return []Request{{URL: srv.URL + "/b"}, {URL: srv.URL + "/a"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[srv.URL+"/a"] != 1 || seen[srv.URL+"/b"] != 1 || calls.Load() != 2 {
		t.Errorf("seen %v after %d calls", seen, calls.Load())
	}
}

func TestFetchCancelled(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	var failed atomic.Int32
	err := Fetch(ctx, testOptions(), []Request{{URL: srv.URL + "/slow"}, {URL: srv.URL + "/slow2"}, {URL: srv.URL + "/slow3"}}, func(f Fetched) []Request {
		if f.Err != nil {
			failed.Add(1)
		}
		return nil
	})
	if !errors.Is(err, context.DeadlineExceeded) || failed.Load() != 3 {
		t.Errorf("err %v, %d failed; want the deadline and 3 failures", err, failed.Load())
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("cancellation took %v", d)
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{"1": time.Second, "120": 2 * time.Minute, "Thu, 23 Apr 2026 02:00:30 GMT": 30 * time.Second} {
		t.Run(v, func(t *testing.T) {
			if d, ok := retryAfter(v, now); !ok || d != want {
				t.Errorf("retryAfter(%q) = %v, %v", v, d, ok)
			}
		})
	}
	if _, ok := retryAfter("soon", now); ok {
		t.Error("retryAfter(soon) accepted")
	}
}

func TestFetchPerHostLimit(t *testing.T) {
	var mu sync.Mutex
	var inFlight, most int
	var starts []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		starts = append(starts, time.Now())
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	o := testOptions()
	o.Parallelism = 2
	o.Delay = 150 * time.Millisecond
	var reqs []Request
	for i := 0; i < 6; i++ {
		reqs = append(reqs, Request{URL: srv.URL + "/p" + string(rune('a'+i))})
	}
	got := fetchAll(t, o, reqs...)
	if len(got) != 6 {
		t.Fatalf("%d outcomes", len(got))
	}
	if most > 2 {
		t.Errorf("%d requests in flight at once to one host; the limit is 2", most)
	}
	// Six requests through two slots, each slot pausing 150 ms after a
	// request: the last starts at least two pauses after the first.
	if d := starts[len(starts)-1].Sub(starts[0]); d < 300*time.Millisecond {
		t.Errorf("six requests spread over %v; the delay was not kept", d)
	}
}

// TestFetchFrontierFull: past maxQueued requests waiting for one host, the
// rest fail, named, instead of the queue growing without end.
func TestFetchFrontierFull(t *testing.T) {
	defer func(n int) { maxQueued = n }(maxQueued)
	maxQueued = 4
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	o := testOptions()
	o.IgnoreRobots = true
	var reqs []Request
	for i := range 10 {
		reqs = append(reqs, Request{URL: fmt.Sprintf("%s/p%d", srv.URL, i)})
	}
	got := fetchAll(t, o, reqs...) // queued in one call: the workers wait for it
	ok, full := 0, 0
	for _, f := range got {
		switch {
		case f.Err == nil && f.Status == 200:
			ok++
		case f.Err != nil && strings.Contains(f.Err.Error(), "frontier full"):
			full++
		default:
			t.Errorf("%s: %d %v", f.URL, f.Status, f.Err)
		}
	}
	if ok != 4 || full != 6 {
		t.Fatalf("%d fetched, %d refused as the frontier was full; want 4 and 6", ok, full)
	}
}

// TestFetchRedirectSchemes: a redirect from https to http is refused even
// on the same host; same-host https redirects and http → https upgrades
// are followed. (Replay answers for example.test, so that both schemes
// share one host, which two loopback servers cannot.)
func TestFetchRedirectSchemes(t *testing.T) {
	fsys := fstest.MapFS{
		ManifestFile: {Data: []byte(`{"day":"2026-04-23","recorded_at":"2026-04-23T02:00:00Z","responses":[
{"url":"https://example.test/down","status":302,"headers":{"Location":"http://example.test/plain"}},
{"url":"https://example.test/hop","status":302,"headers":{"Location":"https://example.test/down"}},
{"url":"https://example.test/moved","status":301,"headers":{"Location":"/here"}},
{"url":"http://example.test/up","status":301,"headers":{"Location":"https://example.test/here"}},
{"url":"http://example.test/plain","status":200,"body":"body.txt"},
{"url":"https://example.test/here","status":200,"body":"body.txt"}]}`)},
		"body.txt": {Data: []byte("here")},
	}
	rt, err := NewReplay(fsys)
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions()
	o.Transport = rt
	o.IgnoreRobots = true
	got := fetchAll(t, o, Request{URL: "https://example.test/down"}, Request{URL: "https://example.test/hop"},
		Request{URL: "https://example.test/moved"}, Request{URL: "http://example.test/up"})
	for _, u := range []string{"https://example.test/down", "https://example.test/hop"} {
		if f := got[u]; !errors.Is(f.Err, ErrInsecureRedirect) || f.Attempts != 1 || f.Body != nil {
			t.Errorf("%s: err %v after %d attempts; want the https → http redirect refused, once", u, f.Err, f.Attempts)
		}
	}
	for _, u := range []string{"https://example.test/moved", "http://example.test/up"} {
		if f := got[u]; f.Err != nil || string(f.Body) != "here" {
			t.Errorf("%s: err %v, body %q; want the redirect followed", u, f.Err, f.Body)
		}
	}
}

// TestOptionsDefaultsIdempotent: Crawl and Fetch both apply Defaults, so
// applying it twice must change nothing; in particular NoRetries (what
// `fetch.retries: 0` becomes) must not turn into the default 2.
func TestOptionsDefaultsIdempotent(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"zero", Options{}},
		{"no retries", Options{MaxRetries: NoRetries}},
		{"negative retries", Options{MaxRetries: -5}},
		{"set", Options{UserAgent: "x", Parallelism: 3, Delay: time.Second, Timeout: time.Second, MaxBodyBytes: 10, MaxRetries: 4, BackoffBase: time.Millisecond, BackoffMax: time.Second, RetryAfterMax: time.Minute}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			once := tc.o.Defaults()
			twice := once.Defaults()
			if once.Now == nil || twice.Now == nil || once.Transport == nil {
				t.Fatal("Defaults left the clock or the transport unset")
			}
			once.Now, twice.Now = nil, nil
			if !reflect.DeepEqual(once, twice) {
				t.Errorf("Defaults twice differs from once:\n once  %+v\n twice %+v", once, twice)
			}
			if tc.o.MaxRetries < 0 && twice.MaxRetries >= 0 {
				t.Errorf("MaxRetries %d → %d: \"no retries\" became retries", tc.o.MaxRetries, twice.MaxRetries)
			}
		})
	}
}

// TestCrawlNoRetries: through Crawl, which defaults the options and hands
// them to Fetch, which defaults them again, NoRetries means one request.
func TestCrawlNoRetries(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++ // one host, parallelism 1: no race
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	o := testOptions()
	o.IgnoreRobots = true
	o.Parallelism = 1
	o.MaxRetries = NoRetries
	out, err := Crawl(t.Context(), o, []Source{&LiteLLM{URL: srv.URL + "/litellm.json"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := out.Stats[0]; calls != 1 || st.Requests != 1 || st.Retries != 0 {
		t.Errorf("%d calls, stats %+v; want one request and no retry", calls, st)
	}
}

// BenchmarkFetchNotModified is a nothing-changed night's fetching: 500
// conditional requests a round, each answered 304, through the whole
// fetcher (colly, robots, the transports). The loopback server shares the
// process; compare runs, not absolute figures.
func BenchmarkFetchNotModified(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusNotModified)
	}))
	defer srv.Close()
	reqs := make([]Request, 500)
	for i := range reqs {
		reqs[i] = Request{URL: fmt.Sprintf("%s/api/docs/models/model-%04d", srv.URL, i)}
	}
	o := testOptions()
	o.Parallelism = 8
	o.Validators = func(string) (string, string) { return `"v1"`, "" }
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n := 0
		var mu sync.Mutex
		if err := Fetch(context.Background(), o, reqs, func(f Fetched) []Request {
			mu.Lock()
			defer mu.Unlock()
			if f.NotModified {
				n++
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		if n != len(reqs) {
			b.Fatalf("%d of %d answered 304", n, len(reqs))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(reqs)), "ns/page")
}

// TestFetchRetriesAMomentsNetworkFailure: a resolver failing for now
// (SERVFAIL, a timeout) and a network or host not reachable are tried
// again; a name that does not exist is not.
func TestFetchRetriesAMomentsNetworkFailure(t *testing.T) {
	for _, tt := range []struct {
		name     string
		err      error
		attempts int
	}{
		{"resolver failing", &net.DNSError{Err: "server misbehaving", Name: "example.org", IsTemporary: true}, 3},
		{"resolver timeout", &net.DNSError{Err: "i/o timeout", Name: "example.org", IsTimeout: true}, 3},
		{"no such host", &net.DNSError{Err: "no such host", Name: "example.org", IsNotFound: true}, 1},
		{"network unreachable", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}, 3},
		{"host unreachable", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var dials atomic.Int32
			o := testOptions()
			o.IgnoreRobots = true
			o.Transport = &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
				dials.Add(1)
				return nil, tt.err
			}}
			f := fetchAll(t, o, Request{URL: "http://example.org/p"})["http://example.org/p"]
			if f.Err == nil || f.Attempts != tt.attempts || int(dials.Load()) != tt.attempts {
				t.Errorf("%v: %d attempts, %d dials; want %d", f.Err, f.Attempts, dials.Load(), tt.attempts)
			}
		})
	}
}
