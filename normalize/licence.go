package normalize

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// knownLicences maps licence ids (Hugging Face's `license:` values, SPDX ids)
// and names, in lower case, to a licence.
var knownLicences = map[string]catalog.Licence{
	"mit":                         {Name: "MIT", Class: catalog.OpenSource},
	"mit license":                 {Name: "MIT", Class: catalog.OpenSource},
	"apache-2.0":                  {Name: "Apache-2.0", Class: catalog.OpenSource},
	"apache 2.0":                  {Name: "Apache-2.0", Class: catalog.OpenSource},
	"apache license 2.0":          {Name: "Apache-2.0", Class: catalog.OpenSource},
	"apache license, version 2.0": {Name: "Apache-2.0", Class: catalog.OpenSource},
	"bsd-2-clause":                {Name: "BSD-2-Clause", Class: catalog.OpenSource},
	"bsd-3-clause":                {Name: "BSD-3-Clause", Class: catalog.OpenSource},
	"bsd":                         {Name: "BSD", Class: catalog.OpenSource},
	"gpl-2.0":                     {Name: "GPL-2.0", Class: catalog.OpenSource},
	"gpl-3.0":                     {Name: "GPL-3.0", Class: catalog.OpenSource},
	"lgpl-3.0":                    {Name: "LGPL-3.0", Class: catalog.OpenSource},
	"agpl-3.0":                    {Name: "AGPL-3.0", Class: catalog.OpenSource},
	"mpl-2.0":                     {Name: "MPL-2.0", Class: catalog.OpenSource},
	"cc-by-4.0":                   {Name: "CC-BY-4.0", Class: catalog.OpenSource},
	"cc-by-sa-4.0":                {Name: "CC-BY-SA-4.0", Class: catalog.OpenSource},
	"cc0-1.0":                     {Name: "CC0-1.0", Class: catalog.OpenSource},
	"unlicense":                   {Name: "Unlicense", Class: catalog.OpenSource},
	"cc-by-nc-4.0":                {Name: "CC-BY-NC-4.0", Class: catalog.OpenWeights},
	"cc-by-nc-sa-4.0":             {Name: "CC-BY-NC-SA-4.0", Class: catalog.OpenWeights},
	"cc-by-nc-nd-4.0":             {Name: "CC-BY-NC-ND-4.0", Class: catalog.OpenWeights},
	"proprietary":                 {Name: "Proprietary", Class: catalog.Proprietary},
	"gemma":                       {Name: "Gemma Terms of Use", Class: catalog.OpenWeights},
	"openrail":                    {Name: "OpenRAIL", Class: catalog.OpenWeights},
	"openrail++":                  {Name: "OpenRAIL++", Class: catalog.OpenWeights},
	"creativeml-openrail-m":       {Name: "CreativeML OpenRAIL-M", Class: catalog.OpenWeights},
	"bigscience-openrail-m":       {Name: "BigScience OpenRAIL-M", Class: catalog.OpenWeights},
	"deepseek":                    {Name: "DeepSeek License", Class: catalog.OpenWeights},
	"qwen":                        {Name: "Qwen License", Class: catalog.OpenWeights},
	"tongyi-qianwen":              {Name: "Tongyi Qianwen License", Class: catalog.OpenWeights},
	"modified-mit":                {Name: "Modified MIT", Class: catalog.OpenWeights},
	"nvidia-open-model-license":   {Name: "NVIDIA Open Model License", Class: catalog.OpenWeights},
	"mnpl":                        {Name: "Mistral Non-Production License", Class: catalog.OpenWeights},
}

var (
	llamaLicenceID = regexp.MustCompile(`^llama(\d+(?:\.\d+)?)$`)
	llamaName      = regexp.MustCompile(`(?i)\bllama\s*(\d+(?:\.\d+)?)\s+community\s+licen[cs]e`)
	openWeightsF   = regexp.MustCompile(`^open[_ ]weights\s*(?:=|:)?\s*(true|false|yes|no)$`)
	licenceParen   = regexp.MustCompile(`\s*\([^()]*\)`)
)

