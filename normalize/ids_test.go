package normalize

import (
	"errors"
	"strings"
	"testing"
)

// resolveCases are source ids in the shapes sources give them, and what
// each resolves to (TestResolve; the aliases are resolveAliases).
var resolveCases = []struct {
	name, source, id, want, variant, region string
}{
	// Llama 3.2 1B Instruct in the shape of every source.
	{"openrouter", "openrouter", "meta-llama/llama-3.2-1b-instruct", llamaID, "", ""},
	{"openrouter free variant", "openrouter", "meta-llama/llama-3.2-1b-instruct:free", llamaID, "free", ""},
	{"huggingface repo", "huggingface", "meta-llama/Llama-3.2-1B-Instruct", llamaID, "", ""},
	{"fireworks", "fireworks", "accounts/fireworks/models/llama-v3p2-1b-instruct", llamaID, "", ""},
	{"bedrock", "bedrock", "meta.llama3-2-1b-instruct-v1:0", llamaID, "", ""},
	{"bedrock us profile", "bedrock", "us.meta.llama3-2-1b-instruct-v1:0", llamaID, "", "us"},
	{"bedrock eu profile", "bedrock", "eu.meta.llama3-2-1b-instruct-v1:0", llamaID, "", "eu"},
	{"bedrock apac profile", "bedrock", "apac.meta.llama3-2-1b-instruct-v1:0", llamaID, "", "apac"},
	{"bedrock context variant", "models.dev", "meta.llama3-2-1b-instruct-v1:0:128k", llamaID, "128k", ""},
	{"workers ai", "cloudflare", "@cf/meta/llama-3.2-1b-instruct", llamaID, "", ""},
	{"nim org/model", "nvidia-nim", "meta/llama-3.2-1b-instruct", llamaID, "", ""},
	{"litellm fireworks key", "litellm", "fireworks_ai/accounts/fireworks/models/llama-v3p2-1b-instruct", llamaID, "", ""},
	{"litellm bedrock eu key", "litellm", "eu.meta.llama3-2-1b-instruct-v1:0", llamaID, "", "eu"},
	{"litellm sambanova key", "litellm", "sambanova/Meta-Llama-3.2-1B-Instruct", llamaID, "", ""},
	{"litellm watsonx key", "litellm", "watsonx/meta-llama/llama-3-2-1b-instruct", llamaID, "", ""},
	{"litellm openrouter key", "litellm", "openrouter/meta-llama/llama-3.2-1b-instruct", llamaID, "", ""},
	{"litellm bedrock_converse key", "litellm", "bedrock_converse/us.meta.llama3-2-1b-instruct-v1:0", llamaID, "", "us"},
	{"models.dev gateway workers-ai", "models.dev", "workers-ai/@cf/meta/llama-3.2-1b-instruct", llamaID, "", ""},
	{"models.dev gateway bare", "models.dev", "workers-ai/llama-3.2-1b-instruct", llamaID, "", ""},
	{"models.dev gateway aws-bedrock", "models.dev", "aws-bedrock/meta.llama3-2-1b-instruct-v1:0", llamaID, "", ""},
	{"models.dev gateway openrouter free", "models.dev", "openrouter/meta-llama/llama-3.2-1b-instruct:free", llamaID, "free", ""},
	{"litellm bedrock region path", "litellm", "bedrock/eu-central-1/meta.llama3-2-1b-instruct-v1:0", llamaID, "", "eu-central-1"},
	{"litellm bedrock region path with profile", "litellm", "bedrock/us-east-1/us.meta.llama3-2-1b-instruct-v1:0", llamaID, "", "us-east-1"},
	{"litellm bedrock commitment", "litellm", "bedrock/*/1-month-commitment/cohere.command-text-v14", "cohere/command-text-v14", "1-month-commitment", ""},
	{"litellm bedrock gov region", "litellm", "bedrock/us-gov-west-1/meta.llama3-8b-instruct-v1:0", "meta/llama-3-8b-instruct", "", "us-gov-west-1"},
	{"models.dev edgee", "models.dev", "llama3-2-1b-instruct", llamaID, "", ""},
	{"models.dev gatewayz", "models.dev", "meta-llama-llama-3.2-1b-instruct", llamaID, "", ""},
	{"alias for one source", "bitdeer", "llama-3.2-1b", llamaID, "", ""},
	{"alias for a litellm key", "litellm", "vercel_ai_gateway/meta/llama-3.2-1b", llamaID, "", ""},

	// Other forms and families.
	{"openai docs id", "openai", "gpt-5.3-codex", "openai/gpt-5.3-codex", "", ""},
	{"openrouter openai", "openrouter", "openai/gpt-5.3-codex", "openai/gpt-5.3-codex", "", ""},
	{"litellm azure", "litellm", "azure/gpt-5.3-codex", "openai/gpt-5.3-codex", "", ""},
	{"thinking variant", "openrouter", "qwen/qwen-plus-2025-07-28:thinking", "qwen/qwen-plus-2025-07-28", "thinking", ""},
	{"meta-llama hf name", "huggingface", "meta-llama/Meta-Llama-3-8B-Instruct", "meta/llama-3-8b-instruct", "", ""},
	{"openrouter llama 3 8b", "openrouter", "meta-llama/llama-3-8b-instruct", "meta/llama-3-8b-instruct", "", ""},
	{"bedrock llama 3 8b", "bedrock", "meta.llama3-8b-instruct-v1:0", "meta/llama-3-8b-instruct", "", ""},
	{"bedrock llama 3 70b", "bedrock", "meta.llama3-70b-instruct-v1:0", "meta/llama-3-70b-instruct", "", ""},
	{"bedrock llama 3.1 405b", "bedrock", "meta.llama3-1-405b-instruct-v1:0", "meta/llama-3.1-405b-instruct", "", ""},
	{"fireworks llama 3.1 8b", "fireworks", "accounts/fireworks/models/llama-v3p1-8b-instruct", "meta/llama-3.1-8b-instruct", "", ""},
	{"fireworks p notation elsewhere", "fireworks", "accounts/fireworks/models/deepseek-v3p1", "deepseek/deepseek-v3.1", "", ""},
	{"fireworks qwen", "fireworks", "accounts/fireworks/models/qwen2p5-72b-instruct", "qwen/qwen2.5-72b-instruct", "", ""},
	{"hf namespace maps to creator", "huggingface", "deepseek-ai/DeepSeek-V3", "deepseek/deepseek-v3", "", ""},
	{"bedrock mistral", "bedrock", "mistral.mistral-7b-instruct-v0:2", "mistral/mistral-7b-instruct", "", ""},
	{"underscores", "x", "mistralai/Mistral_Small_24B", "mistral/mistral-small-24b", "", ""},
	{"litellm moonshot", "litellm", "moonshot/kimi-k2-thinking", "moonshotai/kimi-k2-thinking", "", ""},
	{"unknown namespace is its own creator", "openrouter", "inclusionai/ring-2.6-1t:free", "inclusionai/ring-2.6-1t", "free", ""},

	// One rule's output is another's input: the rules run until the
	// slug stops changing, so the canonical id resolves to itself
	// (found by FuzzResolve).
	{"glued then dashed version", "x", "llAmA0 00 0", "meta/llama-0.00-0", "", ""},
	{"p notation twice", "x", "qwen/qwen1p1p1", "qwen/qwen1.1.1", "", ""},
}

