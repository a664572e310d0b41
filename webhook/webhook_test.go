package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// receiver answers with the given statuses in turn (the last one repeats),
// counting requests.
func receiver(t *testing.T, retryAfter string, statuses ...int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Llmref-Run") != "5" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		st := statuses[min(i, len(statuses)-1)]
		if st >= 400 && retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(st)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestWebhookDeliver(t *testing.T) {
	tests := []struct {
		name       string
		statuses   []int
		retryAfter string
		retries    int
		ok         bool
		attempts   int
		errPart    string
	}{
		{"first try", []int{200}, "", 3, true, 1, ""},
		{"503 then 204", []int{503, 204}, "", 3, true, 2, ""},
		{"429 with Retry-After 0", []int{429, 429, 200}, "0", 3, true, 3, ""},
		{"always 500: retries spent", []int{500}, "", 2, false, 3, "HTTP 500"},
		{"400 is not retried", []int{400}, "", 3, false, 1, "HTTP 400"},
		{"Retry-After past the bound gives up", []int{503}, "3600", 3, false, 1, "would pass"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := receiver(t, tt.retryAfter, tt.statuses...)
			w := Webhook{URL: srv.URL, Retries: tt.retries, Backoff: time.Millisecond, Timeout: 5 * time.Second}
			d := w.Deliver(context.Background(), 5, []byte(`{"schema_version":1}`))
			if d.OK != tt.ok || d.Attempts != tt.attempts || int(n.Load()) != tt.attempts || !strings.Contains(d.Error, tt.errPart) {
				t.Errorf("%s: delivery %+v after %d requests", tt.name, d, n.Load())
			}
			if d.Run != 5 || d.URL != srv.URL || d.At.IsZero() {
				t.Errorf("%s: record %+v", tt.name, d)
			}
		})
	}
}

// TestWebhookBounded: a receiver that never answers costs the timeout, not
// more, and a receiver that is gone fails after its retries.
func TestWebhookBounded(t *testing.T) {
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(block)
	d := Webhook{URL: slow.URL, Retries: 5, Backoff: time.Millisecond, Timeout: 300 * time.Millisecond}.Deliver(context.Background(), 5, []byte(`{}`))
	if d.OK || !strings.Contains(d.Error, "deadline") {
		t.Errorf("slow receiver: %+v", d)
	}

	gone := httptest.NewServer(http.NotFoundHandler())
	url := gone.URL
	gone.Close()
	d = Webhook{URL: url, Retries: 2, Backoff: time.Millisecond, Timeout: 5 * time.Second}.Deliver(context.Background(), 5, []byte(`{}`))
	if d.OK || d.Attempts != 3 || d.Status != 0 {
		t.Errorf("closed receiver: %+v", d)
	}
}

// TestWebhookRedirectNotFollowed: a receiver that redirects (its site
// moved to https, a trailing slash) fails the delivery naming where it
// points, with one request: followed, a 301 made the POST a GET without
// the report, and a receiver answering 200 to that made a delivery
// recorded as made.
func TestWebhookRedirectNotFollowed(t *testing.T) {
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		var posts, gets atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/moved" {
				if r.Method == http.MethodPost {
					posts.Add(1)
				} else {
					gets.Add(1)
				}
				return // 200
			}
			http.Redirect(w, r, "/moved", code)
		}))
		w := Webhook{URL: srv.URL + "/hook", Retries: 3, Backoff: time.Millisecond, Timeout: 5 * time.Second, Client: srv.Client()}
		d := w.Deliver(context.Background(), 5, []byte(`{}`))
		want := "to " + srv.URL + "/moved: redirects are not followed"
		if d.OK || d.Status != code || d.Attempts != 1 || !strings.Contains(d.Error, want) || posts.Load()+gets.Load() != 0 {
			t.Errorf("HTTP %d: delivery %+v, %d POSTs and %d GETs at the new address; want a failure naming it (%q) and nothing sent there", code, d, posts.Load(), gets.Load(), want)
		}
		srv.Close()
	}
}
