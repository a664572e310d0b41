package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/config"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/internal/fixturetest"
	"github.com/llmref/llmref/store"
)

// buildBinary builds llmref once per test binary run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "llmref-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "llmref")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// daemon is a running `llmref serve` process.
type daemon struct {
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
	done   chan error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startDaemon runs the real binary with args and waits for its address.
func startDaemon(t *testing.T, env []string, args ...string) *daemon {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{cmd: exec.Command(bin, args...), stderr: &lockedBuffer{}, done: make(chan error, 1)}
	d.cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	d.cmd.Stderr = io.MultiWriter(pw, d.stderr)
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.done <- d.cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			d.cmd.Process.Kill()
			<-d.done
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "llmref serve: listening on "); ok {
				found <- u
			}
		}
	}()
	select {
	case d.url = <-found:
	case err := <-d.done:
		t.Fatalf("serve exited: %v\n%s", err, d.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start:\n%s", d.stderr)
	}
	return d
}

// stop sends SIGTERM and waits for a clean exit.
func (d *daemon) stop(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.done:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, d.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop on SIGTERM:\n%s", d.stderr)
	}
}

// onlyOpenRouter writes a configuration with OpenRouter at base and every
// other source off.
func onlyOpenRouter(t *testing.T, dir, base, extra string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "database: %s\nexport:\n  dir: %s\nfetch: {retries: 0, timeout: 2m, delay: 0s}\nsources:\n  openrouter: {base_url: %q}\n", filepath.Join(dir, "llmref.db"), filepath.Join(dir, "export"), base)
	defaults := config.Default()
	for _, n := range config.SourceNames() {
		if n != "openrouter" && defaults.Settings(n).On() {
			if n == "custom" { // a list of declared tables
				fmt.Fprintf(&b, "  %s: []\n", n)
				continue
			}
			fmt.Fprintf(&b, "  %s: {enabled: false}\n", n)
		}
	}
	b.WriteString(extra)
	path := filepath.Join(dir, "llmref.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServeSIGTERMDuringARun starts `serve --schedule` with a schedule that
// never ran (the start-up catch-up runs it) against a loopback OpenRouter that hangs, sends SIGTERM while the run is
// fetching, and checks that the daemon exits cleanly, that the database is
// valid with nothing committed, and that the next run commits normally.
func TestServeSIGTERMDuringARun(t *testing.T) {
	day, err := fixtures.Day("2026-04-23")
	if err != nil {
		t.Fatal(err)
	}
	models, err := fs.ReadFile(day, "openrouter.ai/api/v1/models.json")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	hang := true
	hit := make(chan struct{}, 100)
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/models" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		h := hang
		mu.Unlock()
		if h {
			hit <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-time.After(time.Minute):
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(models)
	}))
	defer src.Close()
	dir := t.TempDir()
	cfg := onlyOpenRouter(t, dir, src.URL, "serve:\n  schedules:\n    - {name: tiny, spec: \"@every 1h\", timeout: 1m}\n")
	dbPath := filepath.Join(dir, "llmref.db")

	d := startDaemon(t, nil, "--config", cfg, "serve", "--addr", "127.0.0.1:0", "--schedule")
	select {
	case <-hit: // the run is mid-crawl
	case <-time.After(30 * time.Second):
		t.Fatalf("no request reached the source:\n%s", d.stderr)
	}
	d.stop(t)
	if !strings.Contains(d.stderr.String(), "status=cancelled") {
		t.Errorf("the cancelled run was not logged:\n%s", d.stderr)
	}
	st, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the database after SIGTERM: %v", err)
	}
	if problems, err := st.Check(); err != nil || len(problems) > 0 {
		t.Errorf("database check after SIGTERM: %v %v", problems, err)
	}
	runs, _ := st.Runs()
	recs, _ := st.ScheduleRuns(0)
	st.Close()
	if len(runs) != 0 {
		t.Errorf("%d refresh runs committed by a cancelled run", len(runs))
	}
	if len(recs) != 1 || recs[0].Status != store.ScheduleCancelled {
		t.Errorf("schedule records %+v; want one cancelled", recs)
	}

	// The next start: the source answers; the missed run is caught up and
	// commits.
	mu.Lock()
	hang = false
	mu.Unlock()
	d = startDaemon(t, nil, "--config", cfg, "serve", "--addr", "127.0.0.1:0", "--schedule")
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(d.stderr.String(), `msg="run finished"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no run finished:\n%s", d.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Get(d.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Status  string `json:"status"`
		LastRun struct {
			ID     uint64 `json:"id"`
			Status string `json:"status"`
		} `json:"last_run"`
	}
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if resp.StatusCode != 200 || h.LastRun.ID != 1 || h.LastRun.Status != "ok" {
		t.Errorf("/healthz after the good run: %d %+v", resp.StatusCode, h)
	}
	// While the scheduling daemon runs it is the one writer: a refresh from
	// the command line is refused at once, naming it; reading works.
	if code, _, errs := llmref(t, "--config", cfg, "refresh"); code != 1 || !strings.Contains(errs, "served by `llmref serve`") || !strings.Contains(errs, "/review") {
		t.Errorf("refresh while served: exit %d %s", code, errs)
	}
	if code, out, errs := llmref(t, "--config", cfg, "models"); code != 0 || !strings.Contains(out, "meta/llama-3.2-1b-instruct") {
		t.Errorf("models while served: exit %d %s", code, errs)
	}
	d.stop(t)
	st, err = store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, _ = st.Runs()
	if len(runs) == 0 || runs[0].Status != catalog.RunOK {
		t.Errorf("runs after the good run: %+v", runs)
	}
}

// TestServeThroughTheBinary checks the HTTP acceptance list against the
// real binary: ETag then 304, traversal 404, /metrics, approve needing the
// token, and an approved held change published in the export.
func TestServeThroughTheBinary(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "llmref.db")
	exportDir := filepath.Join(dir, "export")
	if code, _, errs := llmref(t, "refresh", "--db", db, "--replay", "2026-04-23", "--export", exportDir, "-q"); code != 0 && code != exitPartial {
		t.Fatalf("day 1: exit %d %s", code, errs)
	}
	llmref(t, "refresh", "--db", db, "--replay", fixturetest.SlipDay(t), "--export", exportDir, "-q")
	cfgPath := filepath.Join(dir, "llmref.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf("database: %s\nexport:\n  dir: %s\n", db, exportDir)), 0o644)

	token := "binary-test-token-0123456789"
	d := startDaemon(t, []string{"LLMREF_TOKEN=" + token}, "--config", cfgPath, "serve", "--addr", "127.0.0.1:0")
	defer d.stop(t)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	do := func(method, path, body string, hdr ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, d.url+path, strings.NewReader(body))
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}

	r1, _ := do("GET", "/v1/index.json", "")
	etag := r1.Header.Get("ETag")
	if r1.StatusCode != 200 || etag == "" {
		t.Fatalf("GET /v1/index.json: %d, ETag %q", r1.StatusCode, etag)
	}
	if r2, b := do("GET", "/v1/index.json", "", "If-None-Match", etag); r2.StatusCode != http.StatusNotModified || len(b) != 0 {
		t.Errorf("second GET with the ETag: %d, want 304", r2.StatusCode)
	}
	if r, _ := do("GET", "/v1/../../etc/passwd", ""); r.StatusCode != 404 {
		t.Errorf("traversal: %d, want 404", r.StatusCode)
	}
	if r, b := do("GET", "/metrics", ""); r.StatusCode != 200 || !bytes.Contains(b, []byte("\nllmref_runs_total{status=")) {
		t.Errorf("/metrics: %d\n%s", r.StatusCode, b)
	}

	// The held change.
	var held []catalog.Hold
	func() {
		st, err := store.Open(db, store.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		held, err = st.Holds(catalog.HoldPending)
		if err != nil {
			t.Fatal(err)
		}
	}()
	var slip *catalog.Hold
	for i, h := range held {
		if h.Key == "price:"+catalog.OfferingKey("meta/llama-3.2-1b-instruct", "openrouter", "", "")+"#output" {
			slip = &held[i]
		}
	}
	if slip == nil {
		t.Fatalf("the ×1000 slip is not held: %+v", held)
	}
	if _, b := do("GET", "/v1/models/meta--llama-3.2-1b-instruct.json", ""); !bytes.Contains(b, []byte(`"micro_usd_per_mtok": 200000`)) {
		t.Fatalf("before approval the export should keep $0.20 (200000 µ$):\n%s", b)
	}
	if r, b := do("GET", "/review", ""); r.StatusCode != 200 || !bytes.Contains(b, []byte(fmt.Sprintf(`id="hold-%d"`, slip.ID))) {
		t.Errorf("/review: %d lacks hold %d", r.StatusCode, slip.ID)
	}
	body := fmt.Sprintf(`{"ids":[%d],"note":"checked: the provider really charges this"}`, slip.ID)
	if r, _ := do("POST", "/review/approve", body, "Content-Type", "application/json"); r.StatusCode != 401 {
		t.Errorf("approve without the token: %d, want 401", r.StatusCode)
	}
	r, b := do("POST", "/review/approve", body, "Content-Type", "application/json", "Authorization", "Bearer "+token)
	if r.StatusCode != 200 {
		t.Fatalf("approve with the token: %d %s", r.StatusCode, b)
	}
	_, after := do("GET", "/v1/models/meta--llama-3.2-1b-instruct.json", "")
	if !bytes.Contains(after, []byte(`"micro_usd_per_mtok": 201000000`)) {
		t.Errorf("the approved price is not in the export:\n%s", after)
	}
	if r3, _ := do("GET", "/v1/index.json", "", "If-None-Match", etag); r3.StatusCode != 200 {
		t.Errorf("index.json after the approval: %d; want 200 with a new ETag", r3.StatusCode)
	}
}

// TestAwaitStopReadsTheServerOnce: with the context done and the server's
// result already in, whichever the select takes, awaitStop returns (it
// waited for a second result before: a SIGTERM'd daemon hung, half the
// times both were ready); a listener's failure is returned, the schedules
// stopped either way.
func TestAwaitStopReadsTheServerOnce(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	for range 200 {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		served := make(chan error, 1)
		served <- nil
		stopped := false
		done := make(chan error, 1)
		go func() { done <- awaitStop(ctx, served, func() error { stopped = true; return nil }, quiet) }()
		select {
		case err := <-done:
			if err != nil || !stopped {
				t.Fatalf("awaitStop: %v, schedules stopped %v", err, stopped)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("awaitStop waited for a second result from the server")
		}
	}
	served := make(chan error, 1)
	served <- errors.New("listener closed")
	if err := awaitStop(context.Background(), served, nil, quiet); err == nil || !strings.Contains(err.Error(), "listener closed") {
		t.Errorf("a listener's failure: %v", err)
	}
}
