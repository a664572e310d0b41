package catalog

import (
	"strings"
	"testing"
)

func TestResolveModel(t *testing.T) {
	s := NewSnapshot()
	s.Models["meta/llama-3.2-1b-instruct"] = &Model{ID: "meta/llama-3.2-1b-instruct", Aliases: []Alias{
		{Source: "openrouter", ID: "meta-llama/llama-3.2-1b-instruct"},
		{Source: "huggingface", ID: "meta-llama/Llama-3.2-1B-Instruct"},
		{Source: "bedrock", ID: "meta.llama3-2-1b-instruct-v1:0"},
		{Source: "x", ID: "shared"},
	}}
	s.Models["openai/gpt-5.3-codex"] = &Model{ID: "openai/gpt-5.3-codex", Aliases: []Alias{
		{Source: "openrouter", ID: "openai/gpt-5.3-codex"}, {Source: "y", ID: "shared"}}}
	for _, tt := range []struct{ name, want, err string }{
		{"meta/llama-3.2-1b-instruct", "meta/llama-3.2-1b-instruct", ""},
		{"META/Llama-3.2-1B-Instruct", "meta/llama-3.2-1b-instruct", ""},
		{"meta-llama/llama-3.2-1b-instruct", "meta/llama-3.2-1b-instruct", ""},
		{"meta-llama/Llama-3.2-1B-Instruct", "meta/llama-3.2-1b-instruct", ""},
		{"meta.llama3-2-1b-instruct-v1:0", "meta/llama-3.2-1b-instruct", ""},
		{"openai/gpt-5.3-codex", "openai/gpt-5.3-codex", ""},
		{"shared", "", `"shared" names more than one model: meta/llama-3.2-1b-instruct, openai/gpt-5.3-codex`},
		{"meta/nope", "", ""},
		{"", "", ""},
	} {
		id, ok, err := s.ResolveModel(tt.name)
		if id != tt.want || ok != (tt.want != "") || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%q: %q, %v, %v; want %q, error %q", tt.name, id, ok, err, tt.want, tt.err)
		}
	}
}
