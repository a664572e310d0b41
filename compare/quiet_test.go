package compare_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/export/schema"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/store"
)

// fileIDs maps every file of the published tree at dir to its inode and
// modification time: a file that keeps both was hard-linked from the
// previous generation, not written again.
func fileIDs(t testing.TB, dir string) map[string]string {
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
	rewritten, n := rewrites(before, after)
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
	stats, err := pub.Publish(context.Background(), st)
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

// rewrites lists, by kind (the first path element: "comparisons",
// "models", or the file's own name), the files of after that before does
// not hold with the same inode and modification time: written anew.
func rewrites(before, after map[string]string) (map[string][]string, int) {
	out := map[string][]string{}
	n := 0
	for path, id := range after {
		if before[path] == id {
			continue
		}
		kind, _, _ := strings.Cut(path, "/")
		out[kind] = append(out[kind], path)
		n++
	}
	return out, n
}

// night is one nightly export of a synthetic catalogue: the tree's
// catalogue files, schemas and comparison records, as a run that finished
// id-1 days after the first.
type night struct {
	out  string
	snap *catalog.Snapshot
	o    compare.Options
}

// first is when the synthetic catalogue's facts were first retrieved.
var first = time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)

// export publishes the catalogue as run id and returns the identities of
// the tree's files.
func (n *night) export(tb testing.TB, id uint64) map[string]string {
	tb.Helper()
	run := catalog.Run{ID: id, FinishedAt: first.Add(time.Duration(id-1) * 24 * time.Hour)}
	_, err := export.Write(n.out, n.snap, run, schema.Section, func(t *export.Tree) error {
		_, err := publish.WriteComparisons(t, n.snap, n.o)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return fileIDs(tb, n.out)
}

// confirm is a night on which every page answered as before: every fact's
// retrieved_at moves to at (catalog.Snapshot.StampRetrieved, as a refresh
// does), no value changes.
func (n *night) confirm(at time.Time) {
	checked := map[string]time.Time{}
	note := func(src catalog.SourceRef) {
		if src.URL != "" {
			checked[src.URL] = at
		}
	}
	for _, m := range n.snap.Models {
		for _, src := range []catalog.SourceRef{m.Name.Source.Ref(), m.Released.Source.Ref(), m.ContextWindow.Source.Ref(), m.Parameters.Source.Ref(),
			m.Architecture.Source.Ref(), m.Licence.Source.Ref(), m.KnowledgeCutoff.Source.Ref(), m.InputModalities.Source.Ref()} {
			note(src)
		}
		for _, f := range m.Capabilities {
			note(f.Source.Ref())
		}
	}
	for _, o := range n.snap.Offerings {
		note(o.Input.Source.Ref())
		note(o.Output.Source.Ref())
	}
	n.snap.StampRetrieved(checked)
}

// reprice is a night on which one model's first offering's input price
// changed (and every page was seen again).
func (n *night) reprice(model string, m catalog.Money, at time.Time) {
	n.confirm(at)
	setInput(n.snap, model, m)
	n.snap.OfferingsOf(model)[0].Input.ChangedAt = catalog.StampOf(at)
}

// TestQuietNightSynthetic exports a synthetic catalogue on three nights: a
// night on which every value was seen again and none changed rewrites each
// model's file and a few whole-tree files, never a comparison record; a
// night on which one price changed rewrites exactly the records of the
// pairs that model is in. The tree passes Verify with its schemas.
func TestQuietNightSynthetic(t *testing.T) {
	const models = 24
	n := &night{out: filepath.Join(t.TempDir(), "site"), snap: synthetic(models), o: compare.DefaultOptions()}
	ids := n.snap.ModelIDs()
	night1 := n.export(t, 1)
	pairs := models * (models - 1) / 2

	n.confirm(first.Add(24 * time.Hour))
	night2 := n.export(t, 2)
	got, total := rewrites(night1, night2)
	t.Logf("nothing changed: %d of %d files rewritten: %v", total, len(night2), counts(got))
	if recs := got["comparisons"]; len(recs) > 0 {
		t.Errorf("%d comparison records rewritten on a night that changed no value, e.g. %s", len(recs), recs[0])
	}
	if len(got["models"]) != models {
		t.Errorf("%d model files rewritten, want every one (%d): each carries its facts' retrieval times", len(got["models"]), models)
	}
	for _, f := range []string{compare.ManifestFile, "models.json", "providers.json"} {
		if night1[f] != night2[f] {
			t.Errorf("%s rewritten on a night that changed no value", f)
		}
	}
	if limit := models + 5; total > limit {
		t.Errorf("%d files rewritten, more than %d: %v", total, limit, got)
	}

	changed := ids[models/3]
	stem := catalog.FileStem(changed)
	n.reprice(changed, 123_456, first.Add(48*time.Hour))
	night3 := n.export(t, 3)
	got, total = rewrites(night2, night3)
	t.Logf("one price changed: %d of %d files rewritten: %v", total, len(night3), counts(got))
	recs := got["comparisons"]
	if len(recs) != models-1 {
		t.Errorf("%d comparison records rewritten, want the %d pairs of %s", len(recs), models-1, changed)
	}
	for _, r := range recs {
		a, b, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(r, "comparisons/"), ".json"), "--vs--")
		if !ok || a != stem && b != stem {
			t.Errorf("%s rewritten: not a pair of %s", r, changed)
		}
	}
	if night2[compare.ManifestFile] == night3[compare.ManifestFile] {
		t.Error("comparisons.json kept though records changed")
	}
	if got := len(night3) - len(night1); got != 0 {
		t.Errorf("the tree has %d more files than on the first night", got)
	}
	held := 0
	for path := range night3 {
		if strings.HasPrefix(path, "comparisons/") {
			held++
		}
	}
	if held != pairs {
		t.Errorf("the tree holds %d records, want every pair (%d)", held, pairs)
	}

	problems, err := export.Verify(n.out, schema.Validate)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}
