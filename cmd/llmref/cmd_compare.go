package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/llmref/llmref/compare"
)

func init() {
	register(&command{
		name: "compare", group: groupRead, args: "A B [--format text|json]",
		summary: "compare two models: specs, cheapest prices blended, ratios, capabilities, generated text",
		setup: func(fs *flag.FlagSet) runFunc {
			format := formatFlag(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) != 2 {
					return usageError{"compare: want two model ids, such as `llmref compare openai/gpt-5.3-codex meta/llama-3.2-1b-instruct`"}
				}
				if err := checkFormat("compare", *format); err != nil {
					return err
				}
				snap, err := e.readSnapshot()
				if err != nil {
					return err
				}
				// Side A is the first model named, in text and in JSON
				// (the export publishes each pair once, A the id that
				// sorts first; the record's id is the same either way).
				c, err := compare.Ordered(snap, args[0], args[1], e.cfg.Compare.Options())
				if errors.Is(err, compare.ErrUnknownModel) && len(snap.Models) == 0 {
					return fmt.Errorf("%w; the database has no models yet (run `llmref refresh` first)", err)
				}
				if err != nil {
					return err
				}
				if *format == "json" {
					return writeJSON(e.stdout, c)
				}
				return compare.WriteText(e.stdout, c)
			}
		},
	})
}
