package scrapers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// TestCrawlTimeoutNamesStageAndPage: a host that never completes a
// connection, one that never sends a page's headers and one that stalls in
// its body each fail the source with one error line naming the page and
// the stage where it hung (connect, headers, body), not robots.txt (which
// is answered, or which, for a host that takes no connection, was only the
// first request to find that out); a host whose robots.txt itself hangs
// names robots.txt, for that is what hung. Everything stays on loopback,
// each request bounded by a short timeout.
func TestCrawlTimeoutNamesStageAndPage(t *testing.T) {
	release := make(chan struct{})
	hang := func(r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/robots.txt":
			w.Write([]byte("User-agent: *\nAllow: /\n"))
		case strings.HasPrefix(r.URL.Path, "/headers/"):
			hang(r)
		case strings.HasPrefix(r.URL.Path, "/body/"):
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "100")
			w.Write([]byte(`{"data": [`))
			w.(http.Flusher).Flush()
			hang(r)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	mute := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { hang(r) }))
	defer mute.Close()
	defer close(release) // first: a handler still waiting lets the servers close

	for _, tc := range []struct {
		name, stage string
		base        func(t *testing.T) string
		robots      bool // the error names robots.txt
	}{
		{"connect", "connect", noAcceptBase, false},
		{"headers", "headers", func(*testing.T) string { return srv.URL + "/headers" }, false},
		{"body", "body", func(*testing.T) string { return srv.URL + "/body" }, false},
		{"robots.txt hangs", "headers", func(*testing.T) string { return mute.URL }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &OpenRouter{BaseURL: tc.base(t)}
			page := src.Requests()[0].URL
			o := testOptions()
			o.Timeout, o.MaxRetries = 300*time.Millisecond, NoRetries
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			out, err := Crawl(ctx, o, []Source{src}, nil)
			if err != nil {
				t.Fatal(err)
			}
			st := statsOf(out, src.Name())
			if st.Status != catalog.SourceFailed || len(st.Errors) != 1 {
				t.Fatalf("source %s, errors %q; want it failed with one error", st.Status, st.Errors)
			}
			msg := st.Errors[0]
			t.Log(msg)
			if !strings.HasPrefix(msg, page+": ") || !strings.Contains(msg, "timeout") || !strings.Contains(msg, tc.stage+": ") || strings.Contains(msg, "robots.txt") != tc.robots {
				t.Errorf("error %q; want the page %s, a timeout at stage %q, robots.txt named: %v", msg, page, tc.stage, tc.robots)
			}
		})
	}
}
