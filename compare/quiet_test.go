package compare_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/store"
)

// fileIDs maps every file of the published tree at dir to its inode and
// modification time: a file that keeps both was hard-linked from the
// previous generation, not written again.
func fileIDs(t *testing.T, dir string) map[string]string {
	t.Helper()
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		var ino uint64
		if s, ok := fi.Sys().(*syscall.Stat_t); ok {
			ino = s.Ino
		}
		out[filepath.ToSlash(rel)] = fmt.Sprintf("%d/%d", ino, fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNothingChangedRewritesNoRecord replays the same fixture day twice, the
// second time a day later, through the real refresh and publisher: the
// second run sees every value again (every fact's retrieved_at moves) and
// changes none, so it rewrites the files that carry retrieval times — each
// model's file, offerings.json, freshness.json — and the run's own files,
// never a comparison record.
func TestNothingChangedRewritesNoRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("replays a fixture day twice")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "export")
	st, err := store.Open(filepath.Join(dir, "llmref.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pub := config.Default().Publisher(out)
	const day = "2026-04-23"
	first := replay(t, st, day, 0, pub)
	before := fileIDs(t, out)
	second := replay(t, st, day, 24*time.Hour, pub)
	if !second.Run.FinishedAt.After(first.Run.FinishedAt) {
		t.Fatalf("second run finished at %s, first at %s", second.Run.FinishedAt, first.Run.FinishedAt)
	}
	after := fileIDs(t, out)
	snap, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	models := len(snap.Models)
	if models < 3 {
		t.Fatalf("%d models: too few to have pairs", models)
	}
	rewritten := map[string][]string{}
	n := 0
	for path, id := range after {
		if before[path] == id {
			continue
		}
		kind, _, _ := strings.Cut(path, "/")
		rewritten[kind] = append(rewritten[kind], path)
		n++
	}
	if recs := rewritten["comparisons"]; len(recs) > 0 {
		t.Errorf("%d comparison records rewritten by a run that changed no value, e.g. %s", len(recs), recs[0])
	}
	if len(rewritten["models"]) == 0 {
		t.Error("no model file rewritten: the second run did not move retrieval times, so this test shows nothing")
	}
	// Files in proportion to models, never to pairs: each model's file and
	// a handful of whole-tree files.
	if limit := models + 10; n > limit {
		t.Errorf("%d files rewritten, more than %d (%d models): %v", n, limit, models, rewritten)
	}
	t.Logf("%d models, %d pairs: a nothing-changed run rewrote %d of %d files: %v", models, models*(models-1)/2, n, len(after), counts(rewritten))
	if before[compare.ManifestFile] != after[compare.ManifestFile] {
		t.Error("comparisons.json rewritten though no record changed")
	}

	// Publishing the same state again writes nothing at all.
	stats, err := pub.Publish(st)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Written != 0 {
		t.Errorf("the same state published again wrote %d files", stats.Written)
	}
	if _, err := os.Stat(filepath.Join(out, "index.json")); err != nil {
		t.Fatal(err)
	}
}

func counts(m map[string][]string) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		out[k] = len(v)
	}
	return out
}
