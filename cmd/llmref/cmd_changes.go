package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/changes"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/internal/textsafe"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/store"
)

// changesFlags are `llmref changes`' flags.
type changesFlags struct {
	run    string
	since  string
	format string
}

// decisionFlags are the flags of approve, reject and mark-reviewed.
type decisionFlags struct {
	note   string
	export string
	sel    *selectFlags // approve and reject
}

// selectFlags pick holds by what they are about (changes.Selector): the
// flags of review, approve and reject.
type selectFlags struct {
	all                           bool
	run                           string
	kind, source, provider, model string
}

func newSelectFlags(fs *flag.FlagSet) *selectFlags {
	f := &selectFlags{}
	fs.BoolVar(&f.all, "all", false, "every pending hold")
	fs.StringVar(&f.run, "run", "", "the holds this run `ID` first held")
	fs.StringVar(&f.kind, "kind", "", "holds of this `kind`: price, offering_added, source_breakage or source_surge")
	fs.StringVar(&f.source, "source", "", "holds of this source's values (or its breakage, its surge)")
	fs.StringVar(&f.provider, "provider", "", "holds whose every change is at this provider")
	fs.StringVar(&f.model, "model", "", "holds whose every change is of this model `id`")
	return f
}

// selector is the selection the flags make; empty when none is set.
func (f *selectFlags) selector(cmd string) (changes.Selector, error) {
	sel := changes.Selector{All: f.all, Kind: catalog.HoldKind(f.kind), Source: f.source, Provider: f.provider, Model: f.model}
	if f.run != "" {
		id, err := strconv.ParseUint(f.run, 10, 64)
		if err != nil || id == 0 {
			return sel, usageError{fmt.Sprintf("%s: --run %q is not a run id", cmd, f.run)}
		}
		sel.Run = id
	}
	if f.model != "" {
		if _, _, err := catalog.SplitID(f.model); err != nil {
			return sel, usageError{cmd + ": --model: " + err.Error()}
		}
	}
	if err := sel.Check(); err != nil {
		return sel, usageError{cmd + ": " + err.Error()}
	}
	return sel, nil
}

// historyFlags are `llmref history`'s flags.
type historyFlags struct {
	provider string
	format   *string
}

func init() {
	register(&command{
		name: "changes", group: groupRead, args: "[--run ID | --since DATE] [--format md|json|html]",
		summary: "the change report: the last run's changes (default), one run's, or every run's since a date",
		setup: func(fs *flag.FlagSet) runFunc {
			f := &changesFlags{}
			fs.StringVar(&f.run, "run", "", "report this run")
			fs.StringVar(&f.since, "since", "", "report every run that started on or after this `date` (YYYY-MM-DD, UTC)")
			fs.StringVar(&f.format, "format", "md", "md (Markdown), json or html (one self-contained page)")
			return f.runChanges
		},
	})
	register(&command{
		name: "notify", group: groupReview, args: "[--run ID]",
		summary: "send a run's change report to the webhook again (the last run's by default): after the receiver was down",
		setup: func(fs *flag.FlagSet) runFunc {
			run := fs.String("run", "", "send this run's report")
			return func(ctx context.Context, e *env, args []string) error { return runNotify(ctx, e, *run, args) }
		},
	})
	register(&command{
		name: "review", group: groupReview, args: "[--run ID] [--kind K] [--source S] [--provider P] [--model ID] [--format text|json]",
		summary: "list the changes held for review, oldest first, with their ids (those a selection picks)",
		setup: func(fs *flag.FlagSet) runFunc {
			format := formatFlag(fs)
			sel := newSelectFlags(fs)
			return func(ctx context.Context, e *env, args []string) error { return runReview(e, *format, sel, args) }
		},
	})
	for _, a := range []catalog.Action{catalog.ActionApprove, catalog.ActionReject} {
		verb := "publish held changes (the value, reviewed_at, its price-history point) and re-export"
		if a == catalog.ActionReject {
			verb = "drop held changes: the published values stay; the source repeating the value is not held again"
		}
		register(&command{
			name: string(a), group: groupReview, args: "(ID... | --all | [--run ID] [--kind K] [--source S] [--provider P] [--model ID]) --note TEXT [--export DIR]",
			summary: verb,
			setup: func(fs *flag.FlagSet) runFunc {
				f := newDecisionFlags(fs)
				f.sel = newSelectFlags(fs)
				return func(ctx context.Context, e *env, args []string) error { return f.decide(ctx, e, a, args) }
			},
		})
	}
	register(&command{
		name: "mark-reviewed", group: groupReview, args: "MODEL... [--note TEXT] [--export DIR]",
		summary: "set reviewed_at on a model's facts and its offerings' facts",
		setup: func(fs *flag.FlagSet) runFunc {
			return newDecisionFlags(fs).markReviewed
		},
	})
	register(&command{
		name: "history", group: groupRead, args: "MODEL [--provider P] [--format text|json]",
		summary: "each offering's price timeline with the dates the prices took effect",
		setup: func(fs *flag.FlagSet) runFunc {
			f := &historyFlags{}
			fs.StringVar(&f.provider, "provider", "", "only this provider's offerings")
			f.format = formatFlag(fs)
			return f.runHistory
		},
	})
}

