package scrapers

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/fixtures"
)

func defaultSources() []Source {
	return []Source{
		&OpenRouter{},
		&HuggingFace{Repos: []string{"meta-llama/Llama-3.2-1B-Instruct"}},
		&OpenAI{Models: []string{"gpt-5.3-codex"}},
	}
}

func replayDay(t *testing.T, day string) *Replay {
	t.Helper()
	d, err := fixtures.Day(day)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReplay(d)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func crawlDay(t *testing.T, day string, prev map[string]catalog.Page, sources []Source) *Outcome {
	t.Helper()
	out, _ := crawlDayBodies(t, day, prev, sources)
	return out
}

// crawlDayBodies is crawlDay, with the new bodies the crawl handed over to
// keep, by SHA-256.
func crawlDayBodies(t *testing.T, day string, prev map[string]catalog.Page, sources []Source) (*Outcome, map[string][]byte) {
	t.Helper()
	return crawlDayWith(t, day, prev, sources, nil)
}

// crawlDayWith is crawlDayBodies with options set sets (a copy of each
// body kept, as the store's compression makes one).
func crawlDayWith(t *testing.T, day string, prev map[string]catalog.Page, sources []Source, set func(*Options)) (*Outcome, map[string][]byte) {
	t.Helper()
	rt := replayDay(t, day)
	o := testOptions()
	o.Transport = rt
	o.MaxBodyBytes = 1 << 20
	at := rt.Manifest().RecordedAt
	o.Now = func() time.Time { return at }
	var mu sync.Mutex
	bodies := map[string][]byte{}
	o.KeepBody = func(sum string, body []byte) {
		mu.Lock()
		bodies[sum] = bytes.Clone(body)
		mu.Unlock()
	}
	if set != nil {
		set(&o)
	}
	out, err := Crawl(context.Background(), o, sources, prev)
	if err != nil {
		t.Fatal(err)
	}
	return out, bodies
}

func pagesByURL(ps []catalog.Page) map[string]catalog.Page {
	m := map[string]catalog.Page{}
	for _, p := range ps {
		m[p.URL] = p
	}
	return m
}

func statsOf(o *Outcome, source string) catalog.SourceStats {
	for _, s := range o.Stats {
		if s.Source == source {
			return s
		}
	}
	return catalog.SourceStats{}
}

func TestCrawlReplayTwoDays(t *testing.T) {
	day1, day1Bodies := crawlDayBodies(t, "2026-04-23", nil, defaultSources())
	for _, s := range day1.Stats {
		if s.Status != catalog.SourceOK || s.Observations == 0 || len(s.Errors) > 0 {
			t.Errorf("day 1 %s: %+v", s.Source, s)
		}
	}
	if len(day1.Pages) != 4 || len(day1Bodies) != 4 {
		t.Fatalf("day 1: %d pages, %d bodies; want 4 and 4", len(day1.Pages), len(day1Bodies))
	}
	day2 := crawlDay(t, "2026-04-24", pagesByURL(day1.Pages), defaultSources())
	for name, pages := range map[string]int{"huggingface": 2, "openai": 1} {
		s := statsOf(day2, name)
		if s.Status != catalog.SourceUnchanged || s.NotModified != pages || s.Bytes != 0 {
			t.Errorf("day 2 %s: %+v; want unchanged through a 304", name, s)
		}
	}
	if s := statsOf(day2, "openrouter"); s.Status != catalog.SourceOK {
		t.Errorf("day 2 openrouter: %+v", s)
	}
	card := pagesByURL(day2.Pages)["https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct/resolve/main/README.md"]
	want := time.Date(2026, 4, 24, 2, 0, 0, 0, time.UTC)
	if !card.CheckedAt.Equal(want) || !card.Reused || len(card.Observations) == 0 || card.Count != len(card.Observations) {
		t.Errorf("a 304 must keep the page's observations and move its checked_at (the facts' retrieved_at): %+v", card)
	}
	// The same day again: OpenRouter has no validators, but the same
	// content hash means no parse and no new body.
	again, againBodies := crawlDayBodies(t, "2026-04-24", pagesByURL(day2.Pages), defaultSources())
	if s := statsOf(again, "openrouter"); s.Status != catalog.SourceUnchanged {
		t.Errorf("same content again: openrouter %+v", s)
	}
	if len(againBodies) != 0 {
		t.Errorf("unchanged run kept %d new bodies", len(againBodies))
	}
}

// TestCrawlPacksObservations: with Options.PackObservations (what a refresh
// sets) every parsed page holds its observations packed, and they read back
// as the ones a crawl without it holds.
func TestCrawlPacksObservations(t *testing.T) {
	plain, _ := crawlDayBodies(t, "2026-04-23", nil, defaultSources())
	packed, _ := crawlDayWith(t, "2026-04-23", nil, defaultSources(), func(o *Options) { o.PackObservations = true })
	want := pagesByURL(plain.Pages)
	if len(packed.Pages) != len(want) || len(want) == 0 {
		t.Fatalf("%d pages packed, %d plain", len(packed.Pages), len(want))
	}
	for _, p := range packed.Pages {
		w := want[p.URL]
		if len(p.Observations) != 0 || !p.Packed() || p.ObservationCount() != len(w.Observations) {
			t.Errorf("%s: %d observations unpacked, packed %v, count %d (want %d)", p.URL, len(p.Observations), p.Packed(), p.ObservationCount(), len(w.Observations))
		}
		if got := slices.Collect(p.Observed()); !slices.Equal(got, w.Observations) {
			t.Errorf("%s: packed observations read back as\n%v\nwant\n%v", p.URL, got, w.Observations)
		}
	}
	for _, s := range plain.Stats {
		if g := statsOf(packed, s.Source); g.Observations != s.Observations {
			t.Errorf("%s: %d observations counted packed, %d plain", s.Source, g.Observations, s.Observations)
		}
	}
}

// TestCrawlRecycleBodies: with Options.RecycleBodies (what a refresh sets)
// the crawl reads bodies into buffers it reuses, and every page's parse
// results and kept body (copied, as the store compresses it) are what a
// crawl without it makes: nothing parsed keeps a body's memory.
func TestCrawlRecycleBodies(t *testing.T) {
	plain, plainBodies := crawlDayBodies(t, "2026-04-23", nil, defaultSources())
	reused := false
	for range 3 { // buffers given back by one crawl are read into by the next
		out, kept := crawlDayWith(t, "2026-04-23", nil, defaultSources(), func(o *Options) { o.RecycleBodies = true })
		want := pagesByURL(plain.Pages)
		for _, p := range out.Pages {
			w := want[p.URL]
			if !slices.Equal(p.Observations, w.Observations) || !slices.Equal(p.Links, w.Links) || p.BodySHA256 != w.BodySHA256 {
				t.Errorf("%s: recycled bodies changed the page", p.URL)
			}
		}
		for sum, b := range plainBodies {
			if !bytes.Equal(kept[sum], b) {
				t.Errorf("body %s kept as %d bytes, want %d", sum, len(kept[sum]), len(b))
			}
		}
		if p, ok := bodyBuffers.Get().(*[]byte); ok && cap(*p) == recycledCap {
			reused = true
			recycle(*p)
		}
	}
	if !reused {
		t.Error("no body buffer was given back: the test did not recycle anything")
	}
}

// brokenTransport answers every request with a fixed status.
type brokenTransport struct{ status int }

func (b brokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/robots.txt") {
		return &http.Response{StatusCode: 404, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: r}, nil
	}
	return &http.Response{StatusCode: b.status, Body: io.NopCloser(strings.NewReader("down")), Header: http.Header{}, Request: r}, nil
}

