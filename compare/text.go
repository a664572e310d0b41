package compare

import (
	"strconv"
	"strings"

	"github.com/llmref/llmref/catalog"
)

// Text writes a record's summary, deep-dive paragraphs and FAQ answers from
// its data and the two models (a is side A). Every sentence states what the
// sourced data says, names what is not yet sourced, and claims nothing the
// data does not hold: no quality ranking beyond the shared benchmark rows,
// each quoted with its source. Every figure is in the one style of llmref's
// text output (catalog's Text methods: "$0.20", "400K"); the record's data
// fields keep the exact values.
func Text(c *catalog.Comparison, a, b *catalog.Model) catalog.ComparisonText {
	g := textGen{c: c, a: a, b: b, na: c.Models.A.Name, nb: c.Models.B.Name}
	t := catalog.ComparisonText{
		Title:   g.na + " vs " + g.nb,
		Summary: g.summary(),
	}
	t.DeepDive = []string{g.specsParagraph(), g.capabilitiesParagraph(), g.costParagraph(), g.availabilityParagraph()}
	if p := g.benchmarkParagraph(); p != "" { // benchmarks.go
		t.DeepDive = append(t.DeepDive, p)
	}
	t.FAQ = []catalog.FAQEntry{
		{Topic: "cheaper", Question: "Which is cheaper, " + g.na + " or " + g.nb + "?", Answer: g.cheaperAnswer()},
		{Topic: "licence", Question: "Is " + g.na + " or " + g.nb + " open source?", Answer: g.licenceAnswer()},
		{Topic: "multimodal_input", Question: "Which is better for multimodal input, " + g.na + " or " + g.nb + "?", Answer: g.multimodalAnswer()},
		{Topic: "function_calling", Question: "Which is better for function calling, " + g.na + " or " + g.nb + "?", Answer: g.capabilityAnswer(catalog.CapFunctionCalling)},
		{Topic: "tool_use", Question: "Which is better for tool use, " + g.na + " or " + g.nb + "?", Answer: g.capabilityAnswer(catalog.CapToolUse)},
		{Topic: "where_to_run", Question: "Where can I run " + g.na + " and " + g.nb + "?", Answer: g.whereAnswer()},
	}
	t.FAQ = append(t.FAQ, g.benchmarkFAQ()...)
	return t
}

type textGen struct {
	c      *catalog.Comparison
	a, b   *catalog.Model
	na, nb string
}

// arithmetic is the blend's arithmetic on an offering in the text style:
// "0.7 × $0.027 + 0.3 × $0.20 = $0.0789".
func arithmetic(w catalog.Blend, o *catalog.CheapestOffering) string {
	return w.ArithmeticText(o.Input.Value.Amount, o.Output.Value.Amount)
}

func (g textGen) name(s catalog.Side) string {
	if s == catalog.SideB {
		return g.nb
	}
	return g.na
}

func (g textGen) other(s catalog.Side) catalog.Side {
	if s == catalog.SideA {
		return catalog.SideB
	}
	return catalog.SideA
}

func (g textGen) pricing(s catalog.Side) catalog.ModelPricing {
	if s == catalog.SideB {
		return g.c.Pricing.Models.B
	}
	return g.c.Pricing.Models.A
}

func (g textGen) summary() string {
	p := g.c.Pricing
	switch p.Cheaper {
	case catalog.SideA, catalog.SideB:
		cheap, dear := p.Cheaper, g.other(p.Cheaper)
		s := g.name(cheap) + " is the cheaper of the two on tracked prices: " +
			g.pricing(cheap).Cheapest.Blended.Text() + " against " + g.pricing(dear).Cheapest.Blended.Text() +
			" per 1M tokens blended (" + p.Blend.Label() + "), " + p.Difference.Text() + " less (about " + p.DifferenceDisplay + ")"
		if r := p.Ratios[0]; r.Cheaper == cheap && r.Times != nil {
			s += "; on input it is " + *r.Times + "× cheaper (" + r.Cheapest.Text() + " vs " + r.Pricier.Text() + ")"
		} else {
			s += "; " + g.ratioPhrase(r)
		}
		return s + "."
	case catalog.SideEqual:
		return g.na + " and " + g.nb + " cost the same on tracked prices: " + p.Models.A.Cheapest.Blended.Text() +
			" per 1M tokens blended (" + p.Blend.Label() + ")."
	}
	return "The tracked prices cannot say which is cheaper: " + g.noPriceReasons() + "."
}

