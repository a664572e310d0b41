package changes

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/llmref/llmref/catalog"
)

// HoldView is a held change described for people, one line of the review
// page and of `llmref review`: what kind of change it is, where, old → new
// with the move, and why a rule held it, in words.
type HoldView struct {
	ID uint64
	// Kind in words: "price change", "new offering", "source breakage".
	Kind string
	// Provider is the provider's name with the region and variant
	// ("AWS Bedrock (eu-west-1)"); for a breakage, the broken source.
	Provider string
	// Model is the model's display name, ModelID its id; empty for a
	// breakage.
	Model, ModelID string
	// Field is the price held ("input price"); empty otherwise.
	Field string
	// Old and New are the values ("$0.027", "$27.00"; "—" for none);
	// Delta and Pct the move of a fixed price ("+$26.973", "+99900.0%").
	Old, New   string
	Delta, Pct string
	// Why are the rules that held it, in words, each once.
	Why []Reason
	// SourceName and SourceURL are the source that gave the value.
	SourceName, SourceURL string
	// Summary, Offerings, Models and Removed describe a breakage or a
	// surge: "13 of 20 OpenRouter offerings vanished", how many offerings
	// and models approving removes (a breakage) or publishes (a surge), and
	// one line per model it takes offerings (or the model itself) from or
	// adds them to. Verb is "removes" or "publishes".
	Summary           string
	Offerings, Models int
	Removed           []string
	Verb              string
	// FirstRun, FirstSeen, LastRun and LastSeen are when the value was
	// first and last given.
	FirstRun, LastRun   uint64
	FirstSeen, LastSeen time.Time
}

// DescribeHold describes h for people; name gives a model's display name
// from its id ("" when unknown: the id is shown).
func DescribeHold(h catalog.Hold, name func(id string) string) HoldView {
	v := HoldView{ID: h.ID, Kind: holdKindText(h.Kind), Why: Explain(h.Reasons), Old: "—", New: "—",
		FirstRun: h.FirstRun, LastRun: h.LastRun, FirstSeen: h.FirstSeen, LastSeen: h.LastSeen}
	if h.Kind == catalog.HoldSurge {
		describeSurge(&v, h, name)
		return v
	}
	if h.Kind == catalog.HoldBreakage {
		v.Provider = catalog.ProviderOf(h.Source).Name
		v.Summary = breakageSummary(h.Reasons, len(h.RemovedOfferings))
		v.Offerings, v.Models = len(h.RemovedOfferings), len(h.RemovedModels)
		v.Removed = removedItems(h.Changes, name)
		v.Old, v.New, v.Verb = "published", "removed", "removes"
		for _, c := range h.Changes {
			if c.Source.Name() == h.Source && c.Source.URL() != "" {
				v.SourceName, v.SourceURL = c.Source.Name(), c.Source.URL()
				break
			}
		}
		if v.SourceName == "" {
			v.SourceName = h.Source
		}
		return v
	}
	if len(h.Changes) == 0 {
		v.Model = h.Key
		return v
	}
	c := h.Changes[0]
	v.ModelID, v.Model = c.Model, orID(name(c.Model), c.Model)
	v.Provider = providerText(c)
	v.SourceName, v.SourceURL = c.Source.Name(), c.Source.URL()
	switch c.Kind {
	case catalog.ChangePrice:
		v.Field = fieldText(c.Field) + " price"
		v.Old, v.New = priceText(c.OldPrice, catalog.NotYetSourced), priceText(c.NewPrice, catalog.NotYetSourced)
		v.Delta, v.Pct = deltaText(c.Delta), c.DeltaPct
	case catalog.ChangeOfferingAdded:
		v.New = orDash(shortPrices(c.New))
	default:
		v.Old, v.New = orDash(valueText(c.Field, c.Old)), orDash(valueText(c.Field, c.New))
	}
	return v
}

// holdKindText names a kind of hold in words.
func holdKindText(k catalog.HoldKind) string {
	switch k {
	case catalog.HoldPrice:
		return "price change"
	case catalog.HoldOfferingAdded:
		return "new offering"
	case catalog.HoldBreakage:
		return "source breakage"
	case catalog.HoldSurge:
		return "surge of additions"
	}
	return strings.ReplaceAll(string(k), "_", " ")
}

func fieldText(f string) string {
	if label, ok := strings.CutPrefix(f, "benchmark."); ok {
		return "benchmark " + label // the label is the source's own text: macro_avg stays
	}
	return strings.ReplaceAll(f, "_", " ")
}

// providerText is the provider's name with the region and variant of the
// offering: "AWS Bedrock (eu-west-1)", "OpenRouter :free".
func providerText(c catalog.Change) string {
	if c.Provider == "" {
		return ""
	}
	s := catalog.ProviderOf(c.Provider).Name
	if c.Region != "" {
		s += " (" + c.Region + ")"
	}
	if c.Variant != "" {
		s += " :" + c.Variant
	}
	return s
}

