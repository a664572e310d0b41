// Command llmref keeps an LLM reference catalogue true: it scrapes model
// cards and provider price pages, normalises them into one schema, stores
// them with full history in bbolt, reports what changed and exports the JSON
// tree reference sites publish.
//
// Run `llmref help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	_ "time/tzdata" // schedules name time zones; carry the database with the binary

	"github.com/mattn/go-isatty"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/internal/heapfloor"
	"github.com/llmref/llmref/internal/textsafe"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/store"
)

// Exit codes: a contract for cron jobs and scripts.
const (
	exitOK      = 0
	exitError   = 1
	exitUsage   = 2
	exitPartial = 3
)

// command is one subcommand.
type command struct {
	name    string
	args    string // argument synopsis for help
	summary string
	// setup, for a command with flags of its own, registers them on fs,
	// each bound to a field of a value made for this one invocation, and
	// returns the function that runs the command with them.
	setup func(fs *flag.FlagSet) runFunc
	// run runs a command without flags of its own.
	run runFunc
}

// runFunc runs a command with its positional arguments.
type runFunc func(ctx context.Context, e *env, args []string) error

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// env is what every command gets: global settings, output streams, a logger.
type env struct {
	configPath string
	dbPath     string
	logFormat  string
	quiet      bool
	stdout     io.Writer
	stderr     io.Writer
	log        *slog.Logger
	tty        bool
	cfg        *config.Config
}

// usageError is a bad command line: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// partialError is a run in which some sources failed: exit 3.
type partialError struct{ err error }

func (e partialError) Error() string { return e.err.Error() }
func (e partialError) Unwrap() error { return e.err }

func main() {
	// A nightly refresh that finds nothing changed works on a ~10 MB heap;
	// without a floor it spends a fifth of its CPU collecting it.
	heapfloor.Raise(64 << 20)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole command line: it parses args, runs one command and
// returns the exit code. Errors are one line on stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	if f, ok := stderr.(*os.File); ok {
		e.tty = isatty.IsTerminal(f.Fd())
	}
	global := flag.NewFlagSet("llmref", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	e.globalFlags(global)
	if err := global.Parse(args); err != nil {
		return e.fail(usageError{err.Error() + " (see `llmref help`)"})
	}
	rest := global.Args()
	if len(rest) == 0 {
		printHelp(stdout)
		return exitUsage
	}
	name := rest[0]
	if name == "help" || name == "-h" || name == "--help" {
		printHelp(stdout)
		return exitOK
	}
	c, ok := commands[name]
	if !ok {
		return e.fail(usageError{fmt.Sprintf("unknown command %q (see `llmref help`)", name)})
	}
	fs := flag.NewFlagSet("llmref "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	e.globalFlags(fs)
	runCmd := c.run
	if c.setup != nil {
		runCmd = c.setup(fs)
	}
	cmdArgs, err := parseInterspersed(fs, rest[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, "usage: llmref %s %s\n\n%s\n\nflags:\n", c.name, c.args, c.summary)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return exitOK
	}
	if err != nil {
		return e.fail(usageError{fmt.Sprintf("%s: %v (see `llmref %s -h`)", name, err, name)})
	}
	if err := e.setup(); err != nil {
		return e.fail(err)
	}
	return e.fail(runCmd(ctx, e, cmdArgs))
}

// parseInterspersed parses flags that may come before or after positional
// arguments ("compare A B --format text").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (e *env) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&e.configPath, "config", e.configPath, "configuration `file` (default llmref.yaml if present)")
	fs.StringVar(&e.dbPath, "db", e.dbPath, "database `file` (default data/llmref.db)")
	fs.StringVar(&e.logFormat, "log-format", orStr(e.logFormat, "text"), "log format: text or json")
	fs.BoolVar(&e.quiet, "q", e.quiet, "quiet: print only errors")
}

func orStr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// setup loads the configuration and builds the logger.
func (e *env) setup() error {
	level := slog.LevelWarn
	if e.tty && !e.quiet {
		level = slog.LevelInfo
	}
	if e.quiet {
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	switch e.logFormat {
	case "text":
		e.log = slog.New(slog.NewTextHandler(e.stderr, opts))
	case "json":
		e.log = slog.New(slog.NewJSONHandler(e.stderr, opts))
	default:
		return usageError{fmt.Sprintf("--log-format %q: want text or json", e.logFormat)}
	}
	path := e.configPath
	if path == "" {
		if _, err := os.Stat(config.DefaultFile); err == nil {
			path = config.DefaultFile
		}
	}
	if path == "" {
		e.cfg = config.Default()
	} else {
		cfg, err := config.Load(path)
		if err != nil {
			return err
		}
		e.cfg = cfg
	}
	if e.dbPath == "" {
		e.dbPath = e.cfg.Database
	}
	e.cfg.Database = e.dbPath // what is kept beside it (the export cache) follows --db
	return nil
}

// openStore opens the database for writing (one writer at a time). While
// `llmref serve` serves the file it is the one writer, and this fails at
// once saying so (see store.RefuseWhenServed).
func (e *env) openStore() (*store.Store, error) {
	if err := store.RefuseWhenServed(e.dbPath); err != nil {
		return nil, err
	}
	return store.Open(e.dbPath, store.Options{})
}

// openReader opens the database for reading.
func (e *env) openReader() (*store.Store, error) {
	return store.Open(e.dbPath, store.Options{ReadOnly: true})
}

// publisher is where this command publishes: the tree at dir (a flag's
// value) or at export.dir, with the configured comparisons and webhook.
func (e *env) publisher(dir string) *publish.Publisher {
	p := e.cfg.Publisher(dir)
	p.Logger = e.log
	return p
}

// printExported says what a publish wrote, unless quiet.
func (e *env) printExported(stats *export.Stats) {
	if stats != nil && !e.quiet {
		fmt.Fprintf(e.stdout, "exported %s: %d files, %d written, %d unchanged\n", stats.Dir, stats.Files, stats.Written, stats.Unchanged)
	}
}

// readSnapshot reads the published catalogue and closes the database: for
// the commands that need nothing else from it.
func (e *env) readSnapshot() (*catalog.Snapshot, error) {
	st, err := e.openReader()
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.Snapshot()
}

// fail prints err as one line on stderr and returns its exit code.
func (e *env) fail(err error) int {
	if err == nil {
		return exitOK
	}
	var pe partialError
	if errors.As(err, &pe) {
		fmt.Fprintf(e.stderr, "llmref: %s\n", oneLine(err.Error()))
		return exitPartial
	}
	fmt.Fprintf(e.stderr, "llmref: %s\n", oneLine(err.Error()))
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitError
}

func oneLine(s string) string {
	return textsafe.Line(strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " "))
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "llmref keeps an LLM reference catalogue true: scrape, normalise, store, report, export.")
	fmt.Fprintln(w, "\nusage: llmref [global flags] <command> [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		fmt.Fprintf(w, "  %-14s %s\n", n, c.summary)
	}
	fmt.Fprintln(w, "\nglobal flags: --config FILE, --db FILE, --log-format text|json, -q")
	fmt.Fprintln(w, "exit codes: 0 ok, 1 error, 2 bad usage, 3 partial (some sources failed)")
}