// ratioList is "on input, Llama 3.2 1B Instruct is 64.8× cheaper ($0.027 vs
// $1.75); on output, ...".
func (g textGen) ratioList() string {
	var parts []string
	for _, r := range g.c.Pricing.Ratios {
		parts = append(parts, g.ratioPhrase(r))
	}
	return strings.Join(parts, "; ")
}

func (g textGen) ratioPhrase(r catalog.PriceRatio) string {
	switch {
	case r.Cheaper == catalog.SideEqual:
		return "on " + basisLabel(r.Basis) + " both cost " + r.Cheapest.Text()
	case r.Times == nil:
		return "on " + basisLabel(r.Basis) + " " + g.name(r.Cheaper) + " costs " + r.Cheapest.Text() + " against " + r.Pricier.Text() + ", which makes no ratio"
	}
	return "on " + basisLabel(r.Basis) + " " + g.name(r.Cheaper) + " is " + *r.Times + "× cheaper (" + r.Cheapest.Text() + " vs " + r.Pricier.Text() + ")"
}

func (g textGen) noPriceReasons() string {
	var parts []string
	for _, s := range []catalog.Side{catalog.SideA, catalog.SideB} {
		if p := g.pricing(s); p.Cheapest == nil {
			parts = append(parts, "for "+g.name(s)+", "+p.Note)
		}
	}
	return strings.Join(parts, "; ")
}

// pair states one spec of both models: "Llama 3.2 1B Instruct's release
// date is 2024-09-25; GPT-5.3-Codex's is not yet sourced."
func (g textGen) pair(what string, a, b string, aok, bok bool) string {
	switch {
	case aok && bok && a == b:
		return "Both have " + article(what) + " of " + a + "."
	case aok && bok:
		return g.na + "'s " + what + " is " + a + " and " + g.nb + "'s is " + b + "."
	case aok:
		return g.na + "'s " + what + " is " + a + "; " + g.nb + "'s is not yet sourced."
	case bok:
		return g.na + "'s " + what + " is not yet sourced; " + g.nb + "'s is " + b + "."
	}
	return "Neither model's " + what + " is sourced yet."
}

func article(what string) string {
	if strings.ContainsRune("aeiou", rune(what[0])) {
		return "an " + what
	}
	return "a " + what
}

func (g textGen) specsParagraph() string {
	s := g.c.Specs
	tokens := func(f catalog.Fact[catalog.Tokens]) string { return f.Value.Text() + " tokens" }
	parts := []string{
		g.pair("release date", s.Released.A.Value.String(), s.Released.B.Value.String(), s.Released.A.Sourced(), s.Released.B.Sourced()),
		g.pair("context window", tokens(s.ContextWindow.A), tokens(s.ContextWindow.B), s.ContextWindow.A.Sourced(), s.ContextWindow.B.Sourced()),
		g.pair("parameter count", s.Parameters.A.Value.String(), s.Parameters.B.Value.String(), s.Parameters.A.Sourced(), s.Parameters.B.Sourced()),
		g.pair("architecture", s.Architecture.A.Display, s.Architecture.B.Display, s.Architecture.A.Sourced(), s.Architecture.B.Sourced()),
		g.pair("knowledge cutoff", s.KnowledgeCutoff.A.Value.String(), s.KnowledgeCutoff.B.Value.String(), s.KnowledgeCutoff.A.Sourced(), s.KnowledgeCutoff.B.Sourced()),
	}
	return strings.Join(parts, " ")
}

func labels(cs []catalog.Capability) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Label()
	}
	return joinAnd(out)
}

func (g textGen) capabilitiesParagraph() string {
	cc := g.c.Capabilities
	var parts []string
	if len(cc.OnlyA) > 0 {
		parts = append(parts, "According to their sources, "+g.na+" has "+labels(cc.OnlyA)+", which "+g.nb+" lacks.")
	}
	if len(cc.OnlyB) > 0 {
		parts = append(parts, "According to their sources, "+g.nb+" has "+labels(cc.OnlyB)+", which "+g.na+" lacks.")
	}
	if len(cc.Shared) > 0 {
		parts = append(parts, "Both have "+labels(cc.Shared)+".")
	}
	if len(cc.Neither) > 0 {
		parts = append(parts, "Neither has "+labels(cc.Neither)+".")
	}
	if len(cc.Unsettled) > 0 {
		var us []string
		for _, r := range cc.Rows {
			if r.A == catalog.Unknown || r.B == catalog.Unknown {
				us = append(us, r.Label+" ("+g.na+": "+triText(r.A)+", "+g.nb+": "+triText(r.B)+")")
			}
		}
		parts = append(parts, "Not yet sourced for at least one of them: "+joinAnd(us)+".")
	}
	return strings.Join(parts, " ")
}

