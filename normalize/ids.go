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

// Resolved is a source id resolved to a canonical model id, with what else
// the id said about the offering: a variant (":free", ":thinking", a
// Bedrock context variant ":128k") and a region (a Bedrock cross-region
// inference profile "us." / "eu." / "apac.").
type Resolved struct {
	ID      string
	Variant string
	Region  string
}

// Resolver maps every source's model ids to canonical creator/slug ids by
// rules, plus an alias table an operator extends. The zero Resolver has no
// aliases.
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
// authors on OpenRouter, Bedrock vendor prefixes, LiteLLM provider names
// that are creators) to creators. A namespace not listed is its own
// creator ("inclusionai/ring-2.6-1t" → creator "inclusionai").
var namespaceCreators = map[string]string{
	"meta-llama": "meta", "meta": "meta", "facebook": "meta",
	"openai": "openai", "anthropic": "anthropic", "google": "google", "mistralai": "mistral", "mistral": "mistral",
	"deepseek-ai": "deepseek", "deepseek": "deepseek", "qwen": "qwen", "alibaba": "qwen",
	"x-ai": "xai", "xai": "xai", "z-ai": "zhipu", "zai-org": "zhipu", "zai": "zhipu", "thudm": "zhipu",
	"moonshotai": "moonshotai", "moonshot": "moonshotai", "nvidia": "nvidia", "microsoft": "microsoft", "amazon": "amazon",
	"cohere": "cohere", "ai21": "ai21", "ibm-granite": "ibm", "ibm": "ibm",
}

// hostPrefixes are the first path segments by which gateways and price maps
// name the host of a model rather than its creator: LiteLLM's provider
// prefixes ("fireworks_ai/…", "bedrock/…", "vercel_ai_gateway/meta/…"),
// models.dev's gateway paths ("workers-ai/@cf/…", "aws-bedrock/…"). They are
// stripped; what follows names the model. None of them is an OpenRouter
// author (the real-data test checks that no OpenRouter id loses its author).
var hostPrefixes = map[string]bool{
	"fireworks_ai": true, "fireworks-ai": true, "bedrock": true, "bedrock_converse": true, "aws-bedrock": true,
	"amazon-bedrock": true, "azure": true, "azure_ai": true, "vertex_ai": true, "vertex_ai_beta": true,
	"vercel_ai_gateway": true, "vercel": true, "novita": true, "gemini": true, "deepinfra": true, "replicate": true,
	"together_ai": true, "togetherai": true, "dashscope": true, "github_copilot": true, "nebius": true,
	"ollama": true, "ollama_chat": true, "watsonx": true, "databricks": true, "snowflake": true, "lambda_ai": true,
	"gmi": true, "hyperbolic": true, "nscale": true, "sambanova": true, "llamagate": true, "ovhcloud": true,
	"groq": true, "wandb": true, "gradient_ai": true, "oci": true, "aiml": true, "anyscale": true, "publicai": true,
	"cerebras": true, "sagemaker": true, "lemonade": true, "cloudflare": true, "workers-ai": true, "heroku": true,
	"nvidia_nim": true, "featherless_ai": true, "friendliai": true, "meta_llama": true, "chatgpt": true,
	"text-completion-openai": true, "text-completion-codestral": true, "kilo": true, "chutes": true,
	"inference": true, "requesty": true, "puter": true, "cline": true, "gatewayz": true, "aigateway": true,
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
	ctxVariant       = regexp.MustCompile(`^\d+k$`)                      // Bedrock ":128k" context variants
	accountPrefix    = regexp.MustCompile(`^accounts/[^/]+/models/`)     // Fireworks accounts/<account>/models/
	pNotation        = regexp.MustCompile(`(\d)p(\d)`)                   // v3p2 → v3.2, qwen2p5 → qwen2.5
	llamaDashVersion = regexp.MustCompile(`^llama(\d+)-(\d)(-|$)`)       // llama3-2-1b → llama-3.2-1b
	llamaDashDash    = regexp.MustCompile(`^llama-(\d)-(\d{1,2})-`)      // llama-3-2-1b → llama-3.2-1b (never llama-3-8b)
	llamaGlued       = regexp.MustCompile(`^llama(\d)(?:\.(\d+))?(-|$)`) // llama3.2-1b → llama-3.2-1b
	bedrockVersion   = regexp.MustCompile(`-v\d+:\d+$`)                  // -v1:0
	regionPrefix     = regexp.MustCompile(`^(us-gov|us|eu|apac|ap|ca|sa|jp|au|global)\.`)
	awsRegion        = regexp.MustCompile(`^(?:us|eu|ap|sa|ca|me|af|il|mx)(?:-gov)?-[a-z]+-\d+$`) // us-west-2
	commitment       = regexp.MustCompile(`^\d+-months?-commitment$`)                             // provisioned throughput
)

