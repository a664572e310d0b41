package scrapers

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// countingTransport counts the requests for each URL and, for the URLs in
// hold, waits until release is closed before answering them; the URL
// after, once answered, closes answered.
type countingTransport struct {
	next     http.RoundTripper
	mu       sync.Mutex
	n        map[string]int
	hold     map[string]bool
	release  chan struct{}
	after    string
	answered chan struct{}
	once     sync.Once
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	u := r.URL.String()
	t.mu.Lock()
	t.n[u]++
	held := t.hold[u]
	t.mu.Unlock()
	if held {
		select {
		case <-t.release:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	resp, err := t.next.RoundTrip(r)
	if u == t.after {
		t.once.Do(func() { close(t.answered) })
	}
	return resp, err
}

func (t *countingTransport) count(u string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n[u]
}

// aheadCrawl crawls the bundled day in two stages, OpenRouter's list then
// OpenAI's pages planned from two tracked models, with ahead fetched beside
// the first stage (ahead(url) makes them from the planned pages' URL).
// hold makes the transport answer the ahead URLs only once the second
// stage has been planned; otherwise the list is answered only once the
// first ahead URL was (and a moment more, for its outcome to be held).
// With no second stage, the crawl ends after the list.
func aheadCrawl(t *testing.T, ahead func(Request) Request, hold, second bool) (*Outcome, *countingTransport, []Request) {
	t.Helper()
	rt := replayDay(t, "2026-04-23")
	ct := &countingTransport{next: rt, n: map[string]int{}, hold: map[string]bool{}, release: make(chan struct{}), answered: make(chan struct{})}
	o := testOptions()
	o.Transport = ct
	at := rt.Manifest().RecordedAt
	o.Now = func() time.Time { return at }
	tr := Tracked{Models: []TrackedModel{
		{ID: "openai/gpt-5.3-codex", OpenRouterIDs: []string{"openai/gpt-5.3-codex"}},
		{ID: "openai/gpt-oss-nowhere", OpenRouterIDs: []string{"openai/gpt-oss-nowhere"}},
	}}
	planned := (&OpenAI{}).Plan(tr)
	var early []Request
	for _, r := range planned.Requests() {
		r.Source = planned.Name()
		if ahead != nil {
			early = append(early, ahead(r))
		}
		if hold {
			ct.hold[r.URL] = true
		}
	}
	if ahead != nil && !hold {
		ct.after = early[0].URL
		ct.hold["https://openrouter.ai/api/v1/models"] = true
		go func() { <-ct.answered; time.Sleep(20 * time.Millisecond); close(ct.release) }()
	}
	var once sync.Once
	next := func(context.Context, []catalog.Page) ([]Source, error) {
		var srcs []Source
		once.Do(func() {
			if second {
				srcs = []Source{planned}
			}
		})
		if hold {
			go func() { time.Sleep(20 * time.Millisecond); close(ct.release) }()
			hold = false
		}
		return srcs, nil
	}
	out, err := CrawlStaged(context.Background(), o, []Source{&OpenRouter{}}, early, next, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out, ct, planned.Requests()
}

// readPage is what a crawl read of a page.
type readPage struct {
	source, sum, err string
	status, count    int
}

// pagesOf is what a crawl read of each page, by URL.
func pagesOf(o *Outcome) map[string]readPage {
	m := map[string]readPage{}
	for _, p := range o.Pages {
		m[p.URL] = readPage{p.Source, p.BodySHA256, p.Error, p.Status, p.ObservationCount()}
	}
	return m
}

// TestCrawlAhead: requests fetched ahead of their stage give the crawl the
// same pages and figures as fetching them in it, each URL fetched once —
// whether an outcome was held until the stage asked for it, or was still
// being fetched when it did. A request ahead that is not the one the stage
// makes (another subject) is dropped, held or when it lands, and the URL
// fetched again; one no stage asks for is dropped.
func TestCrawlAhead(t *testing.T) {
	want, _, reqs := aheadCrawl(t, nil, false, true)
	if len(reqs) != 2 {
		t.Fatalf("planned %d requests; want 2", len(reqs))
	}
	wantPages := pagesOf(want)
	if _, ok := wantPages[reqs[0].URL]; !ok { // the other page is missing from the day
		t.Fatalf("%s not read without fetching ahead: %v", reqs[0].URL, wantPages)
	}
	same := func(r Request) Request { return r }
	other := func(r Request) Request { r.Subject += "-other"; return r }
	for _, tt := range []struct {
		name   string
		ahead  func(Request) Request
		hold   bool
		fetchN int // how many times each planned URL is fetched
	}{
		{"held until asked for", same, false, 1},
		{"asked for while being fetched", same, true, 1},
		{"another request for the URL", other, false, 2},
		{"another request, while being fetched", other, true, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ct, _ := aheadCrawl(t, tt.ahead, tt.hold, true)
			gotPages := pagesOf(got)
			if len(gotPages) != len(wantPages) {
				t.Fatalf("pages %v; want %v", gotPages, wantPages)
			}
			for u, p := range wantPages {
				if gotPages[u] != p {
					t.Errorf("%s: %+v; want %+v", u, gotPages[u], p)
				}
			}
			a, b := statsOf(got, "openai"), statsOf(want, "openai")
			if a.Status != b.Status || a.Requests != b.Requests || a.Missing != b.Missing || a.Observations != b.Observations {
				t.Errorf("openai %+v; want %+v", a, b)
			}
			for _, r := range reqs {
				if n := ct.count(r.URL); n != tt.fetchN {
					t.Errorf("%s fetched %d times; want %d", r.URL, n, tt.fetchN)
				}
			}
		})
	}
	t.Run("no stage asks for it", func(t *testing.T) {
		got, ct, _ := aheadCrawl(t, same, false, false)
		for _, r := range reqs {
			if _, ok := pagesOf(got)[r.URL]; ok {
				t.Errorf("%s read, though no stage asked for it", r.URL)
			}
			if ct.count(r.URL) != 1 {
				t.Errorf("%s fetched %d times; want once, ahead", r.URL, ct.count(r.URL))
			}
		}
		if st := statsOf(got, "openai"); st.Source != "" {
			t.Errorf("openai counted: %+v", st)
		}
	})
}

// TestFetchAheadBounded: at most AheadMax requests are fetched ahead, each
// URL once, none the first stage queued already and none without a source.
func TestFetchAheadBounded(t *testing.T) {
	c := &crawl{queued: map[string]string{"https://a.example/0": "list"}, ahead: map[string]*aheadFetch{}}
	var reqs []Request
	reqs = append(reqs, Request{URL: "https://a.example/nosource"})
	for i := range AheadMax + 10 {
		u := "https://a.example/" + strconv.Itoa(i)
		reqs = append(reqs, Request{Source: "s", URL: u}, Request{Source: "s", URL: u})
	}
	got := c.fetchAhead(reqs)
	if len(got) != AheadMax || len(c.ahead) != AheadMax {
		t.Fatalf("%d fetched ahead (%d registered); want %d", len(got), len(c.ahead), AheadMax)
	}
	if got[0].URL != "https://a.example/1" || got[1].URL != "https://a.example/2" {
		t.Errorf("first ahead %v, %v; want /1 and /2 (/0 is queued, the first has no source, each URL once)", got[0].URL, got[1].URL)
	}
}

// hangOnce holds the first request for each URL of hang until its context
// ends (a host that never answered it), delays the one for slow by delay,
// and answers everything else at once.
type hangOnce struct {
	next  http.RoundTripper
	hang  map[string]bool
	slow  string
	delay time.Duration
	mu    sync.Mutex
	n     map[string]int
}

func (h *hangOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	u := r.URL.String()
	h.mu.Lock()
	h.n[u]++
	first := h.n[u] == 1
	h.mu.Unlock()
	switch {
	case h.hang[u] && first:
		<-r.Context().Done()
		return nil, r.Context().Err()
	case u == h.slow:
		time.Sleep(h.delay)
	}
	return h.next.RoundTrip(r)
}

// TestCrawlAheadOutOfTime: a request fetched ahead runs under a deadline of
// its own, so that its source's time starts with its stage: one that runs
// out of it after its stage asked for it is fetched again in the stage,
// and the source reads its page.
func TestCrawlAheadOutOfTime(t *testing.T) {
	rt := replayDay(t, "2026-04-23")
	o := testOptions()
	o.SourceTimeout = 250 * time.Millisecond
	at := rt.Manifest().RecordedAt
	o.Now = func() time.Time { return at }
	planned := (&OpenAI{}).Plan(Tracked{Models: []TrackedModel{{ID: "openai/gpt-5.3-codex", OpenRouterIDs: []string{"openai/gpt-5.3-codex"}}}})
	req := planned.Requests()[0]
	req.Source = planned.Name()
	// The list is read by ~50 ms; the page fetched ahead fails at ~250.
	h := &hangOnce{next: rt, hang: map[string]bool{req.URL: true}, slow: "https://openrouter.ai/api/v1/models", delay: 50 * time.Millisecond, n: map[string]int{}}
	o.Transport = h
	staged := false
	next := func(context.Context, []catalog.Page) ([]Source, error) {
		if staged {
			return nil, nil
		}
		staged = true
		return []Source{planned}, nil
	}
	out, err := CrawlStaged(context.Background(), o, []Source{&OpenRouter{}}, []Request{req}, next, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := statsOf(out, "openai"); st.Status != catalog.SourceOK || len(st.Errors) > 0 {
		t.Errorf("openai %+v; want its page read in its own time", st)
	}
	if p, ok := pagesOf(out)[req.URL]; !ok || p.status != http.StatusOK {
		t.Errorf("page %+v", p)
	}
	if h.n[req.URL] != 2 {
		t.Errorf("fetched %d times; want twice (ahead, then in its stage)", h.n[req.URL])
	}
}

// TestClaimOutOfTime: an outcome held that failed for want of its own time
// is not the stage's: the stage fetches the URL again.
func TestClaimOutOfTime(t *testing.T) {
	req := Request{Source: "openai", URL: "https://developers.openai.com/api/docs/models/x", Kind: "model", Subject: "x"}
	late := fmt.Errorf("%w before fetching", &deadlineError{timeout: time.Second})
	for _, tt := range []struct {
		name  string
		err   error
		again bool
	}{
		{"out of time", late, true},
		{"another failure", &StatusError{Code: 500}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ahead := req
			ahead.ahead = true
			c := &crawl{ahead: map[string]*aheadFetch{req.URL: {req: ahead, state: aheadHeld, held: Fetched{Request: ahead, Err: tt.err}}}}
			r, fetch := c.claim(req)
			if !fetch || r.again != tt.again || (r.outcome == nil) != tt.again || len(c.ahead) != 0 {
				t.Errorf("claim: fetch %v, again %v, outcome %v, %d left; want again %v", fetch, r.again, r.outcome, len(c.ahead), tt.again)
			}
		})
	}
}

// TestAheadHeldBytes: the bodies held for requests fetched ahead stay
// within aheadHeldBytes: an outcome landing beyond is let go, and its URL
// fetched again when its stage asks for it; one held is handed on, and
// its bytes counted out.
func TestAheadHeldBytes(t *testing.T) {
	big := make([]byte, aheadHeldBytes/2+1)
	c := &crawl{ahead: map[string]*aheadFetch{}}
	var reqs []Request
	for _, u := range []string{"https://a.example/1", "https://a.example/2"} {
		reqs = append(reqs, Request{Source: "s", URL: u, Kind: "page"})
	}
	for _, r := range c.fetchAhead(reqs) {
		if done, again := c.landed(Fetched{Request: r, Status: http.StatusOK, Body: big}); !done || again != nil {
			t.Fatalf("%s: landed %v %v; want held or let go", r.URL, done, again)
		}
	}
	if c.heldBytes != int64(len(big)) || c.ahead[reqs[0].URL].state != aheadHeld || c.ahead[reqs[1].URL].state != aheadSpilled {
		t.Fatalf("held %d bytes, states %v %v; want the first held and the second let go", c.heldBytes, c.ahead[reqs[0].URL].state, c.ahead[reqs[1].URL].state)
	}
	if r, fetch := c.claim(reqs[1]); !fetch || !r.again || r.outcome != nil {
		t.Errorf("claiming the one let go: %+v; want it fetched again", r)
	}
	if r, fetch := c.claim(reqs[0]); !fetch || r.again || r.outcome == nil || len(r.outcome.Body) != len(big) {
		t.Errorf("claiming the one held: again %v, outcome %v; want it handed on", r.again, r.outcome != nil)
	}
	if c.heldBytes != 0 || len(c.ahead) != 0 {
		t.Errorf("%d bytes held, %d left after both were claimed", c.heldBytes, len(c.ahead))
	}
}
