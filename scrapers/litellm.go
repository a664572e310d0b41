package scrapers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
	"github.com/llmref/llmref/internal/jsonread"
)

// DefaultLiteLLMURL is where LiteLLM publishes its price map.
const DefaultLiteLLMURL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"

// DefaultLiteLLMProviders maps LiteLLM's litellm_provider values to llmref
// provider ids. Entries of other providers are skipped and counted.
func DefaultLiteLLMProviders() map[string]string {
	return map[string]string{
		"openai":           "openai",
		"azure":            "azure",
		"openrouter":       "openrouter",
		"fireworks_ai":     "fireworks",
		"bedrock":          "bedrock",
		"bedrock_converse": "bedrock",
		"nvidia_nim":       "nvidia-nim",
	}
}

// LiteLLM reads LiteLLM's price map (model_prices_and_context_window.json)
// as a cross-check: its per-token prices and output limits for the
// providers llmref knows, at the lowest authority, so that a disagreement
// with a provider's own page becomes a conflict for review. Cross-checks
// never make a model or an offering on their own (the normaliser sees to
// that).
type LiteLLM struct {
	// URL is the price map; default DefaultLiteLLMURL.
	URL string
	// Providers maps litellm_provider values to llmref provider ids;
	// default DefaultLiteLLMProviders.
	Providers map[string]string
}

var _ Source = (*LiteLLM)(nil)

// Name is "litellm".
func (s *LiteLLM) Name() string { return "litellm" }

func (s *LiteLLM) url() string { return orDefault(s.URL, DefaultLiteLLMURL) }

func (s *LiteLLM) providers() map[string]string {
	if s.Providers == nil {
		return DefaultLiteLLMProviders()
	}
	return s.Providers
}

// Describe presents the source.
func (s *LiteLLM) Describe() Description {
	return Description{Name: s.Name(), Title: "LiteLLM price map (cross-check)", Authority: catalog.AuthorityCrossCheck,
		Format: "JSON", URLs: []string{s.url()}}
}

// Requests asks for the price map.
func (s *LiteLLM) Requests() []Request {
	return []Request{{URL: s.url(), Kind: "prices"}}
}

// Parse reads the price map.
func (s *LiteLLM) Parse(kind string, r Response) (Parsed, error) {
	if kind != "prices" {
		return Parsed{}, fmt.Errorf("litellm: unknown page kind %q", kind)
	}
	res, err := ParseLiteLLM(r, s.providers())
	return Parsed{Observations: res.Observations, Warnings: res.Warnings}, err
}

// Summarizer is a source that can say, from a page it read, what it left
// out and why: the cross-check maps skip the entries of providers llmref
// does not know, and `llmref sources` shows how many, by reason, so that
// nothing is skipped silently.
type Summarizer interface {
	Summarize(kind string, r Response) (string, error)
}

var _ Summarizer = (*LiteLLM)(nil)

// Summarize counts what the price map holds, what was read and what was
// skipped, by reason.
func (s *LiteLLM) Summarize(kind string, r Response) (string, error) {
	if kind != "prices" {
		return "", fmt.Errorf("litellm: unknown page kind %q", kind)
	}
	res, err := ParseLiteLLM(r, s.providers())
	if err != nil {
		return "", err
	}
	unreadable := ""
	if res.Unreadable > 0 {
		unreadable = fmt.Sprintf("; %d unreadable", res.Unreadable)
	}
	return fmt.Sprintf("%d entries, %d priced chat entries of mapped providers read; skipped: %s%s",
		res.Entries, res.Read, topCounts(res.Skipped, 8), unreadable), nil
}

// LiteLLMResult is what ParseLiteLLM read and what it skipped, and why.
type LiteLLMResult struct {
	Observations []catalog.Observation
	// Entries counts the map's entries (sample_spec excluded).
	Entries int
	// Read counts the priced chat entries of mapped providers.
	Read int
	// Skipped counts the other entries by reason: "provider <name>" (not
	// mapped to an llmref provider), "mode <mode>" (not a chat model),
	// "unpriced", "provisioned throughput" (Bedrock commitments), "no model
	// id".
	Skipped map[string]int
	// Unreadable counts the entries left out because they could not be
	// read; Warnings say why.
	Unreadable int
	Warnings   []string
}

// SkipSummary writes every skipped count, largest first: "mode
// image_generation 187, unpriced 142, provider vertex_ai 62, ...".
func (r LiteLLMResult) SkipSummary() string { return topCounts(r.Skipped, 0) }