// Resolve maps a source's model id to a canonical id. Routers and "latest"
// aliases, and ids whose creator cannot be told, resolve to nothing
// (ErrUnmatched, with the reason).
//
// The rules, in order: the operator's aliases (source-specific first); a
// variant suffix (":free", ":thinking", ":128k") is split off; host
// prefixes are stripped ("accounts/fireworks/models/", "@cf/", "@hf/",
// "models/", LiteLLM provider prefixes, models.dev gateway paths); a
// namespace names the creator ("meta-llama/…" → meta); a Bedrock id
// "[region.]vendor.model-vN:M" gives its vendor as creator and its region
// prefix as the offering's region; a bare slug's family guesses its creator
// ("llama…" → meta, "gpt-…" → openai). The slug is then written the one
// canonical way (see normalizeSlug).
func (r *Resolver) Resolve(source, id string) (Resolved, error) {
	raw := strings.TrimSpace(id)
	low := strings.ToLower(raw)
	if low == "" {
		return Resolved{}, fmt.Errorf("empty id: %w", ErrUnmatched)
	}
	if v, ok := r.alias(source, low); ok {
		return Resolved{ID: v}, nil
	}
	low, variant := splitVariant(low)
	if v, ok := r.alias(source, low); ok {
		return Resolved{ID: v, Variant: variant}, nil
	}
	if strings.HasPrefix(low, "~") {
		return Resolved{}, fmt.Errorf("%s is a \"latest\" alias that moves between models: %w", raw, ErrUnmatched)
	}
	slug := stripHosts(low)
	if slug == "" {
		return Resolved{}, fmt.Errorf("%s: nothing after the host prefix: %w", raw, ErrUnmatched)
	}
	slug, region, variant := pathSegments(slug, variant)
	creator, slug, region, err := splitCreator(raw, slug, region)
	if err != nil {
		return Resolved{}, err
	}
	slug = normalizeSlug(slug, creator)
	if creator == "" {
		creator = familyCreator(slug)
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
	return Resolved{ID: canonical, Variant: variant, Region: region}, nil
}

// splitVariant splits a variant suffix (":free", ":thinking", Bedrock's
// ":128k") off a lower-case id.
func splitVariant(low string) (id, variant string) {
	if i := strings.LastIndexByte(low, ':'); i >= 0 {
		if v := low[i+1:]; variants[v] || ctxVariant.MatchString(v) {
			return low[:i], v
		}
	}
	return low, ""
}

// pathSegments strips the segments LiteLLM's Bedrock keys put before the
// model, naming a region, a commitment or an API:
// "bedrock/us-west-2/1-month-commitment/cohere.command-text-v14". A
// commitment is the variant unless the id named one already.
func pathSegments(slug, variant string) (rest, region, v string) {
	for {
		ns, after, ok := strings.Cut(slug, "/")
		if !ok || after == "" {
			return slug, region, variant
		}
		switch {
		case awsRegion.MatchString(ns):
			region = ns
		case commitment.MatchString(ns):
			if variant == "" {
				variant = ns
			}
		case ns == "*" || ns == "invoke" || ns == "converse":
		default:
			return slug, region, variant
		}
		slug = after
	}
}

// splitCreator takes the creator off a slug: a namespace ("meta-llama/…"),
// or a Bedrock id's vendor ("[region.]vendor.model-vN:M", whose region
// prefix is the offering's region unless one was named already), mapped
// to the creator it names. The creator is "" when the slug names none.
// raw is the id as given, for the errors: an OpenRouter router, or more
// than one namespace.
func splitCreator(raw, slug, region string) (creator, rest, reg string, err error) {
	if ns, after, ok := strings.Cut(slug, "/"); ok {
		if ns == "openrouter" {
			return "", "", "", fmt.Errorf("%s is an OpenRouter router, not a model: %w", raw, ErrUnmatched)
		}
		creator, slug = ns, after
	} else if m := regionPrefix.FindStringSubmatch(slug); m != nil || strings.Contains(slug, ".") {
		s := slug
		if m != nil {
			s = slug[len(m[0]):]
		}
		if vendor, after, ok := strings.Cut(s, "."); ok && namespaceCreators[vendor] != "" && after != "" {
			creator, slug = vendor, bedrockVersion.ReplaceAllString(after, "")
			if m != nil && region == "" {
				region = m[1]
			}
		}
	}
	if strings.Contains(slug, "/") {
		return "", "", "", fmt.Errorf("%s: more than one namespace: %w", raw, ErrUnmatched)
	}
	if c, ok := namespaceCreators[creator]; ok {
		creator = c
	}
	return creator, slug, region, nil
}

// familyCreator guesses the creator of a bare slug from its family, or "".
func familyCreator(slug string) string {
	for _, f := range familyCreators {
		if strings.HasPrefix(slug, f.prefix) {
			return f.creator
		}
	}
	return ""
}

// alias looks an id up in the alias table: source-specific first.
func (r *Resolver) alias(source, low string) (string, bool) {
	if v, ok := r.aliases[strings.ToLower(source)+":"+low]; ok {
		return v, true
	}
	v, ok := r.aliases[low]
	return v, ok
}

// stripHosts removes the prefixes that name where a model is hosted, not
// who made it, until none is left.
func stripHosts(s string) string {
	for {
		before := s
		s = accountPrefix.ReplaceAllString(s, "")
		for _, p := range []string{"@cf/", "@hf/", "models/"} {
			s = strings.TrimPrefix(s, p)
		}
		if ns, rest, ok := strings.Cut(s, "/"); ok && rest != "" {
			// "openrouter/auto" is a router; "openrouter/meta-llama/x"
			// (LiteLLM) is a model hosted at OpenRouter.
			if hostPrefixes[ns] || ns == "openrouter" && strings.Contains(rest, "/") {
				s = rest
			}
		}
		if s == before {
			return s
		}
	}
}

// normalizeSlug writes a model slug the one canonical way: lower case,
// hyphens for underscores and spaces, dotted versions ("v3p2" → "v3.2",
// "qwen2p5" → "qwen2.5"), and for Meta's Llama family one spelling of the
// version: "llama-v3p2", "llama3-2", "llama-3-2", "llama3.2",
// "Meta-Llama-3.2" and "meta-llama-llama-3.2" are all "llama-3.2".
//
// The rules are applied until none changes the slug, so that a canonical id
// resolves to itself: one rule's output can be another's input ("llama0-00"
// → "llama-0-00" → "llama-0.00"), and "1p1p1" needs two passes. Every pass
// that changes the slug either shortens it or turns a "-" or "p" between
// digits into a ".", so the loop ends; the bound only documents that.
func normalizeSlug(slug, creator string) string {
	s := strings.ToLower(slug)
	s = strings.ReplaceAll(s, "_", "-")
	s = strings.ReplaceAll(s, " ", "-")
	for range len(s) + 1 {
		next := slugPass(s, creator)
		if next == s {
			break
		}
		s = next
	}
	return s
}

// slugPass is one pass of normalizeSlug's rewriting rules.
func slugPass(s, creator string) string {
	s = pNotation.ReplaceAllString(s, "$1.$2")
	if creator == "meta" || creator == "" {
		if strings.HasPrefix(s, "meta-llama-llama") {
			s = strings.TrimPrefix(s, "meta-llama-")
		}
		if strings.HasPrefix(s, "meta-llama") {
			s = strings.TrimPrefix(s, "meta-")
		}
		if strings.HasPrefix(s, "llama-v") && len(s) > 7 && s[7] >= '0' && s[7] <= '9' {
			s = "llama-" + s[7:]
		}
		s = llamaDashVersion.ReplaceAllString(s, "llama-$1.$2$3")
		s = llamaDashDash.ReplaceAllString(s, "llama-$1.$2-")
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

// CleanName removes an aggregator's "Creator: " prefix from a display name
// and a variant's bracketed suffix: "Meta: Llama 3.2 1B Instruct" and
// "Meta: Llama 3.2 1B Instruct (free)" are "Llama 3.2 1B Instruct".
func CleanName(name string) string {
	n := strings.TrimSpace(name)
	if pre, rest, ok := strings.Cut(n, ": "); ok && len(pre) <= 30 && !strings.Contains(rest, ": ") && rest != "" {
		n = strings.TrimSpace(rest)
	}
	if i := strings.LastIndex(n, " ("); i > 0 && strings.HasSuffix(n, ")") {
		if variants[strings.ToLower(n[i+2:len(n)-1])] {
			n = strings.TrimSpace(n[:i])
		}
	}
	return strings.Join(strings.Fields(n), " ")
}
