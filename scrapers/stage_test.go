package scrapers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// stallServers starts two loopback servers that hang until the test ends:
// stall answers robots.txt, then hangs before the headers of any page under
// /headers/ and in the middle of the body of any page under /body/; mute
// takes connections and answers nothing, robots.txt included.
func stallServers(t *testing.T) (stall, mute *httptest.Server) {
	release := make(chan struct{})
	hang := func(r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	stall = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	t.Cleanup(stall.Close)
	mute = httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { hang(r) }))
	t.Cleanup(mute.Close)
	t.Cleanup(func() { close(release) }) // first: a handler still waiting lets the servers close
	return stall, mute
}

// TestTimeoutNamesTheStage: a host that hangs before its headers, or in
// the middle of its body, fails the page with a timeout naming that stage
// (the crawl's error line puts the page's URL before it), not robots.txt.
func TestTimeoutNamesTheStage(t *testing.T) {
	srv, _ := stallServers(t)
	for _, tt := range []struct{ path, stage string }{{"/headers/", "headers"}, {"/body/", "body"}} {
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
