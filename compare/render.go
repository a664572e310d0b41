package compare

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/textsafe"
)

// WriteText renders a record as a plain-text page, section by section as a
// reference page shows it: summary, specs, pricing with the blend's inputs,
// providers, capabilities, benchmarks, deep dive, FAQ, dates and sources.
// Its sentences are the record's own text, whose figures are in the style
// of llmref's text output ("$0.20", "400K").
func WriteText(w io.Writer, c *catalog.Comparison) error {
	text := c.Text
	var b strings.Builder
	na, nb := c.Models.A.Name, c.Models.B.Name
	title := textsafe.Line(text.Title)
	textsafe.Fprintf(&b, "%s\n%s\n\n%s\n\n", title, strings.Repeat("=", len([]rune(title))), text.Summary)

	section(&b, "Specs")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	textsafe.Fprintf(tw, "\t%s\t%s\n", na, nb)
	s := c.Specs
	textsafe.Fprintf(tw, "Released\t%s\t%s\n", s.Released.A, s.Released.B)
	textsafe.Fprintf(tw, "Context window\t%s\t%s\n", catalog.TokensText(s.ContextWindow.A), catalog.TokensText(s.ContextWindow.B))
	textsafe.Fprintf(tw, "Parameters\t%s\t%s\n", s.Parameters.A, s.Parameters.B)
	textsafe.Fprintf(tw, "Architecture\t%s\t%s\n", s.Architecture.A, s.Architecture.B)
	textsafe.Fprintf(tw, "Licence\t%s\t%s\n", s.Licence.A, s.Licence.B)
	textsafe.Fprintf(tw, "Knowledge cutoff\t%s\t%s\n", s.KnowledgeCutoff.A, s.KnowledgeCutoff.B)
	textsafe.Fprintf(tw, "Input modalities\t%s\t%s\n", s.InputModalities.A, s.InputModalities.B)
	tw.Flush()

	p := c.Pricing
	section(&b, "Pricing on the cheapest tracked provider (USD per 1M tokens)")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	textsafe.Fprintf(tw, "\t%s\t%s\n", na, nb)
	cell := func(mp catalog.ModelPricing, f func(*catalog.CheapestOffering) string) string {
		if mp.Cheapest == nil {
			return "none (" + mp.Note + ")"
		}
		return f(mp.Cheapest)
	}
	row := func(label string, f func(*catalog.CheapestOffering) string) {
		textsafe.Fprintf(tw, "%s\t%s\t%s\n", label, cell(p.Models.A, f), cell(p.Models.B, f))
	}
	row("Provider", func(o *catalog.CheapestOffering) string { return offerName(o.ProviderName, o.Region, o.Variant) })
	row("Input", func(o *catalog.CheapestOffering) string { return o.Input.Value.Amount.Text() })
	row("Output", func(o *catalog.CheapestOffering) string { return o.Output.Value.Amount.Text() })
	row("Blended", func(o *catalog.CheapestOffering) string { return o.Blended.Text() })
	tw.Flush()
	textsafe.Fprintf(&b, "\n%s, weights %s\n", p.Formula, p.Blend.Label())
	for _, mp := range []struct {
		name string
		p    catalog.ModelPricing
	}{{na, p.Models.A}, {nb, p.Models.B}} {
		if mp.p.Cheapest != nil {
			textsafe.Fprintf(&b, "  %s: %s\n", mp.name, arithmetic(p.Blend, mp.p.Cheapest))
		}
	}
	if p.Difference != nil {
		textsafe.Fprintf(&b, "Difference: %s (about %s)\n", p.Difference.Text(), p.DifferenceDisplay)
	}
	for _, r := range p.Ratios {
		who := na
		if r.Cheaper == catalog.SideB {
			who = nb
		}
		if r.Cheaper == catalog.SideEqual {
			textsafe.Fprintf(&b, "Ratio, %s: %s\n", r.Basis, r.Display)
			continue
		}
		textsafe.Fprintf(&b, "Ratio, %s: %s is %s (%s ÷ %s)\n", r.Basis, who, r.Display, r.Pricier.Text(), r.Cheapest.Text())
	}

	section(&b, "Providers")
	for _, side := range []struct {
		name string
		l    catalog.ProviderList
		mp   catalog.ModelPricing
	}{{na, c.Providers.A, p.Models.A}, {nb, c.Providers.B, p.Models.B}} {
		textsafe.Fprintf(&b, "%s: %d providers, %d offerings\n", side.name, side.l.Count, side.l.Offerings)
		for _, o := range side.mp.Offerings {
			price := string(o.State)
			if o.Blended != nil {
				price = fmt.Sprintf("%s in, %s out, %s blended", o.Input.Amount.Text(), o.Output.Amount.Text(), o.Blended.Text())
			}
			textsafe.Fprintf(&b, "  %s: %s\n", offerName(o.ProviderName, o.Region, o.Variant), price)
		}
	}

	section(&b, "Capabilities")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	textsafe.Fprintf(tw, "\t%s\t%s\n", na, nb)
	for _, r := range c.Capabilities.Rows {
		textsafe.Fprintf(tw, "%s\t%s\t%s\n", capitalize(r.Label), triText(r.A), triText(r.B))
	}
	tw.Flush()

	section(&b, "Benchmarks")
	renderBenchmarks(&b, c) // benchmarks.go

	section(&b, "Deep dive")
	for i, p := range text.DeepDive {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintln(&b, textsafe.Line(p))
	}

	section(&b, "FAQ")
	for i, q := range text.FAQ {
		if i > 0 {
			b.WriteString("\n")
		}
		textsafe.Fprintf(&b, "%s\n%s\n", q.Question, q.Answer)
	}

	section(&b, "Dates and sources")
	d := c.Dates
	if d.ChangedAt != nil {
		textsafe.Fprintf(&b, "Last changed: %s (%d facts)\n", d.ChangedAt.Format("2006-01-02 15:04 MST"), d.Facts)
	}
	if d.ReviewedAt != nil {
		textsafe.Fprintf(&b, "Last reviewed: %s (%d of %d facts not reviewed)\n", d.ReviewedAt.Format("2006-01-02"), d.Unreviewed, d.Facts)
	} else {
		b.WriteString("Last reviewed: not yet reviewed by an operator\n")
	}
	for _, src := range c.Sources {
		note := ""
		if src.Note != "" {
			note = " (" + src.Note + ")"
		}
		textsafe.Fprintf(&b, "  %s (%s): %s%s\n", src.Name, src.Authority, src.URL, note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func section(b *strings.Builder, title string) {
	fmt.Fprintf(b, "\n%s\n%s\n", title, strings.Repeat("-", len([]rune(title))))
}
