package scrapers

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// Bedrock reads Amazon Bedrock's prices from the AWS Price List bulk offer
// file of each configured region
// (/offers/v1.0/aws/AmazonBedrock/current/{region}/index.json): on-demand
// and batch input and output prices per 1K tokens. The file names models by
// display name ("Llama 3.2 1B"), so a table maps display names to Bedrock
// model ids, which the observations carry as their subject.
type Bedrock struct {
	// BaseURL is the price list root; default
	// https://pricing.us-east-1.amazonaws.com.
	BaseURL string
	// Regions are the region codes whose offer files are read
	// ("us-east-1").
	Regions []string
	// Models maps the offer file's model display names to Bedrock model
	// ids ("Llama 3.2 1B" → "meta.llama3-2-1b-instruct-v1:0").
	Models map[string]string
}

var _ Source = (*Bedrock)(nil)

// Name is "bedrock".
func (s *Bedrock) Name() string { return "bedrock" }

func (s *Bedrock) base() string {
	return strings.TrimRight(orDefault(s.BaseURL, "https://pricing.us-east-1.amazonaws.com"), "/")
}

// OfferURL is the region's current Bedrock offer file.
func (s *Bedrock) OfferURL(region string) string {
	return s.base() + "/offers/v1.0/aws/AmazonBedrock/current/" + region + "/index.json"
}

// Describe presents the source.
func (s *Bedrock) Describe() Description {
	d := Description{Name: s.Name(), Title: "AWS Price List: Amazon Bedrock", Authority: catalog.AuthorityProvider, Format: "JSON"}
	for _, r := range s.Regions {
		d.URLs = append(d.URLs, s.OfferURL(r))
	}
	return d
}

// Requests asks for every configured region's offer file.
func (s *Bedrock) Requests() []Request {
	out := make([]Request, 0, len(s.Regions))
	for _, r := range s.Regions {
		out = append(out, Request{URL: s.OfferURL(r), Kind: "offer"})
	}
	return out
}

// Parse reads one region's offer file.
func (s *Bedrock) Parse(kind string, r Response) (Parsed, error) {
	if kind != "offer" {
		return Parsed{}, fmt.Errorf("bedrock: unknown page kind %q", kind)
	}
	rest, ok := strings.CutPrefix(r.URL, s.base()+"/offers/v1.0/aws/AmazonBedrock/")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 3 || parts[2] != "index.json" || parts[1] == "" {
		return Parsed{}, fmt.Errorf("bedrock: %s is not a regional Bedrock offer file", r.URL)
	}
	return ParseBedrockOffer(parts[1], s.Models, r)
}

type awsOffer struct {
	OfferCode string                 `json:"offerCode"`
	Version   string                 `json:"version"`
	Products  *map[string]awsProduct `json:"products"`
	Terms     *struct {
		OnDemand *map[string]map[string]awsTerm `json:"OnDemand"`
	} `json:"terms"`
}

type awsProduct struct {
	SKU           string            `json:"sku"`
	ProductFamily string            `json:"productFamily"`
	Attributes    map[string]string `json:"attributes"`
}

type awsTerm struct {
	PriceDimensions map[string]awsDimension `json:"priceDimensions"`
}

type awsDimension struct {
	Description  string            `json:"description"`
	BeginRange   string            `json:"beginRange"`
	Unit         string            `json:"unit"`
	PricePerUnit map[string]string `json:"pricePerUnit"`
}

// bedrockUsage splits a usage type: "USE1-Llama3-2-1B-input-tokens-batch"
// → model part "USE1-Llama3-2-1B", direction "input", suffix "batch".
var bedrockUsage = regexp.MustCompile(`(?i)^(.*?)-(input|output)-tokens?(?:-(.+))?$`)

