package refresh_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/store"
)

// realOpenRouterList is OpenRouter's real model list in the shared real
// data (364 entries); LLMREF_REALDATA names the folder when it is not
// ../../shared/realdata. The tests that read it skip when it is absent.
func realOpenRouterList(t *testing.T) []byte {
	t.Helper()
	dir := os.Getenv("LLMREF_REALDATA")
	if dir == "" {
		dir = "../../shared/realdata"
	}
	b, err := os.ReadFile(filepath.Join(dir, "openrouter/from-anomalyco-models.dev/models.json"))
	if err != nil {
		t.Skip("real data absent:", err)
	}
	return b
}

// sampleRepos are the Hugging Face repositories of the fixture day's
// sample, written from what the Hub serves for them (the API record's
// shape, the card's front matter, config.json's keys and values): a
// mixture of experts (Qwen3, DeepSeek V3.1), a gated multimodal model
// whose config.json is not readable anonymously (Gemma 3), and Llama 3.2
// 1B from the bundled day. Every other repository the list names answers
// 404, as a catalogue's stale hugging_face_id would.
var sampleRepos = map[string]struct{ api, card, config string }{
	"Qwen/Qwen3-235B-A22B-Instruct-2507": {
		api: `{"_id":"6879d0a5c2c1c6c6f1e0a2b1","id":"Qwen/Qwen3-235B-A22B-Instruct-2507","modelId":"Qwen/Qwen3-235B-A22B-Instruct-2507","author":"Qwen","private":false,"gated":false,"disabled":false,"pipeline_tag":"text-generation","library_name":"transformers","tags":["transformers","safetensors","qwen3_moe","text-generation","conversational","license:apache-2.0"],
"config":{"architectures":["Qwen3MoeForCausalLM"],"model_type":"qwen3_moe"},"cardData":{"license":"apache-2.0","library_name":"transformers","pipeline_tag":"text-generation"},
"safetensors":{"parameters":{"BF16":235093634560},"total":235093634560},"siblings":[{"rfilename":".gitattributes"},{"rfilename":"README.md"},{"rfilename":"config.json"},{"rfilename":"generation_config.json"},{"rfilename":"model-00001-of-00118.safetensors"}]}`,
		card:   "---\nlibrary_name: transformers\nlicense: apache-2.0\nlicense_link: https://huggingface.co/Qwen/Qwen3-235B-A22B-Instruct-2507/blob/main/LICENSE\npipeline_tag: text-generation\n---\n\n# Qwen3-235B-A22B-Instruct-2507\n\n## Model Overview\n\n**Qwen3-235B-A22B-Instruct-2507** has the following features:\n- Type: Causal Language Models\n- Training Stage: Pretraining & Post-training\n- Number of Parameters: 235B in total and 22B activated\n- Number of Paramaters (Non-Embedding): 234B\n- Number of Layers: 94\n- Number of Attention Heads (GQA): 64 for Q and 4 for KV\n- Number of Experts: 128\n- Number of Activated Experts: 8\n- Context Length: **262,144 natively**.\n",
		config: `{"architectures":["Qwen3MoeForCausalLM"],"attention_bias":false,"bos_token_id":151643,"eos_token_id":151645,"head_dim":128,"hidden_act":"silu","hidden_size":4096,"max_position_embeddings":262144,"model_type":"qwen3_moe","moe_intermediate_size":1536,"num_attention_heads":64,"num_experts":128,"num_experts_per_tok":8,"num_hidden_layers":94,"num_key_value_heads":4,"rope_scaling":null,"rope_theta":5000000,"torch_dtype":"bfloat16","transformers_version":"4.51.0","vocab_size":151936}`,
	},
	"deepseek-ai/DeepSeek-V3.1": {
		api: `{"_id":"68a5c1e2f0b3d4a5b6c7d8e9","id":"deepseek-ai/DeepSeek-V3.1","modelId":"deepseek-ai/DeepSeek-V3.1","author":"deepseek-ai","private":false,"gated":false,"disabled":false,"pipeline_tag":"text-generation","library_name":"transformers","tags":["transformers","safetensors","deepseek_v3","text-generation","conversational","custom_code","license:mit","fp8"],
"config":{"architectures":["DeepseekV3ForCausalLM"],"model_type":"deepseek_v3"},"cardData":{"license":"mit","library_name":"transformers"},
"safetensors":{"parameters":{"BF16":3918786560,"F8_E4M3":680571043840,"F32":41555600},"total":684531386000},"siblings":[{"rfilename":"README.md"},{"rfilename":"config.json"},{"rfilename":"model-00001-of-000163.safetensors"}]}`,
		card:   "---\nlicense: mit\nlibrary_name: transformers\nbase_model:\n- deepseek-ai/DeepSeek-V3.1-Base\n---\n# DeepSeek-V3.1\n\n## Introduction\n\nDeepSeek-V3.1 is a hybrid model that supports both thinking mode and non-thinking mode.\n\n## Model Downloads\n\n| **Model** | **#Total Params** | **#Activated Params** | **Context Length** | **Download** |\n| :------------: | :------------: | :------------: | :------------: | :------------: |\n| DeepSeek-V3.1-Base | 671B | 37B | 128K | [HuggingFace](https://huggingface.co/deepseek-ai/DeepSeek-V3.1-Base) |\n| DeepSeek-V3.1 | 671B | 37B | 128K | [HuggingFace](https://huggingface.co/deepseek-ai/DeepSeek-V3.1) |\n",
		config: `{"architectures":["DeepseekV3ForCausalLM"],"auto_map":{"AutoConfig":"configuration_deepseek.DeepseekV3Config","AutoModel":"modeling_deepseek.DeepseekV3Model","AutoModelForCausalLM":"modeling_deepseek.DeepseekV3ForCausalLM"},"first_k_dense_replace":3,"hidden_size":7168,"max_position_embeddings":163840,"model_type":"deepseek_v3","moe_intermediate_size":2048,"n_group":8,"n_routed_experts":256,"n_shared_experts":1,"num_attention_heads":128,"num_experts_per_tok":8,"num_hidden_layers":61,"rope_scaling":{"beta_fast":32,"beta_slow":1,"factor":40,"mscale":1.0,"mscale_all_dim":1.0,"original_max_position_embeddings":4096,"type":"yarn"},"torch_dtype":"bfloat16","vocab_size":129280}`,
	},
	"google/gemma-3-27b-it": {
		api: `{"_id":"67c5a0b1c2d3e4f5a6b7c8d9","id":"google/gemma-3-27b-it","modelId":"google/gemma-3-27b-it","author":"google","private":false,"gated":"manual","disabled":false,"pipeline_tag":"image-text-to-text","library_name":"transformers","tags":["transformers","safetensors","gemma3","image-text-to-text","conversational","license:gemma"],
"config":{"architectures":["Gemma3ForConditionalGeneration"],"model_type":"gemma3"},"cardData":{"license":"gemma","library_name":"transformers","pipeline_tag":"image-text-to-text","extra_gated_heading":"Access Gemma on Hugging Face"},
"safetensors":{"parameters":{"BF16":27432406640},"total":27432406640},"siblings":[{"rfilename":"README.md"},{"rfilename":"config.json"},{"rfilename":"model-00001-of-00012.safetensors"}]}`,
		card: "---\nlicense: gemma\nlibrary_name: transformers\npipeline_tag: image-text-to-text\nextra_gated_heading: Access Gemma on Hugging Face\n---\n\n# Gemma 3 model card\n\n**Model Page**: [Gemma](https://ai.google.dev/gemma/docs/core)\n\n### Inputs and outputs\n\n-   **Input:**\n    -  Text string, such as a question, a prompt, or a document to be summarized\n    -  Total input context of 128K tokens for the 4B, 12B, and 27B sizes, and 32K tokens for the 1B size\n",
	},
}

