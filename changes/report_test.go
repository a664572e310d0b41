package changes

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/golden"
)

// sampleReport is one run's report with every kind of change: an ordinary
// price move, a ×1000 slip (held), a price falling to free (held, since
// approved), offerings and a model added and removed, a spec change, a
// stale source, a conflict and an unmatched id.
func sampleReport(t *testing.T) Report {
	t.Helper()
	named := func(s *catalog.Snapshot, id, name string) {
		s.Models[id].Name = catalog.Fact[string]{Value: name, Display: name, Source: catalog.SourceOf(catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityAggregator})}
	}
	prev := snapshot(
		offer("meta/llama-3.2-1b-instruct", fixed(27_000), fixed(200_000)),
		offer("openai/gpt-oss-20b", fixed(30_000), fixed(140_000)),
		offer("meta/llama-guard-3-8b", fixed(480_000), fixed(30_000)),
	)
	next := snapshot(
		offer("meta/llama-3.2-1b-instruct", fixed(27_000_000), fixed(201_000)),
		offer("openai/gpt-oss-20b", fixed(30_000), free),
		offer("deepseek/deepseek-v4-flash", fixed(126_000), fixed(252_000)),
	)
	for _, s := range []*catalog.Snapshot{prev, next} {
		for id := range s.Models {
			named(s, id, map[string]string{"meta/llama-3.2-1b-instruct": "Llama 3.2 1B Instruct", "openai/gpt-oss-20b": "gpt-oss-20b",
				"meta/llama-guard-3-8b": "Llama Guard 3 8B", "deepseek/deepseek-v4-flash": "DeepSeek V4 Flash"}[id])
		}
	}
	hf := catalog.SourceRef{Name: "huggingface", URL: "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct", Authority: catalog.AuthorityCreator}
	prev.Models["meta/llama-3.2-1b-instruct"].Released = catalog.Fact[catalog.Date]{Value: catalog.DayDate(2024, 9, 25), Display: "2024-09-25", Source: catalog.SourceOf(hf)}
	next.Models["meta/llama-3.2-1b-instruct"].Released = catalog.Fact[catalog.Date]{Value: catalog.DayDate(2024, 10, 24), Display: "2024-10-24", Source: catalog.SourceOf(hf)}.
		WithConflicts([]catalog.Conflict{{Display: "2024-09-25", Raw: "1727222400", Source: catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityAggregator}}})
	next.Unmatched = []catalog.Unmatched{{Source: "openrouter", ID: "openrouter/auto", Reason: "a router, not a model", URL: "https://openrouter.ai/api/v1/models"}}
	run := catalog.Run{ID: 2, StartedAt: day, Status: catalog.RunPartial, Replay: "bundled:2026-04-24",
		Sources: []catalog.SourceStats{{Source: "fireworks", Status: catalog.SourceFailed, Errors: []string{"https://fireworks.ai/pricing: HTTP 503"}}}}
	out := Review(Input{Published: prev, Next: next, Run: run, Rules: DefaultRules()})
	// Number the holds as the store would, and approve the free one.
	holds := map[uint64]catalog.Hold{}
	ids := map[string]uint64{}
	for i := range out.Seen {
		h := out.Seen[i]
		h.ID, h.FirstRun, h.LastRun = uint64(i+1), 2, 2
		ids[h.Key] = h.ID
		if h.Field == "output" {
			h.Status = catalog.HoldApproved
			h.Decision = &catalog.Decision{Action: catalog.ActionApprove, At: day.Add(7 * time.Hour), Note: "OpenRouter made it free", Holds: []uint64{h.ID}}
		}
		holds[h.ID] = h
	}
	out.Changes.Run = 2
	for i := range out.Changes.Changes {
		if k := out.Changes.Changes[i].HoldKey; k != "" {
			out.Changes.Changes[i].Hold = ids[k]
		}
	}
	return NewReport([]catalog.ChangeSet{out.Changes}, map[uint64]catalog.Run{2: run}, holds)
}

func TestReportGolden(t *testing.T) {
	r := sampleReport(t)
	golden.Assert(t, "testdata/report.golden.md", []byte(r.Markdown()))
	h, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/report.golden.html", h)
	j, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/report.golden.json", append(j, '\n'))
}

