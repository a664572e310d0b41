package scrapers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// hfConfig is what llmref reads of a model's config.json (or of the Hub's
// reduced copy of it in the API record): the architecture, the experts of a
// mixture-of-experts model and the positional limit. Multimodal configs
// keep the language model's values under text_config (Gemma 3, Llama 4),
// language_config or llm_config; those are read when the top level does
// not state them.
type hfConfig struct {
	top    map[string]json.RawMessage
	nested []map[string]json.RawMessage
}

// UnmarshalJSON reads a config object, keeping its keys undecoded.
func (c *hfConfig) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &c.top); err != nil {
		return err
	}
	c.nested = nil
	for _, k := range []string{"text_config", "language_config", "llm_config"} {
		var m map[string]json.RawMessage
		if raw, ok := c.top[k]; ok && json.Unmarshal(raw, &m) == nil && m != nil {
			c.nested = append(c.nested, m)
		}
	}
	return nil
}

// raw returns the first of keys the config states (not null), at the top
// level first, then in a nested language model's config.
func (c *hfConfig) raw(keys ...string) (json.RawMessage, string, bool) {
	for _, m := range append([]map[string]json.RawMessage{c.top}, c.nested...) {
		for _, k := range keys {
			if v, ok := m[k]; ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
				return v, k, true
			}
		}
	}
	return nil, "", false
}

// count reads the first of keys that holds a positive integer (a list, as
// some configs give per-layer values, counts as its largest element).
func (c *hfConfig) count(keys ...string) (int64, string) {
	for _, m := range append([]map[string]json.RawMessage{c.top}, c.nested...) {
		for _, k := range keys {
			if n, ok := jsonCount(m[k]); ok {
				return n, k
			}
		}
	}
	return 0, ""
}

func jsonCount(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0, false
	}
	if raw[0] == '[' {
		var list []json.Number
		if json.Unmarshal(raw, &list) != nil {
			return 0, false
		}
		best := int64(0)
		for _, x := range list {
			if n, err := strconv.ParseInt(x.String(), 10, 64); err == nil && n > best {
				best = n
			}
		}
		return best, best > 0
	}
	var x json.Number
	if json.Unmarshal(raw, &x) != nil {
		return 0, false
	}
	// Some configs write counts as floats ("max_position_embeddings": 4096.0).
	s := strings.TrimSuffix(x.String(), ".0")
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

func (c *hfConfig) str(key string) string {
	raw, _, ok := c.raw(key)
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return clip.String(strings.TrimSpace(s))
}

// class is architectures[0], the class that loads the weights.
func (c *hfConfig) class() string {
	raw, _, ok := c.raw("architectures")
	if !ok {
		return ""
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return ""
	}
	return clip.String(strings.TrimSpace(list[0]))
}

// expertKeys and activeKeys are where configs state a mixture of experts:
// Mixtral's num_local_experts, DeepSeek's and Kimi's n_routed_experts,
// Qwen's and OLMoE's num_experts, ERNIE's moe_num_experts.
var (
	expertKeys = []string{"num_local_experts", "n_routed_experts", "num_experts", "moe_num_experts"}
	activeKeys = []string{"num_experts_per_tok", "moe_k", "moe_topk", "num_activated_experts"}
)

// encoderDecoderTypes are model_types of encoder-decoder transformers.
var encoderDecoderTypes = map[string]bool{"t5": true, "mt5": true, "umt5": true, "bart": true, "mbart": true,
	"pegasus": true, "marian": true, "whisper": true, "longt5": true, "switch_transformers": true, "m2m_100": true}

// architecture states the architecture the config declares, classified
// the way normalisation classifies a card's prose, with the class named:
// "mixture-of-experts transformer (Qwen3MoeForCausalLM; 128 experts, 8
// active)", "decoder-only transformer (LlamaForCausalLM)",
// "encoder-decoder transformer (T5ForConditionalGeneration)". A config that
// is only the Hub's reduced copy (full false) proves a mixture of experts
// when it names its experts, and nothing else: without the expert keys a
// DeepSeek V3 looks like any causal model. note says what it was read from.
func (c *hfConfig) architecture(full bool) (value, note string) {
	cls, mt := c.class(), c.str("model_type")
	if cls == "" && mt == "" {
		return "", ""
	}
	note = "architectures[0] " + orDefault(cls, "-") + ", model_type " + orDefault(mt, "-")
	name := orDefault(cls, mt)
	experts, ek := c.count(expertKeys...)
	active, _ := c.count(activeKeys...)
	var encdec bool
	if raw, _, ok := c.raw("is_encoder_decoder"); ok {
		_ = json.Unmarshal(raw, &encdec)
	}
	low := strings.ToLower(cls + " " + mt)
	switch {
	case experts > 1:
		detail := fmt.Sprintf("%d experts", experts)
		if active > 0 {
			detail += fmt.Sprintf(", %d active", active)
		}
		return "mixture-of-experts transformer (" + name + "; " + detail + ")", note + ", " + ek + " " + strconv.FormatInt(experts, 10)
	case strings.Contains(low, "moe"):
		return "mixture-of-experts transformer (" + name + ")", note
	case !full:
		return "", ""
	case encdec || encoderDecoderTypes[strings.ToLower(mt)]:
		return "encoder-decoder transformer (" + name + ")", note
	case strings.HasSuffix(cls, "ForCausalLM") || strings.HasSuffix(cls, "LMHeadModel") ||
		strings.HasSuffix(cls, "ForConditionalGeneration") && len(c.nested) > 0:
		return "decoder-only transformer (" + name + ")", note
	}
	return name, note
}

