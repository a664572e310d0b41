package scrapers

import (
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
)

// TestParseHFConfig reads the architecture and the positional limit of
// config.json in the layouts the Hub's repositories use: a dense causal
// model, mixtures of experts under each family's keys, a multimodal
// config whose language model sits under text_config, an encoder-decoder,
// a limit written as a float, and rope scaling named in the note.
func TestParseHFConfig(t *testing.T) {
	cases := []struct {
		name, body, arch string
		context          string // "" when none
		note             string // a part of the context's note
		warn             string
		err              string
	}{
		{name: "dense", body: `{"architectures":["LlamaForCausalLM"],"model_type":"llama","max_position_embeddings":131072,"rope_scaling":{"factor":32.0,"original_max_position_embeddings":8192,"rope_type":"llama3"}}`,
			arch: "decoder-only transformer (LlamaForCausalLM)", context: "131072", note: "rope scaling llama3, factor 32.0, original 8192"},
		{name: "qwen moe", body: `{"architectures":["Qwen3MoeForCausalLM"],"model_type":"qwen3_moe","num_experts":128,"num_experts_per_tok":8,"max_position_embeddings":262144,"rope_scaling":null}`,
			arch: "mixture-of-experts transformer (Qwen3MoeForCausalLM; 128 experts, 8 active)", context: "262144"},
		{name: "deepseek moe", body: `{"architectures":["DeepseekV3ForCausalLM"],"model_type":"deepseek_v3","n_routed_experts":256,"num_experts_per_tok":8,"max_position_embeddings":163840}`,
			arch: "mixture-of-experts transformer (DeepseekV3ForCausalLM; 256 experts, 8 active)", context: "163840"},
		{name: "nested text config", body: `{"architectures":["Gemma3ForConditionalGeneration"],"model_type":"gemma3","text_config":{"model_type":"gemma3_text","max_position_embeddings":131072}}`,
			arch: "decoder-only transformer (Gemma3ForConditionalGeneration)", context: "131072"},
		{name: "encoder-decoder", body: `{"architectures":["T5ForConditionalGeneration"],"model_type":"t5","n_positions":512,"is_encoder_decoder":true}`,
			arch: "encoder-decoder transformer (T5ForConditionalGeneration)", context: "512"},
		{name: "float limit", body: `{"model_type":"mistral","max_position_embeddings":32768.0}`, arch: "mistral", context: "32768"},
		{name: "absurd limit", body: `{"architectures":["XForCausalLM"],"max_position_embeddings":1000000000000}`,
			arch: "decoder-only transformer (XForCausalLM)", warn: "beyond any model's context"},
		{name: "not an object", body: `[1,2]`, err: "cannot unmarshal"},
		{name: "nothing to read", body: `{"vocab_size":32000}`, err: "no architectures, model_type or positional limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParseHFConfig("o/m", Response{URL: "https://huggingface.co/o/m/resolve/main/config.json", Body: []byte(c.body)})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[catalog.Field]catalog.Observation{}
			for _, o := range p.Observations {
				if o.Authority != catalog.AuthorityAggregator || o.Subject != "o/m" {
					t.Errorf("observation %+v: want the repository's, at aggregator authority", o)
				}
				got[o.Field] = o
			}
			if a := got[catalog.FieldArchitecture].Value; a != c.arch {
				t.Errorf("architecture %q, want %q", a, c.arch)
			}
			ctx := got[catalog.FieldContext]
			if ctx.Value != c.context || !strings.Contains(ctx.Note, c.note) {
				t.Errorf("context %q (%s), want %q with %q", ctx.Value, ctx.Note, c.context, c.note)
			}
			if c.warn != "" && (len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], c.warn)) {
				t.Errorf("warnings %q, want %q", p.Warnings, c.warn)
			}
		})
	}
}

func FuzzParseHFConfig(f *testing.F) {
	f.Add([]byte(`{"architectures":["Qwen3MoeForCausalLM"],"model_type":"qwen3_moe","num_experts":128,"num_experts_per_tok":8,"max_position_embeddings":262144}`))
	f.Add([]byte(`{"text_config":{"max_position_embeddings":[1,2,3]},"rope_scaling":{"type":"yarn","factor":4}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseHFConfig("o/m", Response{URL: "https://huggingface.co/o/m/resolve/main/config.json", Body: body})
		if err != nil {
			return
		}
		checkParsed(t, p)
		for _, o := range p.Observations {
			if o.Value == "" || len(o.Value) > 1024 {
				t.Fatalf("observation %+v: want a bounded value", o)
			}
		}
	})
}
