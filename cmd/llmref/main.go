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
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	_ "time/tzdata" // schedules name time zones; carry the database with the binary

	"github.com/mattn/go-isatty"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/internal/heapfloor"
	"github.com/llmref/llmref/internal/textsafe"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/scrapers"
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
	group   string // the heading it is listed under in `llmref help`
	// setup, for a command with flags of its own, registers them on fs,
	// each bound to a field of a value made for this one invocation, and
	// returns the function that runs the command with them.
	setup func(fs *flag.FlagSet) runFunc
	// run runs a command without flags of its own.
	run runFunc
	// bare commands (help, version, completion) run without loading the
	// configuration: a broken configuration file does not hide them.
	bare bool
	// floorAtWork commands raise the heap floor themselves, once they
	// have work (refresh and serve, through refreshOptions); the others
	// start with it.
	floorAtWork bool
	// drains is set for a command that ends by itself on a signal, in its
	// own time (serve: its refresh cancelled, its requests drained). Any
	// other still at work stopGrace after a signal is cut short (see
	// exitAfterSignal): a command that does not look at its context
	// (compact's check, check itself) ignored SIGTERM to the end.
	drains bool
}

// runFunc runs a command with its positional arguments.
type runFunc func(ctx context.Context, e *env, args []string) error

var commands = map[string]*command{}

// register adds a command to the table; one registered without a group is
// listed under "other commands".
func register(c *command) {
	if c.group == "" {
		c.group = groupOther
	}
	commands[c.name] = c
}

// Command groups, in the order `llmref help` lists them.
const (
	groupRun     = "run the pipeline"
	groupRead    = "read the catalogue"
	groupReview  = "review changes"
	groupMaintan = "publish and maintain"
	groupTool    = "this program"
	groupOther   = "other commands"
)

var groups = []string{groupRun, groupRead, groupReview, groupMaintan, groupTool, groupOther}

// Environment variables that stand in for the global flags (a flag wins).
const (
	envConfig = "LLMREF_CONFIG"
	envDB     = "LLMREF_DB"
)

// env is what every command gets: global settings, output streams, a logger.
type env struct {
	configPath string
	dbPath     string
	// dbFromFile is set when dbPath is the configuration file's (or the
	// default), not a flag's or the environment's: see openStore.
	dbFromFile bool
	// loadedConfig is the configuration file read; "" for none.
	loadedConfig string
	logFormat    string
	quiet        bool
	stdout       io.Writer
	stderr       io.Writer
	log          *slog.Logger
	logLevel     slog.Level
	tty          bool
	width        int // the terminal's columns, when tty
	cfg          *config.Config
}

// usageError is a bad command line: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// partialError is a run in which some sources failed: exit 3.
type partialError struct{ err error }

