package normalize

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/llmref/llmref/catalog"
)

// ErrUnmatched reports a source id that resolves to no model.
var ErrUnmatched = errors.New("resolves to no model")

// Resolved is a source id resolved to a canonical model id and, where the id
// named one, a variant of the offering (":free", ":thinking").
type Resolved struct {
	ID      string
	Variant string
}

// Resolver maps every source's model ids to canonical creator/slug ids by
// rules, plus an alias table an operator extends.
type Resolver struct {
	aliases map[string]string
}

// NewResolver returns a resolver with an operator's alias table: keys are
// source ids (case-insensitive), optionally "source:" prefixed to apply to
// one source only; values are canonical ids.
func NewResolver(aliases map[string]string) (*Resolver, error) {
	r := &Resolver{aliases: map[string]string{}}
	for k, v := range aliases {
		if _, _, err := catalog.SplitID(v); err != nil {
			return nil, fmt.Errorf("alias %q: %w", k, err)
		}
		r.aliases[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return r, nil
}

// namespaceCreators maps source namespaces (organisations on Hugging Face,
// authors on OpenRouter, Bedrock vendor prefixes) to creators.
var namespaceCreators = map[string]string{
	"meta-llama": "meta", "meta": "meta", "facebook": "meta",
	"openai": "openai", "anthropic": "anthropic", "google": "google", "mistralai": "mistral", "mistral": "mistral",
	"deepseek-ai": "deepseek", "deepseek": "deepseek", "qwen": "qwen", "alibaba": "qwen",
	"x-ai": "xai", "xai": "xai", "z-ai": "zhipu", "zai-org": "zhipu", "thudm": "zhipu",
	"moonshotai": "moonshotai", "nvidia": "nvidia", "microsoft": "microsoft", "amazon": "amazon",
	"cohere": "cohere", "ai21": "ai21", "ibm-granite": "ibm", "ibm": "ibm",
}

// familyCreators guesses a creator from a bare slug's family.
var familyCreators = []struct{ prefix, creator string }{
	{"llama", "meta"}, {"gpt-", "openai"}, {"o1", "openai"}, {"o3", "openai"}, {"o4", "openai"},
	{"claude", "anthropic"}, {"gemini", "google"}, {"gemma", "google"}, {"mistral", "mistral"},
	{"mixtral", "mistral"}, {"codestral", "mistral"}, {"qwen", "qwen"}, {"deepseek", "deepseek"},
	{"kimi", "moonshotai"}, {"glm", "zhipu"}, {"grok", "xai"}, {"nemotron", "nvidia"}, {"phi-", "microsoft"},
}

// variants are the OpenRouter-style suffixes that name a variant of an
// offering, not another model.
var variants = map[string]bool{"free": true, "thinking": true, "extended": true, "beta": true, "nitro": true, "floor": true, "online": true, "exacto": true}

var (
	versionPNotation = regexp.MustCompile(`v(\d+)p(\d+)`)                // llama-v3p2 → llama-3.2
	llamaDashVersion = regexp.MustCompile(`^llama(\d+)-(\d+)(-|$)`)      // llama3-2-1b → llama-3.2-1b
	llamaGlued       = regexp.MustCompile(`^llama(\d)(?:\.(\d+))?(-|$)`) // llama3.2-1b → llama-3.2-1b
	bedrockVersion   = regexp.MustCompile(`-v\d+(?::\d+)?$`)             // -v1:0
	regionPrefix     = regexp.MustCompile(`^(?:us|eu|apac|ap|ca|sa|global|us-gov)\.`)
)

// Resolve maps a source's model id to a canonical id. Routers and "latest"
// aliases, and ids whose creator cannot be told, resolve to nothing
// (ErrUnmatched, with the reason).
func (r *Resolver) Resolve(source, id string) (Resolved, error) {
	raw := strings.TrimSpace(id)
	low := strings.ToLower(raw)
	if low == "" {
		return Resolved{}, fmt.Errorf("empty id: %w", ErrUnmatched)
	}
	if v, ok := r.aliases[source+":"+low]; ok {
		return Resolved{ID: v}, nil
	}
	if v, ok := r.aliases[low]; ok {
		return Resolved{ID: v}, nil
	}
	variant := ""
	if base, v, ok := strings.Cut(low, ":"); ok && variants[v] {
		low, variant = base, v
	}
	if v, ok := r.aliases[low]; ok {
		return Resolved{ID: v, Variant: variant}, nil
	}
	if strings.HasPrefix(low, "~") {
		return Resolved{}, fmt.Errorf("%s is a \"latest\" alias that moves between models: %w", raw, ErrUnmatched)
	}
	creator, slug := "", low
	// Provider prefixes.
	slug = strings.TrimPrefix(slug, "accounts/fireworks/models/")
	slug = strings.TrimPrefix(slug, "@cf/")
	slug = strings.TrimPrefix(slug, "@hf/")
	slug = strings.TrimPrefix(slug, "models/")
	if ns, rest, ok := strings.Cut(slug, "/"); ok {
		if ns == "openrouter" {
			return Resolved{}, fmt.Errorf("%s is an OpenRouter router, not a model: %w", raw, ErrUnmatched)
		}
		creator, slug = ns, rest
	} else {
		// Bedrock: [region.]vendor.model-vN:M
		s := regionPrefix.ReplaceAllString(slug, "")
		if vendor, rest, ok := strings.Cut(s, "."); ok && namespaceCreators[vendor] != "" && !strings.ContainsAny(vendor, "0123456789") {
			creator, slug = vendor, bedrockVersion.ReplaceAllString(rest, "")
		}
	}
	if strings.Contains(slug, "/") {
		return Resolved{}, fmt.Errorf("%s: more than one namespace: %w", raw, ErrUnmatched)
	}
	if c, ok := namespaceCreators[creator]; ok {
		creator = c
	}
	slug = normalizeSlug(slug, creator)
	if creator == "" {
		for _, f := range familyCreators {
			if strings.HasPrefix(slug, f.prefix) {
				creator = f.creator
				break
			}
		}
	}
	if creator == "" {
		return Resolved{}, fmt.Errorf("%s: no creator can be told from the id: %w", raw, ErrUnmatched)
	}
	canonical := creator + "/" + slug
	if _, _, err := catalog.SplitID(canonical); err != nil {
		return Resolved{}, fmt.Errorf("%s: %v: %w", raw, err, ErrUnmatched)
	}
	if v, ok := r.aliases[canonical]; ok {
		canonical = v
	}
	return Resolved{ID: canonical, Variant: variant}, nil
}

// normalizeSlug writes a model slug the one canonical way: lower case,
// hyphens, dotted versions ("v3p2" and "llama3-2" → "3.2").
func normalizeSlug(slug, creator string) string {
	s := strings.ToLower(slug)
	s = strings.ReplaceAll(s, "_", "-")
	s = strings.ReplaceAll(s, " ", "-")
	s = versionPNotation.ReplaceAllString(s, "$1.$2")
	s = strings.ReplaceAll(s, "llama-v", "llama-")
	if creator == "meta" || creator == "meta-llama" || creator == "" {
		s = strings.TrimPrefix(s, "meta-")
		s = llamaDashVersion.ReplaceAllString(s, "llama-$1.$2$3")
		if m := llamaGlued.FindStringSubmatch(s); m != nil {
			v := m[1]
			if m[2] != "" {
				v += "." + m[2]
			}
			s = "llama-" + v + m[3] + s[len(m[0]):]
		}
	}
	return s
}

// CleanName removes an aggregator's "Creator: " prefix from a display name:
// "Meta: Llama 3.2 1B Instruct" → "Llama 3.2 1B Instruct".
func CleanName(name string) string {
	n := strings.TrimSpace(name)
	if pre, rest, ok := strings.Cut(n, ": "); ok && len(pre) <= 30 && !strings.Contains(rest, ": ") && rest != "" {
		return strings.TrimSpace(rest)
	}
	return n
}
