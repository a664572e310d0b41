package config

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoodFiles loads every testdata/good file.
func TestGoodFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.yaml")
	if len(files) == 0 {
		t.Fatal("no good cases")
	}
	for _, f := range files {
		c, err := Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if _, err := c.BuildSources(); err != nil {
			t.Errorf("%s: sources: %v", f, err)
		}
	}
}

// TestBadFiles checks that every testdata/bad file fails, naming what its
// first line's "# want:" says.
func TestBadFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	if len(files) == 0 {
		t.Fatal("no bad cases")
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		first, _ := bufio.NewReader(fh).ReadString('\n')
		fh.Close()
		want, ok := strings.CutPrefix(strings.TrimSpace(first), "# want: ")
		if !ok {
			t.Errorf("%s: first line must be \"# want: <text of the error>\"", f)
			continue
		}
		_, err = Load(f)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v; want it to contain %q", f, err, want)
		}
	}
}

func TestDefaults(t *testing.T) {
	c, err := Parse(strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := c.BuildSources()
	if err != nil || len(srcs) != len(SourceNames()) {
		t.Fatalf("%d sources, %v; want every registered source on by default", len(srcs), err)
	}
	if c.Database != DefaultDatabase {
		t.Errorf("database %q", c.Database)
	}
	full, err := Load("testdata/good/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s := full.Settings("openrouter").(*OpenRouterSettings); s.BaseURL != "http://127.0.0.1:9000" {
		t.Errorf("openrouter base_url %q", s.BaseURL)
	}
	if full.Settings("openai").On() {
		t.Error("openai enabled: false ignored")
	}
	if hf := full.Settings("huggingface").(*HuggingFaceSettings); len(hf.Repos) != 2 {
		t.Errorf("huggingface repos %v", hf.Repos)
	}
	if o := full.FetchOptions(); o.MaxRetries != 2 || o.Parallelism != 2 {
		t.Errorf("fetch options %+v", o)
	}
}
