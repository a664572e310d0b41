package scrapers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
	"github.com/llmref/llmref/internal/jsonread"
)

// OpenRouter reads OpenRouter's model list, /api/v1/models: every model's
// headline price at OpenRouter (USD per token, as decimal strings), context,
// modalities and supported request parameters.
type OpenRouter struct {
	// BaseURL is the API root; default https://openrouter.ai.
	BaseURL string
}

var (
	_ Source  = (*OpenRouter)(nil)
	_ Definer = (*OpenRouter)(nil)
)

// DefinesTracked is true: OpenRouter's list names the models a run tracks.
func (s *OpenRouter) DefinesTracked() bool { return true }

// Name is "openrouter".
func (s *OpenRouter) Name() string { return "openrouter" }

func (s *OpenRouter) base() string {
	return strings.TrimRight(orDefault(s.BaseURL, "https://openrouter.ai"), "/")
}

// Describe presents the source.
func (s *OpenRouter) Describe() Description {
	return Description{Name: s.Name(), Title: "OpenRouter model list", Authority: catalog.AuthorityAggregator,
		Format: "JSON", URLs: []string{s.base() + "/api/v1/models"}}
}

// Requests asks for the model list.
func (s *OpenRouter) Requests() []Request {
	return []Request{{URL: s.base() + "/api/v1/models", Kind: "models"}}
}

// Parse reads the model list.
func (s *OpenRouter) Parse(kind string, r Response) (Parsed, error) {
	if kind != "models" {
		return Parsed{}, fmt.Errorf("openrouter: unknown page kind %q", kind)
	}
	return ParseOpenRouterModels(r)
}

type orArchitecture struct {
	Modality         string   `json:"modality"`
	InputModalities  []string `json:"input_modalities"`
	OutputModalities []string `json:"output_modalities"`
}

type orTopProvider struct {
	ContextLength       *int64 `json:"context_length"`
	MaxCompletionTokens *int64 `json:"max_completion_tokens"`
}

type orModel struct {
	ID                  string                     `json:"id"`
	Name                string                     `json:"name"`
	ContextLength       *int64                     `json:"context_length"`
	Architecture        *orArchitecture            `json:"architecture"`
	Pricing             map[string]json.RawMessage `json:"pricing"`
	TopProvider         *orTopProvider             `json:"top_provider"`
	SupportedParameters []string                   `json:"supported_parameters"`
	KnowledgeCutoff     *string                    `json:"knowledge_cutoff"`
	HuggingFaceID       *string                    `json:"hugging_face_id"`
}

// orPriceFields maps OpenRouter's pricing keys to offering fields. Other keys
// (web_search, image, audio, request, ...) are not per-token text prices.
var orPriceFields = []struct {
	key   string
	field catalog.Field
}{
	{"prompt", catalog.FieldPriceInput},
	{"completion", catalog.FieldPriceOutput},
	{"input_cache_read", catalog.FieldPriceCachedInput},
	{"input_cache_write", catalog.FieldPriceCacheWrite},
}