func newDecisionFlags(fs *flag.FlagSet) *decisionFlags {
	f := &decisionFlags{}
	fs.StringVar(&f.note, "note", "", "why: recorded with the decision and its time")
	exportFlag(fs, &f.export, "re-publish the JSON tree here afterwards")
	return f
}

func (f *changesFlags) runChanges(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("changes: unexpected argument %q", args[0])}
	}
	if f.run != "" && f.since != "" {
		return usageError{"changes: give --run or --since, not both"}
	}
	if f.format != "md" && f.format != "json" && f.format != "html" {
		return usageError{fmt.Sprintf("changes: --format %q: want md, json or html", f.format)}
	}
	st, err := e.openReader()
	if err != nil {
		return err
	}
	defer st.Close()
	var sets []catalog.ChangeSet
	switch {
	case f.since != "":
		since, err := time.Parse("2006-01-02", f.since)
		if err != nil {
			return usageError{fmt.Sprintf("changes: --since %q: want a date, YYYY-MM-DD", f.since)}
		}
		if sets, err = st.ChangeSets(since); err != nil {
			return err
		}
	default:
		id, err := parseRunID("changes", f.run)
		if err != nil {
			return err
		}
		run, err := namedRun(st, "changes", id)
		if err != nil {
			return err
		}
		id = run.ID
		cs, err := st.ChangeSet(id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("changes: run %d recorded no changes (it failed before normalising)", id)
		} else if err != nil {
			return err
		}
		sets = []catalog.ChangeSet{cs}
	}
	rep, err := publish.ChangeReport(st, sets)
	if err != nil {
		return err
	}
	var out []byte
	switch f.format {
	case "md":
		out = []byte(rep.Markdown())
	case "json":
		out, err = export.Canonical(rep)
	case "html":
		out, err = rep.HTML()
	}
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(out)
	return err
}

func runReview(e *env, format string, sf *selectFlags, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("review: unexpected argument %q", args[0])}
	}
	if err := checkFormat("review", format); err != nil {
		return err
	}
	sel, err := sf.selector("review")
	if err != nil {
		return err
	}
	st, err := e.openReader()
	if err != nil {
		return err
	}
	defer st.Close()
	held, err := st.Holds(catalog.HoldPending)
	if err != nil {
		return err
	}
	if !sel.Empty() {
		held = sel.Select(held)
	}
	if format == "json" {
		if held == nil {
			held = []catalog.Hold{}
		}
		return writeJSON(e.stdout, held)
	}
	if len(held) == 0 && !sel.Empty() {
		fmt.Fprintln(e.stdout, "No held change matches the selection.")
		return nil
	}
	if len(held) == 0 {
		fmt.Fprintln(e.stdout, "Nothing is held for review.")
		return nil
	}
	snap, err := st.Snapshot()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSINCE\tKIND\tMODEL\tPROVIDER\tCHANGE\tWHY")
	for _, h := range held {
		v := changes.DescribeHold(h, modelName(snap))
		textsafe.Fprintf(tw, "%d\trun %d, %s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.FirstRun, v.FirstSeen.UTC().Format("2006-01-02"),
			v.Kind, v.Model, v.Provider, v.ChangeText(), changes.WhyText(v.Why))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "\nDecide with `llmref approve ID... --note TEXT` or `llmref reject ID... --note TEXT`, or the same selection: `llmref approve --provider P --note TEXT`.")
	return nil
}

// modelName gives a model's display name from the published catalogue,
// "" when it has none of its own.
func modelName(snap *catalog.Snapshot) func(id string) string {
	return func(id string) string {
		if m := snap.Models[id]; m != nil && m.DisplayName() != id {
			return m.DisplayName()
		}
		return ""
	}
}

