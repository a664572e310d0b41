package normalize

import (
	"slices"
	"testing"

	"github.com/llmref/llmref/catalog"
)

func TestClaims(t *testing.T) {
	type want map[catalog.Capability]bool
	tests := []struct {
		name  string
		field catalog.Field
		value string
		want  want
	}{
		{"openrouter llama supported_parameters", catalog.FieldSupportedParameters, "frequency_penalty,max_tokens,presence_penalty,repetition_penalty,seed,stop,temperature,top_k,top_p",
			want{catalog.CapFunctionCalling: false, catalog.CapToolUse: false, catalog.CapStructuredOutputs: false, catalog.CapReasoning: false}},
		{"openrouter codex supported_parameters", catalog.FieldSupportedParameters, "include_reasoning,max_tokens,reasoning,response_format,seed,structured_outputs,tool_choice,tools",
			want{catalog.CapFunctionCalling: true, catalog.CapToolUse: true, catalog.CapStructuredOutputs: true, catalog.CapReasoning: true}},
		{"image input", catalog.FieldInputModalities, "text,image,file", want{catalog.CapVision: true, catalog.CapMultimodal: true}},
		{"text only input", catalog.FieldInputModalities, "text", want{catalog.CapVision: false, catalog.CapMultimodal: false}},
		{"card modalities", catalog.FieldInputModalities, "Multilingual Text", want{catalog.CapVision: false, catalog.CapMultimodal: false}},
		{"audio output", catalog.FieldOutputModalities, "text,audio", want{catalog.CapMultimodal: true}},
		{"text output says nothing", catalog.FieldOutputModalities, "text", want{}},
		{"docs function calling", catalog.FeatureField("Function calling"), "true", want{catalog.CapFunctionCalling: true}},
		{"docs structured outputs no", catalog.FeatureField("Structured outputs"), "false", want{catalog.CapStructuredOutputs: false}},
		{"docs tool supported", catalog.FeatureField("tool web search"), "true", want{catalog.CapToolUse: true}},
		{"docs tool not supported", catalog.FeatureField("tool computer use"), "false", want{catalog.CapToolUse: false}},
		{"docs code interpreter", catalog.FeatureField("tool code interpreter"), "true", want{catalog.CapCodeExecution: true, catalog.CapToolUse: true}},
		{"docs reasoning", catalog.FeatureField("reasoning"), "true", want{catalog.CapReasoning: true}},
		{"docs streaming says nothing", catalog.FeatureField("streaming"), "true", want{}},
		{"models.dev tool_call", catalog.FeatureField("tool_call"), "true", want{catalog.CapFunctionCalling: true, catalog.CapToolUse: true}},
		{"models.dev tool_call false", catalog.FeatureField("tool_call"), "false", want{catalog.CapFunctionCalling: false, catalog.CapToolUse: false}},
		{"models.dev reasoning", catalog.FeatureField("reasoning"), "false", want{catalog.CapReasoning: false}},
		{"models.dev structured_output", catalog.FeatureField("structured_output"), "true", want{catalog.CapStructuredOutputs: true}},
		{"models.dev attachment yes", catalog.FeatureField("attachment"), "true", want{catalog.CapMultimodal: true}},
		{"models.dev attachment no says nothing", catalog.FeatureField("attachment"), "false", want{}},
		{"litellm function calling", catalog.FeatureField("supports_function_calling"), "true", want{catalog.CapFunctionCalling: true}},
		{"litellm response schema", catalog.FeatureField("supports_response_schema"), "True", want{catalog.CapStructuredOutputs: true}},
		{"litellm vision", catalog.FeatureField("supports_vision"), "false", want{catalog.CapVision: false}},
		{"litellm prompt caching", catalog.FeatureField("supports_prompt_caching"), "true", want{catalog.CapPromptCaching: true}},
		{"litellm reasoning", catalog.FeatureField("supports_reasoning"), "yes", want{catalog.CapReasoning: true}},
		{"litellm pdf input", catalog.FeatureField("supports_pdf_input"), "true", want{catalog.CapMultimodal: true}},
		{"litellm web search", catalog.FeatureField("supports_web_search"), "true", want{catalog.CapToolUse: true}},
		{"litellm web search false says nothing", catalog.FeatureField("supports_web_search"), "false", want{}},
		{"unreadable value says nothing", catalog.FeatureField("supports_vision"), "maybe", want{}},
		{"a price says nothing", catalog.FieldPriceInput, "0.1", want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := want{}
			for _, c := range Claims(catalog.Observation{Field: tt.field, Value: tt.value}) {
				if c.Raw == "" {
					t.Errorf("claim %s without what it rests on", c.Cap)
				}
				if prev, dup := got[c.Cap]; dup && prev != c.Yes {
					t.Errorf("%s claimed both ways", c.Cap)
				}
				got[c.Cap] = c.Yes
			}
			if len(got) != len(tt.want) {
				t.Errorf("claims %v, want %v", got, tt.want)
			}
			for c, yes := range tt.want {
				if g, ok := got[c]; !ok || g != yes {
					t.Errorf("%s: got %v (present %v), want %v", c, g, ok, yes)
				}
			}
		})
	}
}

func TestModalities(t *testing.T) {
	tests := map[string][]string{
		"text,image,file":            {"text", "image", "file"},
		"image, text":                {"text", "image"},
		"Multilingual Text and code": {"text"},
		"text,image,pdf":             {"text", "image", "file"},
		"text,video,hologram":        {"text", "video", "hologram"},
		"":                           nil,
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := Modalities(in); !slices.Equal(got, want) {
				t.Errorf("Modalities(%q) = %v, want %v", in, got, want)
			}
		})
	}
}
