package normalize

import (
	"slices"
	"strings"

	"github.com/llmref/llmref/catalog"
)

// Claim is one source's statement about one capability.
type Claim struct {
	Cap catalog.Capability
	Yes bool
	// Raw says what in the source the claim rests on.
	Raw string
}

// featureCaps maps feature names to capabilities. Names are compared
// after featureName: lower case, "_" and "-" as spaces, a "supports "
// prefix dropped, so docs pages ("Function calling"), models.dev flags
// (`tool_call`, `structured_output`, `reasoning`) and LiteLLM flags
// (`supports_function_calling`, `supports_response_schema`) meet here.
var featureCaps = map[string][]catalog.Capability{
	"function calling":          {catalog.CapFunctionCalling},
	"parallel function calling": {catalog.CapFunctionCalling},
	"tool calling":              {catalog.CapFunctionCalling, catalog.CapToolUse},
	"tool call":                 {catalog.CapFunctionCalling, catalog.CapToolUse},
	"tool choice":               {catalog.CapFunctionCalling, catalog.CapToolUse},
	"tools":                     {catalog.CapFunctionCalling, catalog.CapToolUse},
	"tool use":                  {catalog.CapToolUse},
	"structured outputs":        {catalog.CapStructuredOutputs},
	"structured output":         {catalog.CapStructuredOutputs},
	"json mode":                 {catalog.CapStructuredOutputs},
	"json schema":               {catalog.CapStructuredOutputs},
	"response schema":           {catalog.CapStructuredOutputs},
	"response format":           {catalog.CapStructuredOutputs},
	"reasoning":                 {catalog.CapReasoning},
	"reasoning token support":   {catalog.CapReasoning},
	"thinking":                  {catalog.CapReasoning},
	"extended thinking":         {catalog.CapReasoning},
	"prompt caching":            {catalog.CapPromptCaching},
	"caching":                   {catalog.CapPromptCaching},
	"vision":                    {catalog.CapVision},
	"tool code interpreter":     {catalog.CapCodeExecution},
	"tool code execution":       {catalog.CapCodeExecution},
	"code interpreter":          {catalog.CapCodeExecution},
	"code execution":            {catalog.CapCodeExecution},
}

// yesOnlyCaps are features whose support implies a capability but whose
// absence does not deny it: a model without PDF input may still take
// images; a model without a web-search tool may have others.
var yesOnlyCaps = map[string][]catalog.Capability{
	"attachment":   {catalog.CapMultimodal},
	"pdf input":    {catalog.CapMultimodal},
	"file input":   {catalog.CapMultimodal},
	"audio input":  {catalog.CapMultimodal},
	"video input":  {catalog.CapMultimodal},
	"image input":  {catalog.CapVision, catalog.CapMultimodal},
	"audio output": {catalog.CapMultimodal},
	"web search":   {catalog.CapToolUse},
	"file search":  {catalog.CapToolUse},
	"computer use": {catalog.CapToolUse},
	"url context":  {catalog.CapToolUse},
}

var featureSeparators = strings.NewReplacer("_", " ", "-", " ")

// featureName puts a feature name in the form featureCaps uses.
func featureName(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	n = featureSeparators.Replace(n)
	n = strings.Join(strings.Fields(n), " ")
	return strings.TrimPrefix(n, "supports ")
}

// featureValue reads a feature's value: true / yes / supported.
func featureValue(v string) (yes, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "supported", "1", "y":
		return true, true
	case "false", "no", "not supported", "unsupported", "0", "n":
		return false, true
	}
	return false, false
}

