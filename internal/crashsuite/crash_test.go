package crashsuite

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/bench/site"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/export/schema"
	"github.com/llmref/llmref/internal/testbin"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

// envInt reads a positive integer from the environment.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// rig is one crash-suite setup: two replayed days of a generated site, the
// configuration that reads them, and the binary.
type rig struct {
	bin, cfg, day1, day2 string
}

func (r *rig) refresh(dir, day string, exportToo bool) *exec.Cmd {
	args := []string{"--config", r.cfg, "--db", filepath.Join(dir, "llmref.db"), "refresh", "--replay", day, "-q"}
	if exportToo {
		args = append(args, "--export", filepath.Join(dir, "export"))
	}
	cmd := exec.Command(r.bin, args...)
	cmd.Dir = dir
	return cmd
}

func (r *rig) refreshOK(t *testing.T, dir, day string) time.Duration {
	t.Helper()
	return r.refreshOKExport(t, dir, day, true)
}

func (r *rig) refreshOKExport(t *testing.T, dir, day string, exportToo bool) time.Duration {
	t.Helper()
	start := time.Now()
	if out, err := r.refresh(dir, day, exportToo).CombinedOutput(); err != nil {
		t.Fatalf("refresh %s in %s: %v\n%s", filepath.Base(day), dir, err, out)
	}
	return time.Since(start)
}

// tree is an export tree as its index lists it: path → SHA-256, index.json
// itself left out (it carries the generation's time and run).
type tree map[string]string