func triText(t catalog.Tri) string {
	if t == catalog.Unknown {
		return catalog.NotYetSourced
	}
	return string(t)
}

// offerText is "$0.027 input and $0.2 output per 1M tokens at OpenRouter".
func (g textGen) offerText(p *catalog.CheapestOffering) string {
	return p.Input.Value.Amount.Text() + " input and " + p.Output.Value.Amount.Text() + " output per 1M tokens at " +
		offerName(p.ProviderName, p.Region, p.Variant)
}

func offerName(provider, region, variant string) string {
	s := provider
	if region != "" {
		s += " (" + region + ")"
	}
	if variant != "" {
		s += " (:" + variant + ")"
	}
	return s
}

func (g textGen) costParagraph() string {
	p := g.c.Pricing
	var parts []string
	for _, s := range []catalog.Side{catalog.SideA, catalog.SideB} {
		mp := g.pricing(s)
		if mp.Cheapest != nil {
			parts = append(parts, "On its cheapest tracked provider "+g.name(s)+" costs "+g.offerText(mp.Cheapest)+".")
		} else {
			parts = append(parts, g.name(s)+" has no blended price: "+mp.Note+".")
		}
		var special []string
		for i := range mp.Offerings {
			o := &mp.Offerings[i]
			switch o.State {
			case catalog.PriceStateFree, catalog.PriceStateVariable:
				special = append(special, "a "+string(o.State)+" price at "+offerName(o.ProviderName, o.Region, o.Variant))
			}
		}
		if len(special) > 0 {
			parts = append(parts, g.name(s)+" also has "+joinAnd(special)+", listed as such and never counted as cheapest.")
		}
	}
	if p.Cheaper == catalog.SideA || p.Cheaper == catalog.SideB || p.Cheaper == catalog.SideEqual {
		parts = append(parts, "Blended "+p.Blend.Label()+": "+g.na+" "+arithmetic(p.Blend, p.Models.A.Cheapest)+"; "+g.nb+" "+arithmetic(p.Blend, p.Models.B.Cheapest)+".")
		if p.Cheaper != catalog.SideEqual {
			parts = append(parts, g.name(p.Cheaper)+" is lower by "+p.Difference.Text()+" (about "+p.DifferenceDisplay+") per 1M blended tokens; "+g.ratioList()+".")
		}
	}
	return strings.Join(parts, " ")
}