// resolveAliases are the operator's aliases resolveCases assume.
var resolveAliases = map[string]string{
	"bitdeer:llama-3.2-1b":                "meta/llama-3.2-1b-instruct",
	"vercel_ai_gateway/meta/llama-3.2-1b": "meta/llama-3.2-1b-instruct",
}

func TestResolve(t *testing.T) {
	r, err := NewResolver(resolveAliases)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range resolveCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Resolve(tt.source, tt.id)
			if err != nil || got.ID != tt.want || got.Variant != tt.variant || got.Region != tt.region {
				t.Errorf("Resolve(%s, %q) = %+v, %v; want %s variant %q region %q", tt.source, tt.id, got, err, tt.want, tt.variant, tt.region)
			}
			if again, err := r.Resolve(tt.source, got.ID); err != nil || again.ID != got.ID {
				t.Errorf("Resolve(%s, %q) = %s, which resolves to %+v, %v: a canonical id must resolve to itself", tt.source, tt.id, got.ID, again, err)
			}
		})
	}
}

func TestResolveUnmatched(t *testing.T) {
	r, _ := NewResolver(nil)
	tests := map[string]string{
		"openrouter/auto":               "router",
		"~anthropic/claude-opus-latest": "latest",
		"":                              "empty",
		"   ":                           "empty",
		"mystery-model":                 "no creator",
		"a/b/c":                         "more than one namespace",
		"fireworks_ai/":                 "want creator/slug",
		"Foo/Bär":                       "not allowed",
	}
	for id, reason := range tests {
		t.Run(id, func(t *testing.T) {
			_, err := r.Resolve("openrouter", id)
			if !errors.Is(err, ErrUnmatched) {
				t.Fatalf("Resolve(%q) error %v, want ErrUnmatched", id, err)
			}
			if !strings.Contains(err.Error(), reason) {
				t.Errorf("Resolve(%q) error %q; want the reason to say %q", id, err, reason)
			}
		})
	}
	if _, err := NewResolver(map[string]string{"x": "Not An Id"}); err == nil {
		t.Error("bad alias target accepted")
	}
}

