package scrapers

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// OpenRouterEndpoints reads OpenRouter's per-provider endpoints of each
// configured model and, planned (Plan), of every id under which OpenRouter
// lists a tracked model (":free" variants included),
// /api/v1/models/{author}/{slug}/endpoints. Every endpoint
// is a price *OpenRouter* charges when it routes the request to one upstream
// (DeepInfra, Azure, "fireworks/fast", ...), so it becomes an offering at
// provider "openrouter" whose Variant is the endpoint's routing tag — never
// an offering of the upstream provider, whose own price may differ.
type OpenRouterEndpoints struct {
	// BaseURL is the API root; default https://openrouter.ai.
	BaseURL string
	// Models are OpenRouter model ids ("meta-llama/llama-3.2-1b-instruct",
	// "nex-agi/nex-n2.5-pro:free").
	Models []string

	derived derivedSet
}

var (
	_ Source  = (*OpenRouterEndpoints)(nil)
	_ Planner = (*OpenRouterEndpoints)(nil)
	_ Derived = (*OpenRouterEndpoints)(nil)
)

// Plan reads, besides the configured models, every OpenRouter id of every
// tracked model.
func (s *OpenRouterEndpoints) Plan(t Tracked) Source {
	p := &OpenRouterEndpoints{BaseURL: s.BaseURL}
	models := newPlan(s.Models, false)
	for _, m := range t.Models {
		for _, id := range m.OpenRouterIDs {
			if orModelIDOK(id) {
				models.add(id, p.EndpointsURL(id))
			}
		}
	}
	p.Models, p.derived = models.list, models.derived
	return p
}

// PlanStage is TrackIDs.
func (s *OpenRouterEndpoints) PlanStage() TrackStage { return TrackIDs }

// Derived reports whether a URL is a planned model's endpoints: OpenRouter
// may drop a model between its list and its endpoints.
func (s *OpenRouterEndpoints) Derived(url string) bool { return s.derived[url] }

// orModelIDOK reports whether id is an OpenRouter model id whose endpoints
// can be asked for: author/slug with an optional ":variant".
func orModelIDOK(id string) bool {
	author, slug, ok := strings.Cut(id, "/")
	base, variant, hasVariant := strings.Cut(slug, ":")
	return ok && author != "" && base != "" && (!hasVariant || variant != "") && !strings.Contains(slug, "/") &&
		!strings.ContainsAny(id, " ?#%") && !strings.HasPrefix(author, "~")
}

// Name is "openrouter-endpoints".
func (s *OpenRouterEndpoints) Name() string { return "openrouter-endpoints" }

func (s *OpenRouterEndpoints) base() string {
	return strings.TrimRight(orDefault(s.BaseURL, "https://openrouter.ai"), "/")
}

// EndpointsURL is where a model's endpoints are listed. Each path segment is
// escaped, and so is the ":" of a variant ("…/nex-n2.5-pro%3Afree/endpoints"),
// as OpenRouter requires.
func (s *OpenRouterEndpoints) EndpointsURL(model string) string {
	author, slug, _ := strings.Cut(model, "/")
	return s.base() + "/api/v1/models/" + orPathSegment(author) + "/" + orPathSegment(slug) + "/endpoints"
}

func orPathSegment(p string) string {
	return strings.ReplaceAll(url.PathEscape(p), ":", "%3A")
}

// modelOfEndpointsURL reads the model id back from an endpoints URL.
func (s *OpenRouterEndpoints) modelOfEndpointsURL(u string) (string, error) {
	rest, ok := strings.CutPrefix(u, s.base()+"/api/v1/models/")
	if !ok {
		return "", fmt.Errorf("openrouter endpoints: %s is not under %s/api/v1/models/", u, s.base())
	}
	rest, ok = strings.CutSuffix(rest, "/endpoints")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 2 {
		return "", fmt.Errorf("openrouter endpoints: no author/slug in %s", u)
	}
	author, err1 := url.PathUnescape(parts[0])
	slug, err2 := url.PathUnescape(parts[1])
	if err1 != nil || err2 != nil || author == "" || slug == "" {
		return "", fmt.Errorf("openrouter endpoints: bad model path in %s", u)
	}
	return author + "/" + slug, nil
}

// Describe presents the source.
func (s *OpenRouterEndpoints) Describe() Description {
	d := Description{Name: s.Name(), Title: "OpenRouter per-provider endpoints", Authority: catalog.AuthorityProvider, Format: "JSON"}
	for _, m := range s.Models {
		d.URLs = append(d.URLs, s.EndpointsURL(m))
	}
	return d
}

