package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/llmref/llmref/refresh"
)

func init() {
	register(&command{
		name: "rebuild", group: groupRun, args: "[--export DIR] [--format text|json]",
		summary: "re-read every stored page with today's parsers and normalise again, fetching nothing (after a parser fix)",
		setup: func(fs *flag.FlagSet) runFunc {
			var exportDir string
			exportFlag(fs, &exportDir, "publish the JSON tree to this folder after the run")
			format := formatFlag(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usageError{fmt.Sprintf("rebuild: unexpected argument %q", args[0])}
				}
				if err := checkFormat("rebuild", *format); err != nil {
					return err
				}
				opts, err := e.refreshOptions("", exportDir)
				if err != nil {
					return err
				}
				return e.runOnce(ctx, e.openExisting, opts, refresh.Rebuild, *format)
			}
		},
	})
}
