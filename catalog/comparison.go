package catalog

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ComparisonSchemaVersion is the version of the comparison record's schema.
// Version 2 took the retrieval times out: a record's facts carry no
// retrieved_at, and its dates give changed_at instead of the oldest and
// latest retrieval times.
const ComparisonSchemaVersion = 2

// Comparison is the record of one unordered model pair: everything a
// reference page shows, as data first (facts with their sources and dates,
// exact prices with the inputs of every figure) and generated text second.
// Side A is the model whose id sorts first, so a-vs-b is b-vs-a.
type Comparison struct {
	SchemaVersion int `json:"schema_version"`
	// ID is the pair's stem: "meta--llama-3.2-1b-instruct--vs--openai--gpt-5.3-codex".
	ID           string               `json:"id"`
	Models       Pair[ComparedModel]  `json:"models"`
	Specs        Specs                `json:"specs"`
	Pricing      PriceComparison      `json:"pricing"`
	Providers    Pair[ProviderList]   `json:"providers"`
	Capabilities CapabilityComparison `json:"capabilities"`
	Benchmarks   BenchmarkComparison  `json:"benchmarks"`
	Text         ComparisonText       `json:"text"`
	Dates        ComparisonDates      `json:"dates"`
	Sources      []SourceRef          `json:"sources"`
}

// Pair holds one value for each side of a comparison.
type Pair[T any] struct {
	A T `json:"a"`
	B T `json:"b"`
}

// Side names a side of a comparison.
type Side string

// Sides of a comparison, and the two outcomes that name neither.
const (
	SideA Side = "a"
	SideB Side = "b"
	// SideEqual is an outcome in which both sides are the same.
	SideEqual Side = "equal"
	// SideUnknown is an outcome the sourced data cannot settle.
	SideUnknown Side = "unknown"
)

// ComparisonOrder returns two model ids in the canonical order of a
// comparison: the one that sorts first is side A.
func ComparisonOrder(x, y string) (a, b string) {
	if y < x {
		return y, x
	}
	return x, y
}

// ComparisonStem is the pair's id and file stem, in canonical order:
// "meta--llama-3.2-1b-instruct--vs--openai--gpt-5.3-codex".
func ComparisonStem(x, y string) string {
	a, b := ComparisonOrder(x, y)
	return FileStem(a) + "--vs--" + FileStem(b)
}

// ComparedModel names one side's model.
type ComparedModel struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Creator string `json:"creator"`
}

// Specs are the two models' specifications side by side, each the model's
// fact as it is: value, display form, source and dates, or not yet sourced.
type Specs struct {
	Released        Pair[Fact[Date]]     `json:"released"`
	ContextWindow   Pair[Fact[Tokens]]   `json:"context_window"`
	Parameters      Pair[Fact[Count]]    `json:"parameters"`
	Architecture    Pair[Fact[string]]   `json:"architecture"`
	Licence         Pair[Fact[Licence]]  `json:"licence"`
	KnowledgeCutoff Pair[Fact[Date]]     `json:"knowledge_cutoff"`
	InputModalities Pair[Fact[[]string]] `json:"input_modalities"`
}

// Exact is an exact amount of US dollars per 1M tokens, as an integer count
// of 1e-8 USD: fine enough to hold a blend of Money amounts with percentage
// weights without rounding. It is written in JSON as a number with the
// fewest digits that are exact ($5.425 is 5.425).
type Exact int64

// ExactPerMoney is the number of Exact units in one Money unit.
const ExactPerMoney = 100

const exactPerUSD = MicrosPerUSD * ExactPerMoney

// ExactOf converts a Money amount.
func ExactOf(m Money) Exact { return Exact(int64(m) * ExactPerMoney) }

// USD is the amount as a decimal with the fewest digits that are exact:
// "5.425", "0.0789", "14".
func (e Exact) USD() string {
	n := int64(e)
	sign := ""
	if n < 0 {
		if n == math.MinInt64 {
			return "-92233720368.54775808"
		}
		sign, n = "-", -n
	}
	whole, frac := n/exactPerUSD, n%exactPerUSD
	if frac == 0 {
		return sign + strconv.FormatInt(whole, 10)
	}
	return sign + strconv.FormatInt(whole, 10) + "." + strings.TrimRight(fmt.Sprintf("%08d", frac), "0")
}