// holdValues is a hold's change on one line, models named by their ids.
func holdValues(h catalog.Hold) string {
	return changes.DescribeHold(h, func(string) string { return "" }).ChangeText()
}

// parseHoldIDs reads hold ids ("7" or "#7").
func parseHoldIDs(cmd string, args []string) ([]uint64, error) {
	if len(args) == 0 {
		return nil, usageError{fmt.Sprintf("%s: name at least one hold id (see `llmref review`), or select holds with --all, --run, --kind, --source, --provider or --model", cmd)}
	}
	ids := make([]uint64, 0, len(args))
	for _, a := range args {
		id, err := strconv.ParseUint(strings.TrimPrefix(a, "#"), 10, 64)
		if err != nil || id == 0 {
			return nil, usageError{fmt.Sprintf("%s: %q is not a hold id (see `llmref review`)", cmd, a)}
		}
		if slices.Contains(ids, id) {
			return nil, usageError{fmt.Sprintf("%s: hold %d is named twice", cmd, id)}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (f *decisionFlags) decide(ctx context.Context, e *env, action catalog.Action, args []string) error {
	cmd := string(action)
	sel, err := f.sel.selector(cmd)
	if err != nil {
		return err
	}
	var ids []uint64
	switch {
	case !sel.Empty() && len(args) > 0:
		return usageError{fmt.Sprintf("%s: give hold ids or a selection (--all, --run, --kind, --source, --provider, --model), not both", cmd)}
	case sel.Empty():
		if ids, err = parseHoldIDs(cmd, args); err != nil {
			return err
		}
	}
	note := strings.TrimSpace(f.note)
	if note == "" {
		return usageError{fmt.Sprintf("%s: --note TEXT is required: say why (it is recorded with the decision)", cmd)}
	}
	st, err := e.openExisting()
	if err != nil {
		return err
	}
	defer st.Close()
	if !sel.Empty() { // picked under the writer's lock: what is decided is what matched
		held, err := st.Holds(catalog.HoldPending)
		if err != nil {
			return err
		}
		for _, h := range sel.Select(held) {
			ids = append(ids, h.ID)
		}
		if len(ids) == 0 {
			return fmt.Errorf("%s: no pending hold matches the selection (see `llmref review` with the same flags)", cmd)
		}
	}
	done, err := st.Decide(action, ids, note, time.Now(), changes.ApplyDecision)
	if err != nil {
		return err
	}
	for _, h := range done {
		verb, what := "rejected", "dropped: the published value stays"
		if action == catalog.ActionApprove {
			verb = "approved"
			what = fmt.Sprintf("published, effective from run %d (%s)", h.FirstRun, h.FirstSeen.UTC().Format("2006-01-02"))
		}
		if !e.quiet {
			textsafe.Fprintf(e.stdout, "%s #%d %s: %s — %s\n", verb, h.ID, h.Subject(), holdValues(h), what)
		}
	}
	return f.republish(ctx, e, st)
}

func (f *decisionFlags) markReviewed(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageError{"mark-reviewed: name at least one model (see `llmref models`)"}
	}
	for _, id := range args {
		if _, _, err := catalog.SplitID(id); err != nil {
			return usageError{"mark-reviewed: " + err.Error()}
		}
	}
	st, err := e.openExisting()
	if err != nil {
		return err
	}
	defer st.Close()
	at := time.Now()
	if err := st.MarkReviewed(args, strings.TrimSpace(f.note), at); err != nil {
		return err
	}
	if !e.quiet {
		fmt.Fprintf(e.stdout, "marked reviewed at %s: %s\n", at.UTC().Format(time.RFC3339), strings.Join(args, ", "))
	}
	return f.republish(ctx, e, st)
}

// republish exports the tree again after a decision changed the published
// catalogue, when an export folder is given or configured.
func (f *decisionFlags) republish(ctx context.Context, e *env, st *store.Store) error {
	stats, err := e.publisher(f.export).Publish(ctx, st)
	if err != nil {
		return fmt.Errorf("the decision is recorded, but %w", err)
	}
	e.printExported(stats)
	return nil
}

func (f *historyFlags) runHistory(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return usageError{"history: name one model (creator/slug)"}
	}
	if err := checkFormat("history", *f.format); err != nil {
		return err
	}
	model := args[0]
	_, _, idErr := catalog.SplitID(model)
	st, err := e.openReader()
	if err != nil {
		return err
	}
	defer st.Close()
	doc, err := publish.NamedHistory(st, model, f.provider)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	model = doc.Model // the canonical id a source's id or another case named
	if len(doc.Offerings) == 0 {
		all, err := publish.History(st, model, "")
		if err != nil {
			return err
		}
		if len(all.Offerings) == 0 {
			if idErr != nil && model == args[0] { // not an id, and no model's name
				return usageError{"history: " + idErr.Error()}
			}
			return fmt.Errorf("history: unknown model %s: it has no price history (see `llmref models`)", model)
		}
		var ps []string
		for _, o := range all.Offerings {
			if len(ps) == 0 || ps[len(ps)-1] != o.Provider {
				ps = append(ps, o.Provider)
			}
		}
		return fmt.Errorf("history: %s has no offering at %q (providers: %s)", model, f.provider, strings.Join(ps, ", "))
	}
	if *f.format == "json" {
		return writeJSON(e.stdout, doc)
	}
	printHistory(e.stdout, doc)
	return nil
}

func printHistory(w io.Writer, doc export.HistoryDoc) {
	for i, o := range doc.Offerings {
		if i > 0 {
			fmt.Fprintln(w)
		}
		title := doc.Model + " at " + o.Provider
		if o.Region != "" {
			title += " " + o.Region
		}
		if o.Variant != "" {
			title += " :" + o.Variant
		}
		fmt.Fprintln(w, textsafe.Line(title))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  EFFECTIVE\tRUN\tINPUT\tOUTPUT\tCACHED INPUT\tSOURCE")
		for _, p := range o.Points {
			if p.Removed {
				fmt.Fprintf(tw, "  %s\t%d\tremoved\t\t\t\n", p.At.UTC().Format("2006-01-02 15:04"), p.Run)
				continue
			}
			textsafe.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\t%s\n", p.At.UTC().Format("2006-01-02 15:04"), p.Run,
				changes.PriceText(p.Input), changes.PriceText(p.Output), changes.PriceText(p.CachedInput), p.Source)
		}
		tw.Flush()
	}
}

