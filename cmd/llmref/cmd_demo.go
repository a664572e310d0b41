package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/refresh"
)

// demoMarker marks a folder the demo made, so a second demo may reuse it.
const demoMarker = ".llmref-demo"

func init() {
	register(&command{
		name: "demo", group: groupRun, args: "[--dir DIR]",
		summary: "run the real pipeline on the bundled fixture days, with no network",
		setup: func(fs *flag.FlagSet) runFunc {
			var dir string
			fs.StringVar(&dir, "dir", "", "folder for the demo's database and export (default: llmref-demo in the user's cache folder, replaced by each demo)")
			return func(ctx context.Context, e *env, args []string) error { return runDemo(ctx, e, dir, args) }
		},
	})
}

func runDemo(ctx context.Context, e *env, demoDir string, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("demo: unexpected argument %q", args[0])}
	}
	if demoDir == "" {
		demoDir = defaultDemoDir()
	}
	dir := demoDir
	release, err := demoFolder(dir)
	if err != nil {
		return err
	}
	defer release()
	if !e.quiet {
		fmt.Fprintf(e.stdout, "demo folder: %s (the next demo there replaces it)\n", dir)
		// Said once, before the summaries count them: the bundled days
		// answer what was recorded for a sample of the catalogue.
		fmt.Fprintln(e.stdout, "the bundled days hold the pages recorded for a sample of models; pages planned for the other tracked models answer 404 and are counted as missing")
		fmt.Fprintln(e.stdout)
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
	for _, day := range days {
		opts, err := e.refreshOptions(day, exportDir)
		if err != nil {
			return err
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
	if e.quiet {
		return nil
	}
	if after.Changes == nil {
		return fmt.Errorf("demo: run %d recorded no changes", after.Run.ID)
	}
	rep, err := publish.ChangeReport(st, []catalog.ChangeSet{*after.Changes})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "== what changed on %s (run %d): the change report\n\n", days[len(days)-1], after.Run.ID)
	fmt.Fprint(e.stdout, rep.Markdown())
	fmt.Fprintf(e.stdout, "\ndatabase: %s\nexport:   %s (start with %s)\n", e.dbPath, exportDir, filepath.Join(exportDir, "index.json"))
	fmt.Fprintf(e.stdout, "compare:  %s (the reference page's pair)\n", filepath.Join(exportDir, compare.File("openai/gpt-5.3-codex", "meta/llama-3.2-1b-instruct")))
	fmt.Fprintln(e.stdout, "try:")
	for _, c := range []string{
		"models",
		"changes --format json",
		"changes --format html > report.html",
		"review",
		"history meta/llama-3.2-1b-instruct --provider openrouter",
		"compare openai/gpt-5.3-codex meta/llama-3.2-1b-instruct",
	} {
		fmt.Fprintf(e.stdout, "  go run ./cmd/llmref --db %s %s\n", e.dbPath, c)
	}
	return nil
}

// defaultDemoDir is where a demo without --dir runs: one folder,
// llmref-demo in the user's cache folder ($XDG_CACHE_HOME or ~/.cache on
// Linux), that each such demo replaces; the system's temporary folder when
// there is no cache folder.
func defaultDemoDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "llmref-demo")
}

// demoFolder prepares the demo's folder dir, which must be empty, absent or
// an earlier demo's (its database and export are replaced), and holds it
// until release.
func demoFolder(dir string) (release func(), err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("demo: %w", err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			return nil, fmt.Errorf("demo: %s is not empty and not an earlier demo's folder; choose another --dir", dir)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, demoMarker), nil, 0o644); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	release, err = lockDemoFolder(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"llmref.db", "export", ".export.generations"} {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			release()
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	return release, nil
}
