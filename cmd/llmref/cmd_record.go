package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/textsafe"
	"github.com/llmref/llmref/scrapers"
)

func init() {
	register(&command{
		name: "record", args: "DIR [--source NAME]...",
		summary: "capture the configured sources' live responses into a fixture day that `refresh --replay DIR` plays back",
		setup: func(fs *flag.FlagSet) runFunc {
			var sources stringList
			fs.Var(&sources, "source", "record only this source (repeatable)")
			return func(ctx context.Context, e *env, args []string) error { return runRecord(ctx, e, sources, args) }
		},
	})
}

func runRecord(ctx context.Context, e *env, recordSources stringList, args []string) error {
	if len(args) != 1 {
		return usageError{"record: want one folder: llmref record DIR"}
	}
	dir := args[0]
	all, err := e.cfg.BuildSources()
	if err != nil {
		return err
	}
	sources := all
	if len(recordSources) > 0 {
		sources = nil
		for _, name := range recordSources {
			i := -1
			for j, s := range all {
				if s.Name() == name {
					i = j
				}
			}
			if i < 0 {
				names := make([]string, len(all))
				for j, s := range all {
					names[j] = s.Name()
				}
				return usageError{fmt.Sprintf("record: unknown source %q (configured: %s)", name, strings.Join(names, ", "))}
			}
			sources = append(sources, all[i])
		}
	}
	ctx, cancel := context.WithTimeout(ctx, e.cfg.RunTimeout())
	defer cancel()
	res, err := scrapers.Record(ctx, e.cfg.FetchOptions(), sources, dir)
	if res != nil && res.Outcome != nil && !e.quiet {
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
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", s.Source, s.Status, s.Requests, s.Retries, s.RobotsDenied, s.Bytes, s.Observations, len(s.Errors))
	}
	tw.Flush()
	for _, s := range res.Outcome.Stats {
		for _, msg := range s.Errors {
			textsafe.Fprintf(w, "  %s: %s\n", s.Source, msg)
		}
	}
	if m := res.Manifest; m != nil {
		fmt.Fprintf(w, "recorded %d responses (day %s) in %s; replay with: llmref refresh --replay %s\n", len(m.Responses), m.Day, dir, dir)
	}
}
