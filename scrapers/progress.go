package scrapers

import "time"

// ProgressKind is what happened to one request.
type ProgressKind string

// The events of a request's life, in order: queued once, started once per
// attempt (Attempt > 1 is a retry), done once.
const (
	ProgressQueued  ProgressKind = "queued"
	ProgressStarted ProgressKind = "started"
	ProgressDone    ProgressKind = "done"
)

// Progress is one event of a run's fetching, for a live display or a log
// (Options.Progress). It carries figures only: the page's body stays with
// the crawl.
type Progress struct {
	Kind    ProgressKind
	Source  string
	URL     string
	Attempt int // started: 1 for the first try
	// Done: the final status (0 when no response came), the body's size
	// after decoding, the time over every attempt, and why the page
	// failed (nil for a 200 or a 304).
	Status   int
	Bytes    int64
	Duration time.Duration
	Err      error
}

// progress reports ev when the options ask for it.
func (f *fetcher) progress(ev Progress) {
	if f.o.Progress != nil {
		f.o.Progress(ev)
	}
}
