// Package fixturetest derives test-only variants of the bundled fixture
// days, so the tests that need an anomaly share one definition of it.
package fixturetest

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/llmref/llmref/fixtures"
)

// SlipPath is the file of the bundled day that SlipDay edits.
const SlipPath = "openrouter.ai/api/v1/models.json"

// SlipDay writes the bundled day 2026-04-24 under t.TempDir() with Llama 3.2
// 1B Instruct's OpenRouter output price slipped ×1000 (0.000000201 →
// 0.000201 USD per token, $0.201 → $201 per 1M), which the review rules
// hold, and returns its directory for `refresh --replay`.
func SlipDay(t testing.TB) string {
	t.Helper()
	was := []byte(`"pricing":{"prompt":"0.000000027","completion":"0.000000201"}`)
	slipped := []byte(`"pricing":{"prompt":"0.000000027","completion":"0.000201"}`)
	dir := filepath.Join(t.TempDir(), "2026-04-24-slip")
	err := fixtures.CopyDay("2026-04-24", dir, func(p string, b []byte) ([]byte, error) {
		if p != SlipPath {
			return b, nil
		}
		if !bytes.Contains(b, was) {
			return nil, fmt.Errorf("fixture changed: %s not found", was)
		}
		return bytes.Replace(b, was, slipped, 1), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