// maxContext bounds a positional limit llmref believes: no model reads a
// hundred million positions.
const maxContext = 100_000_000

// context is the positional limit the config declares, with a note naming
// the key and any rope scaling (whose factor some configs have already
// applied to the limit, Llama 3.1's, and others leave to the serving stack,
// Qwen2.5's YaRN).
func (c *hfConfig) context() (n int64, note string, err error) {
	n, key := c.count("max_position_embeddings", "n_positions", "seq_length", "max_sequence_length")
	if key == "" {
		if _, k, ok := c.raw("max_position_embeddings", "n_positions", "seq_length", "max_sequence_length"); ok {
			return 0, "", fmt.Errorf("%s is not a positive count", k)
		}
		return 0, "", nil
	}
	if n > maxContext {
		return 0, "", fmt.Errorf("%s %d is beyond any model's context", key, n)
	}
	note = key + " (a positional limit; the card's stated context wins)"
	if raw, _, ok := c.raw("rope_scaling"); ok {
		var rs map[string]json.RawMessage
		if json.Unmarshal(raw, &rs) == nil && len(rs) > 0 {
			typ := ""
			for _, k := range []string{"rope_type", "type"} {
				if v, ok := rs[k]; ok && json.Unmarshal(v, &typ) == nil && typ != "" {
					break
				}
			}
			factor := ""
			if v, ok := rs["factor"]; ok {
				var f json.Number
				if json.Unmarshal(v, &f) == nil {
					factor = f.String()
				}
			}
			parts := []string{}
			if typ != "" {
				parts = append(parts, clip.String(typ))
			}
			if factor != "" {
				parts = append(parts, "factor "+factor)
			}
			if orig, ok := jsonCount(rs["original_max_position_embeddings"]); ok {
				parts = append(parts, "original "+strconv.FormatInt(orig, 10))
			}
			if len(parts) > 0 {
				note += "; rope scaling " + strings.Join(parts, ", ")
			}
		}
	}
	return n, note, nil
}

// ParseHFConfig reads a repository's config.json into aggregator-authority
// observations of repo: its architecture (see hfConfig.architecture) and
// its positional limit as a context window, the note saying it is one.
// They carry aggregator authority, below the card's prose and a provider's
// reference page: a positional limit may exceed the context a model was
// trained or is served at, or fall short of what rope scaling gives.
//
// Its anchor is a JSON object stating architectures or model_type. A
// positional limit it cannot read is left out with a warning. It fails
// when the body is not a JSON object, or states neither an architecture
// nor a positional limit.
func ParseHFConfig(repo string, r Response) (Parsed, error) {
	var c hfConfig
	if err := json.Unmarshal(r.Body, &c); err != nil {
		return Parsed{}, fmt.Errorf("parse huggingface config %s: %w", repo, err)
	}
	if c.top == nil {
		return Parsed{}, fmt.Errorf("parse huggingface config %s: not a JSON object: %w", repo, ErrMarkup)
	}
	obs := func(f catalog.Field, v, note string) catalog.Observation {
		return catalog.Observation{Source: "huggingface", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityAggregator,
			Subject: repo, Field: f, Value: v, Note: "config.json: " + note}
	}
	var tally rowTally
	var out []catalog.Observation
	if arch, note := c.architecture(true); arch != "" {
		out = append(out, obs(catalog.FieldArchitecture, arch, note))
	}
	n, note, err := c.context()
	switch {
	case err != nil:
		tally.warn("%v: left out", err)
	case n > 0:
		out = append(out, obs(catalog.FieldContext, strconv.FormatInt(n, 10), note))
	}
	if len(out) == 0 {
		return Parsed{}, fmt.Errorf("parse huggingface config %s: no architectures, model_type or positional limit: %w", repo, ErrMarkup)
	}
	return Parsed{Observations: out, Warnings: tally.Warnings()}, nil
}