// String is the exact display form "$5.3461".
func (e Exact) String() string {
	if e < 0 {
		return "-$" + (-e).USD()
	}
	return "$" + e.USD()
}

// Text is the amount as text output writes money: exact, with at least two
// decimals ("$5.3461", "$0.10", "$14.00").
func (e Exact) Text() string { return atLeastCents(e.String()) }

// Round2 is the display form rounded half away from zero to cents ("$5.35"),
// as reference pages print amounts; records keep the exact amount beside it.
func (e Exact) Round2() string {
	n := int64(e)
	neg := n < 0
	if neg {
		n = -n
	}
	const perCent = exactPerUSD / 100
	cents := (n + perCent/2) / perCent
	s := fmt.Sprintf("$%d.%02d", cents/100, cents%100)
	if neg {
		s = "-" + s
	}
	return s
}

// Rat is the amount in USD as an exact rational.
func (e Exact) Rat() *big.Rat { return big.NewRat(int64(e), exactPerUSD) }

// MarshalJSON writes the amount as a JSON number with the fewest exact digits.
func (e Exact) MarshalJSON() ([]byte, error) { return []byte(e.USD()), nil }

// UnmarshalJSON reads a JSON number with at most eight decimal places.
func (e *Exact) UnmarshalJSON(b []byte) error {
	r, ok := new(big.Rat).SetString(string(b))
	if !ok {
		return fmt.Errorf("exact amount %s: not a number", b)
	}
	r.Mul(r, big.NewRat(exactPerUSD, 1))
	if !r.IsInt() || !r.Num().IsInt64() {
		return fmt.Errorf("exact amount %s: more than eight decimal places or out of range", b)
	}
	*e = Exact(r.Num().Int64())
	return nil
}

// Blend is the weighting of input and output prices into one blended price
// per 1M tokens, in whole percent: the default is 70% input, 30% output.
type Blend struct {
	InputPct  int `json:"input_pct"`
	OutputPct int `json:"output_pct"`
}

// DefaultBlend is 70% input, 30% output.
func DefaultBlend() Blend { return Blend{InputPct: 70, OutputPct: 30} }

// ErrBlend reports weights that are not whole percentages adding up to 100.
var ErrBlend = errors.New("blend weights must be whole percentages from 0 to 100 adding up to 100")

// Validate checks that the weights are percentages adding up to 100.
func (w Blend) Validate() error {
	if w.InputPct < 0 || w.OutputPct < 0 || w.InputPct+w.OutputPct != 100 {
		return fmt.Errorf("blend %d/%d: %w", w.InputPct, w.OutputPct, ErrBlend)
	}
	return nil
}

// Of is the exact blended price of an input and an output price:
// (input% × input + output% × output) / 100.
func (w Blend) Of(input, output Money) Exact {
	// Exact units are 1/100 of a Money unit, so the division by 100 is
	// exact by construction.
	return Exact(int64(w.InputPct)*int64(input) + int64(w.OutputPct)*int64(output))
}

// Formula states how a blended price is computed: "blended = 0.7 × input +
// 0.3 × output (USD per 1M tokens)".
func (w Blend) Formula() string {
	return "blended = " + weight(w.InputPct) + " × input + " + weight(w.OutputPct) + " × output (USD per 1M tokens)"
}

// Arithmetic shows a blend with its inputs: "0.7 × $0.027 + 0.3 × $0.2 = $0.0789".
func (w Blend) Arithmetic(input, output Money) string {
	return weight(w.InputPct) + " × " + input.String() + " + " + weight(w.OutputPct) + " × " + output.String() + " = " + w.Of(input, output).String()
}

// ArithmeticText is Arithmetic with the amounts as text output writes
// money: "0.7 × $0.027 + 0.3 × $0.20 = $0.0789".
func (w Blend) ArithmeticText(input, output Money) string {
	return weight(w.InputPct) + " × " + input.Text() + " + " + weight(w.OutputPct) + " × " + output.Text() + " = " + w.Of(input, output).Text()
}