// topCounts writes counts by key, largest first, the first limit of them
// (all when limit is 0) and a total of the rest.
func topCounts(m map[string]int, limit int) string {
	type kv struct {
		k string
		n int
	}
	var all []kv
	for k, n := range m {
		all = append(all, kv{k, n})
	}
	if len(all) == 0 {
		return "nothing"
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].k < all[j].k
	})
	var parts []string
	rest, restN := 0, 0
	for i, e := range all {
		if limit > 0 && i >= limit {
			rest++
			restN += e.n
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d", e.k, e.n))
	}
	if rest > 0 {
		parts = append(parts, fmt.Sprintf("%d other reasons %d", rest, restN))
	}
	return strings.Join(parts, ", ")
}

// litellmModes are the modes of chat models, whose per-token prices llmref
// tracks.
var litellmModes = map[string]bool{"chat": true, "responses": true, "completion": true}

// litellmPrices maps the map's price keys to offering fields. Values are USD
// per token as JSON numbers, read as their literal text.
var litellmPrices = []struct {
	key   string
	field catalog.Field
	get   func(*litellmEntry) json.RawMessage
}{
	{"input_cost_per_token", catalog.FieldPriceInput, func(e *litellmEntry) json.RawMessage { return e.Input }},
	{"cache_read_input_token_cost", catalog.FieldPriceCachedInput, func(e *litellmEntry) json.RawMessage { return e.CacheRead }},
	{"cache_creation_input_token_cost", catalog.FieldPriceCacheWrite, func(e *litellmEntry) json.RawMessage { return e.CacheWrite }},
	{"output_cost_per_token", catalog.FieldPriceOutput, func(e *litellmEntry) json.RawMessage { return e.Output }},
	{"input_cost_per_token_batches", catalog.FieldPriceBatchInput, func(e *litellmEntry) json.RawMessage { return e.BatchInput }},
	{"output_cost_per_token_batches", catalog.FieldPriceBatchOutput, func(e *litellmEntry) json.RawMessage { return e.BatchOutput }},
}

// litellmEntry holds the keys of one price-map entry that llmref reads,
// each as raw JSON so that numbers keep their text.
type litellmEntry struct {
	Provider    json.RawMessage `json:"litellm_provider"`
	Mode        json.RawMessage `json:"mode"`
	Input       json.RawMessage `json:"input_cost_per_token"`
	CacheRead   json.RawMessage `json:"cache_read_input_token_cost"`
	CacheWrite  json.RawMessage `json:"cache_creation_input_token_cost"`
	Output      json.RawMessage `json:"output_cost_per_token"`
	BatchInput  json.RawMessage `json:"input_cost_per_token_batches"`
	BatchOutput json.RawMessage `json:"output_cost_per_token_batches"`
	MaxOutput   json.RawMessage `json:"max_output_tokens"`
}

