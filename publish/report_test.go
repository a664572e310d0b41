package publish

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/export/schema"
	"github.com/llmref/llmref/internal/treetest"
	"github.com/llmref/llmref/store"
)

// reportsStore holds three runs: run 1 published two price changes, run 2
// held one (hold 1, pending) beside a published one, run 3 found nothing.
func reportsStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "llmref.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	src := catalog.SourceOf(catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityAggregator})
	change := func(model string, old, next catalog.Money) catalog.Change {
		op, np := catalog.Fixed(old), catalog.Fixed(next)
		return catalog.Change{Kind: catalog.ChangePrice, Model: model, Provider: "openrouter", Field: "output", OldPrice: &op, NewPrice: &np, Source: src}
	}
	at := func(day int) time.Time { return time.Date(2026, 11, day, 2, 0, 0, 0, time.UTC) }
	held := change("meta-llama/llama-3.2-1b-instruct", 27_000, 270_000)
	key := "price:" + catalog.OfferingKey("meta-llama/llama-3.2-1b-instruct", "openrouter", "", "") + "#output"
	hold := catalog.Hold{Kind: catalog.HoldPrice, Key: key, Value: "fixed:0.27", Status: catalog.HoldPending, Reasons: []string{"max_factor: 10x"},
		Changes: []catalog.Change{held}, Field: "output", FirstSeen: at(2), LastSeen: at(2)}
	commits := []store.Commit{
		{Run: catalog.Run{StartedAt: at(1), FinishedAt: at(1), Status: catalog.RunOK}, Changes: &catalog.ChangeSet{At: at(1), Changes: []catalog.RunChange{
			{Change: change("openai/gpt-5.3-codex", 1_750_000, 1_500_000), Status: catalog.ChangePublished},
			{Change: change("qwen/qwen3-8b", 50_000, 60_000), Status: catalog.ChangePublished}}}},
		{Run: catalog.Run{StartedAt: at(2), FinishedAt: at(2), Status: catalog.RunPartial}, Holds: []catalog.Hold{hold},
			Changes: &catalog.ChangeSet{At: at(2), Changes: []catalog.RunChange{
				{Change: held, Status: catalog.ChangeHeld, HoldKey: key, Reasons: hold.Reasons},
				{Change: change("qwen/qwen3-8b", 60_000, 55_000), Status: catalog.ChangePublished}}}},
		{Run: catalog.Run{StartedAt: at(3), FinishedAt: at(3), Status: catalog.RunOK}, Changes: &catalog.ChangeSet{At: at(3)}},
	}
	for _, c := range commits {
		if _, err := st.CommitRun(c); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// exportReports publishes the change reports alone at out and returns what
// the section said it made and kept.
func exportReports(t *testing.T, st *store.Store, out string) (made, kept int) {
	t.Helper()
	return exportReportsUpTo(t, st, out, math.MaxUint64)
}

// exportReportsUpTo is exportReports for a tree as of run upTo.
func exportReportsUpTo(t *testing.T, st *store.Store, out string, upTo uint64) (made, kept int) {
	t.Helper()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tr, err := export.Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := changesSection(st, upTo, log)(tr); err != nil {
		tr.Abort()
		t.Fatal(err)
	}
	if _, err := tr.Commit(func(files []export.FileEntry) any {
		return map[string]any{"schema_version": export.SchemaVersion, "generated_at": "2026-11-03T02:00:00Z", "run": 3, "counts": map[string]int{}, "files": files}
	}); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`made=(\d+) kept=(\d+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no tally in the section's log: %s", logs.String())
	}
	fmt.Sscan(m[1], &made)
	fmt.Sscan(m[2], &kept)
	return made, kept
}

// treeFiles reads every file of the tree published at out, by path.
func treeFiles(t *testing.T, out string) map[string]string {
	t.Helper()
	files := map[string]string{}
	for p, b := range treetest.Read(t, out) {
		files[p] = string(b)
	}
	return files
}

// sameAsFresh checks that the tree at out holds, for every change report
// and changes.json, exactly what an export with no published generation
// makes of st: a kept report is what would be made.
func sameAsFresh(t *testing.T, st *store.Store, out string) {
	t.Helper()
	fresh := filepath.Join(t.TempDir(), "fresh")
	if made, kept := exportReports(t, st, fresh); kept != 0 || made == 0 {
		t.Fatalf("a first export made %d and kept %d", made, kept)
	}
	got, want := treeFiles(t, out), treeFiles(t, fresh)
	// Each report is the document `llmref changes --run N --format json`
	// prints (written a change at a time, in the same bytes).
	sets, err := st.ChangeSets(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range sets {
		rep, err := ChangeReport(st, []catalog.ChangeSet{cs})
		if err != nil {
			t.Fatal(err)
		}
		b, err := export.Canonical(rep)
		if err != nil {
			t.Fatal(err)
		}
		if f := export.ChangesFile(cs.Run); want[f] != string(b) {
			t.Errorf("%s is not the run's change report:\n%s\nwant\n%s", f, want[f], b)
		}
	}
	for p, w := range want {
		if p != export.IndexFile && got[p] != w {
			t.Errorf("%s differs from a fresh export's:\n%s\nwant\n%s", p, got[p], w)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s is not in a fresh export", p)
		}
	}
	if ps, err := export.Verify(out, schema.Validate); err != nil || len(ps) > 0 {
		t.Errorf("verify: %v %v", ps, err)
	}
}

func readIndex(t *testing.T, out string) export.ChangesIndex {
	t.Helper()
	var idx export.ChangesIndex
	if err := json.Unmarshal([]byte(treeFiles(t, out)[export.ChangesIndexFile]), &idx); err != nil {
		t.Fatal(err)
	}
	return idx
}

// TestChangeReportsKeptUntilTheirInputsChange: a report is made once and
// kept while its set, its run and its holds' states stay as they were; a
// decision on a hold makes again the reports that name it, and only them;
// what is kept is byte for byte what would be made.
func TestChangeReportsKeptUntilTheirInputsChange(t *testing.T) {
	st := reportsStore(t)
	out := filepath.Join(t.TempDir(), "export")
	if made, kept := exportReports(t, st, out); made != 3 || kept != 0 {
		t.Fatalf("first export: made %d, kept %d; want 3, 0", made, kept)
	}
	idx := readIndex(t, out)
	if len(idx.Reports) != 3 {
		t.Fatalf("changes.json lists %d reports: %+v", len(idx.Reports), idx.Reports)
	}
	r2 := idx.Reports[1]
	if r2.Run != 2 || r2.Path != "changes/2.json" || r2.Status != catalog.RunPartial || r2.Changes != 2 || r2.Pending != 1 ||
		len(r2.Holds) != 1 || r2.Holds[0] != 1 || !r2.StartedAt.Equal(time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("run 2's entry: %+v", r2)
	}
	if r3 := idx.Reports[2]; r3.Changes != 0 || r3.Pending != 0 || r3.Holds != nil {
		t.Errorf("run 3's entry: %+v", r3)
	}
	sameAsFresh(t, st, out)

	// Nothing changed: every report kept.
	if made, kept := exportReports(t, st, out); made != 0 || kept != 3 {
		t.Errorf("second export: made %d, kept %d; want 0, 3", made, kept)
	}
	sameAsFresh(t, st, out)

	// Hold 1 approved: run 2's report shows it, the others are kept.
	approve := func(pub catalog.PublishedReader, h catalog.Hold, action catalog.Action, note string, at time.Time) (catalog.HoldMutations, error) {
		h.Status = catalog.HoldApproved
		h.Decision = &catalog.Decision{Action: action, At: at, Note: note, Holds: []uint64{h.ID}}
		return catalog.HoldMutations{Hold: h}, nil
	}
	if _, err := st.Decide(catalog.ActionApprove, []uint64{1}, "checked with the provider", time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC), approve); err != nil {
		t.Fatal(err)
	}
	if made, kept := exportReports(t, st, out); made != 1 || kept != 2 {
		t.Errorf("after the decision: made %d, kept %d; want 1, 2", made, kept)
	}
	if r := treeFiles(t, out)["changes/2.json"]; !strings.Contains(r, `"approved"`) || !strings.Contains(r, "checked with the provider") {
		t.Errorf("run 2's report after the approval:\n%s", r)
	}
	if idx := readIndex(t, out); idx.Reports[1].Pending != 0 {
		t.Errorf("run 2's entry after the approval: %+v", idx.Reports[1])
	}
	sameAsFresh(t, st, out)
}

// TestChangeReportsMadeAgainWhenTheTreeIsNotAsListed: a previous
// generation whose changes.json does not vouch for a report — a different
// fingerprint, a list edited by hand, a report file gone, an unreadable
// list — gets it made again, never kept.
func TestChangeReportsMadeAgainWhenTheTreeIsNotAsListed(t *testing.T) {
	for _, tc := range []struct {
		name string
		harm func(t *testing.T, gen string)
		made int
	}{
		{"another fingerprint", func(t *testing.T, gen string) {
			rewrite(t, filepath.Join(gen, export.ChangesIndexFile), func(s string) string {
				return regexp.MustCompile(`"inputs": "[0-9a-f]{64}"`).ReplaceAllString(s, `"inputs": "`+strings.Repeat("0", 64)+`"`)
			})
		}, 3},
		{"an entry edited by hand", func(t *testing.T, gen string) {
			// The fingerprints stand, the file no longer matches its index.
			rewrite(t, filepath.Join(gen, export.ChangesIndexFile), func(s string) string {
				return strings.Replace(s, `"pending": 1`, `"pending": 0`, 1)
			})
		}, 3},
		{"a report gone", func(t *testing.T, gen string) {
			if err := os.Remove(filepath.Join(gen, "changes", "2.json")); err != nil {
				t.Fatal(err)
			}
		}, 1},
		{"an unreadable list", func(t *testing.T, gen string) {
			rewrite(t, filepath.Join(gen, export.ChangesIndexFile), func(s string) string { return s[:len(s)/2] })
		}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := reportsStore(t)
			out := filepath.Join(t.TempDir(), "export")
			exportReports(t, st, out)
			gen, err := filepath.EvalSymlinks(out)
			if err != nil {
				t.Fatal(err)
			}
			tc.harm(t, gen)
			if made, kept := exportReports(t, st, out); made != tc.made || kept != 3-tc.made {
				t.Errorf("made %d, kept %d; want %d, %d", made, kept, tc.made, 3-tc.made)
			}
			sameAsFresh(t, st, out)
		})
	}
}

// rewrite replaces a published file (a new inode: the file may be linked
// into other generations).
func rewrite(t *testing.T, path string, edit func(string) string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(edit(string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestChangeReportsUpToTheTreesRun: a tree as of run 2 holds the reports of
// runs 1 and 2, not those of a run committed since (while the sets are
// read, in a daemon).
func TestChangeReportsUpToTheTreesRun(t *testing.T) {
	st := reportsStore(t)
	out := filepath.Join(t.TempDir(), "export")
	if made, _ := exportReportsUpTo(t, st, out, 2); made != 2 {
		t.Errorf("made %d reports as of run 2, want 2", made)
	}
	idx := readIndex(t, out)
	if len(idx.Reports) != 2 || idx.Reports[1].Run != 2 {
		t.Errorf("changes.json as of run 2: %+v", idx.Reports)
	}
	if _, ok := treeFiles(t, out)["changes/3.json"]; ok {
		t.Error("run 3's report in a tree as of run 2")
	}
}