// Requests asks for the endpoints of every configured model.
func (s *OpenRouterEndpoints) Requests() []Request {
	out := make([]Request, 0, len(s.Models))
	for _, m := range s.Models {
		out = append(out, Request{URL: s.EndpointsURL(m), Kind: "endpoints", Subject: m})
	}
	return out
}

// Parse reads one model's endpoints.
func (s *OpenRouterEndpoints) Parse(kind string, r Response) (Parsed, error) {
	if kind != "endpoints" {
		return Parsed{}, fmt.Errorf("openrouter endpoints: unknown page kind %q", kind)
	}
	model, err := s.modelOfEndpointsURL(r.URL)
	if err != nil {
		return Parsed{}, err
	}
	return ParseOpenRouterEndpoints(model, r)
}

// orEndpointsDoc is an endpoints response as ParseOpenRouterEndpoints reads it.
type orEndpointsDoc struct {
	Data *orEndpointsData `json:"data"`
}

type orEndpointsData struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Endpoints *[]orEndpoint `json:"endpoints"`
}

// decodeOREndpoints decodes an endpoints response in one pass (by hand,
// see fastOREndpoints, else by encoding/json). When that fails it decodes
// again endpoint by endpoint, keeping those that decode
// and saying, for each of the others, why not: the common case reads the
// body once, and one malformed endpoint costs only itself.
func decodeOREndpoints(model string, body []byte, tally *rowTally) (orEndpointsDoc, error) {
	if doc, ok := fastOREndpoints(body); ok {
		return doc, nil
	}
	var doc orEndpointsDoc
	err := json.Unmarshal(body, &doc)
	if err == nil {
		return doc, nil
	}
	var raw struct {
		Data *struct {
			ID        string             `json:"id"`
			Name      string             `json:"name"`
			Endpoints *[]json.RawMessage `json:"endpoints"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &raw) != nil || raw.Data == nil || raw.Data.Endpoints == nil {
		return doc, fmt.Errorf("parse openrouter endpoints %s: %w", model, err)
	}
	eps := make([]orEndpoint, 0, len(*raw.Data.Endpoints))
	for i, r := range *raw.Data.Endpoints {
		var e orEndpoint
		if err := json.Unmarshal(r, &e); err != nil {
			tally.skip("endpoint %d: %v", i, err)
			continue
		}
		eps = append(eps, e)
	}
	doc.Data = &orEndpointsData{ID: raw.Data.ID, Name: raw.Data.Name, Endpoints: &eps}
	return doc, nil
}

type orEndpoint struct {
	Name                string                     `json:"name"`
	ProviderName        string                     `json:"provider_name"`
	Tag                 string                     `json:"tag"`
	ContextLength       *int64                     `json:"context_length"`
	MaxCompletionTokens *int64                     `json:"max_completion_tokens"`
	Quantization        *string                    `json:"quantization"`
	Status              *json.Number               `json:"status"`
	Pricing             map[string]json.RawMessage `json:"pricing"`
}

// ParseOpenRouterEndpoints reads a /api/v1/models/{author}/{slug}/endpoints
// response for model (the OpenRouter id that was asked for, ":free" suffix
// included) into offering observations at provider "openrouter", one
// offering per endpoint: Variant is the endpoint's routing tag (tags are
// unique per model; provider_name is not — Fireworks and "Fireworks fast"
// share one), or "tag:suffix" for a variant id such as ":free". Prices are
// USD per token as given; the upstream, its quantization and a degraded
// status (negative) are stated in each observation's Note. Degraded
// endpoints still count: OpenRouter still lists and may still route to them.
//
// Its anchor is the "data.endpoints" array. An endpoint it cannot read (no
// tag, no input or output price, a value of the wrong type) is left out
// with a warning, and so is a tag listed twice (the first endpoint
// stands). It fails when the body is not JSON, when the array is missing
// or empty, or when most endpoints are unreadable.
func ParseOpenRouterEndpoints(model string, r Response) (Parsed, error) {
	var tally rowTally
	doc, err := decodeOREndpoints(model, r.Body, &tally)
	if err != nil {
		return Parsed{}, err
	}
	if doc.Data == nil {
		return Parsed{}, fmt.Errorf("parse openrouter endpoints %s: no \"data\" object: %w", model, ErrMarkup)
	}
	if doc.Data.Endpoints == nil {
		return Parsed{}, fmt.Errorf("parse openrouter endpoints %s: no \"data.endpoints\" array: %w", model, ErrMarkup)
	}
	if len(*doc.Data.Endpoints) == 0 && tally.bad == 0 {
		return Parsed{}, fmt.Errorf("parse openrouter endpoints %s: OpenRouter lists no endpoint for the model: %w", model, ErrMarkup)
	}
	suffix := ""
	if _, v, ok := strings.Cut(model, ":"); ok {
		suffix = v
	}
	// Every endpoint's observations go into one slice, made to size: a
	// run holds the pages' observations until it has normalised them. A
	// tag listed again is cut off.
	size := 0
	for _, e := range *doc.Data.Endpoints {
		size += orEndpointSize(e)
	}
	out := make([]catalog.Observation, 0, size)
	seen := map[string]bool{}
	for i, e := range *doc.Data.Endpoints {
		n := len(out)
		var err error
		out, err = orEndpointObservations(out, r, model, doc.Data.Name, suffix, e)
		switch {
		case err != nil:
			tally.skip("endpoint %d (%s): %v", i, clip.String(e.ProviderName), err)
		case seen[e.Tag]:
			tally.warn("endpoint %d: tag %q listed again: left out, the first stands", i, clip.String(e.Tag))
			out = out[:n]
		default:
			seen[e.Tag] = true
			tally.ok()
		}
	}
	if err := tally.unreadable("endpoints"); err != nil {
		return Parsed{}, fmt.Errorf("parse openrouter endpoints %s: %w", model, err)
	}
	return Parsed{Observations: out, Warnings: tally.Warnings()}, nil
}

// orEndpointObservations appends one endpoint's offering's observations
// to out; on an error it returns out as it was.
func orEndpointObservations(out []catalog.Observation, r Response, model, name, suffix string, e orEndpoint) ([]catalog.Observation, error) {
	if e.Tag == "" {
		return out, fmt.Errorf("no tag: %w", ErrMarkup)
	}
	if strings.ContainsAny(e.Tag, "|\x00") {
		return out, fmt.Errorf("tag %q is not a routing slug", clip.String(e.Tag))
	}
	if e.Pricing == nil {
		return out, fmt.Errorf("tag %s: no pricing: %w", clip.String(e.Tag), ErrMarkup)
	}
	variant := e.Tag
	if suffix != "" {
		variant += ":" + suffix
	}
	note, err := orEndpointNote(e)
	if err != nil {
		return out, fmt.Errorf("tag %s: %w", clip.String(e.Tag), err)
	}
	offer := func(f catalog.Field, v string, u catalog.Unit) catalog.Observation {
		return catalog.Observation{Source: "openrouter-endpoints", URL: r.URL, RetrievedAt: r.RetrievedAt,
			Authority: catalog.AuthorityProvider, Subject: model, SubjectName: name,
			Provider: "openrouter", Variant: variant, Field: f, Value: v, Unit: u, Note: note}
	}
	priced, err := orPrices(append(out, offer(catalog.FieldListed, model, "")), e.Pricing, offer)
	if err != nil {
		return out, fmt.Errorf("tag %s: %w", clip.String(e.Tag), err)
	}
	out = priced
	if e.ContextLength != nil {
		out = append(out, offer(catalog.FieldOfferingContext, strconv.FormatInt(*e.ContextLength, 10), ""))
	}
	if e.MaxCompletionTokens != nil {
		out = append(out, offer(catalog.FieldOfferingMaxOutput, strconv.FormatInt(*e.MaxCompletionTokens, 10), ""))
	}
	return out, nil
}

// orEndpointSize is how many observations orEndpointObservations makes of
// a readable endpoint: its listing, its prices and its counts. It only
// sizes the page's slice: should the two ever disagree, append grows it.
func orEndpointSize(e orEndpoint) int {
	n := 1
	for _, pf := range orPriceFields {
		if _, ok := e.Pricing[pf.key]; ok {
			n++
		}
	}
	if e.ContextLength != nil {
		n++
	}
	if e.MaxCompletionTokens != nil {
		n++
	}
	return n
}

// orEndpointNote states what qualifies an endpoint's values: the upstream
// it routes to, its quantization, a discount, and a degraded status.
func orEndpointNote(e orEndpoint) (string, error) {
	parts := []string{}
	if e.ProviderName != "" {
		parts = append(parts, "via "+e.ProviderName)
	}
	if e.Quantization != nil && *e.Quantization != "" {
		parts = append(parts, "quantization "+*e.Quantization)
	}
	if raw, ok := e.Pricing["discount"]; ok {
		d, err := jsonScalar(raw)
		if err != nil {
			return "", fmt.Errorf("pricing.discount: %w", err)
		}
		if strings.Trim(d, "0.") != "" {
			parts = append(parts, "discount "+d+" (not applied)")
		}
	}
	if e.Status != nil {
		n, err := strconv.Atoi(e.Status.String())
		if err != nil {
			return "", fmt.Errorf("status %q: %w", clip.String(e.Status.String()), err)
		}
		if n < 0 {
			parts = append(parts, fmt.Sprintf("degraded (status %d)", n))
		}
	}
	return strings.Join(parts, "; "), nil
}
