package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/llmref/llmref/internal/textsafe"
	"github.com/llmref/llmref/serve"
	"github.com/llmref/llmref/store"
)

func init() {
	register(&command{
		name: "check", group: groupMaintan, args: "[--export DIR|s3://BUCKET/PREFIX] [--format text|json]",
		summary: "check the database (structure, every record, history, raw bodies) and an export tree (hashes, schemas)",
		setup: func(fs *flag.FlagSet) runFunc {
			var exportDir string
			exportFlag(fs, &exportDir, "also check the export tree published there, as a reader finds it")
			format := formatFlag(fs)
			return func(ctx context.Context, e *env, args []string) error {
				return runCheck(ctx, e, exportDir, *format, args)
			}
		},
	})
	register(&command{
		name: "health", group: groupMaintan, args: "[--export DIR] [--format text|json]",
		summary: "what /healthz would answer, without a daemon: database, export, last run, sources, held changes, webhook (exit 0 ok, 3 degraded, 1 unhealthy)",
		setup: func(fs *flag.FlagSet) runFunc {
			var dir string
			exportFlag(fs, &dir, "the published tree to look at")
			format := formatFlag(fs)
			return func(ctx context.Context, e *env, args []string) error { return runHealth(ctx, e, dir, *format, args) }
		},
	})
	register(&command{
		name: "backup", group: groupMaintan, args: "FILE [--format text|json]",
		summary: "copy the database to a new file, whole and consistent, while other llmref processes read it (waits for a run in progress)",
		setup: func(fs *flag.FlagSet) runFunc {
			format := formatFlag(fs)
			return func(ctx context.Context, e *env, args []string) error { return runBackup(ctx, e, *format, args) }
		},
	})
	register(&command{
		name: "compact", group: groupMaintan, args: "[--format text|json]",
		summary: "reclaim the database file's free space (copies it under the writer lock, then swaps it in)",
		setup: func(fs *flag.FlagSet) runFunc {
			format := formatFlag(fs)
			return func(ctx context.Context, e *env, args []string) error { return runCompact(ctx, e, *format, args) }
		},
	})
}

// checkReport is `llmref check --format json` (documented in the README).
type checkReport struct {
	OK       bool   `json:"ok"`
	Database string `json:"database"`
	// Export is the tree checked; null when none was.
	Export *string `json:"export"`
	// NothingPublished is set when nothing is published at Export yet
	// and the database has no committed run to publish: not a problem.
	NothingPublished bool           `json:"nothing_published,omitempty"`
	Problems         []checkProblem `json:"problems"`
}

// checkProblem is one problem: in the database (with the bucket and key
// of the record) or in the export tree.
type checkProblem struct {
	In string `json:"in"` // database or export
	store.Problem
}

func runCheck(ctx context.Context, e *env, exportDir, format string, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("check: unexpected argument %q", args[0])}
	}
	if err := checkFormat("check", format); err != nil {
		return err
	}
	rep := checkReport{Database: e.dbPath, Problems: []checkProblem{}}
	// A damaged file is reported, not refused: CheckFile lists a
	// truncation or damaged pages as problems.
	problems, err := store.CheckFile(e.dbPath, store.Options{})
	if err != nil {
		return err
	}
	store.SortProblems(problems)
	n := len(problems)
	for _, p := range problems {
		rep.Problems = append(rep.Problems, checkProblem{In: "database", Problem: p})
		if format == "text" {
			fmt.Fprintf(e.stderr, "llmref: check: database %s: %s\n", e.dbPath, p)
		}
	}
	checked := "database " + e.dbPath
	if p := e.publisher(exportDir); p.Enabled() {
		dir := p.Location()
		st, err := e.openReader()
		if err != nil { // a database that will not open is reported above
			st = nil
		}
		eps, none, err := p.CheckPublished(ctx, st)
		if st != nil {
			st.Close()
		}
		if err != nil {
			return err
		}
		rep.Export, rep.NothingPublished = &dir, none
		for _, p := range eps {
			rep.Problems = append(rep.Problems, checkProblem{In: "export", Problem: store.Problem{Detail: p}})
			if format == "text" {
				fmt.Fprintf(e.stderr, "llmref: check: export %s: %s\n", dir, p)
			}
		}
		n += len(eps)
		checked += " and export " + dir
		if none {
			checked += " (nothing published yet: the database has no committed run)"
		}
	}
	rep.OK = n == 0
	if format == "json" {
		if err := writeJSON(e.stdout, rep); err != nil {
			return err
		}
	}
	if n > 0 {
		return fmt.Errorf("check: %s in %s", plural(n, "problem"), checked)
	}
	if !e.quiet && format == "text" {
		fmt.Fprintf(e.stdout, "%s: ok\n", checked)
	}
	return nil
}

