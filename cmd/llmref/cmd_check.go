package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/llmref/llmref/store"
)

func init() {
	register(&command{
		name: "check", args: "[--export DIR|s3://BUCKET/PREFIX]",
		summary: "check the database (structure, every record, history, raw bodies) and an export tree (hashes, schemas)",
		setup: func(fs *flag.FlagSet) runFunc {
			var exportDir string
			exportFlag(fs, &exportDir, "also check the export tree published there, as a reader finds it")
			return func(ctx context.Context, e *env, args []string) error { return runCheck(ctx, e, exportDir, args) }
		},
	})
	register(&command{
		name: "compact", summary: "reclaim the database file's free space (copies it under the writer lock, then swaps it in)",
		run: runCompact,
	})
}

func runCheck(ctx context.Context, e *env, exportDir string, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("check: unexpected argument %q", args[0])}
	}
	// A damaged file is reported, not refused: CheckFile lists a
	// truncation or damaged pages as problems.
	problems, err := store.CheckFile(e.dbPath, store.Options{})
	if err != nil {
		return err
	}
	store.SortProblems(problems)
	n := len(problems)
	for _, p := range problems {
		fmt.Fprintf(e.stderr, "llmref: check: database %s: %s\n", e.dbPath, p)
	}
	checked := "database " + e.dbPath
	if p := e.publisher(exportDir); p.Enabled() {
		dir := p.Location()
		eps, err := p.VerifyPublished(ctx)
		if err != nil {
			return err
		}
		for _, p := range eps {
			fmt.Fprintf(e.stderr, "llmref: check: export %s: %s\n", dir, p)
		}
		n += len(eps)
		checked += " and export " + dir
	}
	if n > 0 {
		return fmt.Errorf("check: %d problems in %s", n, checked)
	}
	if !e.quiet {
		fmt.Fprintf(e.stdout, "%s: ok\n", checked)
	}
	return nil
}

func runCompact(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("compact: unexpected argument %q", args[0])}
	}
	if err := store.RefuseWhenServed(e.dbPath); err != nil {
		return err // a daemon with schedules is the one writer
	}
	st, err := store.Compact(e.dbPath, store.Options{})
	if err != nil {
		return err
	}
	if !e.quiet {
		saved := st.Before - st.After
		pct := 0.0
		if st.Before > 0 {
			pct = 100 * float64(saved) / float64(st.Before)
		}
		fmt.Fprintf(e.stdout, "compacted %s: %d → %d bytes (%.1f%% smaller)\n", st.Path, st.Before, st.After, pct)
	}
	if st.Repaired != "" {
		fmt.Fprintf(e.stderr, "llmref: compact: repaired %s\n", st.Repaired)
	}
	return nil
}