// fixtureSite serves a fixture day built from the real OpenRouter list:
// the list itself, endpoints for every listed id (one upstream at the
// entry's own prices, as OpenRouter's endpoints format gives them; the
// bundled day's bodies for its two models), the sample's Hugging Face
// pages, and OpenAI's page of GPT-5.3-Codex from the bundled day. Every
// request is counted by host and path.
type fixtureSite struct {
	list     []byte
	models   map[string]json.RawMessage // OpenRouter id → its list entry
	day      fs.FS
	mu       sync.Mutex
	requests map[string]int // "host/path" → times asked
}

func newFixtureSite(t *testing.T) *fixtureSite {
	list := realOpenRouterList(t)
	var doc struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(list, &doc); err != nil {
		t.Fatal(err)
	}
	day, err := fixtures.Day("2026-04-23")
	if err != nil {
		t.Fatal(err)
	}
	s := &fixtureSite{list: list, models: map[string]json.RawMessage{}, day: day, requests: map[string]int{}}
	for _, raw := range doc.Data {
		var m struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(raw, &m) == nil && m.ID != "" {
			s.models[m.ID] = raw
		}
	}
	return s
}

// RoundTrip answers every request of the shipped configuration's sources
// from the fixture day, on the host the request names.
func (s *fixtureSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.Header.Get("X-Fixture-Host")
	p := r.URL.EscapedPath()
	s.mu.Lock()
	s.requests[host+r.URL.Path]++
	s.mu.Unlock()
	body, ct := s.answer(host, p)
	if body == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Write(body)
}