// Licence reads a licence id or name into a name and a class:
//
//   - community and other custom licences over public weights are open
//     weights ("llama3.2", "Llama 3.2 Community License", Gemma terms,
//     OpenRAIL, non-commercial Creative Commons);
//   - MIT, Apache and other OSI-style licences are open source;
//   - no public weights is proprietary: "proprietary", models.dev's
//     `open_weights = false` (written "open_weights=false"), "no public
//     weights", "closed weights".
//
// models.dev's `open_weights = true` says only that the weights are public:
// it is an open-weights licence without a name, which agrees with any named
// open licence (see agreeLicence).
func Licence(raw string) (catalog.Licence, error) {
	s := strings.Join(strings.Fields(raw), " ")
	low := strings.ToLower(s)
	if notStated[low] || low == "other" {
		return catalog.Licence{}, fmt.Errorf("licence %q: %w: %w", clip.String(raw), ErrValue, ErrNotStated)
	}
	if l, ok := knownLicences[low]; ok {
		return l, nil
	}
	if m := llamaLicenceID.FindStringSubmatch(low); m != nil {
		return catalog.Licence{Name: "Llama " + m[1] + " Community License", Class: catalog.OpenWeights}, nil
	}
	if m := llamaName.FindStringSubmatch(s); m != nil {
		// "Use of Llama 3.2 is governed by the Llama 3.2 Community License
		// (a custom, commercial license agreement)."
		return catalog.Licence{Name: "Llama " + m[1] + " Community License", Class: catalog.OpenWeights}, nil
	}
	if m := openWeightsF.FindStringSubmatch(low); m != nil {
		if m[1] == "true" || m[1] == "yes" {
			return catalog.Licence{Class: catalog.OpenWeights}, nil
		}
		return catalog.Licence{Name: "Proprietary", Class: catalog.Proprietary}, nil
	}
	name := strings.TrimSuffix(strings.TrimSpace(licenceParen.ReplaceAllString(s, "")), ".")
	switch {
	case strings.Contains(low, "no public weights"), strings.Contains(low, "closed weights"),
		strings.Contains(low, "weights not public"), strings.Contains(low, "not open weights"),
		strings.Contains(low, "proprietary"), strings.Contains(low, "closed source"):
		return catalog.Licence{Name: "Proprietary", Class: catalog.Proprietary}, nil
	case strings.Contains(low, "community license"), strings.Contains(low, "research license"),
		strings.Contains(low, "non-commercial"), strings.Contains(low, "noncommercial"),
		strings.Contains(low, "terms of use"), strings.Contains(low, "rail"), strings.Contains(low, "open model license"):
		return catalog.Licence{Name: name, Class: catalog.OpenWeights}, nil
	case strings.Contains(low, "mit license"), strings.Contains(low, "apache license"):
		return catalog.Licence{Name: name, Class: catalog.OpenSource}, nil
	case low == "open weights", low == "open-weights", low == "public weights":
		return catalog.Licence{Class: catalog.OpenWeights}, nil
	}
	return catalog.Licence{}, fmt.Errorf("licence %q: %w: unknown licence", clip.String(raw), ErrValue)
}

// The short forms Architecture gives the architectures it knows.
const (
	ArchMoE            = "mixture-of-experts transformer"
	ArchDecoderOnly    = "decoder-only transformer"
	ArchEncoderDecoder = "encoder-decoder transformer"
)

// Architecture reads a card's architecture sentence into a short form: an
// auto-regressive (causal) transformer is a "decoder-only transformer"
// (ArchDecoderOnly); a sentence of no known kind is kept as written.
func Architecture(raw string) (string, error) {
	low := strings.ToLower(raw)
	switch {
	case strings.TrimSpace(raw) == "":
		return "", fmt.Errorf("architecture %q: %w", clip.String(raw), ErrValue)
	case strings.Contains(low, "mixture-of-experts") || strings.Contains(low, "mixture of experts") || strings.Contains(low, "moe"):
		return ArchMoE, nil
	case strings.Contains(low, "decoder-only") || strings.Contains(low, "decoder only") ||
		(strings.Contains(low, "auto-regressive") || strings.Contains(low, "autoregressive") || strings.Contains(low, "causal")) && strings.Contains(low, "transformer"):
		return ArchDecoderOnly, nil
	case strings.Contains(low, "encoder-decoder"):
		return ArchEncoderDecoder, nil
	}
	return strings.TrimSuffix(strings.TrimSpace(raw), "."), nil
}
