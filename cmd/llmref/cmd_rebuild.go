package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/llmref/llmref/refresh"
)

var rebuildExport string

func init() {
	register(&command{
		name: "rebuild", args: "[--export DIR]",
		summary: "re-read every stored page with today's parsers and normalise again, fetching nothing (after a parser fix)",
		flags: func(fs *flag.FlagSet) {
			rebuildExport = ""
			fs.StringVar(&rebuildExport, "export", "", "publish the JSON tree to this folder after the run (default: export.dir from the config)")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Sprintf("rebuild: unexpected argument %q", args[0])}
			}
			opts, err := e.refreshOptions("")
			if err != nil {
				return err
			}
			opts.ExportDir = orStr(rebuildExport, e.cfg.Export.Dir)
			return e.runOnce(ctx, opts, refresh.Rebuild)
		},
	})
}
