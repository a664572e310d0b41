package scrapers

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// maxCardEvalRows bounds the benchmark rows read from one card: a card is
// a page of text, and a table of thousands of rows is not an evaluation
// table of one model.
const maxCardEvalRows = 400

// hfEvalKind says whose results an evaluation table holds.
type hfEvalKind int

const (
	evalKindUnsaid hfEvalKind = iota
	evalKindBase
	evalKindTuned
)

var (
	evalSizeToken    = regexp.MustCompile(`^\d+(?:\.\d+)?[bm]$`)
	evalVersionToken = regexp.MustCompile(`^\d+(?:\.\d+)+$`)
)

// evalKindOf reads a heading: "### Instruction Tuned Models" holds tuned
// results, "### Base Pretrained Models" base ones.
func evalKindOf(heading string) hfEvalKind {
	h := strings.ToLower(heading)
	switch {
	case strings.Contains(h, "instruct") || strings.Contains(h, "tuned") || strings.Contains(h, "chat"):
		return evalKindTuned
	case strings.Contains(h, "base") || strings.Contains(h, "pretrained") || strings.Contains(h, "pre-trained"):
		return evalKindBase
	}
	return evalKindUnsaid
}

// evalRepo is what a repository's name says about the columns that are its
// own: its size ("1b"), version numbers ("3.2"), whether it is tuned, and
// the words that name a variant ("qlora", "spinquant").
type evalRepo struct {
	size     string
	versions map[string]bool
	tuned    bool
	variant  []string
}

func evalRepoOf(repo string) evalRepo {
	name := repo
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	er := evalRepo{versions: map[string]bool{}}
	seenSize := false
	for _, tok := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '-' || r == '_' || r == ' ' }) {
		switch {
		case evalSizeToken.MatchString(tok) && !seenSize:
			er.size, seenSize = tok, true
		case evalVersionToken.MatchString(tok):
			er.versions[tok] = true
		case tok == "instruct" || tok == "it" || tok == "chat":
			er.tuned = true
		case seenSize && tok != "hf":
			er.variant = append(er.variant, tok)
		}
	}
	return er
}

// fullPrecision are the words a column adds to a model name for the
// unquantised weights the repository holds.
var fullPrecision = map[string]bool{"": true, "bf16": true, "fp16": true, "fp32": true, "bfloat16": true, "baseline": true}

