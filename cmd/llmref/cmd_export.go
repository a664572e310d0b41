package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/store"
)

var exportOut string

func init() {
	register(&command{
		name: "export", args: "--out DIR",
		summary: "publish the JSON tree (index, models, offerings, per-model files) atomically",
		flags: func(fs *flag.FlagSet) {
			exportOut = ""
			fs.StringVar(&exportOut, "out", "", "folder to publish the tree to (a symbolic link swapped atomically)")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			out := orStr(exportOut, e.cfg.Export.Dir)
			if out == "" {
				return usageError{"export: --out DIR is required (or export.dir in the config)"}
			}
			if len(args) > 0 {
				return usageError{fmt.Sprintf("export: unexpected argument %q", args[0])}
			}
			st, err := e.openReader()
			if err != nil {
				return err
			}
			defer st.Close()
			snap, err := st.Snapshot()
			if err != nil {
				return err
			}
			run, err := st.LastRun()
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("export: the database has no run yet (run `llmref refresh` first)")
			}
			if err != nil {
				return err
			}
			stats, err := refresh.Publish(st, out, snap, run, refresh.WithCompare(e.cfg.Compare.Options()))
			if err != nil {
				return err
			}
			if !e.quiet {
				fmt.Fprintf(e.stdout, "exported %s: %d files, %d written, %d unchanged\n", stats.Dir, stats.Files, stats.Written, stats.Unchanged)
			}
			return nil
		},
	})
	register(&command{
		name: "models", summary: "list the catalogue's models",
		run: func(ctx context.Context, e *env, args []string) error {
			snap, err := e.readSnapshot()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "MODEL\tNAME\tPROVIDERS\tRELEASED\tCONTEXT\tPARAMETERS\tLICENCE")
			for _, id := range snap.ModelIDs() {
				m := snap.Models[id]
				providers := map[string]bool{}
				for _, o := range snap.OfferingsOf(id) {
					providers[o.Provider] = true
				}
				lic := catalog.NotYetSourced
				if m.Licence.Sourced() {
					lic = m.Licence.Value.Class.Label()
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", id, m.DisplayName(), len(providers), m.Released, m.ContextWindow, m.Parameters, lic)
			}
			return tw.Flush()
		},
	})
}
