package schema_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/export/schema"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/internal/fixturetest"
)

func TestSchemasCompile(t *testing.T) {
	if err := schema.Compile(); err != nil {
		t.Fatal(err)
	}
	names, _ := schema.Names()
	for _, k := range schema.Kinds {
		found := false
		for _, n := range names {
			found = found || n == k.Schema
		}
		if !found {
			t.Errorf("kind %s: schema %s is not embedded", k.Pattern, k.Schema)
		}
	}
}

// demoTree publishes the bundled fixture days, as `llmref demo` does, and
// returns the tree's folder.
func demoTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "export")
	for _, day := range fixtures.Days() {
		fixturetest.Replay(t, filepath.Join(dir, "llmref.db"), out, day)
	}
	return out
}

// TestDemoTreeValidates checks every file of the demo's exported tree
// against its kind's schema: a file of a kind without a schema fails too.
func TestDemoTreeValidates(t *testing.T) {
	out := demoTree(t)
	root, err := filepath.EvalSymlinks(out)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(rel, schema.Dir+"/") {
			kinds["schema"]++
			if !json.Valid(data) {
				t.Errorf("%s: not JSON", rel)
			}
			return nil
		}
		kinds[schema.SchemaFor(rel)]++
		if err := schema.Check(rel, data); err != nil {
			t.Errorf("%s: %v", rel, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"index.schema.json", "models.schema.json", "providers.schema.json", "offerings.schema.json",
		"unmatched.schema.json", "freshness.schema.json", "model.schema.json", "comparisons.schema.json", "comparison.schema.json"} {
		if kinds[want] == 0 {
			t.Errorf("the demo's tree has no file of kind %s", want)
		}
	}
	if kinds["comparison.schema.json"] < 2 {
		t.Errorf("%d comparison records validated; want every pair", kinds["comparison.schema.json"])
	}
	names, _ := schema.Names()
	if kinds["schema"] != len(names) {
		t.Errorf("%d schemas in the tree, %d embedded", kinds["schema"], len(names))
	}
	// The tree agrees with its index and manifests, file by file.
	problems, err := export.Verify(out, schema.Validate)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestSchemasReject feeds the schemas what the contract forbids.
func TestSchemasReject(t *testing.T) {
	bad := []struct{ name, rel, doc string }{
		{"model missing its facts", "models/a--b.json", `{"schema_version":2,"model":{"id":"a/b","creator":"a","name":{"status":"maybe"}},"offerings":[]}`},
		{"fixed price without its amount", "offerings.json", `{"schema_version":2,"offerings":[{"model":"a/b","provider":"p","provider_model_id":"x",
			"input":{"status":"sourced","value":{"kind":"fixed"},"source":{"name":"s","url":"u","authority":"provider"},"reviewed_at":null},
			"output":{"status":"not_yet_sourced","reviewed_at":null},"cached_input":{"status":"not_yet_sourced","reviewed_at":null},
			"cache_write":{"status":"not_yet_sourced","reviewed_at":null},"batch_input":{"status":"not_yet_sourced","reviewed_at":null},
			"batch_output":{"status":"not_yet_sourced","reviewed_at":null},"context":{"status":"not_yet_sourced","reviewed_at":null},
			"max_output":{"status":"not_yet_sourced","reviewed_at":null}}]}`},
		{"offering missing its facts", "offerings.json", `{"schema_version":2,"offerings":[{"model":"a/b","provider":"p","provider_model_id":"x",
			"input":{"status":"sourced","value":{"kind":"free","usd_per_mtok":0},"source":{"name":"s","url":"u","authority":"provider"},"reviewed_at":null}}]}`},
		{"index generated_at not a time", "index.json", `{"schema_version":2,"generated_at":"yesterday","run":1,"counts":{},"files":[]}`},
		{"freshness retrieved_at not a time", "freshness.json", `{"schema_version":2,"sources":[{"source":"s","pages":1,"facts":1,"conflicts":0,"stale_facts":0,"retrieved_at":"yesterday","oldest_retrieved_at":null}]}`},
		{"freshness of schema version 1", "freshness.json", `{"schema_version":1,"sources":[]}`},
		// coverage.json: a sourced cell without its source, an unsourced one naming one, an unknown kind.
		{"coverage sourced cell without its source", "coverage.json", `{"schema_version":2,"fields":[],"totals":[],"creators":[],"all":{"of":1,"sourced":1,"by":{"creator":1,"provider":0,"aggregator":0,"cross-check":0}},
			"models":[{"id":"a/b","creator":"a","sourced":1,"cells":[{"field":"released","sourced":true,"by":"creator"}]}]}`},
		{"coverage unsourced cell naming a source", "coverage.json", `{"schema_version":2,"fields":[],"totals":[],"creators":[],"all":{"of":1,"sourced":0,"by":{"creator":0,"provider":0,"aggregator":0,"cross-check":0}},
			"models":[{"id":"a/b","creator":"a","sourced":0,"cells":[{"field":"released","sourced":false,"source":"x"}]}]}`},
		{"coverage of an unknown authority", "coverage.json", `{"schema_version":2,"fields":["released"],"totals":[{"field":"released","of":1,"sourced":1,"by":{"creator":0,"provider":0,"aggregator":0,"cross-check":0,"friend":1}}],
			"creators":[],"all":{"of":1,"sourced":0,"by":{"creator":0,"provider":0,"aggregator":0,"cross-check":0}},"models":[]}`},
		{"comparisons without pairs, a bad sha256", "comparisons.json", `{"schema_version":2,"blend":{"input_pct":70,"output_pct":30},"count":1,"generator":"g","models":[],
			"files":[{"path":"models/x.json","sha256":"00","bytes":1}]}`},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			if err := schema.Check(b.rel, []byte(b.doc)); err == nil {
				t.Errorf("%s accepted: %s", b.rel, b.doc)
			}
		})
	}
	if err := schema.Check("somewhere/else.json", []byte(`{}`)); !errors.Is(err, schema.ErrNoSchema) {
		t.Errorf("a path of no kind: %v; want ErrNoSchema", err)
	}
}