// TestResolveNeverCollapses checks pairs of different models that share
// most of their spelling: each must keep its own canonical id.
func TestResolveNeverCollapses(t *testing.T) {
	r, _ := NewResolver(nil)
	pairs := [][2]string{
		{"meta-llama/llama-3.2-1b-instruct", "meta-llama/llama-3.2-3b-instruct"},
		{"meta-llama/llama-3.2-1b-instruct", "meta-llama/llama-3.2-1b"},
		{"meta-llama/llama-3-8b-instruct", "meta-llama/llama-3.1-8b-instruct"},
		{"meta.llama3-8b-instruct-v1:0", "meta.llama3-1-8b-instruct-v1:0"},
		{"meta.llama3-2-11b-instruct-v1:0", "meta.llama3-2-1b-instruct-v1:0"},
		{"openai/gpt-4o", "openai/gpt-4o-2024-08-06"},
		{"openai/gpt-4o", "openai/gpt-4o-mini"},
		{"qwen/qwen3-coder", "qwen/qwen3-coder-plus"},
		{"meta-llama/llama-guard-3-8b", "meta-llama/llama-3-8b"},
		{"watsonx/meta-llama/llama-3-2-1b-instruct", "meta-llama/llama-3-2b-instruct"},
	}
	for _, p := range pairs {
		t.Run(p[0]+" vs "+p[1], func(t *testing.T) {
			a, errA := r.Resolve("x", p[0])
			b, errB := r.Resolve("x", p[1])
			if errA != nil || errB != nil {
				t.Fatalf("%v / %v", errA, errB)
			}
			if a.ID == b.ID {
				t.Errorf("%s and %s both resolve to %s", p[0], p[1], a.ID)
			}
		})
	}
}

func TestCleanName(t *testing.T) {
	tests := map[string]string{
		"Meta: Llama 3.2 1B Instruct":        "Llama 3.2 1B Instruct",
		"Meta: Llama 3.2 3B Instruct (free)": "Llama 3.2 3B Instruct",
		"Qwen: Qwen Plus 0728 (thinking)":    "Qwen Plus 0728",
		"Google: Gemma 4 26B A4B  (free)":    "Gemma 4 26B A4B",
		"GPT-5.3-Codex":                      "GPT-5.3-Codex",
		"Llama 3.2 1B Instruct (EU)":         "Llama 3.2 1B Instruct (EU)",
		"Venice: Uncensored (free)":          "Uncensored",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := CleanName(in); got != want {
				t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
			}
		})
	}
}
