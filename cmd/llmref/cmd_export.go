package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/internal/textsafe"
)

func init() {
	register(&command{
		name: "export", group: groupMaintan, args: "--out DIR|s3://BUCKET/PREFIX [--format text|json]",
		summary: "publish the JSON tree (index, models, offerings, per-model files) atomically, to a folder or object storage",
		setup: func(fs *flag.FlagSet) runFunc {
			var out string
			destFlag(fs, "out", &out, "where to publish the tree (a folder: a symbolic link swapped atomically; object storage: a pointer replaced last)")
			format := formatFlag(fs)
			return func(ctx context.Context, e *env, args []string) error {
				p := e.publisher(out)
				if !p.Enabled() {
					return usageError{"export: --out DIR is required (or export.dir in the config)"}
				}
				if len(args) > 0 {
					return usageError{fmt.Sprintf("export: unexpected argument %q", args[0])}
				}
				if err := checkFormat("export", *format); err != nil {
					return err
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
				if *format == "json" {
					return writeJSON(e.stdout, stats)
				}
				e.printExported(stats)
				return nil
			}
		},
	})
	register(&command{
		name: "models", group: groupRead, args: "[--format text|json]",
		summary: "list the catalogue's models",
		setup: func(fs *flag.FlagSet) runFunc {
			format := formatFlag(fs)
			return func(ctx context.Context, e *env, args []string) error { return runModels(e, *format, args) }
		},
	})
}

// runModels lists the published catalogue's models: a table, or in JSON
// the document the export writes as models.json.
func runModels(e *env, format string, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("models: unexpected argument %q", args[0])}
	}
	if err := checkFormat("models", format); err != nil {
		return err
	}
	snap, err := e.readSnapshot()
	if err != nil {
		return err
	}
	offerings := snap.OfferingsByModel()
	if format == "json" {
		doc := export.ModelsFile{SchemaVersion: export.SchemaVersion, Models: []export.ModelSummary{}}
		for _, id := range snap.ModelIDs() {
			doc.Models = append(doc.Models, export.Summary(snap.Models[id], offerings[id]))
		}
		return writeJSON(e.stdout, doc)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tNAME\tPROVIDERS\tRELEASED\tCONTEXT\tPARAMETERS\tLICENCE")
	for _, id := range snap.ModelIDs() {
		m := snap.Models[id]
		row := export.Summary(m, offerings[id])
		lic := catalog.NotYetSourced
		if m.Licence.Sourced() {
			lic = m.Licence.Value.Class.Label()
		}
		textsafe.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", id, m.DisplayName(), len(row.Providers), m.Released, catalog.TokensText(m.ContextWindow), m.Parameters, lic)
	}
	return tw.Flush()
}
