// Package treetest reads a published export tree for tests.
package treetest

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Read reads every file of the tree published at dir (the symbolic link
// to its generation, or a plain folder), by slash path inside the tree.
func Read(tb testing.TB, dir string) map[string][]byte {
	tb.Helper()
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]byte{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
