package export

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// generation writes one generation of a tree of plain files at out: put
// are the files to put, keep those to keep from the published one. It
// returns Keep's error for each kept file and what the commit said.
func generation(t *testing.T, out string, put map[string]string, keep ...string) (map[string]error, Stats) {
	t.Helper()
	tr, err := Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	for p, b := range put {
		if err := tr.Put(p, []byte(b)); err != nil {
			t.Fatal(err)
		}
	}
	kept := map[string]error{}
	for _, p := range keep {
		kept[p] = tr.Keep(p)
	}
	st, err := tr.Commit(func(files []FileEntry) any { return map[string]any{"schema_version": SchemaVersion, "files": files} })
	if err != nil {
		t.Fatal(err)
	}
	return kept, st
}

func sameInode(t *testing.T, a, b string) bool {
	t.Helper()
	fa, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := os.Stat(b)
	if err != nil {
		t.Fatal(err)
	}
	return os.SameFile(fa, fb)
}

// TestKeep: a kept file is the published one, linked, listed as it was
// listed; a file the published index does not list, or whose published
// bytes are not what it lists, is not kept.
func TestKeep(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	generation(t, out, map[string]string{"changes/1.json": "1\n", "changes/2.json": "2\n", "changes/3.json": "3\n"})
	gen1, _ := filepath.EvalSymlinks(out)
	// The published changes/3.json damaged in place: its index still
	// lists the bytes it had.
	if err := os.WriteFile(filepath.Join(gen1, "changes", "3.json"), []byte("4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	kept, st := generation(t, out, nil, "changes/1.json", "changes/3.json", "changes/9.json")
	if kept["changes/1.json"] != nil {
		t.Errorf("keeping changes/1.json: %v", kept["changes/1.json"])
	}
	if kept["changes/3.json"] == nil {
		t.Error("a damaged published file was kept")
	}
	if !errors.Is(kept["changes/9.json"], fs.ErrNotExist) {
		t.Errorf("keeping a file the published tree lacks: %v", kept["changes/9.json"])
	}
	gen2, _ := filepath.EvalSymlinks(out)
	if !sameInode(t, filepath.Join(gen1, "changes", "1.json"), filepath.Join(gen2, "changes", "1.json")) {
		t.Error("the kept file is not the published one")
	}
	if st.Files != 2 || st.Written != 1 || st.Unchanged != 1 { // the index and the kept file
		t.Errorf("stats %+v", st)
	}
	if ps, err := Verify(out); err != nil || len(ps) > 0 {
		t.Errorf("verify: %v %v", ps, err)
	}
	tr, err := Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Abort()
	if err := tr.Put("a.json", []byte("a\n")); err != nil {
		t.Fatal(err)
	}
	if err := tr.Keep("changes/1.json"); err != nil {
		t.Fatal(err)
	}
	if err := tr.Keep("changes/1.json"); err == nil {
		t.Error("a file kept twice")
	}
	if err := tr.Keep("../x"); err == nil {
		t.Error("a bad path kept")
	}
}

// TestPutLinksOnlyWhatThePublishedFileHolds: a file put with the bytes the
// published index lists is linked only while the published file still
// holds them; a damaged one is written anew, so that the damage does not
// pass into every later generation.
func TestPutLinksOnlyWhatThePublishedFileHolds(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	files := map[string]string{"models.json": "[]\n", "offerings.json": "{}\n"}
	generation(t, out, files)
	gen1, _ := filepath.EvalSymlinks(out)
	if err := os.WriteFile(filepath.Join(gen1, "offerings.json"), []byte("{\"x\":1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, st := generation(t, out, files)
	gen2, _ := filepath.EvalSymlinks(out)
	if !sameInode(t, filepath.Join(gen1, "models.json"), filepath.Join(gen2, "models.json")) {
		t.Error("an unchanged file was not linked")
	}
	if b, _ := os.ReadFile(filepath.Join(gen2, "offerings.json")); string(b) != "{}\n" {
		t.Errorf("offerings.json after a damaged published one: %q", b)
	}
	if st.Written != 1 || st.Unchanged != 2 { // offerings.json written; models.json and the index linked
		t.Errorf("stats %+v", st)
	}
	if ps, err := Verify(out); err != nil || len(ps) > 0 {
		t.Errorf("verify: %v %v", ps, err)
	}
}
