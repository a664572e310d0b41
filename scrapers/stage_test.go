package scrapers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestTimeoutNamesTheStage: a host that hangs before its headers, or in
// the middle of its body, fails the page with a timeout naming that stage
// (the crawl's error line puts the page's URL before it), not robots.txt.
func TestTimeoutNamesTheStage(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.Write([]byte("User-agent: *\nAllow: /\n"))
		case "/headers":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/body":
			w.Header().Set("Content-Length", "100")
			w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	defer close(release)
	for _, tt := range []struct{ path, stage string }{{"/headers", "headers"}, {"/body", "body"}} {
		// Go's client names the stage itself when its own timer fires
		// first ("Client.Timeout exceeded while awaiting headers"); the
		// stage transport does when the request's context ends first.
		t.Run(tt.path, func(t *testing.T) {
			o := Options{Timeout: 300 * time.Millisecond, MaxRetries: NoRetries}
			var got Fetched
			err := Fetch(context.Background(), o, []Request{{Source: "s", URL: srv.URL + tt.path}}, func(f Fetched) []Request { got = f; return nil })
			if err != nil {
				t.Fatal(err)
			}
			msg := ""
			if got.Err != nil {
				msg = got.Err.Error()
			}
			if !strings.Contains(msg, "timeout") || !strings.Contains(msg, tt.stage) || strings.Contains(msg, "robots.txt") {
				t.Errorf("error %q; want a timeout naming %q", msg, tt.stage)
			}
		})
	}
}
