package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/refresh"
	"github.com/llmref/llmref/scrapers"
)

// slowSite is the local site with OpenRouter's model list answered after
// a pause longer than slowPage, so the live line names the page waited on.
func slowSite(t *testing.T) *httptest.Server {
	t.Helper()
	site := localSite(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/models" {
			time.Sleep(slowPage + 700*time.Millisecond)
		}
		site.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestProgressOnATerminal runs a refresh through the built binary with its
// stderr on a pseudo-terminal: live lines per source show, naming the slow
// page, and are erased before the summary. The same run without a
// terminal prints none; with --log-format json each page is an event.
func TestProgressOnATerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	srv := slowSite(t)
	cfg := localConfig(t, srv.URL)
	slow := srv.URL + "/api/v1/models"

	t.Run("terminal", func(t *testing.T) {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminal: %v", err)
		}
		defer ptmx.Close()
		pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 200})
		var term bytes.Buffer
		read := make(chan struct{})
		go func() { io.Copy(&term, ptmx); close(read) }()
		var out bytes.Buffer
		cmd := exec.Command(bin, "--config", cfg, "--db", filepath.Join(t.TempDir(), "llmref.db"), "refresh")
		cmd.Stdout, cmd.Stderr = &out, tty
		err = cmd.Run()
		tty.Close()
		select {
		case <-read:
		case <-time.After(5 * time.Second):
		}
		if err != nil {
			t.Fatalf("refresh: %v\n%s\n%s", err, out.String(), term.String())
		}
		screen := term.String()
		for _, want := range []string{"openrouter", " pages  ", "waiting ", "for " + slow, "\x1b[J"} {
			if !strings.Contains(screen, want) {
				t.Errorf("the terminal did not show %q:\n%q", want, screen)
			}
		}
		if !strings.Contains(out.String(), "run 1 ok") {
			t.Errorf("summary:\n%s", out.String())
		}
	})

	t.Run("no terminal", func(t *testing.T) {
		var out, errb bytes.Buffer
		cmd := exec.Command(bin, "--config", cfg, "--db", filepath.Join(t.TempDir(), "llmref.db"), "refresh")
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("refresh: %v\n%s", err, errb.String())
		}
		if strings.Contains(errb.String(), " pages  ") || strings.Contains(errb.String(), "\x1b[") || strings.Contains(out.String(), "\x1b[") {
			t.Errorf("progress without a terminal:\n%q\n%q", out.String(), errb.String())
		}
		if !strings.Contains(out.String(), "run 1 ok") {
			t.Errorf("summary:\n%s", out.String())
		}
	})

	t.Run("json log", func(t *testing.T) {
		var out, errb bytes.Buffer
		cmd := exec.Command(bin, "--config", cfg, "--db", filepath.Join(t.TempDir(), "llmref.db"), "--log-format", "json", "refresh")
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("refresh: %v\n%s", err, errb.String())
		}
		found := false
		for _, line := range strings.Split(strings.TrimSpace(errb.String()), "\n") {
			var ev struct {
				Msg    string `json:"msg"`
				Event  string `json:"event"`
				Source string `json:"source"`
				URL    string `json:"url"`
				Status int    `json:"status"`
				Bytes  int64  `json:"bytes"`
			}
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Fatalf("not a JSON line: %q", line)
			}
			if ev.Msg == "progress" && ev.Event == "done" && ev.Source == "openrouter" && ev.URL == slow && ev.Status == 200 && ev.Bytes > 0 {
				found = true
			}
		}
		if !found {
			t.Errorf("no progress event for %s:\n%s", slow, errb.String())
		}
	})

	t.Run("quiet", func(t *testing.T) {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminal: %v", err)
		}
		defer ptmx.Close()
		var term bytes.Buffer
		read := make(chan struct{})
		go func() { io.Copy(&term, ptmx); close(read) }()
		cmd := exec.Command(bin, "--config", cfg, "--db", filepath.Join(t.TempDir(), "llmref.db"), "-q", "refresh")
		cmd.Stdout, cmd.Stderr = io.Discard, tty
		err = cmd.Run()
		tty.Close()
		<-read
		if err != nil || term.Len() != 0 {
			t.Errorf("-q on a terminal: %v, wrote %q", err, term.String())
		}
	})
}

// TestFailureLineNamesTheSource: the run's log (the daemon's too) says why
// a source failed: its name, the URL and the first error, even under cron.
func TestFailureLineNamesTheSource(t *testing.T) {
	site := localSite(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/litellm.json" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		site.Config.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg := localConfig(t, srv.URL)
	code, _, errs := llmref(t, "--config", cfg, "--db", filepath.Join(t.TempDir(), "llmref.db"), "refresh")
	want := `first_error="` + srv.URL + `/litellm.json: `
	if code != exitPartial || !strings.Contains(errs, "level=WARN msg=source name=litellm status=failed") || !strings.Contains(errs, want) || !strings.Contains(errs, "503") {
		t.Errorf("exit %d; want 3 and a warning naming litellm, %s and the 503:\n%s", code, want, errs)
	}
}

// TestShowProgressRoutesThePublisher: on a terminal the publisher's lines
// ("exported", "published tree", …) go through the live block like the
// run's, so a redraw does not erase them; the caller's publisher keeps its
// own logger.
func TestShowProgressRoutesThePublisher(t *testing.T) {
	var term, plain bytes.Buffer
	own := slog.New(slog.NewTextHandler(&plain, nil))
	e := &env{stderr: &term, tty: true, width: 80, logLevel: slog.LevelInfo, log: own}
	pub := &publish.Publisher{Dir: t.TempDir(), Logger: own}
	o := refresh.Options{Logger: own, Publisher: pub}
	stop := e.showProgress(&o)
	o.Fetch.Progress(scrapers.Progress{Source: "openrouter", Kind: scrapers.ProgressQueued})
	o.Publisher.Logger.Info("exported", "files", 3)
	stop()
	if o.Publisher.Logger != o.Logger {
		t.Errorf("the publisher logs through its own logger, not the run's")
	}
	if pub.Logger != own {
		t.Errorf("the caller's publisher lost its logger")
	}
	if plain.Len() != 0 {
		t.Errorf("a line bypassed the live block: %q", plain.String())
	}
	screen := term.String()
	at := strings.Index(screen, "msg=exported")
	if at < 0 || !strings.Contains(screen[at:], "openrouter") {
		t.Errorf("the publisher's line did not go above the block:\n%q", screen)
	}
}
