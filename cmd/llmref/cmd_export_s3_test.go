package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/llmref/llmref/export/schema"
	"github.com/llmref/llmref/internal/filelock"
	"github.com/llmref/llmref/objstore"
	"github.com/llmref/llmref/objstore/s3test"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/store"
)

// s3Env points this process's commands at srv, and returns the
// environment for a child process that does the same.
func s3Env(t *testing.T, srv *s3test.Server) []string {
	env := os.Environ()
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
		env = append(env, k+"=")
	}
	for k, v := range srv.Env() {
		t.Setenv(k, v)
		env = append(env, k+"="+v)
	}
	return env
}

// reader checks the tree at s3://llmref/PREFIX as a site reads it: the
// pointer, its index, every object matching its hash and schema. It
// returns the generation the pointer names ("" when there is none).
func reader(t *testing.T, srv *s3test.Server, prefix string) string {
	t.Helper()
	o, err := objstore.Options{}.Resolve(srv.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := objstore.Open(objstore.Target{Bucket: "llmref", Prefix: prefix}, o)
	if err != nil {
		t.Fatal(err)
	}
	data, ok := srv.Object(t, prefix+"/"+publish.PointerFile)
	if !ok {
		return ""
	}
	var p publish.Pointer
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatalf("current.json: %v", err)
	}
	problems, err := (&publish.Remote{Store: b}).Verify(context.Background(), schema.Validate)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("a reader of generation %s finds %d problems:\n%s", p.Generation, len(problems), strings.Join(problems, "\n"))
	}
	return p.Generation
}

// s3FirstDay starts a loopback S3 server this process's commands use, and
// refreshes the first fixture day into a database in a folder of its own.
func s3FirstDay(t *testing.T) (srv *s3test.Server, dir, db string) {
	t.Helper()
	srv = s3test.Start(t, "llmref")
	s3Env(t, srv)
	dir = t.TempDir()
	db = filepath.Join(dir, "llmref.db")
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-23", "-q"); code != 0 {
		t.Fatalf("refresh: exit %d: %s", code, errs)
	}
	return srv, dir, db
}

func TestExportToObjectStorage(t *testing.T) {
	srv, dir, db := s3FirstDay(t)
	code, out, errs := llmref(t, "export", "--db", db, "--out", "s3://llmref/site/v1")
	if code != 0 || !strings.HasPrefix(out, "exported s3://llmref/site/v1: ") || !strings.Contains(out, " 0 unchanged") {
		t.Fatalf("export: exit %d: %s%s", code, out, errs)
	}
	first := reader(t, srv, "site/v1")
	if _, err := os.Stat(filepath.Join(dir, "export-cache", "index.json")); err != nil {
		t.Errorf("the tree was not built beside the database: %v", err)
	}
	srv.Reset()
	code, out, _ = llmref(t, "export", "--db", db, "--out", "s3://llmref/site/v1")
	if code != 0 || !strings.Contains(out, ", 0 written,") || len(srv.Puts()) != 0 {
		t.Errorf("export again: exit %d, %d objects put: %s", code, len(srv.Puts()), out)
	}
	if code, out, errs := llmref(t, "check", "--db", db, "--export", "s3://llmref/site/v1"); code != 0 || !strings.Contains(out, "export s3://llmref/site/v1: ok") {
		t.Errorf("check: exit %d: %s%s", code, out, errs)
	}
	// A damaged object: check says so, and fails.
	idx, _ := srv.Object(t, "site/v1/"+publish.IndexKey(first))
	var index struct {
		Files []struct{ Path, SHA256 string }
	}
	json.Unmarshal(idx, &index)
	f := index.Files[len(index.Files)-1]
	srv.PutObject(t, "site/v1/"+publish.ObjectKey(f.SHA256, f.Path), []byte("{}"))
	if code, _, errs := llmref(t, "check", "--db", db, "--export", "s3://llmref/site/v1"); code != 1 || !strings.Contains(errs, "export s3://llmref/site/v1: "+f.Path+": SHA-256") {
		t.Errorf("check of a damaged tree: exit %d: %s", code, errs)
	}
	for _, bad := range []string{"s3://Bad/x", "s3://ok-bucket//x"} {
		if code, _, errs := llmref(t, "export", "--db", db, "--out", bad); code != 2 || !strings.Contains(errs, "invalid value") {
			t.Errorf("export --out %s: exit %d: %s", bad, code, errs)
		}
	}
	// A run committed and not published: check says the bucket's tree is
	// behind, by the run its pointer names.
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-24", "-q"); code != 0 {
		t.Fatalf("refresh: exit %d: %s", code, errs)
	}
	if code, _, errs := llmref(t, "check", "--db", db, "--export", "s3://llmref/site/v1"); code != 1 ||
		!strings.Contains(errs, "export s3://llmref/site/v1: the tree is behind the database: it holds run 1, the database's last committed run is 2") {
		t.Errorf("check of a tree one run behind: exit %d: %s", code, errs)
	}
}

