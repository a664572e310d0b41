package changes

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"time"
)

// Markdown renders the report for an operator reading chat or e-mail: a
// summary, the held changes with their ids and reasons, a table per
// provider with the largest moves first and links to the sources, then
// models, specs, stale sources, conflicts and unmatched ids.
func (r Report) Markdown() string {
	v := r.view()
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", v.Title)
	for _, run := range v.Runs {
		fmt.Fprintf(&b, "- run %d, %s%s%s\n", run.ID, run.StartedAt.UTC().Format("2006-01-02 15:04 UTC"), prefixed(", ", string(run.Status)), prefixed(", replay ", run.Replay))
	}
	fmt.Fprintf(&b, "\n%s\n", v.Summary)
	runCol := func(rw row) []string {
		if v.MultiRun {
			return []string{fmt.Sprint(rw.Run)}
		}
		return nil
	}
	runHead := func(cols ...string) []string {
		if v.MultiRun {
			return append([]string{"run"}, cols...)
		}
		return cols
	}
	if len(v.Held) > 0 {
		b.WriteString("\n## Held for review\n\nThese changes are not published or exported; the published values stay until an operator decides.\n\n")
		mdTable(&b, runHead("hold", "change", "old", "new", "Δ%", "why", "source"), v.Held, func(rw row) []string {
			return append(runCol(rw), "**"+strings.TrimPrefix(rw.Status, "HELD ")+"**", rw.What, rw.Old, rw.New, orDash(rw.Pct), rw.Reasons, mdLink(rw))
		})
		b.WriteString("\nDecide with `llmref approve ID... --note TEXT` or `llmref reject ID... --note TEXT`.\n")
	}
	for _, t := range v.Providers {
		fmt.Fprintf(&b, "\n## %s\n\n", mdEscape(t.Title))
		mdTable(&b, runHead("model", "change", "old", "new", "Δ", "Δ%", "source", "status"), t.Rows, func(rw row) []string {
			return append(runCol(rw), rw.Model, rw.What, rw.Old, rw.New, orDash(rw.Delta), orDash(rw.Pct), mdLink(rw), mdStatus(rw))
		})
	}
	if len(v.Models) > 0 {
		b.WriteString("\n## Models\n\n")
		mdTable(&b, runHead("model", "id", "change", "source", "status"), v.Models, func(rw row) []string {
			return append(runCol(rw), rw.Model, "`"+rw.ModelID+"`", rw.What, mdLink(rw), mdStatus(rw))
		})
	}
	if len(v.Specs) > 0 {
		b.WriteString("\n## Specs\n\n")
		mdTable(&b, runHead("model", "fact", "old", "new", "source"), v.Specs, func(rw row) []string {
			return append(runCol(rw), rw.Model, rw.What, rw.Old, rw.New, mdLink(rw))
		})
	}
	if len(v.Stale) > 0 {
		b.WriteString("\n## Sources stale\n\nThese sources failed; what they said before is kept, marked stale.\n\n")
		mdTable(&b, runHead("source", "kept", "why"), v.Stale, func(rw row) []string {
			return append(runCol(rw), mdLink(rw), rw.New, rw.Detail)
		})
	}
	if len(v.Conflicts) > 0 {
		b.WriteString("\n## Conflicts\n\n")
		mdTable(&b, runHead("model", "fact", "kept", "other value", "from"), v.Conflicts, func(rw row) []string {
			return append(runCol(rw), rw.Model, rw.What, rw.Old, rw.New, mdLink(rw))
		})
	}
	if len(v.Unmatched) > 0 {
		b.WriteString("\n## Unmatched ids\n\nThese ids resolve to no model; add an alias if they should.\n\n")
		mdTable(&b, runHead("source", "id", "why"), v.Unmatched, func(rw row) []string {
			return append(runCol(rw), mdLink(rw), "`"+rw.New+"`", rw.Detail)
		})
	}
	return b.String()
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func mdStatus(rw row) string {
	if rw.Class == "held" {
		return "**" + rw.Status + "**"
	}
	return rw.Status
}

func mdLink(rw row) string {
	switch {
	case rw.SourceURL != "" && rw.SourceName != "":
		return "[" + mdEscape(rw.SourceName) + "](" + strings.ReplaceAll(rw.SourceURL, ")", "%29") + ")"
	case rw.SourceName != "":
		return mdEscape(rw.SourceName)
	}
	return "—"
}

func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func mdTable(b *strings.Builder, head []string, rows []row, cells func(row) []string) {
	b.WriteString("| " + strings.Join(head, " | ") + " |\n|")
	for range head {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, rw := range rows {
		cs := cells(rw)
		for i, c := range cs {
			if !strings.HasPrefix(c, "[") && !strings.HasPrefix(c, "`") {
				cs[i] = mdEscape(c)
			}
		}
		b.WriteString("| " + strings.Join(cs, " | ") + " |\n")
	}
}

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"day":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"hasPrefix": strings.HasPrefix,
}).Parse(htmlSource))

// HTML renders the report as one self-contained page: inline CSS, no
// scripts, no external assets.
func (r Report) HTML() ([]byte, error) {
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, r.view()); err != nil {
		return nil, fmt.Errorf("render html report: %w", err)
	}
	return buf.Bytes(), nil
}