// deltaText writes a price move with its sign: "+$0.001", "−$0.10".
func deltaText(d *catalog.Money) string {
	switch {
	case d == nil:
		return ""
	case *d >= 0:
		return "+" + d.Text()
	}
	return "−" + (-*d).Text()
}

func orID(name, id string) string {
	if name == "" {
		return id
	}
	return name
}

var reVanished = regexp.MustCompile(`^(\d+) of (\d+) (\S+) offerings vanished`)

// breakageSummary is the short line of a breakage: "13 of 20 OpenRouter
// offerings vanished", from its reason; else how many offerings it holds.
func breakageSummary(reasons []string, offerings int) string {
	for _, r := range reasons {
		if rest, ok := strings.CutPrefix(r, RuleVanished+": "); ok {
			if m := reVanished.FindStringSubmatch(rest); m != nil {
				return fmt.Sprintf("%s of %s %s offerings vanished", m[1], m[2], catalog.ProviderOf(m[3]).Name)
			}
		}
	}
	return plural(offerings, "offering") + " vanished"
}

// ApprovesText says what approving a breakage or a surge does: "removes 18
// offerings and 12 models", "publishes 102 offerings and 101 models".
func (v HoldView) ApprovesText() string {
	s := v.Verb + " " + plural(v.Offerings, "offering")
	if v.Models > 0 {
		s += " and " + plural(v.Models, "model")
	}
	return s
}

// removedItems lists what a breakage's removals take, one line per model:
// "DeepSeek V3.2 at Bitdeer AI, OpenRouter — model removed too" when the
// model leaves the catalogue with them. name gives display names.
func removedItems(changes []catalog.Change, name func(id string) string) []string {
	var order []string
	at := map[string][]string{}
	gone := map[string]bool{}
	for _, c := range changes {
		if _, ok := at[c.Model]; !ok {
			order = append(order, c.Model)
			at[c.Model] = nil
		}
		switch c.Kind {
		case catalog.ChangeOfferingRemoved:
			at[c.Model] = append(at[c.Model], providerText(c))
		case catalog.ChangeModelRemoved:
			gone[c.Model] = true
		}
	}
	out := make([]string, 0, len(order))
	for _, id := range order {
		s := orID(name(id), id)
		if ps := at[id]; len(ps) > 0 {
			s += " at " + strings.Join(ps, ", ")
		}
		if gone[id] {
			s += " — model removed too"
		}
		out = append(out, s)
	}
	return out
}

// ChangeText is the hold's change on one line: "input price $0.027 →
// $27.00 (+$26.973, +99900.0%)", "new offering: $0.13 in / $0.13 out",
// "13 of 20 OpenRouter offerings vanished; approving removes 18
// offerings and 12 models".
func (v HoldView) ChangeText() string {
	switch {
	case v.Summary != "":
		return v.Summary + "; approving " + v.ApprovesText()
	case v.Field == "" && v.Old == "—":
		return v.Kind + ": " + v.New
	}
	s := orText(v.Field, v.Kind) + " " + v.Old + " → " + v.New
	switch {
	case v.Delta != "" && v.Pct != "":
		s += " (" + v.Delta + ", " + v.Pct + ")"
	case v.Pct != "":
		s += " (" + v.Pct + ")"
	}
	return s
}

// describeSurge describes a surge of additions: the source, how many new
// offerings and models it added, and one line per new model.
func describeSurge(v *HoldView, h catalog.Hold, name func(id string) string) {
	v.Provider = catalog.ProviderOf(h.Source).Name
	added := map[string][]string{}
	var order []string
	newModel := map[string]bool{}
	for _, c := range h.Changes {
		switch c.Kind {
		case catalog.ChangeOfferingAdded:
			v.Offerings++
			if _, ok := added[c.Model]; !ok {
				order = append(order, c.Model)
			}
			added[c.Model] = append(added[c.Model], providerText(c))
			if v.SourceURL == "" && c.Source.URL() != "" {
				v.SourceName, v.SourceURL = c.Source.Name(), c.Source.URL()
			}
		case catalog.ChangeModelAdded:
			v.Models++
			newModel[c.Model] = true
		}
	}
	v.Summary = fmt.Sprintf("%s added %s in one run", v.Provider, plural(v.Offerings, "new offering"))
	if v.Models > 0 {
		v.Summary += fmt.Sprintf(", %s among them", plural(v.Models, "new model"))
	}
	for _, id := range order {
		s := orID(name(id), id) + " at " + strings.Join(added[id], ", ")
		if newModel[id] {
			s += " — a new model"
		}
		v.Removed = append(v.Removed, s)
	}
	v.Old, v.New, v.Verb = "—", "added", "publishes"
	if v.SourceName == "" {
		v.SourceName = h.Source
	}
}