// column reports whether an evaluation table's column header names this
// repository's model: its size, no other version number, and either the
// repository's variant or, for a plain repository, full precision.
func (er evalRepo) column(header string) bool {
	h := strings.NewReplacer("*", " ", `\`, " ", "(", " ", ")", " ").Replace(strings.ToLower(header))
	toks := strings.Fields(h)
	at := -1
	for i, t := range toks {
		if evalSizeToken.MatchString(t) {
			at = i
			break
		}
	}
	if at < 0 || toks[at] != er.size {
		return false
	}
	for _, t := range toks[:at] {
		if evalVersionToken.MatchString(t) && !er.versions[t] {
			return false
		}
	}
	variant := strings.Join(toks[at+1:], "")
	if len(er.variant) == 0 {
		return fullPrecision[variant]
	}
	for _, v := range er.variant {
		if v != "int4" && v != "eo8" && variant != "" && (strings.Contains(variant, v) || strings.Contains(v, variant)) {
			return true
		}
	}
	return false
}

// evalTable is one Markdown table of a card under its heading.
type evalTable struct {
	heading string
	rows    [][]string // the header first; separators dropped
}

// cardTables splits a card's Markdown into its tables, each with the
// nearest heading above it; fenced code blocks are skipped.
func cardTables(body string) []evalTable {
	var out []evalTable
	heading := ""
	var cur *evalTable
	fenced := false
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") {
			fenced, cur = !fenced, nil
			continue
		}
		if fenced {
			continue // code: a "# comment" is no heading, a "|" no table
		}
		if !strings.HasPrefix(line, "|") {
			cur = nil
			if strings.HasPrefix(line, "#") {
				heading = CleanText(strings.TrimLeft(line, "# "))
			}
			continue
		}
		cells := splitMDRow(line)
		if cur == nil {
			out = append(out, evalTable{heading: heading})
			cur = &out[len(out)-1]
		}
		if len(cur.rows) > 0 && isMDSeparator(cells) {
			continue
		}
		cur.rows = append(cur.rows, cells)
	}
	return out
}

// evalHeader names an evaluation table's columns by role; -1 when absent.
type evalHeader struct {
	benchmark, shots, metric, model int
	// extra are columns that qualify a row (a language), by index.
	extra []int
}

func unescapeMD(s string) string {
	return CleanText(strings.ReplaceAll(s, `\`, ""))
}

// evalColumns reads a table's header: a Benchmark column makes it an
// evaluation table (ok); the repository's column is found among those
// that name a model size. ambiguous is set when two columns are its own.
func evalColumns(header []string, er evalRepo) (h evalHeader, ok, ambiguous bool) {
	h = evalHeader{benchmark: -1, shots: -1, metric: -1, model: -1}
	for i, c := range header {
		name := strings.ToLower(unescapeMD(c))
		switch {
		case name == "benchmark" || name == "benchmarks":
			h.benchmark = i
		case name == "# shots" || name == "shots" || name == "n-shot" || name == "#shots":
			h.shots = i
		case name == "metric" || name == "metrics":
			h.metric = i
		case name == "" || name == "category" || name == "capability" || name == "task":
		case er.column(c):
			if h.model >= 0 {
				ambiguous = true
			}
			h.model = i
		default:
			if !sizedColumn(c) {
				h.extra = append(h.extra, i)
			}
		}
	}
	return h, h.benchmark >= 0, ambiguous
}

// sizedColumn reports whether a header names a model of some size.
func sizedColumn(header string) bool {
	for _, t := range strings.Fields(strings.ToLower(strings.NewReplacer("*", " ", `\`, " ").Replace(header))) {
		if evalSizeToken.MatchString(t) {
			return true
		}
	}
	return false
}

// cardEvalObservations reads a card's evaluation tables (Meta's layout:
// category, benchmark, shots, metric, then one column per model size and
// variant) into benchmark results of repo, each from the column of this
// repository's model: its size, its variant (full precision unless the
// name says otherwise), and tables under a heading for its kind (tuned
// results for an instruct repository, base results for a base one). A
// benchmark cell a row leaves empty is the one above it, as row spans
// mean. A table under a heading that says neither kind, a table with two
// columns of this model, a score cell that is not a number and a repeated
// row are warnings; "N/A" and "-" cells say nothing. A card without an
// evaluation table has no results, and that is no error.
func cardEvalObservations(repo, body string, obs func(catalog.Field, string, string) catalog.Observation, sourceURL string) ([]catalog.Observation, []string) {
	var tally rowTally
	er := evalRepoOf(repo)
	if er.size == "" {
		return nil, nil
	}
	var out []catalog.Observation
	seen := map[string]bool{}
	for _, t := range cardTables(body) {
		if len(t.rows) < 2 {
			continue
		}
		h, ok, ambiguous := evalColumns(t.rows[0], er)
		if !ok {
			continue
		}
		kind := evalKindOf(t.heading)
		switch {
		case h.model < 0:
			continue // a table of other models
		case kind == evalKindUnsaid:
			tally.warn("evaluation table under %q: not said whether base or instruction-tuned results: left out", clip.String(t.heading))
			continue
		case (kind == evalKindTuned) != er.tuned:
			continue // the other kind's results
		case ambiguous:
			tally.warn("evaluation table under %q: two columns name %s: left out", clip.String(t.heading), clip.String(repo))
			continue
		}
		bench := ""
		for _, cells := range t.rows[1:] {
			cell := func(i int) string {
				if i < 0 || i >= len(cells) {
					return ""
				}
				return unescapeMD(cells[i])
			}
			if b := cell(h.benchmark); b != "" {
				bench = b
			}
			score := strings.TrimSuffix(cell(h.model), "%")
			switch strings.ToLower(score) {
			case "", "n/a", "na", "-", "—", "–":
				continue
			}
			if bench == "" {
				tally.warn("evaluation table under %q: a score without a benchmark: left out", clip.String(t.heading))
				continue
			}
			name := bench
			for _, i := range h.extra {
				if x := cell(i); x != "" {
					name += " / " + x
				}
			}
			res := catalog.BenchmarkResult{Benchmark: clipField(name), Metric: clipField(cell(h.metric)),
				Settings: catalog.BenchmarkSettings{Shots: clipField(cell(h.shots))}, Score: score, SourceURL: sourceURL}
			if err := res.Check(); err != nil {
				tally.warn("evaluation row %s: %v: left out", clip.String(name), err)
				continue
			}
			if seen[res.Key()] {
				tally.warn("evaluation row %s repeated: the first kept", clip.String(res.Label()))
				continue
			}
			if len(out) >= maxCardEvalRows {
				tally.warn("more than %d evaluation rows: the rest left out", maxCardEvalRows)
				return out, tally.Warnings()
			}
			seen[res.Key()] = true
			out = append(out, obs(catalog.FieldBenchmark, res.Encode(), ""))
		}
	}
	return out, tally.Warnings()
}

// clipField keeps a benchmark text within catalog.MaxBenchmarkText,
// cutting at a rune boundary.
func clipField(s string) string { return clip.Prefix(s, catalog.MaxBenchmarkText) }

// ParseHFCardEvals reads only the evaluation tables of repo's card (see
// cardEvalObservations), for tests and tools; ParseHFCard reads them with
// the rest of the card.
func ParseHFCardEvals(repo string, r Response) (Parsed, error) {
	_, body, err := splitFrontMatter(strings.ReplaceAll(string(r.Body), "\r\n", "\n"))
	if err != nil && body == "" {
		return Parsed{}, fmt.Errorf("parse huggingface card %s: %w", repo, err)
	}
	obs := func(f catalog.Field, v, note string) catalog.Observation {
		return catalog.Observation{Source: "huggingface", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityCreator, Subject: repo, Field: f, Value: v, Note: note}
	}
	out, warns := cardEvalObservations(repo, body, obs, r.URL)
	return Parsed{Observations: out, Warnings: warns}, nil
}