// ParseBedrockOffer reads one region's AmazonBedrock offer file into
// provider-authority offering observations at "bedrock" for the models
// named in models (display name → Bedrock model id), each with its Region.
//
// A model has many SKUs; each is chosen by its usage type, never by order:
// "…-input-tokens" / "…-output-tokens" with no suffix are on-demand
// prices, "-batch" (or a Batch Inference feature) batch prices, and every
// other suffix (-flex, -priority, -latency-optimized, -cross-region-global,
// -custom-model, …) is another offering that is not read. Prices stay as
// the file gives them, per 1K tokens ("1K tokens") or per 1M tokens
// (marketplace "Units" whose description says Million … Tokens). SKUs
// without a token usage type (storage, customisation) are not prices per
// token and are skipped.
//
// Its anchor is the file's "products" map and "terms.OnDemand" map. A
// configured model's token SKU it cannot read (an unknown unit, no USD
// price) is left out with a warning, and so is a SKU that gives a price
// another SKU gave with another value (the first SKU, in SKU order,
// stands). It fails when the file is not JSON or not Bedrock's, when
// either map is missing, when none of the configured models is in the
// file or none has a token price, and when most of their token SKUs are
// unreadable.
func ParseBedrockOffer(region string, models map[string]string, r Response) (Parsed, error) {
	var doc awsOffer
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		return Parsed{}, fmt.Errorf("parse bedrock offer %s: %w", region, err)
	}
	if doc.Products == nil {
		return Parsed{}, fmt.Errorf("parse bedrock offer %s: no \"products\" map: %w", region, ErrMarkup)
	}
	if doc.Terms == nil || doc.Terms.OnDemand == nil {
		return Parsed{}, fmt.Errorf("parse bedrock offer %s: no \"terms.OnDemand\" map: %w", region, ErrMarkup)
	}
	if doc.OfferCode != "" && !strings.HasPrefix(doc.OfferCode, "AmazonBedrock") {
		return Parsed{}, fmt.Errorf("parse bedrock offer %s: offer code %q is not Amazon Bedrock's", region, clip.String(doc.OfferCode))
	}
	byName := make(map[string]string, len(models))
	for name, id := range models {
		byName[strings.ToLower(strings.TrimSpace(name))] = id
	}
	type value struct {
		obs catalog.Observation
		sku string
	}
	var tally rowTally
	found := map[string]bool{}
	values := map[string]value{} // id|region|field → value
	var order []string
	skus := make([]string, 0, len(*doc.Products))
	for sku := range *doc.Products {
		skus = append(skus, sku)
	}
	slices.Sort(skus)
	for _, sku := range skus {
		p := (*doc.Products)[sku]
		a := p.Attributes
		name := a["model"]
		if name == "" {
			name = a["titanModel"]
		}
		id, ok := byName[strings.ToLower(strings.TrimSpace(name))]
		if !ok {
			continue
		}
		found[id] = true
		m := bedrockUsage.FindStringSubmatch(a["usagetype"])
		if m == nil {
			continue // not a per-token SKU (storage, customisation, provisioned throughput)
		}
		field, ok := bedrockField(m[1], strings.ToLower(m[2]), strings.ToLower(m[3]), strings.ToLower(a["feature"]))
		if !ok {
			continue // another offering: flex, priority, latency-optimized, cross-region, custom model
		}
		price, unit, err := bedrockPrice(sku, (*doc.Terms.OnDemand)[sku])
		if err != nil {
			tally.skip("%s (SKU %s, %s): %v", clip.String(name), clip.String(sku), clip.String(a["usagetype"]), err)
			continue
		}
		reg := a["regionCode"]
		if reg == "" {
			reg = region
		}
		kind := "on-demand"
		if field == catalog.FieldPriceBatchInput || field == catalog.FieldPriceBatchOutput {
			kind = "batch"
		}
		o := catalog.Observation{Source: "bedrock", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityProvider,
			Subject: id, SubjectName: name, Provider: "bedrock", Region: reg, Field: field, Value: price, Unit: unit,
			Note: kind + "; usagetype " + a["usagetype"] + "; sku " + sku}
		key := id + "|" + reg + "|" + string(field)
		if prev, dup := values[key]; dup {
			if prev.obs.Value != price || prev.obs.Unit != unit {
				tally.warn("%s %s: SKU %s says %s %s against %s %s from SKU %s: the first stands",
					clip.String(name), field, clip.String(sku), clip.String(price), unit, prev.obs.Value, prev.obs.Unit, clip.String(prev.sku))
			}
			tally.ok()
			continue
		}
		tally.ok()
		values[key] = value{obs: o, sku: sku}
		order = append(order, key)
		listed := id + "|" + reg + "|" + string(catalog.FieldListed)
		if _, ok := values[listed]; !ok {
			l := o
			l.Field, l.Value, l.Unit, l.Note = catalog.FieldListed, id, "", ""
			values[listed] = value{obs: l, sku: sku}
			order = append(order, listed)
		}
	}
	if len(found) == 0 {
		names := make([]string, 0, len(models))
		for n := range models {
			names = append(names, n)
		}
		slices.Sort(names)
		return Parsed{}, fmt.Errorf("parse bedrock offer %s: none of the configured models (%s) is in the file: %w",
			region, strings.Join(names, ", "), ErrMarkup)
	}
	if err := tally.unreadable("token SKUs of the configured models"); err != nil {
		return Parsed{}, fmt.Errorf("parse bedrock offer %s: %w", region, err)
	}
	if len(order) == 0 {
		return Parsed{}, fmt.Errorf("parse bedrock offer %s: no on-demand or batch token price for the configured models: %w", region, ErrMarkup)
	}
	slices.Sort(order)
	out := make([]catalog.Observation, 0, len(order))
	for _, k := range order {
		out = append(out, values[k].obs)
	}
	return Parsed{Observations: out, Warnings: tally.Warnings()}, nil
}

