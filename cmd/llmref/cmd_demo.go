package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/changes"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/refresh"
)

var demoDir string

// demoMarker marks a folder the demo made, so a second demo may reuse it.
const demoMarker = ".llmref-demo"

func init() {
	register(&command{
		name: "demo", args: "[--dir DIR]",
		summary: "run the real pipeline on the bundled fixture days, with no network",
		flags: func(fs *flag.FlagSet) {
			demoDir = ""
			fs.StringVar(&demoDir, "dir", "", "folder for the demo's database and export (default: a new temporary folder)")
		},
		run: runDemo,
	})
}

func runDemo(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("demo: unexpected argument %q", args[0])}
	}
	dir, err := demoFolder(demoDir)
	if err != nil {
		return err
	}
	// The demo runs the built-in configuration: the bundled days answer
	// the sources' public addresses.
	e.cfg = config.Default()
	e.dbPath = filepath.Join(dir, "llmref.db")
	exportDir := filepath.Join(dir, "export")

	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	days := fixtures.Days()
	if len(days) == 0 {
		return errors.New("demo: no bundled fixture days")
	}
	var after *refresh.Result
	var lastSnap *catalog.Snapshot
	for i, day := range days {
		opts, err := e.refreshOptions(day)
		if err != nil {
			return err
		}
		opts.ExportDir = exportDir
		if i == len(days)-1 {
			lastSnap, err = st.Snapshot()
			if err != nil {
				return err
			}
		}
		res, err := refresh.Run(ctx, st, opts)
		if err != nil && !errors.Is(err, refresh.ErrPartial) {
			return fmt.Errorf("demo: day %s: %w", day, err)
		}
		if !e.quiet {
			fmt.Fprintf(e.stdout, "== fixture day %s\n", day)
			printRunSummary(e.stdout, res)
			fmt.Fprintln(e.stdout)
		}
		after = res
	}
	snap, err := st.Snapshot()
	if err != nil {
		return err
	}
	diff := changes.Diff(lastSnap, snap)
	if !e.quiet {
		fmt.Fprintf(e.stdout, "== what changed on %s (run %d)\n", days[len(days)-1], after.Run.ID)
		if len(diff) == 0 {
			fmt.Fprintln(e.stdout, "nothing")
		}
		for _, c := range diff {
			fmt.Fprintf(e.stdout, "  %s\n", c)
		}
		fmt.Fprintf(e.stdout, "\ndatabase: %s\nexport:   %s (start with %s)\n", e.dbPath, exportDir, filepath.Join(exportDir, "index.json"))
		fmt.Fprintf(e.stdout, "try:      go run ./cmd/llmref models --db %s\n", e.dbPath)
	}
	return nil
}

// demoFolder returns the demo's folder: a new temporary one, or dir, which
// must be empty or an earlier demo's (its database and export are replaced).
func demoFolder(dir string) (string, error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "llmref-demo-")
		if err != nil {
			return "", fmt.Errorf("demo: %w", err)
		}
		return d, os.WriteFile(filepath.Join(d, demoMarker), nil, 0o644)
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("demo: %w", err)
		}
	case err != nil:
		return "", fmt.Errorf("demo: %w", err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			return "", fmt.Errorf("demo: %s is not empty and not an earlier demo's folder; choose another --dir", dir)
		}
		for _, name := range []string{"llmref.db", "export", ".export.generations"} {
			if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
				return "", fmt.Errorf("demo: %w", err)
			}
		}
	}
	return dir, os.WriteFile(filepath.Join(dir, demoMarker), nil, 0o644)
}
