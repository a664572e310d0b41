package hostilesuite

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/scrapers"
)

// maxRSS is the ceiling of the long mode: a refresh meeting a 2 GiB bomb
// must stay below it (issue 12 measured 4.6 GB before the fix).
const maxRSS = 512 << 20

// TestHostileLong is the long mode (LLMREF_LONG=1 or -long): the real
// binary, with the default body limit, against each bomb alone, then
// against every hostile page at once, and once against the healthy
// sources alone for a baseline. Each run must exit 3 (partial; 0 for the
// baseline), record the healthy sources' facts, name the bomb's failure,
// and peak below 512 MB of RSS.
func TestHostileLong(t *testing.T) {
	if !long() {
		t.Skip("the long mode runs with LLMREF_LONG=1 or -long")
	}
	bin := buildLLMRef(t)
	limit := scrapers.Options{}.Defaults().MaxBodyBytes
	s := newSite()
	hs := newServer(s)
	srv := httptest.NewServer(hs)
	defer srv.Close()

	type run struct {
		name string
		ids  []string
	}
	bombs := hostileIDs(bomb)
	runs := []run{{"healthy sources alone", nil}}
	for _, id := range bombs {
		runs = append(runs, run{id, []string{id}})
	}
	runs = append(runs, run{"every hostile page at once", hostileIDs(bomb, other, hang)})
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			dir := t.TempDir()
			fetch := "" // a bomb alone meets the defaults: 30 s, 2 retries
			if len(r.ids) > 1 {
				fetch = "fetch:\n  timeout: 5s\n  retries: 1\n  backoff_base: 10ms\n  backoff_max: 40ms\n" // the hanging pages
			}
			text := configText(t, s, srv.URL, fetch, r.ids)
			loadConfig(t, text) // loopback only
			cfg := filepath.Join(dir, "llmref.yaml")
			if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			wrote := make([]int64, len(r.ids))
			for i, id := range r.ids {
				wrote[i] = hs.written.of("/api/docs/models/" + id)
			}
			db := filepath.Join(dir, "llmref.db")
			cmd := exec.Command(bin, "--config", cfg, "--db", db, "refresh", "-q")
			start := time.Now()
			out, err := cmd.CombinedOutput()
			wall := time.Since(start)
			var exit *exec.ExitError
			code := 0
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
			t.Logf("exit %d in %v, peak RSS %.1f MB", code, wall.Round(time.Millisecond), float64(rss)/1e6)
			if want := map[bool]int{true: 0, false: 3}[len(r.ids) == 0]; code != want {
				t.Errorf("exit %d; want %d\n%s", code, want, out)
			}
			if rss >= maxRSS {
				t.Errorf("peak RSS %d bytes; want under %d", rss, maxRSS)
			}
			last := healthyRun(t, db, s)
			var oa catalog.SourceStats
			for _, ss := range last.Sources {
				if ss.Source == "openai" {
					oa = ss
				}
			}
			for i, id := range r.ids {
				path := "/api/docs/models/" + id
				e := errorFor(oa.Errors, srv.URL+path)
				if h := hs.byID[id]; h.kind == bomb && !strings.Contains(e, fmt.Sprintf(afterDecoding, limit)) {
					t.Errorf("%s: error %q; want %q", id, e, fmt.Sprintf(afterDecoding, limit))
				} else if e == "" {
					t.Errorf("%s: no error recorded", id)
				}
				if len(r.ids) == 1 {
					t.Logf("%s: the server wrote %d bytes", id, hs.written.of(path)-wrote[i])
				}
			}
		})
	}

	// What a fetcher at the same limit reads from the wire for each bomb
	// (the binary's own reads are not visible from here).
	cfg := loadConfig(t, configText(t, s, srv.URL, "fetch:\n  parallelism: 1\n", bombs))
	wire := &wireCounter{next: scrapers.NewTransport(1)}
	o := cfg.FetchOptions()
	o.Transport = wire
	if _, err := scrapers.Crawl(context.Background(), o, openAISource(t, cfg), nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range bombs {
		t.Logf("%s: %d bytes read from the wire for a %d-byte limit", id, wire.read.of("/api/docs/models/"+id), limit)
	}
}

// buildLLMRef builds the real binary into the test's temporary folder, or
// returns LLMREF_HOSTILE_BIN when it is set (an older build, to compare).
func buildLLMRef(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("LLMREF_HOSTILE_BIN"); bin != "" {
		return bin
	}
	goBin, err := exec.LookPath("go") // go test puts its own first on PATH
	if err != nil {
		t.Skip("no go command to build llmref with")
	}
	bin := filepath.Join(t.TempDir(), "llmref")
	if out, err := exec.Command(goBin, "build", "-o", bin, "github.com/llmref/llmref/cmd/llmref").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
