package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/textsafe"
)

func init() {
	register(&command{
		name: "export", args: "--out DIR|s3://BUCKET/PREFIX",
		summary: "publish the JSON tree (index, models, offerings, per-model files) atomically, to a folder or object storage",
		setup: func(fs *flag.FlagSet) runFunc {
			var out string
			destFlag(fs, "out", &out, "where to publish the tree (a folder: a symbolic link swapped atomically; object storage: a pointer replaced last)")
			return func(ctx context.Context, e *env, args []string) error {
				p := e.publisher(out)
				if !p.Enabled() {
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
				stats, err := p.Publish(ctx, st)
				if err != nil {
					return err
				}
				e.printExported(stats)
				return nil
			}
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
				textsafe.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", id, m.DisplayName(), len(providers), m.Released, m.ContextWindow, m.Parameters, lic)
			}
			return tw.Flush()
		},
	})
}
