package normalize

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/llmref/llmref/catalog"
)

// knownLicences maps licence ids and names (lower case) to a licence.
var knownLicences = map[string]catalog.Licence{
	"mit":          {Name: "MIT", Class: catalog.OpenSource},
	"apache-2.0":   {Name: "Apache-2.0", Class: catalog.OpenSource},
	"apache 2.0":   {Name: "Apache-2.0", Class: catalog.OpenSource},
	"bsd-3-clause": {Name: "BSD-3-Clause", Class: catalog.OpenSource},
	"gpl-3.0":      {Name: "GPL-3.0", Class: catalog.OpenSource},
	"cc-by-4.0":    {Name: "CC-BY-4.0", Class: catalog.OpenSource},
	"proprietary":  {Name: "Proprietary", Class: catalog.Proprietary},
	"gemma":        {Name: "Gemma Terms of Use", Class: catalog.OpenWeights},
	"openrail":     {Name: "OpenRAIL", Class: catalog.OpenWeights},
	"deepseek":     {Name: "DeepSeek License", Class: catalog.OpenWeights},
}

var llamaID = regexp.MustCompile(`^llama(\d+(?:\.\d+)?)$`)

// Licence reads a licence id or name into a name and a class: community
// licences with public weights are open weights; MIT, Apache and the like
// are open source; "proprietary" (no public weights) is proprietary.
func Licence(raw string) (catalog.Licence, error) {
	s := strings.TrimSpace(raw)
	low := strings.ToLower(s)
	if low == "" {
		return catalog.Licence{}, fmt.Errorf("licence %q: %w", raw, ErrValue)
	}
	if l, ok := knownLicences[low]; ok {
		return l, nil
	}
	if m := llamaID.FindStringSubmatch(low); m != nil {
		return catalog.Licence{Name: "Llama " + m[1] + " Community License", Class: catalog.OpenWeights}, nil
	}
	switch {
	case strings.Contains(low, "community license"), strings.Contains(low, "research license"),
		strings.Contains(low, "terms of use"), strings.Contains(low, "rail"), strings.Contains(low, "open weights"):
		return catalog.Licence{Name: s, Class: catalog.OpenWeights}, nil
	case strings.Contains(low, "mit license"), strings.Contains(low, "apache license"):
		return catalog.Licence{Name: s, Class: catalog.OpenSource}, nil
	case strings.Contains(low, "proprietary"), strings.Contains(low, "closed"):
		return catalog.Licence{Name: "Proprietary", Class: catalog.Proprietary}, nil
	}
	return catalog.Licence{}, fmt.Errorf("licence %q: %w: unknown licence", raw, ErrValue)
}

// Architecture reads a card's architecture sentence into a short form: an
// auto-regressive (causal) transformer is a "decoder-only transformer".
func Architecture(raw string) (string, error) {
	low := strings.ToLower(raw)
	switch {
	case strings.TrimSpace(raw) == "":
		return "", fmt.Errorf("architecture %q: %w", raw, ErrValue)
	case strings.Contains(low, "mixture-of-experts") || strings.Contains(low, "mixture of experts") || strings.Contains(low, "moe"):
		return "mixture-of-experts transformer", nil
	case strings.Contains(low, "decoder-only") || strings.Contains(low, "decoder only") ||
		(strings.Contains(low, "auto-regressive") || strings.Contains(low, "autoregressive") || strings.Contains(low, "causal")) && strings.Contains(low, "transformer"):
		return "decoder-only transformer", nil
	case strings.Contains(low, "encoder-decoder"):
		return "encoder-decoder transformer", nil
	}
	return strings.TrimSuffix(strings.TrimSpace(raw), "."), nil
}
