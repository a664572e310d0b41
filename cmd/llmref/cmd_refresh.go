package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/internal/textsafe"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// refreshFlags are `llmref refresh`'s flags.
type refreshFlags struct {
	sources stringList
	failed  bool
	replay  string
	export  string
	format  *string
}

func init() {
	register(&command{
		name: "refresh", group: groupRun, floorAtWork: true, args: "[--source NAME]... [--failed] [--replay DIR] [--export DIR] [--format text|json]",
		summary: "one run: fetch every source, normalise, commit, export (exit 0 ok, 3 partial, 1 error)",
		setup: func(fs *flag.FlagSet) runFunc {
			f := &refreshFlags{}
			fs.Var(&f.sources, "source", "read only this source (repeatable)")
			fs.BoolVar(&f.failed, "failed", false, "read again only the sources the last run left failed (nothing to do, exit 0, when none did)")
			fs.StringVar(&f.replay, "replay", "", "answer every request from a fixture day: a folder with a manifest.json, or a bundled day (2026-04-23)")
			exportFlag(fs, &f.export, "publish the JSON tree to this folder after the run")
			f.format = formatFlag(fs)
			return f.run
		},
	})
}

// exportFlag registers --export, the tree a command publishes to.
func exportFlag(fs *flag.FlagSet, dst *string, what string) {
	destFlag(fs, "export", dst, what+" (default: export.dir from the config)")
}

func (f *refreshFlags) run(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("refresh: unexpected argument %q", args[0])}
	}
	if err := checkFormat("refresh", *f.format); err != nil {
		return err
	}
	opts, err := e.refreshOptions(f.replay, f.export)
	if err != nil {
		return err
	}
	// A source name that is not configured is a usage mistake: say so
	// before the database is opened.
	if _, err := scrapers.Select(opts.Sources, f.sources); err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	opts.Only = f.sources
	if !f.failed {
		return e.runOnce(ctx, e.openStore, opts, refresh.Run, *f.format)
	}
	if len(f.sources) > 0 {
		return usageError{"refresh: --failed reads the sources the last run left failed: it takes no --source"}
	}
	open := func() (*store.Store, error) {
		st, err := e.openExisting()
		if errors.Is(err, store.ErrNoDatabase) { // nothing has run, so nothing failed; no file is made
			return nil, fmt.Errorf("%w (no run yet: no database at %s)", refresh.ErrNothingFailed, e.dbPath)
		}
		return st, err
	}
	err = e.runOnce(ctx, open, opts, refresh.RunFailed, *f.format)
	if !errors.Is(err, refresh.ErrNothingFailed) {
		return err
	}
	switch {
	case *f.format == "json":
		return writeJSON(e.stdout, map[string]any{"run": nil, "nothing_to_do": err.Error()})
	case !e.quiet:
		fmt.Fprintln(e.stdout, err)
	}
	return nil
}

// runOnce opens the database for writing (with open: openStore, or
// openExisting for a run that needs one there) and performs one run (a
// refresh or a rebuild) within the configured run timeout, printing its summary
// in format (text unless -q, or json); a partial run exits 3, one that
// committed nothing (no source read) 1.
func (e *env) runOnce(ctx context.Context, open func() (*store.Store, error), opts refresh.Options, run func(context.Context, *store.Store, refresh.Options) (*refresh.Result, error), format string) error {
	st, err := open()
	if err != nil {
		return err
	}
	defer st.Close() // a signal's grace is run's, as every command's (see command.drains)
	ctx, cancel := context.WithTimeout(ctx, e.cfg.RunTimeout())
	defer cancel()
	stopProgress := e.showProgress(&opts)
	res, err := run(ctx, st, opts)
	stopProgress()
	switch {
	case res == nil:
	case format == "json":
		if werr := writeJSON(e.stdout, newRunReport(res)); werr != nil && err == nil {
			err = werr
		}
	case !e.quiet:
		printRunSummary(e.stdout, res)
	}
	if errors.Is(err, refresh.ErrPartial) {
		return partialError{fmt.Errorf("%w: %s", err, failedSummary(res.Run))}
	}
	if errors.Is(err, refresh.ErrFailed) && len(res.Run.FailedSources()) > 0 {
		return fmt.Errorf("%w (%s)", err, failedSummary(res.Run))
	}
	return err
}

// refreshOptions wires the configuration (and a replayed fixture day, if
// any) into a run that publishes to exportDir (export.dir when empty).
func (e *env) refreshOptions(replay, exportDir string) (refresh.Options, error) {
	sources, err := e.cfg.BuildSources()
	if err != nil {
		return refresh.Options{}, err
	}
	opts := refresh.Options{Sources: sources, Fetch: e.cfg.FetchOptions(), Normalization: e.cfg.Normalization(), Track: e.cfg.Track.Policy(), Logger: e.log}
	rules := e.cfg.Review.Rules()
	opts.Review = &rules // the changes stage's rules
	opts.Publisher = e.publisher(exportDir)
	opts.Kept = raiseHeapFloorFor
	if replay != "" {
		day, name, err := fixtures.Open(replay)
		if err != nil {
			return refresh.Options{}, fmt.Errorf("replay: %w", err)
		}
		rt, err := scrapers.NewReplay(day)
		if err != nil {
			return refresh.Options{}, fmt.Errorf("replay %s: %w", replay, err)
		}
		opts.Fetch.Transport = rt
		opts.Replay = name
		opts.Now = replayClock(rt.Manifest().RecordedAt)
	}
	return opts, nil
}

