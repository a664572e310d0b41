package config

import (
	"reflect"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
)

func TestComparePairs(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want compare.PairPolicy
		err  string // "" = loads
	}{
		{"default", "compare:\n  blend:\n    input: 50\n    output: 50\n", compare.PairPolicy{}, ""},
		{"all", "compare:\n  pairs: all\n", compare.PairPolicy{}, ""},
		{"nearest", "compare:\n  pairs:\n    nearest: 10\n", compare.PairPolicy{Nearest: 10}, ""},
		{"groups", "compare:\n  pairs:\n    groups:\n      - name: llama\n        models: [\"meta/llama-3*\"]\n      - name: frontier\n        creators: [openai, anthropic]\n",
			compare.PairPolicy{Groups: []compare.Group{{Name: "llama", Models: []string{"meta/llama-3*"}}, {Name: "frontier", Creators: []string{"openai", "anthropic"}}}}, ""},
		{"a word other than all", "compare:\n  pairs: some\n", compare.PairPolicy{}, `"some": want all`},
		{"nothing set", "compare:\n  pairs: {}\n", compare.PairPolicy{}, "want nearest"},
		{"nearest zero", "compare:\n  pairs:\n    nearest: 0\n", compare.PairPolicy{}, "want nearest"},
		{"nearest negative", "compare:\n  pairs:\n    nearest: -2\n", compare.PairPolicy{}, "nearest -2"},
		{"both", "compare:\n  pairs:\n    nearest: 3\n    groups:\n      - name: g\n        models: [\"a/*\"]\n", compare.PairPolicy{}, "choose one"},
		{"no groups", "compare:\n  pairs:\n    groups: []\n", compare.PairPolicy{}, "no groups listed"},
		{"unnamed group", "compare:\n  pairs:\n    groups:\n      - models: [\"a/*\"]\n", compare.PairPolicy{}, "no name"},
		{"bad glob", "compare:\n  pairs:\n    groups:\n      - name: g\n        models: [\"a/[\"]\n", compare.PairPolicy{}, "malformed"},
		{"unknown key", "compare:\n  pairs:\n    closest: 3\n", compare.PairPolicy{}, "closest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(strings.NewReader(tt.yaml))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			o := c.Compare.Options()
			if !reflect.DeepEqual(o.Pairs, tt.want) {
				t.Errorf("pairs %+v, want %+v", o.Pairs, tt.want)
			}
			if p := c.Publisher(t.TempDir()); !reflect.DeepEqual(p.Compare.Pairs, tt.want) {
				t.Errorf("the publisher's pairs %+v, want %+v", p.Compare.Pairs, tt.want)
			}
			if tt.name == "default" && o.Blend != (catalog.Blend{InputPct: 50, OutputPct: 50}) {
				t.Errorf("blend %+v", o.Blend)
			}
		})
	}
}
