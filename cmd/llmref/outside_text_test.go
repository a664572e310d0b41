package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/llmref/llmref/internal/fixturetest"
)

// controlChar finds a control character other than newline: C0, DEL, C1,
// and the bidirectional overrides.
var controlChar = regexp.MustCompile("[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]")

// TestOutsideTextInert replays a day whose OpenRouter model list carries
// an OSC title and a clear-screen in a model's name, and a newline, a
// heading, a backtick and an <img onerror> in another name and in a new
// id, through the real pipeline; then every command that prints what the
// sources said prints it inert: no control byte reaches the terminal, and
// the Markdown report has no injected heading, code span or HTML.
func TestOutsideTextInert(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "llmref.db")
	for _, day := range []string{"2026-04-23", fixturetest.HostileDay(t)} {
		if code, _, errs := llmref(t, "refresh", "--replay", day, "--db", db, "-q"); code != 0 && code != exitPartial {
			t.Fatalf("refresh %s: exit %d %s", day, code, errs)
		}
	}
	outputs := map[string]string{}
	for _, args := range [][]string{
		{"models"},
		{"changes"},
		{"changes", "--format", "html"},
		{"compare", "xai/grok-4.1-fast", "openai/gpt-oss-120b", "--format", "text"},
		{"review"},
		{"history", "xai/grok-4.1-fast"},
		{"compare", "openai/gpt-oss-120b", "evil/x"},
	} {
		code, out, errs := llmref(t, append(args, "--db", db)...)
		name := strings.Join(args[:min(len(args), 3)], " ")
		if code != 0 && !strings.HasPrefix(name, "compare openai/gpt-oss-120b evil") {
			t.Fatalf("%s: exit %d %s", name, code, errs)
		}
		outputs[name], outputs[name+" (stderr)"] = out, errs
	}
	for name, out := range outputs {
		if loc := controlChar.FindStringIndex(out); loc != nil {
			t.Errorf("%s prints a raw control character: %q", name, out[max(0, loc[0]-30):min(len(out), loc[1]+30)])
		}
		if !utf8.ValidString(out) {
			t.Errorf("%s prints bytes that are not UTF-8", name)
		}
	}
	// The hostile name is shown, escaped, where the model is listed.
	const shown = `Grok\x1b]0;pwned\x07\x1b[2J 4.1 Fast`
	for _, name := range []string{"models", "review", "compare xai/grok-4.1-fast openai/gpt-oss-120b"} {
		if !strings.Contains(outputs[name], shown) {
			t.Errorf("%s does not show the name escaped (%s):\n%s", name, shown, outputs[name])
		}
	}
	md := outputs["changes"]
	text := regexp.MustCompile("`{2,}[^`].*?`{2,}").ReplaceAllString(md, "") // code spans show their text as it is
	for i, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "# llmref changes") && !strings.HasPrefix(line, "## ") || strings.Contains(line, "## heading") {
			t.Errorf("changes: line %d is an injected heading: %q", i+1, line)
		}
		if strings.HasPrefix(line, "| ") && strings.Count(strings.ReplaceAll(line, `\|`, ""), " | ") < 2 {
			t.Errorf("changes: line %d is a broken table row: %q", i+1, line)
		}
	}
	if regexp.MustCompile(`(^|[^\\])<img`).MatchString(text) || regexp.MustCompile("(^|[^\\\\])`x").MatchString(text) {
		t.Errorf("changes: HTML or a code span injected:\n%s", md)
	}
	for _, want := range []string{`Grok\\x1b\]0;pwned\\x07\\x1b\[2J 4.1 Fast`, "gpt-oss-120b # heading \\`x\\` \\<img src=x onerror=alert(1)>"} {
		if !strings.Contains(md, want) {
			t.Errorf("changes lacks %q:\n%s", want, md)
		}
	}
	if h := outputs["changes --format html"]; strings.Contains(h, "<img") || !strings.Contains(h, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the HTML report does not escape the name:\n%s", h)
	}
}
