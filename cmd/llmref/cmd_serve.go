package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/schedules"
	"github.com/llmref/llmref/serve"
	"github.com/llmref/llmref/store"
)

// serveFlags are `llmref serve`'s flags.
type serveFlags struct {
	addr     string
	schedule bool
	export   string
}

func init() {
	register(&command{
		name: "serve", group: groupRun, floorAtWork: true, drains: true, args: "[--addr 127.0.0.1:8080] [--schedule] [--export DIR]",
		summary: "HTTP: the export tree under /v1/ (ETag, gzip), /healthz, /metrics, /changes, /review; --schedule also runs the configured refreshes",
		setup: func(fs *flag.FlagSet) runFunc {
			f := &serveFlags{}
			fs.StringVar(&f.addr, "addr", "", "listen `address` (default serve.addr, or 127.0.0.1:8080)")
			fs.BoolVar(&f.schedule, "schedule", false, "run the schedules of serve.schedules (default: every source nightly at 02:00 UTC)")
			exportFlag(fs, &f.export, "the published export tree to serve under /v1/ and publish runs and decisions to")
			return f.run
		},
	})
}

// run wires the daemon: the lock that makes it the database's one
// writer, the scheduler, the HTTP server; it stops cleanly on SIGTERM.
func (f *serveFlags) run(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("serve: unexpected argument %q", args[0])}
	}
	if err := e.elsewhere(); err != nil {
		return err // the daemon would make a second database, or serve none
	}
	sc := &e.cfg.Serve
	addr := orStr(f.addr, sc.Address())
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return usageError{fmt.Sprintf("serve: --addr %q is not host:port", addr)}
	}
	token := orStr(os.Getenv("LLMREF_TOKEN"), sc.Token)
	if token != "" && len(token) < config.MinTokenLength {
		return fmt.Errorf("serve: the token (LLMREF_TOKEN or serve.token) is shorter than %d characters", config.MinTokenLength)
	}
	log := daemonLogger(e)
	e.log = log
	pub := e.publisher(f.export) // scheduled runs and review decisions publish through it
	exportDir := pub.Dir

	if f.schedule {
		// The scheduling daemon is the database's one writer: writing
		// commands are refused while it runs. Without --schedule the
		// server sits beside cron's `llmref refresh`, and bbolt's own
		// lock keeps the two apart.
		lock, err := store.AcquireDaemonLock(e.dbPath, store.DaemonInfo{PID: os.Getpid(), Addr: addr, StartedAt: time.Now().UTC()})
		if err != nil {
			return err
		}
		defer lock.Release()
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	db := store.NewDB(e.dbPath, 5*time.Second)

	var sched *schedules.Scheduler
	if f.schedule {
		opts, err := e.refreshOptions("", f.export)
		if err != nil {
			ln.Close()
			return err
		}
		opts.Publisher = pub
		var list []schedules.Schedule
		for _, s := range sc.ScheduleList() {
			list = append(list, schedules.Schedule{Name: s.Name, Spec: s.Spec, Sources: s.Sources, Timeout: s.Timeout})
		}
		sched, err = schedules.New(schedules.Options{
			Schedules: list, Location: sc.Location(), DB: db, Refresh: opts,
			CatchUpEvery: sc.CatchUpInterval(), RetryFailedAfter: sc.RetryFailedDelay(), DefaultTimeout: e.cfg.RunTimeout(), Logger: log,
		})
		if err != nil {
			ln.Close()
			return fmt.Errorf("serve: %w", err)
		}
		if exportDir == "" {
			log.Warn("export.dir is not set: scheduled runs publish no tree, and /v1/ serves nothing")
		}
	}
	so := serve.Options{DB: db, ExportDir: exportDir, Publisher: pub, Token: token, Review: serve.StoreReview{},
		StaleAfter: sc.StaleAge(), Logger: log}
	if sched != nil {
		so.Schedules = sched.Statuses
	}
	srv, err := serve.New(so)
	if err != nil {
		ln.Close()
		return err
	}
	if token == "" {
		log.Warn("no token (LLMREF_TOKEN or serve.token): /review is read-only, approve and reject are refused")
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln, sc.GraceTimeout()) }()
	if sched != nil {
		sched.Start(ctx)
	}
	log.Info("serving", "addr", "http://"+ln.Addr().String(), "database", e.dbPath, "export", exportDir, "schedules", sched != nil)
	if !e.quiet {
		fmt.Fprintf(e.stderr, "llmref serve: listening on http://%s\n", ln.Addr())
	}

	var stop func() error
	if sched != nil {
		stop = func() error {
			sctx, cancel := context.WithTimeout(context.Background(), sc.GraceTimeout())
			defer cancel()
			return sched.Stop(sctx)
		}
	}
	if err := awaitStop(ctx, served, stop, log); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// awaitStop waits until ctx is done or the server ends (served gives its
// result), then stops the schedules (stop, when there are any) and waits
// for the server. The server's result is received once, whichever came
// first: it ends by itself soon after ctx is done, and when both were
// ready the select could take its (nil) result first and then wait on
// served for a second one that never came — a SIGTERM'd daemon hung until
// it was killed (caught by the damage suite, once in a few loaded runs).
func awaitStop(ctx context.Context, served <-chan error, stop func() error, log *slog.Logger) error {
	var serveErr error
	done := false
	select {
	case serveErr = <-served: // the listener failed, or ctx is done and the server ended
		done = true
	case <-ctx.Done():
		log.Info("stopping: cancelling a running refresh, draining requests")
	}
	var stopErr error
	if stop != nil {
		stopErr = stop()
	}
	if !done {
		serveErr = <-served
	}
	return errors.Join(serveErr, stopErr)
}

// daemonLogger logs at info level (runs started and finished) even without
// a terminal: a daemon's log is its record. -q keeps errors only.
func daemonLogger(e *env) *slog.Logger {
	level := slog.LevelInfo
	if e.quiet {
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	if e.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}