// ParseOpenRouterModels reads a /api/v1/models response into observations:
// model facts at aggregator authority (name, modalities, supported
// parameters, knowledge cutoff, the Hugging Face repository of the weights)
// and the OpenRouter offering at provider authority (prices per token as
// given, context, max output). OpenRouter's
// `created` is when OpenRouter added the model, never its release: it is not
// read.
//
// Its anchor is the "data" array of model entries. An entry it cannot read
// (no id, no input or output price, a price that is neither a string nor a
// number, a field of the wrong type) is left out with a warning, and so is
// an id listed twice (the first entry stands); a hugging_face_id that is
// not an owner/name repository is left out of its entry with a warning.
// It fails when the body is
// not JSON, when the array is missing or empty, or when most entries are
// unreadable.
func ParseOpenRouterModels(r Response) (Parsed, error) {
	p := newORModelsRead(r)
	present, ok := fastORModels(r.Body, p.entry)
	if !ok { // encoding/json decides: the whole body, then each entry
		p = newORModelsRead(r)
		var doc struct {
			Data *[]json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(r.Body, &doc); err != nil {
			return Parsed{}, fmt.Errorf("parse openrouter models: %w", err)
		}
		if present = doc.Data != nil; present {
			for _, raw := range *doc.Data {
				var m orModel
				err := json.Unmarshal(raw, &m)
				p.read(m, err)
			}
		}
	}
	if !present {
		return Parsed{}, fmt.Errorf("parse openrouter models: no \"data\" array: %w", ErrMarkup)
	}
	if p.n == 0 {
		return Parsed{}, fmt.Errorf("parse openrouter models: empty \"data\" array: %w", ErrMarkup)
	}
	if err := p.tally.unreadable("entries"); err != nil {
		return Parsed{}, fmt.Errorf("parse openrouter models: %w", err)
	}
	return Parsed{Observations: p.out, Warnings: p.tally.Warnings()}, nil
}

// orModelsRead is what ParseOpenRouterModels has read of a list so far:
// the observations, appended to one slice (built entry by entry, the
// slices were most of what a parse allocated), the tally, the ids seen.
type orModelsRead struct {
	r     Response
	out   []catalog.Observation
	tally rowTally
	seen  map[string]int
	n     int // entries read
}

// orListObsRoom bounds the room made for a list's observations before
// reading it: about a dozen an entry of a kilobyte or so, for lists of up
// to ~5,000 models (a longer one grows as it is read).
const orListObsRoom = 1 << 16

func newORModelsRead(r Response) *orModelsRead {
	return &orModelsRead{r: r, seen: map[string]int{},
		out: make([]catalog.Observation, 0, min(len(r.Body)/80+16, orListObsRoom))}
}

// entry reads one entry decoded without error.
func (p *orModelsRead) entry(m orModel) { p.read(m, nil) }

// read reads the next entry: its observations, or why it is left out.
func (p *orModelsRead) read(m orModel, err error) {
	i := p.n
	p.n++
	if err != nil {
		p.tally.skip("entry %d: %v", i, err)
		return
	}
	if first, dup := p.seen[m.ID]; dup && m.ID != "" {
		p.tally.warn("entry %d: %s listed again (first in entry %d): left out", i, clip.String(m.ID), first)
		return
	}
	next, err := orModelObservations(p.out, p.r, m, "openrouter")
	if err != nil {
		p.tally.skip("entry %d: %v", i, err)
		return
	}
	p.out = next
	p.seen[m.ID] = i
	p.tally.ok()
	if m.HuggingFaceID != nil && *m.HuggingFaceID != "" {
		if repo := strings.TrimSpace(*m.HuggingFaceID); HFRepoOK(repo) {
			p.out = append(p.out, catalog.Observation{Source: "openrouter", URL: p.r.URL, RetrievedAt: p.r.RetrievedAt, Authority: catalog.AuthorityAggregator,
				Subject: m.ID, SubjectName: m.Name, Field: catalog.FieldHFRepo, Value: repo})
		} else {
			p.tally.warn("entry %d: %s: hugging_face_id %q is not an owner/name repository: left out", i, clip.String(m.ID), clip.String(repo))
		}
	}
}

// orModelObservations appends an entry's observations to out; on an error
// it returns out as it was.
func orModelObservations(out []catalog.Observation, r Response, m orModel, provider string) ([]catalog.Observation, error) {
	if m.ID == "" {
		return out, fmt.Errorf("no id: %w", ErrMarkup)
	}
	if m.Pricing == nil {
		return out, fmt.Errorf("%s: no pricing: %w", clip.String(m.ID), ErrMarkup)
	}
	start := len(out)
	model := func(f catalog.Field, v string) catalog.Observation {
		return catalog.Observation{Source: "openrouter", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityAggregator, Subject: m.ID, SubjectName: m.Name, Field: f, Value: v}
	}
	offer := func(f catalog.Field, v string, u catalog.Unit) catalog.Observation {
		return catalog.Observation{Source: "openrouter", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityProvider, Subject: m.ID, SubjectName: m.Name,
			Provider: provider, Field: f, Value: v, Unit: u}
	}
	if m.Name != "" {
		out = append(out, model(catalog.FieldName, m.Name))
	}
	if a := m.Architecture; a != nil {
		if len(a.InputModalities) > 0 {
			out = append(out, model(catalog.FieldInputModalities, strings.Join(a.InputModalities, ",")))
		}
		if len(a.OutputModalities) > 0 {
			out = append(out, model(catalog.FieldOutputModalities, strings.Join(a.OutputModalities, ",")))
		}
	}
	if m.SupportedParameters != nil {
		out = append(out, model(catalog.FieldSupportedParameters, strings.Join(m.SupportedParameters, ",")))
	}
	if m.KnowledgeCutoff != nil && *m.KnowledgeCutoff != "" {
		out = append(out, model(catalog.FieldKnowledgeCutoff, *m.KnowledgeCutoff))
	}
	out = append(out, offer(catalog.FieldListed, m.ID, ""))
	priced, err := orPrices(out, m.Pricing, offer)
	if err != nil {
		return out[:start], fmt.Errorf("%s: %w", clip.String(m.ID), err)
	}
	out = priced
	ctx := m.ContextLength
	if ctx == nil && m.TopProvider != nil {
		ctx = m.TopProvider.ContextLength
	}
	if ctx != nil {
		out = append(out, offer(catalog.FieldOfferingContext, strconv.FormatInt(*ctx, 10), ""))
	}
	if m.TopProvider != nil && m.TopProvider.MaxCompletionTokens != nil {
		out = append(out, offer(catalog.FieldOfferingMaxOutput, strconv.FormatInt(*m.TopProvider.MaxCompletionTokens, 10), ""))
	}
	return out, nil
}

// orPrices appends the per-token prices of an OpenRouter "pricing" object,
// made by offer; the input and output prices must be there.
func orPrices(out []catalog.Observation, pricing map[string]json.RawMessage, offer func(catalog.Field, string, catalog.Unit) catalog.Observation) ([]catalog.Observation, error) {
	for _, pf := range orPriceFields {
		raw, ok := pricing[pf.key]
		if !ok {
			if pf.field == catalog.FieldPriceInput || pf.field == catalog.FieldPriceOutput {
				return nil, fmt.Errorf("no pricing.%s: %w", pf.key, ErrMarkup)
			}
			continue
		}
		v, err := jsonScalar(raw)
		if err != nil {
			return nil, fmt.Errorf("pricing.%s: %w", pf.key, err)
		}
		out = append(out, offer(pf.field, v, catalog.PerToken))
	}
	return out, nil
}

// jsonScalar returns a JSON string's text or a JSON number's literal text,
// never going through float64.
func jsonScalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if jsonread.NumberLiteral(raw) {
		return string(raw), nil
	}
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var n any
	if err := dec.Decode(&n); err != nil {
		return "", err
	}
	if num, ok := n.(json.Number); ok {
		return num.String(), nil
	}
	return "", fmt.Errorf("want a string or a number, got %s", clip.String(string(raw)))
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