func (g textGen) providerNames(l catalog.ProviderList) string {
	names := make([]string, len(l.Providers))
	for i, p := range l.Providers {
		names[i] = p.Name
	}
	return joinAnd(names)
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func (g textGen) availabilityParagraph() string {
	pa, pb := g.c.Providers.A, g.c.Providers.B
	side := func(name string, l catalog.ProviderList) string {
		if l.Count == 0 {
			return "no tracked provider offers " + name
		}
		return name + " is offered by " + count(l.Count, "tracked provider", "tracked providers") + " (" + g.providerNames(l) + ") in " + count(l.Offerings, "offering", "offerings")
	}
	return "Availability: " + side(g.na, pa) + "; " + side(g.nb, pb) + "."
}

func (g textGen) cheaperAnswer() string {
	p := g.c.Pricing
	if p.Cheaper == catalog.SideUnknown {
		return "The tracked prices cannot settle it: " + g.noPriceReasons() + "."
	}
	var s string
	if p.Cheaper == catalog.SideEqual {
		s = "They cost the same on tracked prices."
	} else {
		s = g.name(p.Cheaper) + " is cheaper on tracked prices."
	}
	s += " " + g.na + " costs " + g.offerText(p.Models.A.Cheapest) + "; " + g.nb + " costs " + g.offerText(p.Models.B.Cheapest) + "."
	s += " Blended " + p.Blend.Label() + ", that is " + p.Models.A.Cheapest.Blended.Text() + " against " + p.Models.B.Cheapest.Blended.Text() + " per 1M tokens."
	return s + " Batch, cached-input and negotiated prices can change the final bill."
}

var classMeaning = map[catalog.LicenceClass]string{
	catalog.OpenSource:  "public weights under an open-source licence",
	catalog.OpenWeights: "public weights under a licence of its own terms, not an OSI open-source licence",
	catalog.Proprietary: "no public weights: hosted access only",
}

func (g textGen) licenceAnswer() string {
	one := func(name string, f catalog.Fact[catalog.Licence]) string {
		if !f.Sourced() {
			return name + "'s licence is not yet sourced."
		}
		l := f.Value
		if l.Class == catalog.Proprietary && (l.Name == "" || strings.EqualFold(l.Name, "proprietary")) {
			return name + " is proprietary (source: " + f.Source.Name() + "): " + classMeaning[l.Class] + "."
		}
		s := name + " is released under " + orText(l.Name, l.Class.Label()) + " (source: " + f.Source.Name() + "), which llmref classes as " + l.Class.Label()
		if m := classMeaning[l.Class]; m != "" {
			s += ": " + m
		}
		return s + "."
	}
	return one(g.na, g.c.Specs.Licence.A) + " " + one(g.nb, g.c.Specs.Licence.B) +
		" Confirm the upstream licence before self-hosting or redistributing weights."
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// multimodal says whether a model takes more than text as input: from its
// input modalities when sourced, else from its multimodal capability.
func multimodal(m *catalog.Model) (catalog.Tri, string) {
	if f := m.InputModalities; f.Sourced() {
		for _, mod := range f.Value {
			if mod != "text" {
				return catalog.Yes, m.DisplayName() + " takes " + joinAnd(f.Value) + " input (source: " + f.Source.Name() + ")"
			}
		}
		return catalog.No, m.DisplayName() + " takes " + joinAnd(f.Value) + " input only (source: " + f.Source.Name() + ")"
	}
	f := m.Capabilities[catalog.CapMultimodal]
	switch catalog.TriOf(f) {
	case catalog.Yes:
		return catalog.Yes, m.DisplayName() + " is multimodal (source: " + f.Source.Name() + ")"
	case catalog.No:
		return catalog.No, m.DisplayName() + " is not multimodal (source: " + f.Source.Name() + ")"
	}
	return catalog.Unknown, m.DisplayName() + "'s input modalities are not yet sourced"
}

func (g textGen) multimodalAnswer() string {
	ta, sa := multimodal(g.a)
	tb, sb := multimodal(g.b)
	s := sa + "; " + sb + "."
	switch {
	case ta == catalog.Yes && tb == catalog.No:
		s += " Of the two, only " + g.na + " accepts multimodal input."
	case tb == catalog.Yes && ta == catalog.No:
		s += " Of the two, only " + g.nb + " accepts multimodal input."
	case ta == catalog.Yes && tb == catalog.Yes:
		s += " Both accept multimodal input; no sourced benchmark ranks them on it."
	case ta == catalog.No && tb == catalog.No:
		s += " Neither accepts multimodal input."
	}
	return s + " Model-level support and what a provider's API exposes can differ."
}

func (g textGen) capabilityAnswer(cp catalog.Capability) string {
	fa, fb := g.a.Capabilities[cp], g.b.Capabilities[cp]
	ta, tb := catalog.TriOf(fa), catalog.TriOf(fb)
	label := cp.Label()
	one := func(name string, t catalog.Tri, f catalog.Fact[bool]) string {
		switch t {
		case catalog.Yes:
			return name + " supports " + label + " (source: " + f.Source.Name() + ")"
		case catalog.No:
			return name + " does not support " + label + " (source: " + f.Source.Name() + ")"
		}
		return "whether " + name + " supports " + label + " is not yet sourced"
	}
	s := capitalize(one(g.na, ta, fa)) + "; " + one(g.nb, tb, fb) + "."
	switch {
	case ta == catalog.Yes && tb == catalog.No:
		s += " Of the two, only " + g.na + " is documented with " + label + "."
	case tb == catalog.Yes && ta == catalog.No:
		s += " Of the two, only " + g.nb + " is documented with " + label + "."
	case ta == catalog.Yes && tb == catalog.Yes:
		s += " Both support it; no sourced benchmark ranks them on it."
	}
	return s + " Validate it against the provider endpoint you plan to use: model-level support and API-level exposure can differ."
}

func (g textGen) whereAnswer() string {
	one := func(name string, l catalog.ProviderList) string {
		if l.Count == 0 {
			return "No tracked provider offers " + name + "."
		}
		return name + " is available on " + g.providerNames(l) + " (" + count(l.Count, "provider", "providers") + ")."
	}
	return one(g.na, g.c.Providers.A) + " " + one(g.nb, g.c.Providers.B) +
		" Provider coverage affects latency, regions, compliance and fallback options."
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// joinAnd joins "a", "b" and "c" as "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return "nothing"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
