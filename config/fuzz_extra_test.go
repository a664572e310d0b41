package config

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// goWords are the marks of an error written in Go's words rather than the
// file's: type names, YAML tags, the decoder's phrasing.
var goWords = regexp.MustCompile(`config\.[A-Za-z]|time\.Duration|\*?yaml\.|!!(str|int|bool|float|map|seq|null)|cannot unmarshal|not found in type|reflect\.|\bstruct\b|\[\]string|map\[`)

// FuzzParse: a configuration file is an operator's text; any bytes give a
// configuration that validates or an error, never a panic (cron specs, time
// zones and selectors are all checked at load). Every error is placed at a
// line of the text (or at none), says what is wrong in the file's words,
// and never in Go's.
func FuzzParse(f *testing.F) {
	f.Add("fetch:\n  parallelism: 4\n  timeout: 10s\nsources:\n  openai:\n    models: [gpt-5.3-codex]\n")
	f.Add("sources:\n  openrouter:\n    base_url: http://127.0.0.1:1\n  custom: []\n")
	f.Add("aliases:\n  foo: meta/llama-3.2-1b-instruct\n")
	f.Add("sources: {openai: {enabled: false}}\nfetch: {retries: 11}\n")
	f.Add("database: [\n")
	f.Add("fetch: &f {timeout: 1s}\nreview: {<<: *f}\n")
	files, _ := filepath.Glob("testdata/*.yml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, doc string) {
		c, err := Parse(strings.NewReader(doc))
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Errorf("an empty error for %q", doc)
			}
			if m := goWords.FindString(err.Error()); m != "" && !strings.Contains(doc, m) {
				t.Errorf("%q in the error for %q: %v", m, doc, err)
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("error %T for %q: %v", err, doc, err)
			}
			// YAML breaks lines at LF, CR, CRLF, NEL, LS and PS
			lines := 1 + strings.Count(doc, "\n") + strings.Count(doc, "\r") + strings.Count(doc, "\u0085") + strings.Count(doc, "\u2028") + strings.Count(doc, "\u2029")
			for _, e := range es {
				if e.Line < 0 || e.Line > lines || e.Column < 0 || e.Msg == "" {
					t.Errorf("error %+v for a text of %d lines: %q", e, lines, doc)
				}
			}
			return
		}
		if c.Database == "" {
			t.Errorf("a valid configuration without a database path: %q", doc)
		}
	})
}
