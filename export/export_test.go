package export

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/treetest"
)

func sampleSnapshot() *catalog.Snapshot {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	src := catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityProvider}
	s := catalog.NewSnapshot()
	s.Models["meta/llama-3.2-1b-instruct"] = &catalog.Model{ID: "meta/llama-3.2-1b-instruct", Creator: "meta",
		Name:         catalog.Fact[string]{Value: "Llama 3.2 1B Instruct", Display: "Llama 3.2 1B Instruct", Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)},
		Capabilities: map[catalog.Capability]catalog.Fact[bool]{}}
	s.Models["openai/gpt-5.3-codex"] = &catalog.Model{ID: "openai/gpt-5.3-codex", Creator: "openai", Capabilities: map[catalog.Capability]catalog.Fact[bool]{}}
	o := &catalog.Offering{ModelID: "meta/llama-3.2-1b-instruct", Provider: "openrouter", ProviderModelID: "meta-llama/llama-3.2-1b-instruct",
		Input: catalog.Fact[catalog.Price]{Value: catalog.Fixed(27_000), Display: "$0.027", Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}}
	s.Offerings[o.Key()] = o
	return s
}

func TestWriteDeterministicAndAtomic(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "site")
	run := catalog.Run{ID: 7, FinishedAt: time.Date(2026, 4, 23, 2, 0, 5, 0, time.UTC)}
	st1, err := Write(out, sampleSnapshot(), run)
	if err != nil {
		t.Fatal(err)
	}
	if st1.Written != st1.Files || st1.Files != 8 {
		t.Errorf("first export %+v", st1)
	}
	first := treetest.Read(t, out+"/")
	fi, _ := os.Lstat(out)
	if fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("%s is not a symbolic link", out)
	}
	mtime := func(rel string) time.Time {
		fi, err := os.Stat(filepath.Join(out, rel))
		if err != nil {
			t.Fatal(err)
		}
		return fi.ModTime()
	}
	before := mtime("models/meta--llama-3.2-1b-instruct.json")
	time.Sleep(20 * time.Millisecond)
	st2, err := Write(out, sampleSnapshot(), run)
	if err != nil {
		t.Fatal(err)
	}
	if st2.Written != 0 || st2.Unchanged != st2.Files {
		t.Errorf("same data again: %+v; want 0 files written", st2)
	}
	second := treetest.Read(t, out+"/")
	if len(first) != len(second) {
		t.Fatalf("%d files then %d", len(first), len(second))
	}
	for p, b := range first {
		if !bytes.Equal(b, second[p]) {
			t.Errorf("%s differs between two exports of the same data", p)
		}
	}
	if !mtime("models/meta--llama-3.2-1b-instruct.json").Equal(before) {
		t.Error("an unchanged file got a new modification time")
	}
	// Every JSON file has sorted keys and ends in a newline.
	for p, b := range second {
		if !strings.HasSuffix(string(b), "\n") {
			t.Errorf("%s: no final newline", p)
		}
		checkSortedKeys(t, p, b)
	}
	// The index lists every other file with its hash.
	var idx Index
	if err := json.Unmarshal(second["index.json"], &idx); err != nil {
		t.Fatal(err)
	}
	if len(idx.Files) != len(second)-1 || idx.Run != 7 {
		t.Errorf("index %+v", idx)
	}
	// Old generations are pruned: the current and the one before remain.
	for i := 0; i < 3; i++ {
		if _, err := Write(out, sampleSnapshot(), catalog.Run{ID: uint64(8 + i), FinishedAt: run.FinishedAt}); err != nil {
			t.Fatal(err)
		}
	}
	gens, _ := os.ReadDir(filepath.Join(root, ".site.generations"))
	if len(gens) != 2 {
		t.Errorf("%d generations kept, want 2", len(gens))
	}
}

