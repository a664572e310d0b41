package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/llmref/llmref/coverage"
	"github.com/llmref/llmref/publish"
)

func init() {
	register(&command{
		name: "coverage", group: groupRead, args: "[--format text|json]",
		summary: "how much of the reference page is sourced: per field, per creator and per model, by kind of source",
		setup: func(fs *flag.FlagSet) runFunc {
			format := formatFlag(fs)
			return func(ctx context.Context, e *env, args []string) error { return runCoverage(e, *format, args) }
		},
	})
}

// runCoverage prints the coverage of the published catalogue: as text, or
// as the document the export writes as coverage.json (the same bytes).
func runCoverage(e *env, format string, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("coverage: unexpected argument %q", args[0])}
	}
	if err := checkFormat("coverage", format); err != nil {
		return err
	}
	snap, err := e.readSnapshot()
	if err != nil {
		return err
	}
	doc := publish.Coverage(snap)
	if format == "json" {
		return writeJSON(e.stdout, doc)
	}
	return coverage.WriteText(e.stdout, doc.Report)
}