// TestExportKilledMidUpload kills `llmref export --out s3://...` (the real
// binary, SIGKILL) at each stage of an upload: readers stay on the
// generation published before, whole, and the next export publishes.
func TestExportKilledMidUpload(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	srv := s3test.Start(t, "llmref")
	env := s3Env(t, srv)
	dir := t.TempDir()
	db := filepath.Join(dir, "llmref.db")
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-23", "-q"); code != 0 {
		t.Fatalf("refresh: exit %d: %s", code, errs)
	}
	var mu sync.Mutex
	var child *exec.Cmd
	var puts int
	var killAt func(n int, key string) bool
	srv.Fail(func(r *http.Request) int {
		if r.Method != http.MethodPut {
			return 0
		}
		mu.Lock()
		defer mu.Unlock()
		puts++
		if killAt != nil && killAt(puts, r.URL.Path) {
			child.Process.Kill() // before this object is stored
			killAt = nil
			return http.StatusServiceUnavailable
		}
		return 0
	})
	// export runs the binary; kill, when set, says at which PUT (its
	// number and path) to kill it. It reports whether it was killed.
	export := func(kill func(n int, key string) bool) bool {
		t.Helper()
		cmd := exec.Command(bin, "--db", db, "-q", "export", "--out", "s3://llmref/tree")
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		mu.Lock()
		child, puts, killAt = cmd, 0, kill
		mu.Unlock()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
				return true
			}
		}
		if err != nil {
			t.Fatalf("export: %v: %s", err, stderr.String())
		}
		return false
	}
	nth := func(n int) func(int, string) bool { return func(i int, _ string) bool { return i == n } }
	suffix := func(s string) func(int, string) bool {
		return func(_ int, key string) bool { return strings.HasSuffix(key, s) }
	}

	// Killed during the first publish: nothing is published at all.
	if !export(nth(5)) {
		t.Fatal("the first export was not killed")
	}
	if gen := reader(t, srv, "tree"); gen != "" {
		t.Fatalf("a first publish killed mid-upload left a pointer to %s", gen)
	}
	if export(nil) {
		t.Fatal("killed")
	}
	old := reader(t, srv, "tree")
	if old == "" {
		t.Fatal("nothing published")
	}

	// The next day's prices: killed at the delta, after a few objects,
	// at the index, at the pointer.
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-24", "-q"); code != 0 && code != 3 {
		t.Fatalf("refresh: exit %d: %s", code, errs)
	}
	for _, kill := range []struct {
		name string
		at   func(int, string) bool
	}{
		{"the delta", nth(1)},
		{"the second object", nth(3)},
		{"the tenth object", nth(11)},
		{"the index", suffix("/index.json")},
		{"the pointer", suffix("/current.json")},
	} {
		t.Run(kill.name, func(t *testing.T) {
			if !export(kill.at) {
				t.Fatal("the export finished before the kill")
			}
			if gen := reader(t, srv, "tree"); gen != old {
				t.Fatalf("after a kill at %s readers are on %q, want the old generation %s", kill.name, gen, old)
			}
		})
	}
	if export(nil) {
		t.Fatal("killed")
	}
	gen := reader(t, srv, "tree")
	if gen == old || gen == "" {
		t.Fatalf("the export after the kills left generation %q (was %s)", gen, old)
	}
}

// TestCheckNothingPublished: where nothing is published yet (no folder, an
// empty folder, a bucket prefix with no pointer), check is content while
// the database has no committed run to publish, and names one problem,
// saying what to do, once it has one.
func TestCheckNothingPublished(t *testing.T) {
	srv := s3test.Start(t, "llmref")
	s3Env(t, srv)
	dir := t.TempDir()
	db := filepath.Join(dir, "llmref.db")
	st, err := store.Open(db, store.Options{}) // a database no run has committed to
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	targets := []string{filepath.Join(dir, "none"), empty, "s3://llmref/tree"}
	for _, target := range targets {
		code, out, errs := llmref(t, "check", "--db", db, "--export", target)
		if code != 0 || !strings.Contains(out, "export "+target+" (nothing published yet: the database has no committed run): ok") {
			t.Errorf("check of %s with no run committed: exit %d\n%s%s", target, code, out, errs)
		}
		code, out, _ = llmref(t, "check", "--db", db, "--export", target, "--format", "json")
		var rep checkReport
		if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || !rep.OK || !rep.NothingPublished || rep.Export == nil || *rep.Export != target {
			t.Errorf("check --format json of %s: exit %d, %v\n%s", target, code, err, out)
		}
	}
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-23", "-q"); code != 0 && code != 3 {
		t.Fatalf("refresh: exit %d: %s", code, errs)
	}
	for _, target := range targets {
		code, _, errs := llmref(t, "check", "--db", db, "--export", target)
		want := "llmref: check: export " + target + ": nothing is published here, and the database's last committed run is 1 (publish it: llmref export)\n" +
			"llmref: check: 1 problem in database " + db + " and export " + target + "\n"
		if code != 1 || errs != want {
			t.Errorf("check of %s after a run committed: exit %d\n%s\nwant exit 1 and\n%s", target, code, errs, want)
		}
	}
}

// TestExportToObjectStorageOneAtATime: a publish to object storage waits
// for another one from this machine (its lock beside the build cache, as
// another process holds it) through the upload to the pointer: two at
// once left the pointer to whichever finished last, an older run too.
func TestExportToObjectStorageOneAtATime(t *testing.T) {
	srv, dir, db := s3FirstDay(t)
	held, err := filelock.Exclusive(context.Background(), filepath.Join(dir, ".export-cache.sync.lock"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		code, _, errs := llmref(t, "export", "--db", db, "--out", "s3://llmref/site", "-q")
		if code != 0 {
			t.Errorf("export: exit %d: %s", code, errs)
		}
		done <- code
	}()
	select {
	case <-done:
		t.Fatal("the export ran while another publish held the lock")
	case <-time.After(300 * time.Millisecond):
	}
	if _, ok := srv.Object(t, "site/"+publish.PointerFile); ok {
		t.Fatal("a pointer was written while another publish held the lock")
	}
	held.Unlock()
	<-done
	if gen := reader(t, srv, "site"); gen == "" {
		t.Error("nothing published once the lock was let go")
	}
}