// runNotify sends a run's change report to the webhook again, as the run
// did (shortened to max_bytes, signed), and records how it went: a
// receiver that was down during the night's delivery misses nothing.
func runNotify(ctx context.Context, e *env, runFlag string, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("notify: unexpected argument %q", args[0])}
	}
	id, err := parseRunID("notify", runFlag)
	if err != nil {
		return err
	}
	pub := e.publisher("")
	if pub.Webhook.URL == "" {
		return errors.New("notify: no webhook is configured (review.webhook.url)")
	}
	st, err := e.openExisting()
	if err != nil {
		return err
	}
	defer st.Close()
	run, err := namedRun(st, "notify", id)
	if err != nil {
		return err
	}
	cs, err := st.ChangeSet(run.ID)
	if errors.Is(err, store.ErrNotFound) || err == nil && len(cs.Changes) == 0 {
		if !e.quiet {
			fmt.Fprintf(e.stdout, "run %d has no changes to report: nothing sent\n", run.ID)
		}
		return nil
	} else if err != nil {
		return err
	}
	d := pub.Notify(ctx, st, run, cs)
	if d == nil || !d.OK {
		msg := "not sent"
		if d != nil {
			msg = d.Error
		}
		return fmt.Errorf("notify: run %d's report: %s", run.ID, msg)
	}
	if !e.quiet {
		fmt.Fprintf(e.stdout, "sent run %d's report to %s: HTTP %d after %d attempt(s)", run.ID, d.URL, d.Status, d.Attempts)
		if d.Omitted > 0 {
			fmt.Fprintf(e.stdout, ", %d changes left out to fit max_bytes", d.Omitted)
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}

// parseRunID reads a --run flag ("12" or "#12"); 0 when it is not given.
func parseRunID(cmd, flag string) (uint64, error) {
	if flag == "" {
		return 0, nil
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(flag, "#"), 10, 64)
	if err != nil || id == 0 {
		return 0, usageError{fmt.Sprintf("%s: --run %q: want a run id (a positive number)", cmd, flag)}
	}
	return id, nil
}

// namedRun is run id's record, or the last run's when id is 0.
func namedRun(st *store.Store, cmd string, id uint64) (catalog.Run, error) {
	if id == 0 {
		run, err := st.LastRun()
		if errors.Is(err, store.ErrNotFound) {
			return run, fmt.Errorf("%s: the database has no run yet (run `llmref refresh` first)", cmd)
		}
		return run, err
	}
	run, err := st.Run(id)
	if errors.Is(err, store.ErrNotFound) {
		return run, fmt.Errorf("%s: unknown run %d", cmd, id)
	}
	return run, err
}
