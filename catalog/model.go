package catalog

import (
	"fmt"
	"sort"
	"strings"
)

// Capability is something a model can do, as sources state it.
type Capability string

// Capabilities llmref tracks. Every model carries every one of them, each
// three-state: yes, no, or not yet sourced.
const (
	CapVision            Capability = "vision"
	CapMultimodal        Capability = "multimodal"
	CapReasoning         Capability = "reasoning"
	CapFunctionCalling   Capability = "function_calling"
	CapToolUse           Capability = "tool_use"
	CapStructuredOutputs Capability = "structured_outputs"
	CapCodeExecution     Capability = "code_execution"
	CapPromptCaching     Capability = "prompt_caching"
)

// Capabilities lists the tracked capabilities in display order.
var Capabilities = []Capability{
	CapVision, CapMultimodal, CapReasoning, CapFunctionCalling,
	CapToolUse, CapStructuredOutputs, CapCodeExecution, CapPromptCaching,
}

// Label is the human name: "function calling".
func (c Capability) Label() string { return strings.ReplaceAll(string(c), "_", " ") }

// Tri is a three-state answer.
type Tri string

// Tri values.
const (
	Yes     Tri = "yes"
	No      Tri = "no"
	Unknown Tri = "not_yet_sourced"
)

// TriOf reads a capability fact as three-state.
func TriOf(f Fact[bool]) Tri {
	switch {
	case !f.Sourced():
		return Unknown
	case f.Value:
		return Yes
	}
	return No
}

// Model is one model under its canonical id, with every sourced fact about it.
type Model struct {
	// ID is the canonical id, creator/slug: "meta/llama-3.2-1b-instruct".
	ID string `json:"id"`
	// Creator is the creator part of the id: "meta".
	Creator string       `json:"creator"`
	Name    Fact[string] `json:"name"`
	// Aliases are the ids sources use for the model.
	Aliases         []Alias                   `json:"aliases"`
	Released        Fact[Date]                `json:"released"`
	ContextWindow   Fact[Tokens]              `json:"context_window"`
	MaxOutput       Fact[Tokens]              `json:"max_output"`
	Parameters      Fact[Count]               `json:"parameters"`
	Architecture    Fact[string]              `json:"architecture"`
	Licence         Fact[Licence]             `json:"licence"`
	KnowledgeCutoff Fact[Date]                `json:"knowledge_cutoff"`
	InputModalities Fact[[]string]            `json:"input_modalities"`
	OutputModality  Fact[[]string]            `json:"output_modalities"`
	Capabilities    map[Capability]Fact[bool] `json:"capabilities"`
	// Benchmarks are the model's sourced benchmark results, one per
	// benchmark, metric and settings, in the order of their keys; absent
	// when none is sourced.
	Benchmarks []Fact[BenchmarkResult] `json:"benchmarks,omitempty"`
}

// Alias is an id a source uses for a model.
type Alias struct {
	Source string `json:"source"`
	ID     string `json:"id"`
}

// DisplayName is the sourced name, or the id.
func (m *Model) DisplayName() string {
	if m.Name.Sourced() && m.Name.Value != "" {
		return m.Name.Value
	}
	return m.ID
}

// SplitID splits a canonical id into creator and slug.
func SplitID(id string) (creator, slug string, err error) {
	creator, slug, ok := strings.Cut(id, "/")
	if !ok || creator == "" || slug == "" || strings.Contains(slug, "/") {
		return "", "", fmt.Errorf("model id %q: want creator/slug", id)
	}
	if err := checkIDPart(creator); err != nil {
		return "", "", fmt.Errorf("model id %q: %w", id, err)
	}
	if strings.Contains(creator, "--") {
		// A file stem is creator--slug: the creator may not hold the
		// separator, or two ids could share a file.
		return "", "", fmt.Errorf("model id %q: the creator may not contain \"--\"", id)
	}
	if err := checkIDPart(slug); err != nil {
		return "", "", fmt.Errorf("model id %q: %w", id, err)
	}
	return creator, slug, nil
}

func checkIDPart(s string) error {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return fmt.Errorf("character %q not allowed (lower-case letters, digits, - . _)", r)
		}
	}
	if s == "." || s == ".." || strings.HasPrefix(s, ".") {
		return fmt.Errorf("part %q may not start with a dot", s)
	}
	return nil
}

// FileStem is the id as a file name: "meta--llama-3.2-1b-instruct".
func FileStem(id string) string { return strings.Replace(id, "/", "--", 1) }

