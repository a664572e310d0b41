package coverage

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/textsafe"
)

// Short is a field's column heading in the text tables: three letters.
func (f Field) Short() string {
	switch f {
	case Released:
		return "rel"
	case ContextWindow:
		return "ctx"
	case Parameters:
		return "par"
	case Architecture:
		return "arc"
	case Licence:
		return "lic"
	case KnowledgeCutoff:
		return "cut"
	case Price:
		return "prc"
	case Benchmarks:
		return "bmk"
	}
	short := map[catalog.Capability]string{
		catalog.CapVision: "vis", catalog.CapMultimodal: "mmo", catalog.CapReasoning: "rsn",
		catalog.CapFunctionCalling: "fnc", catalog.CapToolUse: "too", catalog.CapStructuredOutputs: "str",
		catalog.CapCodeExecution: "cod", catalog.CapPromptCaching: "pca",
	}
	if s, ok := short[catalog.Capability(strings.TrimPrefix(string(f), "capability."))]; ok {
		return s
	}
	s := strings.TrimPrefix(string(f), "capability.")
	if len(s) > 3 {
		s = s[:3]
	}
	return s
}

// Label is the field's name for a reader: "context window", "capability:
// function calling".
func (f Field) Label() string {
	if c, ok := strings.CutPrefix(string(f), "capability."); ok {
		return "capability: " + catalog.Capability(c).Label()
	}
	if f == Price {
		return "price at ≥ 1 provider"
	}
	return strings.ReplaceAll(string(f), "_", " ")
}

// letter is a cell in the model table: the first letter of its kind of
// source, x for a cross-check only, . when not sourced.
func (c Cell) letter() string {
	switch c.By {
	case Creator:
		return "C"
	case Provider:
		return "P"
	case Aggregator:
		return "A"
	case CrossCheck:
		return "x"
	}
	return "."
}

// WriteText writes the report as three compact tables: per field (sourced
// count and share, and by kind of source), per creator (sourced models per
// field) and per model (one letter per field).
func WriteText(w io.Writer, r Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "coverage: %d models × %d fields, %d of %d cells sourced (%d%%)\n\n", len(r.Models), len(r.Fields), r.All.Sourced, r.All.Of, r.All.Percent())
	fmt.Fprintln(tw, "field\tcode\tsourced\t%\tcreator\tprovider\taggregator\tcross-check\t")
	for _, t := range r.Totals {
		fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%d%%\t%d\t%d\t%d\t%d\t\n", t.Field.Label(), t.Field.Short(), t.Sourced, t.Of, t.Percent(),
			t.By[Creator], t.By[Provider], t.By[Aggregator], t.By[CrossCheck])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nsourced models per creator and field:")
	codes := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		codes[i] = f.Short()
	}
	tw = tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "creator\tmodels\tcells\t%s\t\n", strings.Join(codes, "\t"))
	for _, c := range r.Creators {
		counts := make([]string, len(c.Fields))
		for i, n := range c.Fields {
			counts[i] = fmt.Sprint(n.Sourced)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d%%\t%s\t\n", textsafe.Line(c.Creator), c.Models, c.Percent(), strings.Join(counts, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nper model (C creator, P provider, A aggregator, x cross-check only, . not yet sourced):")
	tw = tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "model\t%s\tsourced\n", strings.Join(codes, "\t"))
	for _, m := range r.Models {
		letters := make([]string, len(m.Cells))
		for i, c := range m.Cells {
			letters[i] = " " + c.letter()
		}
		fmt.Fprintf(tw, "%s\t%s\t%d/%d\n", textsafe.Line(m.ID), strings.Join(letters, "\t"), m.Sourced, len(m.Cells))
	}
	return tw.Flush()
}