// Label is "70% input / 30% output".
func (w Blend) Label() string {
	return strconv.Itoa(w.InputPct) + "% input / " + strconv.Itoa(w.OutputPct) + "% output"
}

func weight(pct int) string {
	return strings.TrimSuffix(strings.TrimRight(big.NewRat(int64(pct), 100).FloatString(2), "0"), ".")
}

// PriceState says whether an offering's input and output prices make a
// blended price: only two fixed prices do. Free tiers and variable prices
// are shown as such and never win "cheapest".
type PriceState string

// Price states.
const (
	PriceStateFixed      PriceState = "fixed"           // input and output both fixed amounts
	PriceStateFree       PriceState = "free"            // a free tier or endpoint
	PriceStateVariable   PriceState = "variable"        // the provider's price varies
	PriceStateIncomplete PriceState = "incomplete"      // one of the two is missing or of another kind
	PriceStateUnsourced  PriceState = "not_yet_sourced" // no price sourced at all
)

// OfferingPrice is one offering's input and output prices (null when not
// yet sourced; the offering's facts are in its model's file) and its
// blended price when both are fixed.
type OfferingPrice struct {
	Provider        string     `json:"provider"`
	ProviderName    string     `json:"provider_name"`
	ProviderModelID string     `json:"provider_model_id"`
	Region          string     `json:"region,omitempty"`
	Variant         string     `json:"variant,omitempty"`
	State           PriceState `json:"state"`
	Input           *Price     `json:"input"`
	Output          *Price     `json:"output"`
	// Blended is set when State is fixed.
	Blended *Exact `json:"blended_usd_per_mtok"`
}

// CheapestOffering is the offering with the lowest blended price, with its
// input and output prices as sourced (the facts, with source and dates) and
// the blend's arithmetic.
type CheapestOffering struct {
	Provider        string      `json:"provider"`
	ProviderName    string      `json:"provider_name"`
	ProviderModelID string      `json:"provider_model_id"`
	Region          string      `json:"region,omitempty"`
	Variant         string      `json:"variant,omitempty"`
	Input           Fact[Price] `json:"input"`
	Output          Fact[Price] `json:"output"`
	Blended         Exact       `json:"blended_usd_per_mtok"`
	// Arithmetic shows the blend with its inputs:
	// "0.7 × $0.027 + 0.3 × $0.2 = $0.0789".
	Arithmetic string `json:"arithmetic"`
}

// ModelPricing is one model's offerings and the cheapest of them.
type ModelPricing struct {
	// Cheapest is the offering with the lowest blended price (ties go to
	// the first in offering order); nil when no offering has two fixed
	// prices. Free tiers and variable prices never win.
	Cheapest *CheapestOffering `json:"cheapest"`
	// Offerings are every tracked offering of the model, in offering order.
	Offerings []OfferingPrice `json:"offerings"`
	// Note says why there is no cheapest offering.
	Note string `json:"note,omitempty"`
}

// PriceRatio compares one price of the two cheapest offerings: how many
// times the pricier one costs the cheaper one, with both inputs.
type PriceRatio struct {
	// Basis is "input", "output" or "blended".
	Basis string `json:"basis"`
	// Cheaper is a, b or equal.
	Cheaper Side `json:"cheaper"`
	// Times is pricier ÷ cheaper to one decimal, exactly rounded; nil
	// when the cheaper price is zero.
	Times    *string `json:"times"`
	Pricier  Exact   `json:"pricier_usd_per_mtok"`
	Cheapest Exact   `json:"cheaper_usd_per_mtok"`
	// Display is "64.8× cheaper on input".
	Display string `json:"display"`
}

// PriceComparison is the two models' prices on their cheapest tracked
// providers, blended with the stated weights, with the difference and the
// ratios and every input they were computed from.
type PriceComparison struct {
	Blend   Blend              `json:"blend"`
	Formula string             `json:"formula"`
	Models  Pair[ModelPricing] `json:"models"`
	// Cheaper is the side with the lower blended price, equal, or unknown
	// when a side has no fixed prices.
	Cheaper Side `json:"cheaper"`
	// Difference is the pricier blended price minus the cheaper one.
	Difference *Exact `json:"blended_difference_usd_per_mtok"`
	// DifferenceDisplay is the difference rounded to cents, for text.
	DifferenceDisplay string `json:"blended_difference_display,omitempty"`
	// Ratios are for input, output and blended prices, in that order.
	Ratios []PriceRatio `json:"ratios"`
}