func (s *fixtureSite) file(name string) []byte {
	b, err := fs.ReadFile(s.day, name)
	if err != nil {
		return nil
	}
	return b
}

func (s *fixtureSite) answer(host, p string) ([]byte, string) {
	const js = "application/json"
	switch host {
	case "openrouter.ai":
		if p == "/api/v1/models" {
			return s.list, js
		}
		rest, ok := strings.CutPrefix(p, "/api/v1/models/")
		if !ok {
			return nil, ""
		}
		rest, ok = strings.CutSuffix(rest, "/endpoints")
		id, err := url.PathUnescape(rest)
		if !ok || err != nil {
			return nil, ""
		}
		if b := s.file("openrouter.ai/api/v1/models/" + id + "/endpoints.json"); b != nil {
			return b, js
		}
		return s.endpoints(id), js
	case "huggingface.co":
		if repo, ok := strings.CutPrefix(p, "/api/models/"); ok {
			if b := s.file("huggingface.co/api/models/" + repo + ".json"); b != nil {
				return b, js
			}
			if r, ok := sampleRepos[repo]; ok {
				return []byte(r.api), js
			}
			return nil, ""
		}
		if repo, ok := strings.CutSuffix(strings.TrimPrefix(p, "/"), "/resolve/main/README.md"); ok {
			if b := s.file("huggingface.co/" + repo + "/resolve/main/README.md"); b != nil {
				return b, "text/plain; charset=utf-8"
			}
			if r, ok := sampleRepos[repo]; ok {
				return []byte(r.card), "text/plain; charset=utf-8"
			}
			return nil, ""
		}
		if repo, ok := strings.CutSuffix(strings.TrimPrefix(p, "/"), "/resolve/main/config.json"); ok {
			if r, ok := sampleRepos[repo]; ok && r.config != "" {
				return []byte(r.config), js
			}
		}
	case "developers.openai.com":
		if b := s.file("developers.openai.com" + p + ".html"); b != nil {
			return b, "text/html; charset=utf-8"
		}
	}
	return nil, ""
}

