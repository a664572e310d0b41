package refresh

import (
	"strings"
	"testing"
)

// TestTrackPolicy: patterns with a "/" match canonical ids, others
// creators; an empty include tracks everything; exclude wins.
func TestTrackPolicy(t *testing.T) {
	cases := []struct {
		name    string
		policy  TrackPolicy
		tracked []string
		not     []string
	}{
		{name: "default tracks everything", tracked: []string{"meta/llama-3.2-1b-instruct", "openai/gpt-5.3-codex"}},
		{name: "creator glob", policy: TrackPolicy{Include: []string{"meta", "mistral*"}},
			tracked: []string{"meta/llama-3.2-1b-instruct", "mistralai/mistral-small"}, not: []string{"openai/gpt-5.3-codex"}},
		{name: "id glob, case-insensitive", policy: TrackPolicy{Include: []string{"*/Llama-3*"}},
			tracked: []string{"meta/llama-3.2-1b-instruct"}, not: []string{"meta/llama-4-scout"}},
		{name: "exclude wins", policy: TrackPolicy{Include: []string{"openai"}, Exclude: []string{"*/*-preview"}},
			tracked: []string{"openai/gpt-5.3-codex"}, not: []string{"openai/o1-preview", "qwen/qwen3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, pat := range append(c.policy.Include, c.policy.Exclude...) {
				if err := CheckTrackPattern(pat); err != nil {
					t.Fatal(err)
				}
			}
			for _, id := range c.tracked {
				if !c.policy.Tracks(id) {
					t.Errorf("%s not tracked", id)
				}
			}
			for _, id := range c.not {
				if c.policy.Tracks(id) {
					t.Errorf("%s tracked", id)
				}
			}
		})
	}
	for pat, want := range map[string]string{"a/b/c": `"a/b/c": a pattern is creator or creator/slug`, "[x": `"[x": syntax error`, " ": "empty pattern"} {
		t.Run(pat, func(t *testing.T) {
			if err := CheckTrackPattern(pat); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("CheckTrackPattern(%q): %v; want %q", pat, err, want)
			}
		})
	}
}
