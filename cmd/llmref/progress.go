package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/scrapers"
)

// showProgress makes a run's fetching visible, and returns what ends it:
// on a terminal, live lines per source on stderr (the run's log lines,
// the publisher's among them, go above them); with --log-format json, a structured event per page and
// retry; under -q, or without a terminal in text, nothing (the summary and
// the errors say what happened).
func (e *env) showProgress(o *refresh.Options) (stop func()) {
	switch {
	case e.quiet:
	case e.logFormat == "json":
		// Progress events are what a json log of a run is for: logged at
		// Info even where the run's own log starts at Warn.
		o.Fetch.Progress = logProgress(slog.New(slog.NewJSONHandler(e.stderr, nil)))
	case e.tty:
		live := newLiveProgress(e.stderr, e.width, 150*time.Millisecond)
		o.Fetch.Progress = live.event
		o.Logger = slog.New(slog.NewTextHandler(live, &slog.HandlerOptions{Level: e.logLevel}))
		if o.Publisher != nil {
			// The publisher logs too ("exported", "published tree",
			// "webhook delivered"): through the block, or the next
			// redraw erases its lines. A copy, so the caller's keeps its
			// logger once the block is gone.
			p := *o.Publisher
			p.Logger = o.Logger
			o.Publisher = &p
		}
		return live.close
	}
	return func() {}
}

// slowPage is how long a request runs before the live line names it.
const slowPage = 2 * time.Second

// liveProgress draws one line per source on a terminal while a run fetches
// (pages done/planned, bytes, errors, retries, the page being waited on
// when one is slow), redrawn in place; close erases the lines, and the
// summary table takes their place. Log lines written through it (it is the
// logger's writer meanwhile) go above the block.
type liveProgress struct {
	mu      sync.Mutex
	w       io.Writer
	width   int
	order   []string
	sources map[string]*sourceProgress
	drawn   int // lines on screen
	stop    chan struct{}
	stopped chan struct{}
}

type sourceProgress struct {
	planned, done, errors, retries int
	bytes                          int64
	inflight                       map[string]time.Time
}

// newLiveProgress starts redrawing on w (a terminal width columns wide)
// every tick.
func newLiveProgress(w io.Writer, width int, tick time.Duration) *liveProgress {
	p := &liveProgress{w: w, width: max(width, 40), sources: map[string]*sourceProgress{}, stop: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.redraw()
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// event is the fetcher's Options.Progress.
func (p *liveProgress) event(ev scrapers.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sources[ev.Source]
	if s == nil {
		s = &sourceProgress{inflight: map[string]time.Time{}}
		p.sources[ev.Source] = s
		p.order = append(p.order, ev.Source)
	}
	switch ev.Kind {
	case scrapers.ProgressQueued:
		s.planned++
	case scrapers.ProgressStarted:
		s.inflight[ev.URL] = time.Now()
		if ev.Attempt > 1 {
			s.retries++
		}
	case scrapers.ProgressDone:
		delete(s.inflight, ev.URL)
		s.done++
		s.bytes += ev.Bytes
		if ev.Err != nil {
			s.errors++
		}
	}
}

// Write puts a log line above the live block.
func (p *liveProgress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.erase()
	n, err := p.w.Write(b)
	p.redraw()
	return n, err
}

// close stops the redrawing and erases the block.
func (p *liveProgress) close() {
	close(p.stop)
	<-p.stopped
	p.mu.Lock()
	defer p.mu.Unlock()
	p.erase()
}

// erase moves to the block's first line and clears to the end of the
// screen.
func (p *liveProgress) erase() {
	if p.drawn > 0 {
		fmt.Fprintf(p.w, "\r\x1b[%dA\x1b[J", p.drawn)
		p.drawn = 0
	}
}

func (p *liveProgress) redraw() {
	p.erase()
	if len(p.order) == 0 {
		return
	}
	var b strings.Builder
	for _, name := range p.order {
		line := progressLine(name, p.sources[name], time.Now())
		if r := []rune(line); len(r) > p.width-1 {
			line = string(r[:p.width-2]) + "…"
		}
		b.WriteString(line + "\n")
	}
	io.WriteString(p.w, b.String())
	p.drawn = len(p.order)
}

// progressLine is one source's live line: "openrouter  3/5 pages  1.2 MB
// 1 error  2 retries  waiting 4s for https://…".
func progressLine(name string, s *sourceProgress, now time.Time) string {
	line := fmt.Sprintf("%-20s %d/%d pages  %s", name, s.done, s.planned, byteSize(s.bytes))
	if s.errors > 0 {
		line += "  " + plural(s.errors, "error")
	}
	if s.retries > 0 {
		line += "  " + plural(s.retries, "retry")
	}
	var slow string
	var since time.Time
	for u, t := range s.inflight {
		if since.IsZero() || t.Before(since) || t.Equal(since) && u < slow {
			slow, since = u, t
		}
	}
	if slow != "" && now.Sub(since) >= slowPage {
		line += fmt.Sprintf("  waiting %s for %s", now.Sub(since).Truncate(time.Second), slow)
	}
	return line
}

// byteSize is a byte count for a person: "812 B", "1.2 kB", "3.4 MB".
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1_000_000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// logProgress logs each page's outcome as a structured event (with
// --log-format json): the source, the URL, the status, the bytes, the
// attempts' time and the error.
func logProgress(log *slog.Logger) func(scrapers.Progress) {
	return func(ev scrapers.Progress) {
		switch ev.Kind {
		case scrapers.ProgressStarted:
			if ev.Attempt > 1 {
				log.Info("progress", "event", "retry", "source", ev.Source, "url", ev.URL, "attempt", ev.Attempt)
			}
		case scrapers.ProgressDone:
			attrs := []any{"event", "done", "source", ev.Source, "url", ev.URL, "status", ev.Status, "bytes", ev.Bytes, "duration_ms", ev.Duration.Milliseconds()}
			if ev.Err != nil {
				attrs = append(attrs, "error", ev.Err.Error())
			}
			log.Info("progress", attrs...)
		}
	}
}