// replayClock starts at the fixture day's recording time and runs on, so
// replayed facts carry the day's dates.
func replayClock(at time.Time) func() time.Time {
	if at.IsZero() {
		return time.Now
	}
	start := time.Now()
	return func() time.Time { return at.Add(time.Since(start)) }
}

func failedSummary(r catalog.Run) string {
	var parts []string
	for _, s := range r.FailedSources() {
		why := "failed"
		if len(s.Errors) > 0 {
			why = s.Errors[0]
			if n := s.ErrorCount(); n > 1 {
				why += fmt.Sprintf(" (+%d more)", n-1)
			}
		}
		parts = append(parts, s.Source+": "+why)
	}
	return strings.Join(parts, "; ")
}

// runReport is a refresh's or a rebuild's summary as `--format json`
// prints it (documented in the README).
type runReport struct {
	// Run is the run record: id, times, status, counts, and each source's
	// figures (requests, retries, 304s, bytes, observations, errors).
	Run catalog.Run `json:"run"`
	// Held counts the holds the run gave (new ones and ones seen again);
	// HoldIDs are their ids, for `llmref approve` and `reject`.
	Held    int      `json:"held"`
	HoldIDs []uint64 `json:"hold_ids"`
	// Warnings counts the values that could not be read (the log has them).
	Warnings int `json:"warnings"`
	// Export is what the run published; null when it published nothing.
	Export *export.Stats `json:"export"`
}

func newRunReport(res *refresh.Result) runReport {
	r := runReport{Run: res.Run, Held: len(res.Held), HoldIDs: []uint64{}, Warnings: len(res.Warnings), Export: res.Export}
	for _, h := range res.Held {
		r.HoldIDs = append(r.HoldIDs, h.ID)
	}
	if r.Run.Sources == nil {
		r.Run.Sources = []catalog.SourceStats{}
	}
	return r
}

// summaryWarnings is how many of a source's warnings the summary shows.
const summaryWarnings = 3

func printRunSummary(w io.Writer, res *refresh.Result) {
	r := res.Run
	held := ""
	if n := len(res.Held); n > 0 {
		held = fmt.Sprintf("; %d held for review (llmref review)", n)
	}
	unchanged := ""
	if r.Unchanged {
		unchanged = "; every page unchanged, the catalogue kept"
	}
	fmt.Fprintf(w, "run %d %s: %d models, %d offerings, %d unmatched ids%s%s\n", r.ID, r.Status, r.Models, r.Offerings, r.Unmatched, held, unchanged)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSTATUS\tREQUESTS\tRETRIES\t304\tBYTES\tOBSERVATIONS\tERRORS")
	for _, s := range r.Sources {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", s.Source, s.Status, s.Requests, s.Retries, s.NotModified, s.Bytes, s.Observations, s.ErrorCount())
	}
	tw.Flush()
	for _, s := range r.Sources {
		printErrors(w, s)
		// What a parser left out of a page it read: a few lines, then a count.
		shown := min(len(s.Warnings), summaryWarnings)
		for _, msg := range s.Warnings[:shown] {
			fmt.Fprintf(w, "  %s: warning: %s\n", s.Source, msg)
		}
		if n := s.WarningCount() - shown; n > 0 {
			fmt.Fprintf(w, "  %s: +%d more warnings\n", s.Source, n)
		}
		if s.Missing > 0 {
			do := "do"
			if s.Missing == 1 {
				do = "does"
			}
			textsafe.Fprintf(w, "  %s: %s derived from the tracked models %s not exist (404 or 410), e.g. %s\n", s.Source, plural(s.Missing, "page"), do, s.MissingPages[0])
		}
		if n := len(s.Clipped); n > 0 {
			textsafe.Fprintf(w, "  %s: %d scraped strings clipped: %s\n", s.Source, n, strings.Join(s.Clipped[:min(n, summaryWarnings)], "; "))
		}
		if s.Untracked > 0 {
			ids := "ids"
			if s.Untracked == 1 {
				ids = "id"
			}
			fmt.Fprintf(w, "  %s: %d %s of models llmref does not track (a cross-check: counted, not listed as unmatched)\n", s.Source, s.Untracked, ids)
		}
	}
	if n := len(res.Warnings); n > 0 {
		fmt.Fprintf(w, "%d values could not be read (see the log)\n", n)
	}
	if res.Export != nil {
		fmt.Fprintln(w, exportedLine(res.Export))
	}
}

// printErrors lists a source's errors as its stats keep them, then how
// many more it gave.
func printErrors(w io.Writer, s catalog.SourceStats) {
	errs, more := s.ShownErrors()
	for _, msg := range errs {
		textsafe.Fprintf(w, "  %s: %s\n", s.Source, msg)
	}
	if more > 0 {
		fmt.Fprintf(w, "  %s: +%d more errors\n", s.Source, more)
	}
}
