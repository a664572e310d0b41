package changes

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/llmref/llmref/internal/textsafe"
)

// Markdown renders the report for an operator reading chat or e-mail: a
// summary, the held changes with their ids and reasons (and only there), a
// table per provider with the largest moves first and links to the
// sources, then models, specs, stale sources, conflicts and unmatched ids.
// Every value from outside is escaped: it cannot start a line, a heading,
// a link, a code span or HTML.
func (r Report) Markdown() string {
	v := r.view()
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", md(v.Title))
	for _, run := range v.Runs {
		fmt.Fprintf(&b, "- run %d, %s%s%s\n", run.ID, run.StartedAt.UTC().Format("2006-01-02 15:04 UTC"), prefixed(", ", md(string(run.Status))), prefixed(", replay ", md(run.Replay)))
	}
	fmt.Fprintf(&b, "\n%s\n", mdBlock(v.Summary))
	runCol := func(run uint64) []string {
		if v.MultiRun {
			return []string{fmt.Sprint(run)}
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
		mdTable(&b, runHead("hold", "change", "model", "provider", "old → new", "Δ", "Δ%", "why", "source"), len(v.Held), func(i int) []string {
			h := v.Held[i]
			id := fmt.Sprintf("**#%d**", h.ID)
			if h.Since != 0 {
				id += fmt.Sprintf(" since run %d", h.Since)
			}
			model := h.Model
			if h.Summary != "" {
				model = h.Summary
			}
			return append(runCol(h.Run), id, md(orText(h.Field, h.Kind)), md(model), md(orDash(h.Provider)), md(h.Old+" → "+h.New),
				md(orDash(h.Delta)), md(orDash(h.Pct)), md(WhyText(h.Why)), mdLink(h.SourceName, h.SourceURL))
		})
		for _, h := range v.Held {
			if len(h.Removed) > 0 {
				fmt.Fprintf(&b, "\nApproving #%d %s:\n\n", h.ID, h.ApprovesText())
				for _, it := range h.Removed {
					b.WriteString("- " + mdBlock(it) + "\n")
				}
			}
		}
		b.WriteString("\nDecide with `llmref approve ID... --note TEXT` or `llmref reject ID... --note TEXT`.\n")
	}
	for _, t := range v.Providers {
		fmt.Fprintf(&b, "\n## %s\n\n", md(t.Title))
		mdTable(&b, runHead("model", "change", "old", "new", "Δ", "Δ%", "source", "status"), len(t.Rows), func(i int) []string {
			rw := t.Rows[i]
			return append(runCol(rw.Run), md(rw.Model), md(rw.What), md(rw.Old), md(rw.New), md(orDash(rw.Delta)), md(orDash(rw.Pct)), mdLink(rw.SourceName, rw.SourceURL), mdStatus(rw))
		})
	}
	if len(v.Models) > 0 {
		b.WriteString("\n## Models\n\n")
		mdTable(&b, runHead("model", "id", "change", "source", "status"), len(v.Models), func(i int) []string {
			rw := v.Models[i]
			return append(runCol(rw.Run), md(rw.Model), mdCode(rw.ModelID), md(rw.What), mdLink(rw.SourceName, rw.SourceURL), mdStatus(rw))
		})
	}
	if len(v.Specs) > 0 {
		b.WriteString("\n## Specs\n\n")
		mdTable(&b, runHead("model", "fact", "old", "new", "source"), len(v.Specs), func(i int) []string {
			rw := v.Specs[i]
			return append(runCol(rw.Run), md(rw.Model), md(rw.What), md(rw.Old), md(rw.New), mdLink(rw.SourceName, rw.SourceURL))
		})
	}
	if len(v.Stale) > 0 {
		b.WriteString("\n## Sources stale\n\nThese sources failed; what they said before is kept, marked stale.\n\n")
		mdTable(&b, runHead("source", "kept", "why"), len(v.Stale), func(i int) []string {
			rw := v.Stale[i]
			return append(runCol(rw.Run), mdLink(rw.SourceName, rw.SourceURL), md(rw.New), md(rw.Detail))
		})
	}
	if len(v.Conflicts) > 0 {
		b.WriteString("\n## Conflicts\n\n")
		mdTable(&b, runHead("model", "fact", "kept", "other value", "from"), len(v.Conflicts), func(i int) []string {
			rw := v.Conflicts[i]
			return append(runCol(rw.Run), md(rw.Model), md(rw.What), md(rw.Old), md(rw.New), mdLink(rw.SourceName, rw.SourceURL))
		})
	}
	if len(v.Unmatched) > 0 {
		b.WriteString("\n## Unmatched ids\n\nThese ids resolve to no model; add an alias if they should.\n\n")
		mdTable(&b, runHead("source", "id", "why"), len(v.Unmatched), func(i int) []string {
			rw := v.Unmatched[i]
			return append(runCol(rw.Run), mdLink(rw.SourceName, rw.SourceURL), mdCode(rw.New), md(rw.Detail))
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

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// WhyText is reasons in words on one line ("—" for none): "moved
// +99900.0%, beyond the ±50% limit; suspected unit slip (4 checks)".
func WhyText(why []Reason) string {
	parts := make([]string, len(why))
	for i, r := range why {
		parts[i] = r.Text
	}
	return orDash(strings.Join(parts, "; "))
}

func mdStatus(rw row) string {
	if rw.Class == "held" {
		return "**" + md(rw.Status) + "**"
	}
	return md(rw.Status)
}

// mdLink links a source's name to its URL; a URL that is not http(s) is
// not linked.
func mdLink(name, link string) string {
	switch {
	case name == "":
		return "—"
	case link == "":
		return md(name)
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return md(name)
	}
	return "[" + md(name) + "](" + mdURL.Replace(u.String()) + ")"
}

// mdURL percent-encodes what could end a link destination or a table cell.
var mdURL = strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "|", "%7C", "`", "%60", " ", "%20", "\\", "%5C", "\"", "%22")

// mdEscaper backslash-escapes every character with a meaning inside a
// line of Markdown (CommonMark, and GitHub's tables and strikethrough).
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `\<`, "|", `\|`, "~", `\~`)

// md makes text from outside inert inside a line of Markdown (a table
// cell, a list item's text): control characters, newlines included,
// become visible escapes (textsafe.Line), and every character that means
// something inside a line is backslash-escaped.
func md(s string) string { return mdEscaper.Replace(textsafe.Line(s)) }

// mdBlock is md for text that starts a block (a list item): a leading
// character that would open a heading, a quote, a list or a rule is
// escaped too.
func mdBlock(s string) string {
	s = md(s)
	if s == "" {
		return s
	}
	switch c := s[0]; {
	case strings.IndexByte("#>-+=", c) >= 0:
		return `\` + s
	case c >= '0' && c <= '9':
		i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
		if i > 0 && (s[i] == '.' || s[i] == ')') {
			return s[:i] + `\` + s[i:]
		}
	}
	return s
}

// mdCode writes s as a code span: fenced by more backticks than any run in
// it, its control characters escaped, and | escaped for a table cell.
func mdCode(s string) string {
	s = textsafe.Line(s)
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return fence + strings.ReplaceAll(s, "|", `\|`) + fence
}

// mdTable writes a table of n rows; cells gives row i's cells, escaped.
func mdTable(b *strings.Builder, head []string, n int, cells func(i int) []string) {
	b.WriteString("| " + strings.Join(head, " | ") + " |\n|")
	for range head {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for i := range n {
		b.WriteString("| " + strings.Join(cells(i), " | ") + " |\n")
	}
}

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"day":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"hasPrefix": strings.HasPrefix,
	"more":      func(n int, whole string) moreNote { return moreNote{n, whole} },
}).Parse(htmlSource))

// moreNote is what the "more" template says under a shortened section.
type moreNote struct {
	N     int
	Whole string
}

// HTML renders the report as one self-contained page: inline CSS, no
// scripts, no external assets.
func (r Report) HTML() ([]byte, error) { return renderHTML(r.view()) }

// HTMLShort renders the report as HTML does, with at most maxRows rows in
// each section (a provider's largest moves first); a section with more
// says how many, and whole, where the whole report is. A first run of a
// large catalogue reports every model and offering as new: 76,000 rows,
// 35 MB of HTML at 16,000 models, which no one reads in a browser.
func (r Report) HTMLShort(maxRows int, whole string) ([]byte, error) {
	v := r.view()
	v.capRows(max(maxRows, 1))
	v.Whole = whole
	return renderHTML(v)
}

func renderHTML(v view) ([]byte, error) {
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("render html report: %w", err)
	}
	// html/template escapes markup, not control characters.
	return []byte(textsafe.Text(buf.String())), nil
}
