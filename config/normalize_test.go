package config

import (
	"strings"
	"testing"

	"github.com/llmref/llmref/normalize"
)

// TestNormalizeDiscrepancy checks that normalize.discrepancy_pct reaches the
// settings the refresh run passes to normalisation, and the fingerprint the
// run records.
func TestNormalizeDiscrepancy(t *testing.T) {
	fingerprints := map[string]string{}
	for _, tt := range []struct {
		name, doc string
		want      normalize.Percent
	}{
		{"default", "", normalize.DefaultDiscrepancy},
		{"decimal", "normalize:\n  discrepancy_pct: 12.5\n", 1250},
		{"percent sign", "normalize:\n  discrepancy_pct: 30%\n", 3000},
		{"off", "normalize:\n  discrepancy_pct: off\n", -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(strings.NewReader(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			s := c.Normalization()
			if got := s.Discrepancy(); got != tt.want {
				t.Errorf("discrepancy %d, want %d", got, tt.want)
			}
			if other, dup := fingerprints[s.Fingerprint()]; dup {
				t.Errorf("fingerprint %s, as for %q", s.Fingerprint(), other)
			}
			fingerprints[s.Fingerprint()] = tt.doc
		})
	}
}
