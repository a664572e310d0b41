package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/scrapers"
)

func init() {
	register(&command{
		name: "record", group: groupRun, args: "DIR [--source NAME]... [--format text|json]",
		summary: "capture the configured sources' live responses into a fixture day that `refresh --replay DIR` plays back",
		setup: func(fs *flag.FlagSet) runFunc {
			var sources stringList
			fs.Var(&sources, "source", "record only this source (repeatable)")
			format := formatFlag(fs)
			return func(ctx context.Context, e *env, args []string) error {
				return runRecord(ctx, e, sources, *format, args)
			}
		},
	})
}

// recordReport is `llmref record --format json` (documented in the README).
type recordReport struct {
	Dir string `json:"dir"`
	// Day and RecordedAt are the written day's; Responses counts its
	// recorded responses. Day is empty and Responses 0 when nothing was
	// written.
	Day        string    `json:"day"`
	RecordedAt time.Time `json:"recorded_at"`
	Responses  int       `json:"responses"`
	// Sources are each source's figures, as in a run record.
	Sources []catalog.SourceStats `json:"sources"`
}

func runRecord(ctx context.Context, e *env, recordSources stringList, format string, args []string) error {
	if len(args) != 1 {
		return usageError{"record: want one folder: llmref record DIR"}
	}
	if err := checkFormat("record", format); err != nil {
		return err
	}
	dir := args[0]
	all, err := e.cfg.BuildSources()
	if err != nil {
		return err
	}
	sources, err := scrapers.Select(all, recordSources)
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, e.cfg.RunTimeout())
	defer cancel()
	opts := refresh.Options{Sources: sources, Fetch: e.cfg.FetchOptions(), Normalization: e.cfg.Normalization(), Track: e.cfg.Track.Policy(), Logger: e.log}
	stopProgress := e.showProgress(&opts)
	res, err := refresh.Record(ctx, opts, dir)
	stopProgress()
	switch {
	case res == nil || res.Outcome == nil:
	case format == "json":
		rep := recordReport{Dir: dir, Sources: res.Outcome.Stats}
		if m := res.Manifest; m != nil {
			rep.Day, rep.RecordedAt, rep.Responses = m.Day, m.RecordedAt, len(m.Responses)
		}
		if rep.Sources == nil {
			rep.Sources = []catalog.SourceStats{}
		}
		if werr := writeJSON(e.stdout, rep); werr != nil && err == nil {
			err = werr
		}
	case !e.quiet:
		printRecordSummary(e, res, dir)
	}
	if err != nil {
		return err
	}
	var failed []string
	for _, s := range res.Outcome.Stats {
		if s.Status != catalog.SourceFailed {
			continue
		}
		why := "failed"
		if len(s.Errors) > 0 {
			why = s.Errors[0]
		}
		failed = append(failed, s.Source+": "+why)
	}
	if len(failed) > 0 {
		return partialError{fmt.Errorf("recorded %s, but some sources failed (their answers are recorded as they came): %s", dir, strings.Join(failed, "; "))}
	}
	return nil
}

func printRecordSummary(e *env, res *scrapers.RecordResult, dir string) {
	w := e.stdout
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSTATUS\tREQUESTS\tRETRIES\tROBOTS DENIED\tBYTES\tOBSERVATIONS\tERRORS")
	for _, s := range res.Outcome.Stats {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", s.Source, s.Status, s.Requests, s.Retries, s.RobotsDenied, s.Bytes, s.Observations, s.ErrorCount())
	}
	tw.Flush()
	for _, s := range res.Outcome.Stats {
		printErrors(w, s) // cmd_refresh.go
	}
	if m := res.Manifest; m != nil {
		fmt.Fprintf(w, "recorded %d responses (day %s) in %s; replay with: llmref refresh --replay %s\n", len(m.Responses), m.Day, dir, dir)
	}
}
