package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/llmref/llmref/internal/version"
	"github.com/llmref/llmref/scrapers"
)

func init() {
	register(&command{
		name: "help", args: "[COMMAND]", group: groupTool, bare: true,
		summary: "this list, or one command's usage and flags",
		run: func(ctx context.Context, e *env, args []string) error {
			switch len(args) {
			case 0:
				printHelp(e.stdout)
				return nil
			case 1:
				c, ok := commands[args[0]]
				if !ok {
					return usageError{fmt.Sprintf("help: unknown command %q (see `llmref help`)", args[0])}
				}
				printCommandHelp(e.stdout, c)
				return nil
			}
			return usageError{"help: name one command, such as `llmref help refresh`"}
		},
	})
	register(&command{
		name: "version", args: "[--format text|json]", group: groupTool, bare: true,
		summary: "the version, commit and Go version this binary was built from, and its user agent",
		setup: func(fs *flag.FlagSet) runFunc {
			format := formatFlag(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usageError{fmt.Sprintf("version: unexpected argument %q", args[0])}
				}
				if err := checkFormat("version", *format); err != nil {
					return err
				}
				return printVersion(e.stdout, *format)
			}
		},
	})
}

// versionDoc is `llmref version --format json`.
type versionDoc struct {
	version.Info
	// UserAgent is the User-Agent the fetcher sends unless the
	// configuration sets fetch.user_agent.
	UserAgent string `json:"user_agent"`
}

func printVersion(w io.Writer, format string) error {
	doc := versionDoc{Info: version.Get(), UserAgent: scrapers.DefaultUserAgent}
	if format == "json" {
		return writeJSON(w, doc)
	}
	_, err := fmt.Fprintf(w, "%s\nuser agent: %s\n", doc.Info, doc.UserAgent)
	return err
}

// printHelp lists the commands by group, the global flags and the exit
// codes: all of it from the command table and the flag definitions.
func printHelp(w io.Writer) {
	fmt.Fprintln(w, "llmref keeps an LLM reference catalogue true: scrape, normalise, store, report, export.")
	fmt.Fprintln(w, "\nusage: llmref [global flags] COMMAND [flags] [args]")
	width := 0
	for n := range commands {
		width = max(width, len(n))
	}
	for _, g := range groups {
		cs := commandsIn(g)
		if len(cs) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", g)
		for _, c := range cs {
			fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
		}
	}
	fmt.Fprintln(w, "\nglobal flags (before or after the command):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	printFlags(tw, globalFlagSet(), "--config FILE --db FILE --log-format text|json")
	fmt.Fprintln(tw, "  --version\tprint the version and exit (as `llmref version` does)")
	fmt.Fprintln(tw, "  -h, --help\tthis help")
	tw.Flush()
	fmt.Fprintln(w, "\n`llmref help COMMAND` or `llmref COMMAND -h` shows a command's usage and flags; `--` ends the flags.")
	fmt.Fprintln(w, "exit codes: 0 ok, 1 error, 2 bad usage, 3 partial (some sources failed)")
}

// printCommandHelp is `llmref help CMD` and `llmref CMD -h`.
func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "usage: llmref %s\n\n%s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	n := 0
	fs := commandFlagSet(c)
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nflags:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		printFlags(tw, fs, c.args)
		tw.Flush()
	}
	fmt.Fprintln(w, "\nglobal flags: --config FILE, --db FILE, --log-format text|json, -q (see `llmref help`)")
}

// commandsIn lists a group's commands by name.
func commandsIn(group string) []*command {
	var out []*command
	for _, c := range commands {
		if c.group == group {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// globalFlagSet is the global flags with their built-in defaults (the
// environment's values are not shown as defaults).
func globalFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("llmref", flag.ContinueOnError)
	(&env{}).globalFlags(fs)
	return fs
}

// commandFlagSet is a command's own flags, without the global ones.
func commandFlagSet(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet("llmref "+c.name, flag.ContinueOnError)
	if c.setup != nil {
		c.setup(fs)
	}
	return fs
}

// printFlags writes one line per flag: "--name ARG" and its usage, with
// its default when it has one the usage does not state. ARG is the one the
// synopsis gives the flag.
func printFlags(w io.Writer, fs *flag.FlagSet, synopsis string) {
	fs.VisitAll(func(f *flag.Flag) {
		fmt.Fprintf(w, "  %s\t%s\n", flagSynopsis(f, synopsis), flagUsage(f))
	})
}

// flagSynopsis is "--source NAME", "--format text|json", "--schedule" or
// "-q": the flag as synopsis writes it, else with its type's name.
func flagSynopsis(f *flag.Flag, synopsis string) string {
	dashes := "--"
	if len(f.Name) == 1 {
		dashes = "-"
	}
	if isBoolFlag(f) {
		return dashes + f.Name
	}
	if arg := synopsisArg(synopsis, f.Name); arg != "" && (strings.ToUpper(arg) == arg || strings.Contains(arg, "|")) {
		return dashes + f.Name + " " + arg
	}
	name, _ := flag.UnquoteUsage(f)
	return dashes + f.Name + " " + strings.ToUpper(name)
}

// synopsisArg is the argument synopsis gives to --name: "DIR" in
// "[--replay DIR]", "text|json" in "[--format text|json]"; empty when
// synopsis does not name the flag.
func synopsisArg(synopsis, name string) string {
	fields := strings.Fields(strings.NewReplacer("[", " ", "]", " ").Replace(synopsis))
	for i, f := range fields {
		if f == "--"+name && i+1 < len(fields) && !strings.HasPrefix(fields[i+1], "-") && fields[i+1] != "|" {
			return strings.TrimSuffix(fields[i+1], "...")
		}
	}
	return ""
}

func flagUsage(f *flag.Flag) string {
	_, usage := flag.UnquoteUsage(f)
	if f.DefValue != "" && f.DefValue != "false" && !strings.Contains(usage, "default") {
		usage += " (default " + f.DefValue + ")"
	}
	return usage
}
