package catalog

import (
	"sort"
	"time"
)

// RunStatus is how a refresh run ended.
type RunStatus string

// Run statuses. A partial run committed what the working sources said and
// kept the failing sources' earlier facts.
const (
	RunOK      RunStatus = "ok"
	RunPartial RunStatus = "partial"
	RunFailed  RunStatus = "failed"
	RunRunning RunStatus = "running"
)

// SourceStatus is how one source fared in a run.
type SourceStatus string

// Source statuses.
const (
	SourceOK        SourceStatus = "ok"
	SourceUnchanged SourceStatus = "unchanged" // every response was 304 or had the same content
	SourceFailed    SourceStatus = "failed"
	SourceSkipped   SourceStatus = "skipped" // not selected for this run, or given nothing to read (a planned source, no model tracked)
	// SourceReparsed is a source of a rebuild: its stored bodies were read
	// again with today's parsers and nothing was fetched, so it says
	// nothing about whether the source can be read now.
	SourceReparsed SourceStatus = "reparsed"
)

// SourceStats are one source's figures for one run.
type SourceStats struct {
	Source       string         `json:"source"`
	Status       SourceStatus   `json:"status"`
	Requests     int            `json:"requests"`
	Statuses     map[string]int `json:"statuses"`
	Bytes        int64          `json:"bytes"`
	Retries      int            `json:"retries"`
	NotModified  int            `json:"not_modified"`
	RobotsDenied int            `json:"robots_denied"`
	Observations int            `json:"observations"`
	// Errors say why pages failed, each after its page's URL, and why the
	// source failed as a whole. At most MaxSourceErrors pages' errors are
	// kept (the first ones); ErrorsMore counts the ones left out. A
	// source whose host is down fails every page: 8,000 pages' errors made
	// /healthz 1.9 MB.
	Errors     []string `json:"errors"`
	ErrorsMore int      `json:"errors_more,omitempty"`
	// Warnings say what the source's pages held that their parsers could
	// not place and left out (a row with an unreadable price, a
	// duplicate row, an unknown variant word), each after its page's URL;
	// the rest of those pages was read. At most MaxSourceWarnings are
	// kept; WarningsMore counts the ones left out.
	Warnings     []string `json:"warnings,omitempty"`
	WarningsMore int      `json:"warnings_more,omitempty"`
	// Untracked counts a cross-check source's ids of models the catalogue
	// does not track: counted, not listed as unmatched.
	Untracked int `json:"untracked,omitempty"`
	// Missing counts the pages the source derived from the tracked models
	// that the site does not have (404 or 410): a model without that page,
	// said, not failed. MissingPages keeps the first MaxSourceWarnings of
	// their URLs.
	Missing      int      `json:"missing,omitempty"`
	MissingPages []string `json:"missing_pages,omitempty"`
	// Clipped name the scraped strings of the source's pages that were
	// over their limit (ids 200 bytes, names 300) and reached the
	// catalogue clipped, flagged with "…".
	Clipped    []string `json:"clipped,omitempty"`
	DurationMS int64    `json:"duration_ms"`
}

// MaxSourceWarnings bounds the warnings one source's stats keep in a run.
const MaxSourceWarnings = 50

// AddWarnings adds a page's warnings to the source's, each after the
// page's URL, keeping at most MaxSourceWarnings and counting the rest.
func (s *SourceStats) AddWarnings(page string, warnings []string) {
	for _, w := range warnings {
		if len(s.Warnings) >= MaxSourceWarnings {
			s.WarningsMore++
			continue
		}
		s.Warnings = append(s.Warnings, page+": "+w)
	}
}

// AddMissing counts a derived page the site does not have, keeping its
// URL while fewer than MaxSourceWarnings are kept.
func (s *SourceStats) AddMissing(page string) {
	s.Missing++
	if len(s.MissingPages) < MaxSourceWarnings {
		s.MissingPages = append(s.MissingPages, page)
	}
}

// MaxSourceErrors bounds the pages' errors one source's stats keep in a
// run.
const MaxSourceErrors = 50

// AddError adds a page's error ("URL: why"), keeping at most
// MaxSourceErrors and counting the rest.
func (s *SourceStats) AddError(msg string) {
	if len(s.Errors) >= MaxSourceErrors {
		s.ErrorsMore++
		return
	}
	s.Errors = append(s.Errors, msg)
}

// ErrorCount is how many errors the source gave, kept or not.
func (s *SourceStats) ErrorCount() int { return len(s.Errors) + s.ErrorsMore }

// ShownErrors are the errors to show (those kept; of a record written
// before they were bounded, the first MaxSourceErrors) and how many more
// the source gave.
func (s *SourceStats) ShownErrors() ([]string, int) {
	shown := s.Errors[:min(len(s.Errors), MaxSourceErrors+sourceErrorsExtra)]
	return shown, s.ErrorCount() - len(shown)
}

// sourceErrorsExtra is room for the errors about a whole source, kept
// beside its pages' MaxSourceErrors.
const sourceErrorsExtra = 4

// WarningCount is how many warnings the source gave, kept or not.
func (s *SourceStats) WarningCount() int { return len(s.Warnings) + s.WarningsMore }

// Run is the record of one refresh.
type Run struct {
	ID         uint64    `json:"id"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Status     RunStatus `json:"status"`
	Replay     string    `json:"replay,omitempty"`
	// Only names the sources the run was asked to read when that was not
	// every configured one (refresh --source, a schedule's sources, a
	// retry of the sources a run left failed): the others kept what they
	// said before.
	Only      []string      `json:"only,omitempty"`
	Sources   []SourceStats `json:"sources"`
	Models    int           `json:"models"`
	Offerings int           `json:"offerings"`
	Unmatched int           `json:"unmatched"`
	Error     string        `json:"error,omitempty"`
	// Normalization fingerprints the rules and settings the run normalised
	// under (see normalize.Settings.Fingerprint).
	Normalization string `json:"normalization,omitempty"`
	// Unchanged is set on a run that found every page unchanged and kept
	// the published catalogue without normalising again.
	Unchanged bool `json:"unchanged,omitempty"`
}

// FailedSources lists the sources that failed in the run, in name order.
func (r *Run) FailedSources() []SourceStats {
	var out []SourceStats
	for _, s := range r.Sources {
		if s.Status == SourceFailed {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}
