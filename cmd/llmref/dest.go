package main

import (
	"flag"

	"github.com/llmref/llmref/config"
)

// destFlag registers a flag naming where a tree is published: a folder or
// s3://BUCKET/PREFIX, checked as it is parsed (a bad location is bad usage).
func destFlag(fs *flag.FlagSet, name string, dst *string, usage string) {
	fs.Func(name, usage+"; a folder or s3://BUCKET/PREFIX", func(s string) error {
		if err := config.CheckExportDir(s); err != nil {
			return err
		}
		*dst = s
		return nil
	})
}
