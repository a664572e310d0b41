// Package fixturetest runs the real pipeline over fixture days for the tests
// of the packages above refresh (serve, the command, the browser tests) and
// derives test-only variants of the bundled days, so those tests share one
// definition of each.
package fixturetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

// Replay runs one refresh of the database at db from a fixture day (a
// bundled day's name or a folder) with the default configuration's sources,
// through the real collector, normaliser and store, at the day's recording
// time, and publishes the tree to exportDir. A run that fails as a whole
// fails the test; a partial one returns its result.
func Replay(t testing.TB, db, exportDir, day string) *refresh.Result {
	t.Helper()
	return ReplaySources(t, db, exportDir, day)
}

// ReplaySources is Replay reading only the sources named in only (all of
// them when none is named), as `refresh --source` does: a layout day
// answers for one source, and the others keep what they said before.
func ReplaySources(t testing.TB, db, exportDir, day string, only ...string) *refresh.Result {
	t.Helper()
	cfg := config.Default()
	srcs, err := cfg.BuildSources()
	if err != nil {
		t.Fatal(err)
	}
	fsys, name, err := fixtures.Open(day)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := scrapers.NewReplay(fsys)
	if err != nil {
		t.Fatal(err)
	}
	at := rt.Manifest().RecordedAt
	o := refresh.Options{Sources: srcs, Only: only, Fetch: cfg.FetchOptions(), Normalization: cfg.Normalization(), Publisher: cfg.Publisher(exportDir), Replay: name, Now: func() time.Time { return at }}
	o.Fetch.Transport = rt
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := refresh.Run(context.Background(), st, o)
	if res == nil {
		t.Fatalf("replay %s: %v", day, err)
	}
	return res
}

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

// Hostile strings a source could send, as HostileDay plants them.
const (
	// HostileTerminal retitles the terminal (OSC 0) and clears the screen.
	HostileTerminal = "\x1b]0;pwned\x07\x1b[2J"
	// HostileMarkdown would start a heading, a code span and an HTML
	// image with a script in a Markdown report.
	HostileMarkdown = "\n# heading `x` <img src=x onerror=alert(1)>"
)

// HostileDay writes the bundled day 2026-04-24 under t.TempDir() with
// hostile text in OpenRouter's model list, and returns its directory: Grok
// 4.1 Fast is named "Grok" + HostileTerminal + " 4.1 Fast" and its output
// price slips ×1000 (held); gpt-oss-120b's name ends in HostileMarkdown
// and its output moves +5.6% (published); and a model whose id and name
// carry both is added (an unmatched id).
func HostileDay(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "2026-04-24-hostile")
	edits := []struct{ was, now string }{
		{`"name":"xAI: Grok 4.1 Fast"`, `"name":` + jsonString("xAI: Grok"+HostileTerminal+" 4.1 Fast")},
		{`"pricing":{"prompt":"0.0000002","completion":"0.0000005"`, `"pricing":{"prompt":"0.0000002","completion":"0.0005"`},
		{`"name":"OpenAI: gpt-oss-120b"`, `"name":` + jsonString("OpenAI: gpt-oss-120b"+HostileMarkdown)},
		{`"pricing":{"prompt":"0.000000039","completion":"0.00000018"`, `"pricing":{"prompt":"0.000000039","completion":"0.00000019"`},
		{`{"data":[`, `{"data":[{"id":` + jsonString("evil/x"+HostileMarkdown+HostileTerminal) + `,"name":` + jsonString("Evil"+HostileMarkdown+HostileTerminal) +
			`,"created":1727222400,"context_length":8192,"architecture":{"modality":"text->text","input_modalities":["text"],"output_modalities":["text"]},"pricing":{"prompt":"0.0000001","completion":"0.0000002"}},`},
	}
	err := fixtures.CopyDay("2026-04-24", dir, func(p string, b []byte) ([]byte, error) {
		if p != SlipPath {
			return b, nil
		}
		for _, e := range edits {
			if !bytes.Contains(b, []byte(e.was)) {
				return nil, fmt.Errorf("fixture changed: %s not found", e.was)
			}
			b = bytes.Replace(b, []byte(e.was), []byte(e.now), 1)
		}
		return b, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// jsonString writes s as a JSON string.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a string always marshals
	}
	return string(b)
}
