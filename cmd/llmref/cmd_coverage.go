package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/llmref/llmref/coverage"
	"github.com/llmref/llmref/publish"
)

// coverageFlags are the flags of `llmref coverage`.
type coverageFlags struct {
	format string
}

func init() {
	register(&command{
		name: "coverage", args: "[--format text|json]",
		summary: "how much of the reference page is sourced: per field, per creator and per model, by kind of source",
		setup: func(fs *flag.FlagSet) runFunc {
			var f coverageFlags
			fs.StringVar(&f.format, "format", "text", "output format: text or json (the export's coverage.json)")
			return func(ctx context.Context, e *env, args []string) error { return runCoverage(e, f, args) }
		},
	})
}

func runCoverage(e *env, f coverageFlags, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("coverage: unexpected argument %q", args[0])}
	}
	if f.format != "text" && f.format != "json" {
		return usageError{fmt.Sprintf("coverage: --format %q: want text or json", f.format)}
	}
	snap, err := e.readSnapshot()
	if err != nil {
		return err
	}
	doc := publish.Coverage(snap)
	if f.format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	return coverage.WriteText(e.stdout, doc.Report)
}