func (e partialError) Error() string { return e.err.Error() }
func (e partialError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// heapFloor is the floor under the heap goal of a command with work to
// do (see raiseHeapFloor); startFloor the one a command that raises it
// only at work starts with: a refresh that finds every page unchanged at
// 2,000 pages, against the 128 MB floor, used 0.45 -> 0.36 s of CPU at
// 16 MB, 0.39 at 4 (no floor), 0.41 at 32, 0.44 at 64 (it starts no
// collection while starting up, then reuses its memory).
const (
	heapFloor  = 128 << 20
	startFloor = 16 << 20
)

// floorPerBody is how much a refresh's heap floor grows for each new body
// it keeps, from startFloor up to heapFloor (see raiseHeapFloorFor).
const floorPerBody = 32 << 10

// raiseHeapFloorFor sizes a refresh's heap floor to its work as it keeps
// new bodies (refresh.Options.Kept): startFloor and 32 KB a body, up to
// heapFloor. The whole 128 MB from the first body cost a first refresh of
// 2,000 pages more than the collections it saved once the crawl held its
// parse results packed (a live heap of ~20 MB then): a floor of 64 MB ran
// it in 1.43-1.67 s of CPU against 1.64-1.94, peak RSS 114 MB against
// 172; at 8,000 pages the full 128 MB still paid (5.4-5.5 s against
// 5.8-6.0 at 64 MB). Growing with the bodies, alternated with both on one
// host: 2,000 pages 1.68-2.02 s of CPU against 1.93-2.25 at 128 MB; 8,000
// pages 5.8-6.6 s against 5.8-7.1 (bench/README.md, eleventh session).
func raiseHeapFloorFor(bodies int) { heapfloor.Raise(heapFloorFor(bodies)) }

// heapFloorFor is a refresh's heap floor once it has kept bodies new bodies.
func heapFloorFor(bodies int) uint64 {
	return min(heapFloor, startFloor+uint64(max(bodies, 0))*floorPerBody)
}

// raiseHeapFloor puts the heap floor under a command that allocates many
// times its live heap. A first refresh of 2,000 pages allocates ~25 times
// its live heap: at a 64 MB floor it collected ~17% of its CPU away; at
// 128 MB, CPU 1.64-1.87 -> 1.31-1.76 s and wall 1.10-1.25 -> 0.93-1.26 s,
// peak RSS 107 -> ~175 MB (bench/README.md, eighth session). Above ~8,000
// pages the live heap passes the floor during the crawl and the floor
// stops mattering. A refresh raises it only once it has pages to parse,
// and as it has more (raiseHeapFloorFor): one whose every page answered 304 works on
// a ~10 MB heap, and with the floor it took fresh memory for everything
// it allocated (~50 MB at 2,000 pages) where the collector would have
// reused a few: 90 against 55 MB, and more CPU (see startFloor; bench/
// README.md, ninth session).
func raiseHeapFloor() { heapfloor.Raise(heapFloor) }

// run is the whole command line: it parses args, runs one command and
// returns the exit code. Errors are one line on stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, configPath: os.Getenv(envConfig), dbPath: os.Getenv(envDB)}
	if f, ok := stderr.(*os.File); ok {
		e.tty = isatty.IsTerminal(f.Fd())
		if e.tty {
			e.width = terminalWidth(f)
		}
	}
	global := flag.NewFlagSet("llmref", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	e.globalFlags(global)
	showVersion := global.Bool("version", false, "print the version and exit")
	err := global.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printHelp(stdout)
		return exitOK
	case err != nil:
		return e.fail(usageError{err.Error() + " (see `llmref help`)"})
	case *showVersion:
		return e.fail(printVersion(e.stdout, "text"))
	}
	rest := global.Args()
	if len(rest) == 0 {
		printHelp(stderr)
		return exitUsage
	}
	name := rest[0]
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
		printCommandHelp(stdout, c)
		return exitOK
	}
	if err != nil {
		return e.fail(usageError{fmt.Sprintf("%s: %v (see `llmref %s -h`)", name, err, name)})
	}
	if c.floorAtWork {
		heapfloor.Raise(startFloor)
	} else {
		raiseHeapFloor()
	}
	if !c.bare {
		if err := e.setup(); err != nil {
			return e.fail(err)
		}
	}
	if !c.drains {
		defer exitAfterSignal(ctx, e.stderr)()
	}
	return e.fail(runCmd(ctx, e, cmdArgs))
}

// parseInterspersed parses flags that may come before or after positional
// arguments ("compare A B --format text"). `--` ends the flags: every
// argument after it is positional, even one that starts with a dash.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case len(a) > 1 && a[0] == '-':
			flags = append(flags, a)
			name := strings.TrimPrefix(a[1:], "-")
			if strings.Contains(name, "=") || i+1 == len(args) {
				continue
			}
			// A flag that takes a value takes the next argument, as the
			// flag package does, whatever it looks like.
			if f := fs.Lookup(name); f != nil && !isBoolFlag(f) {
				i++
				flags = append(flags, args[i])
			}
		default:
			pos = append(pos, a)
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	return pos, nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func (e *env) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&e.configPath, "config", e.configPath, "configuration `file` (default: $"+envConfig+", else llmref.yaml if present)")
	fs.StringVar(&e.dbPath, "db", e.dbPath, "database `file` (default: $"+envDB+", else database: in the configuration, else data/llmref.db)")
	fs.StringVar(&e.logFormat, "log-format", orStr(e.logFormat, "text"), "log `format`: text or json")
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
	e.logLevel = level
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
		e.cfg, e.loadedConfig = cfg, path
	}
	if e.dbPath == "" {
		e.dbPath, e.dbFromFile = e.cfg.Database, true
	}
	e.cfg.Database = e.dbPath // what is kept beside it (the export cache) follows --db
	return nil
}

