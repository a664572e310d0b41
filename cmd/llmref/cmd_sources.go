package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

func init() {
	register(&command{
		name: "sources", group: groupRead, args: "[--format text|json]",
		summary: "list every configured source: its URLs, authority, format, schedule and last run status",
		setup: func(fs *flag.FlagSet) runFunc {
			format := formatFlag(fs)
			return func(ctx context.Context, e *env, args []string) error { return runSources(e, *format, args) }
		},
	})
}

// sourceRow is one source as `llmref sources` shows it.
type sourceRow struct {
	Name      string            `json:"name"`
	Title     string            `json:"title"`
	Authority catalog.Authority `json:"authority"`
	Format    string            `json:"format"`
	URLs      []string          `json:"urls"`
	// Requests is how many requests the next run starts the source with,
	// planned from the tracked models the stored pages give; the pages
	// they link to come on top.
	Requests int `json:"planned_requests"`
	// Schedules name the `serve` schedules that read the source.
	Schedules []string `json:"schedules"`
	// LastRun is the source's figures in the last run; nil when no run
	// has read it (or the database is not there).
	LastRun *catalog.SourceStats `json:"last_run"`
	// Note says what the source's stored pages left out and why (the
	// cross-check maps' skipped providers), for sources that can tell.
	Note string `json:"note,omitempty"`
}

type sourcesDoc struct {
	// Run is the last run's record, without its per-source figures.
	Run *catalog.Run `json:"run"`
	// RunNote says why the last run is not shown, if it is not.
	RunNote string      `json:"run_note,omitempty"`
	Sources []sourceRow `json:"sources"`
}

func runSources(e *env, sourcesFormat string, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("sources: unexpected argument %q", args[0])}
	}
	if err := checkFormat("sources", sourcesFormat); err != nil {
		return err
	}
	srcs, err := e.cfg.BuildSources()
	if err != nil {
		return err
	}
	doc := sourcesDoc{}
	last, notes, note, srcs, err := e.sourceState(srcs)
	if err != nil {
		return err
	}
	doc.RunNote = note
	stats := map[string]catalog.SourceStats{}
	if last != nil {
		for _, s := range last.Sources {
			stats[s.Source] = s
		}
		r := *last
		r.Sources = nil
		doc.Run = &r
	}
	scheds := e.cfg.Serve.ScheduleList()
	for _, s := range srcs {
		d := s.Describe()
		row := sourceRow{Name: s.Name(), Title: d.Title, Authority: d.Authority, Format: d.Format, URLs: d.URLs, Requests: len(s.Requests()), Schedules: []string{}}
		if row.URLs == nil {
			row.URLs = []string{}
		}
		for _, sc := range scheds {
			if len(sc.Sources) == 0 || slices.Contains(sc.Sources, s.Name()) {
				row.Schedules = append(row.Schedules, sc.Name)
			}
		}
		if st, ok := stats[s.Name()]; ok {
			row.LastRun = &st
		}
		row.Note = notes[s.Name()]
		doc.Sources = append(doc.Sources, row)
	}
	if sourcesFormat == "json" {
		return writeJSON(e.stdout, doc)
	}
	return printSources(e, doc)
}

// sourceState reads, read-only, the last run, the sources as the next run
// plans them (see refresh.Planned) and, for each source that can summarise
// what it skipped, a note from its stored pages. A database that is not
// there yet, or that another process holds, is not an error: the listing
// says so instead (runNote).
func (e *env) sourceState(srcs []scrapers.Source) (run *catalog.Run, notes map[string]string, runNote string, planned []scrapers.Source, err error) {
	notes = map[string]string{}
	plan := refresh.Options{Sources: srcs, Normalization: e.cfg.Normalization(), Track: e.cfg.Track.Policy()}
	if _, err := os.Stat(e.dbPath); errors.Is(err, os.ErrNotExist) {
		planned, err = refresh.Planned(nil, plan)
		return nil, notes, "no database at " + e.dbPath + " yet", planned, err
	}
	st, err := e.openReader()
	if errors.Is(err, store.ErrLocked) {
		why := "unavailable: " + err.Error()
		planned, err = refresh.Planned(nil, plan)
		return nil, notes, why, planned, err
	}
	if err != nil {
		return nil, nil, "", nil, err
	}
	defer st.Close()
	pages, err := st.Pages()
	if err != nil {
		return nil, nil, "", nil, err
	}
	if planned, err = refresh.PlannedFrom(st, plan, pages); err != nil {
		return nil, nil, "", nil, err
	}
	last, err := st.LastRun()
	if errors.Is(err, store.ErrNotFound) {
		return nil, notes, "no run yet", planned, nil
	}
	if err != nil {
		return nil, nil, "", nil, err
	}
	for _, s := range srcs {
		sum, ok := s.(scrapers.Summarizer)
		if !ok {
			continue
		}
		var parts []string
		for _, p := range pages {
			if p.Source != s.Name() || p.BodySHA256 == "" {
				continue
			}
			body, err := st.Body(p.BodySHA256)
			if err != nil {
				parts = append(parts, "stored page unreadable: "+err.Error())
				continue
			}
			n, err := sum.Summarize(p.Kind, scrapers.Response{URL: p.URL, Status: p.Status, Body: body, RetrievedAt: p.FetchedAt})
			if err != nil {
				n = "cannot summarise the stored page: " + err.Error()
			}
			parts = append(parts, n)
		}
		sort.Strings(parts)
		notes[s.Name()] = strings.Join(parts, "; ")
	}
	return &last, notes, "", planned, nil
}

// maxListedURLs is how many of a source's URLs the text listing shows: a
// planned source asks for hundreds.
const maxListedURLs = 5

func printSources(e *env, doc sourcesDoc) error {
	w := e.stdout
	switch {
	case doc.Run != nil:
		r := doc.Run
		replay := ""
		if r.Replay != "" {
			replay = ", replay " + r.Replay
		}
		fmt.Fprintf(w, "last run: %d %s, started %s%s\n", r.ID, r.Status, r.StartedAt.UTC().Format(time.RFC3339), replay)
	default:
		fmt.Fprintf(w, "last run: %s\n", doc.RunNote)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tAUTHORITY\tFORMAT\tSCHEDULE\tLAST RUN\tREQUESTS\tURLS")
	for _, s := range doc.Sources {
		sched := strings.Join(s.Schedules, ",")
		if sched == "" {
			sched = "-"
		}
		status := "-"
		if s.LastRun != nil {
			status = string(s.LastRun.Status)
		}
		first := "-"
		if len(s.URLs) > 0 {
			first = s.URLs[0]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", s.Name, s.Authority, s.Format, sched, status, s.Requests, first)
		shown := min(len(s.URLs), maxListedURLs)
		for _, u := range s.URLs[min(1, shown):shown] {
			fmt.Fprintf(tw, "\t\t\t\t\t\t%s\n", u)
		}
		if more := len(s.URLs) - shown; more > 0 {
			fmt.Fprintf(tw, "\t\t\t\t\t\t(%d more: --format json lists them)\n", more)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range doc.Sources {
		if s.LastRun != nil {
			printErrors(w, *s.LastRun) // cmd_refresh.go
		}
		if s.Note != "" {
			fmt.Fprintf(w, "  %s: %s\n", s.Name, s.Note)
		}
	}
	return nil
}
