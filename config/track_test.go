package config

import (
	"strings"
	"testing"
)

// TestTrackConfig reads track: and names a bad pattern by its setting
// and line.
func TestTrackConfig(t *testing.T) {
	c, err := Parse(strings.NewReader("track:\n  include: [meta, \"qwen/*\"]\n  exclude: [\"*/*-preview\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Track.Policy()
	if !p.Tracks("qwen/qwen3-coder") || p.Tracks("meta/llama-4-preview") || p.Tracks("openai/gpt-5") {
		t.Errorf("policy %+v", p)
	}
	_, err = Parse(strings.NewReader("track:\n  include:\n    - meta\n    - a/b/c\n"))
	if err == nil || !strings.Contains(err.Error(), "line 4") || !strings.Contains(err.Error(), "track.include[1]") {
		t.Errorf("bad pattern: %v; want track.include[1] at line 4", err)
	}
}
