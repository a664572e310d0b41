package scrapers

import (
	"context"
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
	srv, mute := stallServers(t) // stage_test.go

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
