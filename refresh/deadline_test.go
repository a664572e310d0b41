package refresh

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// hostHangs holds every request to host until its context ends, as a
// server that accepts and never answers.
type hostHangs struct {
	host string
	next http.RoundTripper
}

func (h hostHangs) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == h.host {
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	return h.next.RoundTrip(r)
}

// TestSourceDeadlineFailsItAlone: a source whose host never answers
// fails at its own deadline, named, and the run commits the others
// (partial), keeping the late source's earlier facts stale.
func TestSourceDeadlineFailsItAlone(t *testing.T) {
	st := openStore(t)
	if _, err := Run(context.Background(), st, replayOptions(t, "2026-04-23")); err != nil {
		t.Fatal(err)
	}
	o := replayOptions(t, "2026-04-24")
	o.Fetch.Transport = hostHangs{host: "openrouter.ai", next: o.Fetch.Transport}
	o.Fetch.SourceTimeout = 300 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := Run(ctx, st, o)
	if !errors.Is(err, ErrPartial) || res == nil {
		t.Fatalf("run: %v", err)
	}
	for _, s := range res.Run.Sources {
		late := strings.HasPrefix(s.Source, "openrouter")
		switch {
		case late && (s.Status != catalog.SourceFailed || len(s.Errors) == 0 || !strings.Contains(s.Errors[0], "deadline exceeded (fetch.source_timeout 300ms)")):
			t.Errorf("%s: %s %q; want failed at its deadline", s.Source, s.Status, s.Errors)
		case !late && s.Status == catalog.SourceFailed:
			t.Errorf("%s failed: %q", s.Source, s.Errors)
		}
	}
}

func TestSourceTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	for _, tc := range []struct {
		name       string
		ctx        context.Context
		configured time.Duration
		lo, hi     time.Duration
	}{
		{"no deadline, none set", context.Background(), 0, 0, 0},
		{"no deadline, set", context.Background(), time.Minute, time.Minute, time.Minute},
		{"a share of the run's time left", ctx, 0, 29 * time.Second, 30 * time.Second},
		{"set, within the share", ctx, 10 * time.Second, 10 * time.Second, 10 * time.Second},
		{"set, beyond the share", ctx, time.Minute, 29 * time.Second, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sourceTimeout(tc.ctx, tc.configured); got < tc.lo || got > tc.hi {
				t.Errorf("sourceTimeout = %s, want %s..%s", got, tc.lo, tc.hi)
			}
		})
	}
}

// TestStopped: a run past its deadline stops before it commits, naming
// the stage and the cause.
func TestStopped(t *testing.T) {
	if err := stopped(context.Background(), "commit"); err != nil {
		t.Fatalf("live context: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := stopped(ctx, "commit"); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped before commit, nothing committed") {
		t.Errorf("err = %v", err)
	}
}

// cancelOn is a log handler that cancels a run's context at the first
// record with message msg: a SIGTERM at that point of the run.
type cancelOn struct {
	msg    string
	cancel context.CancelFunc
}

func (c cancelOn) Enabled(context.Context, slog.Level) bool { return true }
func (c cancelOn) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c cancelOn) WithGroup(string) slog.Handler            { return c }
func (c cancelOn) Handle(_ context.Context, r slog.Record) error {
	if r.Message == c.msg {
		c.cancel()
	}
	return nil
}

// TestStopAfterTheCrawl: a run stopped once its pages are read (the
// normalisation and the pages' encoding stop at once, not at their end),
// or once it has reviewed the new catalogue, says so and commits nothing:
// the published catalogue is the last run's.
func TestStopAfterTheCrawl(t *testing.T) {
	for _, at := range []string{
		"source",  // logged once the crawl is over
		"changes", // logged once the review is done
	} {
		t.Run(at, func(t *testing.T) {
			st := openStore(t)
			if _, err := Run(context.Background(), st, replayOptions(t, "2026-04-23")); err != nil {
				t.Fatal(err)
			}
			before, err := st.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			o := replayOptions(t, "2026-04-24")
			o.Logger = slog.New(cancelOn{msg: at, cancel: cancel})
			res, err := Run(ctx, st, o)
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped before commit, nothing committed") || res != nil {
				t.Fatalf("run stopped at %q: %v (result %v)", at, err, res != nil)
			}
			runs, err := st.Runs()
			if err != nil || len(runs) != 1 {
				t.Fatalf("runs after the stopped one: %d (%v)", len(runs), err)
			}
			after, err := st.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(before)
			b, _ := json.Marshal(after)
			if string(a) != string(b) {
				t.Error("the stopped run changed the published catalogue")
			}
			if problems, err := st.Check(); err != nil || len(problems) > 0 {
				t.Errorf("check after the stopped run: %v %v", err, problems)
			}
		})
	}
}
