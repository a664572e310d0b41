package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// ResolveModel finds the model a person names: its canonical id
// ("meta/llama-3.2-1b-instruct"), that id in any case, or an id a source
// uses for it (OpenRouter's "meta-llama/llama-3.2-1b-instruct", the
// Hugging Face repository "meta-llama/Llama-3.2-1B-Instruct", Bedrock's
// "meta.llama3-2-1b-instruct-v1:0"), in any case. It returns the canonical
// id; ok is false when nothing matches. An id two models' sources use
// (rare: an alias table's mistake) is an error naming both.
func (s *Snapshot) ResolveModel(name string) (id string, ok bool, err error) {
	if _, found := s.Models[name]; found {
		return name, true, nil
	}
	var byID, byAlias []string
	for mid, m := range s.Models {
		if strings.EqualFold(mid, name) {
			byID = append(byID, mid)
			continue
		}
		for _, a := range m.Aliases {
			if strings.EqualFold(a.ID, name) {
				byAlias = append(byAlias, mid)
				break
			}
		}
	}
	for _, found := range [][]string{byID, byAlias} {
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], true, nil
		default:
			slices.Sort(found)
			return "", false, fmt.Errorf("%q names more than one model: %s", name, strings.Join(found, ", "))
		}
	}
	return "", false, nil
}