func treeOf(t *testing.T, dir string) tree {
	t.Helper()
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatalf("export tree: %v", err)
	}
	f, err := os.Open(filepath.Join(root, export.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := tree{}
	var manifests []string
	err = export.ReadManifest(f, func(e export.FileEntry) error { out[e.Path] = e.SHA256; return nil },
		func(key string, dec *json.Decoder) error {
			if key == "manifests" {
				return dec.Decode(&manifests)
			}
			var skip any
			return dec.Decode(&skip)
		})
	if err != nil {
		t.Fatalf("index: %v", err)
	}
	for _, m := range manifests {
		mf, err := os.Open(filepath.Join(root, filepath.FromSlash(m)))
		if err != nil {
			t.Fatal(err)
		}
		err = export.ReadManifest(mf, func(e export.FileEntry) error { out[e.Path] = e.SHA256; return nil }, nil)
		mf.Close()
		if err != nil {
			t.Fatalf("manifest %s: %v", m, err)
		}
	}
	return out
}

// diff lists the paths where two trees differ, ignoring paths for which
// skip is true.
func diff(a, b tree, skip func(string) bool) []string {
	var out []string
	for p, h := range a {
		if !skip(p) && b[p] != h {
			out = append(out, p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok && !skip(p) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func none(string) bool { return false }

// replayWindow bounds the times a replayed run stamps: its clock starts at
// the fixture day's recording time and runs on (cmd/llmref replayClock), so
// a run that reaches a page one second later than another stamps
// retrieved_at one second later. Those stamps are the only difference two
// runs of the same day may show.
type replayWindow struct{ from, to time.Time }

func (w replayWindow) scrub(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = w.scrub(e)
		}
	case []any:
		for i, e := range x {
			x[i] = w.scrub(e)
		}
	case string:
		if t, err := time.Parse(time.RFC3339, x); err == nil && !t.Before(w.from) && !t.After(w.to) {
			return "<replay clock>"
		}
	}
	return v
}

// sameContent reports whether two versions of a tree file are the same but
// for replay-clock stamps.
func (w replayWindow) sameContent(a, b string) bool {
	ab, err1 := os.ReadFile(a)
	bb, err2 := os.ReadFile(b)
	if err1 != nil || err2 != nil {
		return false
	}
	var av, bv any
	if json.Unmarshal(ab, &av) != nil || json.Unmarshal(bb, &bv) != nil {
		return false
	}
	x, _ := json.Marshal(w.scrub(av))
	y, _ := json.Marshal(w.scrub(bv))
	return string(x) == string(y)
}

// treeDiff lists the paths where the tree at gotDir differs from the one at
// wantDir beyond replay-clock stamps.
func (w replayWindow) treeDiff(gotDir string, got tree, wantDir string, want tree, skip func(string) bool) []string {
	var out []string
	for _, p := range diff(got, want, skip) {
		if _, ok := got[p]; ok {
			if _, ok := want[p]; ok && w.sameContent(filepath.Join(gotDir, filepath.FromSlash(p)), filepath.Join(wantDir, filepath.FromSlash(p))) {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// runDependent are the files whose content names the run that wrote them:
// a change report per run (a run that found nothing new writes an empty
// one) and changes.json, which lists them, so a refresh that repeats a run
// killed after its commit writes another. Everything else must come out
// the same.
func runDependent(p string) bool { return strings.HasPrefix(p, "changes/") || p == "changes.json" }

// unpublished counts the export generations other than the published one:
// a trial starts from day 1's state, which has only that one, so any other
// is a generation a killed export was writing.
func unpublished(dir string) int {
	published, _ := filepath.EvalSymlinks(filepath.Join(dir, "export"))
	gens, _ := os.ReadDir(filepath.Join(dir, ".export.generations"))
	n := 0
	for _, g := range gens {
		if p, _ := filepath.EvalSymlinks(filepath.Join(dir, ".export.generations", g.Name())); p != published {
			n++
		}
	}
	return n
}

func first(ps []string) string {
	if len(ps) > 5 {
		return strings.Join(ps[:5], ", ") + fmt.Sprintf(" (+%d more)", len(ps)-5)
	}
	return strings.Join(ps, ", ")
}

// copyDir copies a state folder (database and export tree, symbolic links
// kept as links).
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(to, b, 0o644)
		}
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}

// TestCrash kills `llmref refresh` (the real binary) with SIGKILL at random
// moments of a run — crawl, commit or export — and checks after each kill
// that the database opens and passes its check, that the export tree is
// wholly the old one or wholly the new one, and that the next refresh
// reaches the state of an uninterrupted run. LLMREF_CRASH_TRIALS sets the
// number of kills (5 by default; bench/crash.sh runs 50), and
// LLMREF_CRASH_PAGES the size of the replayed site (40 pages).
func TestCrash(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	trials := envInt("LLMREF_CRASH_TRIALS", 5)
	pages := envInt("LLMREF_CRASH_PAGES", 40)
	root := t.TempDir()
	r := &rig{bin: testbin.LLMRef(t), cfg: filepath.Join(root, "llmref.yaml"), day1: filepath.Join(root, "day1"), day2: filepath.Join(root, "day2")}

	// Two replayed days of a generated site. Its URLs are on loopback's
	// discard port, so nothing could leave the machine even if a request
	// escaped the replay.
	const base = "http://127.0.0.1:9"
	for d, dir := range map[int]string{1: r.day1, 2: r.day2} {
		s := site.New(site.Options{Pages: pages, Endpoints: site.HasEndpointsSource(), Day: d})
		if err := s.WriteFixtureDay(dir, base); err != nil {
			t.Fatal(err)
		}
		if d == 1 {
			if err := os.WriteFile(r.cfg, []byte(s.Config(base, "")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	// The uninterrupted reference: day 1 (the state each trial starts
	// from), then day 2.
	ref := filepath.Join(root, "ref")
	os.MkdirAll(ref, 0o755)
	r.refreshOK(t, ref, r.day1)
	start := filepath.Join(root, "start")
	copyDir(t, ref, start)
	oldDir, _ := filepath.EvalSymlinks(filepath.Join(ref, "export"))
	oldTree := treeOf(t, oldDir)
	full := r.refreshOK(t, ref, r.day2)
	newDir, _ := filepath.EvalSymlinks(filepath.Join(ref, "export"))
	newTree := treeOf(t, newDir)
	day2, err := scrapers.LoadManifest(os.DirFS(r.day2))
	if err != nil {
		t.Fatal(err)
	}
	win := replayWindow{from: day2.RecordedAt, to: day2.RecordedAt.Add(time.Hour)}
	if len(diff(oldTree, newTree, none)) == 0 {
		t.Fatal("day 2 exports the same tree as day 1: the suite could not tell them apart")
	}
	// How long the run takes up to its commit: the same run without the
	// export. Half the kills land before it (crawl, normalise, commit),
	// half after (the export), whatever the share of each.
	nx := filepath.Join(root, "no-export")
	copyDir(t, start, nx)
	commitEnd := r.refreshOKExport(t, nx, r.day2, false)
	t.Logf("an uninterrupted day-2 refresh takes %v, %v of it up to the commit; %d trials", full, commitEnd, trials)

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x11))
	outcomes := map[string]int{}
	for i := 0; i < trials; i++ {
		dir := filepath.Join(root, fmt.Sprintf("trial-%02d", i))
		copyDir(t, start, dir)
		delay := time.Duration(rng.Int64N(int64(commitEnd)))
		if i%2 == 1 {
			delay = commitEnd + time.Duration(rng.Int64N(int64(max(full*6/5-commitEnd, time.Millisecond))))
		}
		cmd := r.refresh(dir, r.day2, true)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		killed := false
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("trial %d: refresh failed on its own: %v", i, err)
			}
		case <-time.After(delay):
			cmd.Process.Kill() // SIGKILL
			err := <-done
			var ee *exec.ExitError
			killed = errors.As(err, &ee) && !ee.Exited()
		}

		// The database opens and passes its check.
		st, err := store.Open(filepath.Join(dir, "llmref.db"), store.Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("trial %d (kill after %v, seed %d): database does not open: %v", i, delay, seed, err)
		}
		problems, err := st.Check()
		runs, _ := st.Runs()
		st.Close()
		if err != nil || len(problems) > 0 {
			t.Fatalf("trial %d (kill after %v, seed %d): database check: %v %v", i, delay, seed, err, problems)
		}
		// The tree is whole, and wholly the old or the new one.
		if ps, err := export.Verify(filepath.Join(dir, "export"), schema.Validate); err != nil || len(ps) > 0 {
			t.Fatalf("trial %d (kill after %v, seed %d): export tree: %v %v", i, delay, seed, err, ps)
		}
		gotDir, _ := filepath.EvalSymlinks(filepath.Join(dir, "export"))
		got := treeOf(t, gotDir)
		dOld, dNew := diff(got, oldTree, none), win.treeDiff(gotDir, got, newDir, newTree, none)
		var outcome string
		switch {
		case !killed:
			outcome = "finished before the kill"
		case len(dOld) == 0 && len(runs) == 1:
			outcome = "killed before the commit"
		case len(dOld) == 0 && unpublished(dir) > 0:
			outcome = "killed mid-export (an unpublished generation left behind)"
		case len(dOld) == 0:
			outcome = "killed after the commit, before the export began"
		case len(dNew) == 0:
			outcome = "killed after the export was published"
		default:
			t.Fatalf("trial %d (kill after %v, seed %d): the export tree is neither the old one (differs in %s) nor the new one (differs in %s)",
				i, delay, seed, first(dOld), first(dNew))
		}
		if !killed && len(dNew) != 0 {
			t.Fatalf("trial %d: an uninterrupted run exported another tree than the reference: %s", i, first(dNew))
		}
		outcomes[outcome]++

		// The next refresh reaches the uninterrupted run's state.
		r.refreshOK(t, dir, r.day2)
		againDir, _ := filepath.EvalSymlinks(filepath.Join(dir, "export"))
		if d := win.treeDiff(againDir, treeOf(t, againDir), newDir, newTree, runDependent); len(d) > 0 {
			t.Fatalf("trial %d (%s after %v, seed %d): the next refresh's tree differs from an uninterrupted run's in %s", i, outcome, delay, seed, first(d))
		}
		st, err = store.Open(filepath.Join(dir, "llmref.db"), store.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		problems, err = st.Check()
		st.Close()
		if err != nil || len(problems) > 0 {
			t.Fatalf("trial %d: database after the next refresh: %v %v", i, err, problems)
		}
		os.RemoveAll(dir)
	}
	var parts []string
	for o, n := range outcomes {
		parts = append(parts, fmt.Sprintf("%d %s", n, o))
	}
	sort.Strings(parts)
	t.Logf("%d trials (seed %d): %s", trials, seed, strings.Join(parts, "; "))
}

// TestCrashCompact kills `llmref compact` with SIGKILL at random moments:
// the database must still open, check clean and hold every run, and the
// next compaction must finish and leave no temporary file behind.
func TestCrashCompact(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	trials := max(3, envInt("LLMREF_CRASH_TRIALS", 5)/5)
	root := t.TempDir()
	r := &rig{bin: testbin.LLMRef(t), cfg: filepath.Join(root, "llmref.yaml"), day1: filepath.Join(root, "day1"), day2: filepath.Join(root, "day2")}
	const base = "http://127.0.0.1:9"
	for d, dir := range map[int]string{1: r.day1, 2: r.day2} {
		s := site.New(site.Options{Pages: envInt("LLMREF_CRASH_PAGES", 40), Endpoints: site.HasEndpointsSource(), Day: d})
		if err := s.WriteFixtureDay(dir, base); err != nil {
			t.Fatal(err)
		}
		if d == 1 {
			os.WriteFile(r.cfg, []byte(s.Config(base, "")), 0o644)
		}
	}
	start := filepath.Join(root, "start")
	os.MkdirAll(start, 0o755)
	for _, day := range []string{r.day1, r.day2, r.day1, r.day2} {
		r.refreshOKExport(t, start, day, false) // four runs: pages rewritten, free space to reclaim
	}
	db := func(dir string) string { return filepath.Join(dir, "llmref.db") }
	compact := func(dir string) *exec.Cmd {
		cmd := exec.Command(r.bin, "--config", r.cfg, "--db", db(dir), "compact")
		cmd.Dir = dir
		return cmd
	}
	timing := filepath.Join(root, "timing")
	copyDir(t, start, timing)
	t0 := time.Now()
	if out, err := compact(timing).CombinedOutput(); err != nil {
		t.Fatalf("compact: %v\n%s", err, out)
	}
	full := time.Since(t0)

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x22))
	for i := 0; i < trials; i++ {
		dir := filepath.Join(root, fmt.Sprintf("compact-%02d", i))
		copyDir(t, start, dir)
		delay := time.Duration(rng.Int64N(int64(full * 6 / 5)))
		cmd := compact(dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		st, err := store.Open(db(dir), store.Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("trial %d (kill after %v, seed %d): %v", i, delay, seed, err)
		}
		problems, err := st.Check()
		runs, _ := st.Runs()
		st.Close()
		if err != nil || len(problems) > 0 || len(runs) != 4 {
			t.Fatalf("trial %d (kill after %v, seed %d): %d runs, check %v %v", i, delay, seed, len(runs), err, problems)
		}
		if out, err := compact(dir).CombinedOutput(); err != nil {
			t.Fatalf("trial %d: compact after the kill: %v\n%s", i, err, out)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, ".llmref.db.compact-*")); len(left) > 0 {
			t.Fatalf("trial %d: temporary files left: %v", i, left)
		}
		os.RemoveAll(dir)
	}
	t.Logf("%d kills of compact (an uninterrupted one takes %v; seed %d)", trials, full, seed)
}