// checkSortedKeys fails if any JSON object in b has keys out of order.
func checkSortedKeys(t *testing.T, name string, b []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	var stack []string // last key per open object; "\x00" marks an array
	expectKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, "")
				expectKey = true
				continue
			case '[':
				stack = append(stack, "\x00")
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
		case string:
			if expectKey && len(stack) > 0 && stack[len(stack)-1] != "\x00" {
				if v < stack[len(stack)-1] {
					t.Errorf("%s: key %q after %q", name, v, stack[len(stack)-1])
				}
				stack[len(stack)-1] = v
				expectKey = false
				continue
			}
		}
		expectKey = len(stack) > 0 && stack[len(stack)-1] != "\x00"
	}
}

func TestWriteRefusesForeignDir(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	os.MkdirAll(out, 0o755)
	os.WriteFile(filepath.Join(out, "mine.txt"), []byte("keep"), 0o644)
	if _, err := Write(out, sampleSnapshot(), catalog.Run{}); err == nil {
		t.Fatal("exported over a directory llmref did not publish")
	}
	if b, _ := os.ReadFile(filepath.Join(out, "mine.txt")); string(b) != "keep" {
		t.Error("the foreign directory was changed")
	}
	if beside, _ := os.ReadDir(filepath.Dir(out)); len(beside) != 1 {
		t.Errorf("a refused publish left %d entries beside the folder, want none but it", len(beside)-1)
	}
	// A path that is no folder of its own: the working folder, its
	// parent, the root. Refused, nothing made (a lock file in /, before).
	for _, bad := range []string{".", "..", "./", string(filepath.Separator)} {
		if _, err := Write(bad, sampleSnapshot(), catalog.Run{}); err == nil || !strings.Contains(err.Error(), "cannot be published to") {
			t.Errorf("--out %q: %v", bad, err)
		}
	}
	empty := filepath.Join(t.TempDir(), "empty")
	os.MkdirAll(empty, 0o755)
	if _, err := Write(empty, sampleSnapshot(), catalog.Run{}); err != nil {
		t.Errorf("empty directory: %v", err)
	}
}

func TestAbortLeavesPublishedTree(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	if _, err := Write(out, sampleSnapshot(), catalog.Run{ID: 1}); err != nil {
		t.Fatal(err)
	}
	before := treetest.Read(t, out+"/")
	tr, err := Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Put("models.json", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	tr.Abort()
	after := treetest.Read(t, out+"/")
	for p, b := range before {
		if !bytes.Equal(b, after[p]) {
			t.Errorf("%s changed after an aborted generation", p)
		}
	}
	if err := tr.Put("x.json", nil); err == nil {
		t.Error("put after abort accepted")
	}
}

func TestCanonical(t *testing.T) {
	b, err := Canonical(map[string]any{"b": 1, "a": []any{"<x>", json.Number("0.027")}})
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": [\n    \"<x>\",\n    0.027\n  ],\n  \"b\": 1\n}\n"
	if string(b) != want {
		t.Errorf("Canonical = %q, want %q", b, want)
	}
}

// TestProvidersCountModelsOnce: providers.json counts a model once per
// provider however many offerings (regions, variants) it has there, and
// every offering.
func TestProvidersCountModelsOnce(t *testing.T) {
	s := sampleSnapshot()
	for _, o := range []*catalog.Offering{
		{ModelID: "openai/gpt-5.3-codex", Provider: "azure", Region: "eu"},
		{ModelID: "openai/gpt-5.3-codex", Provider: "azure", Region: "us"},
		{ModelID: "openai/gpt-5.3-codex", Provider: "openrouter"},
		{ModelID: "meta/llama-3.2-1b-instruct", Provider: "openrouter", Variant: ":free"},
	} {
		s.Offerings[o.Key()] = o
	}
	out := filepath.Join(t.TempDir(), "site")
	if _, err := Write(out, s, catalog.Run{ID: 1, FinishedAt: time.Date(2026, 4, 23, 2, 0, 5, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "providers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Providers []ProviderSummary `json:"providers"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int{}
	for _, p := range doc.Providers {
		got[p.ID] = [2]int{p.Models, p.Offerings}
	}
	want := map[string][2]int{"azure": {1, 2}, "openrouter": {2, 3}}
	if len(got) != len(want) || got["azure"] != want["azure"] || got["openrouter"] != want["openrouter"] {
		t.Errorf("providers (models, offerings) %v; want %v", got, want)
	}
}
