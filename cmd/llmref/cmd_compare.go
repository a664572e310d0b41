package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export"
)

func init() {
	register(&command{
		name: "compare", args: "A B [--format json|text]",
		summary: "compare two models: specs, cheapest prices blended, ratios, capabilities, generated text",
		setup: func(fs *flag.FlagSet) runFunc {
			var compareFormat string
			fs.StringVar(&compareFormat, "format", "text", "output format: json (the exported record) or text")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) != 2 {
					return usageError{"compare: want two model ids, such as `llmref compare openai/gpt-5.3-codex meta/llama-3.2-1b-instruct`"}
				}
				if compareFormat != "json" && compareFormat != "text" {
					return usageError{fmt.Sprintf("compare: --format %q: want json or text", compareFormat)}
				}
				snap, err := e.readSnapshot()
				if err != nil {
					return err
				}
				c, err := compare.Compare(snap, args[0], args[1], e.cfg.Compare.Options())
				if errors.Is(err, compare.ErrUnknownModel) && len(snap.Models) == 0 {
					return fmt.Errorf("%w; the database has no models yet (run `llmref refresh` first)", err)
				}
				if err != nil {
					return err
				}
				if compareFormat == "json" {
					b, err := export.Canonical(c)
					if err != nil {
						return err
					}
					_, err = e.stdout.Write(b)
					return err
				}
				return compare.WriteText(e.stdout, c)
			}
		},
	})
}