// endpoints writes OpenRouter's endpoints response for a listed id: one
// upstream endpoint at the entry's own prices and context.
func (s *fixtureSite) endpoints(id string) []byte {
	raw, ok := s.models[id]
	if !ok {
		return nil
	}
	var m struct {
		ID            string            `json:"id"`
		Name          string            `json:"name"`
		ContextLength int64             `json:"context_length"`
		Pricing       map[string]string `json:"pricing"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	ep := map[string]any{
		"name": "DeepInfra | " + m.ID, "model_id": m.ID, "model_name": m.Name, "context_length": m.ContextLength,
		"pricing":       map[string]any{"prompt": m.Pricing["prompt"], "completion": m.Pricing["completion"], "discount": 0},
		"provider_name": "DeepInfra", "tag": "deepinfra/bf16", "quantization": "bf16", "max_completion_tokens": nil,
		"status": 0, "supported_parameters": []string{"max_tokens", "temperature"},
	}
	b, _ := json.Marshal(map[string]any{"data": map[string]any{"id": m.ID, "name": m.Name, "endpoints": []any{ep}}})
	return b
}

// toSite sends every request to the fixture server, saying which host it
// was for.
type toSite struct{ srv *httptest.Server }

func (t toSite) RoundTrip(r *http.Request) (*http.Response, error) {
	u, _ := url.Parse(t.srv.URL)
	r2 := r.Clone(r.Context())
	r2.Header.Set("X-Fixture-Host", r.URL.Host)
	r2.URL.Scheme, r2.URL.Host, r2.Host = u.Scheme, u.Host, u.Host
	return t.srv.Client().Transport.RoundTrip(r2)
}

// TestTrackRealList is the tracking policy's acceptance: with the shipped
// configuration (no per-model setting), a run over a fixture day built
// from the real OpenRouter list asks for the endpoints of every priced
// OpenRouter model (":free" variants included) and for the API record and
// card of every repository a hugging_face_id names, and config.json where
// the API lists one and the repository is not gated; the sample's facts
// (parameters, architecture, licence, context) reach their models.
func TestTrackRealList(t *testing.T) {
	site := newFixtureSite(t)
	srv := httptest.NewServer(site)
	defer srv.Close()

	cfg := config.Default()
	srcs, err := cfg.BuildSources()
	if err != nil {
		t.Fatal(err)
	}
	o := refresh.Options{Sources: srcs, Only: []string{"openrouter", "openrouter-endpoints", "huggingface", "openai"},
		Fetch: cfg.FetchOptions(), Normalization: cfg.Normalization(), Track: cfg.Track.Policy(),
		Now: func() time.Time { return time.Date(2026, 5, 15, 2, 0, 0, 0, time.UTC) }}
	o.Fetch.Transport = toSite{srv}
	o.Fetch.Parallelism = 8 // loopback: the shipped per-host politeness would only slow the test
	o.Fetch.Timeout = 10 * time.Second
	st, err := store.Open(filepath.Join(t.TempDir(), "llmref.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := refresh.Run(context.Background(), st, o)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}

	var list struct {
		Data []struct {
			ID            string            `json:"id"`
			HuggingFaceID string            `json:"hugging_face_id"`
			Pricing       map[string]string `json:"pricing"`
		} `json:"data"`
	}
	if err := json.Unmarshal(site.list, &list); err != nil {
		t.Fatal(err)
	}
	asked := func(hostPath string) bool {
		site.mu.Lock()
		defer site.mu.Unlock()
		return site.requests[hostPath] > 0
	}
	// The ids that name no model (OpenRouter's routers "openrouter/auto",
	// its moving aliases "~anthropic/claude-opus-latest") are reported
	// unmatched, and have no model to track.
	resolver := cfg.Normalization().Resolver()
	priced, repos := 0, map[string]bool{}
	var notModels []string
	for _, m := range list.Data {
		if len(m.Pricing) == 0 {
			continue
		}
		if _, err := resolver.Resolve("openrouter", m.ID); err != nil {
			notModels = append(notModels, m.ID)
			continue
		}
		priced++
		if p := "openrouter.ai/api/v1/models/" + m.ID + "/endpoints"; !asked(p) {
			t.Errorf("no endpoints request for %s", m.ID)
		}
		if m.HuggingFaceID != "" {
			repos[m.HuggingFaceID] = true
		}
	}
	for repo := range repos {
		for _, p := range []string{"huggingface.co/api/models/" + repo, "huggingface.co/" + repo + "/resolve/main/README.md"} {
			if !asked(p) {
				t.Errorf("no request for %s", p)
			}
		}
	}
	for repo, r := range sampleRepos {
		gated := strings.Contains(r.api, `"gated":"manual"`)
		if got := asked("huggingface.co/" + repo + "/resolve/main/config.json"); got == gated {
			t.Errorf("%s: config.json asked %v; the repository gated %v", repo, got, gated)
		}
	}

	total, byHost := 0, map[string]int{}
	site.mu.Lock()
	for k, n := range site.requests {
		total += n
		host, _, _ := strings.Cut(k, "/")
		byHost[host] += n
	}
	site.mu.Unlock()
	t.Logf("requests by host (robots.txt included): %v", byHost)
	t.Logf("requests: %d (%d priced OpenRouter ids, %d repositories); run %s; ids that name no model: %s", total, priced, len(repos), res.Run.Status, strings.Join(notModels, " "))

	snap, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	logCoverage(t, snap)
	for _, c := range []struct {
		id    string
		check func(m *catalog.Model) string
	}{
		{"qwen/qwen3-235b-a22b-2507", func(m *catalog.Model) string {
			if !m.Parameters.Sourced() || !strings.HasPrefix(m.Architecture.Value, "mixture-of-experts") || !m.Licence.Sourced() || m.ContextWindow.Value.N != 262144 {
				return fmt.Sprintf("parameters %+v architecture %q licence %+v context %+v", m.Parameters.Value, m.Architecture.Value, m.Licence.Value, m.ContextWindow.Value)
			}
			return ""
		}},
		{"deepseek/deepseek-chat-v3.1", func(m *catalog.Model) string {
			if !strings.HasPrefix(m.Architecture.Value, "mixture-of-experts") || !m.Licence.Sourced() {
				return fmt.Sprintf("architecture %q licence %+v", m.Architecture.Value, m.Licence.Value)
			}
			return ""
		}},
		{"meta/llama-3.2-1b-instruct", func(m *catalog.Model) string {
			if !m.Parameters.Sourced() || !m.Licence.Sourced() {
				return fmt.Sprintf("parameters %+v licence %+v", m.Parameters, m.Licence)
			}
			return ""
		}},
	} {
		t.Run(c.id, func(t *testing.T) {
			m := snap.Models[c.id]
			if m == nil {
				t.Fatalf("no model %s", c.id)
			}
			if msg := c.check(m); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// logCoverage logs the share of models with each reference-page field
// sourced.
func logCoverage(t *testing.T, snap *catalog.Snapshot) {
	t.Helper()
	n := len(snap.Models)
	counts := map[string]int{}
	for _, m := range snap.Models {
		for f, ok := range map[string]bool{"released": m.Released.Sourced(), "context window": m.ContextWindow.Sourced(),
			"parameters": m.Parameters.Sourced(), "architecture": m.Architecture.Sourced(), "licence": m.Licence.Sourced(),
			"knowledge cutoff": m.KnowledgeCutoff.Sourced()} {
			if ok {
				counts[f]++
			}
		}
	}
	fields := []string{"released", "context window", "parameters", "architecture", "licence", "knowledge cutoff"}
	sort.Strings(fields)
	var parts []string
	for _, f := range fields {
		parts = append(parts, fmt.Sprintf("%s %d (%.0f%%)", f, counts[f], 100*float64(counts[f])/float64(max(n, 1))))
	}
	t.Logf("coverage of %d models: %s", n, strings.Join(parts, ", "))
}
