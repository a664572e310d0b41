// Package testbin builds the real llmref binary, once per test binary, for
// the suites that run it as cron and operators do (internal/crashsuite,
// internal/damagesuite).
package testbin

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	once sync.Once
	dir  string
	bin  string
	err  error
)

// LLMRef returns the path of llmref built from this module (skipping the
// test when there is no go command). Call Cleanup from TestMain.
func LLMRef(t testing.TB) string {
	t.Helper()
	goBin, lerr := exec.LookPath("go") // go test puts its own first on PATH
	if lerr != nil {
		t.Skip("no go command to build llmref with")
	}
	statSources()
	once.Do(func() {
		if dir, err = os.MkdirTemp("", "llmref-bin-"); err != nil {
			return
		}
		bin = filepath.Join(dir, "llmref")
		if out, berr := exec.Command(goBin, "build", "-o", bin, "github.com/llmref/llmref/cmd/llmref").CombinedOutput(); berr != nil {
			err = fmt.Errorf("go build: %v\n%s", berr, out)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Cleanup removes the binary LLMRef built.
func Cleanup() {
	if dir != "" {
		os.RemoveAll(dir)
	}
}

// statSources stats every Go file, go.mod and go.sum of the module, so
// that go test's result cache, which records the files a test looks at,
// knows the test depends on the code it builds: a change anywhere makes it
// run again instead of answering from the cache.
func statSources() {
	root, _ := os.Getwd()
	for root != filepath.Dir(root) {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		root = filepath.Dir(root)
	}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "out") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") || d.Name() == "go.mod" || d.Name() == "go.sum" {
			os.Stat(p)
		}
		return nil
	})
}
