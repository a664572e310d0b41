package scrapers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/hostilepage"
)

const okPage = `<html><body><table><tr data-id="model-a"><td class="in">1.00</td></tr><tr data-id="model-b"><td class="in">2.00</td></tr></table></body></html>`

func tableAt(t *testing.T, name, url, rows string) *Table {
	return mustTable(t, TableSpec{Name: name, URL: url, Provider: name, Unit: catalog.PerMillion, Rows: rows,
		Columns: map[string]TableColumn{ColModelID: {Attr: "data-id"}, ColInput: {Selector: "td"}}})
}

// TestParseTableStopsAtDeadline: the table walker's selectors check the
// parse's context, so a parse past its deadline ends with it, named,
// rather than running its selectors to the end.
func TestParseTableStopsAtDeadline(t *testing.T) {
	tbl := tableAt(t, "deep", "http://127.0.0.1/deep", "section div td")
	body := []byte(hostilepage.DeepTable(500, 5000))
	t.Run("past the deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeoutCause(context.Background(), 100*time.Millisecond, &deadlineError{timeout: 100 * time.Millisecond})
		defer cancel()
		_, err := tbl.Parse("table", Response{URL: tbl.Spec().URL, Body: body}.WithContext(ctx))
		if !errors.Is(err, ErrSourceDeadline) || !strings.Contains(err.Error(), "parse deep table: deadline exceeded (fetch.source_timeout 100ms) after") {
			t.Fatalf("err = %v, want the source deadline named", err)
		}
	})
	t.Run("no deadline", func(t *testing.T) {
		tbl := tableAt(t, "ok", "http://127.0.0.1/ok", "tr")
		p, err := tbl.Parse("table", Response{URL: tbl.Spec().URL, Body: []byte(okPage)})
		if err != nil || len(p.Observations) != 4 {
			t.Fatalf("got %d observations, %v; want 4, nil", len(p.Observations), err)
		}
	})
}

// TestCrawlSourceDeadline: a body dripped a byte a second and a page whose
// selector would run for long each fail their own source at its deadline
// (fetch.source_timeout), named, while a healthy source is read.
func TestCrawlSourceDeadline(t *testing.T) {
	deep := hostilepage.DeepTable(500, 20000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/drip":
			hostilepage.Drip(w, r, 60)
		case "/deep":
			w.Write([]byte(deep))
		default:
			w.Write([]byte(okPage))
		}
	}))
	defer srv.Close()
	sources := []Source{
		tableAt(t, "drip", srv.URL+"/drip", "tr"),
		tableAt(t, "deep", srv.URL+"/deep", "section div td"),
		tableAt(t, "ok", srv.URL+"/ok", "tr"),
	}
	const timeout = time.Second
	start := time.Now()
	out, err := Crawl(context.Background(), Options{SourceTimeout: timeout, IgnoreRobots: true, Timeout: time.Minute}, sources, nil)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	// The drip fails while its body is read, or as the request gives up
	// (whichever notices first); the deep page while it is parsed.
	for _, c := range []struct{ source, doing string }{{"drip", "while (fetching|reading the body)"}, {"deep", "while parsing table page"}} {
		st := statsOf(out, c.source)
		if st.Status != catalog.SourceFailed || len(st.Errors) != 1 || !regexp.MustCompile(`deadline exceeded \(fetch.source_timeout 1s\) `+c.doing).MatchString(st.Errors[0]) {
			t.Errorf("%s: %s %q, want failed at its deadline %s", c.source, st.Status, st.Errors, c.doing)
		}
	}
	if st := statsOf(out, "ok"); st.Status != catalog.SourceOK || st.Observations != 4 {
		t.Errorf("ok: %s, %d observations %q; want ok, 4", st.Status, st.Observations, st.Errors)
	}
	// A bound, not a speed: the drip alone lasts a minute.
	if took > 20*time.Second {
		t.Errorf("the crawl took %s; its sources' deadlines are %s", took, timeout)
	}
}

// TestRunnerAfterALateRequest: a worker's runner goroutine serves request
// after request; one left behind by its deadline (stop) finishes in the
// background, and the next request gets a new goroutine at once.
func TestRunnerAfterALateRequest(t *testing.T) {
	var run runner
	defer run.stop()
	done := make(chan int, 3)
	run.do(func() { done <- 1 })
	run.do(func() { done <- 2 }) // the same goroutine, idle again
	if a, b := <-done, <-done; a != 1 || b != 2 {
		t.Fatalf("jobs ran as %d, %d", a, b)
	}
	release := make(chan struct{})
	run.do(func() { <-release; done <- 3 }) // a request that hangs
	run.stop()                              // its deadline passed: left behind
	next := make(chan struct{})
	go func() {
		run.do(func() { close(next) })
	}()
	select {
	case <-next:
	case <-time.After(10 * time.Second):
		t.Fatal("the request after a late one waited for it")
	}
	close(release)
	if v := <-done; v != 3 {
		t.Fatalf("the late request ended with %d", v)
	}
}