// ParseLiteLLM reads LiteLLM's price map into cross-check observations of
// the offerings of mapped providers: prices per token (never through
// float64: each number is kept as the text the file has, "1.75e-06") and max
// output tokens. Only priced entries of chat models (modes chat, responses,
// completion) are read; every other entry is counted in Skipped by reason.
// The entry key minus its provider prefix ("fireworks_ai/", "openrouter/")
// is the subject; a Bedrock region in the key ("bedrock/us-west-2/...") or a
// cross-region profile prefix ("us.", "eu.") is the offering's region.
//
// Its anchor is the JSON object of entries. An entry it cannot read (not
// an object, a chat model's price that is not a non-negative number) is
// left out with a warning. It fails when the file is not a JSON object of
// entries, when no entry of a mapped provider is priced (the map's shape
// changed), or when most entries are unreadable.
func ParseLiteLLM(r Response, providers map[string]string) (LiteLLMResult, error) {
	res := LiteLLMResult{Skipped: map[string]int{}}
	var tally rowTally
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var doc map[string]json.RawMessage
	if err := dec.Decode(&doc); err != nil {
		return res, fmt.Errorf("parse litellm price map: %w", err)
	}
	if len(doc) == 0 {
		return res, fmt.Errorf("parse litellm price map: no entries: %w", ErrMarkup)
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if key == "sample_spec" {
			continue // the documented schema, not a model
		}
		res.Entries++
		raw := bytes.TrimSpace(doc[key])
		var e litellmEntry
		if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &e) != nil {
			tally.skip("%s: not an object: left out", clip.String(key))
			continue
		}
		provider, mode := jsonString(e.Provider), jsonString(e.Mode)
		if !litellmModes[mode] {
			tally.ok()
			if mode == "" {
				mode = "none"
			}
			res.Skipped["mode "+mode]++
			continue
		}
		prices := map[catalog.Field]string{}
		bad := ""
		for _, p := range litellmPrices {
			raw := p.get(&e)
			if raw == nil || string(raw) == "null" {
				continue
			}
			v, err := jsonNumberText(raw)
			if err != nil {
				bad = fmt.Sprintf("%s: %s: %v: left out", clip.String(key), p.key, err)
				break
			}
			prices[p.field] = v
		}
		if bad != "" {
			tally.skip("%s", bad)
			continue
		}
		tally.ok()
		if prices[catalog.FieldPriceInput] == "" && prices[catalog.FieldPriceOutput] == "" {
			res.Skipped["unpriced"]++
			continue
		}
		to, ok := providers[provider]
		if !ok {
			if provider == "" {
				provider = "(none)"
			}
			res.Skipped["provider "+provider]++
			continue
		}
		subject, region, skip := litellmSubject(key, provider)
		if skip != "" {
			res.Skipped[skip]++
			continue
		}
		res.Read++
		offer := func(f catalog.Field, v string, u catalog.Unit) catalog.Observation {
			return catalog.Observation{Source: "litellm", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityCrossCheck,
				Subject: subject, Provider: to, Region: region, Field: f, Value: v, Unit: u, Note: "litellm key " + key}
		}
		res.Observations = append(res.Observations, offer(catalog.FieldListed, subject, ""))
		for _, p := range litellmPrices {
			if v, ok := prices[p.field]; ok {
				res.Observations = append(res.Observations, offer(p.field, v, catalog.PerToken))
			}
		}
		if raw := e.MaxOutput; raw != nil && string(raw) != "null" {
			if v, err := jsonNumberText(raw); err == nil && v != "0" && v != "0.0" {
				res.Observations = append(res.Observations, offer(catalog.FieldOfferingMaxOutput, v, ""))
			}
		}
	}
	res.Unreadable, res.Warnings = tally.bad, tally.Warnings()
	if err := tally.unreadable("entries"); err != nil {
		return res, fmt.Errorf("parse litellm price map: %w", err)
	}
	if res.Read == 0 {
		return res, fmt.Errorf("parse litellm price map: no priced chat entry of a mapped provider among %d entries: %w", res.Entries, ErrMarkup)
	}
	return res, nil
}

// litellmSubject takes the provider's own model id and the region out of a
// price-map key. skip says why an entry is not an offering's price:
// "provisioned throughput" for Bedrock commitments
// ("bedrock/us-east-1/1-month-commitment/...") and wildcard regions, "no
// model id" for a key that is only a prefix.
func litellmSubject(key, provider string) (subject, region, skip string) {
	s := key
	if rest, cut := strings.CutPrefix(s, provider+"/"); cut {
		s = rest
	}
	if provider == "bedrock" || provider == "bedrock_converse" {
		s = strings.TrimPrefix(s, "bedrock/")
		parts := strings.Split(s, "/")
		if len(parts) > 1 {
			for _, p := range parts[1 : len(parts)-1] {
				if strings.HasSuffix(p, "-commitment") {
					return "", "", "provisioned throughput"
				}
			}
			if parts[0] == "*" {
				return "", "", "provisioned throughput"
			}
			region, s = parts[0], parts[len(parts)-1]
		}
		for _, pre := range []string{"us.", "eu.", "apac.", "ap.", "ca.", "jp.", "au.", "global.", "us-gov."} {
			if strings.HasPrefix(s, pre) {
				region = strings.TrimSuffix(pre, ".")
				break
			}
		}
	}
	if strings.TrimSpace(s) == "" {
		return "", "", "no model id"
	}
	return s, region, ""
}

// jsonString reads a JSON string, or "" for anything else.
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// jsonNumberText returns a JSON number's literal text; anything else is an
// error. Negative numbers are refused: no price or count is below zero.
func jsonNumberText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if jsonread.NumberLiteral(raw) && raw[0] != '-' {
		return string(raw), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	n, ok := v.(json.Number)
	if !ok {
		return "", fmt.Errorf("want a number, got %s", clip.String(string(raw)))
	}
	if strings.HasPrefix(n.String(), "-") {
		return "", fmt.Errorf("negative number %s", clip.String(n.String()))
	}
	return n.String(), nil
}