func TestReportContents(t *testing.T) {
	r := sampleReport(t)
	md := r.Markdown()
	for _, want := range []string{
		"| **#1** | input price | Llama 3.2 1B Instruct | OpenRouter | $0.027 → $27.00 | +$26.973 | +99900.0% | moved +99900.0%, beyond the ±50% limit; became 1000× larger, at or beyond the 10× limit | [openrouter](https://openrouter.ai/api/v1/models) |",
		"| Llama 3.2 1B Instruct | output price | $0.20 | $0.201 | +$0.001 | +0.5% | [openrouter](https://openrouter.ai/api/v1/models) |  |",
		"| gpt-oss-20b | output price | $0.14 | free | — | — | [openrouter](https://openrouter.ai/api/v1/models) | approved #2 |",
		"| fireworks | 0 facts kept stale | 0 facts (0 offerings) carried over from earlier runs; https://fireworks.ai/pricing: HTTP 503 |",
		"`openrouter/auto`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	// The held slip is in the Held section only.
	if strings.Contains(md, "HELD #1") || strings.Contains(md, "| Llama 3.2 1B Instruct | input price") {
		t.Errorf("the held change is also in its provider table:\n%s", md)
	}
	// Largest moves first: the move to free, then +0.5%.
	i2, i3 := strings.Index(md, "| gpt-oss-20b | output price"), strings.Index(md, "| Llama 3.2 1B Instruct | output price")
	if !(0 < i2 && i2 < i3) {
		t.Errorf("provider table not ordered by the size of the move: %d %d", i2, i3)
	}
	h, _ := r.HTML()
	for _, bad := range []string{"<script", "<link", "src=\"http", "@import"} {
		if bytes.Contains(h, []byte(bad)) {
			t.Errorf("HTML report is not self-contained: has %q", bad)
		}
	}
	if !bytes.Contains(h, []byte(`<span class="badge held">#1</span>`)) || !bytes.Contains(h, []byte("<style>")) {
		t.Error("HTML report lacks the held badge or its inline style")
	}
	if len(r.Held()) != 1 || r.Counts["price_changed"] != 3 || r.Statuses["held"] != 2 {
		t.Errorf("held %d, counts %v, statuses %v", len(r.Held()), r.Counts, r.Statuses)
	}
}

// numbered numbers an outcome's holds as the store would (from 1, first
// seen in run), and returns its change set and the holds by id.
func numbered(out Outcome, run uint64) (catalog.ChangeSet, map[uint64]catalog.Hold) {
	holds := map[uint64]catalog.Hold{}
	ids := map[string]uint64{}
	for i, h := range out.Seen {
		if h.ID == 0 {
			h.ID, h.FirstRun = uint64(i+1), run
		}
		h.LastRun = run
		ids[h.Key] = h.ID
		holds[h.ID] = h
	}
	cs := out.Changes
	cs.Run = run
	for i := range cs.Changes {
		if k := cs.Changes[i].HoldKey; k != "" {
			cs.Changes[i].Hold = ids[k]
		}
	}
	return cs, holds
}

// TestReportCarriedHold: a change still held since an earlier run is not
// counted as new when a later run finds it again; the report says since
// when it is held.
func TestReportCarriedHold(t *testing.T) {
	prev := snapshot(offer("m/a", fixed(27_000), fixed(200_000)), offer("m/b", fixed(100_000), fixed(100_000)))
	next := snapshot(offer("m/a", fixed(27_000_000), fixed(200_000)), offer("m/b", fixed(100_000), fixed(101_000)))
	first, holds := numbered(Review(Input{Published: prev, Next: next, Run: catalog.Run{StartedAt: day}, Rules: DefaultRules()}), 2)
	// Run 3 gives the same values: the slip's hold is seen again; m/b's
	// published move is no longer a difference.
	pub := snapshot(offer("m/a", fixed(27_000), fixed(200_000)), offer("m/b", fixed(100_000), fixed(101_000)))
	var pending []catalog.Hold
	for _, h := range holds {
		pending = append(pending, h)
	}
	again, _ := numbered(Review(Input{Published: pub, Next: next, Run: catalog.Run{StartedAt: day.Add(24 * time.Hour)}, Rules: DefaultRules(), Holds: pending}), 3)
	runs := map[uint64]catalog.Run{2: {ID: 2, StartedAt: day}, 3: {ID: 3, StartedAt: day.Add(24 * time.Hour)}}

	r := NewReport([]catalog.ChangeSet{again}, runs, holds)
	if len(r.Counts) != 0 || r.Carried != 1 || r.Statuses["held"] != 1 || !r.Changes[0].Carried {
		t.Errorf("run 3 counts %v, carried %d, statuses %v: the held slip counted as new", r.Counts, r.Carried, r.Statuses)
	}
	md := r.Markdown()
	for _, want := range []string{"No new changes. 1 change is held for review, since an earlier run.", "| **#1** since run 2 | input price | m/a |"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	both := NewReport([]catalog.ChangeSet{first, again}, runs, holds)
	if both.Counts["price_changed"] != 2 || both.Carried != 1 {
		t.Errorf("runs 2–3: counts %v, carried %d; want 2 new price changes (run 2) and 1 carried (run 3)", both.Counts, both.Carried)
	}
	if s := both.summary(); !strings.Contains(s, "2 prices changed.") || !strings.Contains(s, "1 change is held for review.") {
		t.Errorf("summary %q", s)
	}
}

// TestReportBreakageHeldOnly: a source breakage is one line of the Held
// section, naming how many offerings vanished, with what approving removes
// listed once; its removals are in no provider or model table.
func TestReportBreakageHeldOnly(t *testing.T) {
	prev := snapshot(append(many(6, "m/x-"), offer("m/keep", fixed(1), fixed(2)))...)
	next := snapshot(offer("m/keep", fixed(1), fixed(2)))
	cs, holds := numbered(Review(Input{Published: prev, Next: next, Run: catalog.Run{StartedAt: day}, Rules: DefaultRules()}), 2)
	r := NewReport([]catalog.ChangeSet{cs}, map[uint64]catalog.Run{2: {ID: 2, StartedAt: day}}, holds)
	md := r.Markdown()
	for _, want := range []string{
		"| **#1** | source breakage | 6 of 7 OpenRouter offerings vanished | OpenRouter | published → removed | — | — | 85% of OpenRouter's offerings vanished in one run, more than the 25% limit |",
		"Approving #1 removes 6 offerings and 6 models:\n\n- m/x-a at OpenRouter — model removed too\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Count(md, "m/x-a") != 1 || strings.Contains(md, "## OpenRouter") || strings.Contains(md, "## Models") {
		t.Errorf("the held removals are listed outside the Held section:\n%s", md)
	}
	h, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(h, []byte("<details><summary>approving removes 6 offerings and 6 models</summary><ul><li>m/x-a at OpenRouter — model removed too</li>")) {
		t.Errorf("HTML report lacks the folded list:\n%s", h)
	}
}

// TestReportOutsideTextInert: names, ids, details and URLs from a source
// cannot start a line, a heading, a link, a code span or HTML in the
// Markdown report, nor reach the HTML report unescaped.
func TestReportOutsideTextInert(t *testing.T) {
	evil := "x\n# heading `x` <img src=x onerror=alert(1)> | [link](javascript:alert(1)) \x1b]0;pwned\x07\x1b[2J"
	prev := snapshot(offer("m/a", fixed(100_000), fixed(200_000)))
	next := snapshot(offer("m/a", fixed(100_000), fixed(201_000)))
	next.Models["m/a"].Name = catalog.Fact[string]{Value: evil, Display: evil, Source: fixed(1).Source}
	next.Unmatched = []catalog.Unmatched{{Source: "openrouter", ID: "evil/``" + evil, Reason: evil, URL: "javascript:alert(1)"}}
	out := Review(Input{Published: prev, Next: next, Run: catalog.Run{StartedAt: day, Sources: []catalog.SourceStats{{Source: "fireworks", Status: catalog.SourceFailed, Errors: []string{evil}}}}, Rules: DefaultRules()})
	cs, holds := numbered(out, 2)
	r := NewReport([]catalog.ChangeSet{cs}, map[uint64]catalog.Run{2: {ID: 2, StartedAt: day, Replay: evil}}, holds)
	md := r.Markdown()
	for i, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "# llmref changes") && !strings.HasPrefix(line, "## ") {
			t.Errorf("line %d is an injected heading: %q", i+1, line)
		}
		if strings.HasPrefix(line, "## ") && strings.Contains(line, "heading") {
			t.Errorf("line %d: %q", i+1, line)
		}
	}
	// Outside code spans (whose text is shown as it is, markup and all),
	// nothing is markup.
	text := regexp.MustCompile("```.*?```").ReplaceAllString(md, "")
	for _, bad := range []string{"\x1b", "\x07"} {
		if strings.Contains(md, bad) {
			t.Errorf("Markdown has %q:\n%s", bad, md)
		}
	}
	for _, bad := range []string{`(^|[^\\])<img`, `[^\\]\]\(javascript`, "(^|[^\\\\])`x"} {
		if regexp.MustCompile(bad).MatchString(text) {
			t.Errorf("Markdown has unescaped %s:\n%s", bad, md)
		}
	}
	// The name renders as the text it is: x\n# heading `x` <img …> | [link](…) \x1b]0;…
	cell := "x\\\\n# heading \\`x\\` \\<img src=x onerror=alert(1)> \\| \\[link\\](javascript:alert(1)) \\\\x1b\\]0;pwned\\\\x07\\\\x1b\\[2J"
	for _, want := range []string{
		"| " + cell + " | output price | $0.20 | $0.201 |",
		"| openrouter | ``` evil/``x\\n# heading `x` <img src=x onerror=alert(1)> \\| [link](javascript:alert(1)) \\x1b]0;pwned\\x07\\x1b[2J ``` | " + cell + " |",
		"replay " + cell + "\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	// Every table row keeps its cells: no row is cut by a newline or a |.
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") < 3 {
			t.Errorf("broken table row %q", line)
		}
	}
	h, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<img", "\x1b", "\x07", `href="javascript`} {
		if bytes.Contains(h, []byte(bad)) {
			t.Errorf("HTML report has %q", bad)
		}
	}
}

// TestReportNumberStyle: a report writes the values of conflicts and spec
// changes as the text output writes numbers (money with at least two
// decimals, token counts in K and M), whatever display the catalogue
// keeps; the JSON keeps the displays.
func TestReportNumberStyle(t *testing.T) {
	or := fixed(1).Source
	md := catalog.SourceRef{Name: "modelsdev", URL: "https://models.dev/api.json", Authority: catalog.AuthorityCrossCheck}
	prev := snapshot(offer("m/a", fixed(27_000), fixed(200_000)))
	o := offer("m/a", fixed(27_000), fixed(200_000))
	next := snapshot(o)
	o.Output.SetConflicts([]catalog.Conflict{{Display: catalog.Fixed(27_000_000).String(), Raw: "27", Source: md}})
	prev.Models["m/a"].ContextWindow = catalog.Fact[catalog.Tokens]{Value: catalog.Tokens{N: 131_072, Display: "131,072"}, Display: "131,072", Source: or}
	next.Models["m/a"].ContextWindow = catalog.Fact[catalog.Tokens]{Value: catalog.Tokens{N: 400_000, Display: "400,000"}, Display: "400,000", Source: or}
	out := Review(Input{Published: prev, Next: next, Run: catalog.Run{StartedAt: day}, Rules: DefaultRules()})
	cs, holds := numbered(out, 2)
	r := NewReport([]catalog.ChangeSet{cs}, map[uint64]catalog.Run{2: {ID: 2, StartedAt: day}}, holds)
	h, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		format     string
		out        string
		want, dont []string
	}{
		{"markdown", r.Markdown(), []string{"| m/a | context window | 128K | 400K |", "| m/a | OpenRouter conflict on output | $0.20 | $27.00 |"}, []string{"/ 1M tokens", "400,000", "$27 ", "$0.2 "}},
		{"html", string(h), []string{"<td data-label=\"old\">128K</td><td data-label=\"new\">400K</td>", "<td data-label=\"kept\">$0.20</td><td data-label=\"other value\">$27.00</td>"}, []string{"/ 1M tokens", "400,000"}},
		{"json", string(j), []string{`"old":"131,072","new":"400,000"`, `"old":"$0.2 / 1M tokens","new":"$27 / 1M tokens"`}, nil},
	} {
		t.Run(tc.format, func(t *testing.T) {
			for _, want := range tc.want {
				if !strings.Contains(tc.out, want) {
					t.Errorf("lacks %q:\n%s", want, tc.out)
				}
			}
			for _, bad := range tc.dont {
				if strings.Contains(tc.out, bad) {
					t.Errorf("has %q:\n%s", bad, tc.out)
				}
			}
		})
	}
}

func TestValueText(t *testing.T) {
	for _, tc := range []struct{ field, display, want string }{
		{"output", "$0.2 / 1M tokens", "$0.20"},
		{"input", "$27 / 1M tokens", "$27.00"},
		{"input", "$0.027 / 1M tokens", "$0.027"},
		{"input", "free", "free"},
		{"context_window", "400,000", "400K"},
		{"context", "131072", "128K"},
		{"max_output", "128K", "128K"},
		{"context_window", "131,073", "~131K"},
		{"context_window", "1,2,3", "1,2,3"},
		{"parameters", "1,230,000,000", "1,230,000,000"},
		{"released", "2024-09-25", "2024-09-25"},
	} {
		t.Run(tc.field+" "+tc.display, func(t *testing.T) {
			if got := valueText(tc.field, tc.display); got != tc.want {
				t.Errorf("valueText(%q, %q) = %q; want %q", tc.field, tc.display, got, tc.want)
			}
		})
	}
}

// TestReportShortened: a report shortened to fit a webhook's limit keeps
// the changes waiting for an operator first, then the others in order,
// counts the rest as omitted, and still counts every change.
func TestReportShortened(t *testing.T) {
	r := sampleReport(t)
	n := len(r.Changes)
	if n < 4 || len(r.Held()) != 1 {
		t.Fatalf("sample: %d changes, %d held", n, len(r.Held()))
	}
	for i := range r.Changes { // a mark to tell the entries apart
		r.Changes[i].ModelName = "entry " + strconv.Itoa(i)
	}
	held := r.Held()[0]
	for _, keep := range []int{-1, 0, 1, 2, n - 1, n, n + 5} {
		s := r.Shortened(keep)
		want := min(max(keep, 0), n)
		if len(s.Changes) != want || s.Omitted != n-want {
			t.Errorf("keep %d: %d changes, %d omitted; want %d, %d", keep, len(s.Changes), s.Omitted, want, n-want)
		}
		if want >= 1 && !s.Changes[slicesIndex(s.Changes, held)].pending() {
			t.Errorf("keep %d: the held change was left out", keep)
		}
		// The kept changes are in the report's order, the first others first.
		last := -1
		others := 0
		for _, e := range s.Changes {
			i := slicesIndex(r.Changes, e)
			if i <= last {
				t.Errorf("keep %d: changes out of the report's order", keep)
			}
			last = i
			if !e.pending() {
				others++
			}
		}
		for i, e := range r.Changes {
			if !e.pending() && others > 0 {
				others--
				if slicesIndex(s.Changes, e) < 0 {
					t.Errorf("keep %d: change %d left out before a later one", keep, i)
				}
			}
		}
		if s.Counts["price_changed"] != r.Counts["price_changed"] || s.Statuses["held"] != r.Statuses["held"] {
			t.Errorf("keep %d: counts %v statuses %v, want the whole report's", keep, s.Counts, s.Statuses)
		}
	}
	if &r.Shortened(n).Changes[0] != &r.Changes[0] {
		t.Error("a report that fits is copied")
	}
	j, err := json.Marshal(r.Shortened(1))
	if err != nil || !bytes.Contains(j, []byte(`"omitted":`+strconv.Itoa(n-1))) {
		t.Errorf("JSON %s lacks omitted (%v)", j, err)
	}
	if j, _ := json.Marshal(r); bytes.Contains(j, []byte(`"omitted"`)) || bytes.Contains(j, []byte(`"complete_report"`)) {
		t.Error("a whole report says omitted or complete_report")
	}
}

// slicesIndex is the index of the entry of es with e's mark (its
// ModelName, see TestReportShortened), or -1.
func slicesIndex(es []Entry, e Entry) int {
	for i := range es {
		if es[i].ModelName == e.ModelName {
			return i
		}
	}
	return -1
}

// TestReportHTMLShort: a shortened page keeps each section's first rows
// (a provider's largest moves) and says how many more there are and where
// the whole report is; with room for every row it is the whole page.
func TestReportHTMLShort(t *testing.T) {
	r := sampleReport(t)
	whole, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	roomy, err := r.HTMLShort(1000, "see the whole report")
	if err != nil || !bytes.Equal(roomy, whole) {
		t.Errorf("a page with room for every row differs from the whole one (%v)", err)
	}
	short, err := r.HTMLShort(1, "the whole report: <code>llmref changes --run 2</code>")
	if err != nil {
		t.Fatal(err)
	}
	v := r.view()
	var left int
	for _, p := range v.Providers {
		left += max(len(p.Rows)-1, 0)
	}
	if left == 0 {
		t.Fatal("the sample has no provider table of two rows")
	}
	notes := regexp.MustCompile(`<p class="note">(\d+) more rows? not shown here: the whole report: &lt;code&gt;llmref changes --run 2&lt;/code&gt;\.</p>`).FindAllSubmatch(short, -1)
	total := 0
	for _, m := range notes {
		n, _ := strconv.Atoi(string(m[1]))
		total += n
	}
	want := left + max(len(v.Models)-1, 0) + max(len(v.Specs)-1, 0) + max(len(v.Stale)-1, 0) + max(len(v.Conflicts)-1, 0) + max(len(v.Unmatched)-1, 0) + max(len(v.Held)-1, 0)
	if total != want || len(short) >= len(whole) {
		t.Errorf("the short page says %d rows left out in %d notes, want %d (%d bytes against %d)", total, len(notes), want, len(short), len(whole))
	}
	// The largest move of a provider's table is the row kept.
	if !bytes.Contains(short, []byte("| gpt-oss-20b |")) && !bytes.Contains(short, []byte(`title="openai/gpt-oss-20b">gpt-oss-20b</td><td data-label="change">output price`)) {
		t.Errorf("the largest move is not the row kept:\n%s", short)
	}
}