// Provider is somewhere a model can be run.
type Provider struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Providers is the registry of providers llmref knows by name. Offerings at
// other providers keep their id as their name.
var Providers = map[string]Provider{
	"openai":      {ID: "openai", Name: "OpenAI", URL: "https://openai.com/api/pricing/"},
	"openrouter":  {ID: "openrouter", Name: "OpenRouter", URL: "https://openrouter.ai"},
	"fireworks":   {ID: "fireworks", Name: "Fireworks AI", URL: "https://fireworks.ai/pricing"},
	"nvidia-nim":  {ID: "nvidia-nim", Name: "NVIDIA NIM", URL: "https://build.nvidia.com"},
	"bedrock":     {ID: "bedrock", Name: "AWS Bedrock", URL: "https://aws.amazon.com/bedrock/pricing/"},
	"bitdeer":     {ID: "bitdeer", Name: "Bitdeer AI", URL: "https://www.bitdeer.ai"},
	"azure":       {ID: "azure", Name: "Azure OpenAI", URL: "https://azure.microsoft.com/pricing/details/cognitive-services/openai-service/"},
	"huggingface": {ID: "huggingface", Name: "Hugging Face", URL: "https://huggingface.co"},
}

// ProviderOf returns the registered provider, or one named after its id.
func ProviderOf(id string) Provider {
	if p, ok := Providers[id]; ok {
		return p
	}
	return Provider{ID: id, Name: id}
}

// Offering is one model at one provider.
type Offering struct {
	ModelID  string `json:"model"`
	Provider string `json:"provider"`
	// ProviderModelID is the provider's own id for the model.
	ProviderModelID string `json:"provider_model_id"`
	// Region is set where the price depends on it ("us-east-1", "eu").
	Region string `json:"region,omitempty"`
	// Variant names a variant of the same model at the provider (":free").
	Variant     string       `json:"variant,omitempty"`
	Input       Fact[Price]  `json:"input"`
	Output      Fact[Price]  `json:"output"`
	CachedInput Fact[Price]  `json:"cached_input"`
	CacheWrite  Fact[Price]  `json:"cache_write"`
	BatchInput  Fact[Price]  `json:"batch_input"`
	BatchOutput Fact[Price]  `json:"batch_output"`
	Context     Fact[Tokens] `json:"context"`
	MaxOutput   Fact[Tokens] `json:"max_output"`
	// Tiers are the offering's prices for longer prompts (context-length
	// tiers, lowest threshold first); see PriceTier. Empty for most.
	Tiers []PriceTier `json:"tiers,omitempty"`
}

// OfferingKey identifies an offering: model, provider, region and variant.
func OfferingKey(model, provider, region, variant string) string {
	return model + "|" + provider + "|" + region + "|" + variant
}

// Key identifies the offering.
func (o *Offering) Key() string { return OfferingKey(o.ModelID, o.Provider, o.Region, o.Variant) }

// Unmatched is a source id that resolved to no model. It is reported, never
// dropped silently.
type Unmatched struct {
	Source   string `json:"source"`
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Provider string `json:"provider,omitempty"`
	Reason   string `json:"reason"`
	URL      string `json:"url"`
	// Resolves is the canonical id the source id resolved to, when it
	// resolved to a model that no creator or aggregator source defines.
	Resolves string `json:"resolves,omitempty"`
}

// Snapshot is the whole normalised catalogue at one moment.
type Snapshot struct {
	Models    map[string]*Model    `json:"models"`
	Offerings map[string]*Offering `json:"offerings"`
	Unmatched []Unmatched          `json:"unmatched"`
}

// NewSnapshot returns an empty snapshot.
func NewSnapshot() *Snapshot {
	return &Snapshot{Models: map[string]*Model{}, Offerings: map[string]*Offering{}}
}

// ModelIDs returns the model ids in order.
func (s *Snapshot) ModelIDs() []string { return sortedKeys(s.Models) }

// OfferingKeys returns the offering keys in order.
func (s *Snapshot) OfferingKeys() []string { return sortedKeys(s.Offerings) }

// OfferingsOf returns a model's offerings ordered by key.
func (s *Snapshot) OfferingsOf(model string) []*Offering {
	var out []*Offering
	for _, k := range s.OfferingKeys() {
		if o := s.Offerings[k]; o.ModelID == model {
			out = append(out, o)
		}
	}
	return out
}

// OfferingsByModel groups the offerings by model in one pass: each
// model's offerings ordered by key, as OfferingsOf gives them; a model
// without offerings has no entry. For callers that visit every model,
// where calling OfferingsOf per model sorts every key each time.
func (s *Snapshot) OfferingsByModel() map[string][]*Offering {
	out := map[string][]*Offering{}
	for _, k := range s.OfferingKeys() {
		o := s.Offerings[k]
		out[o.ModelID] = append(out[o.ModelID], o)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
