package scrapers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// closedBase is the base URL of a loopback port nothing listens on: every
// connection to it is refused.
func closedBase(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// givesUpAtOnce lets a host be given up however soon its requests in a
// row went unanswered (hostDownFor), for the test.
func givesUpAtOnce(t *testing.T) {
	d := hostDownFor
	hostDownFor = 0
	t.Cleanup(func() { hostDownFor = d })
}

// hostDownRun fetches n pages of base (and, when live is set, n of live)
// and returns the outcomes in the order they were handed on, and how many
// attempts were made at base's pages.
func hostDownRun(t *testing.T, o Options, base, live string, n int) (out []Fetched, attempts int) {
	t.Helper()
	var mu sync.Mutex
	var tried atomic.Int64
	o.Progress = func(p Progress) {
		if p.Kind == ProgressStarted && strings.HasPrefix(p.URL, base) {
			tried.Add(1)
		}
	}
	var reqs []Request
	for i := range n {
		reqs = append(reqs, Request{Source: "down", URL: fmt.Sprintf("%s/p%d", base, i)})
		if live != "" {
			reqs = append(reqs, Request{Source: "live", URL: fmt.Sprintf("%s/p%d", live, i)})
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := Fetch(ctx, o, reqs, func(f Fetched) []Request {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, int(tried.Load())
}

// TestFetchHostDown: a host that takes no connection, or takes them and
// never answers, is given up after a few requests in a row got no answer
// (each after its retries): its other pages fail at once, named, instead
// of each spending its retries and timeouts; a host that answers is not
// touched.
func TestFetchHostDown(t *testing.T) {
	givesUpAtOnce(t)
	stall, _ := stallServers(t) // stage_test.go
	live := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	t.Cleanup(live.Close)
	const pages = 40
	for _, tc := range []struct {
		name, base, says string
	}{
		{"refused", closedBase(t), "connection refused"},
		{"no headers", stall.URL + "/headers", "headers: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions()
			o.Parallelism, o.Timeout, o.IgnoreRobots = 2, 200*time.Millisecond, true
			out, attempts := hostDownRun(t, o, tc.base, live.URL, pages)
			var down, ok int
			for _, f := range out {
				switch {
				case f.Source == "live" && f.Err == nil && f.Status == 200:
					ok++
				case f.Source == "live":
					t.Errorf("live page %s: status %d, %v", f.URL, f.Status, f.Err)
				case f.Err == nil:
					t.Errorf("%s answered (%d)", f.URL, f.Status)
				case errors.Is(f.Err, ErrHostDown):
					down++
					if !strings.Contains(f.Err.Error(), tc.says) {
						t.Errorf("%s: %v; want the host's last error (%q) named", f.URL, f.Err, tc.says)
					}
				case !strings.Contains(f.Err.Error(), tc.says):
					t.Errorf("%s: %v; want %q", f.URL, f.Err, tc.says)
				}
			}
			if ok != pages {
				t.Errorf("%d of the live host's %d pages fetched", ok, pages)
			}
			// The requests in flight when the host went down finish their
			// retries: at most hostDownAfter, plus one per other worker,
			// each with its retries.
			sent := hostDownAfter + o.Parallelism - 1
			if most := sent * (o.MaxRetries + 1); attempts > most {
				t.Errorf("%d attempts at the down host; want at most %d", attempts, most)
			}
			if down < pages-sent {
				t.Errorf("%d pages failed as the host being down; want at least %d", down, pages-sent)
			}
			t.Logf("%d attempts, %d pages not sent; one: %v", attempts, down, firstDown(out))
		})
	}
}

// firstDown is the first outcome failed by the host being down.
func firstDown(out []Fetched) error {
	for _, f := range out {
		if errors.Is(f.Err, ErrHostDown) {
			return f.Err
		}
	}
	return nil
}

// refuseWhile refuses every connection while down is set, as a dialer
// meets a host that is down, and sends the rest on.
type refuseWhile struct {
	down *atomic.Bool
	next http.RoundTripper
}

func (r refuseWhile) RoundTrip(req *http.Request) (*http.Response, error) {
	if r.down.Load() {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	return r.next.RoundTrip(req)
}

// downHost is a loopback host of n pages, each answering body, behind a
// transport that refuses every connection while the returned flag is set
// (it starts set); the options are quick ones for one worker, no retries.
func downHost(t *testing.T, n int, body []byte) (Options, []Request, *atomic.Bool) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	down := new(atomic.Bool)
	down.Store(true)
	o := testOptions()
	o.Parallelism, o.IgnoreRobots, o.MaxRetries = 1, true, NoRetries
	o.Transport = refuseWhile{down: down, next: http.DefaultTransport}
	return o, requestsFor(srv.URL, n), down
}

// requestsFor is n requests of source "s" for pages of base.
func requestsFor(base string, n int) []Request {
	reqs := make([]Request, n)
	for i := range reqs {
		reqs[i] = Request{Source: "s", URL: fmt.Sprintf("%s/p%d", base, i)}
	}
	return reqs
}

// TestFetchHostBack: a host given up is tried again now and then; once it
// answers, its remaining pages are fetched.
func TestFetchHostBack(t *testing.T) {
	givesUpAtOnce(t)
	defer func(d time.Duration) { hostProbeEvery = d }(hostProbeEvery)
	hostProbeEvery = 50 * time.Millisecond
	o, reqs, down := downHost(t, 40, []byte("ok"))
	var out []Fetched
	err := Fetch(context.Background(), o, reqs, func(f Fetched) []Request {
		out = append(out, f) // one worker: never concurrent
		if errors.Is(f.Err, ErrHostDown) {
			down.Store(false)                // the host is back
			time.Sleep(5 * time.Millisecond) // the pages given up take a while
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var refused, notSent, fetched int
	for i, f := range out {
		switch {
		case f.Err == nil && f.Status == 200:
			fetched++
		case errors.Is(f.Err, ErrHostDown):
			notSent++
			if fetched > 0 {
				t.Errorf("outcome %d: %v after the host was back", i, f.Err)
			}
		case f.Err != nil && strings.Contains(f.Err.Error(), "connection refused"):
			refused++
		default:
			t.Errorf("outcome %d: %d %v", i, f.Status, f.Err)
		}
	}
	if refused != hostDownAfter || notSent == 0 || fetched == 0 || refused+notSent+fetched != len(reqs) {
		t.Errorf("%d refused, %d not sent, %d fetched; want %d refused, then some not sent, then the rest fetched", refused, notSent, fetched, hostDownAfter)
	}
}

// TestFetchHostSlowDown: a host that answers 429 with a Retry-After is
// sent nothing more until it has passed — by any of its workers, not only
// the one whose request it refused — and its pages are then fetched.
func TestFetchHostSlowDown(t *testing.T) {
	var mu sync.Mutex
	var refusedAt time.Time
	var early []string // requests that came while the host had asked for none
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		if !refusedAt.IsZero() && now.Before(refusedAt.Add(time.Second)) {
			early = append(early, r.URL.Path)
		}
		if refusedAt.IsZero() && r.URL.Path == "/p3" {
			refusedAt = now
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		time.Sleep(5 * time.Millisecond)
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	o := testOptions()
	o.Parallelism, o.IgnoreRobots = 3, true
	reqs := requestsFor(srv.URL, 12)
	got := fetchAll(t, o, reqs...)
	for _, r := range reqs {
		if f := got[r.URL]; f.Err != nil || f.Status != 200 {
			t.Errorf("%s: %d %v", r.URL, f.Status, f.Err)
		}
	}
	if f := got[srv.URL+"/p3"]; f.Attempts != 2 {
		t.Errorf("the refused page took %d attempts; want 2", f.Attempts)
	}
	mu.Lock()
	defer mu.Unlock()
	if refusedAt.IsZero() {
		t.Fatal("the host never refused a request")
	}
	// The requests already on the wire when the 429 was sent may arrive
	// after it (one per other worker); nothing sent after it may.
	if len(early) > o.Parallelism-1 {
		t.Errorf("%d requests within the Retry-After (%q); want at most the %d already in flight", len(early), early, o.Parallelism-1)
	}
}

// TestCrawlHostDownErrorsBounded: a source whose host is down fails, its
// run stats naming the first pages' errors (the connections refused, then
// the pages not sent) and counting the rest, not listing all of them.
func TestCrawlHostDownErrorsBounded(t *testing.T) {
	givesUpAtOnce(t)
	src := &OpenAI{BaseURL: closedBase(t)}
	for i := range catalog.MaxSourceErrors + 100 {
		src.Models = append(src.Models, fmt.Sprintf("gpt-5.%d-mini", i))
	}
	o := testOptions()
	o.IgnoreRobots = true
	out, err := Crawl(context.Background(), o, []Source{src}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := statsOf(out, src.Name())
	if st.Status != catalog.SourceFailed || len(st.Errors) != catalog.MaxSourceErrors || st.ErrorCount() != len(src.Models) {
		t.Fatalf("source %s, %d errors kept, %d in all; want failed, %d kept of %d", st.Status, len(st.Errors), st.ErrorCount(), catalog.MaxSourceErrors, len(src.Models))
	}
	if !strings.Contains(st.Errors[0], "connection refused") || !strings.Contains(st.Errors[len(st.Errors)-1], "host down") {
		t.Errorf("first %q, last %q", st.Errors[0], st.Errors[len(st.Errors)-1])
	}
}

// TestFetchHostBacksOff: a host that asks for no requests for longer than
// the cap (429, Retry-After: 3600) fails the pages already sent to it and
// is sent no other: the rest fail unsent, named.
func TestFetchHostBacksOff(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		time.Sleep(5 * time.Millisecond)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	o := testOptions()
	o.Parallelism, o.IgnoreRobots = 2, true
	reqs := requestsFor(srv.URL, 20)
	got := fetchAll(t, o, reqs...)
	unsent := 0
	for _, r := range reqs {
		f := got[r.URL]
		switch {
		case errors.Is(f.Err, ErrHostBackOff):
			unsent++
			if !strings.Contains(f.Err.Error(), "(Retry-After), more than the 2m0s cap; not sent") || f.Attempts != 0 {
				t.Errorf("%s: %v after %d attempts", r.URL, f.Err, f.Attempts)
			}
		case f.Err == nil || !strings.Contains(f.Err.Error(), "exceeds the 2m0s cap"):
			t.Errorf("%s: %d %v", r.URL, f.Status, f.Err)
		}
	}
	if n := calls.Load(); n > int32(o.Parallelism) || unsent < len(reqs)-o.Parallelism {
		t.Errorf("%d requests sent, %d pages unsent; want at most the %d in flight sent", n, unsent, o.Parallelism)
	}
}

// TestFetchHostBlip: a host that takes no connection for less than
// hostDownFor (a restart) is not given up: the pages sent meanwhile fail
// after their retries, the rest are fetched once it is back.
func TestFetchHostBlip(t *testing.T) {
	o, reqs, down := downHost(t, 20, []byte("ok"))
	refused := 0
	err := Fetch(context.Background(), o, reqs, func(f Fetched) []Request {
		switch {
		case errors.Is(f.Err, ErrHostDown):
			t.Errorf("%s: %v", f.URL, f.Err)
		case f.Err != nil:
			if refused++; refused == hostDownAfter+2 {
				down.Store(false) // back, well within hostDownFor
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if refused != hostDownAfter+2 {
		t.Errorf("%d pages refused; want the %d sent while the host was down", refused, hostDownAfter+2)
	}
}

// TestFetchHostBackProbeFails: a probe that reaches the host but fails for
// another reason (here, a body over the limit) still says the host is
// back: the other pages are sent again, none failed unsent after it.
func TestFetchHostBackProbeFails(t *testing.T) {
	givesUpAtOnce(t)
	defer func(d time.Duration) { hostProbeEvery = d }(hostProbeEvery)
	hostProbeEvery = 50 * time.Millisecond
	o, reqs, down := downHost(t, 60, make([]byte, 2<<10))
	o.Parallelism, o.MaxBodyBytes = 2, 1<<10 // every body over the limit
	var mu sync.Mutex
	reached, downAfter := 0, 0
	err := Fetch(context.Background(), o, reqs, func(f Fetched) []Request {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case errors.Is(f.Err, ErrBodyTooLarge):
			reached++
		case errors.Is(f.Err, ErrHostDown):
			down.Store(false)
			if reached > 0 {
				downAfter++
			}
			mu.Unlock()
			time.Sleep(5 * time.Millisecond) // the pages given up take a while
			mu.Lock()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if reached == 0 || downAfter > 1 { // one may have been failed while the probe was in flight
		t.Errorf("%d pages reached the host, %d failed unsent after the first did", reached, downAfter)
	}
}
