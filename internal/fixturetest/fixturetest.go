// Package fixturetest runs the real pipeline over fixture days for the tests
// of the packages above refresh (serve, the command, the browser tests) and
// derives test-only variants of the bundled days, so those tests share one
// definition of each.
package fixturetest

import (
	"bytes"
	"context"
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
	o := refresh.Options{Sources: srcs, Only: only, Fetch: cfg.FetchOptions(), Normalization: cfg.Normalization(), Track: cfg.Track.Policy(), Publisher: cfg.Publisher(exportDir), Replay: name, Now: func() time.Time { return at }}
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