// ProviderOfferings counts one provider's offerings of a model.
type ProviderOfferings struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Offerings int    `json:"offerings"`
}

// ProviderList is where a model can be run: its providers with counts.
type ProviderList struct {
	Count     int                 `json:"count"`
	Offerings int                 `json:"offerings"`
	Providers []ProviderOfferings `json:"providers"`
}

// CapabilityRow is one capability, three-state on each side.
type CapabilityRow struct {
	Capability Capability `json:"capability"`
	Label      string     `json:"label"`
	A          Tri        `json:"a"`
	B          Tri        `json:"b"`
}

// CapabilityComparison sorts the tracked capabilities by who has them.
type CapabilityComparison struct {
	Rows []CapabilityRow `json:"rows"`
	// OnlyA are capabilities A has and B is sourced not to have.
	OnlyA []Capability `json:"only_a"`
	// OnlyB are capabilities B has and A is sourced not to have.
	OnlyB []Capability `json:"only_b"`
	// Shared are capabilities both have.
	Shared []Capability `json:"shared"`
	// Neither are capabilities both are sourced not to have.
	Neither []Capability `json:"neither"`
	// Unsettled are capabilities not yet sourced for at least one side.
	Unsettled []Capability `json:"unsettled"`
}

// FAQEntry is one generated question and its answer.
type FAQEntry struct {
	// Topic names the question: cheaper, licence, multimodal_input,
	// function_calling, tool_use, where_to_run, benchmarks (only when the
	// pair shares benchmark rows).
	Topic    string `json:"topic"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// ComparisonText is the record's generated text, written from its data.
type ComparisonText struct {
	Title    string     `json:"title"`
	Summary  string     `json:"summary"`
	DeepDive []string   `json:"deep_dive"`
	FAQ      []FAQEntry `json:"faq"`
}

// ComparisonDates are the dates of the facts a record was built from. They
// hold no retrieval time: when a value was last seen moves every night
// whether or not anything changed, and is published in the model and
// offering files and freshness.json, so a record changes only when what it
// shows does.
type ComparisonDates struct {
	// ChangedAt is the latest time any sourced fact used took the value
	// it has; nil when none is sourced.
	ChangedAt *time.Time `json:"changed_at"`
	// ReviewedAt is the latest operator review of any fact used; nil if
	// none was ever reviewed.
	ReviewedAt *time.Time `json:"reviewed_at"`
	// Facts counts the sourced facts used; Unreviewed those never reviewed.
	Facts      int `json:"facts"`
	Unreviewed int `json:"unreviewed"`
}

// ComparisonView is what a comparison record reads of a model — its id,
// creator, name, specs and capabilities — as a copy whose facts (and their
// conflicts) carry no retrieval time. A record built from views, and a
// fingerprint taken of them, change only when a value, its changed or
// reviewed date, its source or its flags do, never because a scraper saw
// the same value again.
func (m *Model) ComparisonView() *Model {
	v := &Model{
		ID: m.ID, Creator: m.Creator, Name: m.Name, Released: m.Released, ContextWindow: m.ContextWindow,
		Parameters: m.Parameters, Architecture: m.Architecture, Licence: m.Licence, KnowledgeCutoff: m.KnowledgeCutoff,
		InputModalities: m.InputModalities, Capabilities: maps.Clone(m.Capabilities),
		Benchmarks: slices.Clone(m.Benchmarks), // cloned: the walk below edits each in place
	}
	v.eachFact(func(f anyFact) { f.clearRetrieved() })
	return v
}

// ComparisonView is what a comparison record reads of an offering — its
// identity and its input and output prices — as a copy without retrieval
// times (see Model.ComparisonView).
func (o *Offering) ComparisonView() *Offering {
	v := &Offering{
		ModelID: o.ModelID, Provider: o.Provider, ProviderModelID: o.ProviderModelID, Region: o.Region, Variant: o.Variant,
		Input: o.Input, Output: o.Output,
	}
	v.eachFact(func(f anyFact) { f.clearRetrieved() })
	return v
}
