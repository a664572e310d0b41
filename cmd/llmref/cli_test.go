package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/llmref/llmref/internal/golden"
)

// TestHelpGolden pins `llmref help` and one command's help
// (testdata/*.golden; -update rewrites them).
func TestHelpGolden(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		golden string
	}{
		{[]string{"help"}, "testdata/help.golden"},
		{[]string{"help", "refresh"}, "testdata/help_refresh.golden"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := llmref(t, tt.args...)
			if code != exitOK || errs != "" {
				t.Fatalf("exit %d, stderr %q", code, errs)
			}
			golden.Assert(t, tt.golden, []byte(out))
		})
	}
}

// binRun runs the built binary with extra environment variables; it
// returns the exit code and both streams.
func binRun(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "LLMREF_CONFIG=", "LLMREF_DB=")
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// TestCommandLineThroughBinary drives the built binary as an operator and
// a script do: help and version, `--`, the exit status of usage mistakes,
// --format json, the environment, completion, and compare's order and
// number styles.
func TestCommandLineThroughBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "llmref.db")
	const llama, gpt = "meta/llama-3.2-1b-instruct", "openai/gpt-5.3-codex"

	// refresh --format json: the run record and what it gave, nothing else.
	code, out, errs := binRun(t, nil, "--db", db, "refresh", "--replay", "2026-04-23", "--format", "json")
	if code != exitOK {
		t.Fatalf("refresh exit %d: %s", code, errs)
	}
	var run struct {
		Run struct {
			ID      uint64 `json:"id"`
			Status  string `json:"status"`
			Sources []struct {
				Source   string `json:"source"`
				Requests int    `json:"requests"`
			} `json:"sources"`
		} `json:"run"`
		Held    *int     `json:"held"`
		HoldIDs []uint64 `json:"hold_ids"`
	}
	if err := json.Unmarshal([]byte(out), &run); err != nil || run.Run.ID != 1 || run.Run.Status != "ok" || len(run.Run.Sources) == 0 || run.Held == nil || run.HoldIDs == nil {
		t.Fatalf("refresh --format json: %v\n%s", err, out)
	}

	t.Run("help exits 0", func(t *testing.T) {
		for _, c := range []struct {
			golden string
			args   [][]string
		}{
			{"testdata/help.golden", [][]string{{"help"}, {"-h"}, {"--help"}, {"-q", "--help"}}},
			{"testdata/help_refresh.golden", [][]string{{"help", "refresh"}, {"refresh", "-h"}, {"refresh", "--help"}, {"--db", db, "refresh", "--source", "x", "-h"}}},
		} {
			t.Run(strings.TrimSuffix(filepath.Base(c.golden), ".golden"), func(t *testing.T) {
				want, err := os.ReadFile(c.golden)
				if err != nil {
					t.Fatal(err)
				}
				for _, args := range c.args {
					code, out, errs := binRun(t, nil, args...)
					if code != exitOK || out != string(want) || errs != "" {
						t.Errorf("%v: exit %d, stderr %q; want exit 0 and %s:\n%s", args, code, errs, c.golden, out)
					}
				}
			})
		}
		// No command at all is a usage mistake: the list goes to stderr.
		if code, out, errs := binRun(t, nil); code != exitUsage || out != "" || !strings.Contains(errs, "usage: llmref") {
			t.Errorf("no command: exit %d, stdout %q", code, out)
		}
	})

	t.Run("version", func(t *testing.T) {
		var doc struct {
			Version   string `json:"version"`
			Go        string `json:"go"`
			UserAgent string `json:"user_agent"`
		}
		code, out, errs := binRun(t, nil, "version", "--format", "json")
		if code != exitOK || json.Unmarshal([]byte(out), &doc) != nil {
			t.Fatalf("version --format json: exit %d, %s%s", code, out, errs)
		}
		if doc.Version == "" || doc.Go != runtime.Version() || !strings.HasPrefix(doc.UserAgent, "llmref/") {
			t.Errorf("version %+v; want a version, Go %s and a user agent", doc, runtime.Version())
		}
		for _, args := range [][]string{{"version"}, {"--version"}} {
			t.Run(args[0], func(t *testing.T) {
				code, out, _ := binRun(t, nil, args...)
				if code != exitOK || !strings.HasPrefix(out, "llmref "+doc.Version) || !strings.Contains(out, doc.Go) || !strings.Contains(out, doc.UserAgent) {
					t.Errorf("%v: exit %d:\n%s", args, code, out)
				}
			})
		}

		// The fetcher sends that user agent, and record --format json
		// says what it wrote.
		site := localSite(t)
		var mu sync.Mutex
		agents := map[string]bool{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			agents[r.UserAgent()] = true
			mu.Unlock()
			site.Config.Handler.ServeHTTP(w, r)
		}))
		defer srv.Close()
		cfg := localConfig(t, srv.URL)
		day := filepath.Join(t.TempDir(), "day")
		code, out, errs = binRun(t, nil, "--config", cfg, "record", day, "--source", "openrouter", "--format", "json")
		var rec struct {
			Dir       string `json:"dir"`
			Responses int    `json:"responses"`
			Sources   []struct {
				Source string `json:"source"`
			} `json:"sources"`
		}
		if code != exitOK || json.Unmarshal([]byte(out), &rec) != nil || rec.Dir != day || rec.Responses == 0 || len(rec.Sources) != 1 || rec.Sources[0].Source != "openrouter" {
			t.Errorf("record --format json: exit %d, %s\n%s", code, errs, out)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(agents) != 1 || !agents[doc.UserAgent] {
			t.Errorf("user agents sent %v; want only %q", agents, doc.UserAgent)
		}
	})

	t.Run("-- ends flags", func(t *testing.T) {
		// After --, "-h" is a model id, not a request for help.
		code, out, errs := binRun(t, nil, "--db", db, "compare", "--", llama, "-h")
		if code != exitError || out != "" || !strings.Contains(errs, `unknown model "-h"`) {
			t.Errorf("compare -- %s -h: exit %d, %q %q", llama, code, out, errs)
		}
		// Before it, flags still work after the arguments.
		if code, out, errs := binRun(t, nil, "compare", llama, gpt, "--db", db, "--format", "json", "--"); code != exitOK || !strings.HasPrefix(out, "{") {
			t.Errorf("flags after the arguments: exit %d, %s", code, errs)
		}
	})

	t.Run("usage mistakes exit 2", func(t *testing.T) {
		fresh := filepath.Join(t.TempDir(), "fresh.db")
		for _, args := range [][]string{
			{"frobnicate"},
			{"--bogus", "models"},
			{"refresh", "--bogus"},
			{"--db", fresh, "refresh", "--source", "nosuch"},
			{"--db", fresh, "refresh", "--replay", "2099-01-01"},
			{"--db", fresh, "rebuild", "--format", "xml"},
			{"--db", db, "models", "--format", "yaml"},
			{"help", "nosuch"},
			{"completion", "fish"},
			{"version", "extra"},
		} {
			t.Run(strings.NewReplacer(db, "DB", fresh, "FRESH").Replace(strings.Join(args, " ")), func(t *testing.T) {
				code, out, errs := binRun(t, nil, args...)
				if code != exitUsage || out != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.HasPrefix(errs, "llmref: ") {
					t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line", args, code, out, errs)
				}
			})
		}
		if _, err := os.Stat(fresh); !os.IsNotExist(err) {
			t.Errorf("a usage mistake created the database: %v", err)
		}
	})

	t.Run("format json", func(t *testing.T) {
		code, out, errs := binRun(t, nil, "--db", db, "models", "--format", "json")
		var models struct {
			SchemaVersion int `json:"schema_version"`
			Models        []struct {
				ID            string `json:"id"`
				ContextWindow *int64 `json:"context_window"`
			} `json:"models"`
		}
		if code != exitOK || json.Unmarshal([]byte(out), &models) != nil || models.SchemaVersion == 0 || len(models.Models) < 2 {
			t.Fatalf("models --format json: exit %d, %s\n%.300s", code, errs, out)
		}
		// Exact tokens in JSON.
		for _, m := range models.Models {
			if m.ID == gpt && (m.ContextWindow == nil || *m.ContextWindow != 400000) {
				t.Errorf("%s context_window %v; want 400000", gpt, m.ContextWindow)
			}
		}

		code, out, errs = binRun(t, nil, "--db", db, "check", "--format", "json")
		var check struct {
			OK       bool              `json:"ok"`
			Database string            `json:"database"`
			Problems []json.RawMessage `json:"problems"`
		}
		if code != exitOK || json.Unmarshal([]byte(out), &check) != nil || !check.OK || check.Database != db || check.Problems == nil {
			t.Errorf("check --format json: exit %d, %s\n%s", code, errs, out)
		}

		code, out, errs = binRun(t, nil, "--db", db, "rebuild", "--format", "json")
		var rebuilt struct {
			Run struct {
				ID uint64 `json:"id"`
			} `json:"run"`
		}
		if code != exitOK || json.Unmarshal([]byte(out), &rebuilt) != nil || rebuilt.Run.ID != 2 {
			t.Errorf("rebuild --format json: exit %d, %s\n%s", code, errs, out)
		}
		// -q does not silence a result asked for in JSON.
		if code, out, _ := binRun(t, nil, "-q", "--db", db, "models", "--format", "json"); code != exitOK || !json.Valid([]byte(out)) {
			t.Errorf("-q models --format json: exit %d, %q", code, out)
		}
	})

	t.Run("environment", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.yaml")
		os.WriteFile(bad, []byte("fetch:\n  retriez: 3\n"), 0o644)
		good := filepath.Join(t.TempDir(), "good.yaml")
		os.WriteFile(good, []byte("# the defaults\n"), 0o644)
		for _, c := range []struct {
			name string
			env  []string
			args []string
			code int
			want string
		}{
			{"LLMREF_DB names the database", []string{"LLMREF_DB=" + db}, []string{"models"}, exitOK, llama},
			{"--db overrides LLMREF_DB", []string{"LLMREF_DB=" + filepath.Join(dir, "none.db")}, []string{"--db", db, "models"}, exitOK, llama},
			{"LLMREF_DB of no database", []string{"LLMREF_DB=" + filepath.Join(dir, "none.db")}, []string{"models"}, exitError, "none.db"},
			{"LLMREF_CONFIG names the config", []string{"LLMREF_CONFIG=" + bad, "LLMREF_DB=" + db}, []string{"models"}, exitError, "bad.yaml"},
			{"--config overrides LLMREF_CONFIG", []string{"LLMREF_CONFIG=" + bad, "LLMREF_DB=" + db}, []string{"--config", good, "models"}, exitOK, llama},
		} {
			t.Run(c.name, func(t *testing.T) {
				code, out, errs := binRun(t, c.env, c.args...)
				if code != c.code || !strings.Contains(out+errs, c.want) {
					t.Errorf("%v %v: exit %d, %s%s; want exit %d naming %q", c.env, c.args, code, out, errs, c.code, c.want)
				}
			})
		}
	})

	t.Run("completion", func(t *testing.T) {
		code, script, errs := binRun(t, nil, "completion", "bash")
		if code != exitOK {
			t.Fatalf("completion bash: exit %d, %s", code, errs)
		}
		bash, err := exec.LookPath("bash")
		if err != nil {
			t.Skip("no bash")
		}
		f := filepath.Join(t.TempDir(), "llmref.bash")
		os.WriteFile(f, []byte(script), 0o644)
		for _, c := range []struct {
			words string
			want  []string
		}{
			{`llmref ref`, []string{"refresh"}},
			{`llmref help re`, []string{"rebuild", "record", "refresh", "reject", "review"}},
			{`llmref refresh --rep`, []string{"--replay"}},
			{`llmref --db x.db refresh --source openrouter-e`, []string{"openrouter-endpoints"}},
			{`llmref models --format j`, []string{"json"}},
			{`llmref completion z`, []string{"zsh"}},
		} {
			t.Run(c.words, func(t *testing.T) {
				words := strings.Fields(c.words)
				prog := `source "$1"; COMP_WORDS=(` + c.words + `); COMP_CWORD=` + strconv.Itoa(len(words)-1) + `; _llmref; echo "${COMPREPLY[*]}"`
				out, err := exec.Command(bash, "-c", prog, "bash", f).CombinedOutput()
				if err != nil || strings.Join(strings.Fields(string(out)), " ") != strings.Join(c.want, " ") {
					t.Errorf("completing %q: %v %q; want %q", c.words, err, out, c.want)
				}
			})
		}
		code, script, _ = binRun(t, nil, "completion", "zsh")
		if code != exitOK || !strings.HasPrefix(script, "#compdef llmref") || !strings.Contains(script, "--replay") {
			t.Fatalf("completion zsh: exit %d:\n%.300s", code, script)
		}
		if zsh, err := exec.LookPath("zsh"); err == nil {
			f := filepath.Join(t.TempDir(), "_llmref")
			os.WriteFile(f, []byte(script), 0o644)
			if out, err := exec.Command(zsh, "-n", f).CombinedOutput(); err != nil {
				t.Errorf("zsh -n: %v %s", err, out)
			}
		}
	})

	t.Run("compare keeps the order given", func(t *testing.T) {
		var ids [2]string
		for i, args := range [][]string{{gpt, llama}, {llama, gpt}} {
			code, out, errs := binRun(t, nil, "--db", db, "compare", args[0], args[1])
			title := map[string]string{gpt: "GPT-5.3-Codex", llama: "Llama 3.2 1B Instruct"}
			if want := title[args[0]] + " vs " + title[args[1]] + "\n"; code != exitOK || !strings.HasPrefix(out, want) {
				t.Errorf("compare %v: exit %d, %s; want it to open %q:\n%.200s", args, code, errs, want, out)
			}
			var rec struct {
				ID     string `json:"id"`
				Models struct {
					A, B struct {
						ID string `json:"id"`
					}
				} `json:"models"`
			}
			code, out, _ = binRun(t, nil, "--db", db, "compare", args[0], args[1], "--format", "json")
			if code != exitOK || json.Unmarshal([]byte(out), &rec) != nil || rec.Models.A.ID != args[0] || rec.Models.B.ID != args[1] {
				t.Errorf("compare %v --format json: exit %d, sides %+v", args, code, rec.Models)
			}
			ids[i] = rec.ID
		}
		if ids[0] != ids[1] || ids[0] == "" {
			t.Errorf("record ids %q; want one id for the pair in either order", ids)
		}
	})

	t.Run("numbers in one style", func(t *testing.T) {
		// Money with fewer than two decimals: "$0.2 ", "$14 ".
		short := regexp.MustCompile(`\$[0-9]+(\.[0-9])?([^0-9.]|$)`)
		_, cmp, _ := binRun(t, nil, "--db", db, "compare", gpt, llama)
		_, models, _ := binRun(t, nil, "--db", db, "models")
		for name, out := range map[string]string{"compare": cmp, "models": models} {
			if m := short.FindString(out); m != "" {
				t.Errorf("%s writes %q: money wants at least two decimals", name, m)
			}
			if strings.Contains(out, "400,000") || !strings.Contains(out, "400K") || !strings.Contains(out, "128K") {
				t.Errorf("%s: context windows not as 128K / 400K:\n%s", name, out)
			}
		}
		for _, want := range []string{"$0.20", "$14.00", "$0.027", "400K tokens"} {
			if !strings.Contains(cmp, want) {
				t.Errorf("compare text lacks %q", want)
			}
		}
	})
}

// TestDemoDefaultFolder: a demo without --dir runs in one folder of the
// user's cache, says where, and the next one replaces it (it never leaves a
// new folder behind); a demo running there keeps a second one out.
func TestDemoDefaultFolder(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	dir := filepath.Join(cache, "llmref-demo")
	for i := range 2 {
		code, out, errs := llmref(t, "demo")
		if code != exitOK || !strings.Contains(out, "demo folder: "+dir) {
			t.Fatalf("demo %d: exit %d, %s\n%.300s", i+1, code, errs, out)
		}
	}
	entries, err := os.ReadDir(cache)
	if err != nil || len(entries) != 1 || entries[0].Name() != "llmref-demo" {
		t.Errorf("cache folder holds %v (%v); want only llmref-demo", entries, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "export", "index.json")); err != nil {
		t.Error(err)
	}
	release, err := lockDemoFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if code, _, errs := llmref(t, "demo", "-q"); code != exitError || !strings.Contains(errs, "another demo is running in "+dir) {
		t.Errorf("demo beside a running one: exit %d, %q", code, errs)
	}
}