func TestCrawlFailingSourceKeepsItsPages(t *testing.T) {
	day1 := crawlDay(t, "2026-04-23", nil, defaultSources())
	o := testOptions()
	o.Transport = brokenTransport{status: 503}
	o.MaxRetries = -1
	out, err := Crawl(context.Background(), o, defaultSources(), pagesByURL(day1.Pages))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range out.Stats {
		pages := 0
		for _, p := range day1.Pages {
			if p.Source == s.Source {
				pages++
			}
		}
		if s.Status != catalog.SourceFailed || len(s.Errors) != pages || !strings.Contains(s.Errors[0], "503") {
			t.Errorf("%s: %+v; want failed, naming the 503 for each of its %d pages", s.Source, s, pages)
		}
	}
	if len(out.Pages) != len(day1.Pages) {
		t.Fatalf("%d pages kept, want the %d earlier ones", len(out.Pages), len(day1.Pages))
	}
	for _, p := range out.Pages {
		if !p.Stale || len(p.Observations) == 0 {
			t.Errorf("%s: stale=%v with %d observations; want the earlier facts, stale", p.URL, p.Stale, len(p.Observations))
		}
	}
}

func TestCrawlParseErrorNamed(t *testing.T) {
	day := fstest.MapFS{
		"manifest.json": {Data: []byte(`{"day":"t","recorded_at":"2026-04-23T02:00:00Z","responses":[
			{"url":"https://openrouter.ai/api/v1/models","status":200,"headers":{"Content-Type":"application/json"},"body":"models.json"}]}`)},
		"models.json": {Data: []byte(`{"models":[]}`)},
	}
	rt, err := NewReplay(day)
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions()
	o.Transport = rt
	out, err := Crawl(context.Background(), o, []Source{&OpenRouter{}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := statsOf(out, "openrouter")
	if s.Status != catalog.SourceFailed || len(s.Errors) != 1 || !strings.Contains(s.Errors[0], "expected markup not found") {
		t.Errorf("stats %+v; want the parse error named", s)
	}
}

func TestReplay(t *testing.T) {
	rt := replayDay(t, "2026-04-23")
	req, _ := http.NewRequest("GET", "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct/resolve/main/README.md", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("recorded URL: %v %v", resp, err)
	}
	etag := resp.Header.Get("ETag")
	req.Header.Set("If-None-Match", etag)
	if resp, _ := rt.RoundTrip(req); resp.StatusCode != 304 {
		t.Errorf("matching If-None-Match: %d, want 304", resp.StatusCode)
	}
	req2, _ := http.NewRequest("GET", "https://example.com/unrecorded", nil)
	if resp, _ := rt.RoundTrip(req2); resp.StatusCode != 404 {
		t.Errorf("unrecorded URL: %d, want 404", resp.StatusCode)
	}
	for name, m := range map[string]string{
		"bad json":    `{`,
		"no status":   `{"responses":[{"url":"https://a/"}]}`,
		"twice":       `{"responses":[{"url":"https://a/","status":200},{"url":"https://a/","status":200}]}`,
		"no body":     `{"responses":[{"url":"https://a/","status":200,"body":"missing.json"}]}`,
		"escape":      `{"responses":[{"url":"https://a/","status":200,"body":"../x"}]}`,
		"unknown key": `{"responses":[],"extra":1}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := NewReplay(fstest.MapFS{"manifest.json": {Data: []byte(m)}}); err == nil {
				t.Errorf("manifest %s accepted", name)
			}
		})
	}
}

func TestBundledDaysLoad(t *testing.T) {
	days := fixtures.Days()
	if len(days) < 2 {
		t.Fatalf("bundled days %v, want at least two", days)
	}
	for _, d := range days {
		rt := replayDay(t, d)
		if rt.Manifest().RecordedAt.IsZero() {
			t.Errorf("%s: no recorded_at", d)
		}
	}
}

// TestStampObservationsClips: the stamped observations come back in a
// slice of their own length when the parser's had much room to spare (they
// live until the run normalises them), in the parser's own when it had
// little.
func TestStampObservationsClips(t *testing.T) {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	for _, c := range []struct{ n, room, wantCap int }{{27, 52, 27}, {8, 9, 9}, {0, 0, 0}, {100, 113, 100}, {100, 112, 112}} {
		obs := make([]catalog.Observation, c.n, c.room)
		for i := range obs {
			obs[i].Value = strconv.Itoa(i)
		}
		if c.n > 0 {
			obs[0].URL = "https://elsewhere.example/"
		}
		got := stampObservations(obs, "openai", "https://developers.openai.com/x", at)
		if len(got) != c.n || cap(got) != c.wantCap {
			t.Errorf("%d in room for %d: len %d cap %d, want cap %d", c.n, c.room, len(got), cap(got), c.wantCap)
		}
		for i, o := range got {
			wantURL := "https://developers.openai.com/x"
			if i == 0 {
				wantURL = "https://elsewhere.example/"
			}
			if o.Source != "openai" || o.URL != wantURL || !o.RetrievedAt.Equal(at) || o.Value != strconv.Itoa(i) {
				t.Errorf("observation %d stamped %+v", i, o)
			}
		}
	}
}
