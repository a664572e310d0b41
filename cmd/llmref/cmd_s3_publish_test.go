package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/objstore/s3test"
	"github.com/llmref/llmref/publish"
)

// publishedFile reads the file at the tree path p as a site does: the
// pointer at PREFIX/current.json, the index it names, the entry for p
// (in the index or in a manifest it lists), then the object of its hash.
func publishedFile(t *testing.T, srv *s3test.Server, prefix, p string) []byte {
	t.Helper()
	get := func(key string) []byte {
		t.Helper()
		data, ok := srv.Object(t, prefix+"/"+key)
		if !ok {
			t.Fatalf("%s/%s: not in the bucket", prefix, key)
		}
		return data
	}
	var ptr publish.Pointer
	if err := json.Unmarshal(get(publish.PointerFile), &ptr); err != nil {
		t.Fatal(err)
	}
	var idx export.Index
	if err := json.Unmarshal(get(ptr.Index), &idx); err != nil {
		t.Fatal(err)
	}
	entries := idx.Files
	for _, m := range idx.Manifests {
		for _, e := range idx.Files {
			if e.Path != m {
				continue
			}
			err := export.ReadManifest(bytes.NewReader(get(publish.ObjectKey(e.SHA256, e.Path))), func(f export.FileEntry) error {
				entries = append(entries, f)
				return nil
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, e := range entries {
		if e.Path == p {
			return get(publish.ObjectKey(e.SHA256, e.Path))
		}
	}
	t.Fatalf("generation %s lists no %s", ptr.Generation, p)
	return nil
}

// generationsStored are the generation folders under PREFIX/generations/.
func generationsStored(t *testing.T, srv *s3test.Server, prefix string) map[string]bool {
	t.Helper()
	gens := map[string]bool{}
	for _, k := range srv.Keys(t, prefix+"/generations/") {
		rest := strings.TrimPrefix(k, prefix+"/generations/")
		if g, _, ok := strings.Cut(rest, "/"); ok {
			gens[g] = true
		}
	}
	return gens
}

// TestRefreshAndDecisionsPublishToObjectStorage: with export.dir
// s3://BUCKET/PREFIX in the configuration, refresh, approve, reject and
// the daemon's review approval each publish to the bucket (readers find
// the new values through the pointer, every object whole), check verifies
// the published tree, and pruning keeps export.keep_generations.
func TestRefreshAndDecisionsPublishToObjectStorage(t *testing.T) {
	const prefix = "site/v1"
	srv := s3test.Start(t, "llmref")
	env := s3Env(t, srv)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "llmref.yaml")
	yaml := fmt.Sprintf("database: %s\nexport:\n  dir: s3://llmref/%s\n  keep_generations: 2\n  s3:\n    grace: 0s\n", filepath.Join(dir, "llmref.db"), prefix)
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	price := func(model, field string) string {
		t.Helper()
		var doc struct {
			Offerings []struct {
				Model, Provider, Variant string
				Input, Output            json.RawMessage
			}
		}
		if err := json.Unmarshal(publishedFile(t, srv, prefix, "offerings.json"), &doc); err != nil {
			t.Fatal(err)
		}
		for _, o := range doc.Offerings {
			if o.Model == model && o.Provider == "openrouter" && o.Variant == "" {
				if field == "input" {
					return string(o.Input)
				}
				return string(o.Output)
			}
		}
		t.Fatalf("no OpenRouter offering of %s published", model)
		return ""
	}

	// Refresh: each run publishes a generation.
	code, out, errs := llmref(t, "refresh", "--config", cfg, "--source", "openrouter", "--replay", "2026-04-24")
	if code != 0 || !strings.Contains(out, "exported s3://llmref/"+prefix+": ") {
		t.Fatalf("refresh: exit %d: %s%s", code, out, errs)
	}
	first := reader(t, srv, prefix)
	if first == "" {
		t.Fatal("the refresh published nothing")
	}
	anomalies := filepath.Join("..", "..", "refresh", "testdata", "days", "2026-04-25-anomalies")
	if code, _, errs := llmref(t, "refresh", "--config", cfg, "--source", "openrouter", "--replay", anomalies, "-q"); code != 0 {
		t.Fatalf("refresh of the anomalies: exit %d: %s", code, errs)
	}
	second := reader(t, srv, prefix)
	if second == first {
		t.Fatalf("the second refresh left readers on %s", first)
	}
	if p := price("openai/gpt-oss-20b", "output"); !strings.Contains(p, `"micro_usd_per_mtok": 140000`) {
		t.Fatalf("a held price reached the bucket: %s", p)
	}

	// The holds, decided from the command line.
	code, out, errs = llmref(t, "review", "--format", "json", "--config", cfg)
	if code != 0 {
		t.Fatalf("review: exit %d: %s", code, errs)
	}
	var held []catalog.Hold
	if err := json.Unmarshal([]byte(out), &held); err != nil {
		t.Fatalf("review --format json: %v\n%s", err, out)
	}
	id := func(model, field string) string {
		t.Helper()
		key := "price:" + catalog.OfferingKey(model, "openrouter", "", "") + "#" + field
		for _, h := range held {
			if h.Key == key {
				return fmt.Sprint(h.ID)
			}
		}
		t.Fatalf("no hold %s among %d", key, len(held))
		return ""
	}
	zero, slip := id("openai/gpt-oss-20b", "output"), id("meta/llama-3.2-1b-instruct", "input")
	code, out, errs = llmref(t, "approve", zero, "--note", "OpenRouter made it free", "--config", cfg)
	if code != 0 || !strings.Contains(out, "approved #"+zero) {
		t.Fatalf("approve: exit %d: %s%s", code, out, errs)
	}
	third := reader(t, srv, prefix)
	if third == second {
		t.Fatalf("approve left readers on %s", second)
	}
	if p := price("openai/gpt-oss-20b", "output"); !strings.Contains(p, `"kind": "free"`) {
		t.Errorf("the approved price is not in the bucket: %s", p)
	}
	code, out, errs = llmref(t, "reject", slip, "--note", "per-1K price read as per-token", "--config", cfg)
	if code != 0 || !strings.Contains(out, "rejected #"+slip) {
		t.Fatalf("reject: exit %d: %s%s", code, out, errs)
	}
	fourth := reader(t, srv, prefix)
	if fourth == third {
		t.Errorf("reject published nothing (its decision belongs in changes/)")
	}
	if p := price("meta/llama-3.2-1b-instruct", "input"); !strings.Contains(p, `"micro_usd_per_mtok": 27000`) {
		t.Errorf("the rejected price reached the bucket: %s", p)
	}
	if gens := generationsStored(t, srv, prefix); len(gens) != 2 || !gens[fourth] || !gens[third] {
		t.Errorf("keep_generations 2 with no grace: stored %v, want %s and %s", gens, fourth, third)
	}

	// The daemon's review page publishes there too.
	var breakage uint64
	for _, h := range held {
		if h.Kind == catalog.HoldBreakage {
			breakage = h.ID
		}
	}
	if breakage == 0 {
		t.Fatalf("no breakage hold among %+v", held)
	}
	token := "s3-test-token-0123456789"
	d := startDaemon(t, append(env, "LLMREF_TOKEN="+token), "--config", cfg, "serve", "--addr", "127.0.0.1:0")
	body := fmt.Sprintf(`{"ids":[%d],"note":"OpenRouter really dropped them"}`, breakage)
	req, _ := http.NewRequest("POST", d.url+"/review/approve", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("approve through the daemon: %d %s\n%s", resp.StatusCode, b, d.stderr)
	}
	d.stop(t)
	fifth := reader(t, srv, prefix)
	if fifth == fourth {
		t.Fatalf("the daemon's approval left readers on %s:\n%s", fourth, d.stderr)
	}
	var doc struct {
		Offerings []struct{ Provider string }
	}
	if err := json.Unmarshal(publishedFile(t, srv, prefix, "offerings.json"), &doc); err != nil {
		t.Fatal(err)
	}
	if n := len(doc.Offerings); n == 0 {
		t.Error("the approved breakage published no offerings at all")
	}

	// check verifies the configured bucket, and says so.
	if code, out, errs := llmref(t, "check", "--config", cfg); code != 0 || !strings.Contains(out, "export s3://llmref/"+prefix+": ok") {
		t.Errorf("check: exit %d: %s%s", code, out, errs)
	}
}

// TestRefreshSaysWhenTheBucketRefuses: a bucket that refuses every upload
// fails the refresh after its commit, saying so in one line, and leaves
// nothing published; the next refresh, with the bucket back, publishes.
func TestRefreshSaysWhenTheBucketRefuses(t *testing.T) {
	const prefix = "site/v1"
	srv := s3test.Start(t, "llmref")
	s3Env(t, srv)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "llmref.yaml")
	yaml := fmt.Sprintf("database: %s\nexport:\n  dir: s3://llmref/%s\n  s3:\n    retries: 1\n", filepath.Join(dir, "llmref.db"), prefix)
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	srv.Fail(func(r *http.Request) int {
		if r.Method == http.MethodPut {
			return http.StatusForbidden
		}
		return 0
	})
	code, _, errs := llmref(t, "refresh", "--config", cfg, "--source", "openrouter", "--replay", "2026-04-24", "-q")
	if code != 1 || !strings.Contains(errs, "run 1 committed, but publish s3://llmref/"+prefix+": ") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("refresh into a refusing bucket: exit %d, stderr %q; want exit 1 and one line", code, errs)
	}
	if gen := reader(t, srv, prefix); gen != "" {
		t.Fatalf("a refused publish left a pointer to %s", gen)
	}
	srv.Fail(nil)
	if code, _, errs := llmref(t, "refresh", "--config", cfg, "--source", "openrouter", "--replay", "2026-04-24", "-q"); code != 0 {
		t.Fatalf("refresh with the bucket back: exit %d: %s", code, errs)
	}
	if gen := reader(t, srv, prefix); gen == "" {
		t.Fatal("nothing published once the bucket took uploads")
	}
}