// Claims reads the capability statements in one observation: an API's
// supported parameters (tools / tool_choice → function calling and tool use;
// structured_outputs / response_format → structured outputs; reasoning →
// reasoning), modalities (image input → vision and multimodal) and a docs
// page's, a card's or a price map's features and tools (see featureCaps).
// An observation about anything else gives none.
func Claims(o catalog.Observation) []Claim {
	switch o.Field {
	case catalog.FieldSupportedParameters:
		return parameterClaims(o.Value)
	case catalog.FieldInputModalities:
		mods := Modalities(o.Value)
		vision := slices.Contains(mods, "image")
		multi := slices.ContainsFunc(mods, func(m string) bool { return m != "text" })
		raw := "input modalities: " + strings.Join(mods, ", ")
		return []Claim{{catalog.CapVision, vision, raw}, {catalog.CapMultimodal, multi, raw}}
	case catalog.FieldOutputModalities:
		mods := Modalities(o.Value)
		if slices.ContainsFunc(mods, func(m string) bool { return m != "text" }) {
			return []Claim{{catalog.CapMultimodal, true, "output modalities: " + strings.Join(mods, ", ")}}
		}
		return nil
	}
	return featureClaims(o)
}

// parameterClaims reads an API's supported parameters ("tools,tool_choice,
// response_format").
func parameterClaims(value string) []Claim {
	params := splitList(value)
	has := func(names ...string) bool {
		for _, n := range names {
			if slices.Contains(params, n) {
				return true
			}
		}
		return false
	}
	raw := func(names ...string) string {
		for _, n := range names {
			if slices.Contains(params, n) {
				return "supported_parameters includes " + n
			}
		}
		return "supported_parameters lacks " + strings.Join(names, " and ")
	}
	return []Claim{
		{catalog.CapFunctionCalling, has("tools", "tool_choice"), raw("tools", "tool_choice")},
		{catalog.CapToolUse, has("tools", "tool_choice"), raw("tools", "tool_choice")},
		{catalog.CapStructuredOutputs, has("structured_outputs", "response_format"), raw("structured_outputs", "response_format")},
		{catalog.CapReasoning, has("reasoning", "include_reasoning", "reasoning_effort"), raw("reasoning", "include_reasoning", "reasoning_effort")},
	}
}

// featureClaims reads a feature or tool a docs page, a card or a price map
// says is supported or not (see featureCaps and yesOnlyCaps); anything but
// a feature gives none.
func featureClaims(o catalog.Observation) []Claim {
	feature, ok := o.Field.Feature()
	if !ok {
		return nil
	}
	yes, ok := featureValue(o.Value)
	if !ok {
		return nil
	}
	name := featureName(feature)
	raw := feature + ": " + map[bool]string{true: "supported", false: "not supported"}[yes]
	var out []Claim
	for _, c := range featureCaps[name] {
		out = append(out, Claim{c, yes, raw})
	}
	if yes {
		for _, c := range yesOnlyCaps[name] {
			out = append(out, Claim{c, true, raw})
		}
	}
	if strings.HasPrefix(name, "tool ") && !slices.Contains(featureCaps[name], catalog.CapToolUse) {
		// A docs page's tools list ("tool web search"): any tool supported
		// is tool use; a page whose every tool is "not supported" says no.
		out = append(out, Claim{catalog.CapToolUse, yes, raw})
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// modalityOrder is the canonical order of modalities.
var modalityOrder = []string{"text", "image", "audio", "video", "file"}

// modalityWords maps the words sources use to a modality.
var modalityWords = map[string]string{
	"text": "text", "code": "text", "multilingual text": "text", "multilingual text and code": "text",
	"image": "image", "images": "image", "vision": "image",
	"audio": "audio", "speech": "audio", "video": "video",
	"file": "file", "files": "file", "pdf": "file", "document": "file",
}

// Modalities reads a list of modalities ("text,image,file", "Multilingual
// Text and code") into canonical names in a fixed order: text, image, audio,
// video, file. Words it does not know are kept as they are, after those.
func Modalities(s string) []string {
	seen := map[string]bool{}
	var extra []string
	for _, part := range splitList(s) {
		for _, w := range strings.Split(part, " and ") {
			w = strings.TrimSpace(w)
			if m, ok := modalityWords[w]; ok {
				seen[m] = true
			} else if m, ok := modalityWords[strings.TrimPrefix(w, "multilingual ")]; ok {
				seen[m] = true
			} else if w != "" && !seen[w] {
				seen[w] = true
				extra = append(extra, w)
			}
		}
	}
	var out []string
	for _, m := range modalityOrder {
		if seen[m] {
			out = append(out, m)
		}
	}
	return append(out, extra...)
}