func runCompact(ctx context.Context, e *env, format string, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("compact: unexpected argument %q", args[0])}
	}
	if err := checkFormat("compact", format); err != nil {
		return err
	}
	if err := store.RefuseWhenServed(e.dbPath); err != nil {
		return err // a daemon with schedules is the one writer
	}
	st, err := store.CompactContext(ctx, e.dbPath, store.Options{})
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(e.stdout, st)
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

// backupWait is how long backup waits for a run that holds the database.
const backupWait = 10 * time.Minute

func runBackup(ctx context.Context, e *env, format string, args []string) error {
	switch {
	case len(args) == 0:
		return usageError{"backup: name the new file to copy the database to (llmref backup /backups/llmref-2026-12-07.db)"}
	case len(args) > 1:
		return usageError{fmt.Sprintf("backup: unexpected argument %q", args[1])}
	}
	if err := checkFormat("backup", format); err != nil {
		return err
	}
	// A reader: it waits for a run in progress (cron's, the daemon's)
	// rather than failing as soon as another process writes.
	st, err := store.Open(e.dbPath, store.Options{ReadOnly: true, Timeout: backupWait})
	if err != nil {
		return err
	}
	defer st.Close()
	bs, err := st.Backup(ctx, args[0])
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(e.stdout, bs)
	}
	if !e.quiet {
		fmt.Fprintf(e.stdout, "backed up %s (run %d) to %s: %d bytes in %.1f s\n", bs.Path, bs.Run, bs.To, bs.Bytes, float64(bs.DurationMS)/1000)
	}
	return nil
}

func runHealth(ctx context.Context, e *env, dir, format string, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("health: unexpected argument %q", args[0])}
	}
	if err := checkFormat("health", format); err != nil {
		return err
	}
	pub := e.publisher(dir)
	srv, err := serve.New(serve.Options{DB: store.NewDB(e.dbPath, 5*time.Second), ExportDir: pub.Dir, Publisher: pub,
		Review: serve.StoreReview{}, StaleAfter: e.cfg.Serve.StaleAge(), Logger: e.log})
	if err != nil {
		return err
	}
	h := srv.Health(ctx)
	if format == "json" {
		if err := writeJSON(e.stdout, h); err != nil {
			return err
		}
	} else if !e.quiet || h.Status != "ok" {
		fmt.Fprintf(e.stdout, "%s (database %s", h.Status, h.Database.Path)
		if h.LastRun != nil {
			fmt.Fprintf(e.stdout, ", last run %d %s", h.LastRun.ID, h.LastRun.Status)
		}
		fmt.Fprintln(e.stdout, ")")
		for _, p := range h.Problems {
			textsafe.Fprintf(e.stdout, "  %s\n", p)
		}
	}
	switch h.Status {
	case "unhealthy":
		return fmt.Errorf("health: unhealthy: %s", strings.Join(h.Problems, "; "))
	case "degraded":
		return partialError{fmt.Errorf("health: degraded: %s", strings.Join(h.Problems, "; "))} // exit 3
	}
	return nil
}
