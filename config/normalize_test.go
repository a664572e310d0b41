package config

import (
	"strings"
	"testing"

	"github.com/llmref/llmref/normalize"
)

// TestNormalizeDiscrepancy checks that normalize.discrepancy_pct reaches the
// resolver the refresh run passes to normalisation.
func TestNormalizeDiscrepancy(t *testing.T) {
	for doc, want := range map[string]normalize.Percent{
		"":                                      0, // normalize.DefaultDiscrepancy
		"normalize:\n  discrepancy_pct: 12.5\n": 1250,
		"normalize:\n  discrepancy_pct: 30%\n":  3000,
		"normalize:\n  discrepancy_pct: off\n":  -1,
	} {
		c, err := Parse(strings.NewReader(doc))
		if err != nil {
			t.Errorf("%q: %v", doc, err)
			continue
		}
		if got := c.Resolver().Discrepancy(); got != want {
			t.Errorf("%q: resolver discrepancy %d, want %d", doc, got, want)
		}
	}
}
