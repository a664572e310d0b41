package hostilesuite

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/llmref/llmref/bench/site"
	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/hostilepage"
	"github.com/llmref/llmref/internal/testbin"
	"github.com/llmref/llmref/store"
)

// TestMain removes the binary the suite built.
func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// deadlineServer serves the generated site and two declarative tables
// besides it: /deadline/drip, a body dripped a byte a second (for two
// minutes), and /deadline/deep, the deep page. It counts the deep page's
// requests.
type deadlineServer struct {
	site http.Handler
	deep []byte
	hits atomic.Int32
}

func (d *deadlineServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/deadline/drip":
		hostilepage.Drip(w, r, 120)
	case "/deadline/deep":
		d.hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.Write(d.deep)
	default:
		d.site.ServeHTTP(w, r)
	}
}

// customTables are the declarative sources of the given pages.
func customTables(base string, names ...string) string {
	var b strings.Builder
	b.WriteString("  custom:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "    - name: %s\n      url: %s/deadline/%s\n      provider: %s\n      rows: 'section div td'\n      unit: per_1m\n      columns:\n        model_id: {selector: '', attr: data-id}\n        input: td\n", n, base, n, n)
	}
	return b.String()
}

// deadlineConfig writes bench/site's configuration with the fetch settings
// and the declarative tables, and returns the file's and a database's path.
func deadlineConfig(t *testing.T, base, fetch string, tables ...string) (cfg, db string) {
	t.Helper()
	text := configText(t, newSite(), base, fetch, nil)
	if strings.Count(text, "  custom: []\n") != 1 {
		t.Fatalf("bench/site's configuration has no empty custom list:\n%s", text)
	}
	text = strings.Replace(text, "  custom: []\n", customTables(base, tables...), 1)
	loadConfig(t, text) // loopback only, and every selector accepted
	dir := t.TempDir()
	cfg, db = filepath.Join(dir, "llmref.yaml"), filepath.Join(dir, "llmref.db")
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, db
}

// exitCode is how a finished command ended: its exit status, or -1 when a
// signal killed it.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	t.Fatal(err)
	return 0
}

// TestSourceDeadlines runs the real binary against a body dripped a byte a
// second and a page whose selector would run for minutes, beside the
// healthy sources: each fails its own source at fetch.source_timeout,
// named, the healthy ones commit, and the run exits 3 (partial) long
// before its run_timeout.
func TestSourceDeadlines(t *testing.T) {
	bin := testbin.LLMRef(t)
	s, cfg, db := deadlineSite(t, "drip", "deep")
	// The drip lasts two minutes, the deep page's selector longer;
	// run_timeout is two minutes.
	out := partialWithin(t, exec.Command(bin, "--config", cfg, "--db", db, "refresh"), sourceTimeout)
	last := healthyRun(t, db, s)
	if last.Status != catalog.RunPartial {
		t.Errorf("run %s; want partial", last.Status)
	}
	want := map[string]string{
		"drip": "deadline exceeded (fetch.source_timeout 3s) while ",
		"deep": "deadline exceeded (fetch.source_timeout 3s) while parsing table page",
	}
	for _, src := range last.Sources {
		w, late := want[src.Source]
		switch {
		case late && (src.Status != catalog.SourceFailed || len(src.Errors) != 1 || !strings.Contains(src.Errors[0], w)):
			t.Errorf("%s: %s %q; want failed: %q", src.Source, src.Status, src.Errors, w)
		case !late && src.Status == catalog.SourceFailed:
			t.Errorf("%s failed beside the late ones: %q", src.Source, src.Errors)
		}
		delete(want, src.Source)
	}
	if len(want) > 0 {
		t.Errorf("no stats for %v", want)
	}
	if !bytes.Contains(out, []byte("deep: ")) || !bytes.Contains(out, []byte("while parsing table page")) {
		t.Errorf("the summary does not name the late parse:\n%s", out)
	}
}

// sourceTimeout is fetch.source_timeout in the deadline tests; run_timeout
// is two minutes.
const sourceTimeout = 3 * time.Second

// deadlineSite serves the generated site and the deadline pages (until the
// test ends) and writes a configuration with the declarative tables, the
// source and run timeouts: it returns the site, the file's and a
// database's path.
func deadlineSite(t *testing.T, tables ...string) (s *site.Site, cfg, db string) {
	t.Helper()
	s = newSite()
	srv := httptest.NewServer(&deadlineServer{site: newServer(s), deep: []byte(hostilepage.DeepTable(500, 20000))})
	t.Cleanup(srv.Close)
	cfg, db = deadlineConfig(t, srv.URL, fmt.Sprintf("fetch:\n  source_timeout: %s\n  run_timeout: 2m\n", sourceTimeout), tables...)
	return s, cfg, db
}

// partialWithin runs cmd, which must exit 3 (partial) well before its
// run_timeout: within a minute (a bound, not a speed), its late sources
// failing at sourceTimeout. It returns the command's output.
func partialWithin(t *testing.T, cmd *exec.Cmd, sourceTimeout time.Duration) []byte {
	t.Helper()
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	t.Logf("exit %v in %v", err, took.Round(time.Millisecond))
	if code := exitCode(t, err); code != 3 {
		t.Fatalf("exit %d; want 3 (partial)\n%s", code, out)
	}
	if took > time.Minute {
		t.Errorf("the run took %v; its sources' deadlines are %v", took, sourceTimeout)
	}
	return out
}

// healthyRun opens the database a binary wrote, checks the healthy
// sources' facts (checkHealthy) and returns its last run.
func healthyRun(t *testing.T, db string, s *site.Site) catalog.Run {
	t.Helper()
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checkHealthy(t, st, s)
	last, err := st.LastRun()
	if err != nil {
		t.Fatal(err)
	}
	return last
}

// TestSignalDuringParse sends SIGTERM to the real binary while it parses
// the deep page (its deadlines minutes away): it must exit within 5 s,
// with status 1, not killed by the signal, and commit nothing.
func TestSignalDuringParse(t *testing.T) {
	bin := testbin.LLMRef(t)
	ds := &deadlineServer{site: newServer(newSite()), deep: []byte(hostilepage.DeepTable(500, 20000))}
	srv := httptest.NewServer(ds)
	defer srv.Close()
	cfg, db := deadlineConfig(t, srv.URL, "fetch:\n  source_timeout: 5m\n  run_timeout: 10m\n", "deep")
	var out bytes.Buffer
	cmd := exec.Command(bin, "--config", cfg, "--db", db, "refresh", "--source", "deep")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	for ds.hits.Load() == 0 { // the page served: its parse begins
		select {
		case err := <-waited:
			t.Fatalf("llmref ended before the page was served: %v\n%s", err, &out)
		case <-time.After(20 * time.Millisecond):
		}
	}
	time.Sleep(500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	signalled := time.Now()
	var err error
	select {
	case err = <-waited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-waited
		t.Fatalf("still running 30 s after SIGTERM\n%s", &out)
	}
	took := time.Since(signalled)
	t.Logf("exit %v %v after SIGTERM\n%s", err, took.Round(time.Millisecond), &out)
	if code := exitCode(t, err); code != 1 {
		t.Errorf("exit %d; want 1", code)
	}
	if took > 5*time.Second {
		t.Errorf("exited %v after SIGTERM; want within 5 s", took)
	}
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if run, err := st.LastRun(); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a run was recorded after SIGTERM: %+v %v", run, err)
	}
}