// openStore opens the database for writing (one writer at a time),
// creating it when it is not there: for the commands that fill one
// (refresh, demo). While `llmref serve` serves the file it is the one
// writer, and this fails at once saying so (see store.RefuseWhenServed).
func (e *env) openStore() (*store.Store, error) {
	if err := e.elsewhere(); err != nil {
		return nil, err
	}
	return e.openWriter(store.Options{})
}

// elsewhere refuses to make (refresh) or serve (serve) a new database at a
// relative path from the configuration file when the file's own folder
// holds one at that path:
// relative paths are read from the working directory, and a crontab line
// or a systemd unit run from another one (/, a home) made and filled a
// second database there without a word, the first one left behind.
func (e *env) elsewhere() error {
	if !e.dbFromFile || e.loadedConfig == "" || filepath.IsAbs(e.dbPath) {
		return nil
	}
	if _, err := os.Stat(e.dbPath); !errors.Is(err, fs.ErrNotExist) {
		return nil // there (or not to be told apart): opened as it is
	}
	beside := filepath.Join(filepath.Dir(e.loadedConfig), e.dbPath)
	if fi, err := os.Stat(beside); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	runFrom := filepath.Dir(e.loadedConfig)
	if a, err := filepath.Abs(runFrom); err == nil {
		runFrom = a
	}
	wd, _ := os.Getwd()
	return noDatabaseHere{fmt.Sprintf("no database at %s (from %s, read from the working directory %s), but %s holds one: run from %s, or give database: an absolute path (a new, empty database is not made beside the one in use)",
		e.dbPath, e.loadedConfig, wd, filepath.Join(runFrom, e.dbPath), runFrom)}
}

// noDatabaseHere is elsewhere's refusal; it is also store.ErrNoDatabase.
type noDatabaseHere struct{ msg string }

func (e noDatabaseHere) Error() string { return e.msg }
func (e noDatabaseHere) Unwrap() error { return store.ErrNoDatabase }

// openExisting is openStore for the commands that change a catalogue
// already there (approve, reject, mark-reviewed, rebuild, refresh
// --failed): an absent database fails, and none is created.
func (e *env) openExisting() (*store.Store, error) {
	return e.orElsewhere(e.openWriter(store.Options{MustExist: true}))
}

// orElsewhere is an open's result, its "no database" said better when the
// configuration's folder holds one at the path (see elsewhere).
func (e *env) orElsewhere(st *store.Store, err error) (*store.Store, error) {
	if errors.Is(err, store.ErrNoDatabase) {
		if better := e.elsewhere(); better != nil {
			return nil, better
		}
	}
	return st, err
}

func (e *env) openWriter(o store.Options) (*store.Store, error) {
	if err := store.RefuseWhenServed(e.dbPath); err != nil {
		return nil, err
	}
	return store.Open(e.dbPath, o)
}

// openReader opens the database for reading.
func (e *env) openReader() (*store.Store, error) {
	return e.orElsewhere(store.Open(e.dbPath, store.Options{ReadOnly: true}))
}

// publisher is where this command publishes: the tree at dir (a flag's
// value) or at export.dir, with the configured comparisons and webhook.
func (e *env) publisher(dir string) *publish.Publisher {
	p := e.cfg.Publisher(dir)
	p.Logger = e.log
	return p
}

// exportedLine says what a publish wrote, or that it wrote nothing as a
// newer run was published while it waited (see export.WriteContext).
func exportedLine(stats *export.Stats) string {
	if stats.Superseded != 0 {
		return fmt.Sprintf("not exported: %s holds run %d, newer, published by another llmref while this export waited", stats.Dir, stats.Superseded)
	}
	return fmt.Sprintf("exported %s: %d files, %d written, %d unchanged", stats.Dir, stats.Files, stats.Written, stats.Unchanged)
}

// printExported says what a publish wrote, unless quiet.
func (e *env) printExported(stats *export.Stats) {
	if stats != nil && !e.quiet {
		fmt.Fprintln(e.stdout, exportedLine(stats))
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
	if isUsage(err) {
		return exitUsage
	}
	return exitError
}

// isUsage reports whether err is a mistake in the command line: a bad flag
// or argument, a source that is not configured, a fixture day that is
// neither a folder nor a bundled day.
func isUsage(err error) bool {
	var ue usageError
	return errors.As(err, &ue) || errors.Is(err, scrapers.ErrUnknownSource) || errors.Is(err, fixtures.ErrUnknownDay)
}

func oneLine(s string) string {
	return textsafe.Line(strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " "))
}