// bedrockField maps a token SKU's usage type parts to the price it gives.
func bedrockField(modelPart, direction, suffix, feature string) (catalog.Field, bool) {
	batch := false
	switch {
	case suffix == "batch":
		batch = true
	case suffix != "":
		return "", false
	case strings.Contains(feature, "batch"):
		batch = true
	case feature != "" && !strings.Contains(feature, "on-demand"):
		return "", false
	}
	low := strings.ToLower(modelPart)
	switch {
	case strings.HasSuffix(low, "-cache-read"):
		if batch || direction != "input" {
			return "", false
		}
		return catalog.FieldPriceCachedInput, true
	case strings.HasSuffix(low, "-cache-write"):
		if batch || direction != "input" {
			return "", false
		}
		return catalog.FieldPriceCacheWrite, true
	}
	switch {
	case batch && direction == "input":
		return catalog.FieldPriceBatchInput, true
	case batch:
		return catalog.FieldPriceBatchOutput, true
	case direction == "input":
		return catalog.FieldPriceInput, true
	}
	return catalog.FieldPriceOutput, true
}

var bedrockMillionUnits = regexp.MustCompile(`(?i)million\b.*\btokens?\b`)

// bedrockPrice reads a SKU's on-demand price: the USD amount of its first
// price range, and its unit.
func bedrockPrice(sku string, terms map[string]awsTerm) (string, catalog.Unit, error) {
	if len(terms) == 0 {
		return "", "", fmt.Errorf("no on-demand term: %w", ErrMarkup)
	}
	price, unit := "", catalog.Unit("")
	keys := make([]string, 0, len(terms))
	for k := range terms {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, d := range terms[k].PriceDimensions {
			if d.BeginRange != "" && d.BeginRange != "0" {
				continue
			}
			usd, ok := d.PricePerUnit["USD"]
			if !ok || strings.TrimSpace(usd) == "" {
				return "", "", fmt.Errorf("price dimension without a USD price: %w", ErrMarkup)
			}
			var u catalog.Unit
			switch l := strings.ToLower(strings.TrimSpace(d.Unit)); {
			case l == "1k tokens" || l == "1k token":
				u = catalog.PerThousand
			case l == "1m tokens" || l == "1m token" || l == "million tokens":
				u = catalog.PerMillion
			case l == "units" && bedrockMillionUnits.MatchString(d.Description):
				u = catalog.PerMillion
			default:
				return "", "", fmt.Errorf("unit %q is not a token unit llmref knows: %w", clip.String(d.Unit), ErrMarkup)
			}
			if price != "" && (price != usd || unit != u) {
				return "", "", fmt.Errorf("two on-demand prices (%s, %s)", clip.String(price), clip.String(usd))
			}
			price, unit = usd, u
		}
	}
	if price == "" {
		return "", "", fmt.Errorf("no price dimension from 0: %w", ErrMarkup)
	}
	return price, unit, nil
}
